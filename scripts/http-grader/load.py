"""load.py - the grader's load generator, a `siege -b` that checks bytes:
N clients send mixed GETs for S seconds without pause, some on keep-alive
connections and some one request per connection, and every response is
checked for its status and its exact body. Availability is the share of
transactions answered correctly (siege counts only socket failures)."""

import asyncio
import collections
import random
import time

# (target, file in ROOT or None, status, weight)
MIX = [
    ("/", "index.html", 200, 4), ("/hello.txt", "hello.txt", 200, 4),
    ("/style.css", "style.css", 200, 3), ("/logo.png", "logo.png", 200, 2),
    ("/sub/", "sub/index.html", 200, 2), ("/medium.bin", "medium.bin", 200, 2),
    ("/missing.txt", None, 404, 2), ("/data.bin", "data.bin", 200, 1),
]
TIMEOUT = 5


class Stats:
    def __init__(self):
        self.transactions = 0
        self.ok = 0
        self.failures = collections.Counter()
        self.longest = 0.0

    def done(self, ok, why, took):
        self.transactions += 1
        self.longest = max(self.longest, took)
        if ok:
            self.ok += 1
        else:
            self.failures[why] += 1

    def add(self, other):
        self.transactions += other.transactions
        self.ok += other.ok
        self.failures.update(other.failures)
        self.longest = max(self.longest, other.longest)

    def availability(self):
        return 100.0 * self.ok / self.transactions if self.transactions else 0.0


async def _head(reader):
    """Status and lower-cased header fields of the next response."""
    line = await reader.readline()
    if not line:
        raise ConnectionError("closed before the response")
    parts = line.split(b" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    fields = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            return status, fields
        name, _, value = line.partition(b":")
        fields[name.strip().lower()] = value.strip()


async def _body(reader, fields):
    if b"chunked" in fields.get(b"transfer-encoding", b"").lower():
        body = bytearray()
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass
                return bytes(body)
            body += await reader.readexactly(size)
            await reader.readline()
    if b"content-length" in fields:
        return await reader.readexactly(int(fields[b"content-length"]))
    return await reader.read()


async def _connection(port, rng, until, stats, content, weights):
    keep = rng.random() < 0.7
    n = rng.randint(2, 8) if keep else 1
    t0 = time.monotonic()
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", port, limit=1 << 21), TIMEOUT)
    except (OSError, asyncio.TimeoutError) as e:
        stats.done(False, "connect: %s" % (type(e).__name__), time.monotonic() - t0)
        await asyncio.sleep(0.05)
        return
    try:
        for k in range(n):
            target, name, status, _ = rng.choices(MIX, weights)[0]
            last = k == n - 1 or time.monotonic() >= until
            writer.write(b"GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n" % (
                target.encode(), b"Connection: close\r\n" if last else b""))
            t0 = time.monotonic()
            got, fields = await asyncio.wait_for(_head(reader), TIMEOUT)
            body = await asyncio.wait_for(_body(reader, fields), TIMEOUT)
            ok = got == status and (name is None or body == content[name])
            why = "" if ok else ("status %d for GET %s" % (got, target)
                                 if got != status else
                                 "wrong body for GET %s" % target)
            stats.done(ok, why, time.monotonic() - t0)
            if not ok or last:
                break
    except asyncio.TimeoutError:
        stats.done(False, "no whole response within %d s" % TIMEOUT,
                   time.monotonic() - t0)
    except (OSError, ValueError, asyncio.IncompleteReadError) as e:
        stats.done(False, "%s" % (type(e).__name__), time.monotonic() - t0)
    finally:
        writer.close()


async def _client(port, seed, until, stats, content):
    rng = random.Random(seed)
    weights = [m[3] for m in MIX]
    while time.monotonic() < until:
        await _connection(port, rng, until, stats, content, weights)


async def _run(port, clients, seconds, content):
    stats = Stats()
    until = time.monotonic() + seconds
    await asyncio.wait_for(asyncio.gather(*(
        _client(port, i, until, stats, content) for i in range(clients))),
        seconds + TIMEOUT + 10)
    return stats


def siege(port, clients, seconds, content):
    """Run the load; its Stats."""
    try:
        return asyncio.run(_run(port, clients, seconds, content))
    except asyncio.TimeoutError:
        stats = Stats()
        stats.done(False, "the load did not finish in time", 0)
        return stats
