#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# rtp.sh - our RTP sender against real receivers (FFmpeg, GStreamer) and
# our rtp_receiver_tester, FFmpeg as the reference sender for the tester,
# and the tester's exit codes.  Loopback only; every process is bounded.
#
# Streams: 320x240 at 50 fps, 50 frames, GOP 25, no B-frames, AUDs on (so
# helper_rtp_send can cut access units), sent at 50 fps to keep it fast.
. "$SRCTREE/test/suites/testing.sh"
optional CONFIG_RTP || skip_all "CONFIG_RTP off"
optional CONFIG_TOOL_RTP_TESTER || skip_all "CONFIG_TOOL_RTP_TESTER off"
command -v ffmpeg > /dev/null || skip_all "ffmpeg not installed"

T=$OBJTREE/test/tmp/rtp
rm -rf "$T" && mkdir -p "$T"
TESTER="${TEST_EXEC:-} $BIN/rtp_receiver_tester"
SEND="${TEST_EXEC:-} $OBJTREE/test/helper_rtp_send"
FRAMES=50
export T TESTER SEND FRAMES

# Shell functions for the test commands (each runs in its own sh -c).
cat > "$T/lib.sh" <<'EOF'
# wait_bound PORT: until some process has bound UDP PORT on loopback.
wait_bound() {
	i=0
	while [ $i -lt 100 ]; do
		ss -Hlun "sport = :$1" 2>/dev/null | grep -q . && return 0
		sleep 0.05; i=$((i + 1))
	done
	echo "nobody bound UDP port $1"; return 1
}
# jcheck FILE EXPR: EXPR (Python, over the JSON object d) must be true.
jcheck() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}
# frames FILE: decoded frame count of a file, by ffprobe.
frames() {
	ffprobe -v error -count_frames -select_streams v:0 \
		-show_entries stream=nb_read_frames -of csv=p=0 "$1"
}
# Write the SDP first (bitexact: the same SDP the real run writes), so the
# receiver can be started before any packet is sent.
sdp_prepass() { # codec port sdp
	$SEND --codec $1 --in $T/src.$1 --endpoint 127.0.0.1:$2 --sdp $3 --bitexact --frames 1 2>/dev/null
}
EOF

# Python: are two Annex B files the same sequence of NAL units?
cat > "$T/nals.py" <<'EOF'
import re, sys
def nals(path):
    data = open(path, 'rb').read()
    return [n.rstrip(b'\0') for n in re.split(b'\0\0\1', data)[1:]]
a, b = nals(sys.argv[1]), nals(sys.argv[2])
print(len(a), 'and', len(b), 'NAL units')
sys.exit(0 if a == b and a else 1)
EOF

gen() { # codec encoder-options format
	ffmpeg -v error -y -f lavfi -i testsrc=size=320x240:rate=50 -frames:v $FRAMES \
		-pix_fmt yuv420p -preset ultrafast -bf 0 $2 -f $3 "$T/src.$1" \
		> "$LOGDIR/gen_$1.log" 2>&1
}
gen h264 "-c:v libx264 -x264-params aud=1:keyint=25:log-level=error" h264
gen h265 "-c:v libx265 -x265-params aud=1:keyint=25:log-level=error" hevc

for c in h264 h265; do
	C=$(echo $c | tr a-z A-Z)
	testing "$c source has $FRAMES frames" \
		". $T/lib.sh; test \"\$(frames $T/src.$c)\" -eq $FRAMES"

	# 1. our tester: every AU, no gaps, parameter sets first, RTCP SR + BYE,
	#    and the depacketised stream is the source's NAL sequence.
	P=$(free_port)
	testing "$c: tester receives every AU (strict)" "
		$TESTER --port $P --codec $c --expect-pt 96 --strict --idle-ms 700 \
			--timeout-ms 10000 --json --dump $T/dump.$c > $T/tester.$c.json &
		tp=\$!
		. $T/lib.sh; wait_bound $P || exit 1
		$SEND --codec $c --in $T/src.$c --endpoint 127.0.0.1:$P --sdp $T/ours.$c.sdp \
			--fps 50 --bitexact || exit 1
		wait \$tp || exit 1
		jcheck $T/tester.$c.json 'd[\"aus\"] == $FRAMES and d[\"keyframes\"] == 2 and \
			d[\"gaps\"] == 0 and d[\"malformed\"] == 0 and d[\"missing_marker\"] == 0 and \
			d[\"first_keyframe_has_params\"] is True and d[\"ssrc\"] == \"0x43564d4d\" and \
			d[\"rtcp_sr\"] >= 1 and d[\"rtcp_bye\"] == 1 and d[\"rtcp_foreign_ssrc\"] == 0'"
	testing "$c: depacketised stream = source NAL units" \
		"python3 $T/nals.py $T/src.$c $T/dump.$c"
	testing "$c: SDP written atomically, mode 0644" "
		test \"\$(stat -c %a $T/ours.$c.sdp)\" = 644 && ! test -e $T/ours.$c.sdp.tmp &&
		grep -q '^a=rtpmap:96 $C/90000' $T/ours.$c.sdp &&
		grep -q '^a=rtcp:$((P + 1))' $T/ours.$c.sdp && grep -q sprop- $T/ours.$c.sdp"

	# 2. FFmpeg through our SDP: every frame, no decode errors.  FFmpeg
	#    stops at our RTCP BYE (the helper sends it one frame period after
	#    the last AU, see docs/rtp.md); timeout is only the safety net.
	for mode in plain aggregate; do
		if [ $mode = aggregate ]; then opt="--aggregate --mtu 400"; else opt=""; fi
		P=$(free_port)
		testing "$c: ffmpeg decodes all $FRAMES frames ($mode)" "
			. $T/lib.sh; sdp_prepass $c $P $T/ff.$c.sdp || exit 1
			timeout 20 ffmpeg -v error -protocol_whitelist file,udp,rtp \
				-i $T/ff.$c.sdp -c copy -y $T/ff.$c.$mode.mkv 2> $T/ff.$c.$mode.log &
			fp=\$!
			wait_bound $P || exit 1
			$SEND --codec $c --in $T/src.$c --endpoint 127.0.0.1:$P --sdp $T/ff.$c.sdp \
				--fps 50 --bitexact $opt || exit 1
			wait \$fp
			cat $T/ff.$c.$mode.log; test ! -s $T/ff.$c.$mode.log || exit 1
			n=\$(frames $T/ff.$c.$mode.mkv); echo \"ffmpeg: \$n frames\"
			test \"\$n\" -eq $FRAMES || exit 1
			err=\$(ffmpeg -v error -i $T/ff.$c.$mode.mkv -f null - 2>&1)
			echo \"\$err\"; test -z \"\$err\""
	done
	testing "$c: tester and ffmpeg agree on frame count" \
		". $T/lib.sh; n=\$(frames $T/ff.$c.plain.mkv); jcheck $T/tester.$c.json \"d['aus'] == \$n\""

	# 3. GStreamer: num-buffers=$FRAMES reaches EOS (exit 0) only when every
	#    frame was decoded; one lost frame means a timeout.
	if command -v gst-launch-1.0 > /dev/null; then
		P=$(free_port)
		testing "$c: gstreamer rtp${c}depay decodes all $FRAMES frames" "
			. $T/lib.sh
			timeout 15 gst-launch-1.0 -q udpsrc address=127.0.0.1 port=$P \
				caps='application/x-rtp,media=video,clock-rate=90000,encoding-name=$C,payload=96' \
				! rtp${c}depay ! ${c}parse ! avdec_$c ! fakesink num-buffers=$FRAMES sync=false &
			gp=\$!
			wait_bound $P || exit 1
			$SEND --codec $c --in $T/src.$c --endpoint 127.0.0.1:$P --fps 50 --bitexact || exit 1
			wait \$gp"
	else
		skip "$c: gstreamer decodes all frames" "gst-launch-1.0 not installed"
	fi

	# 4. FFmpeg as the reference sender, validated by our tester.
	if [ $c = h264 ]; then enc="-c:v libx264 -x264-params keyint=25:log-level=error"
	else enc="-c:v libx265 -x265-params keyint=25:repeat-headers=1:log-level=error"; fi
	P=$(free_port)
	testing "$c: tester validates ffmpeg's RTP (strict)" "
		$TESTER --port $P --codec $c --expect-pt 96 --strict --au-threshold 25 \
			--idle-ms 700 --timeout-ms 10000 --json > $T/ref.$c.json &
		tp=\$!
		. $T/lib.sh; wait_bound $P || exit 1
		ffmpeg -v error -re -f lavfi -i testsrc=size=320x240:rate=25 -t 1 -pix_fmt yuv420p \
			-preset ultrafast -tune zerolatency $enc -payload_type 96 \
			-f rtp 'rtp://127.0.0.1:$P?pkt_size=1200' > /dev/null || exit 1
		wait \$tp || exit 1
		jcheck $T/ref.$c.json 'd[\"aus\"] == 25 and d[\"gaps\"] == 0 and \
			d[\"first_keyframe_has_params\"] is True'"
done

# 5. A keyframe without in-band parameter sets: the sink puts its saved
#    copies back after the AUD, so the receiver sees the source's NALs.
cat > "$T/strip.py" <<'EOF'
import re, sys
codec, src, dst = sys.argv[1:]
nals = [n.rstrip(b'\0') for n in re.split(b'\0\0\1', open(src, 'rb').read())[1:]]
typ = (lambda n: n[0] & 31) if codec == 'h264' else (lambda n: (n[0] >> 1) & 63)
ps = (7, 8) if codec == 'h264' else (32, 33, 34)
first = [i for i, n in enumerate(nals) if typ(n) in ps][:len(ps)]
out = [n for i, n in enumerate(nals) if typ(n) not in ps or i in first]
print(len(nals) - len(out), 'parameter sets removed')
open(dst, 'wb').write(b''.join(b'\0\0\0\1' + n for n in out))
sys.exit(0 if len(out) < len(nals) else 1)
EOF
for c in h264 h265; do
	P=$(free_port)
	testing "$c: saved parameter sets go before a bare keyframe" "
		python3 $T/strip.py $c $T/src.$c $T/bare.$c || exit 1
		$TESTER --port $P --codec $c --strict --au-threshold $FRAMES --idle-ms 500 \
			--timeout-ms 8000 --dump $T/rebuilt.$c &
		tp=\$!
		. $T/lib.sh; wait_bound $P || exit 1
		$SEND --codec $c --in $T/bare.$c --endpoint 127.0.0.1:$P --fps 200 --bitexact || exit 1
		wait \$tp && python3 $T/nals.py $T/src.$c $T/rebuilt.$c"
done

# 6. Exit codes of the tester.
P=$(free_port)
testing "tester: payload type mismatch exits 3" "
	$TESTER --port $P --expect-pt 97 --timeout-ms 5000 &
	tp=\$!
	. $T/lib.sh; wait_bound $P || exit 1
	$SEND --codec h264 --in $T/src.h264 --endpoint 127.0.0.1:$P --pt 96 --fps 100 --frames 5
	wait \$tp" 3
P=$(free_port)
testing "tester: threshold not met exits 4" "
	$TESTER --port $P --packet-threshold 100000 --timeout-ms 1500 &
	tp=\$!
	. $T/lib.sh; wait_bound $P || exit 1
	$SEND --codec h264 --in $T/src.h264 --endpoint 127.0.0.1:$P --fps 100 --frames 5
	wait \$tp" 4
testing "tester: nothing received exits 124" \
	"$TESTER --port $(free_port) --timeout-ms 300" 124
# A garbage datagram (version 0) and a truncated FU-A.
cat > "$T/garbage.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(bytes(20), ('127.0.0.1', int(sys.argv[1])))
s.sendto(bytes.fromhex('806000010000000000000001' '7c'), ('127.0.0.1', int(sys.argv[1])))
EOF
P=$(free_port)
testing "tester: malformed datagram with --strict exits 7" "
	$TESTER --port $P --strict --timeout-ms 3000 &
	tp=\$!
	. $T/lib.sh; wait_bound $P || exit 1
	python3 $T/garbage.py $P; wait \$tp" 7
P=$(free_port)
testing "tester: malformed datagrams without --strict are counted" "
	$TESTER --port $P --packet-threshold 5 --timeout-ms 1000 --json > $T/garbage.json &
	tp=\$!
	. $T/lib.sh; wait_bound $P || exit 1
	python3 $T/garbage.py $P; wait \$tp; rc=\$?
	jcheck $T/garbage.json 'd[\"malformed\"] == 2 and d[\"bad_header\"] == 1' && exit \$rc" 4
testing "tester: bad codec exits 2" "$TESTER --port 5004 --codec vp8" 2
testing "tester: missing --port exits 2" "$TESTER --timeout-ms 10" 2
testing "tester: --help exits 0" "$TESTER --help | grep -q -- --expect-pt"

# 7. The sender never stops on errors: nobody listens (ICMP port
#    unreachable -> ECONNREFUSED is counted); IPv6 literal.
P=$(free_port)
testing "sender: refused destination is counted, not fatal" "
	out=\$($SEND --codec h264 --in $T/src.h264 --endpoint 127.0.0.1:$P --fps 200 --no-rtcp 2>&1)
	echo \"\$out\"; echo \"\$out\" | grep -Eq '$FRAMES aus .* [1-9][0-9]* send_errors'"
if python3 -c 'import socket; s=socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("::1", 0))' 2>/dev/null; then
	P=$(free_port)
	testing "sender: IPv6 literal [::1]:port" "
		$TESTER --port $P --listen-host ::1 --codec h265 --au-threshold $FRAMES --idle-ms 500 \
			--timeout-ms 8000 --json --strict > $T/v6.json &
		tp=\$!
		. $T/lib.sh; wait_bound $P || exit 1
		$SEND --codec h265 --in $T/src.h265 --endpoint '[::1]:$P' --sdp $T/v6.sdp --fps 100 || exit 1
		wait \$tp && grep -q '^c=IN IP6 ::1' $T/v6.sdp"
else
	skip "sender: IPv6 literal [::1]:port" "no IPv6 loopback"
fi
testing "sender: bad endpoint exits 2" \
	"$SEND --codec h264 --in $T/src.h264 --endpoint 127.0.0.1" 2
finish
