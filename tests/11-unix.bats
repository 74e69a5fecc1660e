#!/usr/bin/env bats
# unix-socket: local sockets (AF_UNIX) on paths under $BATS_TEST_TMPDIR.

load helpers

setup() {
	U=$(tool unix-socket)
	cd "$BATS_TEST_TMPDIR" || return 1
}

# start_unix NAME CMD...: spawn a unix-socket server and wait until it
# prints "listening on" (start_server wants a port; a path has none).
start_unix() {
	local name=$1
	spawn "$@"
	wait_for_line "$BATS_TEST_TMPDIR/$name.err" 'listening on '
}

# as_nobody: the command prefix that runs a command as user nobody, or
# nothing if we are not root (then the caller skips).
as_nobody() {
	if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
		return 1
	fi
	NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all)
}

# error_lines TEXT: the lines of TEXT that are neither step lines nor hints.
error_lines() {
	grep -v -e '^unix-socket: \[' -e '^unix-socket: hint: ' <<<"$1" || true
}

@test "stream: 1 MiB of random bytes echoed byte-exact" {
	head -c 1048576 /dev/urandom >in.bin
	start_unix srv "$U" server --echo ./s.sock
	timeout "$T" "$U" client -q ./s.sock <in.bin >out.bin
	cmp in.bin out.bin
	wait_pid "$srv_PID"
	[ "$STATUS" -eq 0 ]
}

@test "stream: the relay carries both directions at once, binary-safe" {
	head -c 300000 /dev/urandom >to-client.bin
	head -c 200000 /dev/urandom >to-server.bin
	SPAWN_STDIN=to-client.bin start_unix srv "$U" server ./s.sock
	timeout "$T" "$U" client ./s.sock <to-server.bin >got.bin
	wait_pid "$srv_PID"
	[ "$STATUS" -eq 0 ]
	cmp to-client.bin got.bin
	cmp to-server.bin srv.out
}

@test "-v narrates the server's steps in the order of the procedure" {
	start_unix srv "$U" server -v --echo ./s.sock
	run -0 timeout "$T" "$U" client -q ./s.sock <<<"hi"
	[ "$output" = "hi" ]
	wait_pid "$srv_PID"
	in_order "socket bind listen accept getsockopt recv send recv close" "$(steps srv.err)"
	grep -Eq '^unix-socket: \[3 bind\] bind\(fd=[0-9]+, \./s\.sock\) = 0$' srv.err
	grep -Eq '^unix-socket: \[5 accept\] accept\(fd=[0-9]+\) = [0-9]+, peer \(unnamed\)$' srv.err
}

@test "dgram: 300 kB of random bytes echoed byte-exact; the client's own path is removed" {
	head -c 300000 /dev/urandom >in.bin
	start_unix srv "$U" server --dgram --echo ./d.sock
	timeout "$T" "$U" client -v --dgram ./d.sock <in.bin >out.bin 2>cli.err
	cmp in.bin out.bin
	wait_pid "$srv_PID"
	[ "$STATUS" -eq 0 ]
	grep -Eq '\[3 bind\] bind\(fd=[0-9]+, \./d\.sock\.[0-9]+\) = 0$' cli.err
	grep -q 'sent an empty datagram' cli.err
	# the client bound ./d.sock.PID for the replies and removed it
	[ -z "$(ls d.sock.* 2>/dev/null)" ]
	# the server's file is gone too, once it has exited
	[ ! -e d.sock ]
}

@test "dgram: each read of stdin is one datagram, written out whole by the server" {
	start_unix srv "$U" server -v --dgram ./d.sock
	# the second line is written only once the first has arrived on its own
	run -0 --separate-stderr timeout "$T" "$U" client --dgram ./d.sock \
		< <(printf 'first\n'; detached wait_for_line "$BATS_TEST_TMPDIR/srv.out" first; printf 'second\n')
	wait_pid "$srv_PID"
	[ "$STATUS" -eq 0 ]
	[ "$(cat srv.out)" = "$(printf 'first\nsecond')" ]
	grep -Eq 'recvfrom\(fd=[0-9]+, 65536\) = 6, from \./d\.sock\.[0-9]+$' srv.err
	grep -Eq 'recvfrom\(fd=[0-9]+, 65536\) = 7, from \./d\.sock\.[0-9]+$' srv.err
	grep -q 'end of data from ./d.sock.' srv.err
}

@test "pair: socketpair and fork; parent and child both narrate" {
	run -0 --separate-stderr timeout "$T" "$U" pair -v <<<"over the pair"
	[ "$output" = "over the pair" ]
	[[ "$stderr" =~ \[1\ socket\]\ socketpair\(AF_UNIX,\ SOCK_STREAM,\ 0\)\ =\ 0,\ fds\ [0-9]+\ and\ [0-9]+ ]]
	grep -q '^unix-socket (parent): \[7 send\] send(fd=[0-9]*, 14) = 14$' <<<"$stderr"
	grep -q '^unix-socket (child): \[8 recv\] recv(fd=[0-9]*, 65536) = 14$' <<<"$stderr"
	grep -q '^unix-socket (child): \[7 send\] send(fd=[0-9]*, 14) = 14$' <<<"$stderr"
	grep -q '^unix-socket (parent): child [0-9]* exited with status 0$' <<<"$stderr"
	# each side closes the end that belongs to the other
	grep -q '^unix-socket (parent): \[9 close\]' <<<"$stderr"
	grep -q '^unix-socket (child): \[9 close\]' <<<"$stderr"
}

@test "--abstract (Linux): a name with no file" {
	if [ "$(uname -s)" != Linux ]; then
		run -64 timeout "$T" "$U" server --abstract x
		[[ "$output" == *"--abstract needs Linux"* ]]
		return 0
	fi
	local name="socklab-test-$$-$BATS_TEST_NUMBER"
	start_unix srv "$U" server -v --abstract --echo "$name"
	grep -q "listening on @$name (abstract name: no file" srv.err
	grep -q "bind(fd=[0-9]*, @$name) = 0" srv.err
	run -0 timeout "$T" "$U" client -q --abstract "$name" <<<"no file"
	[ "$output" = "no file" ]
	[ "$(ls)" = "$(printf 'srv.err\nsrv.out')" ]
	# a second server cannot take the same name
	start_unix srv2 "$U" server -k --abstract "$name"
	run -71 --separate-stderr timeout "$T" "$U" server --abstract "$name"
	[ "$(error_lines "$stderr")" = "unix-socket: cannot bind @$name: another server holds this abstract name (EADDRINUSE)" ]
}

@test "--send-fd/--recv-fd: the client reads a file it cannot open itself" {
	printf 'the secret\n' >secret.txt
	chmod 600 secret.txt
	local -a who=()
	local name="socklab-fd-$$-$BATS_TEST_NUMBER"
	if as_nobody && [ "$(uname -s)" = Linux ]; then
		# nobody cannot even look into this test's directory
		run -1 timeout "$T" "${NOBODY[@]}" cat "$BATS_TEST_TMPDIR/secret.txt"
		who=("${NOBODY[@]}")
		# an abstract name: no directory stands between nobody and the server
		start_unix srv "$U" server --send-fd "$BATS_TEST_TMPDIR/secret.txt" --abstract "$name"
		run -0 --separate-stderr timeout "$T" "${who[@]}" "$U" client -v --recv-fd --abstract "$name"
	else
		start_unix srv "$U" server --send-fd secret.txt ./f.sock
		run -0 --separate-stderr timeout "$T" "$U" client -v --recv-fd ./f.sock
	fi
	[ "$output" = "the secret" ]
	[[ "$stderr" =~ recvmsg\(fd=[0-9]+,\ [0-9]+\)\ =\ [0-9]+,\ SCM_RIGHTS\ fd\ [0-9]+ ]]
	[[ "$stderr" == *"received fd "*"(SCM_RIGHTS): reading the file through it"* ]]
	grep -q 'passed fd [0-9]* (.*secret.txt) to the client with SCM_RIGHTS' srv.err
}

@test "--send-fd: a missing FILE fails at start-up; --recv-fd without a descriptor is exit 74" {
	run -71 --separate-stderr timeout "$T" "$U" server --send-fd no-such-file ./f.sock
	[[ "$stderr" == "unix-socket: cannot open no-such-file: No such file or directory (ENOENT)"* ]]
	[ ! -e f.sock ]
	start_unix srv "$U" server ./s.sock
	run -74 --separate-stderr timeout "$T" "$U" client --recv-fd ./s.sock
	[[ "$stderr" == *"no descriptor came from ./s.sock: is the server running with --send-fd?"* ]]
}

@test "peer credentials: the server names the client's real pid, uid and gid" {
	start_unix srv "$U" server --echo ./s.sock
	# bash writes its pid, then execs the client, which keeps that pid
	SPAWN_STDIN=<(echo x) spawn cli bash -c 'echo $$ >cli.pid; exec "$@"' _ "$U" client ./s.sock
	wait_pid "$cli_PID"
	[ "$STATUS" -eq 0 ]
	grep -q "^unix-socket: connection from pid $(cat cli.pid) (uid $(id -u), gid $(id -g))\$" srv.err
	# and the client learns the server's pid the same way
	grep -q "^unix-socket: connected to ./s.sock (server pid [0-9]*, uid $(id -u), gid $(id -g))\$" cli.err
}

@test "the socket file is created with mode 0600, or --mode" {
	start_unix srv "$U" server -v ./s.sock
	[ "$(stat -c %a s.sock)" = 600 ]
	[ -S s.sock ]
	grep -q 'umask(0177) = [0-7]*: the socket file gets mode 0600' srv.err
	start_unix srv2 "$U" server --mode 0660 ./t.sock
	[ "$(stat -c %a t.sock)" = 660 ]
	run -64 timeout "$T" "$U" server --mode 0999 ./u.sock
	[[ "$output" == *"bad mode '0999': must be octal permissions from 0 to 0777"* ]]
	run -64 timeout "$T" "$U" server --mode 01777 ./u.sock
	run -64 timeout "$T" "$U" server --mode '' ./u.sock
}

@test "mode 0600 keeps other users out: exit 77; --mode 0666 lets them in" {
	as_nobody || skip "needs root and setpriv to act as another user"
	# let nobody reach the files of this test (bats makes its run dir 0700)
	local run_dir=${BATS_RUN_TMPDIR:-$(dirname "$(dirname "$BATS_TEST_TMPDIR")")}
	local saved
	saved=$(stat -c %a "$run_dir")
	chmod o+x "$run_dir"
	start_unix srv "$U" server -k --echo ./private.sock
	run -77 --separate-stderr timeout "$T" "${NOBODY[@]}" "$U" client "$BATS_TEST_TMPDIR/private.sock" </dev/null
	[[ "$stderr" == *"= -1 EACCES (Permission denied)"* ]]
	[ "$(error_lines "$stderr")" = "unix-socket: cannot connect to $BATS_TEST_TMPDIR/private.sock: Permission denied (EACCES)" ]
	start_unix open "$U" server --mode 0666 --echo ./open.sock
	run -0 timeout "$T" "${NOBODY[@]}" "$U" client -q "$BATS_TEST_TMPDIR/open.sock" <<<"come in"
	chmod "$saved" "$run_dir"
	[ "$output" = "come in" ]
}

@test "a stale socket file is detected and explained; --unlink recovers" {
	# a crash: SIGKILL leaves no chance to remove the file
	start_unix dead bash -c 'echo $$ >dead.pid; exec "$@"' _ "$U" server ./s.sock
	kill -KILL "$(cat dead.pid)"
	wait_pid "$dead_PID"
	[ -S s.sock ]
	run -71 --separate-stderr timeout "$T" "$U" server ./s.sock
	[[ "$stderr" == *"connect(fd="*", ./s.sock, timeout 1.000s) = -1 ECONNREFUSED"* ]]
	[ "$(error_lines "$stderr")" = "unix-socket: ./s.sock is a stale socket file: nothing accepts on it (connect: ECONNREFUSED); a server that crashed or was killed left it behind" ]
	[[ "$stderr" == *"hint: remove it with --unlink (or rm ./s.sock)"* ]]
	[ -S s.sock ]
	# a client meets the same stale file as "connection refused": exit 69
	run -69 --separate-stderr timeout "$T" "$U" client ./s.sock </dev/null
	[[ "$stderr" == *"ECONNREFUSED"* ]]
	start_unix srv "$U" server --unlink --echo ./s.sock
	grep -q '^unix-socket: removed stale socket file ./s.sock$' srv.err
	run -0 timeout "$T" "$U" client -q ./s.sock <<<"alive again"
	[ "$output" = "alive again" ]
}

@test "a live server is never replaced, even with --unlink: exit 71" {
	start_unix srv "$U" server -k --echo ./s.sock
	run -71 --separate-stderr timeout "$T" "$U" server --unlink ./s.sock
	[ "$(error_lines "$stderr")" = "unix-socket: another server is listening on ./s.sock (EADDRINUSE)" ]
	run -0 timeout "$T" "$U" client -q ./s.sock <<<"still mine"
	[ "$output" = "still mine" ]
}

@test "the server removes its socket file on SIGTERM and on SIGINT" {
	local sig
	for sig in TERM INT; do
		start_unix "srv$sig" "$U" server -k ./s.sock
		[ -S s.sock ]
		local pid_var="srv${sig}_PID"
		kill -"$sig" "${!pid_var}"
		wait_pid "${!pid_var}"
		[ ! -e s.sock ]
		grep -q "^unix-socket: stopped by SIG$sig\$" "srv$sig.err"
		# it dies of the signal, so the shell sees 143 or 130
		[ "$STATUS" -eq "$([ "$sig" = TERM ] && echo 143 || echo 130)" ]
	done
}

@test "SIGTERM mid-relay: the server removes its file; the client, left with open stdin, waits quietly and stops on SIGTERM" {
	start_unix srv "$U" server ./s.sock
	SPAWN_STDIN=<(detached sleep "$T") spawn cli bash -c 'echo $$ >cli.pid; exec "$@"' _ "$U" client -v ./s.sock
	wait_for_line srv.err 'connection from'
	kill -TERM "$srv_PID"
	wait_pid "$srv_PID"
	[ ! -e s.sock ]
	# the peer is gone (POLLHUP on AF_UNIX): the client must block in poll,
	# not spin, so that a signal still reaches it
	wait_for_line cli.err 'the peer closed its side'
	kill -TERM "$(cat cli.pid)"
	wait_for_line cli.err '^unix-socket: stopped by SIGTERM$' 3
}

# --- standard descriptors: closed, or read by nobody (issue 11) -----------

@test "client with stdin closed (<&-): the end of input at once; it half-closes and exits 0" {
	start_unix srv "$U" server --echo ./s.sock
	# (before cli_init, the socket took descriptor 0 and the client polled it)
	run -0 --separate-stderr timeout 5 bash -c 'exec "$0" client -v ./s.sock <&-' "$U"
	[[ "$stderr" == *"shutdown(fd="*", SHUT_WR) = 0"* ]]
	[[ "$stderr" == *"unix-socket: closed"* ]]
	wait_pid "$srv_PID"
	[ "$STATUS" -eq 0 ]
}

@test "client with stdout closed (>&-): one line, exit 74; the server's data never goes back to it" {
	printf 'from the server\n' >srv.in
	SPAWN_STDIN=srv.in start_unix srv "$U" server ./s.sock
	run -74 --separate-stderr timeout "$T" bash -c 'exec "$0" client -q ./s.sock </dev/null >&-' "$U"
	[ "$stderr" = "unix-socket: cannot write to stdout: Bad file descriptor (EBADF): it is closed" ]
	wait_pid "$srv_PID"
	[ ! -s srv.out ]
}

@test "server with stdout closed (>&-): one line, exit 74, and its socket file is removed" {
	start_unix srv bash -c 'exec "$0" server ./s.sock >&-' "$U"
	run timeout "$T" "$U" client -q ./s.sock <<<"to nobody"
	wait_pid "$srv_PID"
	[ "$STATUS" -eq 74 ]
	[ "$(grep -v -e 'listening on' -e 'connection from' srv.err)" = "unix-socket: cannot write to stdout: Bad file descriptor (EBADF): it is closed" ]
	[ ! -e s.sock ]
}

@test "client | head -1: 'nobody reads stdout', exit 74, never blamed on the server" {
	seq 1 200000 >lines.txt
	SPAWN_STDIN=lines.txt start_unix srv "$U" server ./s.sock
	run -0 timeout "$T" bash -c '"$0" client ./s.sock </dev/null 2>cli.err | head -n 1
		echo "client exit ${PIPESTATUS[0]}" >>cli.err' "$U"
	[ "$output" = "1" ]
	grep -qx 'unix-socket: cannot write to stdout: Broken pipe (EPIPE): nobody reads it any more' cli.err
	grep -qx 'client exit 74' cli.err
	! grep -q 'connection to' cli.err
}

@test "pair with stdout closed (>&-): one line and exit 74, no echo loop" {
	run -74 --separate-stderr timeout "$T" bash -c 'exec "$0" pair -q >&-' "$U" <<<"hello"
	[ "$stderr" = "unix-socket (parent): cannot write to stdout: Bad file descriptor (EBADF): it is closed" ]
}

@test "too-long path: exit 64 and one line, before any system call" {
	local long
	long=./$(printf 'd%.0s' {1..120}).sock
	run -64 --separate-stderr timeout "$T" "$U" server -v "$long"
	[ "$stderr" = "unix-socket: path './dddddddddddddddddddddd...' is 127 bytes: a Unix socket path must fit in sun_path: at most 107 bytes; use a shorter or relative path" ]
	run -64 --separate-stderr timeout "$T" "$U" client -v "$long"
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	[ ! -e "$long" ]
}

@test "missing directory: exit 71 and one error line" {
	run -71 --separate-stderr timeout "$T" "$U" server ./no-such-dir/s.sock
	[[ "$stderr" == *"bind(fd="*", ./no-such-dir/s.sock) = -1 ENOENT"* ]]
	[ "$(error_lines "$stderr")" = "unix-socket: cannot bind ./no-such-dir/s.sock: its directory does not exist (ENOENT)" ]
	run -69 --separate-stderr timeout "$T" "$U" client ./no-such-dir/s.sock </dev/null
	[ "$(error_lines "$stderr")" = "unix-socket: cannot connect to ./no-such-dir/s.sock: No such file or directory (ENOENT)" ]
}

@test "a regular file in the way is never deleted: exit 71 and one line" {
	echo "precious" >data.txt
	run -71 --separate-stderr timeout "$T" "$U" server --unlink ./data.txt
	[ "$stderr" = "unix-socket: ./data.txt exists and is not a socket: refusing to delete it; choose another path" ]
	[ "$(cat data.txt)" = "precious" ]
}

@test "no server: exit 69, ENOENT and a hint" {
	run -69 --separate-stderr timeout "$T" "$U" client ./nobody-here.sock </dev/null
	[[ "$stderr" == *"connect(fd="*", ./nobody-here.sock) = -1 ENOENT (No such file or directory)"* ]]
	[ "$(error_lines "$stderr")" = "unix-socket: cannot connect to ./nobody-here.sock: No such file or directory (ENOENT)" ]
	[[ "$stderr" == *"hint: no socket file at ./nobody-here.sock: start the server first"* ]]
	run -69 timeout "$T" "$U" client --dgram ./nobody-here.sock </dev/null
	[ -z "$(ls nobody-here.sock* 2>/dev/null)" ]
}

@test "the wrong socket type: exit 71 and what to change; the client's own path is removed" {
	start_unix srv "$U" server -k --echo ./s.sock
	run -71 --separate-stderr timeout "$T" "$U" client --dgram ./s.sock </dev/null
	[ "$(error_lines "$stderr")" = "unix-socket: cannot connect to ./s.sock: the server uses the other socket type (EPROTOTYPE); leave out --dgram" ]
	[ -z "$(ls s.sock.* 2>/dev/null)" ]
	start_unix dsrv "$U" server --dgram ./d.sock
	run -71 --separate-stderr timeout "$T" "$U" client ./d.sock </dev/null
	[[ "$stderr" == *"(EPROTOTYPE); add --dgram" ]]
}

@test "usage errors: subcommand, PATH and options that do not fit" {
	run -64 --separate-stderr timeout "$T" "$U"
	[ "$stderr" = "unix-socket: missing subcommand: server, client or pair (try 'unix-socket --help')" ]
	run -64 --separate-stderr timeout "$T" "$U" serve ./s.sock
	[[ "$stderr" == *"unknown subcommand 'serve'"* ]]
	run -64 --separate-stderr timeout "$T" "$U" server
	[[ "$stderr" == *"missing PATH"* ]]
	run -64 --separate-stderr timeout "$T" "$U" client a b
	[[ "$stderr" == *"too many arguments"* ]]
	run -64 --separate-stderr timeout "$T" "$U" pair ./s.sock
	[[ "$stderr" == *"pair takes no PATH"* ]]
	run -64 --separate-stderr timeout "$T" "$U" client --echo ./s.sock
	[[ "$stderr" == *"are for the server"* ]]
	run -64 --separate-stderr timeout "$T" "$U" server --recv-fd ./s.sock
	[[ "$stderr" == *"--recv-fd is for the client"* ]]
	run -64 --separate-stderr timeout "$T" "$U" server --dgram --send-fd /etc/hostname ./s.sock
	[[ "$stderr" == *"leave out --dgram"* ]]
	run -64 --separate-stderr timeout "$T" "$U" server --abstract --mode 0600 x
	[[ "$stderr" == *"an abstract name has no file"* ]]
	run -64 --separate-stderr timeout "$T" "$U" server ""
	[[ "$stderr" == *"path must not be empty"* ]]
	# nothing was created (bats keeps its separate-stderr files here)
	[ -z "$(ls -A | grep -v '^separate-stderr-')" ]
}
