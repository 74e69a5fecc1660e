# shellcheck shell=bash
# shellcheck disable=SC2153,SC2034 # PORT is set by start_server (helpers.bash)
# tests/contract.bash - what the contract tests share (load after helpers).
#
# A contract test defines what ANY correct program of a kind must do, so it
# talks to the program under test only through the command line, the port
# and stdin/stdout: never through our narration. The program comes from an
# environment variable holding a shell command line (quote words with
# printf %q); scripts/check-exercise sets it to a learner's program.
#
# Every requirement that fails says why with `because`, one line that
# scripts/check-exercise shows to the learner.
#
# Every wait is bounded (the budget below), so that a whole exercise grades
# in under 15 s, whether the program is right, wrong or hangs.
#
# Clients reach the program under test at route_port SPORT, not at SPORT
# itself: CONTRACT_ROUTE (a command, given HOST PORT, that prints a port on
# which it forwards there) lets a requirement run a second time through a
# proxy, e.g. an impaired network.

# The time budget, in seconds. CONTRACT_SCALE (a whole number, default 1)
# stretches every bound: make sanitize sets 2, since our own peers (the
# servers and clients the requirements talk to) run under ASan there.
case ${CONTRACT_SCALE:=1} in '' | *[!0-9]* | 0) CONTRACT_SCALE=1 ;; esac
CONTRACT_START=$((5 * CONTRACT_SCALE))	# for the program to start: to listen, or to fail
CONTRACT_REPLY=$((15 * CONTRACT_SCALE / 10)).$((15 * CONTRACT_SCALE % 10))	# for each expected reply, end of stream or exit
CONTRACT_WAIT=$((2 * CONTRACT_SCALE))	# the same, whole seconds (for helpers.bash)
CONTRACT_BUDGET="each requirement waits at most ${CONTRACT_START} s for the program to start (to listen, or to fail) and ${CONTRACT_REPLY} s for each reply; the whole exercise takes under $((15 * CONTRACT_SCALE)) s"

# Relative paths in the command are relative to EXERCISE_DIR (set by
# scripts/check-exercise to where the learner ran it), not to the test's
# temporary directory.
EXERCISE_DIR=${EXERCISE_DIR:-$PWD}

# in_exercise_dir COMMAND...: COMMAND as a line for bash -c, run from
# EXERCISE_DIR.
in_exercise_dir() {
	printf 'cd %q && exec %s' "$EXERCISE_DIR" "$*"
}

# because MESSAGE...: report why a requirement failed, and fail.
because() {
	echo "because: $*" >&2
	return 1
}

# route_port PORT: the port a client uses to reach PORT on 127.0.0.1:
# PORT itself, or CONTRACT_ROUTE's forwarding port.
route_port() {
	if [ -n "${CONTRACT_ROUTE:-}" ]; then
		$CONTRACT_ROUTE 127.0.0.1 "$1"
	else
		echo "$1"
	fi
}

# contract_free_port: a port nothing uses now, on IPv4 and IPv6 alike (the
# kernel's choice for a dual-stack bind to port 0; no connection, so no
# TIME_WAIT either).
contract_free_port() {
	local peer
	peer=$(contract_peer) && "$peer" free-port
}

# contract_peer: the path of tests/contract-peer.c, built once per test
# file (it plays the peers our tools do not: see its comment).
contract_peer() {
	local peer=$BATS_FILE_TMPDIR/contract-peer
	if [ ! -x "$peer" ]; then
		if ! "${CC:-cc}" -std=c11 -D_GNU_SOURCE -O1 -o "$peer.tmp" \
			"$BATS_TEST_DIRNAME/contract-peer.c" >&2; then
			because "the grader needs a C compiler (cc) for its test peer"
			return 1
		fi
		mv "$peer.tmp" "$peer"
	fi
	echo "$peer"
}

# listening_on PORT: the local addresses that listen on TCP PORT, one per
# line, as ss prints them ("*:7000" is a dual-stack socket); empty if none.
# ss asks the kernel without connecting, so a server that serves one
# client at a time is not handed a connection it did not ask for.
listening_on() {
	ss -Hltn "sport = :$1" 2>/dev/null | awk '{ print $4 }'
}

# reaches_ipv4_loopback ADDRS: one of the listening addresses ADDRS
# accepts a connection to 127.0.0.1.
reaches_ipv4_loopback() {
	grep -Eq '^(\*|0\.0\.0\.0|127\.[0-9.]+|\[::ffff:(0\.0\.0\.0|127\.[0-9.]+)\]):' <<<"$1"
}

# signal_name STATUS: "SIGPIPE" for 141, and so on; empty below 129.
signal_name() {
	if [ "$1" -gt 128 ] && [ "$1" -lt 160 ]; then
		printf 'SIG%s' "$(kill -l "$(($1 - 128))" 2>/dev/null)"
	fi
}

# program_fate NAME STATUS: how the program ended, in words, with the last
# lines of its stderr: "it was killed by SIGPIPE (status 141); its last
# words: ...".
program_fate() {
	local name=$1 status=$2 sig words
	sig=$(signal_name "$status")
	if [ -n "$sig" ]; then
		printf 'it was killed by %s (status %s)' "$sig" "$status"
	else
		printf 'it exited with status %s' "$status"
	fi
	words=$(tail -n 3 "$BATS_TEST_TMPDIR/$name.err" 2>/dev/null | cut -c1-160 |
		tr '\n' '|' | sed 's/|$//; s/|/ | /g')
	if [ -n "$words" ]; then
		printf '; its last words on stderr: "%s"' "$words"
	else
		printf ' and printed nothing on stderr'
	fi
}

# fate_advice NAME STATUS: what to change, from how the program died.
fate_advice() {
	local sig
	sig=$(signal_name "$2")
	if [ "$sig" = SIGPIPE ]; then
		echo "ignore SIGPIPE (signal(SIGPIPE, SIG_IGN), or send with MSG_NOSIGNAL) and treat EPIPE as the end of that one connection (lessons/07-send.md)"
	elif grep -q 'Broken pipe\|EPIPE' "$BATS_TEST_TMPDIR/$1.err" 2>/dev/null; then
		echo "a send() that fails with EPIPE (Broken pipe: the client has gone) ends that one connection: close it and accept the next (lessons/07-send.md)"
	elif grep -q 'Interrupted system call\|EINTR' "$BATS_TEST_TMPDIR/$1.err" 2>/dev/null; then
		echo "a signal interrupted a call (EINTR): retry the call, or install the handler with SA_RESTART (lessons/05-accept.md)"
	elif grep -q 'reset by peer\|ECONNRESET' "$BATS_TEST_TMPDIR/$1.err" 2>/dev/null; then
		echo "a recv() or send() that fails with ECONNRESET ends that one connection: close it and accept the next (lessons/09-close.md)"
	elif grep -q 'Too many open files\|EMFILE' "$BATS_TEST_TMPDIR/$1.err" 2>/dev/null; then
		echo "close every connection's descriptor when you are done with it (lessons/09-close.md)"
	elif [ -n "$sig" ]; then
		echo "find what raises $sig"
	elif [ "$2" -eq 0 ]; then
		echo "it returned as if it had finished: accept the next connection in a loop (lessons/05-accept.md)"
	else
		echo "one client's trouble must not end the server: handle its errors and accept the next (lessons/05-accept.md)"
	fi
}

# clock_ms: NOW_MS, the wall clock in ms (bash's EPOCHREALTIME): each wait
# is bounded in seconds, however slowly its polls run on a busy machine.
clock_ms() {
	local t=${EPOCHREALTIME/[.,]/}
	NOW_MS=$((10#$t / 1000))
}

# deadline_in SECS: DEADLINE_MS, SECS (a decimal) from now.
deadline_in() {
	local ms
	ms=$(awk -v s="$1" 'BEGIN { print int(s * 1000) }')
	clock_ms
	DEADLINE_MS=$((NOW_MS + ms))
}

# before DEADLINE: the wall clock has not reached DEADLINE (ms) yet.
before() {
	clock_ms
	[ "$NOW_MS" -lt "$1" ]
}

# start_program NAME COMMAND PORT: run "COMMAND PORT" in the background
# (see spawn) and poll until it listens on PORT, where a client of
# 127.0.0.1 can reach it; explain if it does not.
start_program() {
	local name=$1 command=$2 port=$3 pid addrs='' end_ms
	spawn "$name" bash -c "$(in_exercise_dir "$command" "$port")"
	pid=${name}_PID
	pid=${!pid}
	deadline_in "$CONTRACT_START"
	end_ms=$DEADLINE_MS
	while :; do
		addrs=$(listening_on "$port")
		if [ -n "$addrs" ]; then
			break
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			wait_pid "$pid"
			because "'$command $port' ended before listening on port $port:" \
				"$(program_fate "$name" "$STATUS")"
			return 1
		fi
		before "$end_ms" || break
		sleep 0.05
	done
	if [ -z "$addrs" ]; then
		because "'$command $port' did not listen on port $port within" \
			"${CONTRACT_START} s (it must take the port as its last argument" \
			"and listen on 127.0.0.1 or on all addresses)"
		return 1
	fi
	if ! reaches_ipv4_loopback "$addrs"; then
		because "it listens on $(echo "$addrs" | tr '\n' ' ')only: an IPv6" \
			"socket with IPV6_V6ONLY set, or bound to ::1, so a client of" \
			"127.0.0.1 is refused. Bind 0.0.0.0, or clear IPV6_V6ONLY before" \
			"bind to serve both families (lessons/03-bind.md)"
		return 1
	fi
	CPORT=$(route_port "$port")
}

# end_within PID SECS: let a spawned process end within SECS seconds,
# then stop it (wait_pid alone would wait for it as long as it runs).
end_within() {
	local end_ms
	deadline_in "$2"
	end_ms=$DEADLINE_MS
	while kill -0 "$1" 2>/dev/null && before "$end_ms"; do
		sleep 0.05
	done
	kill -TERM "$1" 2>/dev/null || true
	wait_pid "$1" 2
}

# program_pids ROOT: ROOT's descendants, one per line (the program and any
# processes it forked; ROOT is our timeout wrapper).
program_pids() {
	local child
	for child in $(pgrep -P "$1" 2>/dev/null); do
		echo "$child"
		program_pids "$child"
	done
}

# program_fds ROOT: how many descriptors the program's processes hold.
program_fds() {
	local pid n=0
	for pid in $(program_pids "$1"); do
		n=$((n + $(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)))
	done
	echo "$n"
}

# settled_fds ROOT LIMIT: the program's descriptor count once it has
# come down to LIMIT or stopped changing (at most CONTRACT_WAIT seconds).
settled_fds() {
	local n last=-1 end_ms
	deadline_in "$CONTRACT_WAIT"
	end_ms=$DEADLINE_MS
	while :; do
		n=$(program_fds "$1")
		if [ "$n" -le "$2" ] || [ "$n" = "$last" ] || ! before "$end_ms"; then
			break
		fi
		last=$n
		sleep 0.1
	done
	echo "$n"
}

# preview FILE [FROM]: up to 40 bytes of FILE from byte FROM (0-based),
# escaped, on one line; "(nothing)" for none.
preview() {
	local text
	text=$(tail -c "+$((${2:-0} + 1))" "$1" 2>/dev/null | head -c 40 | od -An -c |
		tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
	printf '%s' "${text:-(nothing)}"
}

# same_bytes SENT GOT WHAT: GOT holds exactly the bytes of SENT, or explain,
# showing what came back next to what was expected.
same_bytes() {
	local sent=$1 got=$2 what=$3 n m first at
	if cmp -s "$sent" "$got"; then
		return 0
	fi
	n=$(wc -c <"$sent" | tr -d ' ')
	m=$(wc -c <"$got" 2>/dev/null | tr -d ' ')
	m=${m:-0}
	first=$(cmp "$sent" "$got" 2>/dev/null | sed -n 's/.*differ: [a-z]* \([0-9]*\).*/\1/p')
	if [ -n "$first" ]; then
		at=$(((first - 1) / 16 * 16))
		because "$what: sent $n bytes, got $m back, different from byte" \
			"$first on: from byte $((at + 1)), expected [$(preview "$sent" "$at")]" \
			"but got [$(preview "$got" "$at")]"
	elif [ "$m" -eq 0 ]; then
		because "$what: sent $n bytes [$(preview "$sent")], got nothing back"
	elif [ "$m" -lt "$n" ]; then
		at=$(((m - 1) / 16 * 16))
		because "$what: sent $n bytes, got only the first $m back (the" \
			"last $((n - m)) are missing): it ends [$(preview "$got" "$at")]" \
			"where [$(preview "$sent" "$at")] was expected"
	else
		because "$what: sent $n bytes, got $m back ($((m - n)) bytes too" \
			"many): after the $n expected, [$(preview "$got" "$n")] came too"
	fi
}
