#!/usr/bin/env bats
# The web-server track's grader (scripts/http-grader/, lessons/14): it
# passes mini-httpd at every stage mini-httpd supports, and what it prints
# (the FAIL block, TAP, JUnit, usage errors, time budgets) is what the
# lesson says. The verdicts on the broken servers: 41-http-fixtures.bats.

load helpers

# How mini-httpd is graded: the ONE place that says which stages it must
# pass (all ten since part B of issue 16: --upload, --cgi).
MINI_HTTPD_STAGES=1-10
MINI_HTTPD_ARGS=(--upload @UPLOAD@ --cgi .py=/usr/bin/python3 --cgi-timeout 2 -p)

# Stage 10's load in the suite: small, but every part of it runs.
LOAD=(--clients 10 --seconds 2)

setup_file() {
	"${CC:-cc}" -std=c11 -D_GNU_SOURCE -O1 -Wall -Wextra -pthread \
		-o "$BATS_FILE_TMPDIR/bad-httpd" "$BATS_TEST_DIRNAME/fixtures/http/bad-httpd.c"
}

setup() {
	GRADER=$SOCKLAB_ROOT/scripts/http-grader/grade.py
	BAD=$BATS_FILE_TMPDIR/bad-httpd
	FIX=$SOCKLAB_ROOT/tests/fixtures/http
}

# grade ARGS...: run the grader (bounded), its report in $output.
grade() {
	run timeout 200 python3 "$GRADER" "${LOAD[@]}" "$@" 3>&-
}

# failed_ids: the requirement ids the report marks FAIL, on one line.
failed_ids() {
	sed -n 's/^  FAIL  \([0-9.]*\) .*/\1/p' <<<"$output" | tr '\n' ' ' | sed 's/ $//'
}

# fails_exactly "IDS" STAGES PROGRAM...: graded on STAGES, the program
# fails exactly the requirements IDS and passes every other one.
fails_exactly() {
	local want=$1 stages=$2
	shift 2
	grade --only "$stages" "$@"
	[ "$status" -eq 1 ] || { echo "$output"; return 1; }
	[ "$(failed_ids)" = "$want" ] || {
		echo "want FAIL: $want"
		echo "got  FAIL: $(failed_ids)"
		echo "$output"
		return 1
	}
}

@test "mini-httpd passes every stage it supports today ($MINI_HTTPD_STAGES)" {
	grade --only "$MINI_HTTPD_STAGES" "$(tool mini-httpd)" "${MINI_HTTPD_ARGS[@]}"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *"http-server: PASS - all "*" requirements met"* ]]
	[[ "$output" != *"FAIL"* ]]
}

@test "a FAIL shows the bytes, the end of the connection, the server, its stderr, a command and the lesson" {
	fails_exactly "2.4" 2 python3 "$FIX/webserver.py" no-404
	local block
	block=$(sed -n '/FAIL  2.4/,/read  /p' <<<"$output")
	for word in why sent expected received ended server try read; do
		grep -q "^        $word " <<<"$block" || { echo "no '$word' line in: $block"; false; }
	done
	[[ "$block" == *"ended     the server closed the connection (FIN)"* ]]
	[[ "$block" == *"server    still running"* ]]
	[[ "$block" == *"try       curl -si --path-as-is -H 'Connection: close' http://127.0.0.1:"*"/no-such-file.txt"* ]]
	[[ "$block" == *'read      lessons/14-build-a-web-server.md, "Stage 2: paths"'* ]]
}

@test "a server that dies at start: its status and its stderr; a silent one: every wait bounded, then no more stages" {
	grade --only 1 python3 -c 'import sys; sys.stderr.write("cannot bind: oops\n"); sys.exit(3)'
	[ "$status" -eq 1 ]
	[[ "$output" == *"it exited with status 3 before listening on 127.0.0.1:"* ]]
	[[ "$output" == *"| cannot bind: oops"* ]]
	SECONDS=0
	grade --stage 3 python3 -c 'import socket, sys, time
s = socket.create_server(("127.0.0.1", int(sys.argv[1]))); c = []
while True: c.append(s.accept())'
	[ "$status" -eq 1 ]
	[[ "$output" == *"stages 1,2,3; time budget: at most 128 s"* ]]
	[[ "$output" == *"no response within 3.0 s"* ]]
	[[ "$output" == *"no requirement of stage 1 passed, so the later stages would only fail the same way: not run"* ]]
	[[ "$output" != *"stage 2: paths"* ]]
	[ "$SECONDS" -le 35 ]
}

@test "--tap and --junit: machine-readable results for a course's CI" {
	grade --only 2 --tap --junit "$BATS_TEST_TMPDIR/r.xml" python3 "$FIX/webserver.py" no-404
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "TAP version 13" ]]
	[[ "$output" == *$'\nnot ok 4 - 2.4 404 for a missing file or directory\n'* ]]
	[[ "$output" == *$'\nok 1 - 2.1 files from ROOT byte-exact'* ]]
	[[ "$output" == *$'\n1..7\n'* ]]
	python3 - "$BATS_TEST_TMPDIR/r.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites" and root.get("tests") == "7" and root.get("failures") == "1", root.attrib
case = [c for c in root.iter("testcase") if c.find("failure") is not None]
assert len(case) == 1 and case[0].get("name").startswith("2.4 "), case
PY
}

@test "usage errors exit 64 and say what is wrong" {
	run -64 python3 "$GRADER"
	[[ "$output" == *"no PROGRAM to grade"* ]]
	run -64 python3 "$GRADER" --stage 11 "$BAD"
	[[ "$output" == *"no stage 11 (there are 10)"* ]]
	run -64 python3 "$GRADER" --bogus "$BAD"
	[[ "$output" == *"unknown option '--bogus'"* ]]
	run -64 python3 "$GRADER" ./no/such/server
	[[ "$output" == *"no program './no/such/server'"* ]]
	run -64 python3 "$GRADER" --clients 0 "$BAD"
	[[ "$output" == *"bad --clients '0'"* ]]
}

@test "--config: a template with placeholders becomes the program's one argument" {
	printf 'port @PORT@\nroot @ROOT@\nuploads @UPLOAD@\n' >"$BATS_TEST_TMPDIR/t.conf"
	cat >"$BATS_TEST_TMPDIR/conf.sh" <<SH
#!/bin/sh
set -e
port=\$(sed -n 's/^port //p' "\$1"); root=\$(sed -n 's/^root //p' "\$1")
[ "\$(sed -n 's/^uploads //p' "\$1")" = "\$root/uploads" ]
exec python3 "$FIX/minimal.py" "\$port" "\$root"
SH
	chmod +x "$BATS_TEST_TMPDIR/conf.sh"
	grade --only 1 --config "$BATS_TEST_TMPDIR/t.conf" "$BATS_TEST_TMPDIR/conf.sh"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *"running: $BATS_TEST_TMPDIR/conf.sh CONFIG"* ]]
}

@test "the grader's own parts: response parser, corpus decoder, escaping, caret" {
	run -0 python3 "$SOCKLAB_ROOT/scripts/http-grader/selftest.py"
	[[ "${lines[-1]}" =~ ^[0-9]+\ passed,\ 0\ failed$ ]]
}
