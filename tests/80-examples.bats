#!/usr/bin/env bats
# The lessons' minimal programs (lessons/examples/, built by `make examples`
# into build/examples/) do what their lessons say: each one is run against
# the socklab tool on the other end, and graded like a learner's program.

load helpers
load contract

setup() {
	EX=$SOCKLAB_BUILD/examples
	[ -x "$EX/echo-server" ] || skip "no $EX: run 'make examples' (make test does)"
	CLIENT=$(tool tcp-client)
	SERVER=$(tool tcp-server)
	cd "$BATS_TEST_TMPDIR" || return 1
}

# grade EXERCISE PROGRAM...: run the course's grader on PROGRAM.
grade() {
	run timeout 120 "$SOCKLAB_ROOT/scripts/check-exercise" "$@" 3>&-
	echo "$output"
}

# start_example NAME PROGRAM [ARGS...]: start an example server on a free
# port (the last argument), wait for its "listening on" line; sets PORT.
start_example() {
	local name=$1 port
	shift
	port=$(contract_free_port)
	start_server "$name" "$@" "$port"
	[ "$PORT" = "$port" ]
}

# many_at_once N: N clients connect to $PORT, each sends a line and keeps
# its connection open until every one has its echo back; 0 if all got it
# while all were connected (an iterative server serves only the first).
many_at_once() {
	local n=$1 i ok=1
	for ((i = 1; i <= n; i++)); do
		SPAWN_STDIN=<(detached printf 'client %d\n' "$i"
			detached wait_for_line "$BATS_TEST_TMPDIR/go" '^go$' 10 2>/dev/null) \
			spawn "c$i" "$CLIENT" -q 127.0.0.1 "$PORT"
	done
	for ((i = 1; i <= n; i++)); do
		wait_for_line "c$i.out" "^client $i\$" 3 2>/dev/null || { ok=0; break; }
	done
	echo go >go
	[ "$ok" -eq 1 ]
}

@test "every example is built, and a lesson links it" {
	local src name missing=0
	for src in "$SOCKLAB_ROOT"/lessons/examples/*.c; do
		name=$(basename "$src" .c)
		[ -x "$EX/$name" ] || { echo "not built: $EX/$name"; missing=1; }
		grep -q "examples/$name\.c" "$SOCKLAB_ROOT"/lessons/[0-9][0-9]-*.md ||
			{ echo "no lesson links examples/$name.c"; missing=1; }
	done
	[ "$missing" -eq 0 ]
}

@test "the epoll examples compile elsewhere too, and refuse in one line" {
	local f
	for f in epoll-server epoll-et-bug epoll-et-fixed; do
		"${CC:-cc}" -U__linux__ -Wall -Wextra -Werror -o "$f" "$SOCKLAB_ROOT/lessons/examples/$f.c"
		run -69 --separate-stderr "./$f" 7000
		[[ "$stderr" == "$f: epoll is Linux-only"* ]]
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	done
}

@test "byte-order: a port and an address as they sit in a sockaddr_in" {
	run -0 "$EX/byte-order"
	if [ "$(printf '\1\0' | od -An -tu2 | tr -d ' ')" = 1 ]; then
		[ "${lines[0]}" = "this machine is little-endian" ]
		[ "${lines[2]}" = "  as a uint16_t here:        90 1f" ]
		[ "${lines[7]}" = "struct sockaddr_in:          02 00 1f 90 7f 00 00 01 00 00 00 00 00 00 00 00" ]
	else
		[ "${lines[0]}" = "this machine is big-endian" ]
		[ "${lines[2]}" = "  as a uint16_t here:        1f 90" ]
	fi
	[ "${lines[1]}" = "port 8080 is 0x1f90" ]
	[ "${lines[3]}" = "  htons(port), on the wire:  1f 90" ]
	[ "${lines[6]}" = "  sin_addr, on the wire:     7f 00 00 01" ]
	[ "${lines[8]}" = "getnameinfo: 127.0.0.1 port 8080; ntohs(sin_port) = 8080" ]
}

@test "byte-order: IPv6, and bad input is a usage error" {
	run -0 "$EX/byte-order" ::1 80
	[[ "$output" == *"sin6_addr:                   00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01"* ]]
	[[ "$output" == *"getnameinfo: ::1 port 80; ntohs(sin_port) = 80"* ]]
	run -64 "$EX/byte-order" 127.0.0.1 65536
	run -64 "$EX/byte-order" 127.0.0.1 99999999999999999999999
	run -64 "$EX/byte-order" 127.0.0.256 80
	[[ "$output" == "byte-order: '127.0.0.256' is not an IPv4 or IPv6 address" ]]
}

@test "echo-server passes the echo-server and reset-survivor exercises" {
	grade echo-server "$EX/echo-server"
	[ "$status" -eq 0 ]
	[[ "$output" == *"echo-server: PASS - all "*" requirements met"* ]]
	grade reset-survivor "$EX/echo-server"
	[ "$status" -eq 0 ]
	[[ "$output" == *"reset-survivor: PASS"* ]]
}

@test "echo-server: port 0 is printed; a bad port is a usage error" {
	start_server srv "$EX/echo-server" 0
	run -0 timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT" <<<"hello"
	[ "$output" = hello ]
	grep -q "^echo-server: client 127.0.0.1:[0-9]*$" srv.err
	local bad
	for bad in "" 65536 -1 7x 99999999999999999999; do
		run -64 "$EX/echo-server" $bad
		[ "$output" = "usage: echo-server PORT (0 to 65535)" ]
	done
}

@test "echo-client passes the file-client exercise" {
	grade file-client "$EX/echo-client"
	[ "$status" -eq 0 ]
	[[ "$output" == *"file-client: PASS"* ]]
}

@test "echo-client against tcp-server --echo: 1 MiB back byte-exact" {
	head -c 1048576 /dev/urandom >in.bin
	start_server srv "$SERVER" -4 -b 127.0.0.1 --echo 0
	timeout "$T" "$EX/echo-client" 127.0.0.1 "$PORT" <in.bin >out.bin
	cmp in.bin out.bin
}

@test "echo-client: refused is 69, an unknown host 68, usage 64" {
	local port
	port=$(contract_free_port)
	run -69 --separate-stderr timeout "$T" "$EX/echo-client" 127.0.0.1 "$port" </dev/null
	[ "$stderr" = "connect: Connection refused" ]
	run -68 timeout "$T" "$EX/echo-client" no-such-host.invalid 7000 </dev/null
	run -64 "$EX/echo-client" 127.0.0.1
}

@test "udp-send: each line is one datagram for udp-receiver" {
	start_server rcv "$(tool udp-receiver)" -4 -b 127.0.0.1 -c 3 --show 0
	printf 'one\n\ntwo two\n' >in.txt
	run -0 timeout "$T" "$EX/udp-send" 127.0.0.1 "$PORT" <in.txt
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 0 ]
	[ "$(sed 's/^[^ ]* //' rcv.out)" = "$(printf '%s\n' '4 bytes "one\n"' '1 byte "\n"' '8 bytes "two two\n"')" ]
}

@test "udp-recv: one recvfrom per datagram from udp-sender, with its sender" {
	start_server rcv "$EX/udp-recv" 0 2
	printf 'alpha\nbeta\n' | timeout "$T" "$(tool udp-sender)" -q 127.0.0.1 "$PORT"
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 0 ]
	[ "$(cat rcv.out)" = "$(printf 'alpha\nbeta')" ]
	[ "$(grep -c '^udp-recv: [0-9]* bytes from 127.0.0.1:[0-9]*$' rcv.err)" -eq 2 ]
	grep -q '^udp-recv: 6 bytes from ' rcv.err
	grep -q '^udp-recv: 5 bytes from ' rcv.err
	run -64 "$EX/udp-recv" 7000 0
	run -64 "$EX/udp-recv" 70000
}

@test "unix-server: echoes for unix-socket client, refuses an existing file, cleans up" {
	head -c 300000 /dev/urandom >in.bin
	spawn srv "$EX/unix-server" ./s.sock
	wait_for_line srv.err 'listening on'
	timeout "$T" "$(tool unix-socket)" client -q ./s.sock <in.bin >out.bin
	cmp in.bin out.bin
	run -71 "$EX/unix-server" ./s.sock
	[ "$output" = "unix-server: ./s.sock exists: a server runs there, or a stale file is left: remove it" ]
	kill -TERM "$srv_PID"
	wait_pid "$srv_PID"
	[ "$STATUS" -eq 0 ]
	[ ! -e s.sock ]
	run -64 "$EX/unix-server" "$(printf 'x%.0s' {1..108})"
}

@test "unix-client: talks to unix-socket server --echo; no file is 69" {
	head -c 300000 /dev/urandom >in.bin
	spawn srv "$(tool unix-socket)" server --echo ./u.sock
	wait_for_line srv.err 'listening on'
	timeout "$T" "$EX/unix-client" ./u.sock <in.bin >out.bin
	cmp in.bin out.bin
	run -69 "$EX/unix-client" ./nothing.sock </dev/null
	[ "$output" = "./nothing.sock: No such file or directory" ]
}

@test "select-server, poll-server, epoll-server pass reset-survivor" {
	local s
	for s in select-server poll-server epoll-server; do
		grade reset-survivor "$EX/$s"
		[ "$status" -eq 0 ] || { echo "$s failed"; return 1; }
	done
}

@test "select-server, poll-server, epoll-server serve 20 clients at once" {
	local s
	for s in select-server poll-server epoll-server; do
		start_example srv "$EX/$s"
		many_at_once 20 || { echo "$s did not serve 20 clients at once"; return 1; }
		cleanup_spawned
		rm -f go
	done
}

@test "the many-clients check fails an iterative server (it can fail)" {
	start_server srv "$EX/echo-server" 0
	if many_at_once 3; then
		echo "three clients were served at once by an iterative server"
		return 1
	fi
}

@test "select-server refuses a descriptor >= FD_SETSIZE, and goes on serving" {
	command -v python3 >/dev/null || skip "needs python3"
	[ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge 1100 ] || skip "ulimit -Hn below 1100"
	ulimit -n 1100
	start_example srv "$EX/select-server"
	run timeout "$T" python3 -c '
import socket, sys
port = int(sys.argv[1])
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(1030)]
held[-1].settimeout(10)
try:
    assert held[-1].recv(1) == b""  # the server closed it: refused
except ConnectionResetError:
    pass
held[0].sendall(b"still here\n")
print(held[0].recv(100).decode(), end="")
' "$PORT"
	[ "$status" -eq 0 ]
	[ "$output" = "still here" ]
	wait_for_line srv.err '^select-server: fd 1024 >= FD_SETSIZE 1024: refused$' 5
}

@test "epoll-et-bug: a 28-byte line stalls after 16 bytes; epoll-et-fixed echoes it all" {
	local s
	for s in epoll-et-bug epoll-et-fixed; do
		start_example "${s//-/_}" "$EX/$s"
		# Both lines in one send; the connection stays open for 2 s.
		{ printf 'first line: 16B\nsecond line\n'; sleep 2; } |
			timeout "$T" "$CLIENT" -q -w 1 127.0.0.1 "$PORT" >"$s.got" 2>/dev/null || true
	done
	[ "$(cat epoll-et-bug.got)" = "first line: 16B" ]
	[ "$(cat epoll-et-fixed.got)" = "$(printf 'first line: 16B\nsecond line')" ]
	grep -q '^fd [0-9]*: recv() = -1 EAGAIN: all read, wait for the next edge$' epoll_et_fixed.err
	! grep -q 'EAGAIN' epoll_et_bug.err
}

@test "connect-timeout: connected to a listening server; refused is 69 at once" {
	start_server srv "$SERVER" -4 -b 127.0.0.1 0
	run -0 timeout "$T" "$EX/connect-timeout" 127.0.0.1 "$PORT" 2
	[ "$output" = "connected to 127.0.0.1 port $PORT" ]
	local port
	port=$(contract_free_port)
	run -69 timeout 5 "$EX/connect-timeout" 127.0.0.1 "$port" 5
	[ "$output" = "connect-timeout: 127.0.0.1 port $port: Connection refused" ]
	run -64 "$EX/connect-timeout" 127.0.0.1 "$port" 0
	run -68 "$EX/connect-timeout" no-such-host.invalid 80 1
}

@test "connect-timeout: a full accept queue times out after SECS, status 75" {
	# listen(fd, 0): one connection in service, one queued; the next SYN is dropped.
	start_server srv "$SERVER" -4 -b 127.0.0.1 --backlog 0 --echo 0
	SPAWN_STDIN=<(detached sleep 8) spawn c1 "$CLIENT" -q 127.0.0.1 "$PORT"
	wait_for_line srv.err 'connection from'
	SPAWN_STDIN=<(detached sleep 8) spawn c2 "$CLIENT" 127.0.0.1 "$PORT"
	wait_for_line c2.err 'connected to'
	local t0=$SECONDS
	run -75 timeout "$T" "$EX/connect-timeout" 127.0.0.1 "$PORT" 1
	[ "$output" = "connect-timeout: 127.0.0.1 port $PORT: Connection timed out" ]
	[ $((SECONDS - t0)) -le 3 ]
}

@test "connect-timeout: a blackholed address times out (private network namespace)" {
	# A tun device nobody reads: SYNs routed to it vanish without an answer.
	unshare --user --map-root-user --net true 2>/dev/null || skip "no unprivileged network namespace"
	run timeout "$T" unshare --user --map-root-user --net sh -c '
		ip link set lo up && ip tuntap add tun0 mode tun &&
		ip addr add 198.51.100.1/24 dev tun0 && ip link set tun0 up || exit 99
		exec "$1" 198.51.100.2 80 1' _ "$EX/connect-timeout"
	[ "$status" -ne 99 ] || skip "cannot make a tun device here: $output"
	[ "$status" -eq 75 ]
	[ "$output" = "connect-timeout: 198.51.100.2 port 80: Connection timed out" ]
}

@test "frame-send | frame-recv: every line arrives as one frame" {
	start_server rcv "$EX/frame-recv" 0
	printf 'hello\n\nworld, again\n' | timeout "$T" "$EX/frame-send" 127.0.0.1 "$PORT"
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 0 ]
	[ "$(cat rcv.out)" = "$(printf 'frame 1: 5 bytes: hello\nframe 2: 0 bytes: \nframe 3: 12 bytes: world, again')" ]
}

@test "frame-send: the bytes on the wire, as tcp-server receives them" {
	start_server srv "$SERVER" -4 -b 127.0.0.1 0
	printf 'hello\nhi\n' | timeout "$T" "$EX/frame-send" 127.0.0.1 "$PORT"
	wait_pid "$srv_PID"
	[ "$(od -An -tx1 srv.out | tr -s ' \n' ' ')" = " 00 00 00 05 00 01 68 65 6c 6c 6f 00 00 00 02 00 02 68 69 " ]
	# A line longer than a frame may carry is refused, not cut.
	start_server srv2 "$SERVER" -4 -b 127.0.0.1 0
	head -c 70000 /dev/zero | tr '\0' a >long.txt
	run -65 --separate-stderr timeout "$T" "$EX/frame-send" 127.0.0.1 "$PORT" <long.txt
	[ "$stderr" = "frame-send: line 1: too long, or too many lines" ]
}

@test "frame-recv: a stream split into 1-byte pieces decodes the same" {
	start_server rcv "$EX/frame-recv" 0
	# Two frames, each byte sent alone (--nodelay, a pause between writes).
	local bytes='\0 \0 \0 \5 \0 \7 h e l l o \0 \0 \0 \1 \0 \10 !' b
	for b in $bytes; do
		printf "$b"
		sleep 0.02
	done | timeout "$T" "$CLIENT" -q --nodelay 127.0.0.1 "$PORT"
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 0 ]
	[ "$(cat rcv.out)" = "$(printf 'frame 7: 5 bytes: hello\nframe 8: 1 bytes: !')" ]
	# It really came in pieces: one recv() per byte, then the end of stream.
	[ "$(grep -c '^frame-recv: recv([0-9]*) = 1$' rcv.err)" -eq 18 ]
}

@test "frame-recv: a truncated frame and a hostile length are refused (65)" {
	start_server rcv "$EX/frame-recv" 0
	printf '\0\0\0\11\0\1abc' | timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT"
	wait_pid "$rcv_PID"
	[ "$STATUS" -eq 65 ]
	grep -qx 'frame-recv: the stream ended inside a frame' rcv.err
	start_server rcv2 "$EX/frame-recv" 0
	printf '\377\377\377\377\0\1' | timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT"
	wait_pid "$rcv2_PID"
	[ "$STATUS" -eq 65 ]
	grep -qx 'frame-recv: frame 1 claims 4294967295 bytes: refused' rcv2.err
	# A whole header, then the end of the stream before any of the text.
	start_server rcv3 "$EX/frame-recv" 0
	printf '\0\0\0\0\0\1\0\0\0\343\0\53' | timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT"
	wait_pid "$rcv3_PID"
	[ "$STATUS" -eq 65 ]
	grep -qx 'frame-recv: the stream ended inside a frame' rcv3.err
}
