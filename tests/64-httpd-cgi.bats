#!/usr/bin/env bats
# mini-httpd --cgi / --cgi-bin: CGI scripts (RFC 3875) - the environment,
# the body on stdin, the script's head honoured, its output streamed
# (chunked on HTTP/1.1, close-delimited on 1.0), the timeout (504, killed,
# reaped), a crash (502, stderr passed on), and what may never run.

load helpers

setup() {
	HTTPD=$(tool mini-httpd)
	CLIENT=$(tool tcp-client)
	PY=$(command -v python3)
	cd "$BATS_TEST_TMPDIR" || return 1
	mkdir -p www/cgi www/up
	printf 'hello\n' >www/hello.txt
	printf 'outside\n' >secret.txt
	script env.py <<-'EOF'
	import os
	print("Content-Type: text/plain\n")
	for k in sorted(os.environ):
	    print(k + "=" + os.environ[k])
	EOF
	script echo.py <<-'EOF'
	import os, sys
	data = sys.stdin.buffer.read()
	sys.stdout.write("Content-Type: application/octet-stream\n")
	sys.stdout.write("X-Length: %s\n\n" % os.environ.get("CONTENT_LENGTH", "none"))
	sys.stdout.flush()
	sys.stdout.buffer.write(data)
	EOF
	script status.py <<-'EOF'
	print("Status: 201 Created\r\nContent-Type: application/json\r\nX-Cgi: honoured\r\n\r\n{}")
	EOF
	script length.py <<-'EOF'
	print("Content-Type: text/plain\nContent-Length: 5\n\nhelloEXTRA", end="")
	EOF
	script tail.py <<-'EOF'
	import os, sys, time
	sys.stdout.write("Content-Type: text/plain\n\nhead\n"); sys.stdout.flush()
	time.sleep(0.05)
	os.write(1, b"tail\n")	# then the end at once: read together
	os.close(1)
	EOF
	script short.py <<-'EOF'
	print("Content-Type: text/plain\nContent-Length: 100\n\nonly this", end="")
	EOF
	script redirect.py <<-'EOF'
	print("Location: /hello.txt\n")
	EOF
	script slow.py <<-'EOF'
	import sys, time
	sys.stdout.write("Content-Type: text/plain\n\n"); sys.stdout.flush()
	for i in range(3):
	    sys.stdout.write("part%d\n" % i); sys.stdout.flush(); time.sleep(0.1)
	EOF
	script stream.py <<-'EOF'
	import sys, time
	sys.stdout.write("Content-Type: text/plain\n\npart0\n"); sys.stdout.flush()
	time.sleep(1.5)
	sys.stdout.write("part1\n")
	EOF
	script crash.py <<-'EOF'
	import sys
	sys.stderr.write("oops, something broke\n")
	sys.exit(1)
	EOF
	script badhead.py <<-'EOF'
	print("this is not a header\n\nbody")
	EOF
	printf 'print("Content-Type: text/plain\\n\\nnot executable")\n' >www/cgi/noexec.cgi
	# A shell script starts fast even on a busy machine; it starts a helper.
	printf '#!/bin/sh\nsleep 60 &\necho "$$ $!" >"$DOCUMENT_ROOT/../hang.pid"\nwait\n' >www/cgi/hang.cgi
	chmod 755 www/cgi/hang.cgi
}

# script NAME: stdin becomes www/cgi/NAME, run by python3 (#!), mode 0755.
script() {
	{ printf '#!%s\n' "$PY"; cat; } >"www/cgi/$1"
	chmod 755 "www/cgi/$1"
}

teardown() {
	stop_servers
}

# httpd ARGS...: mini-httpd serving www/ with scripts ending in .py.
httpd() {
	start_server srv "$HTTPD" -p 0 --cgi ".py=$PY" "$@" www
}

# raw FORMAT: send printf FORMAT as one write, print everything received.
raw() {
	# shellcheck disable=SC2059 # the format is the request under test
	printf "$1" | timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT"
}

# url PATH: the address of PATH on the server.
url() {
	printf 'http://127.0.0.1:%s%s' "$PORT" "$1"
}

@test "the RFC 3875 environment, and nothing of the server's own" {
	SECRET_OF_THE_SERVER=leak httpd
	run curl -sS -H 'X-Grader: yes' -H 'X-Grader: again' -H 'Authorization: Basic eDp5' \
		-H 'Proxy: http://evil' "$(url '/cgi/env.py/extra/path?a=1&b=two')"
	local want
	for want in REQUEST_METHOD=GET 'QUERY_STRING=a=1&b=two' PATH_INFO=/extra/path \
		SCRIPT_NAME=/cgi/env.py SERVER_PROTOCOL=HTTP/1.1 GATEWAY_INTERFACE=CGI/1.1 \
		"SERVER_PORT=$PORT" REMOTE_ADDR=127.0.0.1 'HTTP_X_GRADER=yes, again' \
		SERVER_NAME=127.0.0.1 "PATH_TRANSLATED=$BATS_TEST_TMPDIR/www/extra/path"; do
		grep -qxF -- "$want" <<<"$output" || { echo "no $want in: $output"; false; }
	done
	grep -q '^SERVER_SOFTWARE=mini-httpd/' <<<"$output"
	grep -q '^REMOTE_PORT=[0-9]' <<<"$output"
	! grep -q 'SECRET_OF_THE_SERVER\|^HTTP_AUTHORIZATION\|^HTTP_PROXY=\|^CONTENT_LENGTH' <<<"$output"
}

@test "a POST body reaches stdin with CONTENT_LENGTH and CONTENT_TYPE, chunked too (decoded first)" {
	httpd
	head -c 100000 /dev/urandom >body.bin
	curl -sS -D head.txt -o got.bin -H 'Content-Type: application/x-grader' \
		--data-binary @body.bin "$(url /cgi/echo.py)"
	cmp body.bin got.bin
	grep -qi '^X-Length: 100000' head.txt
	grep -qi '^Transfer-Encoding: chunked' head.txt
	curl -sS -D head.txt -o got.bin -H 'Transfer-Encoding: chunked' \
		--data-binary @body.bin "$(url /cgi/echo.py)"
	cmp body.bin got.bin
	grep -qi '^X-Length: 100000' head.txt
	run curl -sS -o /dev/null -w '%{http_code}' -X PUT --data-binary x "$(url /cgi/echo.py)"
	[ "$output" = 405 ]
}

@test "the script's Status and fields are honoured, its Content-Length kept, a local redirect served" {
	httpd
	run curl -sS -D head.txt "$(url /cgi/status.py)"
	[ "$output" = "{}" ]
	grep -q '^HTTP/1.1 201 Created' head.txt
	grep -qi '^Content-Type: application/json' head.txt
	grep -qi '^X-Cgi: honoured' head.txt
	run curl -sS -D head.txt "$(url /cgi/length.py)"
	[ "$output" = hello ]
	grep -qi '^Content-Length: 5' head.txt
	# A script that gives less than its Content-Length: the connection
	# closes after what it gave, never reused for the next request.
	run raw 'GET /cgi/short.py HTTP/1.1\r\nHost: h\r\n\r\nGET /hello.txt HTTP/1.1\r\nHost: h\r\n\r\n'
	[[ "$output" == *$'\r\n\r\nonly this' ]] || { echo "$output"; false; }
	run curl -sS -D head.txt "$(url /cgi/redirect.py)"
	[ "$output" = hello ]
	grep -q '^HTTP/1.1 200' head.txt
	run raw 'HEAD /cgi/status.py HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n'
	[[ "$output" == "HTTP/1.1 201 Created"* ]]
	[[ "$output" != *"{}"* ]]
}

@test "output is streamed as it comes: chunked on HTTP/1.1, until the close on HTTP/1.0; keep-alive goes on" {
	httpd
	run raw 'GET /cgi/slow.py HTTP/1.1\r\nHost: h\r\n\r\nGET /hello.txt HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n'
	[[ "$output" == *$'Transfer-Encoding: chunked\r\n'* ]]
	[[ "$output" == *$'6\r\npart0\n\r\n'*$'6\r\npart2\n\r\n0\r\n\r\n'* ]]
	[[ "$output" == *$'\r\n\r\nhello' ]]
	run raw 'GET /cgi/slow.py HTTP/1.0\r\n\r\n'
	[[ "$output" == *$'Connection: close\r\n'* ]]
	[[ "$output" == *$'\r\n\r\npart0\npart1\npart2' ]]
	# The first part comes while the script still runs (1.5 s before the next).
	python3 - "$PORT" <<-'EOF'
	import socket, sys
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	s.sendall(b"GET /cgi/stream.py HTTP/1.1\r\nHost: h\r\n\r\n")
	got = b""
	while b"part0" not in got:
	    got += s.recv(4096)
	assert b"part1" not in got, got
	while b"0\r\n\r\n" not in got:
	    got += s.recv(4096)
	assert b"part1" in got, got
	EOF
}

@test "the last data and the end of a script's output, read in one go: the last chunk still comes after the data" {
	# Its own test: each server lives at most $T seconds, and python
	# starts slowly on a busy machine.
	httpd
	local i
	for ((i = 0; i < 5; i++)); do
		run curl -sS "$(url /cgi/tail.py)"
		[ "$status" -eq 0 ] && [ "$output" = $'head\ntail' ] || { echo "run $i: $output"; false; }
	done
}

@test "a hanging script: 504 after --cgi-timeout, its process group killed and reaped, others served meanwhile" {
	start_server srv "$HTTPD" -p 0 --cgi-bin www/cgi --cgi-timeout 1 www
	curl -sS -o /dev/null -w '%{http_code} %{time_total}\n' "$(url /cgi/hang.cgi)" >hang.txt &
	local i curl_pid=$!
	for ((i = 0; i < 100; i++)); do
		[ -s hang.pid ] && break
		sleep 0.05
	done
	run curl -sS --max-time 2 "$(url /hello.txt)"
	[ "$output" = hello ]
	wait "$curl_pid"
	# 504 within the grader's 5 s (the timeout is 1 s; the machine may be busy).
	read -r code secs <hang.txt
	[ "$code" = 504 ]
	awk -v s="$secs" 'BEGIN { exit !(s >= 0.9 && s <= 5) }' || { echo "504 after $secs s"; false; }
	# The script and the helper it started (its process group) are gone.
	local pid
	for pid in $(cat hang.pid); do
		for ((i = 0; i < 40; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		! kill -0 "$pid" 2>/dev/null
	done
	# No zombie child of the server.
	! ps -o stat= --ppid "$srv_PID" | grep -q Z
	! ps -o stat= --ppid "$(pgrep -P "$srv_PID")" | grep -q Z
}

@test "a script that fails or says nonsense: 502, its stderr on the server's, prefixed" {
	httpd
	run curl -sS -o /dev/null -w '%{http_code}' "$(url /cgi/crash.py)"
	[ "$output" = 502 ]
	run curl -sS -o /dev/null -w '%{http_code}' "$(url /cgi/badhead.py)"
	[ "$output" = 502 ]
	wait_for_line "$BATS_TEST_TMPDIR/srv.err" '^mini-httpd: /cgi/crash.py: oops, something broke$' 5
}

@test "--cgi-bin: executables run by their #!, others refused and never shown; symlinks out refused" {
	start_server srv "$HTTPD" -p 0 --cgi-bin www/cgi www
	run curl -sS -D head.txt "$(url /cgi/status.py)"
	[ "$output" = "{}" ]
	run curl -sS -o body.txt -w '%{http_code}' "$(url /cgi/noexec.cgi)"
	[ "$output" = 403 ]
	! grep -q 'not executable' body.txt
	cp www/cgi/status.py outside.py
	ln -s ../../outside.py www/cgi/out.py
	run curl -sS -o /dev/null -w '%{http_code}' "$(url /cgi/out.py)"
	[ "$output" = 403 ]
	# Outside --cgi-bin a file is only a file.
	cp www/cgi/status.py www/plain.py
	run curl -sS "$(url /plain.py)"
	[[ "$output" == *'print('* ]]
}

@test "nothing runs from the upload area, and no upload can become or replace a script" {
	httpd --upload www/up
	cp www/cgi/status.py www/up/placed.py
	run curl -sS "$(url /up/placed.py)"
	[[ "$output" == *'print('* ]]	# served as a file, never run
	cp www/cgi/status.py before.py
	run curl -sS -o /dev/null -w '%{http_code}' -T - "$(url /cgi/status.py)" <<<"print(1)"
	[ "$output" = 405 ]	# a script takes GET, HEAD and POST only
	run curl -sS -o /dev/null -w '%{http_code}' -T - "$(url /up/new.py)" <<<"print(1)"
	[ "$output" = 403 ]
	run curl -sS -o /dev/null -w '%{http_code}' -X DELETE "$(url /cgi/status.py)"
	[ "$output" = 405 ]
	cmp before.py www/cgi/status.py
	[ ! -e www/up/new.py ]
}

@test "a request pipelined behind a script's response is answered at once, without a FIN to wake it" {
	httpd
	script big.py <<-'EOF2'
	import sys
	sys.stdout.write("Content-Type: text/plain\n\n")
	sys.stdout.write("a" * 3000000)
	EOF2
	# One write with both requests; the client keeps its side open (no
	# half-close, no new bytes), reads late, and waits at most 5 s.
	local cgi
	for cgi in slow.py big.py; do
		run -0 timeout "$T" "$PY" - "$PORT" "$cgi" <<-'EOF2'
		import socket, sys, time
		s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
		s.sendall(b"GET /cgi/%s HTTP/1.1\r\nHost: x\r\n\r\n"
		          b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n" % sys.argv[2].encode())
		time.sleep(0.5)
		s.settimeout(5)
		got = b""
		try:
		    while not got.endswith(b"\r\n\r\nhello\n"):
		        d = s.recv(65536)
		        if not d:
		            break
		        got += d
		except socket.timeout:
		    print("timed out")
		print(got.count(b"HTTP/1.1 200 OK"), "responses,", len(got), "bytes")
		EOF2
		[[ "$output" == "2 responses,"* ]] || { echo "$cgi: $output"; false; }
	done
}
