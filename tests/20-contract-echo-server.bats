#!/usr/bin/env bats
# The echo-server contract: what ANY correct TCP echo server must do.
#
# The server under test is the shell command line in ECHO_SERVER (default:
# our own, `build/tcp-server --echo -k -q`); it is started as
# `$ECHO_SERVER PORT` with a free port chosen here, must serve clients one
# after another until it is stopped, and is driven by our tcp-client. A
# learner's server is checked with: scripts/check-exercise echo-server PROG...
#
# Test names start with the exercise they belong to:
#   [echo-server]     lessons/05-accept.md (write an echo server)
#   [reset-survivor]  lessons/09-close.md (survive a client's reset)

load helpers
load contract

setup() {
	CLIENT=$(tool tcp-client)
	ECHO_SERVER=${ECHO_SERVER:-"$(printf '%q' "$(tool tcp-server)") --echo -k -q"}
	cd "$BATS_TEST_TMPDIR" || return 1
	SPORT=$(contract_free_port)
}

# echo_through NAME IN [CLIENT_ARGS...]: send file IN through the server
# with our client (idle timeout 4 s); output in NAME.out, status in STATUS.
echo_through() {
	local name=$1 in=$2
	shift 2
	STATUS=0
	timeout "$T" "$CLIENT" -q -w 4 "$@" 127.0.0.1 "$SPORT" <"$in" \
		>"$name.out" 2>"$name.err" || STATUS=$?
}

@test "[echo-server] listens on the port given as its last argument" {
	start_program srv "$ECHO_SERVER" "$SPORT"
}

@test "[echo-server] echoes a line byte-exact" {
	start_program srv "$ECHO_SERVER" "$SPORT"
	printf 'hello, echo\n' >line.txt
	echo_through c line.txt
	same_bytes line.txt c.out "one line"
}

@test "[echo-server] echoes 1 MiB of binary data byte-exact" {
	start_program srv "$ECHO_SERVER" "$SPORT"
	# An odd length, so a server that only echoes whole blocks is caught.
	head -c 1049999 /dev/urandom >in.bin
	echo_through c in.bin
	same_bytes in.bin c.out "1 MiB of random bytes"
}

@test "[echo-server] echoes each piece as it arrives, without waiting for the end" {
	start_program srv "$ECHO_SERVER" "$SPORT"
	# The client sends one line and keeps its side open until the echo is back.
	SPAWN_STDIN=<(detached printf 'ping\n'; detached wait_for_line "$BATS_TEST_TMPDIR/c.out" '^ping$' 5) \
		spawn c "$CLIENT" -q 127.0.0.1 "$SPORT"
	wait_for_line c.out '^ping$' 5 2>/dev/null ||
		because "sent 'ping\\n' and waited 5 s with the connection open, but" \
			"nothing came back: echo what recv() returns at once, do not wait" \
			"for the client to finish (lessons/08-recv.md)"
}

@test "[echo-server] closes the connection in order once the client has half-closed" {
	start_program srv "$ECHO_SERVER" "$SPORT"
	printf 'last words\n' >line.txt
	echo_through c line.txt
	case $STATUS in
	0) ;;
	75) because "the client sent its data, half-closed (shutdown SHUT_WR)" \
		"and waited 4 s, but the server never closed the connection: when" \
		"recv() returns 0 the client has finished; close() then" \
		"(lessons/08-recv.md, lessons/09-close.md)" ;;
	74) because "the connection was reset instead of closed in order:" \
		"$(tail -n 2 c.err | head -n 1) (lessons/09-close.md)" ;;
	*) because "the client failed with status $STATUS: $(head -n 1 c.err)" ;;
	esac
}

@test "[echo-server] serves several clients one after another" {
	start_program srv "$ECHO_SERVER" "$SPORT"
	local i
	for i in 1 2 3; do
		printf 'client %d\n' "$i" >"in$i.txt"
		echo_through "c$i" "in$i.txt"
		if ! cmp -s "in$i.txt" "c$i.out"; then
			if [ "$i" -gt 1 ] && ! kill -0 "$srv_PID" 2>/dev/null; then
				because "client $i: the server exited after $((i - 1))" \
					"client(s); accept the next connection in a loop" \
					"(lessons/05-accept.md)"
			fi
			same_bytes "in$i.txt" "c$i.out" "client $i"
		fi
	done
}

@test "[reset-survivor] survives clients that reset the connection (SO_LINGER 0)" {
	start_program srv "$ECHO_SERVER" "$SPORT"
	local i
	head -c 8192 /dev/urandom >burst.bin
	printf 'still there?\n' >line.txt
	for i in 1 2 3; do
		# Sends 8 KiB, then closes with SO_LINGER 0: an RST, not a FIN.
		timeout "$T" "$CLIENT" -q --reset 127.0.0.1 "$SPORT" <burst.bin 2>/dev/null || true
		echo_through "after$i" line.txt
		if ! kill -0 "$srv_PID" 2>/dev/null; then
			wait_pid "$srv_PID"
			because "the server exited (status $STATUS) after client $i" \
				"reset its connection: a recv() or send() that fails with" \
				"ECONNRESET (or EPIPE) ends that one connection; close it" \
				"and accept the next (lessons/08-recv.md, lessons/09-close.md)"
		fi
		same_bytes line.txt "after$i.out" "a client after reset number $i"
	done
}
