#!/usr/bin/env bats
# scripts/check-exercise, the course's grader: it passes our reference tools
# and a minimal correct solution, and fails each deliberately broken fixture
# (tests/fixtures/) naming the requirement it breaks.

load helpers

setup_file() {
	local f
	for f in bad-echo bad-client; do
		"${CC:-cc}" -std=c11 -D_GNU_SOURCE -O1 -Wall -Wextra -o "$BATS_FILE_TMPDIR/$f" \
			"$BATS_TEST_DIRNAME/fixtures/$f.c"
	done
}

setup() {
	CHECK=$SOCKLAB_ROOT/scripts/check-exercise
	FIX=$BATS_FILE_TMPDIR
}

# grade EXERCISE PROGRAM...: run the grader (bounded), output in $output.
grade() {
	run timeout 120 "$CHECK" "$@" 3>&-
}

@test "echo-server: our tcp-server --echo -k passes every requirement" {
	grade echo-server "$(tool tcp-server)" --echo -k
	[ "$status" -eq 0 ]
	[[ "$output" == *"echo-server: PASS - all 6 requirements met"* ]]
	[[ "$output" != *"FAIL"* ]]
}

@test "echo-server: a minimal correct C server passes, run by a relative path" {
	cd "$FIX"
	grade echo-server ./bad-echo good
	[ "$status" -eq 0 ]
	[[ "$output" == *"running: ./bad-echo good PORT"* ]]
}

@test "echo-server: a server that drops the last bytes fails, and says which" {
	grade echo-server "$FIX/bad-echo" drop-tail
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAIL  echoes a line byte-exact"* ]]
	[[ "$output" == *"FAIL  echoes 1 MiB of binary data byte-exact"* ]]
	[[ "$output" == *"got only the first 1048576 back (the last 1423 are missing)"* ]]
	[[ "$output" == *"PASS  listens on the port given as its last argument"* ]]
}

@test "echo-server: a server that ignores recv() returning 0 fails the orderly-close requirement" {
	grade echo-server "$FIX/bad-echo" ignore-eof
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAIL  closes the connection in order once the client has half-closed"* ]]
	[[ "$output" == *"the server never closed the connection"* ]]
	[[ "$output" == *"PASS  echoes a line byte-exact"* ]]
}

@test "echo-server: a server that serves one client only fails 'several clients'" {
	grade echo-server "$FIX/bad-echo" one-client
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAIL  serves several clients one after another"* ]]
	[[ "$output" == *"the server exited after 1 client(s)"* ]]
}

@test "reset-survivor: a server that exits on ECONNRESET passes echo-server but fails reset-survivor" {
	grade echo-server "$FIX/bad-echo" die-on-reset
	[ "$status" -eq 0 ]
	grade reset-survivor "$FIX/bad-echo" die-on-reset
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAIL  survives clients that reset the connection (SO_LINGER 0)"* ]]
	[[ "$output" == *"the server exited (status 74) after client 1 reset its connection"* ]]
	[[ "$output" == *"reset-survivor: FAIL - 1 of 7 requirements not met"* ]]
}

@test "reset-survivor: our tcp-server --echo -k passes" {
	grade reset-survivor "$(tool tcp-server)" --echo -k
	[ "$status" -eq 0 ]
	[[ "$output" == *"reset-survivor: PASS - all 7 requirements met"* ]]
}

@test "file-client: our tcp-client and a minimal correct C client pass" {
	grade file-client "$(tool tcp-client)"
	[ "$status" -eq 0 ]
	[[ "$output" == *"file-client: PASS - all 4 requirements met"* ]]
	grade file-client "$FIX/bad-client" good
	[ "$status" -eq 0 ]
}

@test "file-client: a client that never half-closes fails, and is told about shutdown" {
	grade file-client "$FIX/bad-client" no-half-close
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAIL  half-closes at the end of the file, then prints the server's reply"* ]]
	[[ "$output" == *"call shutdown(fd, SHUT_WR)"* ]]
}

@test "file-client: a client that closes instead of half-closing loses the reply" {
	grade file-client "$FIX/bad-client" close-at-eof
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAIL  half-closes at the end of the file, then prints the server's reply"* ]]
	[[ "$output" == *"nothing reached stdout"* ]]
	[[ "$output" == *"PASS  sends a 1 MiB binary file byte-exact, then exits 0"* ]]
}

@test "check-exercise: usage errors exit 64 and name the exercises" {
	run -64 "$CHECK"
	[[ "$output" == *"usage"* || "$output" == *"check-exercise NAME PROGRAM"* ]]
	run -64 "$CHECK" no-such-exercise "$(tool tcp-server)"
	[[ "$output" == *"unknown exercise 'no-such-exercise' (echo-server, reset-survivor, file-client)"* ]]
	run -64 "$CHECK" echo-server ./no/such/program
	[[ "$output" == *"no program './no/such/program'"* ]]
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
	[[ "$output" == *"PASS - all 6 requirements met"* ]]
}
