#!/usr/bin/env bats
# mini-httpd --upload: request bodies stored (POST, PUT, Content-Length or
# chunked), --max-body, bodies that never complete, DELETE, the confinement
# of every write to the upload area (symlinks, encodings, script names),
# --error-page, and the bad command lines of these options.

load helpers

setup() {
	HTTPD=$(tool mini-httpd)
	CLIENT=$(tool tcp-client)
	cd "$BATS_TEST_TMPDIR" || return 1
	mkdir -p www/up/sub www/cgi
	printf 'hello\n' >www/index.html
	printf 'outside\n' >secret.txt
	printf '<h1>custom 404</h1>\n' >www/404.html
	ln -s "$BATS_TEST_TMPDIR" www/up/out
	ln -s ../../secret.txt www/up/link.txt
}

teardown() {
	stop_servers
}

# httpd ARGS...: mini-httpd serving www/ with its upload area www/up.
httpd() {
	start_server srv "$HTTPD" -p 0 --upload www/up "$@" www
}

# raw FORMAT: send printf FORMAT as one write, print everything received.
raw() {
	# shellcheck disable=SC2059 # the format is the request under test
	printf "$1" | timeout "$T" "$CLIENT" -q 127.0.0.1 "$PORT"
}

# status FORMAT: the status code of the first response to a raw request.
status() {
	raw "$1" | head -n 1 | cut -d' ' -f2
}

# leftovers: every name in the upload area but those setup() made.
leftovers() {
	find www/up -mindepth 1 ! -name sub ! -name out ! -name link.txt -printf '%P\n'
}

# url PATH: the address of PATH on the server.
url() {
	printf 'http://127.0.0.1:%s%s' "$PORT" "$1"
}

@test "POST with Content-Length: stored whole (mode 0644), 201 with a Location, then served" {
	httpd
	head -c 300000 /dev/urandom >body.bin
	run curl -sS -o /dev/null -D head.txt -w '%{http_code}' --data-binary @body.bin "$(url /up/new.bin)"
	[ "$output" = 201 ]
	grep -qi '^Location: /up/new.bin' head.txt
	cmp body.bin www/up/new.bin
	[ "$(stat -c %a www/up/new.bin)" = 644 ]
	curl -sS -o got.bin "$(url /up/new.bin)"
	cmp body.bin got.bin
	[ "$(leftovers)" = new.bin ]
}

@test "PUT creates (201), replaces (204) and the next GET sees the new bytes; POST over a file: 409" {
	httpd
	run curl -sS -o /dev/null -w '%{http_code}' -T - "$(url /up/sub/a.txt)" <<<"first"
	[ "$output" = 201 ]
	curl -sS "$(url /up/sub/a.txt)" >/dev/null	# now in the cache
	run curl -sS -o /dev/null -w '%{http_code}' -T - "$(url /up/sub/a.txt)" <<<"second"
	[ "$output" = 204 ]
	run curl -sS "$(url /up/sub/a.txt)"
	[ "$output" = second ]
	run curl -sS -o /dev/null -w '%{http_code}' --data-binary x "$(url /up/sub/a.txt)"
	[ "$output" = 409 ]
	[ "$(cat www/up/sub/a.txt)" = second ]
	run curl -sS -o /dev/null -w '%{http_code}' -T - "$(url /up/nodir/a.txt)" <<<"x"
	[ "$output" = 409 ]
}

@test "Transfer-Encoding: chunked is decoded: extensions, trailers, bare LF, split anywhere" {
	httpd
	head -c 200000 /dev/urandom >body.bin
	run curl -sS -o /dev/null -w '%{http_code}' -H 'Transfer-Encoding: chunked' \
		--data-binary @body.bin "$(url /up/c.bin)"
	[ "$output" = 201 ]
	cmp body.bin www/up/c.bin
	run raw 'PUT /up/x.txt HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;name=val\r\nhello\r\n000\nTrailer-A: 1\r\n\r\nGET /up/x.txt HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n'
	[[ "$output" == "HTTP/1.1 201 Created"* ]]
	[[ "$output" == *$'\r\n\r\nhello' ]]	# the pipelined GET after the body
	# The same body, one byte per write.
	python3 - "$PORT" <<-'EOF'
	import socket, sys, time
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	req = b"PUT /up/y.txt HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
	for b in req:
	    s.send(bytes([b]))
	    time.sleep(0.001)
	assert s.recv(4096).startswith(b"HTTP/1.1 201"), "no 201"
	EOF
	[ "$(cat www/up/y.txt)" = abcde ]
}

@test "a malformed chunked body: 400, nothing stored" {
	httpd
	for body in 'zz\r\nabc\r\n0\r\n\r\n' '3\rabc\r\n0\r\n\r\n' '3\r\nabcX\r\n0\r\n\r\n' \
		'10000000000000000\r\nx' '3;\001\r\nabc\r\n0\r\n\r\n'; do
		run status "PUT /up/bad.txt HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n$body"
		[ "$output" = 400 ] || { echo "body $body: $output"; false; }
	done
	[ -z "$(leftovers)" ]
}

@test "--max-body: a Content-Length over it is 413 before reading, a chunked body the moment it passes; nothing stored" {
	httpd --max-body 1000
	run curl -sS -o /dev/null -w '%{http_code}' --data-binary @<(head -c 1000 /dev/zero) "$(url /up/ok.bin)"
	[ "$output" = 201 ]
	run status 'POST /up/big.bin HTTP/1.1\r\nHost: h\r\nContent-Length: 1001\r\n\r\n'
	[ "$output" = 413 ]
	head -c 5000 /dev/zero >big.bin
	run curl -sS -o /dev/null -w '%{http_code}' -H 'Transfer-Encoding: chunked' --data-binary @big.bin "$(url /up/big.bin)"
	[ "$output" = 413 ]
	run curl -sS -o /dev/null -w '%{http_code}' -H 'Expect: 100-continue' --data-binary @big.bin "$(url /up/big.bin)"
	[ "$output" = 413 ]
	[ "$(leftovers)" = ok.bin ]
}

@test "Expect: 100-continue gets 100 Continue, then the body is stored" {
	httpd
	head -c 5000 /dev/urandom >body.bin
	run curl -sS -v -o /dev/null -w '%{http_code}' -H 'Expect: 100-continue' --data-binary @body.bin "$(url /up/e.bin)"
	[[ "$output" == *"HTTP/1.1 100 Continue"* ]]
	[[ "$output" == *201 ]]
	cmp body.bin www/up/e.bin
}

@test "a body that stops half-way (FIN, or RST) or trickles past --body-timeout leaves nothing behind" {
	httpd --body-timeout 1
	# FIN after 10 of 100000 bytes.
	raw 'POST /up/half.bin HTTP/1.1\r\nHost: h\r\nContent-Length: 100000\r\n\r\n0123456789' || true
	# RST half-way through a chunked body.
	python3 - "$PORT" <<-'EOF'
	import socket, struct, sys, time
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	s.sendall(b"PUT /up/rst.bin HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n100000\r\n" + b"x" * 70000)
	time.sleep(0.2)
	s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
	s.close()
	EOF
	# A body that trickles: 408 at the deadline, however often bytes come.
	python3 - "$PORT" >trickle.txt <<-'EOF'
	import socket, sys, time
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	s.sendall(b"POST /up/slow.bin HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n")
	s.settimeout(0.2)
	got = b""
	for i in range(40):
	    try:
	        s.send(b"x")
	        got += s.recv(4096)
	        if got:
	            break
	    except socket.timeout:
	        pass
	    except OSError:
	        break
	print(got.decode().split("\r\n")[0])
	EOF
	[ "$(cat trickle.txt)" = "HTTP/1.1 408 Request Timeout" ]
	for ((i = 0; i < 40; i++)); do
		[ -z "$(leftovers)" ] && break
		sleep 0.05
	done
	[ -z "$(leftovers)" ] || { leftovers; false; }
}

@test "nothing is written outside the upload area: other paths, every encoding of .., symlinks, script names" {
	httpd --cgi .py=/usr/bin/python3
	local t
	for t in /index.html /up/../index.html /up/%2e%2e/index.html /up/%2E%2e/index.html \
		/up/..%2findex.html /up%2f..%2findex.html /up/./../index.html; do
		run status "PUT $t HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nbad"
		[[ "$output" == 4* ]] || { echo "$t: $output"; false; }
	done
	[ "$(cat www/index.html)" = hello ]
	# A directory symlink pointing out, a file symlink: never written through.
	run status 'PUT /up/out/secret.txt HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nbad'
	[ "$output" = 403 ]
	run status 'PUT /up/link.txt HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nbad'
	[ "$output" = 403 ]
	[ "$(cat secret.txt)" = outside ]
	[ -L www/up/link.txt ]
	# A name a script could have is never stored.
	run status 'PUT /up/x.py HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nbad'
	[ "$output" = 403 ]
	run status 'PUT /up/X.PY HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nbad'
	[ "$output" = 403 ]
	# The area itself (a directory) is not a file.
	run status 'PUT /up/ HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nbad'
	[ "$output" = 403 ]
	[ -z "$(leftovers)" ]
	[ ! -e "$BATS_TEST_TMPDIR/bad" ]
}

@test "DELETE: 204 and gone, 404 when missing, 403 outside the area, and never a symlink or a directory" {
	httpd
	printf 'x\n' >www/up/gone.txt
	curl -sS "$(url /up/gone.txt)" >/dev/null	# in the cache
	run curl -sS -o /dev/null -w '%{http_code}' -X DELETE "$(url /up/gone.txt)"
	[ "$output" = 204 ]
	[ ! -e www/up/gone.txt ]
	run curl -sS -o /dev/null -w '%{http_code}' "$(url /up/gone.txt)"
	[ "$output" = 404 ]
	run curl -sS -o /dev/null -w '%{http_code}' -X DELETE "$(url /up/missing.txt)"
	[ "$output" = 404 ]
	run curl -sS -o /dev/null -w '%{http_code}' -X DELETE "$(url /index.html)"
	[ "$output" = 403 ]
	run status 'DELETE /up/../index.html HTTP/1.1\r\nHost: h\r\n\r\n'
	[[ "$output" == 4* ]]
	run status 'DELETE /up/%2e%2e/index.html HTTP/1.1\r\nHost: h\r\n\r\n'
	[[ "$output" == 4* ]]
	run status 'DELETE /up/link.txt HTTP/1.1\r\nHost: h\r\n\r\n'
	[ "$output" = 403 ]
	run status 'DELETE /up/sub HTTP/1.1\r\nHost: h\r\n\r\n'
	[ "$output" = 403 ]
	[ -f www/index.html ] && [ -L www/up/link.txt ] && [ -d www/up/sub ]
}

@test "without --upload, POST, PUT and DELETE stay 405 with Allow; in the area, Allow lists them" {
	start_server srv "$HTTPD" -p 0 www
	run raw 'DELETE /index.html HTTP/1.1\r\nHost: h\r\n\r\n'
	[[ "$output" == "HTTP/1.1 405 "* ]]
	[[ "$output" == *$'Allow: GET, HEAD\r\n'* ]]
	run status 'PUT /up/x HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nx'
	[ "$output" = 405 ]
	[ ! -e www/up/x ]
	kill "$srv_PID"
	wait_pid "$srv_PID"
	httpd
	run raw 'PATCH /up/x HTTP/1.1\r\nHost: h\r\n\r\n'
	[[ "$output" == *$'Allow: GET, HEAD, POST, PUT, DELETE\r\n'* ]]
}

@test "keep-alive goes on after a stored body: the pipelined request is answered" {
	httpd
	run raw 'POST /up/k.txt HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nabcdGET /up/k.txt HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n'
	[[ "$output" == "HTTP/1.1 201 Created"* ]]
	[[ "$output" == *$'\r\n\r\nabcd' ]]
	[ "$(grep -c '"POST /up/k.txt HTTP/1.1" 201' "$BATS_TEST_TMPDIR/srv.out")" = 1 ]
}

@test "--error-page STATUS=/path: that file is the body of that status" {
	httpd --error-page 404=/404.html --error-page 403=/404.html
	run curl -sS -D head.txt "$(url /nothing-here)"
	[ "$output" = "<h1>custom 404</h1>" ]
	grep -q '^HTTP/1.1 404' head.txt
	grep -qi '^Content-Type: text/html' head.txt
	run curl -sS -o /dev/null -w '%{http_code}' -X DELETE "$(url /index.html)"
	[ "$output" = 403 ]
	run curl -sSI "$(url /nothing-here)"
	[[ "$output" == *"Content-Length: 20"* ]]
}

@test "bad --upload, --cgi, --cgi-bin, --error-page: one line and 64, before listening" {
	local args
	mkdir -p outside
	while IFS= read -r args; do
		read -r -a argv <<<"$args"
		run timeout "$T" "$HTTPD" -p 0 "${argv[@]}" www 3>&-
		[ "$status" -eq 64 ] || { echo "$args: $status $output"; false; }
		[ "${#lines[@]}" -le 2 ] || { echo "$args: $output"; false; }
		[[ "$output" != *listening* ]]
	done <<-EOF
	--upload outside
	--upload www/up/out
	--upload www/nosuchdir
	--cgi py=/usr/bin/python3
	--cgi .py=python3
	--cgi .py=/no/such/interpreter
	--cgi-bin outside
	--upload www --cgi-bin www/cgi
	--error-page 404
	--error-page 200=/404.html
	--error-page 404=/missing.html
	--error-page 404=/../secret.txt
	--body-timeout 0
	EOF
	run "$HTTPD" -p 0 --upload outside www
	[[ "$output" == *"--upload 'outside' is not below ROOT"* ]]
}

@test "uploads pipelined in one write (Content-Length, chunked), then a GET and a DELETE: answered in order" {
	httpd
	run -0 raw 'PUT /up/a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello'\
'PUT /up/b.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'\
'GET /up/a.txt HTTP/1.1\r\nHost: x\r\n\r\n'\
'DELETE /up/b.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
	[ "$(grep -a -o 'HTTP/1.1 [0-9][0-9][0-9]' <<<"$output" | tr '\n' ' ')" = "HTTP/1.1 201 HTTP/1.1 201 HTTP/1.1 200 HTTP/1.1 204 " ]
	[[ "$output" == *$'\r\n\r\nhelloHTTP/1.1 204'* ]]
	[ "$(cat www/up/a.txt)" = hello ]
	[ ! -e www/up/b.txt ]
	kill -0 "$srv_PID"
}
