#!/usr/bin/env bats
# The file-client contract: what ANY correct "send a file" TCP client must do.
#
# The client under test is the shell command line in CLIENT_UNDER_TEST
# (default: our own build/tcp-client -q); it is run as
# `$CLIENT_UNDER_TEST 127.0.0.1 PORT` with the file on stdin, and must write
# what the server sends to stdout. The server is our tcp-server. A learner's
# client is checked with: scripts/check-exercise file-client PROG...
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
# by SECS (default 5); stdout in cli.out, stderr in cli.err, status in STATUS.
run_client() {
	STATUS=0
	timeout "${2:-8}" bash -c "$(in_exercise_dir "$CLIENT_UNDER_TEST" 127.0.0.1 "$PORT")" \
		<"$1" >cli.out 2>cli.err 3>&- || STATUS=$?
}

# server_replying REPLY: our server, which waits for the client's EOF
# (recv returns 0), then sends REPLY and closes.
server_replying() {
	SPAWN_STDIN=<(detached wait_for_line "$BATS_TEST_TMPDIR/srv.err" 'peer closed its side'
		printf '%s' "$1") start_server srv "$SERVER" -v -4 -b 127.0.0.1 0
}

# no_eof_seen: explain a client that never told the server it had finished.
no_eof_seen() {
	because "the server never saw the end of your data (recv never" \
		"returned 0), so it never answered and both sides waited: at the" \
		"end of the input call shutdown(fd, SHUT_WR), then keep reading" \
		"(lessons/09-close.md)"
}

@test "[file-client] sends a 1 MiB binary file byte-exact, then exits 0" {
	head -c 1048576 /dev/urandom >in.bin
	server_replying ""
	run_client in.bin
	[ "$STATUS" -ne 124 ] || no_eof_seen
	wait_pid "$srv_PID" 5
	same_bytes in.bin srv.out "the file, as the server received it"
	[ "$STATUS" -eq 0 ] ||
		because "the client exited with status $STATUS after the server" \
			"closed; it should exit 0: $(head -n 1 cli.err)"
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
}

@test "[file-client] writes what the server sends to stdout byte-exact (1 MiB binary)" {
	head -c 1048576 /dev/urandom >down.bin
	: >empty
	SPAWN_STDIN=down.bin start_server srv "$SERVER" -4 -b 127.0.0.1 0
	run_client empty
	[ "$STATUS" -ne 124 ] ||
		because "the client was still running 8 s after the server had sent" \
			"everything and closed: stop when recv() returns 0"
	same_bytes down.bin cli.out "the server's 1 MiB on stdout"
}

@test "[file-client] exits with a non-zero status when nothing listens" {
	PORT=$(contract_free_port)
	printf 'x\n' >in.txt
	run_client in.txt
	[ "$STATUS" -ne 124 ] ||
		because "the client hung for 8 s although the connection was refused"
	[ "$STATUS" -ne 0 ] ||
		because "connect() failed with ECONNREFUSED, but the client exited 0:" \
			"report the error and exit non-zero (lessons/06-connect.md)"
}
