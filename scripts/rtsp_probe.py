#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""rtsp_probe.py - an RTSP 1.0 client written from RFC 2326 for the
server's protocol rows (test/suites/rtsp.sh): one CHECK per run, exit 0
when it holds, 1 with the reason otherwise.  Loopback only; every socket
has a timeout.

    rtsp_probe.py --port P [--path live] [--codec h264] [--pid PID] CHECK

CHECK: options describe describe-early errors rtpinfo-tcp rtpinfo-udp split bighead
       garbage flood cycles keepalive stall auth-digest auth-basic
       attach (benchmarks: PLAY to --client-port for --seconds)
       shape (a JSON summary to compare with another server's)
       record-server (the other way round: listen on --port for one
       publisher, challenge it with Digest for --credentials, take
       ANNOUNCE/SETUP/RECORD and count its access units)
       udp-blackhole (a proxy: listen on --client-port, relay one RTSP
       connection to --port, and point every UDP SETUP's client_port at
       a socket that never reads, so RTP over UDP is lost on the way as
       a firewall would lose it; passes when the client then set up over
       TCP interleaved on the same connection)
"""
import argparse
import hashlib
import os
import random
import re
import socket
import struct
import sys
import time

A = None


def fail(msg):
    print('FAIL: ' + msg)
    sys.exit(1)


def need(cond, msg):
    if not cond:
        fail(msg)


class Conn:
    """One RTSP connection; interleaved frames read on the way are kept."""

    def __init__(self, timeout=5.0):
        self.s = socket.create_connection(('127.0.0.1', A.port), timeout=timeout)
        self.buf = b''
        self.cseq = 0
        self.frames = []            # (channel, bytes, arrival time)
        self.session = None

    def url(self, track=False):
        return 'rtsp://127.0.0.1:%d/%s%s' % (A.port, A.path, '/trackID=0' if track else '')

    def fill(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError('server closed the connection')
        self.buf += d

    def frame(self):
        """One interleaved frame at the head of the buffer, or None."""
        if len(self.buf) >= 4 and self.buf[0:1] == b'$':
            n = struct.unpack('>H', self.buf[2:4])[0]
            if len(self.buf) >= 4 + n:
                f = (self.buf[1], self.buf[4:4 + n], time.monotonic())
                self.buf = self.buf[4 + n:]
                return f
        return None

    def response(self):
        while True:
            f = self.frame()
            if f:
                self.frames.append(f)
                continue
            i = self.buf.find(b'\r\n\r\n')
            if self.buf[:1] not in (b'', b'$') and i >= 0:
                head = self.buf[:i].decode('latin-1').split('\r\n')
                hdr = {}
                for line in head[1:]:
                    k, _, v = line.partition(':')
                    hdr[k.strip().lower()] = v.strip()
                n = int(hdr.get('content-length', '0'))
                while len(self.buf) < i + 4 + n:
                    self.fill()
                body = self.buf[i + 4:i + 4 + n].decode('latin-1')
                self.buf = self.buf[i + 4 + n:]
                m = re.match(r'RTSP/1\.0 (\d{3}) ', head[0])
                need(m, 'bad status line %r' % head[0])
                return int(m.group(1)), hdr, body
            self.fill()

    def req(self, method, uri=None, headers=None, body='', cseq=True):
        self.cseq += 1
        h = 'CSeq: %d\r\n' % self.cseq if cseq else ''
        if self.session and method not in ('OPTIONS', 'DESCRIBE'):
            h += 'Session: %s\r\n' % self.session
        for k, v in (headers or {}).items():
            h += '%s: %s\r\n' % (k, v)
        if body:
            h += 'Content-Length: %d\r\n' % len(body)
        msg = '%s %s RTSP/1.0\r\n%s\r\n%s' % (method, uri or self.url(), h, body)
        self.s.sendall(msg.encode('latin-1'))
        st, hdr, b = self.response()
        if cseq:
            need(hdr.get('cseq') == str(self.cseq),
                 '%s: CSeq %r echoed as %r' % (method, self.cseq, hdr.get('cseq')))
        if 'session' in hdr:
            self.session = hdr['session'].split(';')[0]
        return st, hdr, b

    def setup_tcp(self, channels='0-1'):
        t = 'RTP/AVP/TCP;unicast' + (';interleaved=' + channels if channels else '')
        return self.req('SETUP', self.url(True), {'Transport': t})

    def next_frame(self, timeout=5.0):
        end = time.monotonic() + timeout
        while True:
            if self.frames:
                return self.frames.pop(0)
            f = self.frame()
            if f:
                return f
            self.s.settimeout(max(0.01, end - time.monotonic()))
            self.fill()

    def close(self):
        self.s.close()


def rtp(pkt):
    """(seq, ts, ssrc, marker, payload) of an RTP packet (RFC 3550 5.1)."""
    need(len(pkt) >= 12 and pkt[0] >> 6 == 2, 'not an RTP packet')
    cc = pkt[0] & 15
    return (struct.unpack('>H', pkt[2:4])[0], struct.unpack('>I', pkt[4:8])[0],
            struct.unpack('>I', pkt[8:12])[0], pkt[1] >> 7, pkt[12 + 4 * cc:])


def nal_types(payload):
    """NAL unit types carried by one RTP payload (single, STAP-A/AP, FU)."""
    if A.codec == 'h264':
        t = payload[0] & 31
        if t == 28:
            return [payload[1] & 31]
        if t == 24:
            out, i = [], 1
            while i + 2 < len(payload):
                n = struct.unpack('>H', payload[i:i + 2])[0]
                out.append(payload[i + 2] & 31)
                i += 2 + n
            return out
        return [t]
    t = payload[0] >> 1 & 63
    if t == 49:
        return [payload[2] & 63]
    if t == 48:
        out, i = [], 2
        while i + 2 < len(payload):
            n = struct.unpack('>H', payload[i:i + 2])[0]
            out.append(payload[i + 2] >> 1 & 63)
            i += 2 + n
        return out
    return [t]


def rtp_info(hdr):
    m = re.search(r'url=([^;]+);seq=(\d+);rtptime=(\d+)', hdr.get('rtp-info', ''))
    need(m, 'no RTP-Info url/seq/rtptime in %r' % hdr.get('rtp-info'))
    return m.group(1), int(m.group(2)), int(m.group(3))


def first_au_ok(pkts, info_seq, info_ts, ssrc):
    """The first packet is RTP-Info's; the first AU is a keyframe with its
    parameter sets in-band, in consecutive sequence numbers."""
    seq, ts, got_ssrc, _, _ = rtp(pkts[0])
    need(seq == info_seq, 'first packet seq %d, RTP-Info said %d' % (seq, info_seq))
    need(ts == info_ts, 'first packet rtptime %d, RTP-Info said %d' % (ts, info_ts))
    need(got_ssrc == ssrc, 'SSRC %08X, Transport said %08X' % (got_ssrc, ssrc))
    types, prev = [], seq - 1
    for p in pkts:
        s, t, _, m, pl = rtp(p)
        need(s == (prev + 1) & 0xffff, 'sequence gap %d -> %d' % (prev, s))
        need(t == info_ts, 'first AU spans two timestamps')
        prev = s
        types += nal_types(pl)
        if m:
            break
    want = [7, 8, 5] if A.codec == 'h264' else [32, 33, 34]
    need(all(w in types for w in want), 'first AU NAL types %s lack %s' % (types, want))
    if A.codec == 'h265':
        need(any(19 <= t <= 21 for t in types), 'first AU has no IRAP slice: %s' % types)
    print('first AU: seq %d rtptime %d NAL types %s' % (info_seq, info_ts, types))


def play(c):
    st, hdr, _ = c.req('PLAY', c.url() + '/', {'Range': 'npt=0.000-'})
    need(st == 200, 'PLAY -> %d' % st)
    need(hdr.get('range', '').startswith('npt='), 'PLAY reply without Range')
    return hdr


# ---------------------------------------------------------------- checks

def c_options():
    c = Conn()
    st, hdr, _ = c.req('OPTIONS', '*')
    need(st == 200, 'OPTIONS * -> %d' % st)
    pub = [x.strip() for x in hdr.get('public', '').split(',')]
    for m in ('DESCRIBE', 'SETUP', 'PLAY', 'TEARDOWN', 'GET_PARAMETER', 'SET_PARAMETER'):
        need(m in pub, 'Public lacks %s: %r' % (m, hdr.get('public')))
    st, _, _ = c.req('OPTIONS')
    need(st == 200, 'OPTIONS url -> %d' % st)


def c_describe():
    c = Conn()
    st, hdr, body = c.req('DESCRIBE', headers={'Accept': 'application/sdp'})
    need(st == 200, 'DESCRIBE -> %d' % st)
    base = hdr.get('content-base', '')
    need(re.match(r'rtsp://127\.0\.0\.1:%d/%s/$' % (A.port, A.path), base),
         'Content-Base %r is not absolute with a trailing /' % base)
    need(hdr.get('content-type') == 'application/sdp', 'Content-Type %r' % hdr.get('content-type'))
    print(body)
    lines = body.split('\r\n')
    m = lines.index(next(x for x in lines if x.startswith('m=video ')))
    need('a=control:*' in lines[:m], 'no session-level a=control:*')
    need('a=range:npt=now-' in lines[:m], 'no a=range:npt=now-')
    need('a=control:trackID=0' in lines[m:], 'no a=control:trackID=0 on the track')
    if A.codec == 'h264':
        need(re.search(r'sprop-parameter-sets=[A-Za-z0-9+/=]{8,},[A-Za-z0-9+/=]{4,}', body),
             'sprop-parameter-sets missing or empty')
        need('H264/90000' in body, 'rtpmap is not H264')
    else:
        for k in ('sprop-vps', 'sprop-sps', 'sprop-pps'):
            need(re.search(k + r'=[A-Za-z0-9+/=]{4,}', body), k + ' missing or empty')
        need('H265/90000' in body, 'rtpmap is not H265')


def c_errors():
    c = Conn()
    # 505: another version (the CSeq is still echoed)
    c.s.sendall(b'OPTIONS * RTSP/2.0\r\nCSeq: 7\r\n\r\n')
    st, hdr, _ = c.response()
    need(st == 505 and hdr.get('cseq') == '7', 'RTSP/2.0 -> %d cseq %r' % (st, hdr.get('cseq')))
    st, _, _ = c.req('FLY')
    need(st == 501, 'unknown method -> %d' % st)
    st, hdr, _ = c.req('ANNOUNCE')
    need(st == 405 and 'DESCRIBE' in hdr.get('allow', ''), 'ANNOUNCE -> %d' % st)
    st, _, _ = c.req('DESCRIBE', 'rtsp://127.0.0.1:%d/nothere' % A.port)
    need(st == 404, 'wrong path -> %d' % st)
    st, _, _ = c.req('PLAY', headers={'Session': 'DEADBEEF'})
    need(st == 454, 'PLAY with a session that does not exist -> %d' % st)
    st, _, _ = c.req('PLAY')
    need(st == 454, 'PLAY without a session -> %d' % st)
    st, _, _ = c.req('SETUP', c.url(), {'Transport': 'RTP/AVP/TCP;unicast'})
    need(st == 459, 'SETUP on the aggregate URL -> %d' % st)
    st, _, _ = c.req('SETUP', c.url(True), {'Transport': 'RTP/AVP;multicast'})
    need(st == 461, 'multicast transport -> %d' % st)
    st, _, _ = c.req('SETUP', c.url(True), {'Transport': 'RAW/RAW/UDP;unicast'})
    need(st == 461, 'unknown transport -> %d' % st)
    st, hdr, _ = c.setup_tcp()
    need(st == 200, 'SETUP tcp -> %d' % st)
    need(re.search(r'timeout=\d+', hdr.get('session', '')), 'Session without timeout')
    play(c)
    st, _, _ = c.setup_tcp('2-3')
    need(st == 455, 'SETUP while playing -> %d' % st)
    st, _, _ = c.req('SET_PARAMETER', body='x: y\r\n')
    need(st == 451, 'SET_PARAMETER with a parameter -> %d' % st)
    st, _, _ = c.req('TEARDOWN')
    need(st == 200, 'TEARDOWN -> %d' % st)
    old, c.session = c.session, None
    st, _, _ = c.req('PLAY', headers={'Session': old})
    need(st == 454, 'PLAY after TEARDOWN -> %d' % st)
    # 400 without CSeq, and the connection is closed
    c.s.sendall(b'OPTIONS * RTSP/1.0\r\n\r\n')
    st, hdr, _ = c.response()
    need(st == 400 and 'cseq' not in hdr, 'no CSeq -> %d' % st)
    try:
        while True:
            c.fill()
    except EOFError:
        pass
    print('505 501 405 404 454 454 459 461 461 455 451 200 454 400: as RFC 2326 says')


def c_describe_early():
    """Before the first parameter sets (no producer yet) DESCRIBE waits,
    then answers 503 with Retry-After; never an SDP without them."""
    c = Conn(timeout=10)
    t0 = time.monotonic()
    st, hdr, body = c.req('DESCRIBE')
    waited = time.monotonic() - t0
    print('DESCRIBE -> %d after %.1f s, Retry-After %r' % (st, waited, hdr.get('retry-after')))
    need(st == 503 and hdr.get('retry-after') and not body, 'wanted 503 with Retry-After')
    need(2 <= waited <= 6, 'answered after %.1f s' % waited)


def c_rtpinfo_tcp():
    for ch in ('4-5', None):
        c = Conn()
        c.req('DESCRIBE')
        st, hdr, _ = c.setup_tcp(ch)
        need(st == 200, 'SETUP -> %d' % st)
        want = ch or '0-1'
        m = re.search(r'interleaved=(\d+)-(\d+)', hdr.get('transport', ''))
        need(m and '%s-%s' % m.groups() == want,
             'Transport %r, wanted interleaved=%s' % (hdr.get('transport'), want))
        ssrc = int(re.search(r'ssrc=([0-9A-Fa-f]{8})', hdr['transport']).group(1), 16)
        url, seq, ts = rtp_info(play(c))
        need(url == c.url(True), 'RTP-Info url %r' % url)
        rtp_ch, rtcp_ch = (int(x) for x in want.split('-'))
        pkts, sr, end = [], None, time.monotonic() + 8
        while time.monotonic() < end and (sr is None or len(pkts) < 200):
            chan, data, _ = c.next_frame()
            if chan == rtp_ch:
                pkts.append(data)
            elif chan == rtcp_ch and data[1] == 200:
                sr = data
            else:
                fail('frame on channel %d' % chan)
        first_au_ok(pkts, seq, ts, ssrc)
        need(sr is not None, 'no RTCP SR on channel %d within 8 s' % rtcp_ch)
        need(struct.unpack('>I', sr[4:8])[0] == ssrc, 'SR of another SSRC')
        c.req('TEARDOWN')
        c.close()


def udp_pair():
    for _ in range(100):
        a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        a.bind(('127.0.0.1', 0))
        p = a.getsockname()[1]
        if p % 2 == 0:
            b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                b.bind(('127.0.0.1', p + 1))
                return a, b, p
            except OSError:
                b.close()
        a.close()
    fail('no UDP port pair')


def setup_udp(c):
    a, b, p = udp_pair()
    st, hdr, _ = c.req('SETUP', c.url(True),
                       {'Transport': 'RTP/AVP;unicast;client_port=%d-%d' % (p, p + 1)})
    need(st == 200, 'SETUP udp -> %d' % st)
    t = hdr.get('transport', '')
    need('client_port=%d-%d' % (p, p + 1) in t, 'Transport %r' % t)
    m = re.search(r'server_port=(\d+)-(\d+)', t)
    need(m and int(m.group(2)) == int(m.group(1)) + 1, 'server_port %r' % t)
    ssrc = int(re.search(r'ssrc=([0-9A-Fa-f]{8})', t).group(1), 16)
    return a, b, ssrc, int(m.group(1))


def c_rtpinfo_udp():
    c = Conn()
    c.req('DESCRIBE')
    a, b, ssrc, sport = setup_udp(c)
    url, seq, ts = rtp_info(play(c))
    a.settimeout(5)
    pkts = []
    while len(pkts) < 100:
        d, src = a.recvfrom(65536)
        need(src[1] == sport, 'RTP from port %d, server_port said %d' % (src[1], sport))
        pkts.append(d)
    first_au_ok(pkts, seq, ts, ssrc)
    b.settimeout(5)
    d, src = b.recvfrom(2048)
    need(d[1] == 200 and struct.unpack('>I', d[4:8])[0] == ssrc, 'no SR on the RTCP port')
    need(src[1] == sport + 1, 'RTCP from port %d' % src[1])
    c.req('TEARDOWN')


def c_split():
    c = Conn()
    for ch in b'OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: split\r\n\r\n':
        c.s.sendall(bytes([ch]))
        time.sleep(0.002)
    st, hdr, _ = c.response()
    need(st == 200 and hdr.get('cseq') == '1', 'byte-at-a-time OPTIONS -> %d' % st)


def expect_close_status(c, want):
    try:
        st, _, _ = c.response()
    except (EOFError, ConnectionResetError):
        fail('closed without a reply (wanted %d)' % want)
    need(st == want, 'got %d, wanted %d' % (st, want))
    try:
        while True:
            c.fill()
    except (EOFError, ConnectionResetError):
        return
    except socket.timeout:
        fail('connection left open after %d' % want)


def c_bighead():
    c = Conn()
    head = b'OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n' + b'X-Pad: ' + b'a' * 65536 + b'\r\n\r\n'
    try:
        c.s.sendall(head)
    except (BrokenPipeError, ConnectionResetError):
        pass
    expect_close_status(c, 400)
    c_options()         # and the server still answers


def c_garbage():
    rnd = random.Random(7)
    for i in range(20):
        c = Conn()
        junk = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 3000)))
        try:
            c.s.sendall(junk + b'\r\n\r\n')
            if junk[:1] != b'$':
                expect_close_status(c, 400)
        except (BrokenPipeError, ConnectionResetError, EOFError):
            pass
        c.close()
    c_options()


def c_flood():
    held = []
    for i in range(A.max_clients):
        c = Conn()
        st, _, _ = c.req('OPTIONS', '*')
        need(st == 200, 'client %d: OPTIONS -> %d' % (i, st))
        held.append(c)
    for i in range(3):
        c = Conn()
        st, hdr, _ = c.response()
        need(st == 503, 'client over the limit got %d' % st)
        need('retry-after' in hdr, '503 without Retry-After')
        c.close()
    held.pop().close()
    time.sleep(0.3)
    c_options()


def fds_rss(pid):
    fds = len(os.listdir('/proc/%d/fd' % pid))
    rss = int(re.search(r'VmRSS:\s+(\d+)', open('/proc/%d/status' % pid).read()).group(1))
    return fds, rss


def c_cycles():
    need(A.pid, '--pid needed')
    def cycle(i):
        c = Conn()
        c.req('DESCRIBE')
        if i % 2:
            c.setup_tcp()
            play(c)
            c.next_frame()
        else:
            a, b, _, _ = setup_udp(c)
            play(c)
            a.settimeout(5)
            a.recv(2048)
            a.close()
            b.close()
        st, _, _ = c.req('TEARDOWN')
        need(st == 200, 'TEARDOWN -> %d' % st)
        c.close()
    for i in range(10):
        cycle(i)        # warm up: buffers touched once
    time.sleep(0.3)
    f0, r0 = fds_rss(A.pid)
    t0 = time.monotonic()
    for i in range(A.cycles):
        cycle(i)
    time.sleep(0.5)
    f1, r1 = fds_rss(A.pid)
    print('%d cycles in %.1f s: fds %d -> %d, RSS %d -> %d KiB' %
          (A.cycles, time.monotonic() - t0, f0, f1, r0, r1))
    need(f1 == f0, 'fd count grew %d -> %d' % (f0, f1))
    need(r1 - r0 < 1024, 'RSS grew %d KiB' % (r1 - r0))


def c_keepalive():
    """A UDP client that sends GET_PARAMETER stays, and so does one that
    only sends RTCP receiver reports; one that goes silent is closed after
    the session timeout (+5 s), and so
    are a connection that never sends a byte and one that stops in the
    middle of a request head (half-open)."""
    idle, half = Conn(), Conn()
    half.s.sendall(b'OPTIONS * RTSP/1.0\r\nCSe')
    keep, silent, rr = Conn(), Conn(), Conn()
    socks, rtcp = [], []
    for c in (keep, silent, rr):
        c.req('DESCRIBE')
        a, b, ssrc, sport = setup_udp(c)
        socks.append(a)
        rtcp.append((b, sport + 1))
        play(c)
    end = time.monotonic() + A.seconds
    while time.monotonic() < end:
        st, _, _ = keep.req('GET_PARAMETER')
        need(st == 200, 'GET_PARAMETER -> %d' % st)
        # RFC 3550 6.4.2: an empty receiver report from rr's RTCP port
        b, port = rtcp[2]
        b.sendto(struct.pack('>BBHI', 0x80, 201, 1, 0x12345678), ('127.0.0.1', port))
        time.sleep(1)
    for k in (0, 2):            # GET_PARAMETER and receiver reports: alive
        socks[k].settimeout(2)
        while socks[k].recv(65536)[1] & 0x7f != 96:
            pass
    silent.s.settimeout(1)
    try:
        silent.fill()
        fail('the silent client was not closed after %d s' % A.seconds)
    except (EOFError, ConnectionResetError):
        pass
    for name, c in (('idle', idle), ('half-open', half)):
        c.s.settimeout(1)
        try:
            c.fill()
            fail('the %s connection got %r' % (name, c.buf))
        except (EOFError, ConnectionResetError):
            pass
        except socket.timeout:
            fail('the %s connection is still open after %d s' % (name, A.seconds))
    print('clients kept for %d s by GET_PARAMETER and by RTCP RRs; silent, idle and '
          'half-open ones closed' % A.seconds)


def c_stall():
    """One TCP client never reads; another (UDP) gets every packet, with
    frame arrival gaps under two frame periods (p99; the max is printed)."""
    stalled = Conn()
    stalled.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled.req('DESCRIBE')
    stalled.setup_tcp()
    stalled.s.sendall(('PLAY %s/ RTSP/1.0\r\nCSeq: 9\r\nSession: %s\r\n\r\n' %
                       (stalled.url(), stalled.session)).encode())
    time.sleep(1)       # it stalls from here on
    c = Conn()
    c.req('DESCRIBE')
    a, b, _, _ = setup_udp(c)
    play(c)
    a.settimeout(2)
    arrivals, prev, lost = [], None, 0
    end = time.monotonic() + A.seconds
    while time.monotonic() < end:
        d = a.recv(65536)
        seq, ts, _, m, _ = rtp(d)
        if prev is not None and seq != (prev + 1) & 0xffff:
            lost += (seq - prev - 1) & 0xffff
        prev = seq
        if m:
            arrivals.append(time.monotonic())
        if len(arrivals) % 30 == 0:
            c.req('GET_PARAMETER')
    gaps = sorted(y - x for x, y in zip(arrivals, arrivals[1:]))
    p99 = gaps[int(len(gaps) * 0.99)]
    period = 1.0 / A.fps
    print('%d frames beside a stalled reader: lost %d packets, gap p50 %.1f p99 %.1f '
          'max %.1f ms (period %.1f)' % (len(arrivals), lost, gaps[len(gaps) // 2] * 1e3,
                                         p99 * 1e3, gaps[-1] * 1e3, period * 1e3))
    need(lost == 0, '%d packets lost' % lost)
    need(len(arrivals) >= A.seconds * A.fps * 0.9, 'only %d frames' % len(arrivals))
    need(p99 < 2 * period, 'p99 gap %.1f ms' % (p99 * 1e3))
    time.sleep(A.hold)  # the stalled one stays connected, never reading


def digest(user, pw, realm, nonce, method, uri):
    h = lambda s: hashlib.md5(s.encode()).hexdigest()
    return h('%s:%s:%s' % (h('%s:%s:%s' % (user, realm, pw)), nonce, h('%s:%s' % (method, uri))))


def c_auth_digest():
    user, pw = A.credentials.split(':', 1)
    c = Conn()
    st, _, _ = c.req('OPTIONS', '*')
    need(st == 200, 'OPTIONS needs no credentials -> %d' % st)
    st, hdr, _ = c.req('DESCRIBE')
    need(st == 401, 'DESCRIBE without credentials -> %d' % st)
    m = re.match(r'Digest realm="([^"]+)", nonce="([^"]+)"', hdr.get('www-authenticate', ''))
    need(m, 'WWW-Authenticate %r' % hdr.get('www-authenticate'))
    realm, nonce = m.groups()
    def auth(method, uri, p=pw, n=nonce):
        return {'Authorization': 'Digest username="%s", realm="%s", nonce="%s", uri="%s", '
                'response="%s"' % (user, realm, n, uri, digest(user, p, realm, n, method, uri))}
    st, _, _ = c.req('DESCRIBE', headers=auth('DESCRIBE', c.url(), p=pw + 'x'))
    need(st == 401, 'wrong password -> %d' % st)
    st, _, _ = c.req('DESCRIBE', headers=auth('DESCRIBE', c.url(), n='0' * 32))
    need(st == 401, 'another nonce -> %d' % st)
    st, _, _ = c.req('DESCRIBE', headers=auth('DESCRIBE', c.url()))
    need(st == 200, 'right credentials -> %d' % st)
    st, _, _ = c.req('SETUP', c.url(True), dict(auth('SETUP', c.url(True)),
                                               Transport='RTP/AVP/TCP;unicast'))
    need(st == 200, 'SETUP with credentials -> %d' % st)


def c_auth_basic():
    import base64
    c = Conn()
    st, hdr, _ = c.req('DESCRIBE')
    need(st == 401 and hdr.get('www-authenticate', '').startswith('Basic realm='),
         'Basic challenge: %d %r' % (st, hdr.get('www-authenticate')))
    bad = base64.b64encode((A.credentials + 'x').encode()).decode()
    st, _, _ = c.req('DESCRIBE', headers={'Authorization': 'Basic ' + bad})
    need(st == 401, 'wrong password -> %d' % st)
    good = base64.b64encode(A.credentials.encode()).decode()
    st, _, _ = c.req('DESCRIBE', headers={'Authorization': 'Basic ' + good})
    need(st == 200, 'right credentials -> %d' % st)


def c_attach():
    """Benchmarks: PLAY over UDP to --client-port (another program, such
    as rtp_receiver_tester, receives there) and keep the session alive
    for --seconds."""
    c = Conn()
    c.req('DESCRIBE')
    st, _, _ = c.req('SETUP', c.url(True), {'Transport': 'RTP/AVP;unicast;client_port=%d-%d' %
                                            (A.client_port, A.client_port + 1)})
    need(st == 200, 'SETUP -> %d' % st)
    play(c)
    end = time.monotonic() + A.seconds
    while time.monotonic() < end:
        time.sleep(min(2, max(0, end - time.monotonic())))
        c.req('GET_PARAMETER')
    c.req('TEARDOWN')


def c_udp_blackhole():
    """No netem or firewall on these machines: to make a client's UDP
    lose every packet, rewrite the client_port of its UDP SETUPs (RFC
    2326 12.39) to a pair bound here and never read.  The server gets no
    ICMP error, the client gets nothing; its own timeout must bring it
    back over TCP interleaved (same connection or a new one: each is
    relayed)."""
    import select
    import threading
    sink = []
    while True:                  # an even/odd pair, as RTP/RTCP want
        a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        a.bind(('127.0.0.1', 0))
        base = a.getsockname()[1]
        b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            if base % 2:
                raise OSError('odd')
            b.bind(('127.0.0.1', base + 1))
            sink = [a, b]
            break
        except OSError:
            a.close()
            b.close()
    count = {'udp': 0, 'tcp': 0}
    end = time.monotonic() + A.seconds

    def relay(cl):
        sv = socket.create_connection(('127.0.0.1', A.port), timeout=5)
        buf = b''
        while time.monotonic() < end:
            r, _, _ = select.select([cl, sv], [], [], 0.5)
            if sv in r:
                d = sv.recv(65536)
                if not d:
                    break
                cl.sendall(d)
            if cl in r:
                d = cl.recv(65536)
                if not d:
                    break
                buf += d
                # whole request heads (SETUP has no body): rewrite, pass on
                while b'\r\n\r\n' in buf:
                    head, buf = buf.split(b'\r\n\r\n', 1)
                    if head.startswith(b'SETUP '):
                        if b'RTP/AVP/TCP' in head:
                            count['tcp'] += 1
                        else:
                            head, n = re.subn(rb'client_port=\d+-\d+',
                                              b'client_port=%d-%d' % (base, base + 1), head)
                            count['udp'] += n
                    m = re.search(rb'(?im)^content-length:\s*(\d+)', head)
                    body = int(m.group(1)) if m else 0
                    while len(buf) < body:
                        more = cl.recv(65536)
                        if not more:
                            break
                        buf += more
                    sv.sendall(head + b'\r\n\r\n' + buf[:body])
                    buf = buf[body:]
        cl.close()
        sv.close()

    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('127.0.0.1', A.client_port))
    ls.listen(4)
    ls.settimeout(0.5)
    threads = []
    while time.monotonic() < end:
        if count['tcp'] and not any(t.is_alive() for t in threads):
            break                # the client came back over TCP and left
        try:
            cl, _ = ls.accept()
        except socket.timeout:
            continue
        threads.append(threading.Thread(target=relay, args=(cl,), daemon=True))
        threads[-1].start()
    print('udp setups blackholed %d, tcp setups %d' % (count['udp'], count['tcp']))
    need(count['udp'] >= 1 and count['tcp'] >= 1, 'want a UDP SETUP and then a TCP one')


def c_shape():
    """A summary of OPTIONS/DESCRIBE/SETUP (UDP)/PLAY and the first packet
    that any conforming server should share (the track control taken from
    the SDP), printed as JSON: the suite compares ours with the one of
    GStreamer's gst-rtsp-server serving the same kind of stream."""
    import json
    c = Conn()
    out = {}
    st, hdr, _ = c.req('OPTIONS', c.url())
    pub = [x.strip() for x in hdr.get('public', '').split(',')]
    out['options'] = [st] + [m for m in ('DESCRIBE', 'SETUP', 'PLAY', 'PAUSE', 'TEARDOWN',
                                         'GET_PARAMETER', 'SET_PARAMETER') if m in pub]
    st, hdr, body = c.req('DESCRIBE', headers={'Accept': 'application/sdp'})
    base = hdr.get('content-base', '')
    lines = body.split('\r\n')
    m = [i for i, x in enumerate(lines) if x.startswith('m=')]
    sess, media = lines[:m[0]], lines[m[0]:]
    ctl = [x[10:] for x in media if x.startswith('a=control:')]
    out['describe'] = {
        'status': st, 'type': hdr.get('content-type'),
        'base_absolute_slash': base == c.url() + '/',
        'session_control_star': 'a=control:*' in sess,
        'range_now': 'a=range:npt=now-' in sess,
        'm_line': media[0], 'rtpmap': [x for x in media if x.startswith('a=rtpmap:')],
        'track_control': len(ctl) == 1,
        'fmtp_sprop': bool(re.search(r'sprop-(parameter-sets|sps)=\S', body)),
        'packetization_mode_1': 'packetization-mode=1' in body or A.codec == 'h265',
    }
    track = ctl[0] if ctl[0].startswith('rtsp://') else base + ctl[0]
    a, b, p = udp_pair()
    st, hdr, _ = c.req('SETUP', track, {'Transport': 'RTP/AVP;unicast;client_port=%d-%d' %
                                        (p, p + 1)})
    t = hdr.get('transport', '')
    sp = re.search(r'server_port=(\d+)-(\d+)', t)
    out['setup'] = {
        'status': st, 'client_port_echoed': 'client_port=%d-%d' % (p, p + 1) in t,
        'server_port_pair': bool(sp) and int(sp.group(2)) == int(sp.group(1)) + 1 and
                            int(sp.group(1)) % 2 == 0,
        'ssrc': bool(re.search(r'ssrc=[0-9A-Fa-f]{8}', t)), 'session': bool(c.session),
    }
    st, hdr, _ = c.req('PLAY', base)
    url, seq, ts = rtp_info(hdr)
    a.settimeout(5)
    first = rtp(a.recv(65536))
    out['play'] = {'status': st, 'rtp_info_url': url == track,
                   'first_packet_is_rtp_info': (first[0], first[1]) == (seq, ts)}
    c.req('TEARDOWN', base)
    print(json.dumps(out, sort_keys=True))


def c_record_server():
    """A publisher's peer: 401 Digest first, then ANNOUNCE (SDP), SETUP
    (TCP interleaved, mode=record), RECORD; >= 60 access units with
    consecutive sequence numbers, the first a keyframe with its
    parameter sets, and sender reports on channel 1."""
    user, pw = A.credentials.split(':', 1)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('127.0.0.1', A.port))
    ls.listen(1)
    ls.settimeout(20)
    s, _ = ls.accept()
    s.settimeout(10)
    c = Conn.__new__(Conn)
    c.s, c.buf, c.frames = s, b'', []
    nonce, realm, seen, sdp = '%032x' % random.getrandbits(128), 'probe', [], ''

    def request():
        while True:
            i = c.buf.find(b'\r\n\r\n')
            if c.buf[:1] != b'$' and i >= 0:
                head = c.buf[:i].decode('latin-1').split('\r\n')
                hdr = {k.strip().lower(): v.strip() for k, _, v in
                       (x.partition(':') for x in head[1:])}
                n = int(hdr.get('content-length', '0'))
                while len(c.buf) < i + 4 + n:
                    c.fill()
                body = c.buf[i + 4:i + 4 + n].decode('latin-1')
                c.buf = c.buf[i + 4 + n:]
                return head[0].split(' '), hdr, body
            f = c.frame()
            if f:
                c.frames.append(f)
                continue
            c.fill()

    def answer(status, hdr, extra=''):
        s.sendall(('RTSP/1.0 %d X\r\nCSeq: %s\r\n%s\r\n' %
                   (status, hdr['cseq'], extra)).encode())

    while True:
        (method, uri, _), hdr, body = request()
        seen.append(method)
        m = re.search(r'uri="([^"]+)".*response="([0-9a-f]{32})"', hdr.get('authorization', ''))
        if not m or m.group(2) != digest(user, pw, realm, nonce, method, m.group(1)):
            answer(401, hdr, 'WWW-Authenticate: Digest realm="%s", nonce="%s"\r\n' %
                   (realm, nonce))
            continue
        if method == 'ANNOUNCE':
            sdp = body
            need('a=control:trackID=0' in body, 'ANNOUNCE SDP without the track control')
            answer(200, hdr)
        elif method == 'SETUP':
            need(uri.endswith('/trackID=0'), 'SETUP of %s' % uri)
            need('mode=record' in hdr.get('transport', '') and
                 'interleaved=0-1' in hdr.get('transport', ''), 'Transport %r' % hdr.get('transport'))
            answer(200, hdr, 'Session: 1234ABCD;timeout=60\r\nTransport: %s\r\n' %
                   hdr['transport'])
        elif method == 'RECORD':
            need(hdr.get('session') == '1234ABCD', 'RECORD without our Session')
            answer(200, hdr, 'Session: 1234ABCD\r\n')
            break
        else:
            answer(405, hdr)
    pkts, srs = [], 0
    while sum(rtp(p)[3] for p in pkts) < A.cycles:
        ch, data, _ = c.next_frame(10)
        if ch == 0:
            pkts.append(data)
        elif ch == 1 and data[1] == 200:
            srs += 1
    seq0, ts0, ssrc, _, _ = rtp(pkts[0])
    first_au_ok(pkts, seq0, ts0, ssrc)
    for a, b in zip(pkts, pkts[1:]):
        need(rtp(b)[0] == (rtp(a)[0] + 1) & 0xffff, 'sequence gap')
    print('requests %s; %d packets, %d AUs, %d SRs; SDP:\n%s' %
          (' '.join(seen), len(pkts), A.cycles, srs, sdp))
    need(seen[:2] == ['ANNOUNCE', 'ANNOUNCE'], 'no 401 round trip: %s' % seen)
    need(srs >= 1, 'no sender report')


def main():
    global A
    ap = argparse.ArgumentParser()
    ap.add_argument('--port', type=int, required=True)
    ap.add_argument('--path', default='live')
    ap.add_argument('--codec', default='h264', choices=('h264', 'h265'))
    ap.add_argument('--pid', type=int, default=0)
    ap.add_argument('--cycles', type=int, default=100)
    ap.add_argument('--seconds', type=int, default=10)
    ap.add_argument('--fps', type=float, default=30)
    ap.add_argument('--hold', type=int, default=0)
    ap.add_argument('--client-port', type=int, default=0)
    ap.add_argument('--max-clients', type=int, default=8)
    ap.add_argument('--credentials', default=os.environ.get('CVMMAP_RTSP_CREDENTIALS', ''))
    ap.add_argument('check')
    A = ap.parse_args()
    fn = globals().get('c_' + A.check.replace('-', '_'))
    if not fn:
        fail('unknown check %s' % A.check)
    try:
        fn()
    except (OSError, EOFError) as e:
        fail('%s: %s' % (A.check, e))
    print('ok %s' % A.check)


if __name__ == '__main__':
    main()
