#!/usr/bin/env bats
# What is local is never blamed on the peer: closed standard descriptors,
# a reader of stdout that leaves, a port in use, and stopping by signal
# (issue 11 items 10, 11, 13, 14), for tcp-client and tcp-server.

load helpers

setup() {
	cd "$BATS_TEST_TMPDIR"
	SERVER=$(tool tcp-server)
	CLIENT=$(tool tcp-client)
}

@test "tcp-client with stdin closed: end of input at once, half-close, exit 0" {
	start_server srv "$SERVER" -4 -b 127.0.0.1 --echo 0
	run -0 --separate-stderr timeout 5 bash -c '"$1" -v 127.0.0.1 "$2" <&-' _ "$CLIENT" "$PORT"
	[ -z "$output" ]
	[[ "$stderr" == *"[9 close] shutdown(fd="*", SHUT_WR) = 0"* ]]
	[[ "$stderr" == *"tcp-client: closed"* ]]
}

@test "tcp-client with stdout closed: one line, exit 74, nothing written into the socket" {
	# The server sends a line and prints what it receives: if the client's
	# socket had become fd 1, the server's line would come back to it.
	SPAWN_STDIN=<(detached bash -c 'echo from-server; sleep 2') \
		start_server srv "$SERVER" -4 -b 127.0.0.1 0
	run -74 --separate-stderr timeout 5 bash -c 'echo from-client | "$1" 127.0.0.1 "$2" >&-' _ "$CLIENT" "$PORT"
	[[ "$stderr" == *"tcp-client: cannot write to stdout: Bad file descriptor (EBADF): it is closed"* ]]
	[[ "$stderr" != *"connection to"*"failed"* ]]
	wait_pid "$srv_PID"
	# Whatever the client sent before it stopped, never the server's line.
	! grep -q from-server srv.out
}

@test "tcp-client | head -1: the reader left, not the peer: exit 74 and no peer hint" {
	start_server srv "$SERVER" -4 -b 127.0.0.1 --echo 0
	run --separate-stderr timeout 10 bash -c 'set -o pipefail; seq 1 300000 | "$1" 127.0.0.1 "$2" | head -1' _ "$CLIENT" "$PORT"
	[ "$status" -eq 74 ]
	[ "$output" = 1 ]
	[[ "$stderr" == *"cannot write to stdout: Broken pipe (EPIPE): nobody reads it any more"* ]]
	[[ "$stderr" != *"hint: the peer"* ]]
}

@test "tcp-server relaying with stdout closed: one line, exit 74" {
	spawn srv bash -c 'exec "$1" -4 -b 127.0.0.1 0 >&-' _ "$SERVER"
	wait_for_line "$BATS_TEST_TMPDIR/srv.err" 'listening on'
	PORT=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\).*/\1/p' srv.err)
	echo hello | timeout 5 "$CLIENT" -q 127.0.0.1 "$PORT" || true
	wait_pid "$srv_PID"
	[ "$STATUS" -eq 74 ]
	grep -q 'tcp-server: cannot write to stdout: Bad file descriptor (EBADF): it is closed' srv.err
}

@test "SIGINT and SIGTERM stop the tools with 130 and 143, even in the background" {
	start_server srv "$SERVER" -k --echo 0
	pkill -INT -P "$srv_PID"
	wait_pid "$srv_PID"
	[ "$STATUS" -eq 130 ]
	start_server srv2 "$SERVER" -4 -b 127.0.0.1 0
	SPAWN_STDIN=<(detached sleep 9) spawn cli "$CLIENT" 127.0.0.1 "$PORT"
	wait_for_line "$BATS_TEST_TMPDIR/cli.err" 'connected to'
	pkill -TERM -P "$cli_PID"
	wait_pid "$cli_PID"
	[ "$STATUS" -eq 143 ]
	run -0 "$SERVER" --help
	[[ "$output" == *"130 or 143 stopped by SIGINT or SIGTERM"* ]]
}

@test "EADDRINUSE on a dual-stack listener names the addresses that failed with it" {
	start_server srv "$SERVER" -k --echo 0
	grep -q 'listening on \[::\]:' srv.err
	run -71 --separate-stderr timeout 5 "$SERVER" -v "$PORT"
	[[ "$stderr" == *"tcp-server: cannot bind [::]:$PORT and 0.0.0.0:$PORT: Address already in use (EADDRINUSE)"* ]]
	[[ "$stderr" == *"hint: another socket already holds [::]:$PORT and 0.0.0.0:$PORT"* ]]
	# Only the address in use is named, not the one that failed otherwise.
	run -71 --separate-stderr timeout 5 "$SERVER" -b ::1 "$PORT"
	[[ "$stderr" == *"cannot bind [::1]:$PORT: Address already in use"* ]]
	# An IPv4 holder is named as such.
	start_server srv4 "$SERVER" -k --echo -4 0
	run -71 --separate-stderr timeout 5 "$SERVER" -4 "$PORT"
	[[ "$stderr" == *"cannot bind 0.0.0.0:$PORT: Address already in use"* ]]
}

@test "udp-receiver: a port in use on both wildcards names both" {
	start_server rcv "$(tool udp-receiver)" 0
	grep -q 'listening on \[::\]:' rcv.err
	run -71 --separate-stderr timeout 5 "$(tool udp-receiver)" "$PORT"
	[[ "$stderr" == *"udp-receiver: cannot bind [::]:$PORT and 0.0.0.0:$PORT: Address already in use (EADDRINUSE)"* ]]
}

@test "mini-httpd: a port in use on both wildcards names both" {
	mkdir www
	start_server srv "$SERVER" -k --echo 0
	run -71 --separate-stderr timeout 5 "$(tool mini-httpd)" -p "$PORT" www
	[[ "$stderr" == *"mini-httpd: cannot bind [::]:$PORT and 0.0.0.0:$PORT: Address already in use (EADDRINUSE)"* ]]
	[[ "$stderr" == *"hint: another socket already holds [::]:$PORT and 0.0.0.0:$PORT"* ]]
}
