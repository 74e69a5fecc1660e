#!/usr/bin/env bats
# The file-client contract: what ANY correct "send a file" TCP client must do.
#
# The client under test is the shell command line in CLIENT_UNDER_TEST
# (default: our own build/tcp-client -q); it is run as
# `$CLIENT_UNDER_TEST 127.0.0.1 PORT` with the file on stdin, and must write
# what the server sends to stdout. The servers are our tcp-server and
# tests/contract-peer.c. A learner's client is checked with:
#   scripts/check-exercise file-client PROG...
#
#   [file-client]  lessons/09-close.md (send a file, then half-close)

load helpers
load contract

setup() {
	SERVER=$(tool tcp-server)
	CLIENT_UNDER_TEST=${CLIENT_UNDER_TEST:-"$(printf '%q' "$(tool tcp-client)") -q"}
	cd "$BATS_TEST_TMPDIR" || return 1
}

# run_client IN [SECS]: run the client under test with IN on stdin, bounded
# by SECS (default CONTRACT_REPLY); stdout in cli.out, stderr in cli.err,
# status in STATUS (124: it was still running).
run_client() {
	STATUS=0
	timeout -k 1 "${2:-$CONTRACT_REPLY}" bash -c "$(in_exercise_dir "$CLIENT_UNDER_TEST" 127.0.0.1 "$(route_port "$PORT")")" \
		<"$1" >cli.out 2>cli.err 3>&- || STATUS=$?
}

# client_fate: how the client under test ended, in words.
client_fate() {
	program_fate cli "$STATUS"
}

# server_replying REPLY: our server, which waits for the client's EOF
# (recv returns 0), then sends REPLY and closes.
server_replying() {
	SPAWN_STDIN=<(detached wait_for_line "$BATS_TEST_TMPDIR/srv.err" 'peer closed its side' 10 2>/dev/null
		printf '%s' "$1") start_server srv "$SERVER" -v -4 -b 127.0.0.1 0
}

# no_eof_seen: explain a client that never told the server it had finished.
no_eof_seen() {
	because "the server never saw the end of your data (recv never" \
		"returned 0) within ${CONTRACT_REPLY} s, so it never answered and both" \
		"sides waited: at the end of the input call shutdown(fd, SHUT_WR)," \
		"then keep reading (lessons/09-close.md)"
}

@test "[file-client] sends 16 MiB byte-exact to a server that reads slowly, then exits 0" {
	# The server reads nothing for a second: every buffer on the way fills
	# up, and send() takes less than it is given (on a non-blocking socket,
	# nothing at all: EAGAIN).
	head -c 16777216 /dev/urandom >in.bin
	start_server srv "$(contract_peer)" slow-server 1000
	run_client in.bin $((CONTRACT_WAIT + 2))
	[ "$STATUS" -ne 124 ] ||
		because "the client was still running $((CONTRACT_WAIT + 1)) s after the server" \
			"had started to read; $(wc -c <srv.out | tr -d ' ') of 16777216 bytes had arrived:" \
			"at the end of the input, shutdown(fd, SHUT_WR), then read until" \
			"recv() returns 0 (lessons/09-close.md)"
	end_within "$srv_PID" "$CONTRACT_WAIT"
	if [ "$STATUS" -ne 0 ] && ! cmp -s in.bin srv.out; then
		because "the client stopped when $(wc -c <srv.out | tr -d ' ') of the" \
			"16777216 bytes had arrived: $(client_fate). A server that reads" \
			"slowly only makes send() wait (or, on a non-blocking socket," \
			"fail with EAGAIN until poll() says it may go on): wait, then" \
			"send the rest (lessons/07-send.md)"
		return 1
	fi
	same_bytes in.bin srv.out "16 MiB, as the server received them (a partial send() must be completed: send the rest, lessons/07-send.md)"
	[ "$STATUS" -eq 0 ] ||
		because "the client sent everything, but then $(client_fate)"
}

@test "[file-client] half-closes at the end of the file, then prints the server's reply" {
	printf 'a short file\n' >in.txt
	printf 'got it: 13 bytes\n' >reply.txt
	server_replying "$(cat reply.txt)
"
	run_client in.txt
	[ "$STATUS" -ne 124 ] || no_eof_seen
	same_bytes in.txt srv.out "the file, as the server received it"
	if [ ! -s cli.out ]; then
		because "the server answered after your end of file, but nothing" \
			"reached stdout: after shutdown(SHUT_WR) keep reading until" \
			"recv() returns 0 (close() at the end of the input throws the" \
			"reply away) (lessons/09-close.md)"
	fi
	same_bytes reply.txt cli.out "the server's reply on stdout"
	[ "$STATUS" -eq 0 ] ||
		because "the client printed the reply, but then $(client_fate)"
}

@test "[file-client] prints the whole reply when the network pauses in the middle of it (net-relay)" {
	# On loopback a short reply arrives in one recv(); on a real network it
	# may come in pieces with pauses between them. net-relay makes such a
	# network: the first 10 bytes of the reply pass, then nothing for a
	# second (a slow link, a lost segment resent), then the rest.
	printf 'a short file\n' >in.txt
	printf 'the reply, in pieces: 0123456789abcdef\n' >reply.txt
	server_replying "$(cat reply.txt)
"
	start_server relay "$(tool net-relay)" -4 -b 127.0.0.1 -c 1 --to-client --stall-after 10 1 \
		0 127.0.0.1 "$PORT"
	run_client in.txt 5
	[ "$STATUS" -ne 124 ] || no_eof_seen
	same_bytes in.txt srv.out "the file, as the server received it"
	if ! cmp -s reply.txt cli.out; then
		because "the reply came through net-relay --to-client --stall-after 10 1" \
			"(10 bytes, then a pause of a second, as a slow network hands them over);" \
			"$(wc -c <cli.out | tr -d ' ') of its $(wc -c <reply.txt | tr -d ' ') bytes" \
			"reached stdout. One recv() returns what has arrived so far, and a pause" \
			"is not the end: keep calling recv() until it returns 0" \
			"(lessons/08-recv.md)"
	fi
	[ "$STATUS" -eq 0 ] ||
		because "the client printed the reply, but then $(client_fate)"
}

@test "[file-client] writes what the server sends to stdout byte-exact (1 MiB binary)" {
	head -c 1048576 /dev/urandom >down.bin
	: >empty
	SPAWN_STDIN=down.bin start_server srv "$SERVER" -4 -b 127.0.0.1 0
	run_client empty
	[ "$STATUS" -ne 124 ] ||
		because "the client was still running ${CONTRACT_REPLY} s after the server had" \
			"sent everything and closed: stop when recv() returns 0"
	same_bytes down.bin cli.out "the server's 1 MiB on stdout"
	[ "$STATUS" -eq 0 ] ||
		because "the client printed the server's data, but then $(client_fate)"
}

@test "[file-client] exits with a non-zero status when nothing listens" {
	PORT=$(contract_free_port)
	printf 'x\n' >in.txt
	# The whole run is the program's start: the start's bound.
	run_client in.txt "$CONTRACT_START"
	[ "$STATUS" -ne 124 ] ||
		because "the client hung for ${CONTRACT_START} s although the connection was refused"
	[ "$STATUS" -ne 0 ] ||
		because "connect() failed with ECONNREFUSED, but the client exited 0:" \
			"report the error and exit non-zero (lessons/06-connect.md)"
}
