#!/usr/bin/env bats
# udp-sender and udp-receiver: datagrams over loopback.

load helpers

setup() {
	SENDER=$(tool udp-sender)
	RECEIVER=$(tool udp-receiver)
	cd "$BATS_TEST_TMPDIR" || return 1
}

have_ipv6() {
	ip -6 addr show dev lo 2>/dev/null | grep -q '::1'
}

# count_lines REGEX FILE: how many lines of FILE match REGEX.
count_lines() {
	grep -Ec -- "$1" "$2" || true
}

# a free UDP port: bind one on 0, note the port, let it go.
free_port() {
	start_server hold "$RECEIVER" -c 1 0
	local port=$PORT
	echo x | timeout "$T" "$SENDER" -q 127.0.0.1 "$port"
	wait_pid "$hold_PID"
	PORT=$port
}

# --- boundaries --------------------------------------------------------

@test "boundaries: N datagrams of various sizes arrive as exactly N payloads of those sizes" {
	start_server rcv "$RECEIVER" --show -c 6 0
	local size
	for size in 1 7 100 1400 9000 65507; do
		timeout "$T" "$SENDER" -q --count 1 --size "$size" 127.0.0.1 "$PORT"
	done
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 0 ]
	[ "$(wc -l <rcv.out)" -eq 6 ]
	[ "$(sed -n 's/^127\.0\.0\.1:[0-9]* \([0-9]*\) bytes\{0,1\} .*/\1/p' rcv.out | tr '\n' ' ')" = "1 7 100 1400 9000 65507 " ]
}

@test "boundaries: two lines written at once are two sendto and two recvfrom (--one-by-one)" {
	start_server rcv "$RECEIVER" -v --one-by-one -c 2 0
	run -0 --separate-stderr timeout "$T" "$SENDER" -v 127.0.0.1 "$PORT" < <(printf 'one\ntwo\n')
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 0 ]
	[ "$(grep -c '\[7 send\] sendto(fd=[0-9]*, 4, 127.0.0.1:' <<<"$stderr")" -eq 2 ]
	[ "$(count_lines '\[8 recv\] recvfrom\(fd=[0-9]+, 65536\) = 4, from 127\.0\.0\.1:' rcv.err)" -eq 2 ]
	[ "$(cat rcv.out)" = "$(printf 'one\ntwo')" ]
}

@test "each stdin line is one datagram, newline included: the receiver rebuilds the input" {
	printf 'alpha\n\nbeta gamma\nlast line without newline' >in.txt
	start_server rcv "$RECEIVER" --show -c 4 0
	SPAWN_STDIN=in.txt spawn snd "$SENDER" 127.0.0.1 "$PORT"
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 0 ]
	[ "$(sed -n 's/^[^ ]* //p' rcv.out)" = "$(printf '%s\n' '6 bytes "alpha\n"' \
		'1 byte "\n"' '11 bytes "beta gamma\n"' '25 bytes "last line without newline"')" ]
	wait_pid "$snd_PID"
	grep -q 'sent 4 datagrams, 43 bytes' snd.err
	# Without --show the payloads go out exactly as they came.
	start_server raw "$RECEIVER" -c 4 0
	timeout "$T" "$SENDER" -q 127.0.0.1 "$PORT" <in.txt
	wait_pid "$raw_PID"
	cmp in.txt raw.out
}

@test "an empty datagram is a datagram: recvfrom returns 0, which is not end-of-file" {
	start_server rcv "$RECEIVER" -v --one-by-one --show -c 2 0
	run -0 timeout "$T" "$SENDER" -q --count 2 --size 0 127.0.0.1 "$PORT"
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 0 ]
	[ "$(count_lines ' 0 bytes ""$' rcv.out)" -eq 2 ]
	grep -Eq 'recvfrom\(fd=[0-9]+, 65536\) = 0, from 127\.0\.0\.1:' rcv.err
}

@test "generated datagrams are batched without -v, and no byte received is lost on stdout" {
	start_server rcv "$RECEIVER" -c 300 --rcvbuf 1048576 0
	run -0 timeout "$T" "$SENDER" -q --count 300 --size 100 --rate 5000 127.0.0.1 "$PORT"
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 0 ]
	[ "$(wc -c <rcv.out)" -eq 30000 ]
	[ "$(grep -c '^\.*$' rcv.out)" -eq 300 ]
}

@test "a receiver that cannot write its stdout stops with exit 74" {
	# /dev/full: every write fails with ENOSPC
	spawn rcv sh -c "exec \"$RECEIVER\" -c 1 0 >/dev/full"
	wait_for_line rcv.err 'listening on'
	local port
	port=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' rcv.err)
	echo hi | timeout "$T" "$SENDER" -q 127.0.0.1 "$port"
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 74 ]
	grep -q 'cannot write to stdout: .* (ENOSPC)' rcv.err
}

# --- the receiver's flags ----------------------------------------------

@test "-v narrates the receiver's steps: socket, setsockopt, bind, recv, close; no listen, no accept" {
	start_server rcv "$RECEIVER" -v -c 1 0
	echo hi | timeout "$T" "$SENDER" -q 127.0.0.1 "$PORT"
	wait_pid "$rcv_PID"
	in_order "socket setsockopt bind recv close" "$(steps rcv.err)"
	! grep -Eq '\[(4 listen|5 accept)\]' rcv.err
	grep -Eq '^udp-receiver: \[3 bind\] bind\(fd=[0-9]+, \[::\]:0\) = 0$' rcv.err
	grep -Eq "^udp-receiver: listening on \[::\]:$PORT$" rcv.err
}

@test "-b 127.0.0.1 binds one address; port 0 reports the port the kernel chose" {
	start_server rcv "$RECEIVER" -b 127.0.0.1 -c 1 0
	[ "$PORT" -gt 0 ]
	grep -q "listening on 127.0.0.1:$PORT" rcv.err
	echo hi | timeout "$T" "$SENDER" -q 127.0.0.1 "$PORT"
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 0 ]
	[ "$(cat rcv.out)" = "hi" ]
}

@test "-c N stops after N datagrams; the rest are not read" {
	start_server rcv "$RECEIVER" -c 2 0
	run -0 timeout "$T" "$SENDER" -q 127.0.0.1 "$PORT" < <(printf '1\n2\n3\n')
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 0 ]
	[ "$(cat rcv.out)" = "$(printf '1\n2')" ]
}

@test "-w stops after that long without traffic: exit 0 after data, 75 when nothing came" {
	run -75 --separate-stderr timeout "$T" "$RECEIVER" -w 0.3 0
	[[ "$stderr" == *"no datagram for 0.300 s: stopping"* ]]
	# (long enough for a sender started under valgrind to reach it)
	start_server rcv "$RECEIVER" -v -w 2 0
	grep -q 'SO_RCVTIMEO, 2.000s) = 0' rcv.err
	echo hi | timeout "$T" "$SENDER" -q 127.0.0.1 "$PORT"
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 0 ]
	[ "$(cat rcv.out)" = "hi" ]
}

@test "-vv previews each payload, escaped" {
	start_server rcv "$RECEIVER" -vv -c 1 0
	printf 'a\tb\001\n' | timeout "$T" "$SENDER" -q 127.0.0.1 "$PORT"
	wait_pid "$rcv_PID"
	grep -qF '    "a\tb\x01\n"' rcv.err
}

@test "--rcvbuf is narrated with the size the kernel granted" {
	start_server rcv "$RECEIVER" -v --rcvbuf 4096 -c 1 0
	grep -Eq 'setsockopt\(fd=[0-9]+, SOL_SOCKET, SO_RCVBUF, 4096\) = 0' rcv.err
	grep -Eq 'getsockopt\(fd=[0-9]+, SOL_SOCKET, SO_RCVBUF\) = 0, value [0-9]+' rcv.err
}

# --- --stats --------------------------------------------------------------

@test "--stats on a clean run: every numbered datagram counted, 0 lost" {
	start_server rcv "$RECEIVER" --stats -w 1 --rcvbuf 1048576 0
	run -0 timeout "$T" "$SENDER" -q --count 500 --seq --rate 5000 127.0.0.1 "$PORT"
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 0 ]
	grep -q '^received 500, lost 0 (0.00%), duplicated 0, reordered 0, unnumbered 0 (numbered up to 500)$' rcv.out
	grep -Eq '^500 datagrams, 32000 bytes in [0-9.]+ s \(first to last\): [0-9]+ datagrams/s' rcv.out
}

@test "--stats with a tiny receive buffer and a fast sender: loss > 0, counted, no crash" {
	start_server rcv "$RECEIVER" --stats -w 1 --rcvbuf 1 0
	run -0 timeout "$T" "$SENDER" -q --count 20000 --size 1000 --seq 127.0.0.1 "$PORT"
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 0 ]
	local got lost
	got=$(sed -n 's/^received \([0-9]*\), lost.*/\1/p' rcv.out)
	lost=$(sed -n 's/^received [0-9]*, lost \([0-9]*\) .*/\1/p' rcv.out)
	echo "received $got, lost $lost"
	[ "$lost" -gt 0 ]
	[ $((got + lost)) -eq 20000 ]
	grep -q 'duplicated 0, reordered 0, unnumbered 0 (numbered up to 20000)' rcv.out
}

@test "--stats counts duplicates, reordering and unnumbered datagrams (typed by hand)" {
	start_server rcv "$RECEIVER" --stats -c 5 0
	run -0 timeout "$T" "$SENDER" -q 127.0.0.1 "$PORT" < <(printf '2/4 b\n1/4 a\n2/4 b again\nhello\n4/4 d\n')
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 0 ]
	grep -q '^received 5, lost 1 (25.00%), duplicated 1, reordered 1, unnumbered 1 (numbered up to 4)$' rcv.out
}

# received FILE: how many datagrams the -v narration in FILE says came:
# one per recvfrom, N per "recvmmsg(fd=3, 64 slots) = N".
received() {
	sed -n -e 's/.*\[8 recv\] recvmmsg(fd=[0-9]*, [0-9]* slots) = \([0-9][0-9]*\).*/\1/p' \
		-e 's/.*\[8 recv\] recvfrom(fd=[0-9]*, [0-9]*) = [0-9].*/1/p' "$1" |
		awk '{ n += $1 } END { print n + 0 }'
}

@test "--stats reports on Ctrl-C (SIGINT) too, then dies of the signal (130)" {
	start_server rcv "$RECEIVER" -v --stats 0
	run -0 timeout "$T" "$SENDER" -q --count 3 --seq 127.0.0.1 "$PORT"
	local i
	for ((i = 0; i < 200 && $(received rcv.err) < 3; i++)); do sleep 0.05; done
	kill -INT "$rcv_PID"
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 130 ]
	grep -q 'interrupted: stopping' rcv.err
	grep -q '^received 3, lost 0 (0.00%), duplicated 0, reordered 0' rcv.out
}

# --- batches: the same calls at every verbosity -----------------------------

@test "--count: the first datagram goes by sendto, the rest by sendmmsg, narrated as batches" {
	start_server rcv "$RECEIVER" -v -c 130 --rcvbuf 1048576 0
	run -0 --separate-stderr timeout "$T" "$SENDER" -v --count 130 --size 10 127.0.0.1 "$PORT"
	# 1 alone (it binds the socket), then 64 + 64 by sendmmsg, and the
	# last one alone again: a single datagram is a sendto
	[ "$(grep -c "\[7 send\] sendmmsg(fd=[0-9]*, 64 datagrams, 640 bytes) = 64, to 127\.0\.0\.1:$PORT\$" <<<"$stderr")" -eq 2 ]
	[ "$(grep -c '\[7 send\] sendto(' <<<"$stderr")" -eq 2 ]
	[[ "$stderr" == *"sent 130 datagrams, 1300 bytes"* ]]
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 0 ]
	# the receiver took them in batches: recvmmsg, 64 slots at most
	grep -Eq '\[8 recv\] recvmmsg\(fd=[0-9]+, 64 slots\) = [0-9]+' rcv.err
	! grep -Eq 'recvmmsg\(fd=[0-9]+, ([7-9][0-9]|[1-9][0-9]{2,}) slots' rcv.err
	[ "$(wc -c <rcv.out)" -eq 1300 ]
}

@test "a short batch names the sender of each datagram; -vv previews each payload" {
	start_server rcv "$RECEIVER" -vv --one-by-one -c 3 0
	run -0 --separate-stderr timeout "$T" "$SENDER" -vv --count 3 --size 4 127.0.0.1 "$PORT"
	# datagrams 2 and 3 are one sendmmsg; -vv shows each of them
	[[ "$stderr" =~ \[7\ send\]\ sendmmsg\(fd=[0-9]+,\ 2\ datagrams,\ 8\ bytes\)\ =\ 2,\ to\ 127\.0\.0\.1:$PORT ]]
	[ "$(grep -c '^udp-sender:     "\.\.\.\\n"$' <<<"$stderr")" -eq 3 ]
	wait_pid "$rcv_PID"
	[ "$(grep -c 'recvfrom(fd=[0-9]*, 65536) = 4, from 127\.0\.0\.1:' rcv.err)" -eq 3 ]
	# a receiver that takes batches names each sender of a short one
	start_server rcv2 "$RECEIVER" -v -c 3 0
	run -0 timeout "$T" "$SENDER" -q --count 3 --size 4 127.0.0.1 "$PORT"
	wait_pid "$rcv2_PID"
	[ "$(received rcv2.err)" -eq 3 ]
	grep -Eq '\[8 recv\] recvmmsg\(fd=[0-9]+, 3 slots\) = [0-9]: 4 bytes from 127\.0\.0\.1:[0-9]+' rcv2.err
}

@test "--one-by-one: one sendto per generated datagram, one recvfrom per datagram received" {
	start_server rcv "$RECEIVER" -v --one-by-one -c 5 0
	run -0 --separate-stderr timeout "$T" "$SENDER" -v --one-by-one --count 5 127.0.0.1 "$PORT"
	[ "$(grep -c '\[7 send\] sendto(fd=[0-9]*, 64, 127\.0\.0\.1:' <<<"$stderr")" -eq 5 ]
	[[ "$stderr" != *"sendmmsg"* ]]
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 0 ]
	[ "$(grep -c '\[8 recv\] recvfrom(fd=[0-9]*, 65536) = 64, from' rcv.err)" -eq 5 ]
	! grep -q recvmmsg rcv.err
	run -64 timeout "$T" "$SENDER" --one-by-one 127.0.0.1 9
	[[ "$output" == *"--one-by-one is for --count"* ]]
}

@test "--reply sends a batch back with sendmmsg, each datagram to its own sender" {
	start_server rcv "$RECEIVER" -v --reply -c 6 --rcvbuf 1048576 0
	# two senders at once: their datagrams can share a batch
	local a b
	a=$(timeout "$T" "$SENDER" -q --count 3 --size 10 127.0.0.1 "$PORT" 2>&1; echo "exit $?")
	b=$(timeout "$T" "$SENDER" -q --count 3 --size 10 127.0.0.1 "$PORT" 2>&1; echo "exit $?")
	[ "$a" = "exit 0" ] && [ "$b" = "exit 0" ]
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 0 ]
	# each recv of n datagrams is answered by one call for n: sendto for
	# one, sendmmsg for more, every datagram back to where it came from
	local got sent
	got=$(received rcv.err)
	sent=$(grep -oE '(sendto\(fd=[0-9]+, 10, 127\.0\.0\.1:[0-9]+\) = 10|sendmmsg\(fd=[0-9]+, [0-9]+ datagrams)' rcv.err |
		sed -E 's/.*sendto.*/1/; s/.*, ([0-9]+) datagrams/\1/' | awk '{ n += $1 } END { print n + 0 }')
	[ "$got" -eq 6 ] && [ "$sent" -eq 6 ]
}

# --- --reply and --ping ---------------------------------------------------

@test "--reply and --ping: round trips on 127.0.0.1 with RTTs and min/avg/max" {
	start_server rcv "$RECEIVER" --reply 0
	run -0 --separate-stderr timeout "$T" "$SENDER" --ping --count 3 127.0.0.1 "$PORT"
	[ "$(grep -Ec "^64 bytes from 127\.0\.0\.1:$PORT: seq=[123] time=[0-9]+\.[0-9]{3} ms$" <<<"$output")" -eq 3 ]
	[[ "$output" == *"--- 127.0.0.1:$PORT udp ping: 3 sent, 3 received, 0.0% lost"* ]]
	[[ "$output" =~ rtt\ min/avg/max\ =\ [0-9.]+/[0-9.]+/[0-9.]+\ ms ]]
	# the receiver wrote what it echoed: three numbered datagrams
	[ "$(grep -c '^[0-9]/3 \.*$' rcv.out)" -eq 3 ]
}

@test "--reply and --ping over ::1, with stdin lines as the pings" {
	have_ipv6 || skip "no IPv6 loopback on this machine"
	start_server rcv "$RECEIVER" --reply 0
	run -0 --separate-stderr timeout "$T" "$SENDER" --ping ::1 "$PORT" < <(printf 'one\ntwo\n')
	[[ "$output" == *"4 bytes from [::1]:$PORT: seq=1 time="* ]]
	[[ "$output" == *"4 bytes from [::1]:$PORT: seq=2 time="* ]]
	[[ "$output" == *"2 sent, 2 received, 0.0% lost"* ]]
}

@test "--ping with nobody replying: each times out after -w, exit 75" {
	start_server rcv "$RECEIVER" 0
	run -75 --separate-stderr timeout "$T" "$SENDER" --ping -w 0.2 --count 2 127.0.0.1 "$PORT"
	[[ "$output" == *"no reply from 127.0.0.1:$PORT: seq=1 (waited 0.200 s)"* ]]
	[[ "$output" == *"2 sent, 0 received, 100.0% lost"* ]]
	[[ "$output" != *"rtt"* ]]
}

@test "--ping stopped by Ctrl-C: the report is still printed, then it dies of SIGINT (130)" {
	start_server rcv "$RECEIVER" 0	# no --reply: the ping waits for -w
	spawn snd "$SENDER" -v --ping -w 3 --count 5 127.0.0.1 "$PORT"
	wait_for_line snd.err '\[7 send\] sendto'
	kill -INT "$snd_PID"
	wait_pid "$snd_PID"
	[ "$STATUS" -eq 130 ]
	grep -qx -- "--- 127.0.0.1:$PORT udp ping: 1 sent, 0 received, 100.0% lost" snd.out
	grep -q 'sent 1 datagram, 64 bytes' snd.err
}

# --- standard descriptors: closed, full, or read by nobody (issue 11) ------

@test "udp-sender with stdin closed (<&-): the end of input at once, exit 0" {
	start_server rcv "$RECEIVER" -w 0.5 0
	# (before cli_init, the socket took descriptor 0 and the sender read it)
	run -0 --separate-stderr timeout 5 bash -c 'exec "$0" 127.0.0.1 "$1" <&-' "$SENDER" "$PORT"
	[ "$stderr" = "udp-sender: sent 0 datagrams, 0 bytes" ]
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 75 ]
}

@test "udp-receiver with stdout closed (>&-): one line, exit 74; the payload never reaches a socket" {
	start_server rcv bash -c 'exec "$0" -c 1 0 >&-' "$RECEIVER"
	echo hi | timeout "$T" "$SENDER" -q 127.0.0.1 "$PORT"
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 74 ]
	[ "$(grep -v 'listening on' rcv.err)" = "udp-receiver: cannot write to stdout: Bad file descriptor (EBADF): it is closed" ]
}

@test "udp-receiver --stats >/dev/full: the report that cannot be written is said in one line, exit 74" {
	start_server rcv bash -c 'exec "$0" --stats -c 2 0 >/dev/full' "$RECEIVER"
	timeout "$T" "$SENDER" -q --count 2 --seq 127.0.0.1 "$PORT"
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 74 ]
	[ "$(grep -v 'listening on' rcv.err | grep -Ec '^udp-receiver: cannot write to stdout: .* \(ENOSPC\)$')" -eq 1 ]
}

@test "udp-sender --ping with stdout closed (>&-): one line, exit 74" {
	start_server rcv "$RECEIVER" --reply 0
	run -74 --separate-stderr timeout "$T" bash -c 'exec "$0" -q --ping --count 2 127.0.0.1 "$1" >&-' "$SENDER" "$PORT"
	[ "$stderr" = "udp-sender: cannot write to stdout: Bad file descriptor (EBADF): it is closed" ]
}

@test "udp-receiver | head -1: a reader that left is 'nobody reads stdout', exit 74, not the sender's fault" {
	spawn rcv bash -c '"$0" -b 127.0.0.1 0 | head -n 1; echo "receiver exit ${PIPESTATUS[0]}" >&2' "$RECEIVER"
	wait_for_line rcv.err 'listening on'
	local port i
	port=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' rcv.err)
	# one line at a time until the receiver meets the closed pipe
	for ((i = 0; i < 100; i++)); do
		echo "line $i" | timeout "$T" "$SENDER" -q 127.0.0.1 "$port"
		! grep -q 'receiver exit' rcv.err || break
		sleep 0.05
	done
	wait_pid "$rcv_PID"
	[ "$(cat rcv.out)" = "line 0" ]
	grep -qx 'udp-receiver: cannot write to stdout: Broken pipe (EPIPE): nobody reads it any more' rcv.err
	grep -qx 'receiver exit 74' rcv.err
}

# --- the sender's flags ---------------------------------------------------

@test "the kernel picks the sender's ephemeral port at the first sendto (getsockname after it)" {
	start_server rcv "$RECEIVER" -c 1 0
	run -0 --separate-stderr timeout "$T" "$SENDER" -v 127.0.0.1 "$PORT" <<<"hi"
	! [[ "$stderr" == *"[3 bind]"* ]]
	in_order "sendto getsockname" "$(sed -n -e 's/.*\] \(sendto\)(.*/\1/p' -e 's/.*\[\(getsockname\)\].*/\1/p' <<<"$stderr")"
	[[ "$stderr" =~ \[getsockname\]\ getsockname\(fd=[0-9]+\)\ =\ 0\.0\.0\.0:([1-9][0-9]*) ]]
	local port=${BASH_REMATCH[1]}
	[[ "$stderr" == *"sending to 127.0.0.1:$PORT from 0.0.0.0:$port (the kernel chose that port at the first sendto)"* ]]
	wait_pid "$rcv_PID"
}

@test "-s and -p bind the sender first; the receiver sees that port" {
	start_server rcv "$RECEIVER" --show -c 1 0
	local rport=$PORT
	free_port
	run -0 --separate-stderr timeout "$T" "$SENDER" -v -s 127.0.0.1 -p "$PORT" 127.0.0.1 "$rport" <<<"hi"
	[[ "$stderr" =~ \[3\ bind\]\ bind\(fd=[0-9]+,\ 127\.0\.0\.1:$PORT\)\ =\ 0 ]]
	[[ "$stderr" != *"the kernel chose"* ]]
	wait_pid "$rcv_PID"
	grep -q "^127.0.0.1:$PORT 3 bytes" rcv.out
}

@test "--connect: connect sends nothing; a later send to a closed port fails with the ECONNREFUSED explanation, exit 69" {
	free_port
	run -69 --separate-stderr timeout "$T" "$SENDER" -v --connect 127.0.0.1 "$PORT" < <(printf 'a\nb\nc\n')
	[[ "$stderr" =~ \[6\ connect\]\ connect\(fd=[0-9]+,\ 127\.0\.0\.1:$PORT\)\ =\ 0 ]]
	[[ "$stderr" =~ \[7\ send\]\ sendto\(fd=[0-9]+,\ 2,\ connected\ peer\)\ =\ -1\ ECONNREFUSED ]]
	[[ "$stderr" == *"hint: this error belongs to an EARLIER datagram"*"ICMP port-unreachable"*"(lessons/10-datagrams.md)"* ]]
	# batched (no -v) too
	run -69 --separate-stderr timeout "$T" "$SENDER" --connect --count 50 127.0.0.1 "$PORT"
	[[ "$stderr" == *"Connection refused (ECONNREFUSED)"* ]]
}

@test "without --connect the same sends succeed: the ICMP error is never reported" {
	free_port
	run -0 --separate-stderr timeout "$T" "$SENDER" 127.0.0.1 "$PORT" < <(printf 'a\nb\nc\n')
	[[ "$stderr" == *"sent 3 datagrams, 6 bytes"* ]]
}

@test "--ping --connect to a closed port: recv fails with ECONNREFUSED, exit 69" {
	free_port
	run -69 --separate-stderr timeout "$T" "$SENDER" --ping --connect --count 2 127.0.0.1 "$PORT"
	[[ "$stderr" == *"recv from 127.0.0.1:$PORT failed: Connection refused (ECONNREFUSED)"* ]]
}

@test "EMSGSIZE: a datagram over 65507 bytes (IPv4) fails with a hint and exit 74" {
	start_server rcv "$RECEIVER" --show -c 1 0
	run -74 --separate-stderr timeout "$T" "$SENDER" --count 1 --size 65508 127.0.0.1 "$PORT"
	# (the message text is the C library's: glibc and musl word it differently)
	[[ "$stderr" == *"sendto(fd="*", 65508, 127.0.0.1:$PORT) = -1 EMSGSIZE ("* ]]
	[[ "$stderr" == *"send to 127.0.0.1:$PORT failed: "*" (EMSGSIZE)"* ]]
	[[ "$stderr" == *"hint: a UDP datagram carries at most 65507 bytes over IPv4"* ]]
	# a stdin line is one datagram: a too-long line fails the same way
	run -74 --separate-stderr timeout "$T" "$SENDER" 127.0.0.1 "$PORT" < <(head -c 70000 /dev/zero | tr '\0' a)
	[[ "$stderr" == *"EMSGSIZE"* ]]
	# the largest one fits
	run -0 timeout "$T" "$SENDER" -q --count 1 --size 65507 127.0.0.1 "$PORT"
	wait_pid "$rcv_PID"
	grep -q ' 65507 bytes ' rcv.out
}

@test "EMSGSIZE over IPv6: 65527 bytes fit, 65528 do not" {
	have_ipv6 || skip "no IPv6 loopback on this machine"
	start_server rcv "$RECEIVER" --show -c 1 0
	run -74 --separate-stderr timeout "$T" "$SENDER" --count 1 --size 65528 ::1 "$PORT"
	[[ "$stderr" == *"65528, [::1]:$PORT) = -1 EMSGSIZE"* ]]
	[[ "$stderr" == *"(65527 over IPv6)"* ]]
	run -0 timeout "$T" "$SENDER" -q --count 1 --size 65527 ::1 "$PORT"
	wait_pid "$rcv_PID"
	grep -q '^\[::1\]:[0-9]* 65527 bytes ' rcv.out
}

@test "--rate paces the datagrams: 11 at 20 per second take at least half a second" {
	start_server rcv "$RECEIVER" -c 11 0
	local t0 t1
	t0=$(date +%s%N)
	run -0 timeout "$T" "$SENDER" -q --count 11 --rate 20 127.0.0.1 "$PORT"
	t1=$(date +%s%N)
	echo "took $(((t1 - t0) / 1000000)) ms"
	[ $(((t1 - t0) / 1000000)) -ge 480 ]
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 0 ]
}

@test "-6 on the wildcard is IPv6 only (IPV6_V6ONLY 1): an IPv4 datagram never arrives" {
	have_ipv6 || skip "no IPv6 loopback on this machine"
	start_server rcv "$RECEIVER" -v -6 -w 0.5 0
	grep -q 'IPV6_V6ONLY, 1) = 0' rcv.err
	run -0 timeout "$T" "$SENDER" -q 127.0.0.1 "$PORT" <<<"four"
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 75 ]
	[ ! -s rcv.out ]
}

@test "--broadcast: without it a broadcast address is EACCES (exit 77, hint); with it the datagram arrives" {
	start_server rcv "$RECEIVER" -4 --show -c 1 0
	run -77 --separate-stderr timeout "$T" "$SENDER" 127.255.255.255 "$PORT" <<<"all"
	[[ "$stderr" == *"EACCES"* ]]
	[[ "$stderr" == *"hint: 127.255.255.255:$PORT is a broadcast address: sending there needs --broadcast (SO_BROADCAST)"* ]]
	run -0 --separate-stderr timeout "$T" "$SENDER" -v --broadcast 127.255.255.255 "$PORT" <<<"all"
	[[ "$stderr" =~ setsockopt\(fd=[0-9]+,\ SOL_SOCKET,\ SO_BROADCAST,\ 1\)\ =\ 0 ]]
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 0 ]
	grep -q '4 bytes "all\\n"' rcv.out
}

@test "--group joins an IPv4 multicast group; --mcast-if sends the datagram there over loopback" {
	start_server rcv "$RECEIVER" -v --show -c 1 --group 239.255.42.7 --mcast-if 127.0.0.1 0
	grep -Eq 'IP_ADD_MEMBERSHIP, \{group 239\.255\.42\.7, interface 127\.0\.0\.1\}\) = 0' rcv.err
	run -0 --separate-stderr timeout "$T" "$SENDER" -v --mcast-if 127.0.0.1 239.255.42.7 "$PORT" <<<"to the group"
	[[ "$stderr" =~ IP_MULTICAST_IF,\ 127\.0\.0\.1\)\ =\ 0 ]]
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 0 ]
	grep -q '13 bytes "to the group\\n"' rcv.out
}

@test "--group on an interface address no interface has: the join fails with ENODEV, exit 71" {
	run -71 --separate-stderr timeout "$T" "$RECEIVER" --group 239.255.42.7 --mcast-if 192.0.2.254 0
	[[ "$stderr" == *"IP_ADD_MEMBERSHIP, {group 239.255.42.7, interface 192.0.2.254}) = -1 ENODEV"* ]]
	[[ "$stderr" == *"cannot join group 239.255.42.7: "*" (ENODEV)"* ]]
}

@test "--group joins an IPv6 group with IPV6_JOIN_GROUP" {
	have_ipv6 || skip "no IPv6 loopback on this machine"
	run -75 --separate-stderr timeout "$T" "$RECEIVER" -v -w 0.2 --group ff12::4242 --mcast-if lo 0
	[[ "$stderr" =~ IPV6_JOIN_GROUP,\ \{group\ \[ff12::4242\],\ interface\ index\ [0-9]+\}\)\ =\ 0 ]]
}

# --- failure modes of the command line -----------------------------------

@test "missing arguments are usage errors (exit 64)" {
	run -64 --separate-stderr timeout "$T" "$RECEIVER"
	[ "$stderr" = "udp-receiver: missing PORT (try 'udp-receiver --help')" ]
	run -64 --separate-stderr timeout "$T" "$SENDER" 127.0.0.1
	[ "$stderr" = "udp-sender: missing HOST or PORT (try 'udp-sender --help')" ]
	run -64 timeout "$T" "$SENDER" a 1 c
	[[ "$output" == *"too many arguments"* ]]
	run -64 timeout "$T" "$RECEIVER" 1 2
	[[ "$output" == *"too many arguments"* ]]
}

@test "bad ports are usage errors naming the bad text" {
	local p
	for p in abc -1 "" 0 70000 7a; do
		run -64 timeout "$T" "$SENDER" -- 127.0.0.1 "$p"
		[[ "$output" == *"bad port '$p'"* ]]
	done
	for p in abc 70000 ""; do
		run -64 timeout "$T" "$RECEIVER" -- "$p"
		[[ "$output" == *"bad port '$p'"* ]]
	done
	run -64 timeout "$T" "$SENDER" -p 99999 127.0.0.1 1
	[[ "$output" == *"bad port '99999'"* ]]
}

@test "unknown hosts: exit 68 and one line" {
	run -68 --separate-stderr timeout "$T" "$SENDER" no.such.host.invalid 9 <<<"x"
	[[ "$stderr" == "udp-sender: unknown host 'no.such.host.invalid': "* ]]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	run -68 timeout "$T" "$RECEIVER" -b no.such.host.invalid 0
	[[ "$output" == *"cannot resolve local address 'no.such.host.invalid'"* ]]
	run -68 timeout "$T" "$RECEIVER" --group no.such.host.invalid 0
	[[ "$output" == *"unknown multicast group 'no.such.host.invalid'"* ]]
	run -68 timeout "$T" "$SENDER" -s no.such.host.invalid 127.0.0.1 9 <<<"x"
	[[ "$output" == *"unknown source address"* ]]
}

@test "bad numbers are usage errors naming what and the text" {
	run -64 timeout "$T" "$SENDER" --count 0 127.0.0.1 9
	[[ "$output" == *"bad count '0'"* ]]
	run -64 timeout "$T" "$SENDER" --count many 127.0.0.1 9
	[[ "$output" == *"bad count 'many'"* ]]
	run -64 timeout "$T" "$SENDER" --count 1 --size 65536 127.0.0.1 9
	[[ "$output" == *"bad size '65536'"* ]]
	run -64 timeout "$T" "$SENDER" --count 1 --size -1 127.0.0.1 9
	[[ "$output" == *"bad size '-1'"* ]]
	run -64 timeout "$T" "$SENDER" --rate 0 127.0.0.1 9
	[[ "$output" == *"bad rate '0'"* ]]
	run -64 timeout "$T" "$SENDER" --ping -w soon 127.0.0.1 9
	[[ "$output" == *"bad timeout 'soon'"* ]]
	run -64 timeout "$T" "$RECEIVER" -c 0 0
	[[ "$output" == *"bad count '0'"* ]]
	run -64 timeout "$T" "$RECEIVER" -w 0 0
	[[ "$output" == *"bad timeout '0'"* ]]
	run -64 timeout "$T" "$RECEIVER" --rcvbuf 0 0
	[[ "$output" == *"bad receive buffer size '0'"* ]]
}

@test "flags that do not fit together are usage errors" {
	run -64 timeout "$T" "$SENDER" --seq 127.0.0.1 9
	[[ "$output" == *"--size and --seq need --count"* ]]
	run -64 timeout "$T" "$SENDER" --size 10 127.0.0.1 9
	[[ "$output" == *"--size and --seq need --count"* ]]
	run -64 timeout "$T" "$SENDER" --count 1000 --seq --size 9 127.0.0.1 9
	[[ "$output" == *"--size 9 is too small for --seq: numbers up to 1000 need 10 bytes"* ]]
	run -64 timeout "$T" "$SENDER" -w 1 127.0.0.1 9
	[[ "$output" == *"-w needs --ping"* ]]
	run -64 timeout "$T" "$RECEIVER" --mcast-if 127.0.0.1 0
	[[ "$output" == *"--mcast-if needs --group"* ]]
	run -64 timeout "$T" "$RECEIVER" --group 10.1.2.3 0
	[[ "$output" == *"'10.1.2.3' is not a multicast address"* ]]
	run -64 timeout "$T" "$RECEIVER" --group 239.1.1.1 --mcast-if not-an-address 0
	[[ "$output" == *"bad --mcast-if 'not-an-address'"* ]]
	run -64 timeout "$T" "$SENDER" --mcast-if not-an-address 239.1.1.1 9
	[[ "$output" == *"bad --mcast-if 'not-an-address'"* ]]
}

@test "a port already in use by another receiver: exit 71, EADDRINUSE" {
	start_server rcv "$RECEIVER" -b 127.0.0.1 0
	run -71 --separate-stderr timeout "$T" "$RECEIVER" -b 127.0.0.1 "$PORT"
	[[ "$stderr" == *"EADDRINUSE"* ]]
}
