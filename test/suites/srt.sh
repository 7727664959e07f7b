#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# srt.sh - MPEG-TS over SRT (--srt, issue 19) against FFmpeg's libsrt.
#
# The streamer (built-in generator, 320x240 at 30 fps, GOP 30) and
# FFmpeg's srt:// protocol on loopback; FFmpeg copies what it receives
# into a .ts and ffprobe -count_frames decodes it:
#  - caller, h264 and h265: FFmpeg listens, the streamer calls, >= 60
#    frames decoded;
#  - listener, h264 and h265: the streamer listens, FFmpeg calls; with
#    --srt-max-callers 2 two FFmpeg callers each decode >= 60 frames;
#  - reconnect: the receiver is stopped and started again; the caller
#    reconnects (connects=2) and the second receiver decodes >= 60;
#  - lossy link: a relay that drops 5% of the data packets (a Python
#    UDP forwarder, so no netem/namespace is needed): retransmits are
#    counted (retrans= > 0) and >= 60 frames still decode;
#  - encryption: passphrase from the environment, FFmpeg with the same
#    one decodes; the passphrase appears in no log line;
#  - bad URLs, an argv passphrase, --srt-max-callers with a caller: exit 2.
# Loopback only; every process is time-bounded and stopped by PID.
. "$SRCTREE/test/suites/testing.sh"
optional CONFIG_SRT || skip_all "CONFIG_SRT off"
optional CONFIG_ENC_X264 || skip_all "needs x264"
S="${TEST_EXEC:-} $BIN/cvmmap_streamer"
T=$OBJTREE/test/tmp/srt
rm -rf "$T" && mkdir -p "$T"
DUMMY="--input-mode dummy --dummy-width 320 --dummy-height 240 --dummy-fps 30 --no-nats \
--stats-interval-ms 0"
if $S $DUMMY --dummy-frames 1 --srt --srt-url srt://127.0.0.1:9 2>&1 | grep -q 'has no libsrt'; then
	skip_all "built without libsrt (scripts/deps.sh installs libsrt-openssl-dev)"
fi
command -v ffmpeg > /dev/null && command -v ffprobe > /dev/null || skip_all "no ffmpeg/ffprobe"
ffmpeg -hide_banner -protocols 2>/dev/null | grep -qx ' *srt' || skip_all "FFmpeg without libsrt"
have_x265=0
optional CONFIG_ENC_X265 && have_x265=1

# frames FILE: the video frames ffprobe decodes from FILE (0 if none).
cat > "$T/frames.sh" <<'EOF'
n=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames \
	-of csv=p=0 "$1" 2>/dev/null | head -n 1)
echo "${n:-0}"
EOF
FR="sh $T/frames.sh"
# lossy.py LISTEN FORWARD LOSS SECONDS: a UDP relay that drops LOSS of
# the SRT data packets (first bit 0) from the sender to FORWARD.
cat > "$T/lossy.py" <<'EOF'
import random, select, socket, sys, time
lp, fp, loss, secs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
rng = random.Random(1)
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.bind(('127.0.0.1', lp))
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); b.bind(('127.0.0.1', 0))
b.connect(('127.0.0.1', fp))
peer = None; fwd = dropped = 0; t0 = time.time()
while time.time() - t0 < secs:
    r, _, _ = select.select([a, b], [], [], 0.1)
    if a in r:
        d, peer = a.recvfrom(65536)
        if not d[0] & 0x80 and rng.random() < loss:
            dropped += 1; continue
        b.send(d); fwd += 1
    if b in r:
        d = b.recv(65536)
        if peer: a.sendto(d, peer)
print('forwarded', fwd, 'dropped', dropped, flush=True)
EOF

# ---- caller -> FFmpeg listener -------------------------------------------
for c in h264 h265; do
	[ $c = h265 ] && [ $have_x265 = 0 ] && { skip "caller $c" "needs x265"; continue; }
	p=$(free_port)
	testing "caller $c: FFmpeg listener decodes >= 60 frames" "
		timeout -s INT 15 ffmpeg -nostdin -hide_banner -v warning -y \
			-i 'srt://127.0.0.1:$p?mode=listener' -c copy -f mpegts $T/caller-$c.ts \
			> $T/caller-$c.ff 2>&1 & f=\$!
		sleep 0.5
		timeout 20 $S $DUMMY --dummy-frames 120 --codec $c --srt \
			--srt-url 'srt://127.0.0.1:$p?mode=caller&latency=80' > $T/caller-$c.log 2>&1
		rc=\$?; wait \$f; tail -n 1 $T/caller-$c.log; n=\$($FR $T/caller-$c.ts); echo frames=\$n
		[ \$rc -eq 0 ] && [ \$n -ge 60 ] && grep -q 'srt\[.*connects=1' $T/caller-$c.log"
done

# ---- FFmpeg caller(s) -> streamer listener ------------------------------
for c in h264 h265; do
	[ $c = h265 ] && [ $have_x265 = 0 ] && { skip "listener $c" "needs x265"; continue; }
	p=$(free_port)
	testing "listener $c, --srt-max-callers 2: two FFmpeg callers decode >= 60 frames each" "
		timeout 20 $S $DUMMY --dummy-frames 150 --codec $c --srt --srt-max-callers 2 \
			--srt-url 'srt://127.0.0.1:$p?mode=listener&latency=80' > $T/lst-$c.log 2>&1 & s=\$!
		. $SRCTREE/scripts/lib.sh
		wait_for $T/lst-$c.log 'listening on' 50 || { stop_pid \$s; exit 1; }
		for i in 1 2; do
			timeout -s INT 15 ffmpeg -nostdin -hide_banner -v warning -y \
				-i 'srt://127.0.0.1:$p?mode=caller&latency=80000' -c copy -f mpegts \
				$T/lst-$c-\$i.ts > $T/lst-$c-\$i.ff 2>&1 &
		done
		wait \$s; rc=\$?; wait
		tail -n 1 $T/lst-$c.log; n1=\$($FR $T/lst-$c-1.ts); n2=\$($FR $T/lst-$c-2.ts)
		echo frames=\$n1,\$n2
		[ \$rc -eq 0 ] && [ \$n1 -ge 60 ] && [ \$n2 -ge 60 ] &&
			grep -q 'srt\[.*connects=2' $T/lst-$c.log"
done

# ---- receiver restarted: the caller reconnects ------------------------------
p=$(free_port)
testing "caller: receiver restarted, reconnects (connects=2), stream resumes >= 60 frames" "
	timeout -s INT 3 ffmpeg -nostdin -hide_banner -v warning -y \
		-i 'srt://127.0.0.1:$p?mode=listener' -c copy -f mpegts $T/re1.ts > $T/re1.ff 2>&1 & f=\$!
	sleep 0.5
	timeout 30 $S $DUMMY --dummy-frames 330 --srt \
		--srt-url 'srt://127.0.0.1:$p?mode=caller&latency=80' > $T/re.log 2>&1 & s=\$!
	wait \$f
	timeout -s INT 25 ffmpeg -nostdin -hide_banner -v warning -y \
		-i 'srt://127.0.0.1:$p?mode=listener' -c copy -f mpegts $T/re2.ts > $T/re2.ff 2>&1 & f=\$!
	wait \$s; rc=\$?; wait \$f
	grep -E 'lost|reconnecting|connected to' $T/re.log; tail -n 1 $T/re.log
	n1=\$($FR $T/re1.ts); n2=\$($FR $T/re2.ts); echo frames=\$n1,\$n2
	[ \$rc -eq 0 ] && [ \$n2 -ge 60 ] && grep -q 'srt\[.*connects=2' $T/re.log"

# ---- lossy link ---------------------------------------------------------------
p=$(free_port)
r=$((p + 1))
testing "lossy link (5% of data packets dropped): retransmits counted, >= 60 frames" "
	timeout -s INT 15 ffmpeg -nostdin -hide_banner -v warning -y \
		-i 'srt://127.0.0.1:$p?mode=listener&latency=300000' -c copy -f mpegts $T/loss.ts \
		> $T/loss.ff 2>&1 & f=\$!
	timeout 15 python3 $T/lossy.py $r $p 0.05 12 > $T/loss.relay 2>&1 & y=\$!
	sleep 0.5
	timeout 20 $S $DUMMY --dummy-frames 120 --srt \
		--srt-url 'srt://127.0.0.1:$r?mode=caller&latency=300' > $T/loss.log 2>&1
	rc=\$?; wait \$f; . $SRCTREE/scripts/lib.sh; stop_pid \$y; cat $T/loss.relay; tail -n 1 $T/loss.log
	n=\$($FR $T/loss.ts); echo frames=\$n
	rt=\$(sed -n 's/.*srt\[.* retrans=\([0-9]*\).*/\1/p' $T/loss.log | tail -n 1)
	[ \$rc -eq 0 ] && [ \$n -ge 60 ] && [ \"\${rt:-0}\" -gt 0 ]"

# ---- encryption ---------------------------------------------------------------
p=$(free_port)
PASS=cvmmap-srt-secret-42
testing "encrypted (passphrase from the environment): decodes, never logged" "
	timeout -s INT 15 ffmpeg -nostdin -hide_banner -v warning -y \
		-i 'srt://127.0.0.1:$p?mode=listener&passphrase=$PASS&pbkeylen=32' -c copy \
		-f mpegts $T/enc.ts > $T/enc.ff 2>&1 & f=\$!
	sleep 0.5
	CVMMAP_SRT_PASSPHRASE=$PASS timeout 20 $S $DUMMY --dummy-frames 90 --log-level debug --srt \
		--srt-url 'srt://127.0.0.1:$p?mode=caller&pbkeylen=32' > $T/enc.log 2>&1
	rc=\$?; wait \$f; n=\$($FR $T/enc.ts); echo frames=\$n
	[ \$rc -eq 0 ] && [ \$n -ge 60 ] && grep -q encrypted $T/enc.log && ! grep -q '$PASS' $T/enc.log"

# ---- usage errors ---------------------------------------------------------------
E="$S $DUMMY --dummy-frames 1 --srt"
testing "--srt without --srt-url exits 2" "$E" 2
testing "--srt-url not srt:// exits 2" "$E --srt-url udp://127.0.0.1:5000" 2
testing "--srt-url without a port exits 2" "$E --srt-url srt://127.0.0.1" 2
testing "--srt-url mode=rendezvous exits 2" "$E --srt-url 'srt://127.0.0.1:5000?mode=rendezvous'" 2
testing "--srt-url latency=abc exits 2 and says milliseconds" \
	"$E --srt-url 'srt://127.0.0.1:5000?latency=abc' 2>&1 | grep -q MILLISECONDS" 0
testing "--srt-url latency=60001 exits 2" "$E --srt-url 'srt://127.0.0.1:5000?latency=60001'" 2
testing "--srt-url pbkeylen=20 exits 2" "$E --srt-url 'srt://127.0.0.1:5000?pbkeylen=20'" 2
testing "--srt-url unknown option exits 2" "$E --srt-url 'srt://127.0.0.1:5000?foo=1'" 2
testing "passphrase in the URL is refused (exit 2), not echoed" "
	$E --srt-url 'srt://127.0.0.1:5000?passphrase=topsecret123' > $T/pu.log 2>&1; rc=\$?
	cat $T/pu.log; [ \$rc -eq 2 ] && ! grep -q topsecret123 $T/pu.log"
testing "--srt-passphrase on the command line exits 2" \
	"$E --srt-url srt://127.0.0.1:5000 --srt-passphrase topsecret123" 2
testing "a passphrase of 9 characters exits 2" \
	"CVMMAP_SRT_PASSPHRASE=123456789 $E --srt-url srt://127.0.0.1:5000" 2
testing "--srt-max-callers 2 with mode=caller exits 2" \
	"$E --srt-url srt://127.0.0.1:5000 --srt-max-callers 2" 2
finish
