# shellcheck shell=bash
# tests/lesson-runner.bash - run the "Try it" examples of a lesson.
#
# The convention (documented for authors in lessons/README.md):
#   ```sh term1          commands typed in terminal 1 (also term2, term3)
#   ```text expect-term1 lines expected in terminal 1's output (stdout and
#                        stderr), in order, others may come between;
#                        "..." in a line matches any text
# The blocks under one heading form one example. Every terminal but the
# last runs in the background, in order, and must print a line matching
# "listening on|connected to" before the next starts; the last runs in the
# foreground. Ports 7000-7099 are replaced by free ports. Each example runs
# in a fresh directory in which build/ is the build under test.

# lesson_extract FILE OUTDIR: write OUTDIR/NNN/{title,termN.sh,expect-termN.txt}
# for every example in FILE; prints the number of examples.
lesson_extract() {
	awk -v out="$2" '
	function flush_heading() { if (used) { n++; used = 0 } }
	BEGIN { n = 1; used = 0; infence = 0; title = "" }
	/^(```|~~~)/ {
		if (infence) { infence = 0; target = ""; next }
		infence = 1
		info = $0; sub(/^(```|~~~)[ \t]*/, "", info)
		split(info, w, /[ \t]+/)
		target = ""
		if (w[1] == "sh" && w[2] ~ /^term[0-9]$/) target = w[2] ".sh"
		if (w[1] == "text" && w[2] ~ /^expect-term[0-9]$/) target = w[2] ".txt"
		if (target != "") {
			dir = sprintf("%s/%03d", out, n)
			if (!used) {
				system("mkdir -p " dir)
				print title > (dir "/title"); close(dir "/title")
			}
			used = 1
		}
		next
	}
	infence { if (target != "") print >> (dir "/" target); next }
	/^#/ { flush_heading(); title = $0; next }
	END { if (used) n++; print n - 1 }
	' "$1"
}

# free_port: a port nothing listens on now, chosen by the kernel.
free_port() {
	local log pid port
	log=$(mktemp)
	("$SOCKLAB_BUILD/tcp-server" -4 -b 127.0.0.1 0 </dev/null 2>"$log" >/dev/null 3>&- &
		echo $! >"$log.pid"; wait) &
	for _ in $(seq 100); do
		grep -q 'listening on' "$log" && break
		sleep 0.02
	done
	port=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\).*/\1/p' "$log")
	pid=$(cat "$log.pid")
	kill "$pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -f "$log" "$log.pid"
	echo "$port"
}

# glob_of LINE: the expected LINE as a bash pattern ("..." matches anything).
glob_of() {
	local s=$1
	s=${s//\\/\\\\}
	s=${s//\*/\\*}
	s=${s//\?/\\?}
	s=${s//\[/\\[}
	s=${s//.../*}
	printf '%s' "$s"
}

# expect_lines EXPECTED ACTUAL: every EXPECTED line matches an ACTUAL line,
# in order. Prints the first missing line on failure.
expect_lines() {
	local want got pattern
	local -a actual
	mapfile -t actual <"$2"
	local i=0
	while IFS= read -r want || [ -n "$want" ]; do
		want=${want%"${want##*[![:space:]]}"}
		[ -z "$want" ] && continue
		pattern=$(glob_of "$want")
		while [ "$i" -lt "${#actual[@]}" ]; do
			got=${actual[$i]%"${actual[$i]##*[![:space:]]}"}
			i=$((i + 1))
			# shellcheck disable=SC2053 # the right side is a pattern
			if [[ "$got" == $pattern ]]; then
				continue 2
			fi
		done
		echo "expected line not found (in order): $want"
		return 1
	done <"$1"
}

# lesson_run_example DIR: run one extracted example; 0 if every expectation
# held, else 1 with a report on stdout.
lesson_run_example() {
	local dir=$1 work t last rc=0 p port i
	local -a terms pids
	work=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/example.XXXXXX")
	ln -s "$SOCKLAB_BUILD" "$work/build"
	cp "$dir"/*.sh "$work/"
	cp "$dir"/*.txt "$work/" 2>/dev/null || true
	# One free port for each lesson port (7000-7099) the example names.
	local -a lesson_ports
	mapfile -t lesson_ports < <(cat "$work"/*.sh "$work"/*.txt 2>/dev/null |
		grep -oE '(^|[^0-9])70[0-9][0-9]([^0-9]|$)' | grep -oE '70[0-9][0-9]' | sort -u)
	for p in "${lesson_ports[@]}"; do
		port=$(free_port)
		# Twice, because one match consumes the separator the next needs.
		sed -i -E "s/(^|[^0-9])$p([^0-9]|\$)/\\1$port\\2/g; s/(^|[^0-9])$p([^0-9]|\$)/\\1$port\\2/g" \
			"$work"/*.sh "$work"/*.txt 2>/dev/null || true
	done
	for t in "$work"/term[0-9].sh; do
		t=${t##*/}
		terms+=("${t%.sh}")
	done
	last=${terms[${#terms[@]} - 1]}
	for t in "${terms[@]}"; do
		if [ "$t" = "$last" ]; then
			(cd "$work" && close_fds && timeout "${T:-20}" bash "$t.sh") \
				</dev/null >"$work/out-$t" 2>&1 || true
			break
		fi
		(cd "$work" && close_fds && exec setsid bash "$t.sh") \
			</dev/null >"$work/out-$t" 2>&1 &
		pids+=("$!")
		if ! wait_for_line "$work/out-$t" 'listening on|connected to' "${T:-20}" >/dev/null 2>&1; then
			echo "$t never printed 'listening on' or 'connected to'"
			rc=1
			break
		fi
	done
	# Background terminals may finish by themselves; then they are stopped.
	# (Poll, never a bare `wait`: a server left running would block it.)
	for i in "${!pids[@]}"; do
		for _ in $(seq 60); do
			kill -0 "${pids[$i]}" 2>/dev/null || break
			sleep 0.05
		done
		kill -TERM -- "-${pids[$i]}" 2>/dev/null || true
		wait "${pids[$i]}" 2>/dev/null || true
	done
	for t in "${terms[@]}"; do
		if [ -f "$work/expect-$t.txt" ] &&
			! expect_lines "$work/expect-$t.txt" "$work/out-$t"; then
			rc=1
		fi
	done
	if [ "$rc" -ne 0 ]; then
		for t in "${terms[@]}"; do
			echo "--- $t typed:"
			sed 's/^/    /' "$work/$t.sh"
			echo "--- $t printed:"
			sed 's/^/    /' "$work/out-$t" 2>/dev/null
		done
	fi
	return "$rc"
}

# lesson_check FILE: run every example of a lesson; report failures.
lesson_check() {
	local file=$1 out n d report failed=0
	out=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/lesson.XXXXXX")
	n=$(lesson_extract "$file" "$out")
	for d in "$out"/[0-9]*; do
		[ -d "$d" ] || continue
		if ! report=$(lesson_run_example "$d"); then
			echo "FAIL ${file##*/}: $(cat "$d/title")"
			printf '%s\n' "$report" | sed 's/^/  /'
			failed=$((failed + 1))
		fi
	done
	echo "${file##*/}: $n examples, $failed failed"
	[ "$failed" -eq 0 ]
}
