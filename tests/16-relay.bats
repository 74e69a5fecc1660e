#!/usr/bin/env bats
# net-relay: an impaired network on loopback. Every test puts the relay
# between our own clients and servers and checks what the far side sees.

load helpers

setup() {
	RELAY=$(tool net-relay)
	SERVER=$(tool tcp-server)
	CLIENT=$(tool tcp-client)
	SENDER=$(tool udp-sender)
	RECEIVER=$(tool udp-receiver)
	cd "$BATS_TEST_TMPDIR" || return 1
}

# echo_server: an echo server on 127.0.0.1, its port in SPORT.
echo_server() {
	start_server srv "$SERVER" -k --echo -4 -b 127.0.0.1 "$@" 0
	SPORT=$PORT
}

# relay ARGS...: net-relay in front of SPORT on 127.0.0.1; its port in PORT.
relay() {
	start_server relay "$RELAY" "$@" 0 127.0.0.1 "$SPORT"
}

# stop_relay: SIGTERM, then wait; STATUS is its exit code.
stop_relay() {
	kill -TERM "$relay_PID"
	wait_pid "$relay_PID"
}

# ms_now: milliseconds on the clock.
ms_now() {
	echo $(($(date +%s%N) / 1000000))
}

# recv_sizes FILE: the sizes of the successful recv calls narrated in FILE.
recv_sizes() {
	sed -n 's/.*\[8 recv\] recv(fd=[0-9]*, [0-9]*) = \([1-9][0-9]*\)$/\1/p' "$1"
}

# --- TCP: pieces, delay, rate ---------------------------------------------

@test "--segment 1: every send carries one byte, the echo comes back whole" {
	echo_server -v
	relay -v --segment 1
	head -c 4000 /dev/urandom >msg
	timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT" <msg >back
	cmp msg back
	stop_relay
	# 4000 one-byte sends each way, and none bigger
	[ "$(grep -c '\[7 send\] send(fd=[0-9]*, 1) = 1$' relay.err)" -eq 8000 ]
	! grep -Eq '\[7 send\] send\(fd=[0-9]+, ([02-9]|[1-9][0-9]+)\)' relay.err
	grep -q 'to-server: 4000 bytes in, 4000 out, 0 dropped, 4000 pieces sent' relay.err
	grep -q 'to-client: 4000 bytes in, 4000 out, 0 dropped, 4000 pieces sent' relay.err
	# the server's recv() really returned pieces, not one message
	[ "$(recv_sizes srv.err | wc -l)" -gt 1 ]
}

@test "--segment 100 --rate: no send over 100 bytes, and the server's recv meets pieces" {
	# What the relay sends is exact: pieces of at most 100 bytes (at 5000
	# bytes/s one send may carry 20 ms worth, 100 bytes), 8000 bytes in
	# all. What the server's recv returns depends on how fast it reads:
	# under load pieces may wait together in its buffer, so count them and
	# their sum, never their timing.
	echo_server -v
	relay -v --segment 100 --rate 5000
	head -c 4000 /dev/urandom >msg
	timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT" <msg >back
	cmp msg back
	stop_relay
	local sends sizes
	sends=$(sed -n 's/.*\[7 send\] send(fd=[0-9]*, [0-9]*) = \([0-9]*\)$/\1/p' relay.err)
	[ "$(echo "$sends" | awk '$1 > 100' | wc -l)" -eq 0 ]
	[ "$(echo "$sends" | awk '{ s += $1 } END { print s }')" -eq 8000 ]
	[ "$(echo "$sends" | wc -l)" -ge 80 ]
	grep -q 'to-server: 4000 bytes in, 4000 out, 0 dropped, [0-9]* pieces sent' relay.err
	sizes=$(recv_sizes srv.err)
	echo "server recv sizes: $(echo "$sizes" | tr '\n' ' ')"
	[ "$(echo "$sizes" | awk '{ s += $1 } END { print s }')" -eq 4000 ]
	# 40 pieces 20 ms apart: the server's recv returns many of them apart
	[ "$(echo "$sizes" | wc -l)" -ge 4 ]
}

@test "--delay holds each piece, both ways: a round trip takes at least twice the delay" {
	echo_server
	relay --delay 300
	local t0 t1
	t0=$(ms_now)
	run -0 timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT" <<<"ping"
	t1=$(ms_now)
	[ "$output" = "ping" ]
	[ $((t1 - t0)) -ge 600 ]
}

@test "--delay with jitter keeps the byte order" {
	echo_server
	relay --seed 3 --segment 10 --delay 5±5
	seq 1 3000 >msg
	timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT" <msg >back
	cmp msg back
	grep -q 'seed 3 (--seed 3 makes the same choices)' relay.err
}

@test "--rate paces the bytes: 6000 bytes at 10000 bytes/s take over half a second" {
	echo_server
	relay --to-server --rate 10000
	head -c 6000 /dev/zero >msg
	local t0 t1
	t0=$(ms_now)
	timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT" <msg >back
	t1=$(ms_now)
	cmp msg back
	[ $((t1 - t0)) -ge 500 ]
}

@test "--to-client applies what follows to the replies only" {
	echo_server
	relay -v --segment 1000 --to-client --segment 1
	head -c 3000 /dev/urandom >msg
	timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT" <msg >back
	cmp msg back
	stop_relay
	grep -q 'to-server: at most 1000 bytes per send; to-client: at most 1 byte per send' relay.err
	grep -q 'to-server: 3000 bytes in, 3000 out, 0 dropped, 3 pieces sent' relay.err
	grep -q 'to-client: 3000 bytes in, 3000 out, 0 dropped, 3000 pieces sent' relay.err
}

# --- TCP: stall, reset, close, half-close ----------------------------------

@test "--stall-after: after 1000 bytes nothing passes for a second, then the rest" {
	echo_server
	relay --to-server --stall-after 1000 1
	head -c 3000 /dev/urandom >msg
	local t0 t1
	t0=$(ms_now)
	timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT" <msg >back
	t1=$(ms_now)
	cmp msg back
	[ $((t1 - t0)) -ge 1000 ]
	grep -q 'connection 1: to-server stalls for 1 s after 1000 bytes' relay.err
	grep -q 'connection 1: to-server flows again' relay.err
}

@test "--reset-after: both peers see ECONNRESET after exactly that many bytes" {
	# The server's own side: relay stdin/stdout, so it waits for more.
	SPAWN_STDIN=<(detached sleep "$T") start_server srv "$SERVER" -4 -b 127.0.0.1 0
	SPORT=$PORT
	relay --to-server --reset-after 100
	head -c 5000 /dev/urandom >msg
	SPAWN_STDIN=<(cat msg; detached sleep "$T") spawn cli "$CLIENT" 127.0.0.1 "$PORT"
	wait_pid "$srv_PID"
	[ "$STATUS" -eq 74 ]
	grep -q 'ECONNRESET' srv.err
	[ "$(wc -c <srv.out)" -eq 100 ]
	cmp srv.out <(head -c 100 msg)
	wait_pid "$cli_PID"
	[ "$STATUS" -eq 74 ]
	grep -q 'ECONNRESET' cli.err
	grep -q 'connection 1: reset both sides after 100 bytes to-server' relay.err
	stop_relay
	grep -q 'to-server: [0-9]* bytes in, 100 out' relay.err
}

@test "--close-after: the client gets that many bytes, then the end of the stream" {
	echo_server
	relay --to-client --close-after 10
	run -0 --separate-stderr timeout "$T" "$CLIENT" 127.0.0.1 "$PORT" <<<"0123456789abcdef"
	[ "$output" = "0123456789" ]
	grep -q 'connection 1: closing both sides after 10 bytes to-client' relay.err
}

@test "half-close is passed on as shutdown(SHUT_WR): the answer after the FIN still arrives" {
	# The server answers only once it has read the client's FIN.
	SPAWN_STDIN=<(detached wait_for_line "$BATS_TEST_TMPDIR/srv.err" 'peer closed its side'; echo answer) \
		start_server srv "$SERVER" -v -4 -b 127.0.0.1 0
	SPORT=$PORT
	relay -v --delay 50
	run -0 --separate-stderr timeout "$T" "$CLIENT" 127.0.0.1 "$PORT" <<<"question"
	[ "$output" = "answer" ]
	[ "$(cat srv.out)" = "question" ]
	# each FIN became one shutdown(SHUT_WR), and nothing was closed before both
	[ "$(grep -c 'shutdown(fd=[0-9]*, SHUT_WR) = 0' relay.err)" -eq 2 ]
	in_order "SHUT_WR SHUT_WR close" "$(grep -oE 'SHUT_WR\) = 0|\] close\(fd=[0-9]+\)' relay.err |
		sed 's/.*SHUT_WR.*/SHUT_WR/; s/.*close.*/close/')"
	grep -Eq '\[to-server fd=[0-9]+\] (OPEN|DRAINING) -> SHUT' relay.err
}

# --- TCP: many connections, backpressure, a target that fails ----------------

@test "twenty connections at once, each cut into 7-byte pieces, all come back whole" {
	echo_server
	relay --segment 7 --delay 1±1
	local i
	for i in $(seq 1 20); do
		seq "$i" 2000 >"msg.$i"
		SPAWN_STDIN="msg.$i" spawn "c$i" "$CLIENT" -q 127.0.0.1 "$PORT"
	done
	for i in $(seq 1 20); do
		wait_pid "$(eval echo "\$c${i}_PID")"
		[ "$STATUS" -eq 0 ]
		cmp "msg.$i" "c$i.out"
	done
}

@test "backpressure: a server that does not read stops the relay reading; memory stays bounded" {
	# The server writes to a FIFO whose reader reads nothing until the
	# file go exists: the server stops reading its socket.
	mkfifo slow
	spawn rd sh -c 'exec 3<slow; while [ ! -e go ]; do sleep 0.05; done; exec wc -c <&3'
	spawn srv sh -c "exec \"$SERVER\" -4 -b 127.0.0.1 0 >slow"
	wait_for_line srv.err 'listening on'
	SPORT=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' srv.err)
	relay
	SPAWN_STDIN=<(detached head -c 50000000 /dev/zero) spawn cli "$CLIENT" -q 127.0.0.1 "$PORT"
	wait_for_line relay.err 'connected to'
	# for a second, while every buffer on the way fills up: the relay's
	# memory stays small, and the client cannot finish
	local rss max=0 pid
	pid=$(pgrep -P "$relay_PID" net-relay) # spawn ran it under timeout
	for _ in $(seq 20); do
		rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status")
		[ "$rss" -le "$max" ] || max=$rss
		sleep 0.05
	done
	echo "relay RSS at most $max kB"
	[ "$max" -lt 16000 ]
	kill -0 "$cli_PID"
	touch go
	wait_pid "$cli_PID"
	[ "$STATUS" -eq 0 ]
	wait_pid "$rd_PID"
	[ "$(cat rd.out)" -eq 50000000 ]
}

@test "one client stalled by the relay freezes --model iterative, not poll, thread or fork" {
	local model t0 t1 ms
	for model in iterative poll thread fork; do
		start_server srv "$SERVER" -k --echo --model "$model" -4 -b 127.0.0.1 0
		SPORT=$PORT
		relay --to-server --stall-after 1 3
		# A, through the relay: its first byte passes, the rest (and its
		# FIN) waits 3 s; the server has accepted it and waits for more
		SPAWN_STDIN=<(echo slow client) spawn a "$CLIENT" 127.0.0.1 "$PORT"
		wait_for_line relay.err 'stalls for 3 s'
		wait_for_line srv.err 'connection from'
		# B, straight to the server
		t0=$(ms_now)
		run -0 timeout "$T" "$CLIENT" -q 127.0.0.1 "$SPORT" <<<"fast"
		t1=$(ms_now)
		ms=$((t1 - t0))
		echo "$model: B answered after $ms ms"
		[ "$output" = "fast" ]
		if [ "$model" = iterative ]; then
			[ "$ms" -ge 2000 ]
		else
			[ "$ms" -lt 2000 ]
		fi
		wait_pid "$a_PID"
		[ "$(cat a.out)" = "slow client" ]
		cleanup_spawned
	done
}

@test "a target that refuses: each client is reset with one line, the relay stays up" {
	start_server gone "$SERVER" -4 -b 127.0.0.1 0
	SPORT=$PORT
	kill "$gone_PID"
	wait_pid "$gone_PID"
	relay
	run -74 --separate-stderr timeout "$T" "$CLIENT" 127.0.0.1 "$PORT" <<<"hello"
	[[ "$stderr" == *"ECONNRESET"* ]]
	run -74 timeout "$T" "$CLIENT" 127.0.0.1 "$PORT" <<<"again"
	grep -q "connection 1 from 127.0.0.1:[0-9]*: cannot connect to 127.0.0.1:$SPORT: Connection refused (ECONNREFUSED); resetting the client" relay.err
	grep -q "connection 2 from .*ECONNREFUSED" relay.err
	stop_relay
	[ "$STATUS" -eq 143 ]
	grep -q 'connections: 2 accepted, 2 closed because the target could not be reached' relay.err
}

@test "-c 1: one connection, then exit 0 with the summary" {
	echo_server
	relay -c 1
	run -0 timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT" <<<"once"
	[ "$output" = "once" ]
	wait_pid "$relay_PID"
	[ "$STATUS" -eq 0 ]
	grep -q 'to-server: 5 bytes in, 5 out, 0 dropped, 1 pieces sent' relay.err
}

@test "IPv6: a relay in front of a server on ::1" {
	if ! ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
		skip "no IPv6 loopback"
	fi
	start_server srv "$SERVER" -k --echo -6 -b ::1 0
	SPORT=$PORT
	start_server relay "$RELAY" -6 --segment 3 0 ::1 "$SPORT"
	run -0 timeout "$T" "$CLIENT" -q ::1 "$PORT" <<<"over six"
	[ "$output" = "over six" ]
}

# --- UDP ----------------------------------------------------------------

# udp_target ARGS...: udp-receiver on 127.0.0.1 with ARGS; port in SPORT.
udp_target() {
	start_server rcv "$RECEIVER" -b 127.0.0.1 "$@" 0
	SPORT=$PORT
}

@test "UDP: loss, duplication and reordering over 100,000 datagrams land within 1 point" {
	udp_target --stats --rcvbuf 4000000
	relay -u --seed 1 --loss 10% --duplicate 10% --reorder 10%
	timeout 60 "$SENDER" -q --count 100000 --seq --rate 25000 127.0.0.1 "$PORT"
	wait_for_line relay.err 'client 127.0.0.1'
	sleep 0.3 # the last held-back datagrams go after 100 ms
	kill -INT "$rcv_PID"
	wait_pid "$rcv_PID"
	stop_relay
	cat rcv.out relay.err
	local received lost dup reo unique
	read -r received lost dup reo < <(sed -n \
		's/^received \([0-9]*\), lost \([0-9]*\) .*duplicated \([0-9]*\), reordered \([0-9]*\),.*/\1 \2 \3 \4/p' rcv.out)
	unique=$((received - dup))
	# each in hundredths of a percent: 10% +- 1 point is 900..1100
	local lost_pp=$((lost * 10000 / 100000)) dup_pp=$((dup * 10000 / unique)) reo_pp=$((reo * 10000 / unique))
	echo "lost $lost_pp dup $dup_pp reordered $reo_pp (1/100 %)"
	[ "$lost_pp" -ge 900 ] && [ "$lost_pp" -le 1100 ]
	[ "$dup_pp" -ge 900 ] && [ "$dup_pp" -le 1100 ]
	[ "$reo_pp" -ge 900 ] && [ "$reo_pp" -le 1100 ]
	# what the relay counted is what the receiver saw
	grep -q "to-server: [0-9]* datagrams in, $received out, [0-9]* dropped, $dup duplicated, $reo reordered" relay.err
}

@test "UDP: datagrams of one size go on in one buffer the kernel cuts apart (UDP_SEGMENT)" {
	if [ "$(uname -s)" != Linux ]; then
		skip "UDP_SEGMENT is Linux's"
	fi
	udp_target --show --rcvbuf 4000000
	relay -v -u
	timeout "$T" "$SENDER" -q --count 1000 --size 64 --seq 127.0.0.1 "$PORT"
	wait_for_line rcv.out '^.* 64 bytes "1000/1000 '
	kill -INT "$rcv_PID"
	wait_pid "$rcv_PID"
	stop_relay
	grep -Eq '\[7 send\] sendmsg\(fd=[0-9]+, [0-9]+ datagrams of 64 bytes in one buffer, UDP_SEGMENT 64\) = [0-9]+, to the connected peer' relay.err
	# the receiver saw 1000 datagrams of 64 bytes, in order, each once
	[ "$(grep -c ' 64 bytes "' rcv.out)" -eq 1000 ]
	[ "$(sed -n 's/^[^ ]* 64 bytes "0*\([0-9]*\)\/.*/\1/p' rcv.out | tr '\n' ' ')" = "$(seq 1 1000 | tr '\n' ' ')" ]
}

@test "UDP: --seed makes the same choices twice, another seed others" {
	local run
	for run in a b c; do
		udp_target --rcvbuf 4000000 --show
		local seed=5
		[ "$run" != c ] || seed=6
		start_server relay "$RELAY" -u --seed "$seed" --loss 30% 0 127.0.0.1 "$SPORT"
		timeout "$T" "$SENDER" -q --count 3000 --seq --rate 5000 127.0.0.1 "$PORT" &
		wait_for_line relay.err 'client'
		wait $! || true
		sleep 0.2
		kill -INT "$rcv_PID"
		wait_pid "$rcv_PID"
		stop_relay
		sed -n 's/^[^ ]* [0-9]* bytes "0*\([0-9]*\)\/.*/\1/p' rcv.out >"seq.$run"
		cleanup_spawned
	done
	[ "$(wc -l <seq.a)" -gt 1800 ] && [ "$(wc -l <seq.a)" -lt 2400 ]
	cmp seq.a seq.b
	! cmp -s seq.a seq.c
}

@test "UDP: answers go back to each client by its address" {
	udp_target --reply
	relay -u
	run -0 timeout "$T" "$SENDER" --ping --count 3 127.0.0.1 "$PORT"
	[[ "$output" == *"3 sent, 3 replies"* ]] || [[ "$output" == *"min/avg/max"* ]]
	run -0 timeout "$T" "$SENDER" --ping --count 2 127.0.0.1 "$PORT"
	stop_relay
	[ "$(grep -c 'client 127.0.0.1:[0-9]*: relayed to' relay.err)" -eq 2 ]
	grep -q 'to-server: 5 datagrams in, 5 out, 0 dropped' relay.err
	grep -q 'to-client: 5 datagrams in, 5 out, 0 dropped' relay.err
}

@test "UDP: --truncate cuts long datagrams, --delay holds them" {
	udp_target --show -c 2
	relay -u --truncate 10 --delay 200
	local t0 t1
	t0=$(ms_now)
	printf '0123456789abcdef\nshort\n' | timeout "$T" "$SENDER" -q 127.0.0.1 "$PORT"
	wait_pid "$rcv_PID"
	t1=$(ms_now)
	[ "$STATUS" -eq 0 ]
	[ $((t1 - t0)) -ge 200 ]
	[ "$(sed -n 's/^[^ ]* //p' rcv.out)" = "$(printf '%s\n' '10 bytes "0123456789"' '6 bytes "short\n"')" ]
}

@test "UDP: a client silent for --idle is forgotten and its socket closed" {
	udp_target
	relay -v -u --idle 0.3
	echo hi | timeout "$T" "$SENDER" -q 127.0.0.1 "$PORT"
	wait_for_line relay.err 'silent for 0.3 s, forgotten'
}

# --- the command line -------------------------------------------------------

@test "bad input: one line and exit 64" {
	local args
	while IFS= read -r args; do
		# shellcheck disable=SC2086 # the words of args are the options
		run -64 --separate-stderr timeout "$T" "$RELAY" $args 0 127.0.0.1 9
		[ "$(echo "$stderr" | wc -l)" -eq 1 ] || { echo "$args: $stderr"; false; }
		[[ "$stderr" == *"(try 'net-relay --help')" ]]
	done <<'EOF'
--segment 0
--loss 101% -u
--loss -1 -u
--duplicate 100.5 -u
--reorder 1e2 -u
--delay -5
--delay 60001
--delay 10+-
--rate 0
--stall-after 100
--reset-after -1
--truncate 65536 -u
--segment 5 -u
--loss 5
-c 2 -u
--max-clients 0
--no-such-option
EOF
	run -64 --separate-stderr timeout "$T" "$RELAY" 0 127.0.0.1 9 --to-server
	[[ "$stderr" == *"come before the impairments"* ]]
	run -64 --separate-stderr timeout "$T" "$RELAY" 0 127.0.0.1
	[[ "$stderr" == *"missing LISTEN_PORT or TARGET_HOST or TARGET_PORT"* ]]
	run -64 --separate-stderr timeout "$T" "$RELAY" 0 127.0.0.1 0
	[[ "$stderr" == *"bad port '0'"* ]]
}

@test "a listen port in use on both wildcards: both are named, exit 71" {
	SPORT=9
	relay
	grep -q 'listening on \[::\]:' relay.err || skip "no IPv6 wildcard"
	run -71 --separate-stderr timeout "$T" "$RELAY" "$PORT" 127.0.0.1 9
	[[ "$stderr" == *"net-relay: cannot bind [::]:$PORT and 0.0.0.0:$PORT: Address already in use (EADDRINUSE)"* ]]
}

@test "a target that does not resolve: exit 68 at start" {
	run -68 --separate-stderr timeout "$T" "$RELAY" 0 no.such.host.invalid 80
	[[ "$stderr" == *"unknown host 'no.such.host.invalid'"* ]]
}

@test "SIGINT: the summary, then exit 130" {
	echo_server
	relay
	run -0 timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT" <<<"abc"
	kill -INT "$relay_PID"
	wait_pid "$relay_PID"
	[ "$STATUS" -eq 130 ]
	grep -q 'to-server: 4 bytes in, 4 out, 0 dropped, 1 pieces sent' relay.err
	grep -q 'to-client: 4 bytes in, 4 out, 0 dropped, 1 pieces sent' relay.err
}

@test "-q and -v make the same system calls" {
	if ! command -v strace >/dev/null; then
		skip "strace is not installed"
	fi
	echo_server
	local v port
	for v in -q -v; do
		# (LeakSanitizer cannot run under ptrace: off for a sanitized build)
		spawn relay env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
			strace -f -o "trace$v" "$RELAY" "$v" -c 1 --segment 50 \
			-4 -b 127.0.0.1 0 127.0.0.1 "$SPORT"
		# -q prints no port: read it from the getsockname the relay makes
		wait_for_line "trace$v" 'getsockname\(.*htons\('
		port=$(sed -n 's/.*getsockname(.*htons(\([0-9]*\)).*/\1/p' "trace$v" | head -n 1)
		seq 1 1000 | timeout "$T" "$CLIENT" -q 127.0.0.1 "$port" >/dev/null
		wait_pid "$relay_PID"
		[ "$STATUS" -eq 0 ]
		# the calls made, but the narration's writes
		sed -n 's/^[0-9]* *\([a-z_0-9]*\)(.*/\1/p' "trace$v" | grep -v '^write$' |
			sort -u >"calls$v"
	done
	diff calls-q calls-v
	grep -qx 'accept4' calls-q
	grep -qx 'shutdown' calls-q
}
