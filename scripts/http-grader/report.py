"""report.py - what the grader prints: PASS/FAIL lines, the block that
explains a FAIL at the byte and TCP level, and TAP or JUnit for a CI."""

import os
import xml.sax.saxutils as sax

from checks import LESSON
from request import escape, printf_command

WIDTH = 72      # escaped characters shown around the first difference


class Result:
    def __init__(self, stage, req, ok, seconds, lines):
        self.stage = stage
        self.req = req
        self.ok = ok
        self.seconds = seconds
        self.lines = lines          # the explanation of a FAIL


def window(data, start, end):
    """data[start:end] escaped, with ... where it was cut."""
    text = escape(data[start:end])
    return ("..." if start > 0 else "") + text + ("..." if end < len(data) else "")


def caret_lines(got, expected, at):
    """expected / received lines around byte at, and a caret under it."""
    start = max(0, at - WIDTH // 2)
    lead = 3 if start > 0 else 0
    col = lead + len(escape(got[start:at]))
    return ["expected  " + window(expected, start, min(len(expected), at + WIDTH // 2)),
            "received  " + window(got, start, min(len(got), at + WIDTH // 2)),
            "          " + " " * col + "^ byte %d" % at]


def _cut(data, width, from_end=False):
    """As many bytes of data as escape to at most width characters."""
    out, n = [], 0
    for b in (reversed(data) if from_end else data):
        e = escape(bytes([b]))
        if n + len(e) > width:
            break
        out.append(e)
        n += len(e)
    return "".join(reversed(out) if from_end else out)


def trimmed(data, head=240, tail=60):
    """data escaped, its middle cut out when the whole would be long."""
    text = escape(data)
    if len(text) <= head + tail + 20:
        return text
    return "%s ...(%d bytes in all)... %s" % (_cut(data, head), len(data),
                                              _cut(data, tail, True))


def explain(failure, program, stage, tcp_client):
    """The lines under a FAIL: why, bytes, connection, server, try, read."""
    lines = ["why       " + failure.why]
    conn = failure.conn
    if conn is not None:
        got = bytes(conn.got)
        lines.append("sent      " + (trimmed(bytes(conn.sent)) or "(nothing)"))
        if failure.expected is not None and failure.at is not None:
            lines += caret_lines(got, failure.expected, failure.at)
        else:
            lines.append("received  " + (trimmed(got) or "(nothing)"))
        lines.append("ended     " + (conn.ended or conn.watch_end(1.0)))
    if failure.stored is not None:
        got, want = failure.stored
        n = next((i for i in range(min(len(got), len(want)))
                  if got[i] != want[i]), min(len(got), len(want)))
        lines += [ln.replace("received", "on disk ")
                  for ln in caret_lines(got, want, n)]
    lines.append("server    " + program.status())
    err, which = program.stderr_since()
    if err:
        lines.append("stderr    (%s)" % ("its last lines, during this"
                                         " requirement" if which == "new"
                                         else "nothing new; its last lines"))
        lines += ["          | " + e for e in err]
    if failure.hint:
        lines.append("hint      " + failure.hint)
    if conn is not None and conn.requests:
        lines.append("try       " + try_command(conn.requests, program.port,
                                                tcp_client))
        lines.append("          (with your server running on port %d:"
                     " %s; --keep keeps that ROOT)"
                     % (program.port, " ".join(program.command(program.port))))
    lines.append('read      %s, "Stage %d: %s"' % (LESSON, stage.number,
                                                    stage.section))
    return lines


def try_command(requests, port, tcp_client):
    """The command that repeats what the connection sent."""
    if len(requests) == 1:
        return requests[0].curl(port, tcp_client)
    if all(r.raw is None and r.method == "GET" and not r.body for r in requests):
        return ("curl -si --path-as-is %s   (curl sends them on one"
                " connection; -v says \"Re-using existing connection\")"
                % " ".join("http://127.0.0.1:%d%s" % (port, r.target)
                           for r in requests))
    data = b"".join(r.bytes(port) for r in requests)
    return printf_command(data, port, tcp_client)


class Human:
    """The report a learner reads."""

    def __init__(self, out):
        self.out = out

    def begin(self, shape, stages, budget):
        print("check-exercise: http-server (%s)" % LESSON, file=self.out)
        print("check-exercise: running: %s" % shape, file=self.out)
        print("check-exercise: stages %s; time budget: at most %d s (every"
              " wait is bounded)" % (stages, budget), file=self.out)

    def stage(self, stage):
        print("\nstage %d: %s  (budget %d s; %s, \"Stage %d: %s\")"
              % (stage.number, stage.name, stage.budget(), LESSON,
                 stage.number, stage.section), file=self.out)
        self.out.flush()

    def result(self, r):
        print("  %s  %s %s" % ("PASS" if r.ok else "FAIL", r.req.id,
                               r.req.title), file=self.out)
        for line in r.lines:
            print("        " + line, file=self.out)
        self.out.flush()

    def stopped(self, stage):
        print("\ncheck-exercise: no requirement of stage %d passed, so the"
              " later stages would only fail the same way: not run (--only"
              " runs the stages you name whatever happens)" % stage.number,
              file=self.out)

    def end(self, results, seconds):
        failed = [r for r in results if not r.ok]
        print(file=self.out)
        if not results:
            print("http-server: no requirement was run", file=self.out)
        elif not failed:
            print("http-server: PASS - all %d requirements met (%.1f s)"
                  % (len(results), seconds), file=self.out)
        else:
            first = failed[0].stage
            print("http-server: FAIL - %d of %d requirements not met (%.1f s);"
                  " first failing stage: %d (%s) - fix it first, the later"
                  " stages build on it" % (len(failed), len(results), seconds,
                                          first.number, first.name),
                  file=self.out)


class Tap(Human):
    """TAP version 13 on stdout, the explanations as comments."""

    def begin(self, shape, stages, budget):
        print("TAP version 13", file=self.out)
        print("# http-server: %s (stages %s, at most %d s)" % (shape, stages,
                                                               budget),
              file=self.out)
        self.n = 0

    def stage(self, stage):
        print("# stage %d: %s" % (stage.number, stage.name), file=self.out)

    def stopped(self, stage):
        print("# no requirement of stage %d passed: the later stages were"
              " not run" % stage.number, file=self.out)

    def result(self, r):
        self.n += 1
        print("%s %d - %s %s" % ("ok" if r.ok else "not ok", self.n,
                                 r.req.id, r.req.title), file=self.out)
        for line in r.lines:
            print("#   " + line, file=self.out)
        self.out.flush()

    def end(self, results, seconds):
        print("1..%d" % len(results), file=self.out)
        failed = sum(1 for r in results if not r.ok)
        print("# %d passed, %d failed (%.1f s)" % (len(results) - failed,
                                                    failed, seconds),
              file=self.out)


def write_junit(path, results, seconds):
    """One testsuite per stage, one testcase per requirement."""
    stages = []
    for r in results:
        if not stages or stages[-1][0] is not r.stage:
            stages.append((r.stage, []))
        stages[-1][1].append(r)
    q = sax.quoteattr
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<testsuites name="http-server" tests="%d" failures="%d" time="%.3f">'
           % (len(results), sum(1 for r in results if not r.ok), seconds)]
    for stage, rs in stages:
        out.append('  <testsuite name=%s tests="%d" failures="%d" time="%.3f">'
                   % (q("stage %d: %s" % (stage.number, stage.name)), len(rs),
                      sum(1 for r in rs if not r.ok),
                      sum(r.seconds for r in rs)))
        for r in rs:
            case = ('    <testcase classname=%s name=%s time="%.3f"'
                    % (q("stage%d" % stage.number), q(r.req.id + " " + r.req.title),
                       r.seconds))
            if r.ok:
                out.append(case + "/>")
                continue
            out.append(case + ">")
            out.append('      <failure message=%s>%s</failure>'
                       % (q(r.lines[0][10:] if r.lines else "failed"),
                          sax.escape("\n".join(r.lines))))
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(out) + "\n")
    os.replace(tmp, path)
