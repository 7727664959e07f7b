#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""metrics_probe.py - scrape a streamer's /metrics and /healthz (tests).

    metrics_probe.py --port P [--interval S] [--duration S] [--out DIR]
    metrics_probe.py --port P --abuse

Scrape mode: every --interval seconds (default 0.1) GET /metrics and
/healthz on 127.0.0.1:P until the endpoint goes away after having
answered, or --duration seconds (default 90; hard bound).  Each page is
parsed as Prometheus text (name{labels} value; HELP/TYPE once, before
the family's samples); counters (_total, _count, _bucket, _sum) must
never go down.  The first and the last page go to DIR/first.prom and
DIR/last.prom.  Prints one JSON line: scrapes, errors, parse_errors,
regressions, healthz codes in order (runs collapsed), and the last
page's values of the frame counters.

Abuse mode: holds every connection slot with idle sockets, checks an
extra connection is closed at once, sends a 3 KiB request head (431),
and a request after the slots time out; prints one JSON line.
Python 3 standard library only.
"""
import argparse
import json
import os
import re
import socket
import sys
import time

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$')


def get(port, path, method="GET", timeout=2.0):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % (method, path)).encode())
        data = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/1.1 ") else 0
    return status, body.decode("utf-8", "replace")


def parse(text):
    """{'name{labels}': value}, or raises ValueError."""
    vals, seen, current = {}, set(), None
    for line in text.splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            fam = line.split(" ")[2]
            if line.startswith("# TYPE "):
                if fam in seen:
                    raise ValueError("family twice: " + fam)
                seen.add(fam)
                current = fam
            continue
        m = SAMPLE.match(line)
        if not m:
            raise ValueError("bad line: " + line)
        name = m.group(1)
        if current is None or not name.startswith(current):
            raise ValueError("sample outside its family: " + line)
        vals[name + (m.group(2) or "")] = float(m.group(3))
    return vals


def is_counter(key):
    name = key.split("{")[0]
    return name.endswith(("_total", "_count", "_bucket", "_sum"))


def scrape(a):
    res = {"scrapes": 0, "errors": 0, "parse_errors": 0, "regressions": 0, "healthz": []}
    prev, first, last, answered = None, None, None, False
    end = time.time() + a.duration
    while time.time() < end:
        t0 = time.time()
        try:
            st, body = get(a.port, "/metrics")
            hz, _ = get(a.port, "/healthz")
        except OSError:
            if answered:
                break
            time.sleep(a.interval)
            continue
        answered = True
        res["scrapes"] += 1
        if st != 200:
            res["errors"] += 1
        if not res["healthz"] or res["healthz"][-1] != hz:
            res["healthz"].append(hz)
        try:
            vals = parse(body)
        except ValueError as e:
            res["parse_errors"] += 1
            res.setdefault("first_parse_error", str(e))
            continue
        if prev:
            for k, v in vals.items():
                if is_counter(k) and k in prev and v < prev[k]:
                    res["regressions"] += 1
                    res.setdefault("first_regression", "%s %g -> %g" % (k, prev[k], v))
        prev = vals
        if first is None:
            first = body
        last = body
        time.sleep(max(0.0, a.interval - (time.time() - t0)))
    if a.out and first:
        with open(os.path.join(a.out, "first.prom"), "w") as f:
            f.write(first)
        with open(os.path.join(a.out, "last.prom"), "w") as f:
            f.write(last)
    if prev:
        p = "cvmmap_streamer_"
        res["announced"] = int(prev.get(p + "frames_announced_total", -1))
        res["out"] = int(prev.get(p + "frames_out_total", -1))
        # announced = out + dropped + pending (docs/metrics.md)
        res["dropped"] = int(sum(v for k, v in prev.items()
                                 if k.startswith(p + "frames_dropped_total{")) +
                             prev.get(p + "frames_pending", 0))
    print(json.dumps(res))
    return 0


def abuse(a):
    res = {}
    idle = [socket.create_connection(("127.0.0.1", a.port), timeout=2) for _ in range(4)]
    time.sleep(0.3)
    extra = socket.create_connection(("127.0.0.1", a.port), timeout=2)
    try:
        res["extra_closed"] = extra.recv(1) == b""
    except OSError:
        res["extra_closed"] = True
    extra.close()
    for s in idle:
        s.close()
    time.sleep(0.3)
    s = socket.create_connection(("127.0.0.1", a.port), timeout=2)
    s.sendall(b"GET /metrics HTTP/1.1\r\nX-Junk: " + b"a" * 3072 + b"\r\n\r\n")
    data = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    except OSError:
        pass
    s.close()
    res["oversized_status"] = int(data.split(b" ")[1]) if data.startswith(b"HTTP/1.1 ") else 0
    res["after_status"], _ = get(a.port, "/metrics")
    res["post_status"], _ = get(a.port, "/metrics", "POST")
    res["missing_status"], _ = get(a.port, "/missing")
    print(json.dumps(res))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--interval", type=float, default=0.1)
    ap.add_argument("--duration", type=float, default=90.0)
    ap.add_argument("--out")
    ap.add_argument("--abuse", action="store_true")
    a = ap.parse_args()
    return abuse(a) if a.abuse else scrape(a)


if __name__ == "__main__":
    sys.exit(main())
