"""stages.py - the ten stages of the track, in order."""

import signal

import stage_load
from stages_static import s1, s2, s3
from stages_conn import s4, s5
from stages_body import s6, s7
from stage_cgi import s8
from stage_robust import s9
from stage_load import s10

ALL = [s1, s2, s3, s4, s5, s6, s7, s8, s9, s10]


def configure(opt):
    """Options that change what a stage does (stage 10's load)."""
    stage_load.LOAD["clients"] = opt["clients"]
    stage_load.LOAD["seconds"] = opt["seconds"]
    s10.requirements[0].budget = opt["seconds"] + 30
    s10.requirements[0].title = ("%d clients for %d s of mixed GETs: 99.5%%"
                                 " answered right" % (opt["clients"],
                                                      opt["seconds"]))


def death_hint(code):
    """Advice for a server that died of code (a Popen returncode)."""
    if code == -signal.SIGPIPE or code == 128 + signal.SIGPIPE:
        return ("a send() to a connection the client has closed raises"
                " SIGPIPE, whose default action kills the process: ignore"
                " it (signal(SIGPIPE, SIG_IGN)) or send with MSG_NOSIGNAL,"
                " and let EPIPE end that one connection (lessons/07-send.md)")
    if code in (-signal.SIGSEGV, -signal.SIGBUS, -signal.SIGABRT):
        return ("a crash: run it under valgrind or build it with"
                " -fsanitize=address,undefined to see where")
    return ("a server ends one connection on an error, never itself"
            " (lessons/09-close.md)")
