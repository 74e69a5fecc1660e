#!/usr/bin/env bats
# --step and --trace, the flags every tool shares (common/stepper.c,
# common/jtrace.c): --step is driven through a real pseudo-terminal
# (script(1)), the way a learner uses it; --trace files are read back as
# JSON.

load helpers

setup() {
	SERVER=$(tool tcp-server)
	CLIENT=$(tool tcp-client)
	cd "$BATS_TEST_TMPDIR" || return 1
}

teardown() {
	exec 8>&- 2>/dev/null || true
	cleanup_spawned
}

# pty_spawn NAME CMD...: run CMD on a new pseudo-terminal (script -c); what
# the terminal shows goes to NAME.out, and what the test writes to fd 8
# is typed on it. NAME_PID is script's PID; the command is its child.
pty_spawn() {
	local name=$1 cmd
	shift
	printf -v cmd '%q ' "$@"
	mkfifo "$name.keys"
	NO_COLOR=1 SPAWN_STDIN=$name.keys spawn "$name" script -qfec "$cmd" /dev/null
	exec 8>"$name.keys"
}

# descendant PID NAME: the PID of the process running NAME under PID (by
# its command line, so a tool under valgrind is found too; not script,
# timeout or a shell, whose command lines name it as well), once there is
# one.
descendant() {
	local i pid todo comm
	for ((i = 0; i < T * 20; i++)); do
		# shellcheck disable=SC2207 # PIDs: words without spaces
		todo=($(cat "/proc/$1/task/$1/children" 2>/dev/null || true))
		while [ "${#todo[@]}" -gt 0 ]; do
			pid=${todo[0]}
			todo=("${todo[@]:1}")
			comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
			if [[ ! "$comm" =~ ^(script|timeout|sh|bash|dash)$ ]] &&
				tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "/$2 "; then
				echo "$pid"
				return 0
			fi
			# shellcheck disable=SC2207
			todo+=($(cat "/proc/$pid/task/$pid/children" 2>/dev/null || true))
		done
		sleep 0.05
	done
	echo "no $2 under $1" >&2
	return 1
}

# waiting_on_tty PID: poll until PID sits in read(2) on its terminal.
waiting_on_tty() {
	local i fd
	for ((i = 0; i < T * 20; i++)); do
		read -r nr fd _ <"/proc/$1/syscall" 2>/dev/null || nr=x
		if [ "$nr" = 0 ] && [[ $(readlink "/proc/$1/fd/$((fd))") =~ ^/dev/(tty|pts/) ]]; then
			return 0
		fi
		sleep 0.05
	done
	echo "$1 never waited on its terminal" >&2
	return 1
}

# sockets_of PID: how many sockets PID holds.
sockets_of() {
	find "/proc/$1/fd" -lname 'socket:*' 2>/dev/null | wc -l
}

@test "--step stops before each step until Enter, shows the kernel state, and c runs on" {
	if ! command -v script >/dev/null || [ ! -r /proc/self/syscall ]; then
		skip "needs script(1) and /proc/PID/syscall"
	fi
	pty_spawn srv "$SERVER" --step --echo -4 -b 127.0.0.1 0
	pid=$(descendant "$srv_PID" tcp-server)
	wait_for_line srv.out 'next, step 1: socket\(AF_INET, SOCK_STREAM'
	# It waits on the terminal, and the socket is not made yet.
	waiting_on_tty "$pid"
	[ "$(sockets_of "$pid")" -eq 0 ]
	run ! grep -q '\[1 socket\]' srv.out
	# Enter: step 1 runs, its state is told, and it stops before step 2.
	printf '\n' >&8
	wait_for_line srv.out 'next, step 2: setsockopt\(fd=[0-9]+, SOL_SOCKET, SO_REUSEADDR'
	grep -Eq '\[1 socket\] socket\(AF_INET, SOCK_STREAM, 6\) = [0-9]+' srv.out
	grep -Eq 'state: CLOSED  \[fd [0-9]+: getsockname, getsockopt .*TCP_INFO' srv.out
	waiting_on_tty "$pid"
	[ "$(sockets_of "$pid")" -eq 1 ]
	run ! grep -q 'next, step 3' srv.out
	printf '\n\n' >&8	# setsockopt, bind
	wait_for_line srv.out 'next, step 4: listen\(fd=[0-9]+, 128\)'
	grep -Eq '\[3 bind\] bind\(fd=[0-9]+, 127\.0\.0\.1:0\) = 0' srv.out
	# c: listen and everything after it runs without stopping.
	printf 'c\n' >&8
	wait_for_line srv.out 'state: LISTEN, accept queue 0 of 128'
	wait_for_line srv.out 'listening on '
	port=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\).*/\1/p' srv.out | head -n 1)
	run -0 timeout "$T" "$CLIENT" -q 127.0.0.1 "$port" <<<"hello"
	[ "$output" = "hello" ]
	wait_pid "$srv_PID"
	[ "$STATUS" -eq 0 ]
	# The client was served with no more stops, each step followed by a look.
	[ "$(grep -c 'next, step' srv.out)" -eq 4 ]
	grep -Eq '\[5 accept\] accept\(fd=[0-9]+\) = [0-9]+' srv.out
	grep -Eq 'state: (ESTABLISHED|CLOSE_WAIT), [0-9]+ bytes waiting in the receive queue, 0 unsent  \[fd [0-9]+:' srv.out
	grep -Eq 'listener state: LISTEN, accept queue 0 of 128' srv.out
	grep -Eq 'state: closed; the kernel may keep' srv.out
}

@test "--step shows the listener's accept queue: the clients waiting behind the one served" {
	if ! command -v script >/dev/null; then
		skip "needs script(1)"
	fi
	pty_spawn srv "$SERVER" --step -k --model iterative --echo -4 -b 127.0.0.1 --backlog 7 0
	printf 'c\n' >&8	# run on to accept: the stop before it is asked again below
	wait_for_line srv.out 'listening on '
	port=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\).*/\1/p' srv.out | head -n 1)
	# Two clients connect while the server is still busy with the first:
	# their handshakes complete in the kernel; they wait in the queue.
	SPAWN_STDIN=<(detached sleep "$T") spawn c1 "$CLIENT" 127.0.0.1 "$port"
	wait_for_line c1.err 'connected to'
	SPAWN_STDIN=<(detached sleep "$T") spawn c2 "$CLIENT" 127.0.0.1 "$port"
	wait_for_line c2.err 'connected to'
	SPAWN_STDIN=<(detached sleep "$T") spawn c3 "$CLIENT" 127.0.0.1 "$port"
	wait_for_line c3.err 'connected to'
	kill "$c1_PID"
	wait_for_line srv.out 'closed connection from'
	# Once the first client is gone the server accepts the second; the
	# third, connected all along, is still in the queue.
	wait_for_line srv.out 'listener state: .*accept queue 1 of 7'
	[ "$(grep -c 'listener state' srv.out)" -eq 2 ]
	[[ "$(grep 'listener state' srv.out | sed -n 2p)" == *"LISTEN, accept queue 1 of 7"* ]]
}

@test "--step without a terminal is refused in one line, exit 64" {
	if ! command -v setsid >/dev/null; then
		skip "needs setsid(1)"
	fi
	run -64 --separate-stderr setsid -w "$SERVER" --step 0 </dev/null
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "tcp-server: --step needs a terminal to wait on, and /dev/tty cannot be opened: "*"(try 'tcp-server --help')" ]]
	run -64 --separate-stderr setsid -w "$CLIENT" --step 127.0.0.1 9 </dev/null
	[[ "$stderr" == "tcp-client: --step needs a terminal"* ]]
}

# json_check FILE: every line of FILE is a JSON object with the common
# members; prints the kinds seen, one per line.
json_check() {
	python3 - "$1" <<'EOF'
import json, sys
for n, line in enumerate(open(sys.argv[1]), 1):
    e = json.loads(line)
    for k in ("t_us", "tool", "pid", "kind"):
        assert k in e, "line %d lacks %s: %s" % (n, k, line)
    assert e["t_us"] > 1500000000000000, "line %d: t_us is not µs since the epoch" % n
    print(e["kind"])
EOF
}

# json_steps FILE: "name result errno" for every step line of FILE.
json_steps() {
	python3 - "$1" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["kind"] == "step":
        assert e["start_us"] <= e["t_us"], line
        print(e["name"], e["result"], e["errno"] or "-", e["call"])
EOF
}

@test "--trace FILE writes one JSON line per event, at -q too" {
	start_server srv "$SERVER" --trace srv.json --echo -4 -b 127.0.0.1 0
	run -0 timeout "$T" "$CLIENT" -q --trace cli.json 127.0.0.1 "$PORT" <<<"hello"
	[ "$output" = "hello" ]
	[ -z "$(cat "$BATS_TEST_TMPDIR/srv.out")" ]
	wait_pid "$srv_PID"
	run -0 json_check srv.json
	[[ "$output" == *step* && "$output" == *status* && "$output" == *event* ]]
	run -0 json_check cli.json
	run -0 json_steps cli.json
	[[ "${lines[0]}" =~ ^socket\ ([0-9]+)\ -\ socket\(AF_INET,\ SOCK_STREAM,\ 6\)$ ]]
	fd=${BASH_REMATCH[1]}
	[[ "$output" == *"connect 0 - connect(fd=$fd, 127.0.0.1:$PORT)"* ]]
	[[ "$output" == *"send 6 - send(fd=$fd, 6)"* ]]
	[[ "$output" == *"close 0 - shutdown(fd=$fd, SHUT_WR)"* ]]
	[[ "$output" == *"close 0 - close(fd=$fd)"* ]]
	run -0 json_steps srv.json
	[[ "$output" =~ listen\ 0\ -\ listen\(fd=[0-9]+,\ 128\) ]]
	[[ "$output" =~ recv\ 0\ -\ recv\(fd=[0-9]+, ]]
	grep -q '"kind":"status",.*"text":"listening on 127.0.0.1:'"$PORT"'"' srv.json
	grep -q '"tool":"tcp-client"' cli.json
}

@test "a failed call is traced with its errno name" {
	start_server srv "$SERVER" -4 -b 127.0.0.1 0
	kill "$srv_PID"
	wait_pid "$srv_PID"
	run -69 timeout "$T" "$CLIENT" -q --trace cli.json 127.0.0.1 "$PORT"
	run -0 json_steps cli.json
	[[ "$output" =~ connect\ -1\ ECONNREFUSED\ connect\(fd=[0-9]+,\ 127\.0\.0\.1:$PORT\) ]]
	grep -q '"kind":"error",.*"text":"cannot connect to 127.0.0.1 port '"$PORT"': Connection refused (ECONNREFUSED)"' cli.json
}

@test "SOCKLAB_TRACE=FILE: every process of a run appends to one file" {
	export SOCKLAB_TRACE=$BATS_TEST_TMPDIR/all.json
	echo '{"t_us":1700000000000000,"tool":"earlier","pid":1,"kind":"status"}' >all.json
	start_server srv "$SERVER" --echo -4 -b 127.0.0.1 0
	run -0 timeout "$T" "$CLIENT" 127.0.0.1 "$PORT" <<<"hi"
	wait_pid "$srv_PID"
	unset SOCKLAB_TRACE
	run -0 json_check all.json
	grep -q '"tool":"earlier"' all.json
	grep -q '"tool":"tcp-server"' all.json
	grep -q '"tool":"tcp-client"' all.json
	# --trace names its own file, truncated, and wins over the variable
	SOCKLAB_TRACE=$BATS_TEST_TMPDIR/all.json run -0 "$CLIENT" --trace own.json --version
	[ ! -s own.json ] || ! grep -q earlier own.json
}

@test "a trace file that cannot be created: one line, exit 73" {
	run -73 --separate-stderr "$SERVER" --trace /nonexistent/dir/t.json 0
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ "$stderr" = "tcp-server: cannot create the trace file /nonexistent/dir/t.json: No such file or directory (ENOENT)" ]
	SOCKLAB_TRACE=/nonexistent/t.json run -73 --separate-stderr "$CLIENT" 127.0.0.1 9
	[[ "$stderr" == "tcp-client: cannot create the trace file /nonexistent/t.json: "* ]]
	run -0 "$SERVER" --help
	[[ "$output" == *"73 cannot create the --trace file"* ]]
	[[ "$output" == *"--step "* && "$output" == *"--trace FILE"* ]]
}

# calls FILE: the socket calls an strace -f log names, one per line, sorted
# (whether the echo comes back before or after the client's shutdown is up
# to the scheduler, not to the flags).
calls() {
	# (a non-blocking recv that finds nothing yet depends on timing: left out)
	grep -v EAGAIN "$1" |
		grep -oE '^([0-9]+ +)?(socket|bind|listen|accept4?|connect|sendto|recvfrom|send|recv|shutdown|setsockopt|sendmsg|recvmsg)\(' |
		sed -E 's/^[0-9]+ +//; s/\($//' | sort
}

@test "--trace and --step leave the tool's own socket calls as they are" {
	if ! command -v strace >/dev/null; then
		skip "needs strace"
	fi
	# (LeakSanitizer cannot run under ptrace: off here, for make sanitize)
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	start_server srv "$SERVER" --echo -k 0
	strace -f -o plain.st "$CLIENT" -q 127.0.0.1 "$PORT" <<<"same calls" >/dev/null
	strace -f -o traced.st "$CLIENT" -q --trace t.json 127.0.0.1 "$PORT" <<<"same calls" >/dev/null
	[ -n "$(calls plain.st)" ]
	[ "$(calls plain.st)" = "$(calls traced.st)" ]
	if command -v script >/dev/null; then
		# through a terminal, c at the first stop; stdin still from a file
		echo "same calls" >in.txt
		pty_spawn st strace -f -o stepped.st sh -c '"$0" --step 127.0.0.1 "$1" <in.txt' "$CLIENT" "$PORT"
		printf 'c\n' >&8
		wait_pid "$st_PID"
		[ "$STATUS" -eq 0 ]
		grep -q 'state: ' st.out
		# the looks are getsockopt and ioctl: the tool's own calls stay
		[ "$(calls plain.st | grep -v getsockopt)" = "$(calls stepped.st | grep -v getsockopt)" ]
	fi
}

@test "--step on UDP and Unix sockets: the bytes in their queues" {
	if ! command -v script >/dev/null; then
		skip "needs script(1)"
	fi
	spawn usrv "$(tool unix-socket)" server --echo ./u.sock
	wait_for_line usrv.err 'listening on'
	echo hi >in.txt
	pty_spawn ucli sh -c '"$0" client --step ./u.sock <in.txt' "$(tool unix-socket)"
	printf 'c\n' >&8
	wait_pid "$ucli_PID"
	grep -Eq 'state: ESTABLISHED, [0-9]+ bytes waiting in the receive queue, [0-9]+ bytes not yet read by the peer  \[fd [0-9]+: .*ioctl SIOCINQ SIOCOUTQ\]' ucli.out
	grep -Eq 'state: closed: the descriptor and its socket are gone' ucli.out
	exec 8>&-
	start_server urcv "$(tool udp-receiver)" -4 -b 127.0.0.1 0
	pty_spawn usnd sh -c '"$0" --step 127.0.0.1 "$1" <in.txt' "$(tool udp-sender)" "$PORT"
	printf 'c\n' >&8
	wait_pid "$usnd_PID"
	grep -Eq 'state: UDP, not connected, no datagram waiting, [0-9]+ bytes in the send queue' usnd.out
}
