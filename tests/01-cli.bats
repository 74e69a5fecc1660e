#!/usr/bin/env bats
# Command-line conventions every tool shares: --help, --version, usage errors.

load helpers

# Every program under tools/ is checked, so a new tool is covered at once.
all_tools() {
	local d
	for d in "$SOCKLAB_ROOT"/tools/*/; do
		basename "$d"
	done
}

@test "every tool prints --help with its steps, lessons and exit codes" {
	local t
	for t in $(all_tools); do
		run -0 timeout "$T" "$(tool "$t")" --help
		[[ "$output" == *"usage: $t"* ]] || { echo "$t: no usage line"; false; }
		[[ "$output" == *"lessons/"* ]] || { echo "$t: no lessons"; false; }
		[[ "$output" == *"64 usage error"* ]] || { echo "$t: no exit codes"; false; }
	done
}

@test "every tool prints --version from the VERSION file" {
	local t version
	version=$(cat "$SOCKLAB_ROOT/VERSION")
	for t in $(all_tools); do
		run -0 timeout "$T" "$(tool "$t")" --version
		[ "$output" = "$t (socklab) $version" ]
	done
}

@test "every tool rejects an unknown option with exit 64 and one line" {
	local t
	for t in $(all_tools); do
		run -64 --separate-stderr timeout "$T" "$(tool "$t")" --no-such-option
		[[ "$stderr" == *"try '$t --help'"* ]]
	done
}

@test "tcp-server: missing PORT is a usage error" {
	run -64 --separate-stderr timeout "$T" "$(tool tcp-server)"
	[ "$stderr" = "tcp-server: missing PORT (try 'tcp-server --help')" ]
}

@test "tcp-client: missing HOST or PORT is a usage error" {
	run -64 --separate-stderr timeout "$T" "$(tool tcp-client)" 127.0.0.1
	[ "$stderr" = "tcp-client: missing HOST or PORT (try 'tcp-client --help')" ]
	run -64 timeout "$T" "$(tool tcp-client)" a b c
	[[ "$output" == *"too many arguments"* ]]
}

@test "port 70000 is out of range: exit 64 naming the bad text" {
	run -64 --separate-stderr timeout "$T" "$(tool tcp-client)" 127.0.0.1 70000
	[ "$stderr" = "tcp-client: bad port '70000': must be a number from 1 to 65535 (try 'tcp-client --help')" ]
	run -64 --separate-stderr timeout "$T" "$(tool tcp-server)" 70000
	[[ "$stderr" == *"bad port '70000': must be a number from 0 to 65535"* ]]
}

@test "port abc, -1, empty and 0 (for a client) are refused" {
	local p
	for p in abc -1 "" 0 7a 000000 65536; do
		run -64 timeout "$T" "$(tool tcp-client)" -- 127.0.0.1 "$p"
		[[ "$output" == *"bad port '$p'"* ]]
	done
	run -64 timeout "$T" "$(tool tcp-server)" abc
	[[ "$output" == *"bad port 'abc'"* ]]
}

@test "bad numbers for --backlog, --linger, --rcvbuf and -w are usage errors" {
	run -64 timeout "$T" "$(tool tcp-server)" --backlog x 0
	[[ "$output" == *"bad backlog 'x'"* ]]
	run -64 timeout "$T" "$(tool tcp-server)" --linger -3 0
	[[ "$output" == *"bad linger time '-3'"* ]]
	run -64 timeout "$T" "$(tool tcp-server)" --rcvbuf 0 0
	[[ "$output" == *"bad receive buffer size '0'"* ]]
	run -64 timeout "$T" "$(tool tcp-server)" --sndbuf 99999999999 0
	[[ "$output" == *"bad send buffer size"* ]]
	run -64 timeout "$T" "$(tool tcp-client)" -w soon 127.0.0.1 1
	[[ "$output" == *"bad timeout 'soon'"* ]]
	run -64 timeout "$T" "$(tool tcp-client)" -w 0 127.0.0.1 1
	[[ "$output" == *"bad timeout '0'"* ]]
	run -64 timeout "$T" "$(tool tcp-client)" -p 99999 127.0.0.1 1
	[[ "$output" == *"bad port '99999'"* ]]
}
