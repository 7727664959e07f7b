#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# udp_ts.sh - MPEG-TS over UDP (--udp-ts HOST:PORT, issue 19) against
# real parsers.
#
# The streamer (built-in generator, 320x240 at 30 fps, 90 frames, GOP 30)
# sends MPEG-TS to a loopback listener that keeps every datagram, and
# --rtp (--bitexact, so the RTP timestamps have no random base) to a
# second one, for h264 and h265, without and with --b-frames 2.  Then:
#  - FFmpeg: ffprobe decodes every AU the streamer sent (>= 60), no line
#    at -v warning, no "Continuity check failed" at -v debug, and
#    `ffmpeg -i x.ts -f null -` is silent;
#  - GStreamer: filesrc ! tsdemux ! parse ! avdec decodes every frame,
#    no warning from tsdemux / the MPEG-TS packetizer (PCR, continuity);
#  - tscheck.py (independent of src/proto/ts_parse.c): datagrams of
#    whole packets, at most 7; CRCs; continuity counters; PCR and
#    PAT/PMT at most 100 ms apart; PCR <= DTS; DTS only with B-frames;
#    an AUD first in every PES and the parameter sets in every keyframe;
#    the PES PTS equal to ffprobe's packet PTS and to the RTP timestamps.
# Then: a live GStreamer udpsrc receiver, a 5 fps stream (the sink's own
# PCR packets keep the 100 ms), --udp-ts-pcr-offset-ms, a refused
# destination, bad endpoints.  Loopback only; every process is bounded.
# UDP_TS_QUICK=1 (the sanitizer step of .ci/run): h264 only.
. "$SRCTREE/test/suites/testing.sh"
optional CONFIG_UDP_TS || skip_all "CONFIG_UDP_TS off"
optional CONFIG_ENC_X264 || skip_all "needs x264"
command -v ffprobe > /dev/null || skip_all "ffprobe not installed"
T=$OBJTREE/test/tmp/udp_ts
rm -rf "$T" && mkdir -p "$T"
S="${TEST_EXEC:-} $BIN/cvmmap_streamer"
N=90
DUMMY="--input-mode dummy --dummy-width 320 --dummy-height 240 --dummy-fps 30 --no-nats --stats-interval-ms 0"
have_rtp=0
optional CONFIG_RTP && have_rtp=1
have_gst=0
command -v gst-launch-1.0 > /dev/null && gst-inspect-1.0 tsdemux > /dev/null 2>&1 &&
	gst-inspect-1.0 avdec_h264 > /dev/null 2>&1 && have_gst=1

# cap.py IDLE PORT:FILE...: keep every datagram of each port in FILE (and
# its length in FILE.len) until IDLE seconds pass without one (after the
# first; at most 30 s in all).  Prints "ready" once bound.
cat > "$T/cap.py" <<'EOF'
import select, socket, sys, time
idle = float(sys.argv[1]); socks = {}
for spec in sys.argv[2:]:
    port, path = spec.split(':', 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind(('127.0.0.1', int(port)))
    socks[s] = (open(path, 'wb'), open(path + '.len', 'w'))
print('ready', flush=True)
t0 = time.time(); last = None
while time.time() - t0 < 30 and (last is None or time.time() - last < idle):
    r, _, _ = select.select(list(socks), [], [], 0.1)
    for s in r:
        d = s.recv(65536); f, l = socks[s]
        f.write(d); l.write('%d\n' % len(d)); last = time.time()
for f, l in socks.values():
    f.close(); l.close()
EOF

# tscheck.py TS CODEC [--bframes] [--rtp FILE] [--ffprobe-pts FILE]
#   [--offset TICKS]: the checks listed above (--offset: the last PES's
#   DTS - PCR); one summary line.
cat > "$T/tscheck.py" <<'EOF'
import sys
args = sys.argv[1:]; path, codec = args[0], args[1]
opt = {args[i]: (args[i + 1] if i + 1 < len(args) and not args[i + 1].startswith('--') else True)
       for i in range(2, len(args)) if args[i].startswith('--')}
bad = []
def fail(m):
    if len(bad) < 10: bad.append(m)
def crc32(b):
    c = 0xffffffff
    for x in b:
        c ^= x << 24
        for _ in range(8):
            c = ((c << 1) ^ 0x04c11db7) & 0xffffffff if c & 0x80000000 else (c << 1) & 0xffffffff
    return c
data = open(path, 'rb').read()
lens = [int(x) for x in open(path + '.len')]
for n in lens:
    if n % 188 or n > 7 * 188 or n == 0: fail('datagram of %d bytes' % n)
full = sum(1 for n in lens if n == 7 * 188)
cc = {}; pes = []; cur = None; pcr = None; pcrs = 0; max_pcr_gap = 0; pat_pcr = None
max_psi_gap = 0; pmt_pid = None; vpid = None; stype = None
for off in range(0, len(data) - len(data) % 188, 188):
    p = data[off:off + 188]
    if p[0] != 0x47: fail('sync at %d' % off); continue
    pid = (p[1] & 0x1f) << 8 | p[2]; pusi = p[1] & 0x40; afc = p[3] >> 4 & 3; c = p[3] & 15
    if pid in cc and c != ((cc[pid] + 1) & 15 if afc & 1 else cc[pid]): fail('CC on PID %d at %d' % (pid, off))
    cc[pid] = c; q = 4; rai = False; this_pcr = None
    if afc & 2:
        al = p[4]; q = 5 + al
        if al:
            rai = bool(p[5] & 0x40)
            if p[5] & 0x10:
                this_pcr = int.from_bytes(p[6:10], 'big') << 1 | p[10] >> 7
    if this_pcr is not None and pid == vpid:
        if pcr is not None:
            if this_pcr < pcr: fail('PCR backwards at %d' % off)
            max_pcr_gap = max(max_pcr_gap, this_pcr - pcr)
        pcr = this_pcr; pcrs += 1
    if not afc & 1: continue
    if pid in (0, pmt_pid) and pusi:
        s = p[q + 1 + p[q]:]; sl = (s[1] & 15) << 8 | s[2]
        if crc32(s[:3 + sl]): fail('CRC of PID %d' % pid); continue
        if pid == 0:
            pmt_pid = (s[10] & 0x1f) << 8 | s[11]
            if pat_pcr is not None and pcr is not None: max_psi_gap = max(max_psi_gap, pcr - pat_pcr)
            pat_pcr = pcr
        else:
            stype = s[12]; vpid = (s[13] & 0x1f) << 8 | s[14]
            if cur is not None: cur['psi'] = True
        continue
    if pid != vpid: continue
    if pusi:
        if cur: pes.append(cur)
        h = p[q:]
        if h[:3] != b'\0\0\1': fail('PES start at %d' % off); cur = None; continue
        f = h[7] >> 6; hl = h[8]
        t = lambda b: (b[0] >> 1 & 7) << 30 | (b[1] << 7 | b[2] >> 1) << 15 | (b[3] << 7 | b[4] >> 1)
        pts = t(h[9:14]); dts = t(h[14:19]) if f == 3 else None
        cur = {'pts': pts, 'dts': dts, 'rai': rai, 'pcr': this_pcr, 'es': bytearray(h[9 + hl:])}
    elif cur: cur['es'] += p[q:]
if cur: pes.append(cur)
want = 0x24 if codec == 'h265' else 0x1b
if stype != want: fail('stream_type %s' % stype)
nt = (lambda b: b[0] >> 1 & 63) if codec == 'h265' else (lambda b: b[0] & 31)
aud, ps = (35, (32, 33, 34)) if codec == 'h265' else (9, (7, 8))
ndts = 0; keys = 0; buf = None
for i, e in enumerate(pes):
    nals = [n for n in bytes(e['es']).split(b'\0\0\1')[1:] if n]
    types = [nt(n) for n in nals]
    if not types or types[0] != aud: fail('PES %d: no AUD first' % i)
    if e['pcr'] is None: fail('PES %d: no PCR' % i)
    d = e['dts'] if e['dts'] is not None else e['pts']
    if e['pcr'] is not None:
        if e['pcr'] > d: fail('PES %d: PCR %d after DTS %d' % (i, e['pcr'], d))
        buf = d - e['pcr']
    ndts += e['dts'] is not None
    if e['rai']:
        keys += 1
        if not all(x in types for x in ps): fail('PES %d: keyframe without parameter sets' % i)
if opt.get('--bframes') and not ndts: fail('B-frames but no DTS')
if not opt.get('--bframes') and ndts: fail('%d DTS without B-frames' % ndts)
if max_pcr_gap > 9000: fail('PCR gap %.1f ms' % (max_pcr_gap / 90))
if max_psi_gap > 9000: fail('PAT gap %.1f ms' % (max_psi_gap / 90))
if '--offset' in opt and buf != int(opt['--offset']): fail('DTS - PCR %s, want %s' % (buf, opt['--offset']))
pts = [e['pts'] for e in pes]
if '--ffprobe-pts' in opt:
    fp = [int(x.split(',')[0]) for x in open(opt['--ffprobe-pts']) if x.strip()]
    if fp != pts: fail('ffprobe PTS differ: %s vs %s' % (fp[:5], pts[:5]))
if '--rtp' in opt:
    r = open(opt['--rtp'], 'rb').read(); o = 0; ts = []
    for n in (int(x) for x in open(opt['--rtp'] + '.len')):
        pk = r[o:o + n]; o += n
        if n >= 12 and pk[1] & 0x80: ts.append(int.from_bytes(pk[4:8], 'big'))
    if ts != [x & 0xffffffff for x in pts]: fail('RTP timestamps differ: %s vs %s' % (ts[:5], pts[:5]))
print('%d datagrams (%d full), %d PES, %d keyframes, %d with DTS, %d PCRs, max PCR gap %.1f ms, '
      'max PAT gap %.1f ms, last DTS - PCR %s' % (len(lens), full, len(pes), keys, ndts, pcrs,
      max_pcr_gap / 90, max_psi_gap / 90, buf))
for m in bad: print('FAIL', m)
sys.exit(1 if bad else 0)
EOF

# wait_ready FILE: until cap.py printed "ready".
cat > "$T/lib.sh" <<'EOF'
wait_ready() {
	i=0
	while [ $i -lt 100 ]; do grep -q ready "$1" 2>/dev/null && return 0; sleep 0.05; i=$((i + 1)); done
	echo "listener not ready"; return 1
}
# sent LOG: the AUs the streamer sent on udp-ts (its exit line)
sent() { sed -n 's/.*udp-ts\[[^]]*aus=\([0-9]*\).*/\1/p' "$1" | tail -n 1; }
EOF

# capture NAME CODEC ARGS...: run the streamer into $T/NAME.ts (+ .rtp).
capture() {
	name=$1 codec=$2
	shift 2
	p=$(free_port)
	rtp=
	[ $have_rtp = 1 ] && rtp="--rtp --rtp-endpoint 127.0.0.1:$((p + 1)) --no-rtcp --bitexact"
	echo "
		. $T/lib.sh
		timeout 40 python3 $T/cap.py 1.5 $p:$T/$name.ts $((p + 1)):$T/$name.rtp > $T/$name.cap &
		cp=\$!
		wait_ready $T/$name.cap || exit 1
		timeout 40 $S $DUMMY --codec $codec --udp-ts 127.0.0.1:$p \
			$rtp $* > $T/$name.log 2>&1
		rc=\$?
		wait \$cp
		tail -n 1 $T/$name.log; echo \"sent \$(sent $T/$name.log) AUs\"
		[ \$rc -eq 0 ] && [ -s $T/$name.ts ]"
}

for c in h264 h265; do
	if [ $c = h265 ] && ! optional CONFIG_ENC_X265; then
		skip "$c: MPEG-TS rows" "CONFIG_ENC_X265 off"
		continue
	fi
	if [ $c = h265 ] && [ -n "${UDP_TS_QUICK:-}" ]; then
		skip "$c: MPEG-TS rows" "UDP_TS_QUICK"
		continue
	fi
	for b in 0 2; do
		n=${c}_b$b
		bf=; [ $b -gt 0 ] && bf=--bframes
		testing "$n: the streamer sends $N frames as MPEG-TS over UDP" \
			"$(capture "$n" $c --dummy-frames $N --b-frames $b)"
		testing "$n: ffprobe decodes every AU sent, no warning" "
			. $T/lib.sh
			got=\$(ffprobe -v warning -count_frames -select_streams v:0 \
				-show_entries stream=nb_read_frames -of csv=p=0 $T/$n.ts \
				2> $T/$n.ffprobe.err | grep -m 1 .)
			s=\$(sent $T/$n.log); cat $T/$n.ffprobe.err
			echo \"ffprobe: \$got frames of \$s sent\"
			[ \"\$got\" -ge 60 ] && [ \"\$got\" = \"\$s\" ] && [ ! -s $T/$n.ffprobe.err ] || exit 1
			ffprobe -v debug -show_packets $T/$n.ts > /dev/null 2> $T/$n.debug
			! grep -iE 'continuity check failed|pcr|non-?monoton' $T/$n.debug || exit 1
			err=\$(ffmpeg -nostdin -v warning -i $T/$n.ts -f null - 2>&1); echo \"\$err\"
			[ -z \"\$err\" ]"
		ffpts=
		ffprobe -v error -select_streams v:0 -show_entries packet=pts -of csv=p=0 "$T/$n.ts" \
			> "$T/$n.pts" 2> /dev/null && ffpts="--ffprobe-pts $T/$n.pts"
		rtpopt=; [ $have_rtp = 1 ] && rtpopt="--rtp $T/$n.rtp"
		testing "$n: PCR/PAT <= 100 ms, CC, CRC, AUD, parameter sets, PTS = ffprobe = RTP" \
			"python3 $T/tscheck.py $T/$n.ts $c $bf $ffpts $rtpopt"
		if [ $have_gst = 1 ]; then
			testing "$n: gstreamer tsdemux ! ${c}parse ! avdec_$c decodes every frame" "
				. $T/lib.sh
				GST_DEBUG=2 timeout 30 gst-launch-1.0 -v filesrc location=$T/$n.ts ! tsdemux \
					! ${c}parse ! avdec_$c ! fakesink silent=false sync=false \
					> $T/$n.gst 2>&1 || exit 1
				got=\$(grep -c 'last-message = chain' $T/$n.gst); s=\$(sent $T/$n.log)
				w=\$(grep -E 'WARN|ERROR' $T/$n.gst | grep -iE 'tsdemux|mpegts|pcr|discont|avdec|parse' | head -n 3)
				echo \"gstreamer: \$got frames of \$s sent \$w\"
				[ \"\$got\" = \"\$s\" ] && [ -z \"\$w\" ]"
		else
			skip "$n: gstreamer decodes every frame" "gst-launch-1.0, tsdemux or avdec missing"
		fi
	done
done

# A live receiver: GStreamer on the UDP port, its clock from our PCR;
# fakesink num-buffers ends it (exit 0) once that many frames decoded.
if [ $have_gst = 1 ]; then
	P=$(free_port)
	testing "live: gstreamer udpsrc ! tsdemux decodes 60 frames" "
		timeout 30 gst-launch-1.0 -q udpsrc address=127.0.0.1 port=$P \
			caps='video/mpegts,systemstream=(boolean)true,packetsize=(int)188' ! tsdemux \
			! h264parse ! avdec_h264 ! fakesink num-buffers=60 sync=true > $T/live.gst 2>&1 &
		gp=\$!
		sleep 1
		timeout 40 $S $DUMMY --codec h264 --dummy-frames 120 \
			--udp-ts 127.0.0.1:$P > $T/live.log 2>&1
		wait \$gp"
else
	skip "live: gstreamer udpsrc decodes" "gst-launch-1.0, tsdemux or avdec missing"
fi

# A live FFmpeg receiver: ffprobe on the UDP port (not a capture file);
# the URL's timeout (2 s without a datagram) ends it after the stream.
P=$(free_port)
testing "live: ffprobe udp://127.0.0.1:P decodes >= 60 frames" "
	timeout 30 ffprobe -v error -count_frames -select_streams v:0 \
		-show_entries stream=nb_read_frames -of csv=p=0 \
		'udp://127.0.0.1:$P?timeout=2000000&fifo_size=100000&overrun_nonfatal=1' \
		> $T/live.ffprobe 2> $T/live.ffprobe.err &
	fp=\$!
	sleep 1
	timeout 40 $S $DUMMY --codec h264 --dummy-frames 120 \
		--udp-ts 127.0.0.1:$P > $T/live-ff.log 2>&1 || exit 1
	wait \$fp; n=\$(grep -m 1 . $T/live.ffprobe); cat $T/live.ffprobe.err
	echo \"ffprobe: \${n:-0} frames of \$(. $T/lib.sh; sent $T/live-ff.log) sent\"
	[ \"\${n:-0}\" -ge 60 ]"

rtp5=; [ $have_rtp = 1 ] && rtp5="--rtp $T/fps5.rtp"
# 5 fps: AUs 200 ms apart; the sink's PCR-only packets (with PAT/PMT)
# keep both within 100 ms.  And the PCR offset option: DTS - PCR = 9000.
testing "5 fps: the sink's own PCR packets keep PCR and PAT/PMT <= 100 ms" \
	"$(capture fps5 h264 --dummy-frames 12 --dummy-fps 5 --gop 5)
	 python3 $T/tscheck.py $T/fps5.ts h264 $rtp5"
testing "--udp-ts-pcr-offset-ms 100: DTS - PCR is 9000 ticks" \
	"$(capture off100 h264 --dummy-frames 40 --udp-ts-pcr-offset-ms 100)
	 python3 $T/tscheck.py $T/off100.ts h264 --offset 9000"

# Errors: nobody listening (ICMP port unreachable -> counted, not
# fatal); endpoints that are not HOST:PORT.
P=$(free_port)
testing "refused destination is counted, not fatal" "
	timeout 40 $S $DUMMY --dummy-frames 30 --udp-ts 127.0.0.1:$P \
		> $T/refused.log 2>&1 || exit 1
	tail -n 1 $T/refused.log | grep -E 'udp-ts\\[pkts=[0-9]+ dgrams=[0-9]+ aus=30 err=[1-9]'"
testing "--udp-ts without a value exits 2" "$S $DUMMY --udp-ts" 2
testing "--udp-ts without a port exits 2" "$S $DUMMY --udp-ts 127.0.0.1" 2
testing "--udp-ts with an unbracketed IPv6 address exits 2" "$S $DUMMY --udp-ts ::1:5000" 2
testing "--udp-ttl 256 exits 2" \
	"$S $DUMMY --udp-ts 127.0.0.1:9 --udp-ttl 256" 2

# Multicast only where a group route stays on this host (never onto a LAN).
if ip route get 239.255.42.42 2> /dev/null | grep -q ' dev lo '; then
	P=$(free_port)
	testing "multicast 239.255.42.42 with --udp-ttl 1" "
		timeout 40 $S $DUMMY --dummy-frames 30 --udp-ts 239.255.42.42:$P --udp-ttl 1 \
			> $T/mc.log 2>&1 && grep -q 'multicast' $T/mc.log"
else
	skip "multicast with --udp-ttl" "no multicast route on lo (would leave the host)"
fi
finish
