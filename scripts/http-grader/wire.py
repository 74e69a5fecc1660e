"""wire.py - the grader's own HTTP client: raw bytes over TCP.

It writes exactly the bytes a test gives it and keeps every byte the
server sends back, so that a failure can show both, and it tells how the
connection ended: the server closed it in order (FIN), reset it (RST),
left it open, or sent nothing at all. Every wait is bounded by a deadline.
"""

import socket
import struct
import time


class Deadline:
    """A point in time that no wait may pass."""

    def __init__(self, seconds):
        self.at = time.monotonic() + seconds

    def left(self, at_most=None):
        """Seconds left (never below 0.001), capped at at_most."""
        left = max(self.at - time.monotonic(), 0.001)
        return left if at_most is None else min(left, at_most)

    def passed(self):
        return time.monotonic() >= self.at


class Response:
    """One HTTP response, parsed leniently: what looks wrong is kept in
    problems (for stage 1) instead of stopping the parse."""

    def __init__(self):
        self.start = 0          # offset of its first byte in Conn.got
        self.head_end = 0       # offset of the first body byte
        self.end = 0            # offset just past the last byte
        self.version = ""
        self.status = 0
        self.reason = ""
        self.headers = []       # (name, value) in order
        self.header_lines = []  # (offset, raw line) for carets
        self.body = b""
        self.framing = ""       # length, chunked, close or none
        self.problems = []      # (offset, what) for well-formedness

    def header(self, name):
        """The value of the first field called name, or None."""
        for n, v in self.headers:
            if n.lower() == name.lower():
                return v
        return None

    def all(self, name):
        return [v for n, v in self.headers if n.lower() == name.lower()]

    def media_type(self):
        value = self.header("Content-Type") or ""
        return value.split(";")[0].strip().lower()

    def wants_close(self):
        value = (self.header("Connection") or "").lower()
        return "close" in [v.strip() for v in value.split(",")]


class Incomplete(Exception):
    """The bytes so far do not hold a whole response yet."""


def _lines(buf, pos, end):
    """Split buf[pos:end] into (offset, line) with the line ending removed,
    noting lines that end in a bare LF."""
    out, bare = [], []
    while pos < end:
        lf = buf.find(b"\n", pos, end)
        if lf < 0:
            break
        line = buf[pos:lf]
        if line.endswith(b"\r"):
            line = line[:-1]
        else:
            bare.append(lf)
        out.append((pos, bytes(line)))
        pos = lf + 1
    return out, bare


def _head_end(buf, start):
    """Offset just past the empty line that ends the head at start, or -1.
    A bare LF is accepted here (and reported by parse_response)."""
    pos = start
    while True:
        lf = buf.find(b"\n", pos)
        if lf < 0:
            return -1
        line = buf[pos:lf]
        if line in (b"", b"\r") and pos > start:
            return lf + 1
        pos = lf + 1


def _chunked(buf, pos, eof):
    """Decode a chunked body at pos: (body, end offset)."""
    body = bytearray()
    while True:
        lf = buf.find(b"\n", pos)
        if lf < 0:
            raise Incomplete()
        size_text = bytes(buf[pos:lf]).split(b";")[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise ValueError("bad chunk size %r at byte %d" % (size_text, pos))
        pos = lf + 1
        if size == 0:
            break
        if len(buf) < pos + size + 1:
            raise Incomplete()
        body += buf[pos:pos + size]
        pos += size
        if buf[pos:pos + 2] == b"\r\n":
            pos += 2
        elif buf[pos:pos + 1] == b"\n":
            pos += 1
        elif len(buf) < pos + 2 and not eof:
            raise Incomplete()
        else:
            raise ValueError("no CRLF after a chunk's data at byte %d" % pos)
    while True:  # trailer fields, up to the empty line
        lf = buf.find(b"\n", pos)
        if lf < 0:
            raise Incomplete()
        line = buf[pos:lf]
        pos = lf + 1
        if line in (b"", b"\r"):
            return bytes(body), pos


def parse_response(buf, start, method, eof):
    """Parse the response at buf[start:] to a request with method; raises
    Incomplete (unless eof says no more bytes will come) or ValueError."""
    end = _head_end(buf, start)
    if end < 0:
        if eof:
            raise ValueError("the connection ended inside the response head")
        raise Incomplete()
    r = Response()
    r.start = start
    r.head_end = end
    lines, bare = _lines(buf, start, end)
    for lf in bare:
        r.problems.append((lf, "a line ends in a bare LF; HTTP lines end"
                           " in CR LF (RFC 9112 section 2.1)"))
    status_at, status_line = lines[0]
    parts = status_line.split(b" ", 2)
    r.version = parts[0].decode("latin-1")
    if len(parts) < 2 or not parts[1].isdigit() or len(parts[1]) != 3:
        raise ValueError("no status code in the status line")
    r.status = int(parts[1])
    r.reason = parts[2].decode("latin-1") if len(parts) > 2 else ""
    for at, line in lines[1:]:
        if not line:
            continue
        name, colon, value = line.partition(b":")
        if not colon or not name or name != name.strip():
            r.problems.append((at, "a header line that is not"
                               " 'Name: value' (RFC 9112 section 5)"))
            continue
        r.headers.append((name.decode("latin-1"),
                          value.strip(b" \t").decode("latin-1")))
        r.header_lines.append((at, line))
    _frame_body(r, buf, method, eof)
    return r


def _frame_body(r, buf, method, eof):
    """Find r's body as RFC 9112 section 6.3 says a client must."""
    end = r.head_end
    if method == "HEAD" or r.status in (204, 304) or r.status < 200:
        r.framing, r.end = "none", end
        return
    te = (r.header("Transfer-Encoding") or "").lower()
    if "chunked" in te:
        r.framing = "chunked"
        r.body, r.end = _chunked(buf, end, eof)
        return
    length = r.header("Content-Length")
    if length is not None:
        if not length.strip().isdigit():
            raise ValueError("Content-Length %r is not a number" % length)
        n = int(length)
        r.framing = "length"
        if len(buf) < end + n:
            if eof:
                r.body, r.end = bytes(buf[end:]), len(buf)
                r.problems.append((len(buf), "the connection closed after"
                                   " %d of the %d body bytes that"
                                   " Content-Length announced"
                                   % (len(buf) - end, n)))
                return
            raise Incomplete()
        r.body, r.end = bytes(buf[end:end + n]), end + n
        return
    if not eof:
        raise Incomplete()
    r.framing = "close"
    r.body, r.end = bytes(buf[end:]), len(buf)


class Conn:
    """One TCP connection to the server under test."""

    def __init__(self, port, deadline, host="127.0.0.1", rcvbuf=None):
        self.port = port
        self.deadline = deadline
        self.sent = bytearray()
        self.got = bytearray()
        self.pos = 0            # where the next response starts in got
        self.eof = False        # the server closed (FIN)
        self.reset = False      # the server reset (RST)
        self.ended = ""         # how the connection ended, in words
        self.t0 = time.monotonic()
        self.requests = []      # the Request objects sent, for curl lines
        self.closed = False     # closed by the grader
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(deadline.left(5))
        self.sock.connect((host, port))

    def elapsed(self):
        return time.monotonic() - self.t0

    def send(self, data, request=None):
        """Send data whole; False (and ended says why) if the server
        closed or reset the connection first."""
        if request is not None:
            self.requests.append(request)
        self.sent += data
        self.sock.settimeout(self.deadline.left(10))
        try:
            self.sock.sendall(data)
            return True
        except (BrokenPipeError, ConnectionResetError):
            self.reset = True
            self.ended = ("the server reset the connection (RST) while the"
                          " request was being sent, %.2f s after it began"
                          % self.elapsed())
        except socket.timeout:
            self.ended = ("the server stopped reading: the request could not"
                          " be sent within %.1f s" % self.elapsed())
        return False

    def _fill(self, timeout):
        """Receive what comes within timeout; False if nothing came."""
        if self.eof or self.reset or self.closed:
            return False
        self.sock.settimeout(self.deadline.left(timeout))
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        except ConnectionResetError:
            self.reset = True
            self.ended = ("the server reset the connection (RST) %.2f s"
                          " after it was opened" % self.elapsed())
            return False
        if not data:
            self.eof = True
            self.ended = ("the server closed the connection (FIN) %.2f s"
                          " after it was opened" % self.elapsed())
            return False
        self.got += data
        return True

    def response(self, method="GET", timeout=5):
        """The next response; None if it did not come whole within timeout
        (ended then says why). Raises ValueError if it cannot be parsed."""
        limit = Deadline(timeout)
        while True:
            done = self.eof or self.reset
            if done and self.pos >= len(self.got):
                return None
            try:
                r = parse_response(self.got, self.pos, method, done)
            except Incomplete:
                if done:
                    return None
                if limit.passed() or self.deadline.passed():
                    if not self.ended:
                        self.ended = ("still open, but no whole response"
                                      " came within %.1f s" % timeout)
                    return None
                self._fill(limit.left(1))
                continue
            self.pos = r.end
            if 100 <= r.status < 200 and r.status != 101:
                continue  # an interim response: the real one follows
            return r

    def watch_end(self, seconds):
        """Wait up to seconds for the server to close; says how it ended."""
        if self.closed:
            return self.ended or "closed by the grader"
        limit = Deadline(seconds)
        while not (self.eof or self.reset) and not limit.passed():
            self._fill(limit.left(0.5))
        if not (self.eof or self.reset) and not self.ended:
            self.ended = ("the server kept the connection open (no FIN or"
                          " RST within %.1f s)" % seconds)
        return self.ended

    def silent_for(self, seconds):
        """True if nothing at all arrives within seconds."""
        before = len(self.got)
        limit = Deadline(seconds)
        while not limit.passed() and not (self.eof or self.reset):
            self._fill(limit.left(0.2))
        return len(self.got) == before and not (self.eof or self.reset)

    def rst(self):
        """Close with SO_LINGER 0: the kernel sends an RST, not a FIN."""
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                 struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close()

    def close(self):
        self.closed = True
        try:
            self.sock.close()
        except OSError:
            pass
