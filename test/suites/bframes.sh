#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bframes.sh - --b-frames N end to end, proven by FFmpeg and GStreamer
# (issue 15).
#
# With B-frames access units leave the encoder in decode order: RTP must
# stamp each with its presentation time (RFC 6184 5.1 / RFC 7798 4.1),
# FLV must carry DTS in the tag and PTS - DTS in CompositionTime (AVC,
# HEVC id 12 and E-RTMP CodedFrames), the frames the encoder still holds
# must come out on a clean stop.  For h264 and h265 with 0..3 B-frames:
#  - RTP: FFmpeg (through an SDP) decodes every frame that went in, with
#    no warning; FFmpeg 5.1 guesses its own timestamps for RTP without
#    DTS, so the RTP presentation times are checked by GStreamer:
#    rtpjitterbuffer mode=none stamps each frame with its RTP time, and
#    the decoded frames must come out exactly one frame period apart;
#  - RTMP (H.264): FFmpeg -listen decodes every frame, presentation times
#    strictly increasing;
#  - RTMP (H.265, E-RTMP hvc1): through node-media-server 4.4.3, pulled
#    and decoded by node-av (FFmpeg 8.1 in Node; Debian's 5.1 cannot read
#    HEVC in FLV, and the 2023 npm ffprobe misreads E-RTMP CodedFrames
#    with a CompositionTime) when npm can install them.  FFmpeg -listen
#    ends every RTMP input with one "Input/output error" when the
#    publisher closes (FFmpeg publishing to it does the same): that line
#    alone is not counted as a warning.
# A producer stream with B-frames (v2.1 carries PTS only) is forwarded in
# passthrough and decodes to the source's frames, in order.
. "$SRCTREE/test/suites/testing.sh"
command -v ffmpeg > /dev/null || skip_all "ffmpeg not installed"
optional CONFIG_ENC_X264 || skip_all "needs x264"
T=$OBJTREE/test/tmp/bframes
rm -rf "$T" && mkdir -p "$T"
S=$BIN/cvmmap_streamer
N=60
# --queue-size 8: these rows count every frame, so a slow moment (qemu, a
# loaded runner) must not drop one (latest-frame drops are faults.sh's)
DUMMY="--input-mode dummy --dummy-width 320 --dummy-height 240 --dummy-fps 30 --no-nats \
--stats-interval-ms 0 --queue-size 8"
FF="ffmpeg -nostdin -nostats -loglevel level+info"

# FFmpeg's verdict (-fps_mode passthrough -vf showinfo): LOG WANT [order]:
# WANT frames, no [warning]/[error] line; with "order", pts strictly rising.
cat > "$T/verdict" <<'EOF'
log=$1 want=$2
n=$(grep -ac 'Parsed_showinfo.* n: *[0-9]' "$log")
bad=$(grep -aE '^\[(warning|error|fatal)\]' "$log" | grep -v 'Immediate exit requested' |
	grep -v '^\[error\] rtmp://.*: Input/output error$' | head -n 3)
order=$(grep -a 'Parsed_showinfo.* n: *[0-9]' "$log" | sed -n 's/.* pts: *\(-\{0,1\}[0-9]*\) .*/\1/p' |
	awk 'NR > 1 && $1 <= prev { bad = 1 } { prev = $1 } END { print bad ? "out of order" : "increasing" }')
echo "ffmpeg frames=$n/$want order=$order ${bad:+warnings: $bad}"
[ "$n" -eq "$want" ] && [ -z "$bad" ] && { [ "${3:-}" != order ] || [ "$order" = increasing ]; }
EOF
verdict="sh $T/verdict"
# frames_due N STREAMER_LOG ($T/want): the frames FFmpeg must decode: N, or N - 1 when the
# streamer's exit line says the only frame lost was one the producer's
# next sync overtook before the ingest thread took it (skipped: latest-
# frame semantics on a loaded machine, not a B-frame matter).  Any other
# loss, or a second one, still demands N.
cat > "$T/want" <<'EOF'
case $(grep 'pipeline: exit: ' "$2" | tail -n 1) in
*" lost=1(skipped=1) "*) echo $(($1 - 1)) ;;
*) echo "$1" ;;
esac
EOF
frames_due="sh $T/want"
# GStreamer's verdict: LOG MIN PERIOD_MS: at least MIN frames (without an
# EOS the decoder keeps its reorder delay), each one PERIOD_MS after the last.
cat > "$T/gverdict" <<'EOF'
sed -n 's/.*last-message = chain.* pts: \([0-9]*\):\([0-9]*\):\([0-9.]*\),.*/\1 \2 \3/p' "$1" |
	awk -v min="$2" -v per="$3" '{ t = ($1 * 3600 + $2 * 60 + $3) * 1000
		if (NR > 1 && (t - p < per - 1 || t - p > per + 1)) bad++; p = t }
	END { printf "gstreamer frames=%d (>= %d) steps_not_one_frame=%d\n", NR, min, bad
	      exit !(NR >= min && bad == 0) }'
EOF
gverdict="sh $T/gverdict"
have_gst=0
command -v gst-launch-1.0 > /dev/null && gst-inspect-1.0 rtpjitterbuffer > /dev/null 2>&1 &&
	gst-inspect-1.0 avdec_h264 > /dev/null 2>&1 && have_gst=1

# sdp FILE CODEC PORT: the minimal SDP a receiver needs for our stream.
sdp() {
	e=H264; [ "$2" = h265 ] && e=H265
	printf 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=bframes\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video %s RTP/AVP 96\r\na=rtpmap:96 %s/90000\r\n' \
		"$3" "$e" > "$1"
}

# gst_rtp CODEC PORT LOG: decode RTP, frames stamped with their RTP times.
gst_rtp() {
	e=H264 p=h264; [ "$1" = h265 ] && e=H265 p=h265
	timeout 20 gst-launch-1.0 udpsrc port="$2" \
		caps="application/x-rtp,media=video,clock-rate=90000,encoding-name=$e,payload=96" \
		! rtpjitterbuffer mode=none ! rtp${p}depay ! ${p}parse ! avdec_$p \
		! fakesink silent=false sync=false -v > "$3" 2>&1
}

# rtp_row CODEC B: FFmpeg reads an SDP for our port, we stream N frames;
# then GStreamer receives 30 more.
rtp_row() {
	c=$1 b=$2 d=$T/rtp_$1_$2 port=$(free_port)
	mkdir -p "$d"
	sdp "$d/in.sdp" "$c" "$port"
	timeout 40 $FF -protocol_whitelist file,udp,rtp -i "$d/in.sdp" -fps_mode passthrough \
		-vf showinfo -f null - > "$d/ffmpeg.log" 2>&1 &
	fp=$!
	sleep 1
	# shellcheck disable=SC2086
	timeout 40 ${TEST_EXEC:-} "$S" $DUMMY --dummy-frames $N --codec "$c" --b-frames "$b" \
		--rtp --rtp-endpoint "127.0.0.1:$port" > "$d/streamer.log" 2>&1
	echo $? > "$d/rc"
	wait $fp        # RTCP BYE ends FFmpeg's input
	[ $have_gst = 1 ] || return 0
	gst_rtp "$c" "$port" "$d/gst.log" &
	gp=$!
	sleep 1.5
	# shellcheck disable=SC2086
	timeout 40 ${TEST_EXEC:-} "$S" $DUMMY --dummy-frames 30 --codec "$c" --b-frames "$b" \
		--rtp --rtp-endpoint "127.0.0.1:$port" > "$d/streamer2.log" 2>&1
	sleep 1
	kill $gp 2> /dev/null
	wait $gp
}

# rtmp_row B: FFmpeg listens (H.264 only in 5.1); a producer that starts
# after the connection is up sends N frames, we publish them.
rtmp_row() {
	b=$1 d=$T/rtmp_h264_$1 port=$(free_port) inst=bfr$$_$1
	mkdir -p "$d"
	timeout 40 $FF -listen 1 -i "rtmp://127.0.0.1:$port/live/b" -fps_mode passthrough \
		-vf showinfo -f null - > "$d/ffmpeg.log" 2>&1 &
	fp=$!
	sleep 1
	timeout 40 ${TEST_EXEC:-} "$S" --input "$inst" --codec h264 --b-frames "$b" --no-nats \
		--stats-interval-ms 0 --ingest-idle-timeout-ms 4000 --queue-size 8 \
		--rtmp --rtmp-url "rtmp://127.0.0.1:$port/live/b" > "$d/streamer.log" 2>&1 &
	sp=$!
	timeout 40 ${TEST_EXEC:-} "$OBJTREE/test/helper_misbehave" --instance "$inst" --frames $N \
		--fps 30 --size 320x240 --start-delay-ms 1500 > "$d/producer.log" 2>&1
	wait $sp; echo $? > "$d/rc"
	wait $fp
}

for c in ${BF_CODECS:-h264 h265}; do
	if [ $c = h265 ] && ! optional CONFIG_ENC_X265; then
		skip "h265 B-frames" "x265 off"
		continue
	fi
	optional CONFIG_RTP || continue
	for b in 0 1 2 3; do
		rtp_row $c $b
		d=$T/rtp_${c}_$b
		testing "rtp $c --b-frames $b: FFmpeg decodes $N/$N, GStreamer times them in order" \
			"tail -n 1 $d/streamer.log; [ \$(cat $d/rc) -eq 0 ] &&
			 $verdict $d/ffmpeg.log \$($frames_due $N $d/streamer.log) &&
			 { [ $have_gst = 0 ] || $gverdict $d/gst.log 27 33.3; }"
	done
done
if optional CONFIG_RTMP && [ -x "$OBJTREE/test/helper_misbehave" ]; then
	for b in 0 1 2 3; do
		rtmp_row $b
		d=$T/rtmp_h264_$b
		testing "rtmp h264 --b-frames $b: FFmpeg -listen decodes $N/$N in order" \
			"tail -n 1 $d/streamer.log; [ \$(cat $d/rc) -eq 0 ] &&
			 $verdict $d/ffmpeg.log \$($frames_due $N $d/streamer.log) order"
	done
fi

# ---- H.265 over E-RTMP with B-frames: node-media-server + node-av ------
PEERS=$SRCTREE/build/peers
NMS4=$PEERS/node/node_modules/node-media-server/bin/app.js
if optional CONFIG_RTMP && optional CONFIG_ENC_X265 && [ -z "${TEST_EXEC:-}" ] &&
   command -v node > /dev/null && npm_peer node node-media-server@4.4.3 &&
   npm_peer nodeav node-av@6.1.1; then
	cat > "$PEERS/nodeav/pull.js" <<'EOF2'
// pull.js URL N: decode N frames of an RTMP stream with node-av (FFmpeg 8),
// "codec=.. frames=N out_of_order=N"; exit 0 when all came in PTS order.
if (!Promise.withResolvers) Promise.withResolvers = function () { let resolve, reject; const promise = new Promise((a, b) => { resolve = a; reject = b; }); return { promise, resolve, reject }; };
const { Demuxer, Decoder, avGetCodecName } = require('node-av');
(async () => {
  const want = Number(process.argv[3] || 60);
  const input = await Demuxer.open(process.argv[2], { options: { analyzeduration: '500000' } });
  const v = input.video();
  const dec = await Decoder.create(v);
  const pts = [];
  outer: for await (const pkt of input.packets(v.index)) {
    if (!pkt) continue;
    for await (const f of dec.frames(pkt)) { if (!f) continue; pts.push(Number(f.pts)); if (pts.length >= want) break outer; }
  }
  let bad = 0;
  for (let i = 1; i < pts.length; i++) if (pts[i] <= pts[i - 1]) bad++;
  console.log(`codec=${avGetCodecName(v.codecpar.codecId)} frames=${pts.length} out_of_order=${bad}`);
  process.exit(pts.length >= want && bad === 0 ? 0 : 1);
})().catch(e => { console.error('ERR', e.message); process.exit(1); });
EOF2
	for b in 0 2; do
		d=$T/nms_$b P=$(free_port) H=$(free_port)
		mkdir -p "$d"
		cat > "$d/nms.json" <<EOF2
{ "bind": "127.0.0.1", "notify": {"url": ""}, "store": {"path": "$d/data", "maxHistory": 100},
  "auth": {"play": false, "publish": false, "secret": ""}, "rtmp": {"port": $P}, "http": {"port": $H},
  "webadmin": {"enable": false}, "record": {"auto": false, "path": "$d/rec"} }
EOF2
		testing "rtmp h265 hvc1 --b-frames $b: node-media-server, node-av decodes in order" "
			timeout 40 node $NMS4 -c $d/nms.json --no-admin > $d/nms.log 2>&1 & n=\$!
			sleep 1.5
			timeout 30 $S $DUMMY --dummy-frames 240 --codec h265 --b-frames $b --rtmp \
				--rtmp-mode enhanced --rtmp-url rtmp://127.0.0.1:$P/live/b > $d/streamer.log 2>&1 & s=\$!
			sleep 1.5
			(cd $PEERS/nodeav && timeout 20 node pull.js rtmp://127.0.0.1:$P/live/b 60); r=\$?
			wait \$s; kill \$n; wait \$n; exit \$r"
	done
else
	skip "rtmp h265 hvc1 B-frames via node-media-server" "npm peers cannot be installed, or qemu"
fi

# ---- a producer's B-frames, forwarded untouched --------------------------
if optional CONFIG_PASSTHROUGH && optional CONFIG_RTP && [ -x "$OBJTREE/test/helper_misbehave" ]; then
	for c in h264 h265; do
		[ $c = h265 ] && ! optional CONFIG_ENC_X265 && continue
		d=$T/pt_$c port=$(free_port)
		src=$SRCTREE/test/vectors/codec/pt_176x144_g10_b2.$c
		fmt=h264; [ $c = h265 ] && fmt=hevc
		mkdir -p "$d"
		sdp "$d/in.sdp" "$c" "$port"
		ffmpeg -v error -f $fmt -i "$src" -f framemd5 - | grep -v '^#' | awk -F, '{print $NF}' > "$d/src.md5"
		cat "$d/src.md5" "$d/src.md5" > "$d/src2.md5"      # the producer loops the file
		for rx in ffmpeg gst; do
			[ $rx = gst ] && [ $have_gst = 0 ] && continue
			inst=bf$$_$c$rx
			if [ $rx = ffmpeg ]; then
				timeout 40 $FF -protocol_whitelist file,udp,rtp -i "$d/in.sdp" -fps_mode passthrough \
					-vf showinfo -f framemd5 "$d/got.md5" > "$d/ffmpeg.log" 2>&1 &
			else
				gst_rtp "$c" "$port" "$d/gst.log" &
			fi
			rp=$!
			timeout 40 ${TEST_EXEC:-} "$S" --input "$inst" --codec $c --no-nats --stats-interval-ms 0 \
				--queue-size 8 --rtp --rtp-endpoint "127.0.0.1:$port" --ingest-idle-timeout-ms 4000 \
				> "$d/streamer_$rx.log" 2>&1 &
			sp=$!
			timeout 40 ${TEST_EXEC:-} "$OBJTREE/test/helper_misbehave" --instance "$inst" \
				--frames 40 --fps 10 --size 176x144 --annexb "$src" --pts "$src.pts" --codec $c \
				--start-delay-ms 1500 > "$d/producer_$rx.log" 2>&1
			wait $sp; echo $? > "$d/rc_$rx"
			[ $rx = gst ] && { sleep 1; kill $rp 2> /dev/null; }
			wait $rp
		done
		grep -v '^#' "$d/got.md5" | awk -F, '{print $NF}' > "$d/got"
		testing "passthrough $c with B-frames: 40/40 frames, bit-identical, timed in order" "
			tail -n 1 $d/streamer_ffmpeg.log; [ \$(cat $d/rc_ffmpeg) -eq 0 ] &&
			$verdict $d/ffmpeg.log 40 && cmp $d/got $d/src2.md5 &&
			{ [ $have_gst = 0 ] || $gverdict $d/gst.log 37 100; }"
	done
else
	skip "passthrough with B-frames" "needs passthrough, RTP and helper_misbehave"
fi
finish
