#!/usr/bin/env bats
# scripts/lab: a network namespace of the learner's own, without sudo.

load helpers

setup() {
	LAB=$SOCKLAB_ROOT/scripts/lab
	cd "$BATS_TEST_TMPDIR" || return 1
	"$LAB" true 2>/dev/null || skip "user namespaces are not available here"
}

@test "lab runs a command in a namespace with only lo, up, where it holds CAP_NET_RAW" {
	run -0 "$LAB" sh -c 'ip -o link; grep CapEff /proc/self/status'
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == "1: lo: <LOOPBACK,UP,LOWER_UP>"* ]]
	# CAP_NET_RAW is bit 13
	eff=$(printf '%d' "0x${lines[1]##*[[:space:]]}")
	[ $((eff >> 13 & 1)) -eq 1 ]
	# and the same for a user who is not root outside
	if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
		run -0 setpriv --reuid=65534 --regid=65534 --clear-groups "$LAB" ip -o link
		[[ "$output" == "1: lo: <LOOPBACK,UP,LOWER_UP>"* ]]
	fi
}

@test "nothing in the lab can reach the real network" {
	run -69 --separate-stderr "$LAB" "$(tool tcp-client)" -w 2 192.0.2.1 80
	[[ "$stderr" == *"ENETUNREACH"* ]]
}

@test "the lab's ports are its own: a server there is not seen outside" {
	# a port taken outside is free inside, and the other way round
	start_server out "$(tool tcp-server)" -4 -b 127.0.0.1 0
	run -0 --separate-stderr "$LAB" "$(tool socket-watch)" states "$PORT" --for 0.05
	[ "${#lines[@]}" -eq 1 ]	# the header: nothing listens there
}

@test "lab, interactive: says what it did and how to leave" {
	run -0 "$LAB" <<<'echo inside; exit'
	[[ "$output" == *"unshare --user --map-root-user --net, then ip link set lo up"* ]]
	[[ "$output" == *"leave with: exit"* ]]
	[[ "$output" == *inside* ]]
}

@test "without user namespaces lab says so, names the sysctls, and exits 69" {
	mkdir bin
	printf '#!/bin/sh\necho "unshare: unshare failed: Operation not permitted" >&2\nexit 1\n' >bin/unshare
	chmod +x bin/unshare
	PATH=$BATS_TEST_TMPDIR/bin:$PATH run -69 --separate-stderr "$LAB" true
	[ "${stderr_lines[0]}" = "lab: cannot create a user namespace: unshare: unshare failed: Operation not permitted" ]
	[[ "$stderr" == *"kernel.unprivileged_userns_clone=1"* ]]
	[[ "$stderr" == *"user.max_user_namespaces"* ]]
	[[ "$stderr" == *"sudo build/socket-watch packets PORT"* ]]
}
