#!/usr/bin/env bats
# What -v shows is what runs: the verbosity chooses what is narrated, never
# which system calls are made. Each tool is run under `strace -f -c` at -q,
# at the default verbosity, at -v and at -vv, doing the same work, and the
# runs are compared:
#   - the names of the system calls must be the same, all but write: the
#     narration itself goes to stderr by write(2), and -q narrates nothing;
#   - where the work fixes how many calls it takes (a socket, a connect, one
#     sendmmsg per 64 datagrams), the counts must be the same too. Counts of
#     calls that depend on timing (poll, recv, a send that met EAGAIN, a
#     recvmmsg that found 3 datagrams queued or 60) are not compared.

load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	command -v strace >/dev/null || skip "strace is not installed"
	strace -f -c -o /dev/null true 2>/dev/null || skip "strace cannot trace here (ptrace refused)"
}

MODES=(q default v vv)

# flags MODE: the verbosity flag of a mode, as words (none for default).
flags() {
	case $1 in
	q) echo -q ;;
	v) echo -v ;;
	vv) echo -vv ;;
	esac
}

# The tracer, then -o FILE CMD... LeakSanitizer cannot run under ptrace:
# under make sanitize a traced run leaves leak checks to the other tests.
STRACE=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -c)

# syscalls FILE: the names strace -c counted in FILE, sorted, without write.
# With FOLD_SENDS=1, sendmmsg counts as sendto: a reply to a batch of one
# datagram is a sendto, to several a sendmmsg, and how many arrive together
# depends on timing, not on the verbosity.
syscalls() {
	awk -v fold="${FOLD_SENDS:-0}" '$1 ~ /^[0-9.]+$/ && $NF != "total" && $NF != "write" {
		print (fold && $NF == "sendmmsg") ? "sendto" : $NF }' "$1" | sort -u
}

# calls NAME FILE: how many NAME calls strace -c counted in FILE (0 if none).
calls() {
	awk -v n="$1" '$1 ~ /^[0-9.]+$/ && $NF == n { c = $4 } END { print c + 0 }' "$2"
}

# same_calls PREFIX [NAME...]: the runs PREFIX-MODE.strace of every mode
# made the calls PREFIX-q.strace made, and as many of each NAME.
same_calls() {
	local prefix=$1 mode name
	shift
	for mode in "${MODES[@]}"; do
		if [ "$(syscalls "$prefix-$mode.strace")" != "$(syscalls "$prefix-q.strace")" ]; then
			echo "$prefix: -q and $mode make different system calls:"
			diff <(syscalls "$prefix-q.strace") <(syscalls "$prefix-$mode.strace") || true
			return 1
		fi
		for name in "$@"; do
			[ "$(calls "$name" "$prefix-$mode.strace")" -eq "$(calls "$name" "$prefix-q.strace")" ] || {
				echo "$prefix: $name $(calls "$name" "$prefix-q.strace") times at -q, $(calls "$name" "$prefix-$mode.strace") at $mode"
				return 1
			}
		done
	done
}

# free_udp_port: a UDP port on 127.0.0.1 that nothing holds (bound once by
# the kernel's choice, then released) into PORT.
free_udp_port() {
	start_server hold "$(tool udp-receiver)" -b 127.0.0.1 -c 1 0
	echo x | timeout "$T" "$(tool udp-sender)" -q 127.0.0.1 "$PORT"
	wait_pid "$hold_PID"
}

# wait_bound PROTO PORT: poll until a socket is bound to 127.0.0.1:PORT
# (PROTO u or t), for a tool run with -q, which says nothing when ready.
wait_bound() {
	local i
	for ((i = 0; i < 400; i++)); do
		if ss -H"$1"ln "sport = :$2" | grep -q .; then
			return 0
		fi
		sleep 0.05
	done
	echo "nothing bound to port $2" >&2
	return 1
}

@test "udp-sender --count to a receiver: the same calls, as many of each, at every verbosity" {
	local mode pid_var
	for mode in "${MODES[@]}"; do
		start_server "rcv_$mode" "$(tool udp-receiver)" --stats -w 1 --rcvbuf 1048576 -b 127.0.0.1 0
		# shellcheck disable=SC2046 # flags is one word or none
		timeout "$T" "${STRACE[@]}" -o "snd-$mode.strace" "$(tool udp-sender)" $(flags "$mode") \
			--count 1000 --size 100 --seq 127.0.0.1 "$PORT" 2>"snd-$mode.err"
		pid_var="rcv_${mode}_PID"
		wait_pid "${!pid_var}"
	done
	same_calls snd socket sendto sendmmsg getsockname close
	# the batches are what runs: 1 sendto, then 999 = 15 x 64 + 39 by sendmmsg
	[ "$(calls sendto snd-q.strace)" -eq 1 ]
	[ "$(calls sendmmsg snd-q.strace)" -eq 16 ]
	grep -q 'sendmmsg(fd=[0-9]*, 64 datagrams, 6400 bytes) = 64' snd-v.err
}

@test "udp-receiver --stats and --reply: the same calls at every verbosity" {
	local mode pid_var
	for mode in "${MODES[@]}"; do
		free_udp_port
		# shellcheck disable=SC2046 # flags is one word or none
		spawn "rcv_$mode" "${STRACE[@]}" -o "rcv-$mode.strace" "$(tool udp-receiver)" $(flags "$mode") \
			--stats --reply -w 1 --rcvbuf 1048576 -b 127.0.0.1 "$PORT"
		wait_bound u "$PORT"
		timeout "$T" "$(tool udp-sender)" -q --count 300 --size 100 --seq 127.0.0.1 "$PORT"
		pid_var="rcv_${mode}_PID"
		wait_pid "${!pid_var}"
		[ "$STATUS" -eq 0 ]
	done
	FOLD_SENDS=1 same_calls rcv socket bind setsockopt getsockname close
	[ "$(calls recvmmsg rcv-q.strace)" -gt 0 ]
	[ "$(calls recvfrom rcv-q.strace)" -eq 0 ]
}

@test "tcp-client bulk to tcp-server --echo: the same calls at every verbosity" {
	head -c 2097152 /dev/urandom >in.bin
	start_server srv "$(tool tcp-server)" -k --echo -b 127.0.0.1 0
	local mode
	for mode in "${MODES[@]}"; do
		# shellcheck disable=SC2046 # flags is one word or none
		timeout "$T" "${STRACE[@]}" -o "cli-$mode.strace" "$(tool tcp-client)" $(flags "$mode") \
			127.0.0.1 "$PORT" <in.bin >"out-$mode.bin" 2>"cli-$mode.err"
		cmp in.bin "out-$mode.bin"
	done
	same_calls cli socket connect shutdown close
}

@test "unix-socket bulk, client to server, stream and --dgram: the same calls at every verbosity" {
	head -c 2097152 /dev/urandom >in.bin
	local mode kind pid_var
	for kind in stream dgram; do
		for mode in "${MODES[@]}"; do
			local -a type=()
			[ "$kind" = stream ] || type=(--dgram)
			rm -f ./s.sock
			start_unix_server "srv_${kind}_$mode" "${type[@]}"
			# shellcheck disable=SC2046 # flags is one word or none
			timeout "$T" "${STRACE[@]}" -o "$kind-$mode.strace" "$(tool unix-socket)" client \
				$(flags "$mode") "${type[@]}" ./s.sock <in.bin >/dev/null 2>"$kind-$mode.err"
			pid_var="srv_${kind}_${mode}_PID"
			wait_pid "${!pid_var}"
			[ "$STATUS" -eq 0 ]
			cmp in.bin "srv_${kind}_$mode.out"
		done
		same_calls "$kind" socket connect close
	done
}

# start_unix_server NAME [--dgram]: a unix-socket server on ./s.sock that
# writes what it receives to NAME.out; waits until it listens.
start_unix_server() {
	local name=$1
	shift
	spawn "$name" "$(tool unix-socket)" server "$@" ./s.sock
	wait_for_line "$BATS_TEST_TMPDIR/$name.err" 'listening on '
}

@test "tcp-client --splice to tcp-server --splice: splice at every verbosity, bytes exact" {
	[ "$(uname -s)" = Linux ] || skip "splice(2) is Linux-only"
	head -c 2097152 /dev/urandom >in.bin
	local mode
	for mode in "${MODES[@]}"; do
		start_server "srv_$mode" "$(tool tcp-server)" --splice -b 127.0.0.1 0
		# stdin a pipe, the server's stdout a file: both through splice
		# shellcheck disable=SC2046 # flags is one word or none
		cat in.bin | timeout "$T" "${STRACE[@]}" -o "cli-$mode.strace" "$(tool tcp-client)" \
			--splice $(flags "$mode") 127.0.0.1 "$PORT" >/dev/null 2>"cli-$mode.err"
		local pid="srv_${mode}_PID"
		wait_pid "${!pid}"
		[ "$STATUS" -eq 0 ]
		cmp in.bin "srv_$mode.out"
	done
	same_calls cli socket connect shutdown close
	grep -qw splice cli-q.strace
	! grep -qw sendto cli-q.strace
	# -v names the call that runs, with its descriptors
	grep -Eq '\[7 send\] splice\(fd=0 -> fd=[0-9]+, [0-9]+\) = [0-9]+' cli-v.err
	grep -Eq '\[7 send\] splice\(fd=0 -> fd=[0-9]+, [0-9]+\) = 0 \(end of input\)' cli-v.err
}

@test "--splice: a pipe on stdout, a closed stdout, and what it does not fit with" {
	[ "$(uname -s)" = Linux ] || skip "splice(2) is Linux-only"
	head -c 1048576 /dev/urandom >in.bin
	# the client's stdout a pipe: the server's bytes spliced into it
	SPAWN_STDIN=in.bin start_server srv "$(tool tcp-server)" --splice -b 127.0.0.1 0
	timeout "$T" "$(tool tcp-client)" -v --splice 127.0.0.1 "$PORT" </dev/null 2>cli.err | cat >out.bin
	cmp in.bin out.bin
	grep -Eq '\[8 recv\] splice\(fd=[0-9]+ -> fd=1, [0-9]+\) = [0-9]+' cli.err
	# stdout closed: the output is blamed, not the peer
	SPAWN_STDIN=in.bin start_server srv2 "$(tool tcp-server)" --splice -b 127.0.0.1 0
	run -74 --separate-stderr timeout "$T" bash -c '"$1" --splice 127.0.0.1 "$2" </dev/null >&-' \
		_ "$(tool tcp-client)" "$PORT"
	[[ "$stderr" == *"cannot write to stdout"* ]]
	run -64 --separate-stderr "$(tool tcp-server)" --splice --echo 0
	[[ "$stderr" == *"--splice relays stdin/stdout: not with --echo"* ]]
	run -64 --separate-stderr "$(tool tcp-client)" --splice --reset 127.0.0.1 1
	[[ "$stderr" == *"--splice and --reset exclude each other"* ]]
}
