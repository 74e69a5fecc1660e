#!/usr/bin/env bats
# mini-httpd against a corpus of hostile and malformed requests
# (tests/httpd-hostile.txt): the right status for each, the connection
# closed where the RFC says, nothing smuggled, and never a crash or a hang.

load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	mkdir -p www
	printf 'hello\n' >www/index.html
	printf '0123456789abcdefghij' >www/digits.txt
	: >www/empty.txt
	# The corpus is one long test: the server must outlive $T.
	SPAWN_TIMEOUT=300 start_server srv "$(tool mini-httpd)" -p 0 -b 127.0.0.1 www
}

teardown() {
	# SIGTERM straight to the server (see 60-httpd.bats), then the rest.
	pkill -TERM -P "$srv_PID" 2>/dev/null || true
	wait_pid "$srv_PID" 5
	cleanup_spawned
}

# The valid request sent after each hostile one, in the same write.
NEXT='GET /digits.txt HTTP/1.1\r\nHost: x\r\n\r\n'

# send FORMAT: printf FORMAT and NEXT as one write; print what came back.
send() {
	# shellcheck disable=SC2059 # the format is the request under test
	printf "$1$NEXT" | timeout "$T" "$(tool tcp-client)" -q -w 5 127.0.0.1 "$PORT"
}

# check STATUS AFTER FORMAT: the answer to one corpus entry is right.
check() {
	local want=$1 after=$2 req=$3 out first
	out=$(send "$req") || { echo "client failed on: $req"; return 1; }
	first=$(head -n 1 <<<"$out" | tr -d '\r')
	if [[ "$first" != "HTTP/1.1 $want "* ]]; then
		echo "want $want, got '$first' for: $req"
		return 1
	fi
	if [ "$after" = close ]; then
		[[ "$out" == *$'Connection: close\r'* ]] ||
			{ echo "no Connection: close for: $req"; return 1; }
		[[ "$out" != *0123456789abcdefghij* ]] ||
			{ echo "the request after was answered (smuggling) for: $req"; return 1; }
	else
		[[ "$out" == *0123456789abcdefghij* ]] ||
			{ echo "the next request was not served after: $req"; return 1; }
	fi
}

@test "every request in the hostile corpus gets its status, close and framing" {
	local status after req n=0 failed=0
	while IFS=$'\t' read -r status after req; do
		case "$status" in '#'* | '') continue ;; esac
		req=${req%%	#*}
		n=$((n + 1))
		check "$status" "$after" "$req" || failed=$((failed + 1))
	done <"$SOCKLAB_ROOT/tests/httpd-hostile.txt"
	echo "$n requests, $failed wrong"
	[ "$n" -ge 40 ]
	[ "$failed" -eq 0 ]
	# After all of them the server still answers at once.
	kill -0 "$srv_PID"
	[[ "$(send 'HEAD /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')" == "HTTP/1.1 200 OK"* ]]
}

@test "huge inputs: a long target is 414, large or many headers 431, all closed" {
	local long many i
	long=$(head -c 20000 /dev/zero | tr '\0' a)
	run check 414 close "GET /$long HTTP/1.1\r\nHost: x\r\n\r\n"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	run check 431 close "GET / HTTP/1.1\r\nHost: x\r\nX: $long\r\n\r\n"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	many=
	for ((i = 0; i < 2000; i++)); do
		many+="X-$i: y\r\n"
	done
	run check 431 close "GET / HTTP/1.1\r\nHost: x\r\n${many}\r\n"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	kill -0 "$srv_PID"
}

@test "a client that resets mid-request or mid-response never kills the server" {
	local i
	head -c 3000000 /dev/urandom >www/big.bin
	for ((i = 0; i < 20; i++)); do
		printf 'GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n' |
			timeout "$T" "$(tool tcp-client)" -q --reset 127.0.0.1 "$PORT" >/dev/null 2>&1 || true
		printf 'GET /big.bin HTTP/1.1\r\nHo' |
			timeout "$T" "$(tool tcp-client)" -q --reset 127.0.0.1 "$PORT" >/dev/null 2>&1 || true
	done
	kill -0 "$srv_PID"
	[[ "$(send 'GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')" == "HTTP/1.1 200 OK"* ]]
}
