"""stage_load.py - stage 10: availability under load, and what the server
holds afterwards (descriptors and memory from /proc, child processes)."""

import time

from checks import Failed, Stage
from load import siege

s10 = Stage(10, "availability", "availability")

LOAD = {"clients": 50, "seconds": 20}


def measure(t):
    """Descriptors, RSS (KiB), processes and zombies of the server now."""
    procs = t.program.processes()
    return {"fds": sum(p[2] for p in procs), "rss": sum(p[3] for p in procs),
            "procs": len(procs),
            "zombies": [p[0] for p in procs if p[1] == "Z"]}


def _settle(t, ok, seconds):
    """Poll measure() until ok(it) holds or seconds pass; the last one."""
    limit = time.monotonic() + seconds
    while True:
        now = measure(t)
        if ok(now) or time.monotonic() >= limit:
            return now
        time.sleep(0.1)


@s10.requirement("10.1", "N clients for S seconds of mixed GETs: 99.5% answered right", budget=40)
def availability(t):
    n, s = LOAD["clients"], LOAD["seconds"]
    content = t.site.content
    siege(t.port, n, min(2.0, s / 4), content)      # warm up: caches, pools
    time.sleep(0.5)
    before = _settle(t, lambda m: not m["zombies"], 2)
    # Two halves, measured between them: memory that keeps growing in the
    # second half is a leak; what the first half added may be caches.
    stats = siege(t.port, n, s / 2, content)
    mid = measure(t)
    stats.add(siege(t.port, n, s / 2, content))
    t.run.load = {"before": before, "mid": mid, "stats": stats}
    t.note("%d transactions in %d s by %d clients, %.2f%% answered right,"
           " %.0f per second, the longest %.2f s" % (
               stats.transactions, s, n, stats.availability(),
               stats.transactions / s, stats.longest))
    t.note("before: %d descriptors, %d KiB resident, %d process(es)"
           % (before["fds"], before["rss"], before["procs"]))
    if not t.program.alive():
        raise Failed("the server died under load: " + t.program.status())
    if stats.transactions == 0 or stats.availability() < 99.5:
        worst = ", ".join("%d x %s" % (c, w) for w, c in
                          stats.failures.most_common(4))
        raise Failed("availability %.2f%% (%d of %d transactions), below"
                     " 99.5%%; failures: %s" % (stats.availability(),
                                                stats.ok, stats.transactions,
                                                worst or "none"),
                     hint="every response must be whole and right; look at"
                     " the failures above and at stage 5")


def _measured(t):
    load = getattr(t.run, "load", None)
    if not load or not t.program.alive():
        raise Failed("not measured: the load of 10.1 did not run to its end"
                     " (see 10.1)")
    return load["before"]


@s10.requirement("10.2", "descriptors back to their starting level", budget=8)
def descriptors(t):
    before = _measured(t)
    after = _settle(t, lambda m: m["fds"] <= before["fds"] + 2, 3)
    t.note("after: %d descriptors (before: %d)" % (after["fds"], before["fds"]))
    if after["fds"] > before["fds"] + 2:
        raise Failed("the server holds %d descriptors 3 s after the load,"
                     " %d before it (counted in /proc/PID/fd): %d leaked"
                     % (after["fds"], before["fds"], after["fds"] - before["fds"]),
                     hint="close() every socket and file on every path,"
                     " errors included")


@s10.requirement("10.3", "memory (RSS) stops growing: the second half of the load adds none", budget=6)
def memory(t):
    before = _measured(t)
    mid = t.run.load["mid"]
    room = max(4096, mid["rss"] // 10)
    after = _settle(t, lambda m: m["rss"] <= mid["rss"] + room, 2)
    t.note("resident: %d KiB before, %d KiB half-way, %d KiB after"
           " (allowed after: half-way + %d KiB)"
           % (before["rss"], mid["rss"], after["rss"], room))
    if after["rss"] > mid["rss"] + room:
        stats = t.run.load["stats"]
        per = (after["rss"] - before["rss"]) * 1024 // max(stats.transactions, 1)
        raise Failed("the server's resident memory (VmRSS in"
                     " /proc/PID/status) grew from %d KiB to %d KiB half-way"
                     " and to %d KiB at the end, about %d bytes per request,"
                     " and stayed there" % (before["rss"], mid["rss"],
                                            after["rss"], per),
                     hint="free what each request allocates; run it under"
                     " valgrind --leak-check=full to see where")


@s10.requirement("10.4", "no zombie children", budget=5)
def zombies(t):
    _measured(t)
    after = _settle(t, lambda m: not m["zombies"], 2)
    t.note("after: %d process(es)" % after["procs"])
    if after["zombies"]:
        raise Failed("%d child processes are zombies (state Z in"
                     " /proc/PID/stat): they exited and nobody waited for"
                     " them (pids %s...)" % (len(after["zombies"]),
                                            " ".join(map(str, after["zombies"][:5]))),
                     hint="waitpid(-1, &status, WNOHANG) in a loop when"
                     " SIGCHLD arrives (or ignore SIGCHLD)")
