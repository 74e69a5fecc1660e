# shellcheck shell=bash
# tests/lesson-runner.bash - run a lesson's "Try it" examples as a learner
# would, and check that every terminal shows what the lesson says it shows.
#
# The conventions (lessons/README.md, "How the Try it blocks are tested"):
#   ```sh termN [ctrl-c]   what is typed in terminal N (1-9); "ctrl-c": the
#                          learner stops it with Ctrl-C once the others are done
#   ```text expect-termN   what terminal N shows, stdout and stderr, line by
#                          line, from its first line to its last:
#                            "..." in a line     any text (a port, a pid, a time)
#                            "..." alone, or "... (why)": any lines, here
#                            "? " before a line  this line may be missing
#                                                (the lesson says when)
#                          blank lines count; runs of spaces match any run,
#                          spaces at either end of a line are ignored
# The blocks under one heading form one example; examples run in the order
# of the file, in one directory, so what one leaves behind (files, TIME_WAIT)
# the next one meets. Needs only bash, awk and coreutils (plus unshare, ip
# and setpriv for the by-hand mode); SOCKLAB_BUILD and SOCKLAB_ROOT set.
#
# LESSON_MODE:
#   by-hand (default)  the lesson runs in a private network and pid namespace,
#                      without privileges, on the ports it names: what a
#                      learner (not root) sees who follows it by hand
#   fresh-port         no namespace: ports 7000-7099 are replaced by free
#                      ports, one mapping for the whole lesson (for machines
#                      without namespaces; privileges are not dropped)

LR_T=${LESSON_TIMEOUT:-30}	# seconds a terminal may take
# A lesson shows the grader's budget as a learner gets it, even when the
# suite stretches the contract's bounds for a slower build (make sanitize).
unset CONTRACT_SCALE
LR_READY='listening on|connected to'

# lesson_extract FILE OUTDIR: write OUTDIR/NNN/{title,termN.sh,
# expect-termN.txt,ctrl-c-termN} for every example in FILE; prints how many.
lesson_extract() {
	mkdir -p "$2"
	awk -v out="$2" '
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
			# Create the file even for an empty block.
			printf "" >> (dir "/" target); close(dir "/" target)
			if (w[3] == "ctrl-c") {
				print "" > (dir "/ctrl-c-" w[2]); close(dir "/ctrl-c-" w[2])
			}
		}
		next
	}
	infence { if (target != "") print >> (dir "/" target); next }
	/^#/ { if (used) { n++; used = 0 } title = $0; next }
	END { if (used) n++; print n - 1 }
	' "$1"
}

# lr_match EXPECTED ACTUAL: ACTUAL is what EXPECTED says, line by line
# (see the conventions above); else print where they part and fail.
lr_match() {
	awk '
	function norm(s) { sub(/[ \t\r]+$/, "", s); sub(/^[ \t]+/, "", s); gsub(/[ \t]+/, " ", s); return s }
	function regex(s,   out, i, c) {
		out = ""
		for (i = 1; i <= length(s); i++) {
			if (substr(s, i, 3) == "...") { out = out ".*"; i += 2; continue }
			c = substr(s, i, 1)
			if (c == " ") { out = out "[ ]+"; continue }
			if (index("\\^$.[]|()*+?{}/", c)) c = "\\" c
			out = out c
		}
		return "^" out "$"
	}
	# m(i, j): expected lines i.. match actual lines j.. (memoised).
	function m(i, j,   k, r) {
		if ((i, j) in memo) return memo[i, j]
		if (i > ne) r = (j > na)
		else if (skip[i]) {
			r = 0
			for (k = j; k <= na + 1 && !r; k++) r = m(i + 1, k)
		} else if (opt[i])
			r = (j <= na && act[j] ~ pat[i] && m(i + 1, j + 1)) || m(i + 1, j)
		else if (j > na) r = 0
		else r = (act[j] ~ pat[i]) ? m(i + 1, j + 1) : 0
		if (!r && !skip[i] && !opt[i] && (i > far_i || (i == far_i && j > far_j))) { far_i = i; far_j = j }
		memo[i, j] = r
		return r
	}
	FNR == NR { ne++; e = norm($0); exp_line[ne] = e
		skip[ne] = (e ~ /^\.\.\.( \(.*\))?$/)
		opt[ne] = sub(/^\? /, "", e); pat[ne] = regex(e); next }
	{ na++; act[na] = norm($0) }
	END {
		far_i = 0; far_j = 0
		if (m(1, 1)) exit 0
		if (far_i > ne) {
			printf "the terminal shows more lines than the lesson, from line %d: %s\n", far_j, act[far_j]
		} else {
			printf "expected line %d not shown: %s\n", far_i, exp_line[far_i]
			if (far_j <= na) printf "  the terminal showed instead (line %d): %s\n", far_j, act[far_j]
			else printf "  the terminal had no more lines\n"
		}
		exit 1
	}' "$1" "$2"
}

# lr_free_port: a port nothing listens on now, chosen by the kernel.
lr_free_port() {
	local log pid port i
	log=$(mktemp)
	"$SOCKLAB_BUILD/tcp-server" -4 -b 127.0.0.1 0 </dev/null >/dev/null 2>"$log" 3>&- &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		grep -q 'listening on' "$log" && break
		sleep 0.02
	done
	port=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\).*/\1/p' "$log")
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -f "$log"
	echo "$port"
}

# lr_remap_ports WORKFILES...: in fresh-port mode, replace each lesson port
# 7000-7099 by a free port, the same one for the whole lesson (LR_PORTS).
lr_remap_ports() {
	local p f
	local -a ports
	mapfile -t ports < <(grep -ohE '(^|[^0-9])70[0-9][0-9]([^0-9]|$)' "$@" 2>/dev/null |
		grep -oE '70[0-9][0-9]' | sort -u)
	for p in "${ports[@]}"; do
		if [ -z "${LR_PORTS[$p]:-}" ]; then
			LR_PORTS[$p]=$(lr_free_port)
		fi
		for f in "$@"; do
			# Twice: one match consumes the separator the next one needs.
			sed -i -E "s/(^|[^0-9])$p([^0-9]|\$)/\\1${LR_PORTS[$p]}\\2/g; s/(^|[^0-9])$p([^0-9]|\$)/\\1${LR_PORTS[$p]}\\2/g" "$f"
		done
	done
}

# lr_wait_ready FILE PID: poll until FILE shows a line matching LR_READY;
# fails if PID ended first or LR_T seconds passed.
lr_wait_ready() {
	local i
	for ((i = 0; i < LR_T * 20; i++)); do
		grep -Eq -- "$LR_READY" "$1" 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || { grep -Eq -- "$LR_READY" "$1"; return; }
		sleep 0.05
	done
	return 1
}

# lr_wait_end PID SECS: poll until PID has ended; fails after SECS seconds.
lr_wait_end() {
	local i
	for ((i = 0; i < $2 * 20; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	return 1
}

# lr_wait_quiet FILE: until FILE has not grown for half a second (at most
# LR_T seconds): what a learner waits for before pressing Ctrl-C.
lr_wait_quiet() {
	local size last=-1 still=0 i
	for ((i = 0; i < LR_T * 20 && still < 10; i++)); do
		size=$(wc -c <"$1")
		if [ "$size" = "$last" ]; then still=$((still + 1)); else still=0; fi
		last=$size
		sleep 0.05
	done
}

# lr_stop PGID: Ctrl-C to a terminal's process group, then TERM, then KILL.
lr_stop() {
	kill -INT -- "-$1" 2>/dev/null || return 0
	lr_wait_end "$1" 2 && return 0
	kill -TERM -- "-$1" 2>/dev/null || true
	lr_wait_end "$1" 2 && return 0
	kill -KILL -- "-$1" 2>/dev/null || true
}

# lr_terms DIR: the example's terminals, term1 ..., one per line; fails,
# saying why, if an expect block names a terminal nobody types into.
lr_terms() {
	local t
	for t in "$1"/expect-term[0-9].txt; do
		[ -e "$t" ] || continue
		t=${t##*/expect-}
		if [ ! -e "$1/${t%.txt}.sh" ]; then
			echo "an expect-${t%.txt} block, but no sh ${t%.txt} block in this example"
			return 1
		fi
	done
	for t in "$1"/term[0-9].sh; do
		[ -e "$t" ] || { echo "expect blocks but no sh termN block"; return 1; }
		t=${t##*/}
		echo "${t%.sh}"
	done
}

# lr_run_terms DIR WORK TERM...: start each terminal in order (each its own
# session, as a terminal window is, so that Ctrl-C reaches what runs in it),
# waiting for all but the last to be ready; then let those that end by
# themselves end, and stop the others with Ctrl-C. Output in DIR/out-TERM.
lr_run_terms() {
	local dir=$1 work=$2 t i rc=0
	shift 2
	local -a terms=("$@") pids
	for i in "${!terms[@]}"; do
		t=${terms[$i]}
		(cd "$work" && lr_close_fds && exec setsid bash "$dir/$t.sh") \
			</dev/null >"$dir/out-$t" 2>&1 &
		pids[i]=$!
		if [ "$i" -lt $((${#terms[@]} - 1)) ] && ! lr_wait_ready "$dir/out-$t" "${pids[$i]}"; then
			echo "$t never printed 'listening on' or 'connected to'"
			rc=1
			break
		fi
	done
	for i in "${!pids[@]}"; do
		t=${terms[$i]}
		[ -e "$dir/ctrl-c-$t" ] && continue
		if ! lr_wait_end "${pids[$i]}" "$LR_T"; then
			echo "$t did not end by itself within ${LR_T}s (mark it 'sh $t ctrl-c' if the learner stops it)"
			rc=1
		fi
	done
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		t=${terms[$i]}
		[ -e "$dir/ctrl-c-$t" ] && lr_wait_quiet "$dir/out-$t"
		lr_stop "${pids[$i]}"
		wait "${pids[$i]}" 2>/dev/null || true
	done
	return "$rc"
}

# lesson_run_example DIR WORK: run the extracted example DIR in directory
# WORK; 0 if every terminal showed what the lesson says, else 1 and a report.
lesson_run_example() {
	local dir=$1 work=$2 t rc=0 list
	local -a terms
	list=$(lr_terms "$dir") || { echo "$list" | tail -n 1; return 1; }
	mapfile -t terms <<<"$list"
	if [ "${LESSON_MODE:-by-hand}" = fresh-port ]; then
		lr_remap_ports "$dir"/*.sh "$dir"/*.txt
	fi
	for t in "${terms[@]}"; do
		: >"$dir/out-$t"
	done
	lr_run_terms "$dir" "$work" "${terms[@]}" || rc=1
	for t in "${terms[@]}"; do
		if [ -f "$dir/expect-$t.txt" ] &&
			! (echo "$t:" && lr_match "$dir/expect-$t.txt" "$dir/out-$t") >"$dir/why-$t"; then
			cat "$dir/why-$t"
			rc=1
		fi
	done
	if [ "$rc" -ne 0 ]; then
		for t in "${terms[@]}"; do
			echo "--- $t typed:"
			sed 's/^/    /' "$dir/$t.sh"
			echo "--- $t showed:"
			sed 's/^/    /' "$dir/out-$t" 2>/dev/null
		done
	fi
	return "$rc"
}

# lr_close_fds: close every descriptor above 2 (bats waits for whoever
# holds its pipes, so nothing we start may inherit them).
lr_close_fds() {
	local fd
	for fd in "/proc/$BASHPID/fd/"*; do
		fd=${fd##*/}
		if [[ "$fd" =~ ^[0-9]+$ ]] && [ "$fd" -gt 2 ]; then
			eval "exec $fd>&-" 2>/dev/null || true
		fi
	done
}

# lr_workdir DIR: make DIR look like the top of the repository after
# `make`: build/ is the build under test, the rest is the checkout.
lr_workdir() {
	local f
	mkdir -p "$1"
	ln -s "$SOCKLAB_BUILD" "$1/build"
	for f in scripts tests lessons man common tools README.md; do
		ln -s "$SOCKLAB_ROOT/$f" "$1/$f"
	done
}

# lesson_check_here FILE: run every example of FILE, in order, here (in
# the current namespace); report failures; the last line sums them up.
lesson_check_here() {
	local file=$1 out n d report failed=0
	local -A LR_PORTS=()
	out=$(mktemp -d "${TMPDIR:-/tmp}/lesson.XXXXXX")
	n=$(lesson_extract "$file" "$out/examples")
	lr_workdir "$out/repo"
	for d in "$out"/examples/[0-9]*; do
		[ -d "$d" ] || continue
		if ! report=$(lesson_run_example "$d" "$out/repo"); then
			echo "FAIL ${file##*/}: $(cat "$d/title")"
			printf '%s\n' "$report" | sed 's/^/  /'
			failed=$((failed + 1))
		fi
	done
	rm -rf "$out"
	echo "${file##*/}: $n examples, $failed failed"
	[ "$failed" -eq 0 ]
}

# lesson_sandbox: print the command that enters a private network (and,
# where it can, pid) namespace here; fail, saying why, when none works.
lesson_sandbox() {
	local try err
	for try in "unshare --user --map-root-user --net --pid --fork --mount-proc" \
		"unshare --user --map-root-user --net" \
		"unshare --net --pid --fork --mount-proc" "unshare --net"; do
		# shellcheck disable=SC2086 # the words of the command
		if err=$($try sh -c 'ip link set lo up' 2>&1); then
			echo "$try"
			return 0
		fi
	done
	echo "no private network namespace here (${err:-unshare failed}): by-hand mode needs unshare --user --net, or root; LESSON_MODE=fresh-port runs without"
	return 1
}

# lesson_check FILE: run the lesson in LESSON_MODE (see the top of this file).
# Exit status 0 all passed, 1 one failed, 2 by-hand mode is impossible here.
lesson_check() {
	local file=$1 sandbox here
	if [ "${LESSON_MODE:-by-hand}" = fresh-port ]; then
		lesson_check_here "$file"
		return
	fi
	sandbox=$(lesson_sandbox) || { echo "$sandbox"; return 2; }
	here=${BASH_SOURCE[0]}
	# Loopback up, then no privileges left: uid 0 inside maps to the real
	# user and keeps no capability, so binding port 80 or SO_DEBUG fail as
	# they do for a learner.
	# shellcheck disable=SC2086,SC2016 # the words of the command; $1 is theirs
	(lr_close_fds; exec $sandbox bash -c '
		ip link set lo up || exit 2
		exec setpriv --inh-caps=-all --ambient-caps=-all --bounding-set=-all \
			bash -c "source \"\$1\"; lesson_check_here \"\$2\"" _ "$1" "$2"' \
		_ "$here" "$file")
}
