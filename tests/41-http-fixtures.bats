#!/usr/bin/env bats
# The web-server grader against the servers of tests/fixtures/http/: the
# correct solutions pass, and each broken one fails exactly the
# requirements its bug breaks and passes the others (the verdict table of
# lessons/14-build-a-web-server.md). These check the grader, not our
# build, so an ASan run (make sanitize) skips them.
#
# Most of a grading is waiting (for a timeout, a trickle, a load), so
# setup_file starts every grading in the background, two at a time, and
# each test reads the report of its own.

load helpers

# NAME|STAGES|COMMAND: one grading. $BAD is bad-httpd, $FIX the fixtures.
JOBS=(
	'minimal|1-6,9|python3 $FIX/minimal.py'
	'webserver-good|1-10|python3 $FIX/webserver.py good'
	'bad-good|1-5,9,10|$BAD good'
	'no-crlf|1|$BAD no-crlf'
	'wrong-length|1-2|python3 $FIX/webserver.py wrong-length'
	'no-404|1-2|python3 $FIX/webserver.py no-404'
	'no-index|1-2|$BAD no-index'
	'head-body|1-3|$BAD head-body'
	'no-host-400|1-3|python3 $FIX/webserver.py no-host-400'
	'close-keepalive|1-4|$BAD close-keepalive'
	'no-pipelining|1-4|python3 $FIX/webserver.py no-pipelining'
	'iterative|1-5|$BAD iterative'
	'partial-upload|6|python3 $FIX/webserver.py partial-upload'
	'no-chunked|6|python3 $FIX/webserver.py no-chunked'
	'delete-anywhere|7|python3 $FIX/webserver.py delete-anywhere'
	'cgi-env-missing|8|python3 $FIX/webserver.py cgi-env-missing'
	'cgi-no-timeout|8|python3 $FIX/webserver.py cgi-no-timeout'
	'traversal|9|python3 $FIX/webserver.py traversal'
	'sigpipe|5,9|$BAD sigpipe'
	'fd-leak|10|$BAD fd-leak'
	'mem-leak|10|$BAD mem-leak'
	'zombies|10|$BAD zombies'
)

# run_job LINE: grade one JOBS line into $RESULTS/NAME.out and NAME.rc.
run_job() {
	local name stages command
	IFS='|' read -r name stages command <<<"$1"
	command=${command//\$FIX/$FIX}
	command=${command//\$BAD/$BAD}
	# shellcheck disable=SC2086 # the command's words
	timeout 240 python3 "$GRADER" --clients 10 --seconds 2 --only "$stages" \
		$command >"$RESULTS/$name.out" 2>&1 </dev/null
	echo "$?" >"$RESULTS/$name.rc"
}

setup_file() {
	[ -z "${ASAN_OPTIONS:-}" ] || return 0
	export GRADER=$SOCKLAB_ROOT/scripts/http-grader/grade.py
	export FIX=$SOCKLAB_ROOT/tests/fixtures/http
	export BAD=$BATS_FILE_TMPDIR/bad-httpd RESULTS=$BATS_FILE_TMPDIR/results
	"${CC:-cc}" -std=c11 -D_GNU_SOURCE -O1 -Wall -Wextra -pthread \
		-o "$BAD" "$BATS_TEST_DIRNAME/fixtures/http/bad-httpd.c"
	mkdir -p "$RESULTS"
	export -f run_job
	(close_fds; exec setsid xargs -P 2 -d '\n' -n 1 bash -c 'run_job "$1"' _ \
		< <(printf '%s\n' "${JOBS[@]}")) >/dev/null 2>&1 &
	echo "$!" >"$BATS_FILE_TMPDIR/jobs.pid"
}

teardown_file() {
	local pid
	pid=$(cat "$BATS_FILE_TMPDIR/jobs.pid" 2>/dev/null) || return 0
	# The graders stop their servers when they are stopped (SIGTERM).
	kill -TERM -- "-$pid" 2>/dev/null || true
	wait_pid "$pid" 10
}

setup() {
	if [ -n "${ASAN_OPTIONS:-}" ]; then
		skip "the grader's fixtures do not change with an ASan build"
	fi
}

# result NAME: wait for that grading; its report in $output, status in $status.
result() {
	local i
	for ((i = 0; i < 6000; i++)); do
		[ -s "$RESULTS/$1.rc" ] && break
		sleep 0.1
	done
	status=$(cat "$RESULTS/$1.rc")
	output=$(cat "$RESULTS/$1.out")
}

# failed_ids: the requirement ids the report marks FAIL, on one line.
failed_ids() {
	sed -n 's/^  FAIL  \([0-9.]*\) .*/\1/p' <<<"$output" | tr '\n' ' ' | sed 's/ $//'
}

# fails_exactly NAME "IDS": that grading failed exactly the requirements
# IDS and passed every other one.
fails_exactly() {
	result "$1"
	[ "$status" -eq 1 ] && [ "$(failed_ids)" = "$2" ] || {
		echo "want FAIL: $2"
		echo "got  FAIL: $(failed_ids) (exit status $status)"
		echo "$output"
		return 1
	}
}

@test "minimal.py (stages 1-5) passes 1-5 and 9, and stops at stage 6" {
	fails_exactly minimal "6.1 6.2 6.3"
	[[ "$output" == *"first failing stage: 6 (request bodies and uploads)"* ]]
}

@test "webserver.py good, a complete solution, passes all ten stages" {
	result webserver-good
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *"stages 1,2,3,4,5,6,7,8,9,10;"* ]]
	[[ "$output" == *"http-server: PASS - all "*" requirements met"* ]]
}

@test "bad-httpd good, the C base of the broken servers, passes 1-5, 9 and 10" {
	result bad-good
	[ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "stage 1: head lines ending in a bare LF (C) fail 1.2 and 1.3, with a caret at the LF" {
	fails_exactly no-crlf "1.2 1.3"
	[[ "$output" == *'expected  HTTP/1.1 200 OK\r\n'* ]]
	[[ "$output" == *'received  HTTP/1.1 200 OK\nServer: bad-httpd'* ]]
	grep -q '^ *\^ byte 15$' <<<"$output"
}

@test "stage 2: Content-Length in characters (Python) fails 2.1" {
	fails_exactly wrong-length "2.1"
	[[ "$output" == *"Content-Length is not the file's size in bytes"* ]]
}

@test "stage 2: no 404 (Python) fails 2.4; ignoring index.html (C) fails 2.5" {
	fails_exactly no-404 "2.4"
	fails_exactly no-index "2.5"
}

@test "stage 3: HEAD with a body (C) fails 3.1; no 400 without Host (Python) fails 3.3" {
	fails_exactly head-body "3.1"
	[[ "$output" == *"13 body bytes came after the head"* ]]
	fails_exactly no-host-400 "3.3"
}

@test "stage 4: closing keep-alive (C) fails 4.1 and 4.2; breaking pipelining (Python) fails 4.2" {
	fails_exactly close-keepalive "4.1 4.2"
	[[ "$output" == *"closed the connection after the first response, without Connection: close"* ]]
	[[ "$output" == *"curl -si --path-as-is http://127.0.0.1:"*"/hello.txt http://127.0.0.1:"*"/style.css"* ]]
	fails_exactly no-pipelining "4.2"
	[[ "$output" == *"response 2 of 3: no response"* ]]
}

@test "stage 5: one connection at a time (C) fails 5.2-5.4, not the 50 clients of 5.1" {
	fails_exactly iterative "5.2 5.3 5.4"
	[[ "$output" == *"ended     still open, but no whole response came within 2.0 s"* ]]
}

@test "stage 6: partial uploads and undecoded chunked bodies (Python) fail 6.4 and 6.2" {
	fails_exactly partial-upload "6.3 6.4"
	[[ "$output" == *"the upload area still holds ['partial.bin']"* ]]
	fails_exactly no-chunked "6.2 6.3"
	[[ "$output" == *"on disk   1000\r\n"* ]]
}

@test "stage 7: DELETE outside the upload area (Python) fails 7.3" {
	fails_exactly delete-anywhere "7.3"
	[[ "$output" == *"DELETE /index.html deleted ROOT/index.html"* ]]
}

@test "stage 8: a CGI environment without PATH_INFO, and a hanging script never killed (Python)" {
	fails_exactly cgi-env-missing "8.1"
	[[ "$output" == *"QUERY_STRING missing; PATH_INFO missing"* ]]
	fails_exactly cgi-no-timeout "8.4"
}

@test "stage 9: traversal (Python) fails 9.1; death by SIGPIPE (C) fails 9.6 and says so" {
	fails_exactly traversal "9.1"
	[[ "$output" == *"served ROOT/../secret.txt, a file outside ROOT"* ]]
	fails_exactly sigpipe "9.6"
	[[ "$output" == *"the server died during this requirement: killed by SIGPIPE (141)"* ]]
	[[ "$output" == *"MSG_NOSIGNAL"* ]]
}

@test "stage 10: a descriptor, memory or zombie leak (C) each fails its requirement" {
	fails_exactly fd-leak "10.2"
	[[ "$output" == *"leaked"* ]]
	fails_exactly mem-leak "10.3"
	fails_exactly zombies "10.4"
	[[ "$output" == *"child processes are zombies"* ]]
}
