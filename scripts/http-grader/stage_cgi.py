"""stage_cgi.py - stage 8: CGI scripts (RFC 3875): the environment, the
body on stdin, the script's Status and header fields, a hanging script
killed with 504, a crashing one answered 502."""

import os
import random
import time

from checks import Failed, Stage
from program import CGITIMEOUT
from request import Request

s8 = Stage(8, "CGI", "CGI")

ENV_TARGET = "/cgi-bin/env.py/extra/path?a=1&b=two"


def _env(body):
    out = {}
    for line in body.decode("utf-8", "replace").splitlines():
        k, eq, v = line.partition("=")
        if eq:
            out[k] = v
    return out


@s8.requirement("8.1", "the script gets the RFC 3875 environment")
def environment(t):
    conn, resp = t.exchange(Request("GET", ENV_TARGET,
                                    headers=[("X-Grader", "yes")]))
    t.expect_status(conn, resp, 200, "ROOT/cgi-bin/env.py prints its"
                    " environment")
    env = _env(resp.body)
    want = {"REQUEST_METHOD": "GET", "QUERY_STRING": "a=1&b=two",
            "PATH_INFO": "/extra/path", "SCRIPT_NAME": "/cgi-bin/env.py",
            "SERVER_PROTOCOL": "HTTP/1.1", "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PORT": str(t.port), "REMOTE_ADDR": "127.0.0.1",
            "HTTP_X_GRADER": "yes"}
    wrong = ["%s=%s (not %r)" % (k, v, env.get(k)) if k in env else
             "%s missing" % k for k, v in want.items() if env.get(k) != v]
    wrong += ["%s missing" % k for k in ("SERVER_NAME", "SERVER_SOFTWARE")
              if not env.get(k)]
    if wrong:
        raise Failed("GET %s: %s" % (ENV_TARGET, "; ".join(wrong)), conn,
                     hint="RFC 3875 section 4.1 lists the meta-variables;"
                     " PATH_INFO is the part of the path after the script's"
                     " name, QUERY_STRING what follows '?'")


@s8.requirement("8.2", "a POST body reaches the script's stdin", budget=8)
def stdin_body(t):
    body = random.Random(8).randbytes(100000)
    conn, resp = t.exchange(Request("POST", "/cgi-bin/echo.py", body=body,
                                    headers=[("Content-Type",
                                              "application/x-grader")]),
                            timeout=6)
    t.expect_status(conn, resp, 200, "echo.py copies its stdin to stdout")
    t.expect_header(conn, resp, "X-Content-Length",
                    lambda v: v == str(len(body)), str(len(body)),
                    "CONTENT_LENGTH was not the body's length (RFC 3875"
                    " section 4.1.2)")
    t.expect_header(conn, resp, "X-Content-Type",
                    lambda v: v == "application/x-grader",
                    "application/x-grader", "CONTENT_TYPE was not the"
                    " request's Content-Type (RFC 3875 section 4.1.3)")
    t.expect_body(conn, resp, body, "the body echoed by the script",
                  hint="write the whole body to the script's stdin (RFC 3875"
                  " section 4.2), and read its stdout while you write, or a"
                  " full pipe stops both")


@s8.requirement("8.3", "the script's Status and header fields are honoured")
def status_header(t):
    conn, resp = t.get("/cgi-bin/status.py")
    t.expect_status(conn, resp, 201, "the script said Status: 201 Created"
                    " (RFC 3875 section 6.3.3)")
    t.expect_header(conn, resp, "Content-Type",
                    lambda v: v.startswith("application/json"),
                    "application/json", "the script's Content-Type was"
                    " replaced (RFC 3875 section 6.3.1)")
    t.expect_header(conn, resp, "X-Cgi", lambda v: v == "honoured",
                    "honoured", "the script's own header field was dropped"
                    " (RFC 3875 section 6.3.4)")
    t.expect_body(conn, resp, b'{"created": true}\n', "the script's body")


def _gone(pid):
    """True when pid no longer exists (a zombie still does)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] == "X"
    except OSError:
        return True


@s8.requirement("8.4", "a hanging script: 504 within 5 s, killed, others served", budget=14)
def hanging(t):
    try:
        os.unlink(t.site.pidfile)
    except OSError:
        pass
    conn = t.connect()
    req = Request("GET", "/cgi-bin/hang.py")
    t.send(conn, req)
    time.sleep(0.5)
    other, resp = t.exchange(Request("GET", "/hello.txt"), timeout=2)
    t.expect_status(other, resp, 200, "a client beside a hanging script",
                    hint="run scripts without blocking the server: wait for"
                    " their output on the event loop, or in another thread")
    resp = t.response(conn, timeout=CGITIMEOUT + 3)
    t.expect_status(conn, resp, 504, "the script never answers (RFC 9110"
                    " section 15.6.5)")
    try:
        with open(t.site.pidfile) as f:
            pid = int(f.read())
    except (OSError, ValueError):
        return
    limit = time.monotonic() + 2
    while not _gone(pid) and time.monotonic() < limit:
        time.sleep(0.05)
    if not _gone(pid):
        raise Failed("the 504 came, but the script (pid %d) is still %s 2 s"
                     " later" % (pid, "a zombie" if os.path.exists(
                         "/proc/%d" % pid) else "running"), conn,
                     hint="kill() the script's process at the timeout, and"
                     " waitpid() it")


@s8.requirement("8.5", "a script that fails: 502")
def crashing(t):
    conn, resp = t.get("/cgi-bin/crash.py")
    t.expect_status(conn, resp, (502, 500), "the script exited 1 without"
                    " a response (RFC 9110 section 15.6.3)")
