"""stages_static.py - stages 1-3: the first response, paths, HEAD and the
error statuses (RFC 9110, RFC 9112)."""

import re
import urllib.parse

from checks import Failed, Stage
from request import Request
from docroot import TYPES

s1 = Stage(1, "the first response", "the first response")
s2 = Stage(2, "paths", "paths")
s3 = Stage(3, "HEAD and the error statuses", "HEAD and the error statuses")


@s1.requirement("1.1", "listens on 127.0.0.1 at PORT", budget=10)
def listens(t):
    if t.run.start_why:
        raise Failed(t.run.start_why,
                     hint="take PORT and ROOT from the command line: the"
                     " grader runs it as " + t.program.shape())


@s1.requirement("1.2", "answers GET / with a status line: HTTP/1.1 CODE REASON CRLF")
def status_line(t):
    conn, resp = t.get("/")
    got = bytes(conn.got)
    start = resp.start
    lf = got.find(b"\n", start)
    line = got[start:lf + 1]
    m = re.match(rb"HTTP/1\.[01] ", line)
    if not m:
        want = b"HTTP/1.1 "
        n = next((i for i in range(min(len(line), 9)) if line[i] != want[i]), 0)
        raise Failed("the status line does not start with the version"
                     " HTTP/1.1 and a space (RFC 9112 section 4)", conn,
                     got[:start] + want, start + n)
    if not re.match(rb"HTTP/1\.[01] [1-5][0-9][0-9] ", line):
        raise Failed("no three-digit status code and space after the"
                     " version (RFC 9112 section 4)", conn,
                     got[:start + 9] + b"200 ", start + 9)
    if not line.endswith(b"\r\n"):
        raise Failed("the status line ends in a bare LF: every line of the"
                     " head ends in CR LF (RFC 9112 section 2.1)", conn,
                     got[:lf] + b"\r\n", lf,
                     hint='write "\\r\\n", not "\\n", at the end of each line')


@s1.requirement("1.3", "header lines are 'Name: value' CRLF, then an empty line")
def header_lines(t):
    conn, resp = t.get("/")
    got = bytes(conn.got)
    for at, what in resp.problems:
        if "bare LF" in what:
            raise Failed(what, conn, got[:at] + b"\r\n", at)
        if "header line" in what:
            raise Failed(what, conn, got[:at] + b"Name: value\r\n", at)
    for at, line in resp.header_lines:
        name = line.split(b":")[0]
        bad = re.search(rb"[^!#$%&'*+.^_`|~0-9A-Za-z-]", name)
        if bad:
            raise Failed("a field name with a character that is not allowed"
                         " (RFC 9110 section 5.1)", conn,
                         got[:at + bad.start()] + b"-", at + bad.start())


@s1.requirement("1.4", "the response says where it ends (Content-Length, chunked or close)")
def framed(t):
    conn, resp = t.get("/")
    got = bytes(conn.got)
    for at, what in resp.problems:
        if "Content-Length announced" in what:
            raise Failed(what, conn, hint="Content-Length counts the bytes of"
                         " the body as sent, after any encoding")
    conn.watch_end(2)
    extra = len(conn.got) - resp.end
    if extra > 0 and resp.framing == "length":
        raise Failed("%d bytes came after the %d that Content-Length"
                     " announced" % (extra, len(resp.body)), conn,
                     got[:resp.end], resp.end,
                     hint="Content-Length must count the body's bytes"
                     " exactly (RFC 9112 section 6.2)")


def _fetch(t, name, target=None, **kw):
    """GET /name (or target): 200, exact Content-Length and body."""
    conn, resp = t.get(target or "/" + urllib.parse.quote(name), **kw)
    want = t.site.content[name]
    t.expect_status(conn, resp, 200, "ROOT/%s exists" % name)
    if resp.framing != "chunked":   # chunked is framing enough
        t.expect_header(conn, resp, "Content-Length",
                        lambda v: v.strip() == str(len(want)), str(len(want)),
                        "Content-Length is not the file's size in bytes (%d)"
                        % len(want),
                        hint="count bytes, not characters: read the file in"
                        " binary mode")
    t.expect_body(conn, resp, want, "ROOT/" + name)
    return conn, resp


@s2.requirement("2.1", "files from ROOT byte-exact, with their Content-Length")
def files_exact(t):
    for name in ("hello.txt", "unicode.txt", "logo.png", "empty.txt"):
        _fetch(t, name)


@s2.requirement("2.2", "Content-Type from the file's extension")
def content_types(t):
    for name in ("index.html", "hello.txt", "style.css", "script.js",
                 "logo.png", "medium.bin"):
        conn, resp = t.get("/" + name)
        t.expect_status(conn, resp, 200)
        ext = name[name.rindex("."):]
        want = TYPES[ext] if isinstance(TYPES[ext], tuple) else (TYPES[ext],)
        t.expect_header(conn, resp, "Content-Type",
                        lambda v: v.split(";")[0].strip().lower() in want,
                        want[0], "%s is not served as %s (RFC 9110 section"
                        " 8.3)" % (name, want[0]))


@s2.requirement("2.3", "a 1 MiB binary file byte-exact", budget=8)
def big_file(t):
    _fetch(t, "data.bin")


@s2.requirement("2.4", "404 for a missing file or directory")
def not_found(t):
    for target in ("/no-such-file.txt", "/no/such/dir/"):
        conn, resp = t.get(target)
        t.expect_status(conn, resp, 404, "there is no %s in ROOT (RFC 9110"
                        " section 15.5.5)" % target)


@s2.requirement("2.5", "index.html for a directory")
def index_html(t):
    _fetch(t, "sub/index.html", "/sub/")
    _fetch(t, "index.html", "/")


@s2.requirement("2.6", "a redirect to the slash for a directory without it")
def redirect(t):
    conn, resp = t.get("/sub")
    t.expect_status(conn, resp, (301, 302, 303, 307, 308),
                    "/sub is a directory: redirect to /sub/ so that"
                    " relative links in its index resolve (RFC 9110"
                    " section 15.4.2)")
    base = "http://127.0.0.1:%d/sub" % t.port
    t.expect_header(conn, resp, "Location",
                    lambda v: urllib.parse.urlsplit(
                        urllib.parse.urljoin(base, v)).path == "/sub/",
                    "/sub/", "the Location does not lead to /sub/")


@s2.requirement("2.7", "percent-encoded names; the query is not part of the name")
def encoded(t):
    _fetch(t, "with space.txt", "/with%20space.txt")
    _fetch(t, "hello.txt", "/hello.txt?x=1&y=%2F")


@s3.requirement("3.1", "HEAD: the GET's status and headers, no body")
def head(t):
    conn, resp = t.exchange(Request("HEAD", "/hello.txt"), method="HEAD")
    t.expect_status(conn, resp, 200)
    want = str(len(t.site.content["hello.txt"]))
    if "chunked" not in (resp.header("Transfer-Encoding") or "").lower():
        t.expect_header(conn, resp, "Content-Length",
                        lambda v: v.strip() == want, want,
                        "HEAD must announce the Content-Length a GET would"
                        " send (RFC 9110 section 9.3.2)")
    conn.watch_end(2)
    if len(conn.got) > resp.end:
        raise Failed("%d body bytes came after the head: a response to HEAD"
                     " has no body (RFC 9110 section 9.3.2)"
                     % (len(conn.got) - resp.end), conn,
                     bytes(conn.got[:resp.end]), resp.end)


def _status(t, raw, codes, why, hint=None):
    conn, resp = t.exchange(Request(raw=raw))
    t.expect_status(conn, resp, codes, why, hint)
    return conn, resp


@s3.requirement("3.2", "400 for a malformed request")
def malformed(t):
    _status(t, b"HELLO\r\n\r\n", 400, "a request line must be METHOD SP"
            " TARGET SP VERSION (RFC 9112 section 3)")
    _status(t, b"GET /hello.txt HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n",
            400, "a header line without a colon (RFC 9112 section 5)")
    _status(t, b"GET /hello.txt HTTP/1.1\r\nHost : x\r\n\r\n", 400,
            "whitespace between a field name and its colon (RFC 9112"
            " section 5.1: MUST)")


@s3.requirement("3.3", "400 for HTTP/1.1 without Host, or with two")
def no_host(t):
    _status(t, b"GET /hello.txt HTTP/1.1\r\n\r\n", 400,
            "an HTTP/1.1 request without Host (RFC 9112 section 3.2: MUST)")
    _status(t, b"GET /hello.txt HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400,
            "two Host fields (RFC 9112 section 3.2: MUST)")


@s3.requirement("3.4", "405 or 501 for a method it does not implement")
def unknown_method(t):
    conn, resp = _status(t, b"BREW /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n",
                         (501, 405), "BREW is no method of ours (RFC 9110"
                         " sections 9.1, 15.6.2)")
    if resp.status == 405:
        t.expect_header(conn, resp, "Allow", lambda v: "GET" in v, "GET, HEAD",
                        "a 405 must list the allowed methods in Allow (RFC"
                        " 9110 section 15.5.6)")


@s3.requirement("3.5", "414 for a 20,000-byte target")
def uri_too_long(t):
    target = b"/" + b"a" * 20000
    _status(t, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414,
            "the target is longer than any server's limit (RFC 9110 section"
            " 15.5.15)", hint="stop reading at your limit and answer 414")


@s3.requirement("3.6", "431 for a 20,000-byte header section")
def fields_too_large(t):
    _status(t, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 20000 +
            b"\r\n\r\n", 431, "one 20,000-byte field (RFC 6585 section 5)")
    many = b"".join(b"X-F%d: value\r\n" % i for i in range(1500))
    _status(t, b"GET / HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n", 431,
            "1,500 fields (RFC 6585 section 5)")


@s3.requirement("3.7", "505 for an HTTP version it does not speak")
def bad_version(t):
    _status(t, b"GET /hello.txt HTTP/2.0\r\nHost: x\r\n\r\n", 505,
            "HTTP/2.0 is another major version (RFC 9110 section 15.6.6)")
