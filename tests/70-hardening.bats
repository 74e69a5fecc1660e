#!/usr/bin/env bats
# Hardening: many clients at once, clients that reset, and a server that
# runs out of file descriptors and recovers.

load helpers

setup() {
	SERVER=$(tool tcp-server)
	CLIENT=$(tool tcp-client)
	cd "$BATS_TEST_TMPDIR" || return 1
}

@test "200 concurrent clients each echo 1 MiB byte-exact through tcp-server --echo -k" {
	head -c 1048576 /dev/urandom >in.bin
	# The clients are bounded by 120 s each: the server must outlive them.
	SPAWN_TIMEOUT=300 start_server srv "$SERVER" --echo -k 0
	local i pids=()
	for ((i = 0; i < 200; i++)); do
		(close_fds; exec timeout 120 "$CLIENT" -q 127.0.0.1 "$PORT" <in.bin >"out.$i") &
		pids+=("$!")
	done
	local failed=0
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || failed=$((failed + 1))
	done
	[ "$failed" -eq 0 ]
	local want
	want=$(sha256sum <in.bin)
	for ((i = 0; i < 200; i++)); do
		[ "$(sha256sum <"out.$i")" = "$want" ] || { echo "client $i got other bytes"; false; }
	done
	kill -0 "$srv_PID"
}

@test "clients that reset mid-transfer (SO_LINGER 0) never kill the server" {
	head -c 4000000 /dev/urandom >big.bin
	local model
	for model in poll thread fork iterative; do
		start_server "srv_$model" "$SERVER" --echo -k --model "$model" 0
		local i
		for ((i = 0; i < 10; i++)); do
			timeout "$T" "$CLIENT" -q --reset 127.0.0.1 "$PORT" <big.bin >/dev/null 2>&1 || true
		done
		run -0 timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT" <<<"still here"
		[ "$output" = "still here" ] || { echo "model $model: '$output'"; false; }
	done
}

# hold N: N clients that stay connected (their stdin never ends).
hold() {
	local i
	for ((i = 0; i < $1; i++)); do
		SPAWN_STDIN=<(detached sleep "$T") spawn "hold$i" "$CLIENT" 127.0.0.1 "$PORT"
	done
}

# out_of_fds MODEL: with 16 descriptors, the server says once that it ran
# out, keeps running, and serves again when the held clients leave.
out_of_fds() {
	start_server srv bash -c "ulimit -n 16 && exec '$SERVER' --echo -k --model $1 0"
	hold 20
	wait_for_line srv.err 'accept failed: Too many open files \(EMFILE\)'
	# Give the server time to retry and (wrongly) repeat itself or spin.
	local i
	for ((i = 0; i < 20; i++)); do
		SPAWN_STDIN=/dev/null spawn "late$i" "$CLIENT" -w 0.05 127.0.0.1 "$PORT"
	done
	kill -0 "$srv_PID"
	[ "$(grep -c 'accept failed' srv.err)" -eq 1 ]
	# The held clients leave; a new client is served.
	for ((i = 0; i < 20; i++)); do
		local pid_var="hold${i}_PID"
		kill "${!pid_var}" 2>/dev/null || true
	done
	run -0 timeout "$T" "$CLIENT" -q -w 5 127.0.0.1 "$PORT" <<<"back"
	[ "$output" = "back" ]
	grep -q 'descriptors are free again' srv.err
}

@test "out of descriptors (poll model): said once, no crash, recovers (EMFILE)" {
	out_of_fds poll
}

@test "out of descriptors (thread model): said once, no crash, recovers (EMFILE)" {
	out_of_fds thread
}
