"""docroot.py - the ROOT directory the grader serves: its files, the upload
area, the CGI scripts, and a secret outside ROOT that must never leak.
The layout is the track's convention (lessons/14-build-a-web-server.md,
"How your server is run")."""

import os
import random
import sys

SECRET = b"socklab-grader-secret-7f3a9c: this file lies outside ROOT\n"

INDEX = (b"<!DOCTYPE html>\n<html><head><title>socklab</title>"
         b"<link rel=\"stylesheet\" href=\"/style.css\"></head>\n"
         b"<body><h1>It works</h1><p>served by your server</p></body>"
         b"</html>\n")

# A 1x1 PNG: its bytes include NUL, CR and LF, which text handling breaks.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5f6e2d3"
    "0000000049454e44ae426082")


def _pattern(size, seed):
    """size pseudo-random bytes, the same every run."""
    return random.Random(seed).randbytes(size)


FILES = {
    "index.html": INDEX,
    "hello.txt": b"hello, world\n",
    "unicode.txt": "h\u00e9llo, w\u00f6rld \u2014 \u65e5\u672c\n".encode(),
    "empty.txt": b"",
    "digits.txt": b"0123456789abcdefghij",
    "style.css": b"body { font-family: sans-serif; color: #222 }\n",
    "script.js": b"console.log('hello');\n",
    "logo.png": PNG,
    "with space.txt": b"a name with a space\n",
    "sub/index.html": b"<!DOCTYPE html>\n<p>the index of sub/</p>\n",
    "sub/page.html": b"<!DOCTYPE html>\n<p>a page in sub/</p>\n",
    "nodir/file.txt": b"a directory without index.html\n",
}

BIG = {
    "medium.bin": 65536,
    "data.bin": 1048576 + 7,
    "big.bin": 16 * 1048576,
}

# Media types the grader expects, by extension (RFC 9110 section 8.3).
TYPES = {
    ".html": "text/html", ".txt": "text/plain", ".css": "text/css",
    ".js": ("text/javascript", "application/javascript"),
    ".png": "image/png", ".bin": "application/octet-stream",
}

CGI = {
    "env.py": r'''
import os, sys
names = sorted(k for k in os.environ)
sys.stdout.write("Content-Type: text/plain\r\n\r\n")
for k in names:
    sys.stdout.write("%s=%s\n" % (k, os.environ[k]))
''',
    "echo.py": r'''
import os, sys
n = int(os.environ.get("CONTENT_LENGTH") or 0)
data = b""
while len(data) < n:
    part = sys.stdin.buffer.read(n - len(data))
    if not part:
        break
    data += part
out = sys.stdout.buffer
out.write(b"Content-Type: application/octet-stream\r\n")
out.write(b"X-Content-Length: %s\r\n" % os.environ.get("CONTENT_LENGTH", "").encode())
out.write(b"X-Content-Type: %s\r\n\r\n" % os.environ.get("CONTENT_TYPE", "").encode())
out.write(data)
''',
    "status.py": r'''
import sys
sys.stdout.write("Status: 201 Created\r\nContent-Type: application/json\r\n"
                 "X-Cgi: honoured\r\n\r\n{\"created\": true}\n")
''',
    "hang.py": r'''
import os, sys, time
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "..", "hang.pid"), "w") as f:
    f.write("%d\n" % os.getpid())
time.sleep(600)
''',
    "crash.py": r'''
import sys
sys.stderr.write("crash.py: failing on purpose\n")
sys.exit(1)
''',
}


class Site:
    """ROOT and what the grader knows about it."""

    def __init__(self, top):
        self.top = top
        self.root = os.path.join(top, "root")
        self.uploads = os.path.join(self.root, "uploads")
        self.cgi = os.path.join(self.root, "cgi-bin")
        self.secret_path = os.path.join(top, "secret.txt")
        self.pidfile = os.path.join(top, "hang.pid")
        self.content = dict(FILES)
        for name, size in BIG.items():
            self.content[name] = _pattern(size, name)
        self.build()

    def path(self, name):
        return os.path.join(self.root, name)

    def build(self):
        """Write ROOT as the convention says (again, if a server broke it)."""
        for d in (self.root, self.uploads, self.cgi,
                  os.path.join(self.root, "sub"),
                  os.path.join(self.root, "nodir")):
            os.makedirs(d, exist_ok=True)
        for name, data in self.content.items():
            self._put(self.path(name), data)
        self._put(self.secret_path, SECRET)
        for name, code in CGI.items():
            p = os.path.join(self.cgi, name)
            self._put(p, ("#!%s\n" % sys.executable + code.lstrip()).encode())
            os.chmod(p, 0o755)

    @staticmethod
    def _put(path, data):
        """Write data to path unless it already holds exactly that."""
        try:
            if os.path.getsize(path) == len(data):
                with open(path, "rb") as f:
                    if f.read() == data:
                        return
        except OSError:
            pass
        with open(path, "wb") as f:
            f.write(data)

    def clear_uploads(self):
        """Empty the upload area, for a stage that starts from nothing."""
        for name in os.listdir(self.uploads):
            p = os.path.join(self.uploads, name)
            if os.path.isdir(p) and not os.path.islink(p):
                for sub, dirs, files in os.walk(p, topdown=False):
                    for f in files:
                        os.unlink(os.path.join(sub, f))
                    for d in dirs:
                        os.rmdir(os.path.join(sub, d))
                os.rmdir(p)
            else:
                os.unlink(p)

    def uploaded(self):
        """Names in the upload area (temp files included)."""
        return sorted(os.listdir(self.uploads))

    def intact(self, name):
        """True if ROOT/name still holds what the grader put there."""
        try:
            with open(self.path(name), "rb") as f:
                return f.read() == self.content[name]
        except OSError:
            return False
