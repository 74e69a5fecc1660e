#!/usr/bin/env bats
# make demo's script: outside a terminal it runs both sides and exits itself.

load helpers

@test "scripts/demo narrates all nine steps of a real exchange and exits" {
	run -0 timeout "$T" env SOCKLAB_DEMO_PLAIN=1 "$SOCKLAB_ROOT/scripts/demo"
	local s
	for s in "1 socket" "2 setsockopt" "3 bind" "4 listen" "5 accept" \
		"6 connect" "7 send" "8 recv" "9 close"; do
		[[ "$output" == *"[$s]"* ]] || { echo "missing step [$s]"; false; }
	done
	[[ "$output" == *"stdout | hello, socklab"* ]]
	[[ "$output" == *"server | tcp-server: listening on"* ]]
	[[ "$output" == *"client | tcp-client: connected to"* ]]
}
