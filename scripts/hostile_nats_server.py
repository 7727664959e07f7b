#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""hostile_nats_server.py - a NATS "server" that misbehaves (tests only).

    hostile_nats_server.py --port P [--modes m1,m2,...] [--duration S]

Listens on 127.0.0.1:P (loopback only); each client connection gets the
next mode of the list, cycling, until --duration seconds have passed
(default 30; hard bound).  One line per connection goes to stdout.

Modes (NATS client protocol: INFO, CONNECT, PING/PONG, SUB, MSG):
  no-info        accept, read what the client sends, never say anything
  oversized-msg  a normal INFO, PONG to every PING, then MSG lines whose
                 declared payload is 2 000 000 000 bytes and 1 MiB, each
                 followed by 64 KiB of junk, then a valid PING
  long-line      an INFO line of 1 MiB with no CRLF
  garbage        64 KiB of random bytes instead of INFO
  err            a normal INFO, then -ERR 'Authorization Violation' and close
Python 3 standard library only.
"""
import os
import socket
import sys
import time

import hostile_peer

MODES = ["no-info", "oversized-msg", "long-line", "garbage", "err"]
INFO = (b'INFO {"server_id":"hostile","version":"2.9.10","proto":1,'
        b'"headers":true,"max_payload":1048576}\r\n')


def drain(c, seconds, pong=False):
    """Read for up to seconds; answer PING with PONG when asked."""
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        c.settimeout(max(0.05, end - time.monotonic()))
        try:
            d = c.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            break
        if not d:
            break
        n += len(d)
        if pong and b"PING" in d:
            c.sendall(b"PONG\r\n")
    return n


def serve(c, mode, hold):
    if mode == "no-info":
        return "silent; client sent %d bytes" % drain(c, hold)
    if mode == "garbage":
        c.sendall(os.urandom(65536))
        return "64 KiB garbage; client sent %d bytes" % drain(c, 2)
    if mode == "long-line":
        c.sendall(b"INFO {" + b"x" * (1 << 20))
        return "1 MiB INFO line; client sent %d bytes" % drain(c, 2)
    c.sendall(INFO)
    if mode == "err":
        drain(c, 0.3)
        c.sendall(b"-ERR 'Authorization Violation'\r\n")
        return "-ERR sent, closed"
    n = drain(c, 0.5, pong=True)
    for size in (2000000000, 1 << 20):
        c.sendall(b"MSG cvmmap.hostile.status 1 %d\r\n" % size + os.urandom(65536))
    c.sendall(b"\r\nPING\r\n")
    n += drain(c, hold, pong=True)
    return "oversized MSG lines sent; client sent %d bytes" % n


def main():
    def hold_arg(ap):
        ap.add_argument("--hold", type=float, default=5.0,
                        help="seconds a silent/oversized connection is kept")

    return hostile_peer.run(
        "hostile_nats_server", __doc__.split("\n")[0], MODES,
        lambda c, mode, a, end: serve(c, mode, min(a.hold, max(0.1, end - time.monotonic()))),
        hold_arg)


if __name__ == "__main__":
    sys.exit(main())
