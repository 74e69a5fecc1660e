"""stage_robust.py - stage 9: path traversal in every encoding, the
hostile-request corpus, slow clients, and resets; the server stays up."""

import os
import re
import socket
import threading
import time

from checks import Failed, Stage
from docroot import SECRET
from request import Request

s9 = Stage(9, "robustness", "robustness")

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "tests",
                      "httpd-hostile.txt")

TRAVERSALS = [
    "/../secret.txt", "/../../secret.txt", "/sub/../../secret.txt",
    "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/.%2e/secret.txt",
    "/%2e%2e%2fsecret.txt", "/..%2fsecret.txt", "/..%2Fsecret.txt",
    "/sub/%2e%2e/%2e%2e/secret.txt", "/%252e%252e/secret.txt",
    "/..%5csecret.txt", "/..\\secret.txt", "/%c0%ae%c0%ae/secret.txt",
    "/./../secret.txt", "//../secret.txt", "/sub/..;/../secret.txt",
    "http://127.0.0.1/../secret.txt",
]


def _alive(t, what):
    if not t.program.alive():
        raise Failed("the server died (%s) %s" % (t.program.status(), what))
    conn, resp = t.exchange(Request("GET", "/hello.txt"), timeout=3)
    t.expect_status(conn, resp, 200, "a fresh client " + what)


@s9.requirement("9.1", "path traversal, in every encoding, never leaves ROOT", budget=10)
def traversal(t):
    for target in TRAVERSALS:
        conn = t.connect()
        req = Request(raw=b"GET " + target.encode() + b" HTTP/1.1\r\nHost: x"
                      b"\r\nConnection: close\r\n\r\n")
        t.send(conn, req)
        conn.watch_end(3)
        if SECRET.strip() in bytes(conn.got):
            at = bytes(conn.got).index(SECRET.strip())
            raise Failed("GET %s served ROOT/../secret.txt, a file outside"
                         " ROOT" % target, conn, bytes(conn.got[:at]) + b"<"
                         b"not this file>", at,
                         hint="decode %XX first, then remove . and .."
                         " segments, refusing any that climb above ROOT;"
                         " never decode twice")
    _alive(t, "after the traversal attempts")


def _unprintf(fmt):
    """A printf format of the corpus (\\r \\n \\t \\NNN, %%) as bytes."""
    out, i = bytearray(), 0
    while i < len(fmt):
        c = fmt[i]
        if c == "\\" and i + 1 < len(fmt):
            n = fmt[i + 1]
            if n in "rnt\\":
                out += {"r": b"\r", "n": b"\n", "t": b"\t", "\\": b"\\"}[n]
                i += 2
                continue
            j = i + 1
            while j < len(fmt) and j < i + 4 and fmt[j] in "01234567":
                j += 1
            if j > i + 1:
                out.append(int(fmt[i + 1:j], 8) & 255)
                i = j
                continue
        if c == "%" and fmt[i + 1:i + 2] == "%":
            i += 1
        out += c.encode("latin-1")
        i += 1
    return bytes(out)


def corpus():
    """(status, after, request bytes, comment) of each corpus line."""
    entries = []
    with open(CORPUS, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3 or not parts[0].isdigit():
                continue
            comment = parts[3].lstrip("# ") if len(parts) > 3 else ""
            entries.append((int(parts[0]), parts[1], _unprintf(parts[2]),
                            comment))
    return entries


NEXT = b"GET /digits.txt HTTP/1.1\r\nHost: x\r\n\r\n"


def _hostile(t, status, after, raw, comment):
    """One corpus entry, and the valid request after it in the same write.
    What the RFC leaves to the server (reject, or repair and serve) is not
    judged; what it requires is: an answer or a close, never a hang; after
    a framing error (a broken Content-Length or Transfer-Encoding) a close,
    so the bytes after it are never read as a request; and where the first
    request is framed right, the second is read where the first ended."""
    framing = status >= 400 and re.search(
        rb"\n(content-length|transfer-encoding):", raw, re.I)
    conn = t.connect()
    t.send(conn, Request(raw=raw + NEXT))
    try:
        conn.response("GET", 3)
    except ValueError:
        pass
    if not (conn.eof or conn.reset) and len(conn.got) == 0:
        raise Failed("neither an answer nor a close within 3 s (%s)" % comment,
                     conn, hint="answer every request, even a malformed one:"
                     " an error status, then close if its framing cannot be"
                     " trusted")
    try:
        second = conn.response("GET", 0.5)
    except ValueError:
        second = None
    if second is None:
        return
    if after == "close" and framing:
        raise Failed("after a request whose framing is broken (%s) the bytes"
                     " that followed were read as a second request and"
                     " answered: a proxy in front would frame them"
                     " differently (request smuggling, RFC 9112 sections"
                     " 6.3 and 11.2)" % comment, conn,
                     bytes(conn.got[:second.start]), second.start,
                     hint="when Content-Length or Transfer-Encoding is"
                     " invalid, answer 400 and close (RFC 9112 section 6.3)")
    if after == "serve" and (second.status != 200 or
                             second.body != b"0123456789abcdefghij"):
        raise Failed("the request after this one (%s) was not read where the"
                     " first ended" % comment, conn,
                     hint="read (or skip) the first request's body by its"
                     " Content-Length before reading the next request")


@s9.requirement("9.2", "the hostile-request corpus (tests/httpd-hostile.txt)", budget=40)
def hostile(t):
    for status, after, raw, comment in corpus():
        if status in (413, 416):
            continue    # features a server may lack (ranges, limits)
        _hostile(t, status, after, raw, comment)
        if not t.program.alive():
            raise Failed("the server died (%s) on: %s" % (t.program.status(),
                                                          comment))
    _alive(t, "after the hostile requests")


def _trickle(conns, stop, start):
    """Send one more byte on every conn every 0.2 s until stop."""
    for c in conns:
        c.send(start)
    while not stop.wait(0.2):
        for c in conns:
            if not (c.eof or c.reset):
                c.sock.setblocking(False)
                try:
                    c.sock.send(b"a")
                except OSError:
                    pass


def _slowloris(t, start, what):
    conns = [t.connect() for _ in range(20)]
    stop = threading.Event()
    th = threading.Thread(target=_trickle, args=(conns, stop, start),
                          daemon=True)
    th.start()
    try:
        for i in range(6):
            time.sleep(0.3)
            t0 = time.monotonic()
            try:
                _alive(t, "while 20 clients trickle %s" % what)
            except Failed as f:
                f.hint = ("give each request a deadline for its whole head"
                          " and body that trickled bytes do not extend, and"
                          " serve others meanwhile (lessons/13-http.md)")
                raise
            if time.monotonic() - t0 > 2:
                raise Failed("a fresh client waited %.1f s while 20 clients"
                             " trickled %s" % (time.monotonic() - t0, what))
    finally:
        stop.set()
        th.join(2)


@s9.requirement("9.3", "slowloris on the head: others are served meanwhile", budget=12)
def slow_head(t):
    _slowloris(t, b"GET /hello.txt HTTP/1.1\r\nHost: x\r\nX-Slow: ",
               "their request heads")


@s9.requirement("9.4", "slowloris on the body: others are served meanwhile", budget=12)
def slow_body(t):
    _slowloris(t, b"POST /uploads/slow.bin HTTP/1.1\r\nHost: x\r\n"
               b"Content-Length: 1000000\r\n\r\n", "their request bodies")


@s9.requirement("9.5", "resets in the middle of requests", budget=10)
def reset_request(t):
    for i in range(10):
        conn = t.connect()
        conn.send(b"GET /hello.txt HTTP/1.1\r\nHo")
        conn.rst()
        conn = t.connect()
        conn.send(b"POST /uploads/r.bin HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Length: 100000\r\n\r\n" + b"x" * 5000)
        time.sleep(0.01)
        conn.rst()
    _alive(t, "after 20 clients reset their connection mid-request")


@s9.requirement("9.6", "resets and early closes in the middle of responses", budget=12)
def reset_response(t):
    for i in range(10):
        conn = t.connect()
        conn.send(Request("GET", "/data.bin", close=False).bytes(t.port))
        conn._fill(2)
        conn.rst()
        # Half-close and go without reading: the server's next send()
        # meets a closed socket (EPIPE, and SIGPIPE unless it is ignored).
        conn = t.connect()
        conn.send(Request("GET", "/big.bin").bytes(t.port))
        conn.sock.shutdown(socket.SHUT_WR)
        time.sleep(0.02)
        conn.close()
    time.sleep(0.3)
    _alive(t, "after 20 clients went away in the middle of their response")
