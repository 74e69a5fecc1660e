# shellcheck shell=bash
# shellcheck disable=SC2153 # PORT is set by start_server (helpers.bash)
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

# contract_free_port: a loopback port nothing listens on now. Our own
# server takes port 0 and is stopped at once: no connection, so no TIME_WAIT.
contract_free_port() {
	local name=freeport$RANDOM
	start_server "$name" "$(tool tcp-server)" -4 -b 127.0.0.1 0 >/dev/null || return 1
	local pid_var=${name}_PID
	kill "${!pid_var}" 2>/dev/null || true
	wait_pid "${!pid_var}" 5
	echo "$PORT"
}

# is_listening PORT: something listens on TCP PORT. ss asks the kernel
# without connecting, so a server that serves one client at a time is not
# handed a connection it did not ask for; without ss, probe with connect.
is_listening() {
	if command -v ss >/dev/null; then
		[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
	else
		(exec 9<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
	fi
}

# start_program NAME COMMAND PORT: run "COMMAND PORT" in the background
# (see spawn) and poll until it listens on PORT; explain if it never does.
start_program() {
	local name=$1 command=$2 port=$3 i pid
	spawn "$name" bash -c "$(in_exercise_dir "$command" "$port")"
	pid=${name}_PID
	pid=${!pid}
	for ((i = 0; i < 200; i++)); do
		if is_listening "$port"; then
			return 0
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			wait_pid "$pid"
			because "'$command $port' exited with status $STATUS" \
				"before listening on port $port; it printed:" \
				"$(head -c 300 "$BATS_TEST_TMPDIR/$name.err" | tr '\n' ' ')"
			return 1
		fi
		sleep 0.05
	done
	because "'$command $port' did not listen on port $port within 10 s" \
		"(it must take the port as its last argument and listen on" \
		"127.0.0.1 or on all addresses)"
}

# preview FILE: the first bytes of FILE, escaped, on one line.
preview() {
	head -c 48 "$1" | od -An -c | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'
}

# same_bytes SENT GOT WHAT: GOT holds exactly the bytes of SENT, or explain.
same_bytes() {
	local sent=$1 got=$2 what=$3 n m first
	if cmp -s "$sent" "$got"; then
		return 0
	fi
	n=$(wc -c <"$sent" | tr -d ' ')
	m=$(wc -c <"$got" | tr -d ' ')
	first=$(cmp "$sent" "$got" 2>/dev/null | sed -n 's/.*differ: [a-z]* \([0-9]*\).*/\1/p')
	if [ -n "$first" ]; then
		because "$what: sent $n bytes, got $m back, different from byte $first on"
	elif [ "$m" -lt "$n" ] && [ "$n" -le 64 ]; then
		because "$what: sent $n bytes [$(preview "$sent")], got only" \
			"$m back [$(preview "$got")]"
	elif [ "$m" -lt "$n" ]; then
		because "$what: sent $n bytes, got only the first $m back" \
			"(the last $((n - m)) are missing)"
	else
		because "$what: sent $n bytes, got $m back ($((m - n)) bytes too many)"
	fi
}
