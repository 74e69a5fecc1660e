#!/usr/bin/env python3
"""selftest.py - unit tests of the grader's pure parts: the response parser,
the corpus decoder, escaping and the caret. Ends with "N passed, N failed"
(run by tests/40-http-grader.bats)."""

import sys

sys.dont_write_bytecode = True

from report import caret_lines                      # noqa: E402
from request import Request, chunk, escape, printf_command  # noqa: E402
from stage_robust import _unprintf, corpus          # noqa: E402
from wire import Incomplete, parse_response         # noqa: E402

passed = failed = 0


def check(what, ok):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what)


def parses(data, method="GET", eof=False):
    try:
        return parse_response(bytearray(data), 0, method, eof)
    except Incomplete:
        return "incomplete"
    except ValueError as e:
        return "bad: %s" % e


r = parses(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1")
check("a Content-Length body ends where it says", r.body == b"hello" and r.end == 43)
check("a body not yet whole is incomplete",
      parses(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhello") == "incomplete")
r = parses(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhello", eof=True)
check("a body cut by the close is noted", r.body == b"hello" and r.problems)
r = parses(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"5;ext=1\r\nhello\r\n1\r\n!\r\n0\r\nX-Trailer: y\r\n\r\n")
check("chunked, with an extension and a trailer", r.body == b"hello!" and r.framing == "chunked")
check("a bad chunk size is refused",
      parses(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").startswith("bad"))
r = parses(b"HTTP/1.1 200 OK\nContent-Length: 2\n\nhi")
check("bare LF heads parse, and are noted", r.body == b"hi" and len(r.problems) == 3)
r = parses(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", "HEAD")
check("HEAD has no body whatever Content-Length says", r.body == b"" and r.framing == "none")
r = parses(b"HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200", "GET")
check("204 has no body", r.end == 27)
check("a close-delimited body waits for the close",
      parses(b"HTTP/1.0 200 OK\r\n\r\nsome") == "incomplete")
r = parses(b"HTTP/1.0 200 OK\r\n\r\nsome", eof=True)
check("... and ends there", r.body == b"some" and r.framing == "close")
check("no status code is refused", parses(b"HTTP/1.1 OK\r\n\r\n").startswith("bad"))
r = parses(b"HTTP/1.1 200 OK\r\nBad Line\r\nContent-Length: 0\r\n\r\n")
check("a header line without a colon is noted", any("Name: value" in p for _, p in r.problems))

check("corpus escapes", _unprintf(r"GET /%%00 \r\n\000\t\\") == b"GET /%00 \r\n\x00\t\\")
check("the corpus file reads", len(corpus()) >= 40)
check("escape", escape(b"a\r\n\x00\\") == "a\\r\\n\\x00\\\\")
check("printf escape", "printf 'it'\\''s 100%% \\r\\n\\000'" in
      printf_command(b"it's 100% \r\n\x00", 1, "tc"))
check("chunk", chunk(b"abc", 2) == b"2\r\nab\r\n1\r\nc\r\n0\r\n\r\n")
req = Request("GET", "/x", close=False)
check("a request's bytes", req.bytes(80) == b"GET /x HTTP/1.1\r\nHost: 127.0.0.1:80\r\n"
      b"User-Agent: socklab-grader\r\n\r\n")
check("its curl", req.curl(80, "tc") == "curl -si --path-as-is http://127.0.0.1:80/x")
lines = caret_lines(b"HTTP/1.1 200 OK\n", b"HTTP/1.1 200 OK\r\n", 15)
check("the caret sits under the first differing byte",
      lines[2].index("^") == len("          ") + len("HTTP/1.1 200 OK"))
lines = caret_lines(b"\x00" * 100 + b"A", b"\x00" * 100 + b"B", 100)
check("... also after a long escaped prefix",
      lines[2].index("^") == lines[1].index("A") and lines[0].index("B") == lines[1].index("A"))

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
