#!/usr/bin/env bats
# mini-httpd: HTTP/1.1 with curl, wget, python3's http.client, raw bytes
# through tcp-client, hostile paths, slow clients, limits, and a browser.

load helpers

setup() {
	HTTPD=$(tool mini-httpd)
	CLIENT=$(tool tcp-client)
	cd "$BATS_TEST_TMPDIR" || return 1
	mkdir -p www/sub www/empty
	printf 'hello\n' >www/index.html
	printf 'body { color: red }\n' >www/sub/style.css
	head -c 1024 /dev/urandom >www/1k.bin
	printf '0123456789abcdefghij' >www/digits.txt
	printf 'hidden\n' >www/.secret
	printf 'outside\n' >secret.txt
	ln -s ../secret.txt www/escape
	ln -s "$BATS_TEST_TMPDIR/secret.txt" www/escape-abs
	ln -s index.html www/alias.html
}

# Stop each server with SIGTERM sent to it directly, before helpers.bash
# signals its `timeout` wrapper: timeout follows TERM with a SIGCONT, which
# can cancel the SIGSTOP that LeakSanitizer's exit-time check relies on
# and hang a sanitizer build forever.
teardown() {
	stop_servers
}

# stop_servers: SIGTERM to each spawned program, wait for it, then clean up.
stop_servers() {
	local pid i
	for pid in "${SPAWNED[@]}"; do
		pkill -TERM -P "$pid" 2>/dev/null || true
	done
	for pid in "${SPAWNED[@]}"; do
		for ((i = 0; i < 100; i++)); do
			pgrep -P "$pid" >/dev/null || break
			sleep 0.05
		done
	done
	cleanup_spawned
}

# httpd ARGS...: start mini-httpd on a kernel-chosen port serving www/.
httpd() {
	start_server srv "$HTTPD" -p 0 "$@" www
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

# code URL-PATH [CURL-ARGS...]: the status code curl gets for a path.
code() {
	local path=$1
	shift
	timeout "$T" curl -s -o /dev/null -w '%{http_code}' --path-as-is "$@" \
		"http://127.0.0.1:$PORT$path"
}

@test "GET with curl: body, type, length, validators, and a CLF access-log line" {
	httpd
	run -0 --separate-stderr timeout "$T" curl -s -D headers "http://127.0.0.1:$PORT/sub/style.css"
	[ "$output" = "body { color: red }" ]
	grep -q '^HTTP/1.1 200 OK' headers
	grep -qi '^Content-Type: text/css; charset=utf-8' headers
	grep -qi '^Content-Length: 20' headers
	grep -qi '^Last-Modified: [A-Z][a-z][a-z], [0-9][0-9] [A-Z][a-z][a-z] 20[0-9][0-9] [0-9:]* GMT' headers
	grep -qi '^ETag: "' headers
	grep -qi '^Date: ' headers
	wait_for_line srv.out 'GET /sub/style.css'
	grep -Eq '^127\.0\.0\.1 - - \[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9:]{8} \+0000\] "GET /sub/style\.css HTTP/1\.1" 200 20$' srv.out
}

@test "the same file over wget and a 1 KiB binary file byte-exact" {
	httpd
	run -0 timeout "$T" wget -q -O got.bin "http://127.0.0.1:$PORT/1k.bin"
	cmp got.bin www/1k.bin
}

@test "a 10 MiB file arrives whole (sendfile), and -v narrates it" {
	head -c 10485760 /dev/urandom >www/big.bin
	httpd -v
	timeout "$T" curl -s -o got.bin "http://127.0.0.1:$PORT/big.bin"
	cmp got.bin www/big.bin
	grep -Eq '\[7 send\] sendfile\(fd=[0-9]+, file=[0-9]+, offset 0, 10485760\) = [0-9]+' srv.err
}

@test "a small file changed on disk is served fresh within the cache's second" {
	httpd
	[ "$(timeout "$T" curl -s "http://127.0.0.1:$PORT/digits.txt")" = 0123456789abcdefghij ]
	printf 'changed' >www/digits.txt
	for _ in $(seq 40); do
		got=$(timeout "$T" curl -s "http://127.0.0.1:$PORT/digits.txt")
		[ "$got" = changed ] && break
		[ "$got" = 0123456789abcdefghij ]	# the old bytes, whole, until then
		sleep 0.1
	done
	[ "$got" = changed ]
}

@test "HEAD: the headers of GET, no body, and '-' bytes in the log" {
	httpd
	run -0 timeout "$T" curl -s -I "http://127.0.0.1:$PORT/digits.txt"
	[[ "$output" == *"Content-Length: 20"* ]]
	out=$(raw 'HEAD /digits.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
	[[ "$out" == *"Content-Length: 20"* ]]
	[[ "$out" != *0123456789* ]]
	wait_for_line srv.out '"HEAD /digits.txt HTTP/1.1" 200 -$'
}

@test "keep-alive: curl reuses one connection for two requests" {
	httpd -v
	run -0 --separate-stderr timeout "$T" curl -sv "http://127.0.0.1:$PORT/digits.txt" "http://127.0.0.1:$PORT/index.html"
	[ "$output" = "0123456789abcdefghijhello" ]
	[[ "$stderr" == *"e-using existing connection"* ]]
	[ "$(grep -c '\[5 accept\] accept.* = [0-9]*, peer' srv.err)" -eq 1 ]
}

@test "pipelining: three requests in one write get three responses, in order" {
	httpd
	out=$(raw 'GET /digits.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\nGET /index.html HTTP/1.1\r\nHost: x\r\n\r\n')
	[ "$(grep -o 'HTTP/1.1 [0-9]*' <<<"$out" | cut -d' ' -f2 | tr '\n' ' ')" = "200 404 200 " ]
	[[ "$out" == *0123456789abcdefghij*"404 Not Found"*hello* ]]
}

@test "python3 http.client: keep-alive on HTTP/1.1, and HTTP/1.0 with and without it" {
	httpd
	run -0 timeout "$T" python3 - "$PORT" <<'EOF'
import http.client, socket, sys
port = int(sys.argv[1])
c = http.client.HTTPConnection("127.0.0.1", port)
for path in ["/digits.txt", "/index.html", "/missing", "/digits.txt"]:
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    print(r.status, len(body))
sock = c.sock
c.request("GET", "/index.html")
r = c.getresponse(); r.read()
assert c.sock is sock, "the connection was not reused"
# HTTP/1.0 without keep-alive: the server closes after the response.
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"GET /digits.txt HTTP/1.0\r\n\r\n")
data = b""
while chunk := s.recv(4096):
    data += chunk
assert b"Connection: close" in data and data.endswith(b"abcdefghij"), data
# HTTP/1.0 with keep-alive: the connection stays open for a second request.
s = socket.create_connection(("127.0.0.1", port))
s.settimeout(5)
for _ in range(2):
    s.sendall(b"GET /digits.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    data = b""
    while not data.endswith(b"abcdefghij"):
        data += s.recv(4096)
    assert b"Connection: keep-alive" in data, data
print("ok")
EOF
	[ "${lines[0]}" = "200 20" ]
	[ "${lines[1]}" = "200 6" ]
	[ "${lines[2]}" = "404 128" ]
	[ "${lines[4]}" = "ok" ]
}

@test "ranges: 206 with Content-Range, suffix and open ranges, 416, several ranges ignored" {
	httpd
	out=$(timeout "$T" curl -s -i -r 2-5 "http://127.0.0.1:$PORT/digits.txt")
	[[ "$out" == "HTTP/1.1 206 Partial Content"* ]]
	[[ "$out" == *"Content-Range: bytes 2-5/20"* ]]
	[[ "$out" == *$'\r\n\r\n'2345 ]]
	[ "$(timeout "$T" curl -s -r -3 "http://127.0.0.1:$PORT/digits.txt")" = "hij" ]
	[ "$(timeout "$T" curl -s -r 17- "http://127.0.0.1:$PORT/digits.txt")" = "hij" ]
	[ "$(timeout "$T" curl -s -r 18-99 "http://127.0.0.1:$PORT/digits.txt")" = "ij" ]
	out=$(timeout "$T" curl -s -i -r 20-30 "http://127.0.0.1:$PORT/digits.txt")
	[[ "$out" == "HTTP/1.1 416 Range Not Satisfiable"* ]]
	[[ "$out" == *"Content-Range: bytes */20"* ]]
	[ "$(code /digits.txt -r 0-1,4-5)" = 200 ]
	[ "$(code /digits.txt -H 'Range: bytes=5-2')" = 200 ]
	[ "$(code /digits.txt -H 'Range: lines=1-2')" = 200 ]
	# If-Range with a stale validator: the whole file instead.
	[ "$(code /digits.txt -r 0-1 -H 'If-Range: "stale"')" = 200 ]
}

@test "conditional GET: If-Modified-Since and If-None-Match give 304" {
	httpd
	timeout "$T" curl -s -D h1 -o /dev/null "http://127.0.0.1:$PORT/digits.txt"
	lm=$(sed -n 's/^Last-Modified: \(.*\)\r$/\1/p' h1)
	etag=$(sed -n 's/^ETag: \(.*\)\r$/\1/p' h1)
	[ -n "$lm" ] && [ -n "$etag" ]
	[ "$(code /digits.txt -H "If-Modified-Since: $lm")" = 304 ]
	[ "$(code /digits.txt -H 'If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT')" = 200 ]
	[ "$(code /digits.txt -H 'If-Modified-Since: yesterday')" = 200 ]
	[ "$(code /digits.txt -H "If-None-Match: \"x\", $etag")" = 304 ]
	[ "$(code /digits.txt -H "If-None-Match: W/$etag")" = 304 ]
	[ "$(code /digits.txt -H 'If-None-Match: "other"' -H "If-Modified-Since: $lm")" = 200 ]
	out=$(raw "GET /digits.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: $etag\r\nConnection: close\r\n\r\n")
	[[ "$out" != *0123456789* ]]
	[[ "$out" == *"ETag: $etag"* ]]
}

@test "directories: index.html, 301 to the slash, listings with escaped names" {
	: >"www/sub/<b>&\"x\" y.txt"
	mkdir "www/sub/a dir"
	: >www/sub/.dot
	httpd
	[ "$(timeout "$T" curl -s "http://127.0.0.1:$PORT/")" = "hello" ]
	out=$(timeout "$T" curl -s -i "http://127.0.0.1:$PORT/sub?q=1")
	[[ "$out" == "HTTP/1.1 301 Moved Permanently"* ]]
	[[ "$out" == *$'Location: /sub/?q=1\r'* ]]
	[ "$(timeout "$T" curl -sL "http://127.0.0.1:$PORT/sub")" = "$(timeout "$T" curl -s "http://127.0.0.1:$PORT/sub/")" ]
	run -0 timeout "$T" curl -s "http://127.0.0.1:$PORT/sub/"
	[[ "$output" == *'<a href="%3Cb%3E%26%22x%22%20y.txt">&lt;b&gt;&amp;&quot;x&quot; y.txt</a>'* ]]
	[[ "$output" == *'<a href="a%20dir/">a dir/</a>'* ]]
	[[ "$output" == *'<a href="style.css">style.css</a> 20 bytes'* ]]
	[[ "$output" != *".dot"* ]]
	[ "$(code /empty/)" = 200 ]
}

@test "--dotfiles serves and lists dotfiles; --no-listing refuses listings" {
	httpd
	[ "$(code /.secret)" = 404 ]
	[ "$(code /sub/%2esecret)" = 404 ]
	[[ "$(timeout "$T" curl -s "http://127.0.0.1:$PORT/empty/")" != *secret* ]]
	stop_servers
	httpd --dotfiles --no-listing
	[ "$(timeout "$T" curl -s "http://127.0.0.1:$PORT/.secret")" = "hidden" ]
	[ "$(code /sub/)" = 403 ]
	[ "$(code /)" = 200 ]
}

@test "traversal in every encoding never leaves ROOT" {
	httpd
	local p
	for p in /../secret.txt /../../../../etc/passwd /%2e%2e/secret.txt \
		/%2E%2E/%2e%2e/etc/passwd /sub/..%2f..%2fsecret.txt /..%5csecret.txt \
		'/..\secret.txt' /%252e%252e/secret.txt /sub/%2e%2e/%2e%2e/secret.txt \
		/index.html%00.txt /%00 /sub/../../secret.txt /./../secret.txt \
		'/%c0%ae%c0%ae/secret.txt' /escape /escape-abs /sub/%2fetc%2fpasswd; do
		out=$(timeout "$T" curl -s -i --path-as-is "http://127.0.0.1:$PORT$p")
		[[ "$out" != *outside* ]] || { echo "leaked through $p"; false; }
		[[ "$out" != *root:x:0* ]] || { echo "leaked through $p"; false; }
		[[ "$out" =~ ^HTTP/1.1\ (400|403|404) ]] || { echo "$p: ${out%%$'\r'*}"; false; }
	done
	# Absolute-form targets are confined in the same way.
	out=$(raw 'GET http://x/../secret.txt HTTP/1.1\r\nHost: x\r\n\r\n')
	[[ "$out" == "HTTP/1.1 400"* ]]
	# Inside ROOT, dot segments and symlinks are fine.
	[ "$(code /sub/../digits.txt)" = 200 ]
	[ "$(timeout "$T" curl -s "http://127.0.0.1:$PORT/alias.html")" = "hello" ]
	[ "$(code /escape)" = 403 ]
}

@test "--follow-symlinks follows links out of ROOT" {
	httpd --follow-symlinks
	[ "$(timeout "$T" curl -s "http://127.0.0.1:$PORT/escape")" = "outside" ]
	[ "$(timeout "$T" curl -s "http://127.0.0.1:$PORT/escape-abs")" = "outside" ]
	[ "$(code /../secret.txt)" = 400 ]
}

@test "errors: 404, 403, 405 with Allow, 501, 505, 400 without Host" {
	mkfifo www/fifo
	httpd
	[ "$(code /no/such/file)" = 404 ]
	[ "$(code /fifo)" = 403 ]
	out=$(raw 'DELETE /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
	[[ "$out" == "HTTP/1.1 405 Method Not Allowed"* ]]
	[[ "$out" == *$'Allow: GET, HEAD\r'* ]]
	[[ "$out" == *"<h1>405 Method Not Allowed</h1>"* ]]
	[ "$(status 'BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n')" = 501 ]
	[ "$(status 'get / HTTP/1.1\r\nHost: x\r\n\r\n')" = 501 ]
	[ "$(status 'GET / HTTP/2.0\r\nHost: x\r\n\r\n')" = 505 ]
	[ "$(status 'GET / HTTP/1.1\r\n\r\n')" = 400 ]
	[ "$(status 'GET / HTTP/1.0\r\n\r\n')" = 200 ]
	# HTTP/1.2 is answered as HTTP/1.1 (RFC 9110, section 2.5).
	[ "$(status 'GET / HTTP/1.2\r\nHost: x\r\n\r\n')" = 200 ]
}

@test "malformed and ambiguous requests: 400 and the connection closes" {
	httpd
	local r
	for r in 'GET\r\n\r\n' 'GET /\r\n\r\n' 'GET  / HTTP/1.1\r\nHost: x\r\n\r\n' \
		'GET / HTTP/1.1 \r\nHost: x\r\n\r\n' 'GET / HTTP/11\r\nHost: x\r\n\r\n' \
		'GET / http/1.1\r\nHost: x\r\n\r\n' 'GET / HTTP/1.1\r\nHost x\r\n\r\n' \
		'GET / HTTP/1.1\r\nHost : x\r\n\r\n' 'GET / HTTP/1.1\r\nHost: x\r\n y\r\n\r\n' \
		'GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n' 'GET / HTTP/1.1\r\nHost: x\000\r\n\r\n' \
		'GET /a\rb HTTP/1.1\r\nHost: x\r\n\r\n' 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n' \
		'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n' \
		'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd' \
		'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\nabcd' \
		'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n' \
		'GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n' \
		'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' \
		'GET / HTTP/1.1\r\nHost: x\r\nX: \001\r\n\r\n'; do
		out=$(raw "$r\
GET /digits.txt HTTP/1.1\r\nHost: x\r\n\r\n")
		[[ "$out" == "HTTP/1.1 400 Bad Request"* ]] || { echo "not 400: $r"; echo "$out"; false; }
		[[ "$out" == *$'Connection: close\r'* ]]
		# Nothing after the bad request is taken as a request.
		[[ "$out" != *0123456789* ]] || { echo "smuggled after: $r"; false; }
	done
	# Identical repeated lengths are one length (RFC 9112, section 6.3).
	[ "$(status 'GET /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 2, 2\r\nConnection: close\r\n\r\nab')" = 200 ]
}

@test "limits: 414 for a long target, 431 for large headers, 413 for a large body" {
	httpd --max-header 2048 --max-body 100
	long=$(head -c 5000 /dev/zero | tr '\0' a)
	[ "$(status "GET /$long HTTP/1.1\r\nHost: x\r\n\r\n")" = 414 ]
	[ "$(status "GET / HTTP/1.1\r\nHost: x\r\nX: ${long:0:3000}\r\n\r\n")" = 431 ]
	[ "$(status 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n')" = 413 ]
	[ "$(code /digits.txt -H "X: ${long:0:1000}")" = 200 ]
}

@test "request bodies: discarded on keep-alive, 405 promptly for POST, chunked refused" {
	httpd
	# A small body with GET is read and dropped; the next request works.
	out=$(raw 'GET /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nGET /GET /digits.txt HTTP/1.1\r\nHost: x\r\n\r\n')
	[ "$(grep -c '^HTTP/1.1 200' <<<"$out")" -eq 2 ]
	[[ "$out" == *hello*0123456789* ]]
	# POST with a body still on its way: 405 at once, then the body is
	# dropped and the next request on the connection is answered.
	run -0 timeout "$T" python3 - "$PORT" <<'EOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(2)
s.sendall(b"POST /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + b"x" * 1000)
t = time.monotonic()
data = s.recv(4096)
assert data.startswith(b"HTTP/1.1 405"), data
assert time.monotonic() - t < 1.5
s.sendall(b"x" * 99000 + b"GET /digits.txt HTTP/1.1\r\nHost: x\r\n\r\n")
data = b""
while not data.endswith(b"abcdefghij"):
    data += s.recv(4096)
assert data.startswith(b"HTTP/1.1 200"), data
print("ok")
EOF
	[ "$output" = ok ]
	# A chunked body is not read: the answer comes, then the close.
	out=$(raw 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /digits.txt HTTP/1.1\r\nHost: x\r\n\r\n')
	[[ "$out" == "HTTP/1.1 405"* ]]
	[[ "$out" == *$'Connection: close\r'* ]]
	[[ "$out" != *0123456789* ]]
}

@test "slowloris: trickling clients get 408 at the head deadline; others are served at once" {
	httpd --header-timeout 1.5
	python3 - "$PORT" >slow.out 2>&1 3>&- <<'EOF' &
import socket, sys, time
port = int(sys.argv[1])
socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(50)]
start = time.monotonic()
# One byte per connection every 0.2 s: never idle, never complete.
request = b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 1000
for i in range(len(request)):
    for s in socks:
        try:
            s.send(request[i:i+1])
        except OSError:
            pass
    time.sleep(0.2)
    if time.monotonic() - start > 4:
        break
answers = 0
for s in socks:
    s.settimeout(1)
    try:
        if s.recv(100).startswith(b"HTTP/1.1 408"):
            answers += 1
    except OSError:
        pass
print("408s:", answers)
EOF
	local slow=$!
	sleep 0.5	# let the slow clients connect and start trickling
	local t0 t1
	t0=$(date +%s%N)
	[ "$(code /digits.txt)" = 200 ]
	t1=$(date +%s%N)
	[ $(((t1 - t0) / 1000000)) -lt 1000 ]
	wait "$slow"
	grep -q '^408s: 50$' slow.out || { cat slow.out; false; }
}

@test "idle keep-alive connections are closed after --timeout" {
	httpd --timeout 0.5
	run -0 timeout "$T" python3 - "$PORT" <<'EOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(5)
t = time.monotonic()
assert s.recv(100) == b""        # closed by the server, with nothing sent
assert time.monotonic() - t < 2, time.monotonic() - t
print("closed")
EOF
	[ "$output" = closed ]
}

@test "--max-conns: one more client gets 503, and the server goes on" {
	httpd --max-conns 2 -v
	python3 -c '
import socket, sys, time
a = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
b = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
time.sleep(3)' "$PORT" 3>&- &
	local holder=$!
	wait_for_line srv.err 'accept4?\(fd=[0-9]+.*\) = [0-9]+, peer' 
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[ "$(grep -c ' = [0-9]*, peer' srv.err)" -ge 2 ] && break
		sleep 0.1
	done
	out=$(timeout "$T" curl -s -i "http://127.0.0.1:$PORT/digits.txt")
	[[ "$out" == "HTTP/1.1 503 Service Unavailable"* ]]
	kill "$holder"
	wait "$holder" || true
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[ "$(code /digits.txt)" = 200 ] && break
		sleep 0.1
	done
	[ "$(code /digits.txt)" = 200 ]
}

@test "500 when the server cannot open a file (out of descriptors)" {
	# Six descriptors are in use at start (stdio, ROOT, epoll, listener):
	# a limit of 8 leaves room for two connections and no file.
	if [ "$(head -c 2 "$HTTPD")" = '#!' ]; then
		skip "mini-httpd runs under a wrapper (valgrind) that needs descriptors too"
	fi
	spawn srv bash -c "ulimit -n 8 && exec \"\$0\" -p 0 -v www" "$HTTPD"
	wait_for_line srv.err 'listening on'
	PORT=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' srv.err)
	python3 -c '
import socket, sys, time
a = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
time.sleep(3)' "$PORT" 3>&- &
	local holder=$!
	wait_for_line srv.err ' = [0-9]+, peer'
	out=$(timeout "$T" curl -s -i "http://127.0.0.1:$PORT/digits.txt")
	kill "$holder"
	[[ "$out" == "HTTP/1.1 500 Internal Server Error"* ]]
}

@test "-v narrates accept, recv, writev and close in the order of the procedure" {
	httpd -v
	raw 'GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >/dev/null
	wait_for_line srv.err '\[9 close\] close\(fd=[0-9]+\) = 0'
	in_order "socket setsockopt bind listen accept recv send close" "$(steps srv.err)"
	grep -Eq 'accept4\(fd=[0-9]+, SOCK_NONBLOCK\) = [0-9]+, peer 127\.0\.0\.1:[0-9]+' srv.err
	grep -Eq '\[7 send\] writev\(fd=[0-9]+, 2 buffers, [0-9]+\) = [0-9]+' srv.err
}

@test "--workers 2: two processes share the port and both serve" {
	httpd --workers 2 -v
	wait_for_line srv.err 'fork\(\) = [0-9]+'
	for _ in 1 2 3 4 5 6 7 8; do
		[ "$(code /digits.txt)" = 200 ]
	done
	[ "$(grep -c 'SO_REUSEPORT, 1) = 0' srv.err)" -ge 1 ]
	pid=$(sed -n 's/.*fork() = \([0-9]*\).*/\1/p' srv.err)
	kill -0 "$pid"
}

@test "SIGTERM stops the server cleanly: connections closed, exit 143" {
	httpd
	pkill -TERM -P "$srv_PID"
	wait_pid "$srv_PID"
	[ "$STATUS" -eq 143 ]
	grep -q '^mini-httpd: stopped by SIGTERM$' srv.err
}

@test "bad options: port, numbers, ROOT, too many arguments, unknown address" {
	run -64 --separate-stderr "$HTTPD" -p 70000
	[[ "$stderr" == *70000* ]]
	run -64 "$HTTPD" -p 0 --max-conns 0 www
	run -64 "$HTTPD" -p 0 --max-header 10 www
	run -64 "$HTTPD" -p 0 --timeout -1 www
	run -64 "$HTTPD" -p 0 --header-timeout soon www
	run -64 "$HTTPD" -p 0 --workers 1000 www
	run -64 "$HTTPD" -p 0 --max-body x www
	run -64 --separate-stderr "$HTTPD" -p 0 no-such-dir
	[[ "$stderr" == *"cannot serve 'no-such-dir'"* ]]
	run -64 "$HTTPD" -p 0 www/index.html
	run -64 "$HTTPD" -p 0 www www
	run -68 timeout "$T" "$HTTPD" -p 0 -b no.such.host.invalid www
}

@test "the default: the current directory on port 8080, with a URL to open" {
	if timeout 1 bash -c 'exec 9<>/dev/tcp/127.0.0.1/8080' 2>/dev/null; then
		skip "port 8080 is busy"
	fi
	cd www
	start_server srv "$HTTPD"
	[ "$PORT" = 8080 ]
	grep -q 'open http://localhost:8080/' "$BATS_TEST_TMPDIR/srv.err"
	[ "$(timeout "$T" curl -s http://127.0.0.1:8080/digits.txt)" = 0123456789abcdefghij ]
}

@test "headless chromium loads a page with its CSS, JS and image" {
	local browser
	browser=$(command -v chromium || command -v chromium-browser || true)
	if [ -z "$browser" ]; then
		skip "chromium is not installed"
	fi
	cat >www/page.html <<'EOF'
<!DOCTYPE html>
<html><head><link rel="stylesheet" href="sub/style.css"><script src="app.js"></script></head>
<body><img id="img" src="pic.png" onload="document.getElementById('s').textContent='image-ok'">
<p id="s">waiting</p><p id="js">no script</p></body></html>
EOF
	printf "document.addEventListener('DOMContentLoaded', function () {\n  document.getElementById('js').textContent = 'script-ran';\n});\n" >www/app.js
	base64 -d >www/pic.png <<<'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=='
	httpd
	run -0 timeout 60 "$browser" --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update --disable-sync \
		--no-first-run --user-data-dir="$BATS_TEST_TMPDIR/profile" \
		--virtual-time-budget=3000 --dump-dom "http://127.0.0.1:$PORT/page.html"
	[[ "$output" == *script-ran* ]]
	[[ "$output" == *image-ok* ]]
	wait_for_line srv.out '"GET /page.html HTTP/1.1" 200'
	wait_for_line srv.out '"GET /sub/style.css HTTP/1.1" 200'
	wait_for_line srv.out '"GET /app.js HTTP/1.1" 200'
	wait_for_line srv.out '"GET /pic.png HTTP/1.1" 200'
}
