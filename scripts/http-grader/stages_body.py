"""stages_body.py - stages 6 and 7: request bodies stored in the upload
area (RFC 9110 sections 9.3.3, 9.3.4; RFC 9112 sections 6 and 7), and
DELETE (RFC 9110 section 9.3.5)."""

import os
import random
import time
import urllib.parse

from checks import Failed, Stage
from program import MAXBODY
from request import Request

s6 = Stage(6, "request bodies and uploads", "request bodies and uploads")
s7 = Stage(7, "DELETE", "DELETE")

PAYLOAD = random.Random(6).randbytes(256 * 1024 + 3)


def _stored(t, name):
    try:
        with open(os.path.join(t.site.uploads, name), "rb") as f:
            return f.read()
    except OSError:
        return None


def _check_stored(t, conn, name, want, how):
    got = _stored(t, name)
    if got is None:
        raise Failed("%s: answered, but ROOT/uploads/%s does not exist (the"
                     " upload area holds %s)" % (how, name,
                                                 t.site.uploaded() or "nothing"),
                     conn)
    if got != want:
        raise Failed("%s: ROOT/uploads/%s holds %d bytes, not the %d of the"
                     " body" % (how, name, len(got), len(want)), conn,
                     stored=(got, want),
                     hint="store the body's bytes as they are (binary), and"
                     " all of them")


def _upload(t, method, name, body, chunked=False):
    conn, resp = t.exchange(Request(method, "/uploads/" + name, body=body,
                                    chunked=chunked), timeout=8)
    return conn, resp


@s6.requirement("6.1", "POST with Content-Length: stored, 201 Created and a Location", budget=10)
def post_length(t):
    conn, resp = _upload(t, "POST", "post.bin", PAYLOAD)
    t.expect_status(conn, resp, 201, "a new resource was created (RFC 9110"
                    " section 15.3.2)")
    t.expect_header(conn, resp, "Location",
                    lambda v: urllib.parse.urlsplit(v).path.startswith("/uploads/"),
                    "/uploads/post.bin", "201 must say where the new"
                    " resource is, in Location (RFC 9110 section 10.2.2)")
    where = urllib.parse.urlsplit(resp.header("Location")).path
    _check_stored(t, conn, urllib.parse.unquote(where[len("/uploads/"):]),
                  PAYLOAD, "POST /uploads/post.bin")
    conn, resp = t.get(where)
    t.expect_status(conn, resp, 200, "GET of the Location")
    t.expect_body(conn, resp, PAYLOAD, "GET " + where)


@s6.requirement("6.2", "PUT with Transfer-Encoding: chunked: decoded, then stored", budget=10)
def put_chunked(t):
    conn, resp = _upload(t, "PUT", "chunked.bin", PAYLOAD, chunked=True)
    t.expect_status(conn, resp, (201, 200, 204), "PUT of a new file")
    _check_stored(t, conn, "chunked.bin", PAYLOAD,
                  "PUT /uploads/chunked.bin (chunked)")


def _too_big(t, chunked):
    """Send a 2 MiB body while watching for an early answer."""
    size = 2 * MAXBODY
    req = Request("POST", "/uploads/huge.bin", body=b"x" * size,
                  chunked=chunked)
    data = req.bytes(t.port)
    head = data.index(b"\r\n\r\n") + 4
    conn = t.connect()
    conn.requests.append(req)
    conn.send(data[:head])
    for i in range(head, len(data), 65536):
        if conn.silent_for(0.002) is False or not conn.send(data[i:i + 65536]):
            break
    conn.sent = bytearray(data[:head]) + b"...(%d body bytes)" % size
    resp = t.response(conn, timeout=5)
    t.expect_status(conn, resp, 413, "a body over the 1 MiB limit (RFC 9110"
                    " section 15.5.14)", hint="count the body's bytes while"
                    " reading it, and stop at the limit")
    return conn


@s6.requirement("6.3", "a body over 1 MiB: 413, and nothing stored", budget=16)
def over_limit(t):
    before = set(t.site.uploaded())
    for chunked in (False, True):
        conn = _too_big(t, chunked)
        new = _new_files(t, before)
        if new:
            raise Failed("after the 413 the upload area holds %s" % new, conn)


def _new_files(t, before, seconds=2):
    """Files in the upload area that were not in before, after up to
    seconds for them to go."""
    limit = time.monotonic() + seconds
    while time.monotonic() < limit:
        new = sorted(set(t.site.uploaded()) - before)
        if not new:
            return []
        time.sleep(0.05)
    return new


@s6.requirement("6.4", "a body that stops half-way leaves no partial file", budget=10)
def half_way(t):
    before = set(t.site.uploaded())
    for how in ("FIN", "RST"):
        conn = t.connect()
        req = Request("POST", "/uploads/partial.bin", body=PAYLOAD)
        data = req.bytes(t.port)
        conn.send(data[:len(data) // 2], req)
        time.sleep(0.3)
        if how == "FIN":
            conn.close()
        else:
            conn.rst()
        left = _new_files(t, before)
        if left:
            name = left[0]
            raise Failed("the client sent half of a %d-byte body and went away"
                         " (%s); 2 s later the upload area still holds %s"
                         " (%d bytes)" % (len(PAYLOAD), how, left,
                                          len(_stored(t, name) or b"")), conn,
                         hint="write to a temporary file and rename() it"
                         " into place only once the body is whole; remove"
                         " it when the connection ends first")


def _tree(root, skip):
    found = set()
    for d, dirs, files in os.walk(root):
        if os.path.abspath(d).startswith(skip):
            continue
        found.update(os.path.join(d, f) for f in files)
    return found


@s6.requirement("6.5", "nothing is written outside the upload area", budget=10)
def outside(t):
    before = _tree(t.site.root, t.site.uploads)
    script = os.path.join(t.site.cgi, "env.py")
    with open(script, "rb") as f:
        code = f.read()
    for target in ("/index.html", "/uploads/../index.html",
                   "/uploads/%2e%2e/index.html", "/uploads/..%2fhello.txt",
                   "/uploads/../cgi-bin/env.py", "/uploads/../../outside.txt"):
        conn, resp = t.exchange(Request("PUT", target, body=b"overwritten\n"))
        name = urllib.parse.unquote(target).split("/")[-1]
        changed = [n for n in ("index.html", "hello.txt") if not t.site.intact(n)]
        with open(script, "rb") as f:
            if f.read() != code:
                changed.append("cgi-bin/env.py")
        new = _tree(t.site.root, t.site.uploads) - before
        if resp.status < 400 or changed or new or \
                os.path.exists(os.path.join(t.site.top, "outside.txt")):
            raise Failed("PUT %s: status %d, %s" % (
                target, resp.status,
                "and ROOT/%s was changed" % changed[0] if changed else
                "and %s was written" % sorted(new)[0] if new else
                "answered as a success" if resp.status < 400 else
                "and %s was written next to ROOT" % name), conn,
                hint="resolve the path (decode %XX, remove . and ..) and"
                " check that it is inside the upload area before writing")


@s7.requirement("7.1", "DELETE of an uploaded file: 204, and it is gone")
def delete_file(t):
    path = os.path.join(t.site.uploads, "doomed.txt")
    with open(path, "wb") as f:
        f.write(b"delete me\n")
    conn, resp = t.exchange(Request("DELETE", "/uploads/doomed.txt"))
    t.expect_status(conn, resp, (204, 200), "the file existed (RFC 9110"
                    " section 9.3.5)")
    if os.path.exists(path):
        raise Failed("answered %d, but ROOT/uploads/doomed.txt still exists"
                     % resp.status, conn)
    conn, resp = t.get("/uploads/doomed.txt")
    t.expect_status(conn, resp, 404, "GET after the DELETE")


@s7.requirement("7.2", "DELETE of a missing file: 404")
def delete_missing(t):
    conn, resp = t.exchange(Request("DELETE", "/uploads/missing.txt"))
    t.expect_status(conn, resp, 404, "there is no ROOT/uploads/missing.txt")


@s7.requirement("7.3", "DELETE outside the upload area: 403, and nothing deleted")
def delete_outside(t):
    conn, resp = t.exchange(Request("DELETE", "/index.html"))
    if not t.site.intact("index.html"):
        raise Failed("DELETE /index.html deleted ROOT/index.html: only files"
                     " in the upload area may be deleted", conn)
    t.expect_status(conn, resp, (403, 405), "/index.html is outside the"
                    " upload area (RFC 9110 section 15.5.4)")
    for target in ("/uploads/../hello.txt", "/uploads/%2e%2e/hello.txt",
                   "/uploads/..%2fhello.txt"):
        conn, resp = t.exchange(Request("DELETE", target))
        if not t.site.intact("hello.txt"):
            raise Failed("DELETE %s deleted ROOT/hello.txt" % target, conn,
                         hint="resolve the path before checking where it is")
        if resp.status < 400:
            raise Failed("DELETE %s answered %d" % (target, resp.status), conn)
