"""request.py - the requests the grader sends, as bytes and as the curl
(or printf | tcp-client) command a learner can type to send them again."""

import shlex


class Request:
    """An HTTP/1.x request; raw= gives bytes that no builder could."""

    def __init__(self, method="GET", target="/", version="HTTP/1.1",
                 headers=None, body=b"", host=True, close=True,
                 chunked=False, raw=None):
        self.method = method
        self.target = target
        self.version = version
        self.headers = list(headers or [])
        self.body = body
        self.host = host
        self.close = close
        self.chunked = chunked
        self.raw = raw

    def bytes(self, port):
        if self.raw is not None:
            return self.raw
        lines = ["%s %s %s" % (self.method, self.target, self.version)]
        if self.host:
            lines.append("Host: 127.0.0.1:%d" % port)
        lines.append("User-Agent: socklab-grader")
        lines += ["%s: %s" % h for h in self.headers]
        if self.close:
            lines.append("Connection: close")
        if self.chunked:
            lines.append("Transfer-Encoding: chunked")
        elif self.body:
            lines.append("Content-Length: %d" % len(self.body))
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        return head + (chunk(self.body) if self.chunked else self.body)

    def curl(self, port, tcp_client):
        """A command that sends the same request (a curl where curl can)."""
        if self.raw is not None or self.version not in ("HTTP/1.1", "HTTP/1.0"):
            return printf_command(self.bytes(port), port, tcp_client)
        words = ["curl", "-si", "--path-as-is"]
        if self.method == "HEAD":
            words[1] = "-sI"
        elif self.method != "GET" or self.body:
            words += ["-X", self.method]
        if self.version == "HTTP/1.0":
            words.append("--http1.0")
        if not self.host:
            words += ["-H", "Host:"]
        for h in self.headers:
            words += ["-H", "%s: %s" % h]
        if self.close:
            words += ["-H", "Connection: close"]
        if self.chunked:
            words += ["-H", "Transfer-Encoding: chunked"]
        if self.body:
            words += ["--data-binary", "@body.bin"]
        words.append("http://127.0.0.1:%d%s" % (port, self.target))
        line = " ".join(shlex.quote(w) for w in words)
        if self.body:
            line += "   (body.bin: the %d bytes of the body)" % len(self.body)
        return line


def chunk(body, size=4096):
    """body in the chunked coding (RFC 9112 section 7.1)."""
    out = bytearray()
    for i in range(0, len(body), size):
        part = body[i:i + size]
        out += b"%x\r\n" % len(part) + part + b"\r\n"
    return bytes(out + b"0\r\n\r\n")


def printf_command(data, port, tcp_client):
    """printf 'BYTES' | tcp-client 127.0.0.1 PORT, trimmed when long."""
    shown = escape(data[:300], printf=True)
    more = "" if len(data) <= 300 else "   (the first 300 of %d bytes)" % len(data)
    return "printf '%s' | %s 127.0.0.1 %d%s" % (shown, tcp_client, port, more)


def escape(data, printf=False):
    """Bytes as one printable line: \\r \\n \\t, \\xNN for the rest."""
    out = []
    for b in data:
        c = chr(b)
        if c == "\r":
            out.append("\\r")
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif c == "\\":
            out.append("\\\\")
        elif printf and c in "'%":
            out.append("%%" if c == "%" else "'\\''")
        elif 32 <= b < 127:
            out.append(c)
        elif printf:
            out.append("\\%03o" % b)
        else:
            out.append("\\x%02x" % b)
    return "".join(out)
