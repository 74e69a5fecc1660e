#!/usr/bin/env bats
# tcp-server and tcp-client: our own flags, narration and errors, over
# loopback. What any echo server or client must do (byte-exact echo, half-close,
# several clients, resets) is in the contract files 20-* and 21-*.

load helpers

setup() {
	SERVER=$(tool tcp-server)
	CLIENT=$(tool tcp-client)
	cd "$BATS_TEST_TMPDIR" || return 1
}

@test "relay works in both directions at once, binary-safe" {
	head -c 300000 /dev/urandom >to-client.bin
	head -c 200000 /dev/urandom >to-server.bin
	SPAWN_STDIN=to-client.bin start_server srv "$SERVER" 0
	timeout "$T" "$CLIENT" 127.0.0.1 "$PORT" <to-server.bin >got-by-client.bin
	wait_pid "$srv_PID"
	[ "$STATUS" -eq 0 ]
	cmp to-client.bin got-by-client.bin
	cmp to-server.bin "$BATS_TEST_TMPDIR/srv.out"
}

@test "half-close: the client shuts down its write side and still gets the answer" {
	# The server answers only once the client has half-closed.
	SPAWN_STDIN=<(detached wait_for_line "$BATS_TEST_TMPDIR/cli.err" 'SHUT_WR'; echo answer) \
		start_server srv "$SERVER" 0
	SPAWN_STDIN=<(echo question) spawn cli "$CLIENT" -v 127.0.0.1 "$PORT"
	wait_pid "$cli_PID"
	[ "$STATUS" -eq 0 ]
	[ "$(cat cli.out)" = "answer" ]
	[ "$(cat srv.out)" = "question" ]
	# shutdown(SHUT_WR) comes before the recv that carries the answer
	in_order "shutdown recv" "$(sed -n -e 's/.*\] \(shutdown\)(.*/\1/p' \
		-e 's/.*\] \(recv\)(.* = [1-9].*/\1/p' cli.err)"
	grep -Eq 'shutdown\(fd=[0-9]+, SHUT_WR\) = 0' cli.err
}

@test "-v narrates the server's steps in the order of the procedure" {
	start_server srv "$SERVER" -v --echo 0
	run -0 timeout "$T" "$CLIENT" 127.0.0.1 "$PORT" <<<"hi"
	wait_pid "$srv_PID"
	in_order "socket setsockopt bind listen accept recv send recv close" \
		"$(steps srv.err)"
	grep -Eq '^tcp-server: \[3 bind\] bind\(fd=[0-9]+, \[::\]:0\) = 0$' srv.err
	grep -Eq '^tcp-server: \[5 accept\] accept\(fd=[0-9]+\) = [0-9]+, peer 127\.0\.0\.1:[0-9]+$' srv.err
}

@test "-v narrates the client's steps: socket, connect, send, recv, shutdown, close" {
	start_server srv "$SERVER" --echo 0
	run -0 --separate-stderr timeout "$T" "$CLIENT" -v 127.0.0.1 "$PORT" <<<"hi"
	in_order "socket connect send close recv close" "$(steps <(echo "$stderr"))"
	[[ "$stderr" =~ \[6\ connect\]\ connect\(fd=[0-9]+,\ 127\.0\.0\.1:$PORT\)\ =\ 0 ]]
	[[ "$stderr" =~ \[9\ close\]\ close\(fd=[0-9]+\)\ =\ 0 ]]
}

@test "-vv adds an escaped preview of each payload" {
	start_server srv "$SERVER" --echo 0
	run -0 --separate-stderr timeout "$T" "$CLIENT" -vv 127.0.0.1 "$PORT" < <(printf 'a\tb\001\n')
	[[ "$stderr" == *'    "a\tb\x01\n"'* ]]
}

@test "-q prints nothing on success; default prints status lines" {
	start_server srv "$SERVER" --echo 0
	run -0 --separate-stderr timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT" <<<"x"
	[ -z "$stderr" ]
	grep -q "^tcp-server: connection from 127.0.0.1:" srv.err
	grep -q "^tcp-server: closed connection from 127.0.0.1:" srv.err
}

@test "IPv6: the client reaches the dual-stack server over ::1" {
	if ! ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
		skip "no IPv6 loopback on this machine"
	fi
	start_server srv "$SERVER" --echo 0
	run -0 --separate-stderr timeout "$T" "$CLIENT" -v ::1 "$PORT" <<<"over six"
	[ "$output" = "over six" ]
	[[ "$stderr" =~ connect\(fd=[0-9]+,\ \[::1\]:$PORT\)\ =\ 0 ]]
	grep -q 'connection from \[::1\]:' srv.err
}

@test "-6 -b ::1 listens on IPv6 loopback only" {
	if ! ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
		skip "no IPv6 loopback on this machine"
	fi
	start_server srv "$SERVER" -6 -b ::1 --echo 0
	grep -q "listening on \[::1\]:$PORT" srv.err
	run -69 timeout "$T" "$CLIENT" -4 127.0.0.1 "$PORT" </dev/null
}

@test "-k serves a second client after the first leaves" {
	start_server srv "$SERVER" -k --echo 0
	run -0 timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT" <<<"one"
	[ "$output" = "one" ]
	run -0 timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT" <<<"two"
	[ "$output" = "two" ]
	kill -0 "$srv_PID"
}

@test "without -k the server exits after its first client" {
	start_server srv "$SERVER" --echo 0
	run -0 timeout "$T" "$CLIENT" 127.0.0.1 "$PORT" <<<"one"
	wait_pid "$srv_PID" 5
	[ "$STATUS" -eq 0 ]
}

@test "nothing listening: exit 69, ECONNREFUSED and a hint" {
	start_server srv "$SERVER" --echo 0
	local port=$PORT
	cleanup_spawned
	run -69 --separate-stderr timeout "$T" "$CLIENT" 127.0.0.1 "$port" </dev/null
	[[ "$stderr" =~ connect\(fd=[0-9]+,\ 127\.0\.0\.1:$port\)\ =\ -1\ ECONNREFUSED\ \(Connection\ refused\) ]]
	[[ "$stderr" == *"hint: nothing listens on 127.0.0.1:$port: start a server first (lessons/06-connect.md)"* ]]
}

@test "unknown host: exit 68 and one line" {
	run -68 --separate-stderr timeout "$T" "$CLIENT" no.such.host.invalid 80 </dev/null
	[[ "$stderr" == "tcp-client: unknown host 'no.such.host.invalid': "* ]]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
}

@test "unknown bind address for the server: exit 68" {
	run -68 timeout "$T" "$SERVER" -b no.such.host.invalid 0
	[[ "$output" == *"cannot resolve local address 'no.such.host.invalid'"* ]]
}

@test "port already in use: exit 71, EADDRINUSE and a hint" {
	start_server srv "$SERVER" --echo 0
	run -71 --separate-stderr timeout "$T" "$SERVER" "$PORT"
	[[ "$stderr" == *"= -1 EADDRINUSE (Address already in use)"* ]]
	[[ "$stderr" == *"hint: another socket already holds"*"lessons/02-setsockopt.md)"* ]]
}

@test "--no-reuseaddr: a restart hits TIME_WAIT; the default SO_REUSEADDR does not" {
	# The relay server's stdin is empty, so it closes first; the client keeps
	# its stdin open until it has seen that. The side that closes first
	# (the server) keeps the connection in TIME_WAIT on PORT.
	start_server srv "$SERVER" 0
	SPAWN_STDIN=<(detached wait_for_line "$BATS_TEST_TMPDIR/cli.err" 'peer closed its side') \
		spawn cli "$CLIENT" -v 127.0.0.1 "$PORT"
	wait_pid "$srv_PID"
	[ "$STATUS" -eq 0 ]
	run -71 --separate-stderr timeout "$T" "$SERVER" --no-reuseaddr "$PORT"
	[[ "$stderr" == *"EADDRINUSE"* ]]
	[[ "$stderr" == *"TIME_WAIT"* ]]
	start_server again "$SERVER" -v --echo "$PORT"
	grep -q 'SO_REUSEADDR, 1) = 0' again.err
}

@test "connect -w gives up with exit 75 when the accept queue is full" {
	# listen(fd, 0) queues one connection; the server is busy with another.
	start_server srv "$SERVER" --backlog 0 0
	SPAWN_STDIN=<(detached sleep "$T") spawn c1 "$CLIENT" 127.0.0.1 "$PORT"
	wait_for_line c1.err 'connected to'
	SPAWN_STDIN=<(detached sleep "$T") spawn c2 "$CLIENT" 127.0.0.1 "$PORT"
	wait_for_line c2.err 'connected to'
	run -75 --separate-stderr timeout "$T" "$CLIENT" -w 1 127.0.0.1 "$PORT" </dev/null
	[[ "$stderr" == *"timeout 1.000s) = -1 ETIMEDOUT"* ]]
	[[ "$stderr" == *"accept queue is full"* ]]
}

@test "-w also ends an idle connection with exit 75" {
	start_server srv "$SERVER" 0
	run -75 --separate-stderr timeout "$T" "$CLIENT" -w 0.5 127.0.0.1 "$PORT" < <(detached sleep "$T")
	[[ "$stderr" == *"Connection timed out (ETIMEDOUT)"* ]]
}

@test "--linger 0 makes close send a reset: the client exits 74 with a hint" {
	start_server srv "$SERVER" -v --echo --linger 0 0
	run -74 --separate-stderr timeout "$T" "$CLIENT" 127.0.0.1 "$PORT" <<<"bye"
	grep -q 'SO_LINGER, {on=1, 0s}) = 0' srv.err
	[[ "$stderr" == *"ECONNRESET"* ]]
	[[ "$stderr" == *"hint: the peer reset the connection"* ]]
}

@test "--nodelay, --backlog, --rcvbuf and --sndbuf are narrated as steps" {
	start_server srv "$SERVER" -v --echo --nodelay --backlog 7 --rcvbuf 65536 --sndbuf 65536 0
	run -0 timeout "$T" "$CLIENT" -v --nodelay 127.0.0.1 "$PORT" <<<"x"
	grep -Eq 'listen\(fd=[0-9]+, 7\) = 0' srv.err
	grep -Eq 'setsockopt\(fd=[0-9]+, SOL_SOCKET, SO_RCVBUF, 65536\) = 0' srv.err
	grep -Eq 'setsockopt\(fd=[0-9]+, SOL_SOCKET, SO_SNDBUF, 65536\) = 0' srv.err
	# read back with getsockopt: the kernel's own figure (Linux doubles it)
	grep -Eq 'getsockopt\(fd=[0-9]+, SOL_SOCKET, SO_RCVBUF\) = 0, value [1-9][0-9]*$' srv.err
	grep -Eq 'getsockopt\(fd=[0-9]+, SOL_SOCKET, SO_SNDBUF\) = 0, value [1-9][0-9]*$' srv.err
	grep -Eq 'setsockopt\(fd=[0-9]+, IPPROTO_TCP, TCP_NODELAY, 1\) = 0' srv.err
	[[ "$output" =~ setsockopt\(fd=[0-9]+,\ IPPROTO_TCP,\ TCP_NODELAY,\ 1\)\ =\ 0 ]]
}

@test "-s binds the client's local address before connect" {
	start_server srv "$SERVER" --echo 0
	run -0 --separate-stderr timeout "$T" "$CLIENT" -v -s 127.0.0.1 127.0.0.1 "$PORT" <<<"x"
	[[ "$stderr" =~ \[3\ bind\]\ bind\(fd=[0-9]+,\ 127\.0\.0\.1:0\)\ =\ 0 ]]
}

@test "-p binds a fixed local port; a port in use fails at bind" {
	start_server srv "$SERVER" -k --echo 0
	start_server other "$SERVER" --echo 0
	local busy=$PORT
	start_server srv3 "$SERVER" --echo 0
	run -71 --separate-stderr timeout "$T" "$CLIENT" -p "$busy" 127.0.0.1 "$PORT" </dev/null
	[[ "$stderr" == *"EADDRINUSE"* ]]
}

@test "a server on a privileged port as a normal user: exit 77 and a hint" {
	if [ "$(id -u)" -eq 0 ] && ! command -v setpriv >/dev/null; then
		skip "needs setpriv to drop root"
	fi
	local -a as_user=()
	if [ "$(id -u)" -eq 0 ]; then
		as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all)
	fi
	if [ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start 2>/dev/null || echo 1024)" -le 80 ]; then
		skip "unprivileged ports start below 80 here"
	fi
	run -77 --separate-stderr timeout "$T" "${as_user[@]}" "$SERVER" -b 127.0.0.1 80
	[[ "$stderr" == *"EACCES"* ]]
	[[ "$stderr" == *"hint: ports below 1024 need root"* ]]
}

@test "client --reset sends stdin, then closes with SO_LINGER 0: the server sees ECONNRESET" {
	start_server srv "$SERVER" -v -k --echo 0
	run -0 --separate-stderr timeout "$T" "$CLIENT" -v --reset 127.0.0.1 "$PORT" <<<"bye"
	[[ "$stderr" =~ setsockopt\(fd=[0-9]+,\ SOL_SOCKET,\ SO_LINGER,\ \{on=1,\ 0s\}\)\ =\ 0 ]]
	[[ "$stderr" == *"reset the connection"* ]]
	[[ "$stderr" != *"SHUT_WR"* ]]
	wait_for_line srv.err 'ECONNRESET'
	grep -q 'hint: the peer reset the connection' srv.err
	# With -k the server carries on with the next client.
	run -0 timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT" <<<"next"
	[ "$output" = "next" ]
}

@test "client --reset with nothing listening still fails at connect (exit 69)" {
	start_server srv "$SERVER" 0
	local port=$PORT
	cleanup_spawned
	run -69 timeout "$T" "$CLIENT" --reset 127.0.0.1 "$port" </dev/null
}
