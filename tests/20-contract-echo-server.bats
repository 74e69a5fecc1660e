#!/usr/bin/env bats
# The echo-server contract: what ANY correct TCP echo server must do.
#
# The server under test is the shell command line in ECHO_SERVER (default:
# our own, `build/tcp-server --echo -k -q`); it is started as
# `$ECHO_SERVER PORT` with a free port chosen here, must serve clients one
# after another until it is stopped, and is driven by our tcp-client and
# tests/contract-peer.c. A learner's server is checked with:
#   scripts/check-exercise echo-server PROG...
#
# Test names start with the exercise they belong to:
#   [echo-server]     lessons/05-accept.md (write an echo server)
#   [reset-survivor]  lessons/09-close.md (survive clients that go away badly)

load helpers
load contract

setup() {
	CLIENT=$(tool tcp-client)
	ECHO_SERVER=${ECHO_SERVER:-"$(printf '%q' "$(tool tcp-server)") --echo -k -q"}
	cd "$BATS_TEST_TMPDIR" || return 1
	SPORT=$(contract_free_port)
	printf 'hello, echo\n' >line.txt
}

# serve NAME: start the server under test on SPORT as NAME; when an earlier
# requirement found that it never listens, fail at once instead of waiting
# again (the budget, contract.bash).
serve() {
	local gave_up=$BATS_FILE_TMPDIR/never-listened
	if [ -e "$gave_up" ]; then
		because "not tried: $(cat "$gave_up")"
		return 1
	fi
	start_program "$1" "$ECHO_SERVER" "$SPORT" 2>"$BATS_TEST_TMPDIR/why" && return 0
	if grep -q 'did not listen\|ended before listening' "$BATS_TEST_TMPDIR/why"; then
		sed 's/^because: //' "$BATS_TEST_TMPDIR/why" >"$gave_up"
	fi
	cat "$BATS_TEST_TMPDIR/why" >&2
	return 1
}

# needs_echo: fail at once when "echoes a line" found that nothing ever
# comes back (the other echo requirements would only wait the same way).
needs_echo() {
	if [ -e "$BATS_FILE_TMPDIR/no-echo" ]; then
		because "not tried: the server echoed nothing at all (see 'echoes a line byte-exact')"
	fi
}

# exchange NAME IN COMMAND...: run COMMAND with IN on stdin (output in
# NAME.out) until it ends, or it has all of IN back and has waited
# GRACE more (default 0.3 s) for the end of the stream, or CONTRACT_REPLY
# seconds pass with no new byte; then it is stopped. ENDED=1 and STATUS
# if it ended by itself.
exchange() {
	local name=$1 in=$2 want size last=-1 changed idle pid grace limit
	shift 2
	grace=$(awk -v g="${GRACE:-0.3}" 'BEGIN { print int(g * 1000) }')
	limit=$(awk -v r="$CONTRACT_REPLY" 'BEGIN { print int(r * 1000) }')
	want=$(wc -c <"$in")
	: >"$name.out"	# there before the client opens it: polled at once
	SPAWN_STDIN=$in spawn "$name" "$@"
	pid=${name}_PID
	pid=${!pid}
	clock_ms
	changed=$NOW_MS
	# Idle time by the wall clock (ms since the output last grew).
	while kill -0 "$pid" 2>/dev/null; do
		size=$(wc -c <"$name.out")
		clock_ms
		if [ "$size" != "$last" ]; then changed=$NOW_MS; fi
		last=$size
		idle=$((NOW_MS - changed))
		if [ "$idle" -ge "$limit" ] ||
			{ [ "$size" -ge "$want" ] && [ "$idle" -ge "$grace" ]; }; then
			break
		fi
		sleep 0.02
	done
	ENDED=1
	if kill -0 "$pid" 2>/dev/null; then
		ENDED=0
		kill -TERM "$pid" 2>/dev/null || true
	fi
	wait_pid "$pid" 2
}

# echo_through NAME IN: send IN through the server with our client, and
# stop waiting once it is all back (see exchange).
echo_through() {
	exchange "$1" "$2" "$CLIENT" -q 127.0.0.1 "$CPORT"
}

# talk NAME IN: the same in the foreground (cheaper than a background
# process), bounded by CONTRACT_REPLY seconds; STATUS 124 if it was cut.
talk() {
	STATUS=0
	timeout -k 1 "$CONTRACT_REPLY" "$CLIENT" -q 127.0.0.1 "$CPORT" <"$2" \
		>"$1.out" 2>"$1.err" 3>&- || STATUS=$?
}

# server_alive WHAT: the server is still running after WHAT; else explain
# how it died and what to change.
server_alive() {
	if ! kill -0 "$srv_PID" 2>/dev/null; then
		wait_pid "$srv_PID" 1
		because "the server ended after $1: $(program_fate srv "$STATUS");" \
			"$(fate_advice srv "$STATUS")"
	fi
}

# served WHAT N FILE: client NAME (FILE.out) got FILE back; explain what
# came instead, and why the server may have stopped serving.
served() {
	local what=$1 name=$2 in=$3
	cmp -s "$in" "$name.out" && return 0
	server_alive "$what" || return 1
	if [ ! -s "$name.out" ]; then
		because "$what: nothing came back within ${CONTRACT_REPLY} s, although" \
			"the server is still running: it is busy with an earlier client" \
			"it never finished (close each connection once recv() returns 0," \
			"then accept the next: lessons/05-accept.md)"
		return 1
	fi
	same_bytes "$in" "$name.out" "$what"
}

# through_relay IMPAIRMENT...: put net-relay, impaired as asked, between
# the clients and the server under test, for the next connections (then it
# exits: -c); RPORT is where a client reaches the server through it.
through_relay() {
	start_server relay "$(tool net-relay)" -4 -b 127.0.0.1 "$@" 0 127.0.0.1 "$SPORT" ||
		because "the grader could not start net-relay $*: $(head -n 1 relay.err)"
	RPORT=$PORT
}

@test "[echo-server] listens on 127.0.0.1 at the port given as its last argument" {
	serve srv
	(exec 9<>"/dev/tcp/127.0.0.1/$CPORT") 2>/dev/null ||
		because "it listens on port $SPORT, but a connection to 127.0.0.1:$SPORT" \
			"was refused"
}

@test "[echo-server] echoes a line byte-exact" {
	serve srv
	echo_through c line.txt
	if [ ! -s c.out ]; then
		server_alive "its first client sent a line" || return 1
		# Nothing back, and no end of stream either: it hangs. Later
		# requirements need an echo: they need not wait again.
		[ "$ENDED" -eq 1 ] || echo "nothing" >"$BATS_FILE_TMPDIR/no-echo"
	fi
	same_bytes line.txt c.out "one line"
}

@test "[echo-server] echoes 1 MiB of binary data byte-exact" {
	needs_echo
	serve srv
	# An odd length, so a server that only echoes whole blocks is caught.
	head -c 1049999 /dev/urandom >in.bin
	echo_through c in.bin
	served "1 MiB of random bytes" c in.bin
}

@test "[echo-server] echoes 8 MiB to a client that reads only after half a second" {
	needs_echo
	serve srv
	# Meanwhile every buffer on the way fills up, and send() takes less
	# than it is given (or nothing, on a non-blocking socket). An odd
	# length again.
	head -c 8392929 /dev/urandom >in.bin
	exchange c in.bin "$(contract_peer)" slow-reader 127.0.0.1 "$CPORT" 500
	served "8 MiB to a client that reads late (a partial send() must be completed, lessons/07-send.md)" c in.bin
}

# hold_open FILE: return once FILE has the echoed line or the test has
# stopped waiting for it (the file gave-up), at most 10 s: as a client's
# stdin, it keeps the client's side open until the test has its answer.
hold_open() {
	local i
	for ((i = 0; i < 200; i++)); do
		if grep -q '^ping$' "$1" 2>/dev/null || [ -e "$BATS_TEST_TMPDIR/gave-up" ]; then
			return 0
		fi
		sleep 0.05
	done
}

# echoed_within SECS: c.out has the echoed line within SECS of wall clock;
# else GOT is what it had then (before the client is let go).
echoed_within() {
	deadline_in "$1"
	while before "$DEADLINE_MS"; do
		grep -q '^ping$' c.out 2>/dev/null && return 0
		sleep 0.05
	done
	GOT=$(preview c.out)
	: >"$BATS_TEST_TMPDIR/gave-up"
	return 1
}

@test "[echo-server] echoes each piece as it arrives, without waiting for the end" {
	needs_echo
	serve srv
	# The client sends one line and keeps its side open until the echo is
	# back or the wait for it is over, however slowly either runs.
	: >c.out
	SPAWN_STDIN=<(detached printf 'ping\n'; detached hold_open "$BATS_TEST_TMPDIR/c.out") \
		spawn c "$CLIENT" -q 127.0.0.1 "$CPORT"
	echoed_within "$CONTRACT_WAIT" ||
		because "sent 'ping\\n' and waited ${CONTRACT_WAIT} s with the connection open," \
			"but got [$GOT] back: echo what recv() returns at once, do" \
			"not wait for the client to finish (lessons/08-recv.md)"
}

@test "[echo-server] echoes every byte when the network hands them over one at a time (net-relay --segment 1)" {
	needs_echo
	serve srv
	# Each byte its own TCP segment, 1 ms apart: a recv() gets one byte, or
	# a few, never a whole line. Lines (a blank one, one of blanks), UTF-8,
	# and every byte value from 0 to 255.
	through_relay -c 1 --segment 1 --rate 1000
	local i oct all='' why
	for ((i = 0; i < 256; i++)); do
		printf -v oct '\\%03o' "$i"
		all+=$oct
	done
	{
		printf 'hello, echo\n\n  \n\tindented\nna\303\257ve caf\303\251 \342\234\223\n'
		printf "$all"
		printf '\nthe end\n'
	} >bytes.bin
	exchange c bytes.bin "$CLIENT" -q 127.0.0.1 "$RPORT"
	cmp -s bytes.bin c.out && return 0
	server_alive "its client's bytes came through net-relay --segment 1, one per segment" || return 1
	why=$(same_bytes bytes.bin c.out "through net-relay --segment 1 --rate 1000 (every byte its own TCP segment, 1 ms apart, as a slow link hands them over)" 2>&1 | sed 's/^because: //')
	because "$why. TCP keeps no message boundaries: one recv() may return" \
		"a single byte, even of a line or of a character; echo exactly the" \
		"bytes each recv() returned, whatever they are, and stop only when" \
		"it returns 0 (lessons/08-recv.md)"
}

@test "[echo-server] closes the connection in order once the client has half-closed" {
	serve srv
	echo_through c line.txt
	if [ "$ENDED" -eq 0 ]; then
		because "the client sent its data, half-closed (shutdown SHUT_WR)" \
			"and waited ${CONTRACT_REPLY} s, but the server never closed the connection:" \
			"when recv() returns 0 the client has finished; close() then" \
			"(lessons/08-recv.md, lessons/09-close.md)"
	fi
	case $STATUS in
	0) ;;
	74) because "the connection was reset instead of closed in order:" \
		"$(grep -m1 'failed' c.err) (lessons/09-close.md)" ;;
	*) because "our client failed with status $STATUS: $(head -n 1 c.err)" ;;
	esac
}

@test "[echo-server] serves 10 clients one after another, and keeps no descriptor of theirs" {
	needs_echo
	serve srv
	local i base now
	for i in $(seq 1 11); do
		printf 'client %d\n' "$i" >"in$i.txt"
		talk "c$i" "in$i.txt"
		if [ "$i" -eq 2 ] && ! kill -0 "$srv_PID" 2>/dev/null; then
			wait_pid "$srv_PID" 1
			if [ "$STATUS" -eq 0 ]; then
				because "the server exited (status 0) after its first client:" \
					"accept the next connection in a loop (lessons/05-accept.md)"
				return 1
			fi
		fi
		served "client $i" "c$i" "in$i.txt" || return 1
		[ "$STATUS" -ne 124 ] ||
			because "client $i got its echo, but the server did not close the" \
				"connection within ${CONTRACT_REPLY} s of its half-close: close() once recv()" \
				"returns 0, and the next client is not kept waiting (lessons/09-close.md)"
		[ "$i" -gt 1 ] || base=$(program_fds "$srv_PID")
	done
	now=$(settled_fds "$srv_PID" "$base")
	[ "$now" -lt $((base + 5)) ] ||
		because "after 10 more clients, one after another, the server holds" \
			"$now descriptors, $base before them: it keeps one per client." \
			"close() each connection when you are done with it, or it runs" \
			"out of descriptors (EMFILE) after about a thousand (lessons/09-close.md)"
}

@test "[echo-server] can be restarted at once on its port, after being stopped while serving (SO_REUSEADDR)" {
	needs_echo
	serve srv
	# A client is being served when the server stops: the server's side
	# closes first, and its TIME_WAIT then holds the port for a minute.
	SPAWN_STDIN=<(detached printf 'x\n'; detached sleep "$CONTRACT_REPLY") \
		spawn stay "$CLIENT" -q 127.0.0.1 "$CPORT"
	wait_for_line stay.out '^x$' "$CONTRACT_WAIT" 2>/dev/null || {
		server_alive "a client connected"
		because "a client sent 'x\\n' and got [$(preview stay.out)] back"
		return 1
	}
	# shellcheck disable=SC2046 # one pid per word
	kill -TERM $(program_pids "$srv_PID") 2>/dev/null || true
	end_within "$srv_PID" "$CONTRACT_WAIT"
	end_within "$stay_PID" 0
	if ! start_program srv2 "$ECHO_SERVER" "$SPORT" 2>"$BATS_TEST_TMPDIR/why"; then
		because "stopped while it served a client, then started again on port" \
			"$SPORT: $(sed 's/^because: //' "$BATS_TEST_TMPDIR/why" | sed "s/.*before listening on port $SPORT: //")." \
			"Its old connection's TIME_WAIT holds the port: set SO_REUSEADDR" \
			"before bind(), so that a restart may bind through it (lessons/02-setsockopt.md)"
		return 1
	fi
	srv_PID=$srv2_PID
	echo_through c line.txt
	served "a client of the restarted server" c line.txt
}

@test "[reset-survivor] survives 20 clients that reset the connection (SO_LINGER 0), and keeps no descriptor of theirs" {
	needs_echo
	serve srv
	local i base now
	head -c 8192 /dev/urandom >burst.bin
	echo_through c0 line.txt
	served "client 1" c0 line.txt || return 1
	base=$(program_fds "$srv_PID")
	for i in $(seq 1 20); do
		# Sends 8 KiB, then closes with SO_LINGER 0: an RST, not a FIN.
		timeout "$CONTRACT_REPLY" "$CLIENT" -q --reset 127.0.0.1 "$CPORT" <burst.bin 2>/dev/null || true
		if [ $((i % 5)) -eq 0 ]; then
			server_alive "$i clients had reset their connections" || return 1
			echo_through "after$i" line.txt
			served "a client after $i resets" "after$i" line.txt || return 1
		fi
	done
	now=$(settled_fds "$srv_PID" "$base")
	[ "$now" -lt $((base + 10)) ] ||
		because "after 20 clients reset their connections, the server holds" \
			"$now descriptors, $base before them: it keeps one per reset." \
			"When recv() or send() fails, close() that connection too" \
			"(lessons/09-close.md)"
}

@test "[reset-survivor] survives clients that half-close and leave without reading the echo (EPIPE, SIGPIPE)" {
	needs_echo
	serve srv
	local i peer
	peer=$(contract_peer)
	# Such a client's FIN reaches the server before its RST, so the
	# server's next send() fails with EPIPE (and raises SIGPIPE), not
	# ECONNRESET. First while the server is busy with another client (it
	# meets the departed one when it accepts it), then while it is free.
	SPAWN_STDIN=<(detached sleep 0.5) spawn busy "$CLIENT" -q 127.0.0.1 "$CPORT"
	deadline_in 1
	while before "$DEADLINE_MS"; do
		[ -z "$(ss -Htn state established "( dport = :$SPORT )" 2>/dev/null)" ] || break
		sleep 0.02
	done
	timeout 5 "$peer" leave-queued 127.0.0.1 "$CPORT" 2>peer0.err || true
	end_within "$busy_PID" 1
	sleep 0.2
	server_alive "a client sent data, half-closed and left without reading the echo while another was being served ($(sed 's/^contract-peer: //' peer0.err))" || return 1
	echo_through after0 line.txt
	served "a client after that one" after0 line.txt || return 1
	for i in 1 2; do
		timeout 5 "$peer" leave-unread 127.0.0.1 "$CPORT" 2>"peer$i.err" || true
		sleep 0.1
		server_alive "client $i sent data, half-closed and left without reading the echo ($(sed 's/^contract-peer: //' "peer$i.err"))" || return 1
	done
	echo_through after line.txt
	served "a client after those" after line.txt
}

@test "[reset-survivor] survives resets in the middle of a 1 MiB echo (net-relay --reset-after), and keeps no descriptor of them" {
	needs_echo
	serve srv
	local i base now what
	echo_through c0 line.txt
	served "client 1" c0 line.txt || return 1
	base=$(program_fds "$srv_PID")
	# 256 KiB into each 1 MiB echo, net-relay resets both connections: an
	# RST reaches the server while it is sending and receiving, as when a
	# client's host crashes or a firewall cuts the connection.
	through_relay -c 5 --reset-after 262144
	what="net-relay --reset-after 262144 reset a client's connection 256 KiB into its 1 MiB echo"
	head -c 1048576 /dev/urandom >big.bin
	for i in 1 2 3 4 5; do
		timeout "$CONTRACT_REPLY" "$CLIENT" -q 127.0.0.1 "$RPORT" <big.bin >/dev/null 2>&1 || true
		server_alive "$what ($i of 5)" || return 1
	done
	echo_through after line.txt
	served "5 connections reset by net-relay --reset-after 262144 (256 KiB into each 1 MiB echo), and a new client" after line.txt || return 1
	now=$(settled_fds "$srv_PID" "$base")
	[ "$now" -lt $((base + 3)) ] ||
		because "after $what, 5 times, the server holds $now descriptors," \
			"$base before: when recv() or send() fails, close() that" \
			"connection too (lessons/09-close.md)"
}
