#!/usr/bin/env python3
"""tests/wire-storm.py PORT COUNT RATE HOLD_MS PORTS_FILE

Open COUNT TCP connections to 127.0.0.1:PORT, RATE new ones per second,
each sending one byte, reading the echo, staying open HOLD_MS and then
closed by us first (so our side ends in TIME_WAIT). The local port of
every connection goes to PORTS_FILE, one per line. Prints the rate it
really reached. Used by tests/31-socket-watch.bats to check that
socket-watch states misses no connection at 1,000 a second.
"""
import selectors
import socket
import sys
import time


def main():
    port, count, rate, hold_ms, ports_file = sys.argv[1:6]
    port, count, rate, hold = int(port), int(count), float(rate), int(hold_ms) / 1000
    sel = selectors.DefaultSelector()
    ports, closing = [], []  # closing: (deadline, socket)
    start = time.monotonic()
    opened = 0
    while opened < count or closing or sel.get_map():
        now = time.monotonic()
        # Open the connections that are due by now.
        while opened < count and start + opened / rate <= now:
            s = socket.create_connection(("127.0.0.1", port))
            ports.append(s.getsockname()[1])
            s.sendall(b"x")
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ)
            opened += 1
        # Echoes back: hold the connection, then close it.
        for key, _ in sel.select(timeout=0.001):
            sel.unregister(key.fileobj)
            key.fileobj.recv(16)
            closing.append((now + hold, key.fileobj))
        while closing and closing[0][0] <= now:
            closing.pop(0)[1].close()
    took = time.monotonic() - start
    with open(ports_file, "w") as f:
        f.write("".join("%d\n" % p for p in ports))
    print("%d connections in %.2f s: %.0f a second" % (count, took, count / took))


main()
