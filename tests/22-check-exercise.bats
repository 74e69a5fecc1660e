#!/usr/bin/env bats
# scripts/check-exercise, the course's grader: it passes our reference tools
# and gives the verdict tests/fixtures/students/VERDICTS expects for every
# student program there (C and Python, correct and subtly broken), with
# messages that say what to fix, within its time budget.
# SOCKLAB_GRADERS=N grades N student programs at once (default 3).

load helpers

# The student programs are graded in the background, a few at a time, as
# soon as the file starts (grading is mostly waiting); each test below
# waits for the grading it reads. At most this many at once:
GRADERS=${SOCKLAB_GRADERS:-3}

setup_file() {
	local f
	STUDENTS=$BATS_TEST_DIRNAME/fixtures/students
	# The interpreter itself, not a wrapper that finds it on every start
	# (pyenv's shims take most of a second).
	PYTHON=$(python3 -c 'import sys; print(sys.executable)')
	export PYTHON STUDENTS
	for f in "$STUDENTS"/*.c; do
		"${CC:-cc}" -std=c11 -D_GNU_SOURCE -O1 -Wall -Wextra \
			-o "$BATS_FILE_TMPDIR/$(basename "$f" .c)" "$f"
	done
	mkdir -p "$BATS_FILE_TMPDIR/grades"
	(close_fds; grade_all) </dev/null >/dev/null 2>&1 &
	echo "$!" >"$BATS_FILE_TMPDIR/grade_all.pid"
}

# tree PID: PID and its descendants, one per line.
tree() {
	local child
	echo "$1"
	for child in $(pgrep -P "$1" 2>/dev/null); do
		tree "$child"
	done
}

teardown_file() {
	# Gradings a filtered run never waited for: stop them and theirs.
	# shellcheck disable=SC2046 # one pid per word
	kill -TERM $(tree "$(cat "$BATS_FILE_TMPDIR/grade_all.pid")") 2>/dev/null || true
}

# student_command FILE: how to run a student program.
student_command() {
	case $1 in
	*.c) echo "$BATS_FILE_TMPDIR/${1%.c}" ;;
	*.py) echo "$PYTHON $STUDENTS/$1" ;;
	esac
}

# grade_all: grade every program of VERDICTS, GRADERS at a time, into
# grades/FILE (the grader's output, then a line "status N").
grade_all() {
	local file exercise status
	while read -r file _ _ client_v _; do
		case $file in '#'* | '') continue ;; esac
		exercise=reset-survivor
		[ "$client_v" = - ] || exercise=file-client
		while [ "$(jobs -rp | wc -l)" -ge "$GRADERS" ]; do
			wait -n || true
		done
		(
			status=0
			# shellcheck disable=SC2046 # the command's words
			timeout 120 "$SOCKLAB_ROOT/scripts/check-exercise" "$exercise" \
				$(student_command "$file") >"$BATS_FILE_TMPDIR/grades/$file.tmp" 2>&1 || status=$?
			echo "status $status" >>"$BATS_FILE_TMPDIR/grades/$file.tmp"
			mv "$BATS_FILE_TMPDIR/grades/$file.tmp" "$BATS_FILE_TMPDIR/grades/$file"
		) &
	done <"$STUDENTS/VERDICTS"
	wait
}

# graded FILE: the grader's output for FILE in $output, its status in
# $status, once the background grading is done (at most 5 minutes).
graded() {
	local i
	for ((i = 0; i < 3000; i++)); do
		[ -e "$BATS_FILE_TMPDIR/grades/$1" ] && break
		sleep 0.1
	done
	output=$(sed '$d' "$BATS_FILE_TMPDIR/grades/$1")
	status=$(sed -n '$s/^status //p' "$BATS_FILE_TMPDIR/grades/$1")
}

setup() {
	CHECK=$SOCKLAB_ROOT/scripts/check-exercise
}

# grade EXERCISE PROGRAM...: run the grader (bounded), output in $output.
grade() {
	run timeout 120 "$CHECK" "$@" 3>&-
}

# failed_keys: the short names of the requirements that failed in $output.
failed_keys() {
	sed -n 's/^  FAIL  //p' <<<"$output" | sed -E \
		-e 's/^listens on.*/listens/' -e 's/^echoes a line.*/line/' \
		-e 's/^echoes 1 MiB.*/1mib/' -e 's/^echoes 8 MiB.*/8mib/' \
		-e 's/^echoes each piece.*/piece/' -e 's/^echoes every byte when.*/segments/' \
		-e 's/^closes the connection.*/close/' \
		-e 's/^serves 10 clients.*/clients/' -e 's/^can be restarted.*/restart/' \
		-e 's/^survives 20 clients.*/resets/' -e 's/^survives clients that half-close.*/epipe/' \
		-e 's/^survives resets in the middle.*/midreset/' \
		-e 's/^sends 16 MiB.*/16mib/' -e 's/^half-closes at the end.*/reply/' \
		-e 's/^prints the whole reply when.*/pieces/' \
		-e 's/^writes what the server sends.*/download/' -e 's/^exits with a non-zero.*/refused/'
}

# grade_student FILE: grade it and check every verdict VERDICTS gives it.
grade_student() {
	local file=$1 echo_v reset_v client_v must keys key
	read -r _ echo_v reset_v client_v must < <(awk -v f="$file" '$1 == f' "$STUDENTS/VERDICTS")
	[ -n "$echo_v" ] || { echo "$file is not in VERDICTS"; return 1; }
	graded "$file"
	echo "$output"
	if [ "$client_v" != - ]; then
		[[ "$output" == *"file-client: $client_v"* ]] || { echo "expected file-client: $client_v"; return 1; }
	else
		[[ "$output" == *"reset-survivor: $reset_v"* ]] || { echo "expected reset-survivor: $reset_v"; return 1; }
		keys=$(failed_keys)
		# echo-server passes when none of its own requirements failed.
		if grep -qxE 'listens|line|1mib|8mib|piece|segments|close|clients|restart' <<<"$keys"; then
			[ "$echo_v" = FAIL ] || { echo "expected echo-server: PASS"; return 1; }
		else
			[ "$echo_v" = PASS ] || { echo "expected echo-server: FAIL"; return 1; }
		fi
	fi
	# must: one requirement, or several joined by commas, that must fail.
	if [ "$must" != - ]; then
		for key in ${must//,/ }; do
			grep -qx "$key" <<<"$(failed_keys)" || { echo "expected '$key' to fail"; return 1; }
		done
	fi
	# Every failure says why, and gives no advice the program already follows.
	[[ "$output" != *"why: see tests/"* ]]
	[[ "$output" == *"check-exercise: time budget: "* ]]
}

# First the corpus, graded in the background; then what grades in the
# foreground, once those gradings no longer compete with it for the CPU.

@test "students: every program in tests/fixtures/students has a line in VERDICTS and a test here" {
	local f missing=0
	for f in "$STUDENTS"/*.c "$STUDENTS"/*.py; do
		f=${f##*/}
		awk -v f="$f" '$1 == f { found = 1 } END { exit !found }' "$STUDENTS/VERDICTS" ||
			{ echo "$f has no line in VERDICTS"; missing=1; }
		grep -qF "grade_student $f;" "$BATS_TEST_FILENAME" ||
			{ echo "$f is not graded in tests/22-check-exercise.bats"; missing=1; }
	done
	[ "$missing" -eq 0 ]
	[ "$(ls "$STUDENTS"/*.c "$STUDENTS"/*.py | wc -l)" -ge 25 ]
}

@test "students: echo_good.c" { grade_student echo_good.c; }
@test "students: echo_good.py" { grade_student echo_good.py; }
@test "students: echo_threads.py" { grade_student echo_threads.py; }
@test "students: echo_fork.c" { grade_student echo_fork.c; }
@test "students: echo_poll.c" { grade_student echo_poll.c; }
@test "students: echo_dual.c" { grade_student echo_dual.c; }
@test "students: echo_sigpipe.c" { grade_student echo_sigpipe.c; }
@test "students: echo_die_on_epipe.py" { grade_student echo_die_on_epipe.py; }
@test "students: echo_die_on_reset.py" { grade_student echo_die_on_reset.py; }
@test "students: echo_leak_on_error.c" { grade_student echo_leak_on_error.c; }
@test "students: echo_v6only.c" { grade_student echo_v6only.c; }
@test "students: echo_noreuse.py" { grade_student echo_noreuse.py; }
@test "students: echo_one_client.c" { grade_student echo_one_client.c; }
@test "students: echo_eintr.c" { grade_student echo_eintr.c; }
@test "students: echo_shutdown_only.c" { grade_student echo_shutdown_only.c; }
@test "students: echo_late.py" { grade_student echo_late.py; }
@test "students: echo_drop_tail.c" { grade_student echo_drop_tail.c; }
@test "students: echo_never_closes.py" { grade_student echo_never_closes.py; }
@test "students: echo_partial.c" { grade_student echo_partial.c; }
@test "students: echo_extra.py" { grade_student echo_extra.py; }
@test "students: echo_blank_ends.py" { grade_student echo_blank_ends.py; }
@test "students: client_good.c" { grade_student client_good.c; }
@test "students: client_good.py" { grade_student client_good.py; }
@test "students: client_nonblock.c" { grade_student client_nonblock.c; }
@test "students: client_partial.c" { grade_student client_partial.c; }
@test "students: client_sndtimeo.c" { grade_student client_sndtimeo.c; }
@test "students: client_timeout_send.py" { grade_student client_timeout_send.py; }
@test "students: client_text.py" { grade_student client_text.py; }
@test "students: client_close_at_eof.c" { grade_student client_close_at_eof.c; }
@test "students: client_no_halfclose.py" { grade_student client_no_halfclose.py; }
@test "students: client_one_recv.c" { grade_student client_one_recv.c; }
@test "students: client_exit0_refused.py" { grade_student client_exit0_refused.py; }
@test "students: client_quiet_end.py" { grade_student client_quiet_end.py; }

@test "reset-survivor: our tcp-server --echo -k passes" {
	grade reset-survivor "$(tool tcp-server)" --echo -k
	[ "$status" -eq 0 ]
	[[ "$output" == *"reset-survivor: PASS - all 12 requirements met"* ]]
	[[ "$output" != *"FAIL"* ]]
}

@test "file-client: our tcp-client passes, run by a relative path" {
	cd "$SOCKLAB_BUILD"
	grade file-client ./tcp-client
	[ "$status" -eq 0 ]
	[[ "$output" == *"running: ./tcp-client 127.0.0.1 PORT"* ]]
	[[ "$output" == *"file-client: PASS - all 5 requirements met"* ]]
}

@test "reset-survivor: a server that dies of a reset passes echo-server, fails reset-survivor" {
	grade echo-server "$PYTHON" "$STUDENTS/echo_die_on_reset.py"
	[ "$status" -eq 0 ]
	[[ "$output" == *"echo-server: PASS - all 9 requirements met"* ]]
	graded echo_die_on_reset.py
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAIL  survives 20 clients that reset the connection"* ]]
	[[ "$output" == *"ConnectionResetError"* ]]
	[[ "$output" == *"reset-survivor: FAIL - 3 of 12 requirements not met"* ]]
}

@test "messages: a failure through net-relay names the relay and its impairment" {
	graded echo_blank_ends.py
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAIL  echoes every byte when the network hands them over one at a time (net-relay --segment 1)"* ]]
	[[ "$output" == *"why: through net-relay --segment 1 --rate 1000 (every byte its own TCP segment"* ]]
	[[ "$output" == *"TCP keeps no message boundaries"* ]]
	graded echo_die_on_reset.py
	[[ "$output" == *"FAIL  survives resets in the middle of a 1 MiB echo (net-relay --reset-after)"* ]]
	[[ "$output" == *"reset by net-relay --reset-after 262144 (256 KiB into each 1 MiB echo)"*"ConnectionResetError"* ||
		"$output" == *"net-relay --reset-after 262144 reset a client's connection 256 KiB into its 1 MiB echo"*"ConnectionResetError"* ]]
}

@test "messages: a server killed by SIGPIPE is told so, by name, and not to loop on accept" {
	graded echo_sigpipe.c
	[ "$status" -eq 1 ]
	[[ "$output" == *"it was killed by SIGPIPE (status 141)"* ]]
	[[ "$output" == *"ignore SIGPIPE"* ]]
	[[ "$output" != *"in a loop"* ]]
}

@test "messages: a server that dies of EINTR is told to retry, not to loop on accept" {
	graded echo_eintr.c
	[ "$status" -eq 1 ]
	[[ "$output" == *'its last words on stderr: "accept: Interrupted system call"'* ]]
	[[ "$output" == *"SA_RESTART"* ]]
	[[ "$output" != *"in a loop"* ]]
}

@test "messages: a server that returns after one client is told to accept in a loop" {
	graded echo_one_client.c
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAIL  serves 10 clients one after another"* ]]
	[[ "$output" == *"the server exited (status 0) after its first client: accept the next connection in a loop"* ]]
}

@test "messages: an IPv6-only server is told that 127.0.0.1 cannot reach it" {
	graded echo_v6only.c
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAIL  listens on 127.0.0.1 at the port given as its last argument"* ]]
	[[ "$output" == *"only: an IPv6 socket with IPV6_V6ONLY set, or bound to ::1, so a client of 127.0.0.1 is refused"* ]]
}

@test "messages: what came back is shown next to what was expected" {
	graded echo_drop_tail.c
	[[ "$output" == *"one line: sent 12 bytes [h e l l o , e c h o \n], got nothing back"* ]]
	[[ "$output" == *"sent 1049999 bytes, got only the first 1048576 back (the last 1423 are missing): it ends ["* ]]
	graded echo_extra.py
	[[ "$output" == *"expected [h e l l o , e c h o \n] but got [w e l c o m e"* ]]
}

# ms_now: the wall clock in milliseconds.
ms_now() {
	local t=${EPOCHREALTIME/[.,]/}
	echo $((10#$t / 1000))
}

# graded_within MS: a grading that took MS ms took under 15 s, or, on a
# machine so busy that the grader's own work (starting bats, the program,
# its checks) runs slower than on an idle one, under 15 s times that
# slowdown (at most 4): BASELINE_MS is a grading with no waits at all (a
# program that exits at once), about 2 s on an idle machine. What must be
# bounded is the waiting; a wait that is not gets past any of these.
graded_within() {
	local scale=${CONTRACT_SCALE:-1}
	local limit=$((BASELINE_MS > 2000 ? 15 * BASELINE_MS / 2 : 15000))
	limit=$((limit > 60000 ? 60000 : limit))
	limit=$((limit * scale))	# every wait is stretched as much
	echo "graded in $1 ms; a grading with no waits took $BASELINE_MS ms: limit $limit ms"
	[ "$1" -lt "$limit" ]
}

@test "budget: a server that never listens, and one that never answers, each grade in under 15 s" {
	local start
	start=$(ms_now)
	grade reset-survivor false
	BASELINE_MS=$(($(ms_now) - start))
	[[ "$output" == *"ended before listening"* ]]
	start=$(ms_now)
	grade reset-survivor sleep 60
	graded_within $(($(ms_now) - start))
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"did not listen on port"* ]]
	[[ "$output" == *"not tried: "* ]]
	start=$(ms_now)
	grade reset-survivor "$PYTHON" -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", int(sys.argv[1]))); s.listen(); time.sleep(60)'
	graded_within $(($(ms_now) - start))
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"one line: sent 12 bytes"*"got nothing back"* ]]
}

@test "check-exercise: usage errors exit 64 and name the exercises" {
	run -64 "$CHECK"
	[[ "$output" == *"usage"* || "$output" == *"check-exercise NAME PROGRAM"* ]]
	run -64 "$CHECK" no-such-exercise "$(tool tcp-server)"
	[[ "$output" == *"unknown exercise 'no-such-exercise' (echo-server, reset-survivor, file-client, http-server)"* ]]
	run -64 "$CHECK" echo-server ./no/such/program
	[[ "$output" == *"no program './no/such/program'"* ]]
}

@test "check-exercise http-server is the web grader of lesson 14: stage 1 of mini-httpd passes" {
	run -0 "$CHECK" http-server --stage 1 "$(tool mini-httpd)" -p
	[[ "$output" == *"PASS  1.2 answers GET / with a status line"* ]]
	[[ "$output" == *"http-server: PASS - all 4 requirements met"* ]]
	# and it fails where it should: tcp-server is no web server
	run -1 "$CHECK" http-server --stage 1 "$(tool tcp-server)" --echo -k
	[[ "$output" == *"FAIL  1.2"* ]]
	run -64 "$CHECK" http-server --stage 11 "$(tool mini-httpd)" -p
}

@test "README: the course section's check-exercise command passes" {
	local cmd
	cmd=$(sed -n '/^## The course/,/^## /p' "$SOCKLAB_ROOT/README.md" | grep -m1 '^scripts/check-exercise ')
	[ -n "$cmd" ]
	cd "$SOCKLAB_ROOT"
	# The build under test stands in for build/ (make sanitize uses another).
	cmd=${cmd//build\//$SOCKLAB_BUILD/}
	run timeout 120 bash -c "$cmd" 3>&-
	[ "$status" -eq 0 ]
	[[ "$output" == *"PASS - all 9 requirements met"* ]]
}
