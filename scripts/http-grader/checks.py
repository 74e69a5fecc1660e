"""checks.py - stages, requirements, and the helpers a requirement uses.

A requirement is a function of one Test. It talks to the server with
Test.exchange() and checks with expect_*(); the first check that does not
hold raises Failed, which carries what the report shows: why, the
connection (bytes sent and received, how it ended), what was expected at
which byte, and a hint.
"""

import errno

from request import Request
from wire import Conn

LESSON = "lessons/14-build-a-web-server.md"


class Failed(Exception):
    def __init__(self, why, conn=None, expected=None, at=None, hint=None,
                 stored=None):
        super().__init__(why)
        self.why = why
        self.conn = conn
        self.expected = expected
        self.at = at
        self.hint = hint
        self.stored = stored    # (what a file holds, what it should)


class Requirement:
    def __init__(self, rid, title, budget, func):
        self.id = rid
        self.title = title
        self.budget = budget
        self.func = func


class Stage:
    """One stage of the track: a lesson section and its requirements."""

    def __init__(self, number, name, section):
        self.number = number
        self.name = name
        self.section = section
        self.requirements = []

    def requirement(self, rid, title, budget=5):
        def add(func):
            self.requirements.append(Requirement(rid, title, budget, func))
            return func
        return add

    def budget(self):
        return sum(r.budget for r in self.requirements)


class Test:
    """What a requirement gets: the server's port, ROOT, and helpers."""

    def __init__(self, run, deadline):
        self.run = run
        self.site = run.site
        self.program = run.program
        self.port = run.program.port
        self.deadline = deadline
        self.conns = []
        self.notes = []         # what a PASS shows too (measurements)

    def note(self, line):
        self.notes.append(line)

    # -- talking to the server ------------------------------------------

    def connect(self, rcvbuf=None):
        try:
            conn = Conn(self.port, self.deadline, rcvbuf=rcvbuf)
        except OSError as e:
            raise Failed("could not connect to 127.0.0.1:%d: %s (%s)"
                         % (self.port, e.strerror or e,
                            errno_name(e.errno)),
                         hint="is the server still accepting connections?")
        self.conns.append(conn)
        return conn

    def send(self, conn, request):
        """Send request on conn; fails if the server cut it short."""
        if not conn.send(request.bytes(self.port), request):
            raise Failed("the request could not be sent whole", conn)

    def exchange(self, request, conn=None, timeout=3, method=None):
        """Send request (on a new connection unless conn) and read one
        response; fails, showing the bytes, if none comes."""
        conn = conn or self.connect()
        self.send(conn, request)
        return conn, self.response(conn, method or request.method, timeout)

    def response(self, conn, method="GET", timeout=3):
        try:
            resp = conn.response(method, timeout)
        except ValueError as e:
            raise Failed("the response cannot be parsed: %s" % e, conn)
        if resp is None:
            if len(conn.got) > conn.pos:
                raise Failed("the response did not arrive whole", conn)
            if conn.reset:
                raise Failed("no response: the server reset the connection",
                             conn)
            if conn.eof:
                raise Failed("no response: the server closed the connection"
                             " without answering", conn)
            raise Failed("no response within %.1f s" % timeout, conn)
        return resp

    def get(self, target, **kw):
        method = kw.pop("method", "GET")
        return self.exchange(Request(method, target, **kw))

    def close_all(self):
        for c in self.conns:
            c.close()
        self.conns = []

    # -- checks -----------------------------------------------------------

    def expect_status(self, conn, resp, codes, why="", hint=None):
        """resp's status is one of codes (the first is the one shown)."""
        codes = (codes,) if isinstance(codes, int) else tuple(codes)
        if resp.status in codes:
            return
        at = resp.start + len(resp.version) + 1
        expected = bytes(conn.got[:at]) + str(codes[0]).encode()
        alts = " or ".join(str(c) for c in codes)
        raise Failed("status %d where %s was expected%s"
                     % (resp.status, alts, ": " + why if why else ""),
                     conn, expected, at, hint)

    def expect_body(self, conn, resp, want, what, hint=None):
        """resp's body is exactly want, byte for byte."""
        got = resp.body
        if got == want:
            return
        n = next((i for i in range(min(len(got), len(want)))
                  if got[i] != want[i]), min(len(got), len(want)))
        if len(got) < len(want) and n == len(got):
            why = ("%s: %d bytes expected, only the first %d came"
                   % (what, len(want), len(got)))
        elif len(got) > len(want) and n == len(want):
            why = ("%s: %d bytes expected, %d came (%d too many)"
                   % (what, len(want), len(got), len(got) - len(want)))
        else:
            why = "%s: the body differs from byte %d of %d on" % (
                what, n, len(want))
        expected = bytes(conn.got[:resp.head_end]) + want
        raise Failed(why, conn, expected, resp.head_end + n, hint)

    def expect_header(self, conn, resp, name, ok, want, why, hint=None):
        """The field name exists and ok(value) holds; want is shown."""
        value = resp.header(name)
        if value is not None and ok(value):
            return
        for at, line in resp.header_lines:
            if line.lower().startswith(name.lower().encode() + b":"):
                start = at + len(name) + 1
                while conn.got[start:start + 1] in (b" ", b"\t"):
                    start += 1
                expected = bytes(conn.got[:start]) + want.encode()
                raise Failed(why, conn, expected, start, hint)
        at = resp.head_end - 2 if resp.head_end >= 2 else resp.start
        expected = (bytes(conn.got[:at]) + ("%s: %s\r\n" % (name, want))
                    .encode())
        raise Failed(why + " (there is no %s field)" % name, conn,
                     expected, at, hint)

    def expect_closed(self, conn, seconds, why, hint=None):
        """The server closes conn (FIN or RST) within seconds."""
        conn.watch_end(seconds)
        if not (conn.eof or conn.reset):
            raise Failed(why, conn, hint=hint)


def errno_name(n):
    return errno.errorcode.get(n, str(n)) if n else "?"
