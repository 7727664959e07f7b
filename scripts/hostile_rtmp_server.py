#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""hostile_rtmp_server.py - an RTMP "server" that misbehaves (tests only).

    hostile_rtmp_server.py --port P [--modes m1,m2,...] [--duration S]

Listens on 127.0.0.1:P (loopback only) and answers each publisher
connection with the next mode of the list, cycling, until --duration
seconds have passed (default 30; hard bound, then it exits 0).  One line
per connection goes to stdout: "conn N mode M: what happened".

Modes (byte layouts: docs/protocols.md §1.2 handshake, 1.3 chunk headers,
1.4 protocol control messages, 1.5 AMF0 commands):
  handshake-close  read C0+C1, send S0 and half of S1, close
  garbage          send 8 KiB of random bytes at once (S0 is not 3), keep
                   reading for 2 s, close
  garbage-chunks   a correct handshake, then 16 KiB of random chunk bytes
  chunk-size       a correct handshake, then Set Chunk Size 0x7FFFFFFF and
                   0, then a message chunked at the huge size
  huge-msg         a correct handshake, then a command message whose header
                   declares 0xFFFFFF bytes; 256 KiB of it are sent
  amf-string       a correct handshake, then _result(1) whose argument is
                   an AMF0 long string declaring 0xFFFFFFF0 bytes (the
                   message itself is 3 KiB), then one with a 60 KiB string
                   spread over 128-byte chunks
  silent           accept, read everything, never answer (the client's
                   phase timeout must fire); closed after 15 s at most
Python 3 standard library only.
"""
import os
import socket
import struct
import sys
import time

import hostile_peer

MODES = ["handshake-close", "garbage", "garbage-chunks", "chunk-size",
         "huge-msg", "amf-string", "silent"]


def recv_exact(c, n, deadline):
    b = b""
    while len(b) < n:
        c.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            d = c.recv(n - len(b))
        except socket.timeout:
            return None
        if not d:
            return None
        b += d
    return b


def handshake(c, deadline):
    """Server side of the simple handshake (docs/protocols.md §1.2): C0+C1 in,
    S0+S1+S2 out (S2 echoes C1), C2 in.  True when it completed."""
    c0c1 = recv_exact(c, 1537, deadline)
    if c0c1 is None or c0c1[0] != 3:
        return False
    s1 = struct.pack(">II", 0, 0) + os.urandom(1528)
    c.sendall(b"\x03" + s1 + c0c1[1:])
    return recv_exact(c, 1536, deadline) is not None


def chunk0(csid, ts, mtype, sid, payload, chunk_size=128, declared=None):
    """A message as a fmt-0 chunk then fmt-3 continuations (1.3)."""
    length = len(payload) if declared is None else declared
    hdr = bytes([csid & 0x3F]) + struct.pack(">I", ts)[1:] + \
        struct.pack(">I", length)[1:] + bytes([mtype]) + struct.pack("<I", sid)
    out = [hdr + payload[:chunk_size]]
    for i in range(chunk_size, len(payload), chunk_size):
        out.append(bytes([0xC0 | (csid & 0x3F)]) + payload[i:i + chunk_size])
    return b"".join(out)


def amf_str(s):
    b = s.encode()
    return b"\x02" + struct.pack(">H", len(b)) + b


def amf_num(v):
    return b"\x00" + struct.pack(">d", v)


def drain(c, seconds):
    """Read and drop what the client sends for up to seconds."""
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
    return n


def serve(c, mode):
    deadline = time.monotonic() + 5
    if mode == "handshake-close":
        if recv_exact(c, 1537, deadline) is None:
            return "client sent no C0+C1"
        c.sendall(b"\x03" + os.urandom(700))
        return "closed after S0 + 700 bytes of S1"
    if mode == "garbage":
        c.sendall(b"\x07" + os.urandom(8191))
        return "sent 8 KiB garbage, client then sent %d bytes" % drain(c, 2)
    if mode == "silent":
        n = drain(c, 15)
        return "said nothing; client sent %d bytes before closing" % n
    if not handshake(c, deadline):
        return "handshake failed"
    if mode == "garbage-chunks":
        c.sendall(os.urandom(16384))
        return "handshake, 16 KiB garbage chunks, client then sent %d bytes" % drain(c, 3)
    if mode == "chunk-size":
        c.sendall(chunk0(2, 0, 1, 0, struct.pack(">I", 0x7FFFFFFF)))
        c.sendall(chunk0(2, 0, 1, 0, struct.pack(">I", 0)))
        body = amf_str("_result") + amf_num(1) + b"\x05" + os.urandom(60000)
        c.sendall(chunk0(3, 0, 20, 0, body, chunk_size=len(body)))
        return "chunk size 0x7FFFFFFF then 0, client then sent %d bytes" % drain(c, 3)
    if mode == "huge-msg":
        body = amf_str("_result") + amf_num(1) + os.urandom(262144)
        c.sendall(chunk0(3, 0, 20, 0, body, declared=0xFFFFFF))
        return "declared 16 MiB message, client then sent %d bytes" % drain(c, 3)
    if mode == "amf-string":
        body = amf_str("_result") + amf_num(1) + b"\x05" + b"\x0c" + \
            struct.pack(">I", 0xFFFFFFF0) + os.urandom(3000)
        c.sendall(chunk0(3, 0, 20, 0, body))
        body = amf_str("_result") + amf_num(1) + b"\x05" + b"\x0c" + \
            struct.pack(">I", 61440) + b"A" * 61440
        c.sendall(chunk0(3, 0, 20, 0, body))
        return "AMF0 long strings (0xFFFFFFF0 declared, 60 KiB real), client then sent %d bytes" % drain(c, 3)
    return "unknown mode"


def main():
    return hostile_peer.run("hostile_rtmp_server", __doc__.split("\n")[0], MODES,
                            lambda c, mode, a, end: serve(c, mode))


if __name__ == "__main__":
    sys.exit(main())
