# SPDX-License-Identifier: GPL-2.0-or-later
"""hostile_peer.py - the accept loop shared by the hostile test servers.

run() parses --port/--modes/--duration (plus any extra arguments a server
adds), listens on 127.0.0.1 only, and hands each connection to
serve(conn, mode, args), cycling through the modes, until the duration is
over.  Each connection's outcome is printed as "conn N mode M: what".
"""
import argparse
import socket
import sys
import time


def run(name, doc, modes_all, serve, extra_args=None):
    ap = argparse.ArgumentParser(description=doc)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--modes", default=",".join(modes_all))
    ap.add_argument("--duration", type=float, default=30.0)
    if extra_args:
        extra_args(ap)
    a = ap.parse_args()
    modes = [m for m in a.modes.split(",") if m]
    for m in modes:
        if m not in modes_all:
            print("%s: unknown mode %s" % (name, m), file=sys.stderr)
            return 2
    end = time.monotonic() + a.duration
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", a.port))
    ls.listen(4)
    print("listening 127.0.0.1:%d modes %s" % (a.port, ",".join(modes)), flush=True)
    n = 0
    while time.monotonic() < end:
        ls.settimeout(max(0.05, end - time.monotonic()))
        try:
            c, _ = ls.accept()
        except socket.timeout:
            break
        mode = modes[n % len(modes)]
        n += 1
        try:
            what = serve(c, mode, a, end)
        except OSError as e:
            what = "client went away (%s)" % e.strerror
        finally:
            c.close()
        print("conn %d mode %s: %s" % (n, mode, what), flush=True)
    ls.close()
    print("done: %d connections" % n, flush=True)
    return 0
