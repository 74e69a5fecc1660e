#!/usr/bin/env bats
# socket-watch: the socket table (states, no privilege needed) and the
# packet view (packets, inside scripts/lab), against real tcp-server and
# tcp-client runs, and its answers to bad input.

load helpers

setup() {
	SERVER=$(tool tcp-server)
	CLIENT=$(tool tcp-client)
	WATCH=$(tool socket-watch)
	cd "$BATS_TEST_TMPDIR" || return 1
}

teardown() {
	exec 8>&- 2>/dev/null || true
	cleanup_spawned
}

# in_lab: true if scripts/lab can make a network namespace here.
in_lab() {
	"$SOCKLAB_ROOT/scripts/lab" true 2>/dev/null
}

# watch_states NAME ARGS...: socket-watch states, ready once it has looked.
watch_states() {
	local name=$1
	shift
	spawn "$name" "$WATCH" states "$@"
	wait_for_line "$name.err" 'watching '
}

# client_port FILE: the local port of a client, from its "connected" line.
client_port() {
	sed -n 's/.*connected to .* from .*:\([0-9][0-9]*\)$/\1/p' "$1"
}

@test "states: a socket bound but not yet listening is not shown; once it listens, it is new LISTEN" {
	# Between bind() and listen() a TCP socket is in CLOSE; newer Linux can
	# dump such sockets (TCP_BOUND_INACTIVE). Shown, a server caught there
	# would read "new CLOSED", then "CLOSED -> LISTEN".
	spawn srv python3 -c 'import os, socket, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
while not os.path.exists("go"):
    time.sleep(0.02)
s.listen(128)
time.sleep(30)'
	wait_for_line srv.out '^[0-9]+$'
	PORT=$(cat srv.out)
	watch_states sw -t --interval 0.01 "$PORT"
	wait_for_line sw.err "no sockets on port $PORT yet, waiting"
	touch go
	wait_for_line sw.out "tcp +127\.0\.0\.1:$PORT +\* +new LISTEN +accept queue 0 of 128"
	run grep -c 'CLOSED' sw.out
	[ "$output" = 0 ]
}

@test "states: a listener, both ends of a connection, TIME_WAIT on the side that closed first" {
	start_server srv "$SERVER" -4 -b 127.0.0.1 --echo 0
	watch_states sw -t "$PORT"
	wait_for_line sw.out "tcp +127\.0\.0\.1:$PORT +\* +new LISTEN +accept queue 0 of 128"
	mkfifo cli.in
	SPAWN_STDIN=cli.in spawn cli "$CLIENT" 127.0.0.1 "$PORT"
	exec 8>cli.in
	printf 'hello\n' >&8
	wait_for_line cli.err 'connected to'
	cport=$(client_port cli.err)
	wait_for_line sw.out "127\.0\.0\.1:$cport +127\.0\.0\.1:$PORT +new ESTABLISHED +recv-q [0-9]+ send-q 0"
	wait_for_line sw.out "127\.0\.0\.1:$PORT +127\.0\.0\.1:$cport +new ESTABLISHED"
	exec 8>&-	# the client half-closes: its FIN goes first
	wait_pid "$cli_PID"
	[ "$STATUS" -eq 0 ]
	wait_for_line sw.out "127\.0\.0\.1:$cport +127\.0\.0\.1:$PORT +[A-Z_0-9]+ -> TIME_WAIT +(59|60)\.[0-9] s left"
	wait_for_line sw.out "127\.0\.0\.1:$PORT +127\.0\.0\.1:$cport +[A-Z_0-9]+ -> gone"
	# the server closed second: it never waits in TIME_WAIT
	run ! grep -Eq "127\.0\.0\.1:$PORT +127\.0\.0\.1:$cport .*TIME_WAIT" sw.out
	# every line has a time, a protocol, both ends and a change
	grep -v '^TIME' sw.out >lines
	[ -s lines ]
	run ! grep -Evq '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}  tcp  [^ ]+ +[^ ]+ +(new [A-Z_0-9]+|[A-Z_0-9]+ -> ([A-Z_0-9]+|gone))' lines
}

@test "states: a reset leaves no TIME_WAIT on either side" {
	start_server srv "$SERVER" -4 -b 127.0.0.1 --echo 0
	watch_states sw -t "$PORT"
	mkfifo cli.in
	SPAWN_STDIN=cli.in spawn cli "$CLIENT" --reset 127.0.0.1 "$PORT"
	exec 8>cli.in
	printf 'hello\n' >&8
	wait_for_line cli.err 'connected to'
	cport=$(client_port cli.err)
	wait_for_line sw.out "127\.0\.0\.1:$cport +127\.0\.0\.1:$PORT +new ESTABLISHED"
	exec 8>&-
	wait_pid "$cli_PID"
	wait_for_line sw.out "127\.0\.0\.1:$cport +127\.0\.0\.1:$PORT +ESTABLISHED -> gone"
	wait_for_line sw.out "127\.0\.0\.1:$PORT +127\.0\.0\.1:$cport +[A-Z_0-9]+ -> gone"
	run ! grep -q 'TIME_WAIT' sw.out
}

@test "states -Q: the accept queue fills while the server is busy, and bytes wait unread in it" {
	start_server srv "$SERVER" -4 -b 127.0.0.1 -k --model iterative --echo --backlog 5 0
	watch_states sw -Q -t "$PORT"
	# The first client is served; the next two wait in the accept queue.
	SPAWN_STDIN=<(detached sleep "$T") spawn c1 "$CLIENT" 127.0.0.1 "$PORT"
	wait_for_line srv.err 'connection from'
	SPAWN_STDIN=<(detached sh -c "echo waiting; sleep $T") spawn c2 "$CLIENT" 127.0.0.1 "$PORT"
	SPAWN_STDIN=<(detached sleep "$T") spawn c3 "$CLIENT" 127.0.0.1 "$PORT"
	wait_for_line sw.out "127\.0\.0\.1:$PORT +\* +LISTEN \(queue\) +accept queue 2 of 5"
	# c2's bytes sit in the receive queue of a socket nobody accepted yet
	wait_for_line c2.err 'connected to'
	c2port=$(client_port c2.err)
	wait_for_line sw.out "127\.0\.0\.1:$PORT +127\.0\.0\.1:$c2port +.*recv-q 8 send-q 0"
}

@test "states: a port nobody uses says so and waits; --for ends it" {
	start_server srv "$SERVER" -4 -b 127.0.0.1 0
	kill "$srv_PID"
	wait_pid "$srv_PID"
	run -0 --separate-stderr timeout "$T" "$WATCH" states "$PORT" --for 0.2
	[[ "$stderr" == *"no sockets on port $PORT yet, waiting"* ]]
	[[ "$stderr" =~ [0-9]+\ looks\ in\ 0\.[0-9]\ s ]]
	[ "${#lines[@]}" -eq 1 ]	# the header, nothing else
}

@test "states: a Unix socket's listener, the accepted end and the client" {
	spawn usrv "$(tool unix-socket)" server --echo ./u.sock
	wait_for_line usrv.err 'listening on'
	watch_states sw ./u.sock
	wait_for_line sw.out 'unix +\./u\.sock +\* +new LISTEN'
	mkfifo cli.in
	SPAWN_STDIN=cli.in spawn ucli "$(tool unix-socket)" client ./u.sock
	exec 8>cli.in
	printf 'hi\n' >&8
	wait_for_line sw.out 'unix +\./u\.sock +ino [0-9]+ +new ESTABLISHED'
	wait_for_line sw.out 'unix +ino [0-9]+ +ino [0-9]+ +new ESTABLISHED'
	exec 8>&-
	wait_for_line sw.out 'unix +ino [0-9]+ +ino [0-9]+ +ESTABLISHED -> gone'
}

@test "states keeps up with 1,000 connections a second: every one seen, every TIME_WAIT" {
	command -v python3 >/dev/null || skip "needs python3"
	start_server srv "$SERVER" -4 -b 127.0.0.1 -k --echo --max-clients 5000 0
	watch_states sw -t "$PORT"
	# 2,000 connections at 1,000 a second, each open for 400 ms: several
	# looks, even on a busy machine (a look every 10 to 60 ms; 400 ms
	# leaves room for one busier still, ASan beside three other files). The
	# client closes first, so its side ends in TIME_WAIT. What a look
	# cannot see (states shorter than the time between two) is counted,
	# not required: see the lines printed below.
	run -0 timeout "$T" python3 "$SOCKLAB_ROOT/tests/wire-storm.py" "$PORT" 2000 1000 400 ports.txt
	echo "# storm: $output" >&3
	[ "$(wc -l <ports.txt)" -eq 2000 ]
	wait_for_line sw.out "127\.0\.0\.1:$(tail -n 1 ports.txt) +127\.0\.0\.1:$PORT +.*TIME_WAIT"
	kill -INT "$sw_PID"
	wait_pid "$sw_PID"
	echo "# socket-watch: $(tail -n 1 sw.err | sed 's/^socket-watch: //')" >&3
	run -0 python3 - "$PORT" ports.txt sw.out <<'EOF'
import collections, sys
port, ports = sys.argv[1], set(open(sys.argv[2]).read().split())
client, server = collections.defaultdict(list), collections.defaultdict(list)
for line in open(sys.argv[3]):
    f = line.split()
    if len(f) < 6 or f[1] != "tcp":
        continue
    local, peer, change = f[2].rsplit(":", 1)[1], f[3].rsplit(":", 1)[-1], " ".join(f[4:7])
    if local in ports and f[3].endswith(":" + port):
        client[local].append(change)
    elif f[2].endswith(":" + port) and peer in ports:
        server[peer].append(change)
caught = collections.Counter(c for v in list(client.values()) + list(server.values()) for c in v)
print("seen:", len(client), "client ends,", len(server), "server ends of", len(ports))
for what, n in caught.most_common():
    print("  %5d %s" % (n, what))
missed = [p for p in ports if not any("ESTABLISHED" in c for c in client[p])
          or not any("TIME_WAIT" in c for c in client[p])
          or not any("ESTABLISHED" in c for c in server[p])
          or not any("gone" in c for c in server[p])]
print("missed:", len(missed), sorted(missed)[:10])
sys.exit(1 if missed else 0)
EOF
	printf '# %s\n' "${lines[@]}" >&3
}

@test "bad input: one line and 64 for ports, paths, modes and interfaces" {
	run -64 --separate-stderr "$WATCH" states 70000
	[ "$stderr" = "socket-watch: bad port '70000': must be a number from 1 to 65535 (try 'socket-watch --help')" ]
	run -64 --separate-stderr "$WATCH" states 0
	[[ "$stderr" == *"bad port '0'"* ]]
	run -64 --separate-stderr "$WATCH" states nosuchservice
	[[ "$stderr" == "socket-watch: unknown port 'nosuchservice': "* ]]
	run -64 --separate-stderr "$WATCH" states "./$(printf 'x%.0s' {1..120})"
	[[ "$stderr" == "socket-watch: path too long: "* ]]
	run -64 --separate-stderr "$WATCH" packets ./u.sock
	[[ "$stderr" == *"packets watches a port, not a path"* ]]
	run -64 --separate-stderr "$WATCH" 7000
	[[ "$stderr" == *"unknown mode '7000': choose states or packets"* ]]
	run -64 --separate-stderr "$WATCH"
	[[ "$stderr" == *"missing states or packets"* ]]
	run -64 --separate-stderr "$WATCH" states 7000 7001
	[[ "$stderr" == *"too many arguments"* ]]
	run -64 --separate-stderr "$WATCH" packets -i nosuch0 7000
	[ "$stderr" = "socket-watch: no interface 'nosuch0' here (\`ip link\` lists them; scripts/lab has only lo) (try 'socket-watch --help')" ]
	run -64 --separate-stderr "$WATCH" states -t ./u.sock
	[[ "$stderr" == *"for ports, not for a Unix socket's path"* ]]
	if [ -r /etc/services ]; then
		run -0 "$WATCH" states http --for 0.01	# a service name is a port
	fi
}

@test "packets without CAP_NET_RAW: exit 77, naming sudo and scripts/lab" {
	local -a as_user=()
	if [ "$(id -u)" -eq 0 ]; then
		command -v setpriv >/dev/null || skip "needs setpriv to drop root"
		as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all)
	fi
	run -77 --separate-stderr "${as_user[@]}" "$WATCH" packets 7000
	# the failed step, as every tool narrates it, then the one error line
	[ "${#stderr_lines[@]}" -eq 2 ]
	[ "${stderr_lines[0]}" = "socket-watch: [1 socket] socket(AF_PACKET, SOCK_RAW, 768) = -1 EPERM (Operation not permitted)" ]
	[ "${stderr_lines[1]}" = "socket-watch: packets needs CAP_NET_RAW to open an AF_PACKET socket (EPERM): run it with sudo, or inside scripts/lab, a network namespace of your own" ]
	run -77 --separate-stderr "${as_user[@]}" "$WATCH" packets -q 7000
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "packets, in the lab: the handshake, the data and the close, each segment once" {
	in_lab || skip "scripts/lab cannot make a namespace here"
	run -0 "$SOCKLAB_ROOT/scripts/lab" "$SOCKLAB_ROOT/scripts/wire-exchange" "$SOCKLAB_BUILD" "$BATS_TEST_TMPDIR/x" 7000
	cat x/wire.out
	sed -n 's/^[^ ]*  tcp  \([^ ]*\) > \([^ ]*\)  \([A-Z+]*\) .*/\1>\2 \3/p' x/wire.out | sed 's/127\.0\.0\.1:7000/S/g; s/127\.0\.0\.1:[0-9]*/C/g' >segs
	# one SYN, one SYN+ACK, then the client's ACK: the handshake, in order
	[ "$(sed -n 1,3p segs | tr '\n' ' ')" = "C>S SYN S>C SYN+ACK C>S ACK " ]
	grep -Eq '  tcp  127\.0\.0\.1:[0-9]+ > 127\.0\.0\.1:7000  PSH\+ACK  seq 1:7 ack 1 win [0-9]+ len 6 "hello\\n"$' x/wire.out
	grep -Eq '  tcp  127\.0\.0\.1:7000 > 127\.0\.0\.1:[0-9]+  PSH\+ACK  seq 1:7 ack 7 win [0-9]+ len 6 "hello\\n"$' x/wire.out
	# the client closes first: its FIN, then the server's, each once
	[ "$(grep -c 'FIN' segs)" -eq 2 ]
	[ "$(grep 'FIN' segs | head -n 1 | cut -d' ' -f1)" = "C>S" ]
	[ "$(grep -c 'SYN' segs)" -eq 2 ]
	# loopback's second copies never reached us
	grep -q 'PACKET_IGNORE_OUTGOING, 1) = 0' x/wire.err || ! grep -q 'second copies' x/wire.err
	grep -Eq 'the kernel dropped 0 of [0-9]+ \(PACKET_STATISTICS\)' x/wire.err
}

@test "packets and states write their lines to --trace as JSON" {
	in_lab || skip "scripts/lab cannot make a namespace here"
	run -0 "$SOCKLAB_ROOT/scripts/lab" "$SOCKLAB_ROOT/scripts/wire-exchange" "$SOCKLAB_BUILD" "$BATS_TEST_TMPDIR/x" 7000
	run -0 python3 - x/wire.json x/states.json <<'EOF'
import json, sys
packets = [e for e in map(json.loads, open(sys.argv[1])) if e["kind"] == "packet"]
sockets = [e for e in map(json.loads, open(sys.argv[2])) if e["kind"] == "socket"]
assert packets[0]["flags"] == "SYN" and packets[0]["dir"] == "to-port", packets[0]
assert packets[1]["flags"] == "SYN+ACK" and packets[1]["rack"] == 1, packets[1]
assert any(p["len"] == 6 and p["preview"] == '"hello\\n"' for p in packets)
assert all(p["tool"] == "socket-watch" and p["t_us"] > 0 for p in packets)
assert any(s["to"] == "TIME_WAIT" and s["expires_ms"] > 50000 for s in sockets), sockets
assert any(s["from"] is None and s["to"] == "LISTEN" for s in sockets)
print(len(packets), "packets", len(sockets), "socket lines")
EOF
}

@test "packets: SIGTERM ends it with the summary, PACKET_STATISTICS included" {
	in_lab || skip "scripts/lab cannot make a namespace here"
	run -0 "$SOCKLAB_ROOT/scripts/lab" bash -c '
		"$1" packets 7000 2>pk.err & pid=$!
		for i in $(seq 200); do grep -q watching pk.err && break; sleep 0.05; done
		kill -TERM $pid; wait $pid; echo "status $?"' _ "$WATCH"
	[ "$output" = "status 143" ]
	grep -Eq 'frames read: .*the kernel dropped 0 of 0 \(PACKET_STATISTICS\)$' pk.err
}
