#!/usr/bin/env bats
# Every "Try it" example in lessons/ runs and prints what the lesson says.
# One lesson only: LESSON=06-connect.md make test TESTS=tests/lessons.bats

load helpers
load lesson-runner

lesson_files() {
	if [ -n "${LESSON:-}" ]; then
		echo "$SOCKLAB_ROOT/lessons/$LESSON"
	else
		ls "$SOCKLAB_ROOT"/lessons/[0-9][0-9]-*.md 2>/dev/null || true
	fi
}

@test "every lesson's Try-it examples print what the lesson says" {
	local f failed=0
	for f in $(lesson_files); do
		lesson_check "$f" || failed=1
	done
	[ "$failed" -eq 0 ]
}

@test "every numbered lesson has at least one tested Try-it example" {
	local f n missing=0
	for f in $(lesson_files); do
		n=$(lesson_extract "$f" "$BATS_TEST_TMPDIR/x-${f##*/}")
		if [ "$n" -lt 1 ]; then
			echo "${f##*/} has no Try-it example (sh term1/term2 blocks)"
			missing=1
		fi
	done
	[ "$missing" -eq 0 ]
}

@test "the lesson runner itself: a wrong expectation fails" {
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
...connected to 127.0.0.1:7000 from ...
hello
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
MD
	run lesson_check "$BATS_TEST_TMPDIR/l/99-self.md"
	[ "$status" -eq 1 ]
	[[ "$output" == *"99-self.md: 2 examples, 1 failed"* ]]
	[[ "$output" == *"FAIL 99-self.md: # Wrong"* ]]
	[[ "$output" == *"expected line not found (in order): goodbye"* ]]
	[[ "$output" != *"FAIL 99-self.md: # Right"* ]]
}

@test "the lesson runner stops a background terminal that never exits" {
	mkdir -p "$BATS_TEST_TMPDIR/l"
	cat >"$BATS_TEST_TMPDIR/l/98-forever.md" <<'MD'
# A server that serves forever (-k)
```sh term1
build/tcp-server -k --echo 7000
```
```sh term2
echo hello | build/tcp-client -q 127.0.0.1 7000
```
```text expect-term2
hello
```
MD
	run -0 timeout 15 bash -c 'source "$1/helpers.bash" 2>/dev/null; source "$1/lesson-runner.bash"; lesson_check "$2"' \
		_ "$BATS_TEST_DIRNAME" "$BATS_TEST_TMPDIR/l/98-forever.md" 3>&-
	[[ "$output" == *"98-forever.md: 1 examples, 0 failed"* ]]
}
