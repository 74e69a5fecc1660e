#!/usr/bin/env bats
# lessons/bad-input.md is exactly what the tools answer to bad input today.

load helpers

@test "lessons/bad-input.md matches what every tool answers to bad input" {
	run -0 env SOCKLAB_BUILD="$SOCKLAB_BUILD" timeout 120 "$SOCKLAB_ROOT/scripts/bad-input" \
		--check "$SOCKLAB_ROOT/lessons/bad-input.md"
	[[ "$output" == *"cases match"* ]]
}

@test "the bad-input check fails when the table is wrong" {
	sed 's/| 68 |/| 0 |/' "$SOCKLAB_ROOT/lessons/bad-input.md" >"$BATS_TEST_TMPDIR/wrong.md"
	run -1 env SOCKLAB_BUILD="$SOCKLAB_BUILD" timeout 120 "$SOCKLAB_ROOT/scripts/bad-input" \
		--check "$BATS_TEST_TMPDIR/wrong.md"
	[[ "$output" == *"no longer matches"* ]]
}

@test "no tool crashed on any bad input (no exit status above 125)" {
	run -0 env SOCKLAB_BUILD="$SOCKLAB_BUILD" timeout 120 "$SOCKLAB_ROOT/scripts/bad-input"
	! grep -E '^\|[^|]*\|[^|]*\| (12[6-9]|1[3-9][0-9]|2[0-9][0-9]) \|' <<<"$output"
}
