# shellcheck shell=bash
# shellcheck disable=SC2034 # PORT, STATUS and NAME_PID are read by the tests
# tests/helpers.bash - what every socklab test file shares.
#
# Programs under test come from the environment, so the same tests can run
# against any build, or against a learner's program (scripts/check-exercise):
#   SOCKLAB_BUILD   directory of the built tools (default: ../build)
#
# Processes a test starts go through spawn/start_server, which record their
# PIDs; cleanup_spawned (called from teardown) kills them, also on failure.

bats_require_minimum_version 1.5.0

SOCKLAB_ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
SOCKLAB_BUILD=${SOCKLAB_BUILD:-$SOCKLAB_ROOT/build}
# Every command a test runs is bounded by this many seconds.
T=${SOCKLAB_TEST_TIMEOUT:-20}

SPAWNED=()

# tool NAME: the path of a built tool.
tool() {
	printf '%s/%s' "$SOCKLAB_BUILD" "$1"
}

# spawn NAME CMD...: run CMD in the background, bounded by $SPAWN_TIMEOUT
# seconds (default $T: a server that must outlive a long test says so), with
# stdout in $BATS_TEST_TMPDIR/NAME.out and stderr in NAME.err. stdin comes
# from $SPAWN_STDIN (default /dev/null). The PID goes into NAME_PID.
spawn() {
	local name=$1
	shift
	# Empty the files now: the background process opens them only later,
	# and a file left by an earlier spawn of NAME must not be read as its.
	: >"$BATS_TEST_TMPDIR/$name.out"
	: >"$BATS_TEST_TMPDIR/$name.err"
	(close_fds; exec timeout --foreground "${SPAWN_TIMEOUT:-$T}" "$@") <"${SPAWN_STDIN:-/dev/null}" \
		>"$BATS_TEST_TMPDIR/$name.out" 2>"$BATS_TEST_TMPDIR/$name.err" &
	SPAWNED+=("$!")
	printf -v "${name}_PID" '%s' "$!"
}

# wait_for_line FILE REGEX [SECS]: poll FILE until a line matches REGEX.
wait_for_line() {
	local file=$1 regex=$2 secs=${3:-$T} i
	for ((i = 0; i < secs * 20; i++)); do
		if grep -Eq -- "$regex" "$file" 2>/dev/null; then
			return 0
		fi
		sleep 0.05
	done
	echo "timed out after ${secs}s waiting for /$regex/ in $file:" >&2
	cat "$file" >&2 2>/dev/null || true
	return 1
}

# start_server NAME CMD...: spawn a server, wait for its "listening on"
# status line, and set PORT to the port it reports (start servers on 0).
start_server() {
	local name=$1 err
	spawn "$@"
	err="$BATS_TEST_TMPDIR/$name.err"
	wait_for_line "$err" 'listening on ' || return 1
	PORT=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\).*/\1/p' "$err" | head -n 1)
	[ -n "$PORT" ]
}

# wait_pid PID [SECS]: wait for a spawned process; sets STATUS to its exit code.
wait_pid() {
	local pid=$1 secs=${2:-$T} i
	for ((i = 0; i < secs * 20; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			break
		fi
		sleep 0.05
	done
	STATUS=0
	wait "$pid" || STATUS=$?
}

# steps FILE: the step names narrated in FILE, one per line, repeats folded.
steps() {
	sed -n 's/^[^:]*: \[[0-9] \([a-z]*\)\].*/\1/p' "$1" | uniq
}

# in_order "a b c" LIST: the words appear in LIST (one per line) in that order.
in_order() {
	local want word
	read -r -a want <<<"$1"
	local i=0
	while read -r word; do
		if [ "$i" -lt "${#want[@]}" ] && [ "$word" = "${want[$i]}" ]; then
			i=$((i + 1))
		fi
	done <<<"$2"
	if [ "$i" -ne "${#want[@]}" ]; then
		echo "expected steps in order: $1" >&2
		echo "narrated: $(echo "$2" | tr '\n' ' ')" >&2
		return 1
	fi
}

# close_fds: close every descriptor above 2 in this (sub)shell. bats keeps
# several pipes open (fd 3 and others) and waits for whoever holds them, so
# background processes must not inherit them.
close_fds() {
	local fd
	for fd in "/proc/$BASHPID/fd/"*; do
		fd=${fd##*/}
		if [[ "$fd" =~ ^[0-9]+$ ]] && [ "$fd" -gt 2 ]; then
			eval "exec $fd>&-" 2>/dev/null || true
		fi
	done
	exec 3>&-
}

# detached CMD...: run CMD without bats' descriptors, so that a process
# substitution such as <(detached sleep 9) does not keep bats waiting.
detached() {
	close_fds
	"$@"
}

# cleanup_spawned: kill everything spawn started (TERM, then KILL).
cleanup_spawned() {
	local pid
	for pid in "${SPAWNED[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${SPAWNED[@]}"; do
		wait_pid "$pid" 2
		kill -KILL "$pid" 2>/dev/null || true
	done
	SPAWNED=()
}

# stop_servers: SIGTERM to each spawned program itself, the child of its
# timeout wrapper (a server that logs or cleans up on SIGTERM is then seen
# doing it), then cleanup_spawned for the rest.
stop_servers() {
	local pid
	for pid in "${SPAWNED[@]}"; do
		pkill -TERM -P "$pid" 2>/dev/null || true
	done
	cleanup_spawned
}

teardown() {
	cleanup_spawned
}
