"""program.py - the server under test: start it as the convention says,
tell whether it still runs and how it ended, read its stderr, and count
its descriptors, memory and child processes from /proc."""

import os
import signal
import socket
import subprocess
import time

from wire import Deadline

MAXBODY = 1048576
CGITIMEOUT = 5


def free_port():
    """A port nothing listens on now (bound, never connected: no TIME_WAIT)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def signal_name(n):
    try:
        return signal.Signals(n).name
    except ValueError:
        return "signal %d" % n


def describe_status(code):
    """An exit status in words, with the shell's number for a signal."""
    if code is None:
        return "still running"
    if code < 0:
        return "killed by %s (%d)" % (signal_name(-code), 128 - code)
    if code > 128 and code - 128 < 65:
        return ("exited with status %d (128 + %s: a shell reporting that"
                " its child was killed by %s)"
                % (code, signal_name(code - 128), signal_name(code - 128)))
    return "exited with status %d" % code


class Program:
    """PROGRAM ARGS... PORT ROOT, or with --config, PROGRAM ARGS... CONFIG."""

    def __init__(self, argv, site, workdir, cwd, template=None):
        self.argv = argv
        self.site = site
        self.workdir = workdir
        self.cwd = cwd
        self.template = template
        self.proc = None
        self.port = 0
        self.starts = 0
        self.err_path = os.path.join(workdir, "server.stderr")
        self.out_path = os.path.join(workdir, "server.stdout")
        self.err_mark = 0

    def values(self, port):
        return {"@PORT@": str(port), "@ROOT@": self.site.root,
                "@UPLOAD@": self.site.uploads, "@CGI@": self.site.cgi,
                "@MAXBODY@": str(MAXBODY), "@CGITIMEOUT@": str(CGITIMEOUT),
                "@CONFIG@": os.path.join(self.workdir, "server.conf")}

    def command(self, port):
        """The command line for this port, placeholders replaced."""
        vals = self.values(port)
        words = []
        for w in self.argv:
            for k, v in vals.items():
                w = w.replace(k, v)
            words.append(w)
        placed = any("@PORT@" in w or "@CONFIG@" in w for w in self.argv[1:])
        if self.template is not None:
            with open(self.template) as f:
                text = f.read()
            for k, v in vals.items():
                text = text.replace(k, v)
            with open(vals["@CONFIG@"], "w") as f:
                f.write(text)
            return words if placed else words + [vals["@CONFIG@"]]
        return words if placed else words + [str(port), self.site.root]

    def shape(self):
        """How it is run, in words, for the report's first lines."""
        tail = "CONFIG" if self.template else "PORT ROOT"
        placed = any("@PORT@" in w or "@CONFIG@" in w for w in self.argv[1:])
        return " ".join(self.argv) + ("" if placed else " " + tail)

    def start(self):
        """Start it on a fresh port (stderr and stdout appended to files)."""
        self.stop()
        self.port = free_port()
        self.starts += 1
        err = open(self.err_path, "ab")
        out = open(self.out_path, "ab")
        err.write(b"--- start %d on port %d\n" % (self.starts, self.port))
        err.flush()
        try:
            self.proc = subprocess.Popen(
                self.command(self.port), cwd=self.cwd, stdin=subprocess.DEVNULL,
                stdout=out, stderr=err, start_new_session=True)
        finally:
            err.close()
            out.close()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def status(self):
        return describe_status(None if self.proc is None else self.proc.poll())

    def wait_listening(self, seconds):
        """Poll until 127.0.0.1:port accepts; None, or why it did not."""
        limit = Deadline(seconds)
        while not limit.passed():
            if not self.alive():
                return ("it %s before listening on 127.0.0.1:%d"
                        % (self.status(), self.port))
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                return None
            except OSError:
                time.sleep(0.05)
        why = "nothing listens on 127.0.0.1:%d after %d s" % (self.port, seconds)
        try:
            socket.create_connection(("::1", self.port), 1).close()
            why += (" - it listens on [::1] only: bind 0.0.0.0 (or a"
                    " dual-stack [::] with IPV6_V6ONLY off) so that"
                    " 127.0.0.1 reaches it (lessons/03-bind.md)")
        except OSError:
            why += (" (it must take the port as the argument before ROOT"
                    " and listen on 127.0.0.1 or on all addresses)")
        return why

    def stop(self):
        """SIGTERM to its process group, then SIGKILL after 2 s."""
        if self.proc is None:
            return
        for sig, wait in ((signal.SIGTERM, 2), (signal.SIGKILL, 2)):
            try:
                os.killpg(self.proc.pid, sig)
            except OSError:
                pass
            try:
                self.proc.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # what it left behind
        except OSError:
            pass
        self.proc = None

    def mark(self):
        """Remember where stderr ends now (see stderr_since)."""
        try:
            self.err_mark = os.path.getsize(self.err_path)
        except OSError:
            self.err_mark = 0

    def stderr_since(self, lines=5):
        """(the last lines written since mark(), or the last lines overall,
        and which of the two they are)."""
        try:
            with open(self.err_path, "rb") as f:
                data = f.read()
        except OSError:
            return [], "new"
        which = "new"
        recent = data[self.err_mark:]
        if not recent.strip():
            recent, which = data, "old"
        text = [ln for ln in recent.decode("utf-8", "replace").splitlines()
                if ln.strip() and not ln.startswith("--- start ")]
        return [ln[:200] for ln in text[-lines:]], which

    def processes(self):
        """(pid, state, fds, rss KiB) of every process of its session."""
        if not self.alive():
            return []
        sid = self.proc.pid
        found = []
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % name) as f:
                    stat = f.read()
                fields = stat[stat.rindex(")") + 2:].split()
                if int(fields[3]) != sid:   # field 6: the session id
                    continue
                state = fields[0]
                fds = len(os.listdir("/proc/%s/fd" % name)) if state != "Z" else 0
                rss = 0
                with open("/proc/%s/status" % name) as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            rss = int(line.split()[1])
                found.append((int(name), state, fds, rss))
            except (OSError, ValueError, IndexError):
                continue
        return found
