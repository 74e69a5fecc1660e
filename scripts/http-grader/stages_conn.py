"""stages_conn.py - stages 4 and 5: persistent connections (RFC 9112
section 9) and many clients at once."""

import socket
import threading
import time

from checks import Failed, Stage
from request import Request
from wire import Conn

s4 = Stage(4, "persistent connections", "persistent connections")
s5 = Stage(5, "concurrency", "concurrency")

KEEP = ("HTTP/1.1 connections persist unless a side says Connection:"
        " close (RFC 9112 section 9.3): read the next request on the same"
        " connection")


def _body(t, conn, resp, name, what):
    t.expect_status(conn, resp, 200, what)
    t.expect_body(conn, resp, t.site.content[name], what)


@s4.requirement("4.1", "keep-alive: a second request on the same connection")
def keep_alive(t):
    conn, resp = t.exchange(Request("GET", "/hello.txt", close=False))
    _body(t, conn, resp, "hello.txt", "the first response")
    if not t.run.program.alive():
        return
    second = Request("GET", "/style.css")
    if not conn.send(second.bytes(t.port), second):
        raise Failed("the server closed the connection after the first"
                     " response", conn, hint=KEEP)
    try:
        resp = t.response(conn)
    except Failed as f:
        if (conn.eof or conn.reset) and len(conn.got) == conn.pos:
            f.why = ("the server closed the connection after the first"
                     " response, without Connection: close")
            f.hint = KEEP
        raise
    _body(t, conn, resp, "style.css", "the second response")


@s4.requirement("4.2", "pipelining: three requests in one write, three responses in order")
def pipelining(t):
    names = ("hello.txt", "style.css", "sub/page.html")
    reqs = [Request("GET", "/" + n, close=(i == 2)) for i, n in enumerate(names)]
    conn = t.connect()
    data = b"".join(r.bytes(t.port) for r in reqs)
    conn.requests.append(Request(raw=data))
    if not conn.send(data):
        raise Failed("the requests could not be sent", conn)
    for i, name in enumerate(names):
        try:
            resp = t.response(conn, timeout=3 if i == 0 else 2)
        except Failed as f:
            f.why = "response %d of 3: %s" % (i + 1, f.why)
            f.hint = ("keep the bytes after the first request's empty line:"
                      " they are the next request (RFC 9112 section 9.3.2)")
            raise
        _body(t, conn, resp, name, "response %d of 3 (/%s)" % (i + 1, name))


@s4.requirement("4.3", "Connection: close: the server closes after the response")
def connection_close(t):
    conn, resp = t.get("/hello.txt")
    _body(t, conn, resp, "hello.txt", "/hello.txt")
    t.expect_closed(conn, 2, "the request said Connection: close, yet the"
                    " server kept the connection open",
                    hint="after the response, close the connection (RFC"
                    " 9112 section 9.6: MUST)")


@s4.requirement("4.4", "HTTP/1.0: served without Host, then closed")
def http10(t):
    conn, resp = t.exchange(Request("GET", "/hello.txt", version="HTTP/1.0",
                                    host=False, close=False))
    _body(t, conn, resp, "hello.txt", "an HTTP/1.0 request")
    t.expect_closed(conn, 2, "an HTTP/1.0 request without keep-alive: the"
                    " connection must close after the response",
                    hint="RFC 9112 section 9.3: HTTP/1.0 persists only with"
                    " Connection: keep-alive")


@s4.requirement("4.5", "a request that arrives in pieces")
def in_pieces(t):
    conn = t.connect()
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    req = Request("GET", "/hello.txt")
    data = req.bytes(t.port)
    conn.requests.append(req)
    for part in (data[:2], data[2:9], data[9:30], data[30:-3], data[-3:]):
        if not conn.send(part):
            raise Failed("the server closed the connection before the"
                         " request was whole", conn,
                         hint="recv() returns what has arrived so far: keep"
                         " reading until the empty line (lessons/08-recv.md)")
        time.sleep(0.1)
    resp = t.response(conn)
    _body(t, conn, resp, "hello.txt", "a request sent in 5 pieces")


def _client(t, i, results, start):
    """One of the 50 concurrent clients: connect, wait for all, GET."""
    try:
        conn = Conn(t.port, t.deadline)
    except OSError as e:
        results[i] = ("connect failed: %s" % e, None)
        return
    t.conns.append(conn)
    start.wait(t.deadline.left())
    req = Request("GET", "/medium.bin")
    try:
        if not conn.send(req.bytes(t.port), req):
            results[i] = ("could not send", conn)
            return
        resp = conn.response("GET", t.deadline.left(12))
        want = t.site.content["medium.bin"]
        if resp is None:
            results[i] = ("no whole response", conn)
        elif resp.status != 200 or resp.body != want:
            results[i] = ("status %d, %d of %d bytes%s" % (
                resp.status, len(resp.body), len(want),
                "" if resp.body == want[:len(resp.body)] else ", wrong"), conn)
        else:
            results[i] = None
    except (OSError, ValueError) as e:
        results[i] = ("%s" % e, conn)


@s5.requirement("5.1", "50 clients at once, each answered byte-exact", budget=15)
def fifty(t):
    results = [("it did not finish in time", None)] * 50
    start = threading.Event()
    threads = [threading.Thread(target=_client, args=(t, i, results, start),
                                daemon=True) for i in range(50)]
    for th in threads:
        th.start()
    time.sleep(0.2)
    start.set()
    for th in threads:
        th.join(t.deadline.left())
    bad = [(i, r) for i, r in enumerate(results) if r is not None]
    if bad:
        i, (why, conn) = bad[0]
        raise Failed("%d of 50 concurrent clients were not served whole"
                     " (GET /medium.bin, 64 KiB); the first, client %d: %s"
                     % (len(bad), i + 1, why), conn,
                     hint="serve each connection on its own (a thread, a"
                     " process, or non-blocking sockets and poll/epoll:"
                     " lessons/12-many-clients.md)")


BLOCKS = ("one client blocks the whole server: serve clients concurrently"
          " (lessons/12-many-clients.md), and never wait on one socket"
          " while others are ready")


def _meanwhile(t, what, idle):
    """A fresh client is answered within 2 s while idle is open; a failure
    carries the BLOCKS hint."""
    try:
        t0 = time.monotonic()
        conn, resp = t.exchange(Request("GET", "/hello.txt"), timeout=2)
        _body(t, conn, resp, "hello.txt", "a client beside " + what)
        took = time.monotonic() - t0
        if took > 2:
            raise Failed("a client beside %s waited %.1f s" % (what, took), conn)
    except Failed as f:
        f.hint = BLOCKS
        raise
    idle.close()


@s5.requirement("5.2", "a client that connects and sends nothing blocks no one", budget=6)
def idle_client(t):
    idle = t.connect()
    time.sleep(0.2)
    _meanwhile(t, "one that sent nothing", idle)


@s5.requirement("5.3", "a client that stalls mid-head blocks no one", budget=6)
def stalled_client(t):
    idle = t.connect()
    idle.send(b"GET /hello.txt HTTP/1.1\r\nHo")
    time.sleep(0.2)
    _meanwhile(t, "one stalled inside its request head", idle)


@s5.requirement("5.4", "a client that does not read its response blocks no one", budget=10)
def slow_reader(t):
    slow = t.connect(rcvbuf=4096)
    req = Request("GET", "/big.bin")
    slow.send(req.bytes(t.port), req)
    time.sleep(0.5)
    try:
        conn, resp = t.exchange(Request("GET", "/hello.txt"), timeout=2)
        _body(t, conn, resp, "hello.txt", "a client beside one that reads"
              " nothing of a 16 MiB response")
    except Failed as f:
        f.hint = BLOCKS + "; a send() to a full socket waits"
        raise
    finally:
        # Read it all, so that closing sends a FIN, not an RST (stage 9
        # tries resets).
        slow.response("GET", t.deadline.left(5))
        slow.close()
