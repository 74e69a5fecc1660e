#!/usr/bin/env bats
# mini-httpd against the defects hostile testing found (issue 11): an open
# redirect, numbers that overflowed, body framing, a trickled body holding
# a slot, validators that survived a rewrite, a file served as a
# directory, a listing that told about what lies outside ROOT or printed
# links that did not work, and the exit code of an unreadable ROOT.
# The framing, Host, date, precondition and range rules of RFC 9110 and
# RFC 9112 are checked case by case in tests/httpd-hostile.txt.

load helpers

setup() {
	HTTPD=$(tool mini-httpd)
	CLIENT=$(tool tcp-client)
	cd "$BATS_TEST_TMPDIR" || return 1
	mkdir -p www/sub
	printf 'hello\n' >www/index.html
	printf '0123456789abcdefghij' >www/digits.txt
	printf 'body { color: red }\n' >www/sub/style.css
	printf 'outside\n' >secret.txt
}

teardown() {
	stop_servers
	if [ -n "${SCRATCH:-}" ]; then
		rm -rf "$SCRATCH"
	fi
}

# httpd ARGS...: start mini-httpd on a kernel-chosen port serving www/.
httpd() {
	start_server srv "$HTTPD" -p 0 -b 127.0.0.1 "$@" www
}

# raw FORMAT: send printf FORMAT as one write, print everything received.
raw() {
	# shellcheck disable=SC2059 # the format is the request under test
	printf "$1" | timeout "$T" "$CLIENT" -q -w 5 127.0.0.1 "$PORT"
}

# header NAME TEXT: the value of header NAME in the response TEXT.
header() {
	sed -n "s/^$1: \(.*\)\r\$/\1/p" <<<"$2" | head -n 1
}

# status FORMAT: the status code of the first response to a raw request.
status() {
	raw "$1" | head -n 1 | cut -d' ' -f2
}

@test "the slash-adding 301 names only a path on this server and escapes what it reflects" {
	mkdir -p www/evil.example/dir 'www/a"<b>&c'
	httpd
	local t out loc
	for t in //evil.example/dir ///evil.example/dir /./evil.example/dir \
		'//evil.example//dir' '/sub/../evil.example/dir' '/%%2fevil.example/dir' \
		'http://x//evil.example/dir' '/evil.example/dir/.' '/evil.example/dir/x/..'; do
		out=$(raw "GET $t HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		loc=$(header Location "$out")
		case $t in
		*%2f*) [[ "$out" == "HTTP/1.1 400 "* ]] || { echo "$t: ${out%%$'\r'*}"; false; } ;;
		*) [ "$loc" = /evil.example/dir/ ] || { echo "$t: Location '$loc'"; false; } ;;
		esac
	done
	# The root itself: "/", never "//".
	out=$(raw 'GET /. HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
	[ "$(header Location "$out")" = / ]
	# A name with markup: encoded in Location, escaped in the body.
	out=$(raw 'GET /a"<b>&c?q="><i>&r=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
	[[ "$out" == "HTTP/1.1 301 "* ]]
	[ "$(header Location "$out")" = '/a%22%3Cb%3E%26c/?q=%22%3E%3Ci%3E&r=1' ]
	[[ "$out" == *'<a href="/a%22%3Cb%3E%26c/?q=%22%3E%3Ci%3E&amp;r=1">moved here</a>'* ]]
	[[ "$out" != *'<b>'* && "$out" != *'<i>'* ]]
	# Following it lands where a slash would have.
	[ "$(timeout "$T" curl -s -o /dev/null -w '%{http_code} %{url_effective}' -L \
		"http://127.0.0.1:$PORT/evil.example/dir")" = "200 http://127.0.0.1:$PORT/evil.example/dir/" ]
}

@test "numbers of any length in Range and Content-Length are read without overflow" {
	httpd
	local out
	r() {
		raw "GET /digits.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=$1\r\nConnection: close\r\n\r\n"
	}
	out=$(r 0-99999999999999999999)
	[[ "$out" == "HTTP/1.1 206 "* && "$out" == *$'Content-Range: bytes 0-19/20\r'* ]]
	out=$(r -99999999999999999999)
	[[ "$out" == "HTTP/1.1 206 "* && "$out" == *$'Content-Range: bytes 0-19/20\r'* ]]
	out=$(r 0000000000000000000000000000005-6)
	[[ "$out" == "HTTP/1.1 206 "* && "$out" == *$'\r\n\r\n56' ]]
	[[ "$(r 99999999999999999999-)" == "HTTP/1.1 416 "* ]]
	[[ "$(r 9223372036854775807-9223372036854775808)" == "HTTP/1.1 416 "* ]]
	[[ "$(r 18446744073709551615-18446744073709551616)" == "HTTP/1.1 416 "* ]]
	# last-pos before first-pos, however long: invalid, so the whole file.
	[[ "$(r 18446744073709551616-18446744073709551615)" == "HTTP/1.1 200 "* ]]
	[[ "$(r 99999999999999999999-5)" == "HTTP/1.1 200 "* ]]
	# A length past any integer is refused; one that fits is too large.
	[ "$(status 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551616\r\n\r\n')" = 400 ]
	[ "$(status 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999999\r\n\r\n')" = 400 ]
	[ "$(status 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551615\r\n\r\n')" = 413 ]
	# Leading zeros are digits too: this body is three bytes.
	out=$(raw 'GET /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 000000000000000000000003\r\n\r\nabcGET /digits.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
	[ "$(grep -c '^HTTP/1.1 200' <<<"$out")" -eq 2 ]
	kill -0 "$srv_PID"
}

@test "an empty or malformed Content-Length is 400 and closes: its body never becomes a request" {
	httpd
	local v out
	for v in '' ' ' '3,' ',3' '3 3' '3;' '3.0' '3\r\nContent-Length:' '3, ,3'; do
		out=$(raw "GET /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: $v\r\n\r\nGET /digits.txt HTTP/1.1\r\nHost: x\r\n\r\n")
		[[ "$out" == "HTTP/1.1 400 "* ]] || { echo "Content-Length: '$v': ${out%%$'\r'*}"; false; }
		[[ "$out" == *$'Connection: close\r'* ]]
		[[ "$out" != *0123456789* ]] || { echo "smuggled after Content-Length: '$v'"; false; }
	done
}

@test "a trickled body has one deadline: it cannot hold a slot, fresh clients are served" {
	httpd --max-conns 3 --header-timeout 1
	run -0 timeout "$T" python3 - "$PORT" <<'EOF'
import socket, sys, time
port = int(sys.argv[1])
head = b"POST /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n"
slow = []
for _ in range(3):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(head + b"x")
    s.settimeout(2)
    assert s.recv(100).startswith(b"HTTP/1.1 405"), "no 405"
    s.setblocking(False)
    slow.append(s)
start = time.monotonic()
closed = {}
served = None
# One body byte per connection every 0.1 s: never idle, never done.
while time.monotonic() - start < 6 and (served is None or len(closed) < 3):
    for i, s in enumerate(slow):
        if i in closed:
            continue
        try:
            if s.recv(100) == b"":
                closed[i] = time.monotonic() - start
                continue
        except BlockingIOError:
            pass
        except OSError:
            closed[i] = time.monotonic() - start
            continue
        try:
            s.send(b"x")
        except OSError:
            closed[i] = time.monotonic() - start
    if served is None and time.monotonic() - start > 0.3:
        c = socket.create_connection(("127.0.0.1", port))
        c.settimeout(2)
        c.sendall(b"GET /digits.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        if c.recv(100).startswith(b"HTTP/1.1 200"):
            served = time.monotonic() - start
        c.close()
    time.sleep(0.1)
print("closed", sorted(round(t, 1) for t in closed.values()), "served", served)
assert len(closed) == 3, "a trickled body still holds its slot"
assert max(closed.values()) < 3, closed
assert served is not None and served < 3.5, served
print("ok")
EOF
	[ "${lines[-1]}" = ok ]
}

@test "a rewrite always changes the ETag, so If-Range with the old one gets the whole new file" {
	# 40 KiB: above the small-file cache, so every request looks at the disk.
	head -c 40000 /dev/zero | tr '\0' A >www/big.txt
	touch -d '@1700000000.100000000' www/big.txt
	httpd
	local url="http://127.0.0.1:$PORT/big.txt" e1 e2 e3 out
	e1=$(header ETag "$(timeout "$T" curl -s -I "$url")")
	# Rewritten in place: same size, same whole second, other bytes.
	head -c 40000 /dev/zero | tr '\0' B >www/big.txt
	touch -d '@1700000000.200000000' www/big.txt
	e2=$(header ETag "$(timeout "$T" curl -s -I "$url")")
	[ -n "$e1" ] && [ "$e1" != "$e2" ]
	out=$(timeout "$T" curl -s -w ' %{http_code}' -r 0-9 -H "If-Range: $e1" "$url")
	[ "$out" = "$(head -c 40000 /dev/zero | tr '\0' B) 200" ]
	[ "$(timeout "$T" curl -s -w ' %{http_code}' -r 0-9 -H "If-Range: $e2" "$url")" = "BBBBBBBBBB 206" ]
	# Replaced by another file: same size, the very same mtime, a new inode.
	head -c 40000 /dev/zero | tr '\0' C >www/big.new
	touch -d '@1700000000.200000000' www/big.new
	mv www/big.new www/big.txt
	e3=$(header ETag "$(timeout "$T" curl -s -I "$url")")
	[ "$e3" != "$e2" ]
	[ "$(timeout "$T" curl -s -o /dev/null -w '%{http_code}' -r 0-9 -H "If-Range: $e2" "$url")" = 200 ]
	# A date never makes If-Range match: it cannot tell two writes in one second apart.
	out=$(timeout "$T" curl -s -I "$url")
	[ "$(timeout "$T" curl -s -o /dev/null -w '%{http_code}' -r 0-9 -H "If-Range: $(header Last-Modified "$out")" "$url")" = 200 ]
}

@test "a small cached file rewritten within the same second gets a new ETag within the cache's second" {
	touch -d '@1700000000.100000000' www/digits.txt
	httpd
	local url="http://127.0.0.1:$PORT/digits.txt" e1 e2 i
	e1=$(header ETag "$(timeout "$T" curl -s -I "$url")")
	printf 'ABCDEFGHIJ0123456789' >www/digits.txt
	touch -d '@1700000000.200000000' www/digits.txt
	for ((i = 0; i < 40; i++)); do
		e2=$(header ETag "$(timeout "$T" curl -s -I "$url")")
		[ "$e2" != "$e1" ] && break
		sleep 0.1
	done
	[ "$e2" != "$e1" ]
	[ "$(timeout "$T" curl -s -w ' %{http_code}' -r 0-3 -H "If-Range: $e1" "$url")" = "ABCDEFGHIJ0123456789 200" ]
}

@test "a regular file named with a trailing slash is 404; directories are unchanged" {
	ln -s digits.txt www/link.txt
	httpd
	local p
	for p in /digits.txt/ /digits.txt/. /sub/style.css/ /sub/style.css// /link.txt/ \
		/digits.txt/x/.. /index.html/; do
		[ "$(status "GET $p HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")" = 404 ] || { echo "$p"; false; }
	done
	[ "$(status 'GET /digits.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')" = 200 ]
	[ "$(status 'GET /sub/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')" = 200 ]
	[ "$(status 'GET /sub HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')" = 301 ]
}

@test "a listing shows only what can be fetched, and every link it prints works" {
	local d=www/odd
	mkdir -p "$d/dir with space" "$d/dir." "$d/inner" outside-dir
	printf 'outside\n' >outside-dir/f
	local n
	for n in 'a b.txt' '100%.txt' 'x#y.txt' 'q?.txt' 'é ü 日本.txt' "it's \"q\".txt" \
		'<tag>.txt' 'a&b.txt' 'ends.' 'plus+semi;colon:.txt' 'http:x' '-dash'; do
		printf '%s\n' "content of $n" >"$d/$n"
	done
	printf 'deep\n' >"$d/dir with space/in 100%.txt"
	printf 'dot\n' >"$d/dir./f."
	printf 'back\n' >"$d/back\\slash.txt"	# never served: not listed
	printf 'hidden\n' >"$d/.hidden"
	printf 'hidden\n' >"$d/..hidden-too"
	mkfifo "$d/fifo"
	ln -s ../../secret.txt "$d/escape"
	ln -s "$BATS_TEST_TMPDIR/outside-dir" "$d/escape-dir"
	ln -s nowhere "$d/dangling"
	ln -s 'a b.txt' "$d/alias"
	ln -s inner "$d/inner-link"
	httpd
	run -0 timeout "$T" python3 - "$PORT" "$d" <<'EOF'
import html.parser, http.client, os, sys, urllib.parse
port, root = int(sys.argv[1]), sys.argv[2]

class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []
    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs)["href"])

def get(path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("GET", path)
    r = c.getresponse()
    return r.status, r.read()

seen, todo = set(), ["/odd/"]
while todo:
    base = todo.pop()
    status, body = get(base)
    assert status == 200, (base, status)
    text = body.decode()
    for word in ("escape", "dangling", "fifo", "hidden", "back", "outside", "secret"):
        assert word not in text, (base, word, text)
    p = Links()
    p.feed(text)
    for href in p.links:
        if href == "../":
            continue
        url = urllib.parse.urljoin(base, href)
        status, got = get(url)
        assert status == 200, (url, status)
        name = urllib.parse.unquote(url[len("/odd/"):])
        seen.add(name)
        if url.endswith("/"):
            todo.append(url)
        else:
            with open(os.path.join(root, name), "rb") as f:
                assert f.read() == got, url
for name in sorted(seen):
    print(name)
EOF
	printf '%s\n' "${lines[@]}" >seen.txt
	local want
	for want in 'a b.txt' '100%.txt' 'x#y.txt' 'q?.txt' 'é ü 日本.txt' "it's \"q\".txt" \
		'<tag>.txt' 'a&b.txt' 'ends.' 'plus+semi;colon:.txt' 'http:x' '-dash' \
		'dir with space/' 'dir with space/in 100%.txt' 'dir./' 'dir./f.' 'alias' \
		'inner/' 'inner-link/'; do
		grep -qxF -- "$want" seen.txt || { echo "not listed or not fetched: $want"; cat seen.txt; false; }
	done
	[ "$(wc -l <seen.txt)" -eq 19 ]
	# Asking for what is not listed is refused, as before.
	[ "$(status 'GET /odd/escape HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')" = 403 ]
	[ "$(status 'GET /odd/fifo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')" = 403 ]
}

@test "--follow-symlinks lists what it follows; --dotfiles lists dotfiles" {
	mkdir -p www/odd outside-dir
	printf 'outside\n' >outside-dir/f
	ln -s ../../secret.txt www/odd/escape
	ln -s "$BATS_TEST_TMPDIR/outside-dir" www/odd/escape-dir
	printf 'hidden\n' >www/odd/.hidden
	httpd --follow-symlinks --dotfiles
	run -0 timeout "$T" curl -s "http://127.0.0.1:$PORT/odd/"
	[[ "$output" == *'<a href="escape">escape</a> 8 bytes'* ]]
	[[ "$output" == *'<a href="escape-dir/">escape-dir/</a>'* ]]
	[[ "$output" == *'<a href=".hidden">.hidden</a> 7 bytes'* ]]
}

@test "an unreadable ROOT exits 77 (permission denied) with one line" {
	local -a as_user=()
	local bin=$HTTPD mode
	SCRATCH=$(mktemp -d)
	chmod 755 "$SCRATCH"
	# A copy nobody can run, wherever the build is (a wrapper runs in place).
	if [ "$(head -c 2 "$HTTPD")" != '#!' ]; then
		bin=$SCRATCH/mini-httpd
		cp "$HTTPD" "$bin"
	fi
	if [ "$(id -u)" -eq 0 ]; then
		command -v setpriv >/dev/null || skip "needs setpriv to drop root"
		as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all)
	fi
	"${as_user[@]}" test -x "$bin" || skip "user nobody cannot run $bin"
	# No permission at all; search but no read; read but no search.
	for mode in 000 311 644; do
		rm -rf "$SCRATCH/root"
		mkdir "$SCRATCH/root"
		printf 'x\n' >"$SCRATCH/root/index.html"
		chmod "$mode" "$SCRATCH/root"
		run -77 --separate-stderr timeout "$T" "${as_user[@]}" "$bin" -p 0 "$SCRATCH/root"
		[ "$stderr" = "mini-httpd: cannot serve '$SCRATCH/root': Permission denied (EACCES)" ] ||
			{ echo "mode $mode: $stderr"; false; }
		chmod 755 "$SCRATCH/root"
	done
	# Not a directory, or nothing there: still a usage error.
	run -64 timeout "$T" "${as_user[@]}" "$bin" -p 0 "$SCRATCH/root/index.html"
	run -64 timeout "$T" "${as_user[@]}" "$bin" -p 0 "$SCRATCH/none"
}
