#!/usr/bin/env bats
# Every "Try it" example in lessons/ (and README.md's) runs as a learner
# would run it by hand, in order, and every terminal shows what the lesson
# says it shows (tests/lesson-runner.bash). By default in a private network
# namespace on the lesson's own ports; LESSON_MODE=fresh-port without one.
# One lesson only: LESSON=06-connect.md make test TESTS=tests/lessons.bats

load helpers
load lesson-runner

setup() {
	export SOCKLAB_ROOT SOCKLAB_BUILD
}

# check_lesson FILE: run one lesson; skip (saying why) where by-hand mode
# is impossible, never pass silently.
check_lesson() {
	if [ -n "${LESSON:-}" ] && [ "$LESSON" != "${1##*/}" ]; then
		skip "LESSON=$LESSON"
	fi
	run lesson_check "$1"
	echo "$output"
	if [ "$status" -eq 2 ]; then
		skip "$output"
	fi
	[ "$status" -eq 0 ]
}

@test "lesson 00-addresses.md, by hand" { check_lesson "$SOCKLAB_ROOT/lessons/00-addresses.md"; }
@test "lesson 01-socket.md, by hand" { check_lesson "$SOCKLAB_ROOT/lessons/01-socket.md"; }
@test "lesson 02-setsockopt.md, by hand" { check_lesson "$SOCKLAB_ROOT/lessons/02-setsockopt.md"; }
@test "lesson 03-bind.md, by hand" { check_lesson "$SOCKLAB_ROOT/lessons/03-bind.md"; }
@test "lesson 04-listen.md, by hand" { check_lesson "$SOCKLAB_ROOT/lessons/04-listen.md"; }
@test "lesson 05-accept.md, by hand" { check_lesson "$SOCKLAB_ROOT/lessons/05-accept.md"; }
@test "lesson 06-connect.md, by hand" { check_lesson "$SOCKLAB_ROOT/lessons/06-connect.md"; }
@test "lesson 07-send.md, by hand" { check_lesson "$SOCKLAB_ROOT/lessons/07-send.md"; }
@test "lesson 08-recv.md, by hand" { check_lesson "$SOCKLAB_ROOT/lessons/08-recv.md"; }
@test "lesson 09-close.md, by hand" { check_lesson "$SOCKLAB_ROOT/lessons/09-close.md"; }
@test "lesson 10-datagrams.md, by hand" { check_lesson "$SOCKLAB_ROOT/lessons/10-datagrams.md"; }
@test "lesson 11-unix-sockets.md, by hand" { check_lesson "$SOCKLAB_ROOT/lessons/11-unix-sockets.md"; }
@test "lesson 12-many-clients.md, by hand" { check_lesson "$SOCKLAB_ROOT/lessons/12-many-clients.md"; }
@test "lesson 13-http.md, by hand" { check_lesson "$SOCKLAB_ROOT/lessons/13-http.md"; }
@test "lesson 14-build-a-web-server.md, by hand" { check_lesson "$SOCKLAB_ROOT/lessons/14-build-a-web-server.md"; }
@test "lesson 15-io-models.md, by hand" { check_lesson "$SOCKLAB_ROOT/lessons/15-io-models.md"; }
@test "lesson 16-faq.md, by hand" { check_lesson "$SOCKLAB_ROOT/lessons/16-faq.md"; }
@test "README.md's narrated examples, by hand" { check_lesson "$SOCKLAB_ROOT/README.md"; }

@test "every numbered lesson is run above and has a tested Try-it example" {
	local f n missing=0
	for f in "$SOCKLAB_ROOT"/lessons/[0-9][0-9]-*.md; do
		if ! grep -qF "check_lesson \"\$SOCKLAB_ROOT/lessons/${f##*/}\"" "$BATS_TEST_FILENAME"; then
			echo "${f##*/} has no test in tests/lessons.bats"
			missing=1
		fi
		n=$(lesson_extract "$f" "$BATS_TEST_TMPDIR/x-${f##*/}")
		if [ "$n" -lt 1 ]; then
			echo "${f##*/} has no Try-it example (sh term1/term2 blocks)"
			missing=1
		fi
	done
	[ "$missing" -eq 0 ]
}

# self_check NAME: run the lesson $BATS_TEST_TMPDIR/l/NAME (bounded).
self_check() {
	run timeout 60 bash -c 'source "$1"; lesson_check "$2"' _ \
		"$BATS_TEST_DIRNAME/lesson-runner.bash" "$BATS_TEST_TMPDIR/l/$1" 3>&-
	if [ "$status" -eq 2 ]; then
		skip "$output"
	fi
}

@test "the lesson runner: a wrong line, a missing line and an unshown line each fail" {
	mkdir -p "$BATS_TEST_TMPDIR/l"
	cat >"$BATS_TEST_TMPDIR/l/99-self.md" <<'MD'
# Right
```sh term1
build/tcp-server --echo 7000
```
```sh term2
echo hello | build/tcp-client 127.0.0.1 7000
```
```text expect-term2
tcp-client: connected to 127.0.0.1:7000 from 127.0.0.1:...
hello
...
```
# Wrong
```sh term1
build/tcp-server --echo 7000
```
```sh term2
echo hello | build/tcp-client -q 127.0.0.1 7000
```
```text expect-term2
goodbye
```
# A line left out without saying so
```sh term1
build/tcp-server --echo 7000
```
```sh term2
echo hello | build/tcp-client 127.0.0.1 7000
```
```text expect-term2
tcp-client: connected to 127.0.0.1:7000 from 127.0.0.1:...
tcp-client: closed
```
# An expectation for a terminal that does not exist
```sh term1
echo one
```
```text expect-term2
one
```
MD
	self_check 99-self.md
	[ "$status" -eq 1 ]
	[[ "$output" == *"99-self.md: 4 examples, 3 failed"* ]]
	[[ "$output" != *"FAIL 99-self.md: # Right"* ]]
	[[ "$output" == *"FAIL 99-self.md: # Wrong"* ]]
	[[ "$output" == *"expected line 1 not shown: goodbye"* ]]
	[[ "$output" == *"the terminal showed instead (line 1): hello"* ]]
	[[ "$output" == *"FAIL 99-self.md: # A line left out without saying so"* ]]
	[[ "$output" == *"expected line 2 not shown: tcp-client: closed"* ]]
	[[ "$output" == *"an expect-term2 block, but no sh term2 block"* ]]
}

@test "the lesson runner: Ctrl-C stops a terminal marked ctrl-c, an unmarked one must end" {
	mkdir -p "$BATS_TEST_TMPDIR/l"
	cat >"$BATS_TEST_TMPDIR/l/98-forever.md" <<'MD'
# A server that serves forever (-k), stopped with Ctrl-C
```sh term1 ctrl-c
build/tcp-server -k --echo 7000
```
```sh term2
echo hello | build/tcp-client -q 127.0.0.1 7000
```
```text expect-term2
hello
```
MD
	LESSON_TIMEOUT=5 self_check 98-forever.md
	[ "$status" -eq 0 ]
	[[ "$output" == *"98-forever.md: 1 examples, 0 failed"* ]]
	sed -i 's/^```sh term1 ctrl-c$/```sh term1/' "$BATS_TEST_TMPDIR/l/98-forever.md"
	LESSON_TIMEOUT=2 self_check 98-forever.md
	[ "$status" -eq 1 ]
	[[ "$output" == *"term1 did not end by itself within 2s (mark it 'sh term1 ctrl-c'"* ]]
}

@test "the lesson runner, by hand: the lesson's own port, no privileges, and what one example leaves the next one meets" {
	[ "${LESSON_MODE:-by-hand}" = by-hand ] || skip "LESSON_MODE=$LESSON_MODE"
	mkdir -p "$BATS_TEST_TMPDIR/l"
	cat >"$BATS_TEST_TMPDIR/l/97-order.md" <<'MD'
# The server closes first, on port 7000 itself
```sh term1
printf 'bye\n' | build/tcp-server 7000
```
```sh term2
sleep 1 | build/tcp-client -q 127.0.0.1 7000
```
```text expect-term2
bye
```
# The next example sees that TIME_WAIT, and may not bind port 80
```sh term1
ss -Htn state time-wait '( sport = :7000 )'
build/tcp-server -b 127.0.0.1 80; echo "exit $?"
```
```text expect-term1
...127.0.0.1]:7000 ...127.0.0.1]:...
tcp-server: [3 bind] bind(fd=3, 127.0.0.1:80) = -1 EACCES (Permission denied)
...
exit 77
```
MD
	self_check 97-order.md
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"97-order.md: 2 examples, 0 failed"* ]]
}
