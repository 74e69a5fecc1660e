#!/usr/bin/env python3
"""grade.py - the web-server track's grader (lessons/14-build-a-web-server.md).

usage: check-exercise http-server [--stage N|all] [--only LIST] [--config TEMPLATE]
                                  [--tap] [--junit FILE] [--clients N] [--seconds S]
                                  [--keep] PROGRAM [ARGS...]

Runs PROGRAM ARGS... PORT ROOT (a free port, and a directory the grader
fills with test files) and checks it stage by stage; prints PASS or FAIL
per requirement, and for a FAIL the bytes sent and received, a caret at
the first byte that differs, how the connection ended, the server's exit
status and last stderr lines, a command to try, and the lesson section.
  --stage N      stages 1 to N (default: all, 1 to 10)
  --only LIST    only these stages, e.g. 3 or 1-5,9,10
  --config FILE  write FILE with @PORT@ @ROOT@ @UPLOAD@ @CGI@ @MAXBODY@
                 @CGITIMEOUT@ replaced, and run PROGRAM ARGS... CONFIG
                 (placeholders work in ARGS too; with @PORT@ or @CONFIG@
                 in ARGS nothing is appended)
  --tap          TAP version 13 on stdout instead of the report
  --junit FILE   also write JUnit XML to FILE
  --clients N, --seconds S   stage 10's load (default 50 clients, 20 s)
  --keep         keep the temporary directory (ROOT, the server's output)
Exit status: 0 every requirement met, 1 one was not, 64 usage error.
"""

import os
import shutil
import signal
import sys
import tempfile
import time

sys.dont_write_bytecode = True

from checks import Failed, Test                      # noqa: E402
from docroot import Site                             # noqa: E402
from program import Program                          # noqa: E402
from report import Human, Result, Tap, explain, write_junit  # noqa: E402
from wire import Deadline                            # noqa: E402
import stages                                        # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


class Overrun(Exception):
    pass


def usage(why=None):
    if why:
        print("check-exercise: %s" % why, file=sys.stderr)
    text = __doc__.split("\n\n", 1)[1].split("Exit status")[0]
    print(text.rstrip(), file=sys.stderr)
    sys.exit(64)


def stage_list(text):
    """'1-5,9,10' -> [1, 2, 3, 4, 5, 9, 10]."""
    out = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        if not lo.isdigit() or (hi and not hi.isdigit()):
            usage("bad stage list '%s': numbers and ranges, e.g. 1-5,9" % text)
        for n in range(int(lo), int(hi or lo) + 1):
            if not 1 <= n <= len(stages.ALL):
                usage("no stage %d (there are %d)" % (n, len(stages.ALL)))
            if n not in out:
                out.append(n)
    return sorted(out)


def parse(argv):
    opt = {"stages": list(range(1, len(stages.ALL) + 1)), "only": False,
           "config": None,
           "tap": False, "junit": None, "clients": 50, "seconds": 20,
           "keep": False}
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        a = argv[i]
        value = argv[i + 1] if i + 1 < len(argv) else None
        if a in ("-h", "--help"):
            usage()
        elif a in ("--tap", "--keep"):
            opt[a[2:]] = True
            i += 1
            continue
        elif value is None:
            usage("%s needs a value" % a)
        elif a == "--stage":
            opt["stages"] = stage_list("1-%s" % value if value != "all"
                                       else "1-%d" % len(stages.ALL))
        elif a == "--only":
            opt["stages"] = stage_list(value)
            opt["only"] = True
        elif a in ("--config", "--junit"):
            opt[a[2:]] = value
        elif a in ("--clients", "--seconds"):
            if not value.isdigit() or not 1 <= int(value) <= 10000:
                usage("bad %s '%s': a whole number from 1 to 10000" % (a, value))
            opt[a[2:]] = int(value)
        else:
            usage("unknown option '%s'" % a)
        i += 2
    if i >= len(argv):
        usage("no PROGRAM to grade")
    opt["argv"] = argv[i:]
    prog = opt["argv"][0]
    if "/" in prog and not os.path.exists(prog) or \
            "/" not in prog and not shutil.which(prog):
        usage("no program '%s' (give a path, e.g. ./my-server, or a command"
              " on PATH)" % prog)
    if opt["config"] and not os.path.isfile(opt["config"]):
        usage("no config template '%s'" % opt["config"])
    return opt


class Run:
    """One grading run: the program, its ROOT, and the options."""

    def __init__(self, opt, workdir):
        self.opt = opt
        self.site = Site(workdir)
        config = os.path.abspath(opt["config"]) if opt["config"] else None
        self.program = Program(opt["argv"], self.site, workdir, os.getcwd(),
                               config)
        self.start_why = None
        self.load = None
        build = os.environ.get("SOCKLAB_BUILD") or os.path.join(REPO, "build")
        tc = os.path.join(build, "tcp-client")
        rel = os.path.relpath(tc)
        self.tcp_client = rel if not rel.startswith("../..") else tc

    def start(self):
        """(Re)start the server; start_why says why it is not listening."""
        self.program.start()
        self.start_why = self.program.wait_listening(10)


def on_alarm(signum, frame):
    raise Overrun()


def on_term(signum, frame):
    """Stopped (SIGTERM, SIGHUP): leave through main's finally, which
    stops the server too."""
    raise SystemExit(128 + signum)


def run_one(run, stage, req):
    """Run one requirement within its budget; its Result."""
    program = run.program
    note = None
    if not program.alive():
        if program.proc is not None:
            note = "the server had died before this requirement (%s):" \
                   " started again" % program.status()
        run.start()
    program.mark()
    t = Test(run, Deadline(req.budget))
    t0 = time.monotonic()
    failure = None
    signal.setitimer(signal.ITIMER_REAL, req.budget + 3)
    try:
        if run.start_why and req.id != "1.1":
            raise Failed("the server is not running: " + run.start_why)
        req.func(t)
    except Failed as f:
        failure = f
    except Overrun:
        failure = Failed("this requirement took longer than its budget of"
                         " %d s" % req.budget)
    except OSError as e:
        failure = Failed("%s (%s)" % (e, type(e).__name__))
    except Exception as e:          # a bug of the grader: say so, go on
        failure = Failed("the grader itself failed here: %r; please report"
                         " it" % e)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    time.sleep(0.02)
    if program.proc is not None and not program.alive():
        died = Failed("the server died during this requirement: %s"
                      % program.status(), failure and failure.conn,
                      hint=stages.death_hint(program.proc.returncode))
        if failure is not None:
            died.why += "; then: " + failure.why
        failure = died
    lines = list(t.notes)
    if failure:
        lines = explain(failure, program, stage, run.tcp_client) + lines
    if note:
        lines.insert(0, note)
    t.close_all()
    return Result(stage, req, failure is None, time.monotonic() - t0, lines)


def main(argv):
    opt = parse(argv)
    stages.configure(opt)
    out = Tap(sys.stdout) if opt["tap"] else Human(sys.stdout)
    chosen = [stages.ALL[n - 1] for n in opt["stages"]]
    budget = sum(s.budget() + 10 for s in chosen)
    workdir = tempfile.mkdtemp(prefix="http-grader.")
    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)
    run = Run(opt, workdir)
    results = []
    t0 = time.monotonic()
    out.begin(run.program.shape(), ",".join(map(str, opt["stages"])), budget)
    try:
        for stage in chosen:
            out.stage(stage)
            run.site.build()
            run.site.clear_uploads()
            run.start()
            passed = 0
            for req in stage.requirements:
                r = run_one(run, stage, req)
                results.append(r)
                out.result(r)
                passed += r.ok and req.id != "1.1"
            run.program.stop()
            if not passed and not opt["only"] and stage is not chosen[-1]:
                out.stopped(stage)
                break
    finally:
        run.program.stop()
        if opt["keep"]:
            print("check-exercise: kept %s" % workdir, file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    seconds = time.monotonic() - t0
    out.end(results, seconds)
    if opt["junit"]:
        write_junit(opt["junit"], results, seconds)
    return 0 if results and all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
