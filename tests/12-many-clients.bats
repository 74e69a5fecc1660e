#!/usr/bin/env bats
# tcp-server with many clients: the four models, --max-clients, chat mode
# (lessons/12-many-clients.md).

load helpers

setup() {
	SERVER=$(tool tcp-server)
	CLIENT=$(tool tcp-client)
	cd "$BATS_TEST_TMPDIR" || return 1
}

# held NAME TEXT...: stdin for a client that sends TEXT, then stays open
# until the file NAME.go exists, then sends "NAME bye" and ends.
held() {
	local name=$1
	shift
	# Bounded: the test directory may be gone before NAME.go is seen.
	detached bash -c 'printf "%s\n" "${@:3}"
		for ((i = 0; i < $2 * 20; i++)); do
			[ -e "$1.go" ] && break
			sleep 0.05
		done
		echo "${1##*/} bye"' held "$BATS_TEST_TMPDIR/$name" "$T" "$@"
}

# wait_for_count FILE REGEX N: poll FILE until N lines match REGEX.
wait_for_count() {
	local i
	for ((i = 0; i < T * 20; i++)); do
		[ "$(grep -Ec -- "$2" "$1")" -ge "$3" ] && return 0
		sleep 0.05
	done
	echo "fewer than $3 lines match /$2/ in $1" >&2
	return 1
}

# speaker NAME: stdin for a client that waits for NAME.go, says "hello from
# NAME", then stays connected until NAME.end exists (bounded like held).
speaker() {
	detached bash -c 'for f in go end; do
			for ((i = 0; i < $2 * 20; i++)); do
				[ -e "$1.$f" ] && break
				sleep 0.05
			done
			[ "$f" = go ] && echo "hello from ${1##*/}"
		done' speaker "$BATS_TEST_TMPDIR/$1" "$T"
}

# server_pid: the tcp-server process (spawn runs it under timeout).
server_pid() {
	pgrep -P "$srv_PID" | head -n 1	# the tool (or valgrind running it) under timeout
}

# concurrent_echo MODEL: 50 clients at once, each 256 KiB of its own bytes.
concurrent_echo() {
	local i pid
	head -c $((50 * 262144)) /dev/urandom >all.bin
	split -b 262144 -d -a 2 all.bin piece.
	start_server srv "$SERVER" -k --echo --model "$1" 0
	for ((i = 0; i < 50; i++)); do
		SPAWN_STDIN=piece.$(printf '%02d' "$i") \
			spawn "c$i" "$CLIENT" -q 127.0.0.1 "$PORT"
	done
	for ((i = 0; i < 50; i++)); do
		pid=c${i}_PID
		wait_pid "${!pid}"
		[ "$STATUS" -eq 0 ] || { echo "client $i: exit $STATUS"; cat "c$i.err"; false; }
		cmp "piece.$(printf '%02d' "$i")" "c$i.out"
	done
	kill -0 "$srv_PID"
	[ "$(grep -c '^tcp-server: closed connection from' srv.err)" -eq 50 ]
}

@test "iterative: the second client's echo comes only after the first leaves" {
	start_server srv "$SERVER" -v -k --echo --model iterative 0
	grep -q 'iterative model: one client at a time' srv.err
	SPAWN_STDIN=<(held first "first") spawn c1 "$CLIENT" 127.0.0.1 "$PORT"
	wait_for_line c1.out '^first$'
	# The kernel completes the second handshake from the accept queue...
	SPAWN_STDIN=<(echo second) spawn c2 "$CLIENT" -v 127.0.0.1 "$PORT"
	wait_for_line c2.err 'shutdown\(fd=[0-9]+, SHUT_WR\) = 0'
	# ...but the server has not accepted it, and nothing came back.
	[ "$(grep -Ec 'accept\(fd=[0-9]+\) = ' srv.err)" -eq 1 ]
	[ ! -s c2.out ]
	touch first.go
	wait_pid "$c2_PID"
	[ "$STATUS" -eq 0 ]
	[ "$(cat c2.out)" = "second" ]
	[ "$(cat c1.out)" = "$(printf 'first\nfirst bye')" ]
	# The order of the status lines: the first closed, then the second came.
	in_order "connection closed connection closed" \
		"$(sed -n -e 's/^tcp-server: \(connection\) from.*/\1/p' \
			-e 's/^tcp-server: \(closed\) connection.*/\1/p' srv.err)"
}

@test "fork: 50 concurrent clients each echo 256 KiB byte-exact" {
	concurrent_echo fork
}

@test "thread: 50 concurrent clients each echo 256 KiB byte-exact" {
	concurrent_echo thread
}

@test "poll: 50 concurrent clients each echo 256 KiB byte-exact" {
	concurrent_echo poll
}

@test "fork: no zombie children remain after 100 clients; each child's pid is named" {
	local i pid left
	start_server srv "$SERVER" -k --echo --model fork 0
	for ((i = 0; i < 100; i++)); do
		SPAWN_STDIN=<(echo "client $i") spawn "c$i" "$CLIENT" -q 127.0.0.1 "$PORT"
	done
	for ((i = 0; i < 100; i++)); do
		pid=c${i}_PID
		wait_pid "${!pid}"
		[ "$STATUS" -eq 0 ]
		[ "$(cat "c$i.out")" = "client $i" ]
	done
	[ "$(grep -Ec '^tcp-server: child [0-9]+ serves 127\.0\.0\.1:[0-9]+' srv.err)" -eq 100 ]
	pid=$(server_pid)
	[ -n "$pid" ]
	# Every child has ended; a child not reaped would stay as a zombie.
	for ((i = 0; i < 200; i++)); do
		left=$(ps --ppid "$pid" -o pid=,stat= || true)
		[ -z "$left" ] && break
		sleep 0.05
	done
	[ -z "$left" ] || { echo "children left: $left"; false; }
	kill -0 "$pid"
}

@test "--echo -k serves with the poll model unless --model says otherwise" {
	start_server srv "$SERVER" -k --echo 0
	wait_for_line srv.err '^tcp-server: poll model: one process watches every client with (epoll|poll)'
	start_server srv2 "$SERVER" -k 0
	wait_for_line srv2.err '^tcp-server: iterative model'
}

@test "poll: a client that never reads does not stall the others" {
	start_server srv "$SERVER" -k --echo --model poll 0
	# 16 MiB, never reading the echo: both directions' buffers fill up.
	spawn hog bash -c 'head -c 16777216 /dev/zero >"/dev/tcp/127.0.0.1/$1"' hog "$PORT"
	wait_for_line srv.err 'connection from'
	run -0 timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT" <<<"still served"
	[ "$output" = "still served" ]
	kill -0 "$hog_PID"
}

# max_clients ARGS...: with --max-clients 2, a third client reads the busy
# notice while the first two go on being served (c2 leaves, then c1).
max_clients() {
	start_server srv "$SERVER" -k --max-clients 2 "$@" 0
	SPAWN_STDIN=<(held c1 "one") spawn c1 "$CLIENT" -q 127.0.0.1 "$PORT"
	wait_for_count srv.err '^tcp-server: connection from' 1
	SPAWN_STDIN=<(held c2 "two") spawn c2 "$CLIENT" -q 127.0.0.1 "$PORT"
	wait_for_count srv.err '^tcp-server: connection from' 2
	wait_for_line c1.out 'one|two'
	run -0 --separate-stderr timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT" </dev/null
	[ "$output" = "server busy: too many clients, try again later" ]
	grep -Eq '^tcp-server: refused 127\.0\.0\.1:[0-9]+: --max-clients 2 reached$' srv.err
	# The first two are still served.
	touch c2.go
	wait_pid "$c2_PID"
	[ "$STATUS" -eq 0 ]
	touch c1.go
	wait_pid "$c1_PID"
	[ "$STATUS" -eq 0 ]
	kill -0 "$srv_PID"
}

@test "--max-clients 2 (poll): the third is refused with a notice, the first two go on" {
	max_clients --echo --model poll
	[ "$(cat c1.out)" = "$(printf 'one\nc1 bye')" ]
	[ "$(cat c2.out)" = "$(printf 'two\nc2 bye')" ]
}

@test "--max-clients 2 (fork): the third is refused with a notice, the first two go on" {
	max_clients --echo --model fork
	[ "$(cat c1.out)" = "$(printf 'one\nc1 bye')" ]
	[ "$(cat c2.out)" = "$(printf 'two\nc2 bye')" ]
}

@test "--max-clients 2 (thread): the third is refused with a notice, the first two go on" {
	max_clients --echo --model thread
	[ "$(cat c1.out)" = "$(printf 'one\nc1 bye')" ]
	[ "$(cat c2.out)" = "$(printf 'two\nc2 bye')" ]
}

@test "--max-clients 2 (chat): the third is refused with a notice, the first two go on" {
	max_clients --chat
	grep -Eq '^\[127\.0\.0\.1:[0-9]+\] two$' c1.out
	grep -Eq '^\[127\.0\.0\.1:[0-9]+\] c2 bye$' c1.out
	grep -Eq '^\* welcome 127\.0\.0\.1:[0-9]+, 2 here$' c2.out
}

@test "--max-clients: a freed place is given to the next client" {
	start_server srv "$SERVER" -k --echo --model thread --max-clients 1 0
	local turn try
	for ((turn = 0; turn < 3; turn++)); do
		# ($turn, not $i: bats 1.8's run overwrites i.)
		# A place is freed when the thread ends, just after its close:
		# the next client may come a moment too early and be told so.
		for ((try = 0; try < 100; try++)); do
			run -0 timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT" <<<"turn $turn"
			[ "$output" = "turn $turn" ] && break
			[ "$output" = "server busy: too many clients, try again later" ]
			sleep 0.05
		done
		[ "$output" = "turn $turn" ]
	done
	[ "$(grep -c '^tcp-server: closed connection from' srv.err)" -eq 3 ]
}

# chat_port NAME: the local port of the client whose stderr is NAME.err.
chat_port() {
	sed -n 's/.*connected to .* from .*:\([0-9]*\)$/\1/p' "$1.err"
}

@test "chat: a line from A reaches B and C but not A; a leaving client is announced" {
	start_server srv "$SERVER" --chat -k 0
	SPAWN_STDIN=<(speaker A) spawn A "$CLIENT" 127.0.0.1 "$PORT"
	SPAWN_STDIN=<(held B) spawn B "$CLIENT" 127.0.0.1 "$PORT"
	SPAWN_STDIN=<(held C) spawn C "$CLIENT" 127.0.0.1 "$PORT"
	wait_for_line srv.err 'joined the chat \(3 here\)'
	touch A.go
	wait_for_line B.out '^\[127\.0\.0\.1:[0-9]+\] hello from A$'
	wait_for_line C.out '^\[127\.0\.0\.1:[0-9]+\] hello from A$'
	grep -qx "\[127.0.0.1:$(chat_port A)\] hello from A" B.out
	# C leaves (its last words first); A and B are told.
	touch C.go
	wait_pid "$C_PID"
	[ "$STATUS" -eq 0 ]
	wait_for_line A.out "^\* 127\.0\.0\.1:$(chat_port C) left$"
	wait_for_line B.out "^\* 127\.0\.0\.1:$(chat_port C) left$"
	grep -qx "\[127.0.0.1:$(chat_port C)\] C bye" A.out
	# The server handled A's line before C's leaving: had A got its own
	# line back, it would be in A.out by now.
	[ "$(grep -c 'hello from A' A.out)" -eq 0 ]
	# Each join is announced to those already there: 2 + 1 + 0 lines.
	[ "$(cat A.out B.out C.out | grep -Ec '^\* 127\.0\.0\.1:[0-9]+ joined$')" -eq 3 ]
	grep -Eq "^\* welcome 127\.0\.0\.1:$(chat_port C), [1-3] here$" C.out
	touch B.go A.end
	wait_pid "$B_PID"
	[ "$STATUS" -eq 0 ]
	wait_pid "$A_PID"
	[ "$STATUS" -eq 0 ]
}

@test "chat: a line longer than the limit is cut, the next ones come whole, NUL and all" {
	start_server srv "$SERVER" --chat -k 0
	SPAWN_STDIN=<(held B) spawn B "$CLIENT" -q 127.0.0.1 "$PORT"
	wait_for_line srv.err 'joined the chat \(1 here\)'
	{ head -c 100000 /dev/zero | tr '\0' x; printf '\nshort line\nnul\0byte\n'; } >long.txt
	run -0 timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT" <long.txt
	wait_for_line B.out '\] short line$'
	wait_for_line B.out 'nul'
	# Any byte passes, NUL included.
	tr '\0' '@' <B.out | grep -q '\] nul@byte$'
	local cut
	cut=$(grep -aE '^\[127\.0\.0\.1:[0-9]+\] x+$' B.out)
	[ "$(tr -cd x <<<"$cut" | wc -c)" -eq 511 ]
	grep -q 'cut a line from 127.0.0.1:[0-9]* at 511 bytes' srv.err
	touch B.go
}

@test "chat without -k ends when its last client has left" {
	start_server srv "$SERVER" --chat 0
	run -0 timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT" <<<"anyone?"
	[[ "$output" == "* welcome 127.0.0.1:"*", 1 here" ]]
	wait_pid "$srv_PID"
	[ "$STATUS" -eq 0 ]
}

@test "a bad model name: exit 64 and the list of models" {
	run -64 --separate-stderr timeout "$T" "$SERVER" -k --echo --model forks 0
	[ "$stderr" = "tcp-server: unknown model 'forks': choose iterative, fork, thread or poll (try 'tcp-server --help')" ]
}

@test "relaying stdin/stdout is iterative only: another --model is a usage error" {
	run -64 --separate-stderr timeout "$T" "$SERVER" -k --model poll 0
	[[ "$stderr" == *"--model poll needs --echo or --chat: relaying stdin/stdout serves one client at a time"* ]]
	# ... while -k alone relays with one client after another.
	SPAWN_STDIN=<(echo "to you") start_server srv "$SERVER" -k --model iterative 0
	run -0 timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT" <<<"to me"
	[ "$output" = "to you" ]
	wait_for_line srv.out '^to me$'
}

@test "usage errors: --echo with --chat, --chat with another model, bad --max-clients" {
	run -64 --separate-stderr timeout "$T" "$SERVER" --echo --chat 0
	[[ "$stderr" == *"--echo and --chat exclude each other"* ]]
	run -64 --separate-stderr timeout "$T" "$SERVER" --chat --model fork 0
	[[ "$stderr" == *"--chat always uses the poll model, not fork"* ]]
	run -64 --separate-stderr timeout "$T" "$SERVER" --echo -k --max-clients 0 0
	[[ "$stderr" == *"maximum number of clients"*"'0'"* ]]
	run -64 timeout "$T" "$SERVER" --echo -k --max-clients lots 0
	run -64 timeout "$T" "$SERVER" --echo -k --model 0
}

@test "relay is byte-exact whatever stdin and stdout are: pipes, files, O_APPEND files" {
	# On Linux, pipes and files take the splice(2) path, others read/write.
	head -c 3000000 /dev/urandom >in.bin
	start_server srv "$SERVER" --echo 0
	cat in.bin | timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT" | cat >piped.bin
	cmp in.bin piped.bin
	start_server srv2 "$SERVER" --echo 0
	echo "header" >appended.bin
	cat in.bin | timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT" >>appended.bin
	cmp <(echo header; cat in.bin) appended.bin
	# The relay server's side: from a pipe, into a file and into a pipe.
	SPAWN_STDIN=<(detached cat in.bin) start_server srv3 "$SERVER" 0
	cat in.bin | timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT" | cat >back.bin
	wait_pid "$srv3_PID"
	[ "$STATUS" -eq 0 ]
	cmp in.bin back.bin
	cmp in.bin srv3.out
}

@test "-v narrates recv and send even where -q would splice(2) pipes" {
	start_server srv "$SERVER" --echo 0
	echo spliced | timeout "$T" "$CLIENT" -v 127.0.0.1 "$PORT" 2>cli.err | cat >out.txt
	[ "$(cat out.txt)" = "spliced" ]
	grep -Eq '^tcp-client: \[7 send\] send\(fd=[0-9]+, 8\) = 8$' cli.err
	grep -Eq '^tcp-client: \[8 recv\] recv\(fd=[0-9]+, [0-9]+\) = 8$' cli.err
	[ "$(grep -c 'splice(' cli.err)" -eq 0 ]
}
