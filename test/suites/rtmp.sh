#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# rtmp.sh - our RTMP publisher (rtmp_sink via helper_rtmp_send) against real
# servers and our rtmp_stub_tester; the stub's exit codes.  Loopback only;
# every process is bounded by timeout(1) or --timeout-ms and waited for.
#
#   H.264 id 7      -> ffmpeg -listen 1 (writes FLV), nginx-rtmp (record all),
#                      stub (FLV + Annex B dumps)
#   H.265 hvc1      -> node-media-server 4.4.3, pulled and decoded by the npm
#                      static ffprobe; stub + Annex B decoded by Debian ffmpeg
#   H.265 id 12     -> node-media-server 2.7.4 (logs codec_id=12 H265 WxH);
#                      stub + Annex B decoded by Debian ffmpeg
#   reconnect       -> a stub that drops after 20 frames, then a fresh stub:
#                      sequence header + keyframe first again
# npm peers live in $SRCTREE/build/peers/{node,nms2} (installed once, ~10 s).
. "$SRCTREE/test/suites/testing.sh"
optional CONFIG_RTMP || skip_all "CONFIG_RTMP off"
optional CONFIG_TOOL_RTMP_TESTER || skip_all "CONFIG_TOOL_RTMP_TESTER off"
command -v ffmpeg > /dev/null || skip_all "ffmpeg not installed"

T=$OBJTREE/test/tmp/rtmp
rm -rf "$T" && mkdir -p "$T"
STUB="${TEST_EXEC:-} $BIN/rtmp_stub_tester"
SEND="${TEST_EXEC:-} $OBJTREE/test/helper_rtmp_send"
PEERS=$SRCTREE/build/peers
export T STUB SEND PEERS

cat > "$T/lib.sh" <<'EOF2'
# wait_listen PORT: until something listens on TCP PORT (never connects,
# so a one-shot server is not used up).
wait_listen() {
	i=0
	while [ $i -lt 100 ]; do
		ss -Hltn "sport = :$1" 2>/dev/null | grep -q . && return 0
		sleep 0.05; i=$((i + 1))
	done
	echo "nobody listens on TCP port $1"; return 1
}
# jcheck FILE EXPR: EXPR (Python, over the JSON object d) must be true.
jcheck() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d); sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$1" "$2"
}
# frames [ffprobe options] FILE: decoded video frame count.
frames() {
	ffprobe -v error -count_frames -select_streams v:0 \
		-show_entries stream=nb_read_frames -of csv=p=0 "$@"
}
# decodes FILE [demuxer]: ffmpeg decodes it without a single error line.
decodes() {
	out=$(ffmpeg -nostdin -v error ${2:+-f $2} -i "$1" -f null - 2>&1)
	[ -z "$out" ] || { echo "$out" | head; return 1; }
}
# stub_run NAME PORT STUB-ARGS... -- SEND-ARGS...: the stub (JSON to
# $T/NAME.json, dumps $T/NAME.flv and $T/NAME.es) with one publisher;
# returns the stub's exit code (the publisher's must be 0).
stub_run() {
	name=$1 port=$2; shift 2
	sa= ; while [ "$1" != "--" ]; do sa="$sa $1"; shift; done; shift
	$STUB --listen-port "$port" --json --dump "$T/$name.flv" \
		--dump-annexb "$T/$name.es" $sa > "$T/$name.json" &
	s=$!
	wait_listen "$port" || { kill $s; wait $s; return 99; }
	$SEND --url "rtmp://127.0.0.1:$port/live/x" "$@" || echo "publisher failed"
	wait $s; rc=$?
	cat "$T/$name.json"
	return $rc
}
EOF2

# 2 s of 320x240 at 25 fps, GOP 25 (2 IDRs), no B-frames, AUDs on.
testing "make test streams" "
	ffmpeg -nostdin -v error -f lavfi -i testsrc=size=320x240:rate=25 -t 2 \
		-pix_fmt yuv420p -c:v libx264 -preset ultrafast -tune zerolatency \
		-g 25 -x264-params aud=1 -f h264 $T/in.h264 &&
	ffmpeg -nostdin -v error -f lavfi -i testsrc=size=320x240:rate=25 -t 2 \
		-pix_fmt yuv420p -c:v libx265 -preset ultrafast -tune zerolatency \
		-x265-params aud=1:keyint=25:log-level=error -f hevc $T/in.h265"

# ---- our stub, all three forms ---------------------------------------------
P=$(free_port)
testing "h264 id7 -> stub: 50 frames, 1 sequence header, dumps decode" "
	. $T/lib.sh
	stub_run h264 $P --mode h264 --video-threshold 50 -- \
		--codec h264 --in $T/in.h264 --fps 100 &&
	jcheck $T/h264.json 'd[\"frames\"] == 50 and d[\"keyframes\"] == 2 and
		d[\"seq_headers\"] == 1 and d[\"videocodecid\"] == 7 and d[\"width\"] == 320' &&
	test \"\$(frames $T/h264.flv)\" = 50 && decodes $T/h264.flv &&
	test \"\$(frames -f h264 $T/h264.es)\" = 50 && decodes $T/h264.es h264"

P=$(free_port)
testing "h265 enhanced (hvc1) -> stub: Annex B dump decodes, 50 frames" "
	. $T/lib.sh
	stub_run hvc1 $P --mode h265-enhanced --video-threshold 50 -- \
		--codec h265 --mode enhanced --in $T/in.h265 --fps 100 &&
	jcheck $T/hvc1.json 'd[\"frames\"] == 50 and d[\"seq_headers\"] == 1 and
		d[\"videocodecid\"] == 1752589105' &&
	test \"\$(frames -f hevc $T/hvc1.es)\" = 50 && decodes $T/hvc1.es hevc"

P=$(free_port)
testing "h265 domestic (id 12) -> stub (--mode h265 --expect-rtmp-mode): decodes" "
	. $T/lib.sh
	stub_run id12 $P --mode h265 --expect-rtmp-mode domestic --video-threshold 50 -- \
		--codec h265 --mode domestic --in $T/in.h265 --fps 100 &&
	jcheck $T/id12.json 'd[\"frames\"] == 50 and d[\"videocodecid\"] == 12' &&
	test \"\$(frames -f hevc $T/id12.es)\" = 50 && decodes $T/id12.es hevc"

# ---- the stub's exit codes -----------------------------------------------
P=$(free_port)
testing "stub: hvc1 publisher, domestic expected -> 6" "
	. $T/lib.sh
	stub_run mm1 $P --mode h265-domestic -- \
		--codec h265 --mode enhanced --in $T/in.h265 --fps 100 --frames 10" 6
P=$(free_port)
testing "stub: h264 publisher, h265-enhanced expected -> 6" "
	. $T/lib.sh
	stub_run mm2 $P --mode h265-enhanced -- --codec h264 --in $T/in.h264 --fps 100 --frames 10" 6
P=$(free_port)
testing "stub: 50 frames, threshold 100 -> 4" "
	. $T/lib.sh
	stub_run thr $P --mode h264 --video-threshold 100 -- --codec h264 --in $T/in.h264 --fps 100" 4
P=$(free_port)
testing "stub: nobody publishes -> 124" "$STUB --mode h264 --listen-port $P --timeout-ms 300" 124
testing "stub: bad mode -> 2" "$STUB --mode vp8 --listen-port 1935" 2
testing "stub: h265 without --expect-rtmp-mode -> 2" "$STUB --mode h265 --listen-port 1935" 2
testing "stub: missing port -> 2" "$STUB --mode h264" 2
P=$(free_port)
testing "stub: garbage instead of a handshake -> 7" "
	. $T/lib.sh
	$STUB --mode h264 --listen-port $P --timeout-ms 3000 & s=\$!
	wait_listen $P && python3 -c 'import socket; s=socket.create_connection((\"127.0.0.1\", $P)); s.sendall(b\"\\x06\" + bytes(1536)); s.recv(1)' 
	wait \$s" 7

# ---- reconnect: the server drops us, a new one must get a clean start ------
P=$(free_port)
testing "reconnect: drop after 20 frames, new server gets header + keyframe first" "
	. $T/lib.sh
	$STUB --mode h264 --listen-port $P --drop-after 20 --json > $T/rc1.json & s1=\$!
	wait_listen $P || exit 1
	$SEND --codec h264 --in $T/in.h264 --url rtmp://127.0.0.1:$P/live/x --fps 25 \
		--loop-seconds 6 --reconnect-min-ms 100 > $T/rc.send & p=\$!
	wait \$s1 || exit 1
	$STUB --mode h264 --listen-port $P --video-threshold 40 --json \
		--dump-annexb $T/rc2.es --timeout-ms 8000 > $T/rc2.json; rc=\$?
	wait \$p; cat $T/rc1.json $T/rc.send
	test \$rc = 0 && jcheck $T/rc2.json 'd[\"frames\"] == 40 and d[\"seq_headers\"] == 1' &&
	grep -q ' 2 connects, 2 disconnects' $T/rc.send && decodes $T/rc2.es h264"

# ---- congestion: a stalled server makes the sink drop whole GOP parts -------
testing "stalled server (2 s): AUs dropped up to a keyframe, stream still decodes" "
	. $T/lib.sh
	ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=640x360:rate=25 -t 2 \
		-pix_fmt yuv420p -c:v libx264 -preset ultrafast -crf 5 -g 25 \
		-x264-params aud=1 -f h264 $T/big.h264 || exit 1
	stub_run stall $(free_port) --mode h264 --stall-ms 2000 --timeout-ms 15000 -- \
		--codec h264 --in $T/big.h264 --fps 25 --loop-seconds 5 --window-ms 300 \
		> $T/stall.out; rc=\$?; cat $T/stall.out
	test \$rc = 0 && grep -Eq ' [1-9][0-9]* dropped' $T/stall.out &&
	decodes $T/stall.es h264"

# ---- real peers: H.264 -------------------------------------------------------
P=$(free_port)
testing "h264 -> ffmpeg -listen 1: 50 frames, decodes cleanly" "
	. $T/lib.sh
	timeout 20 ffmpeg -nostdin -v error -listen 1 -i rtmp://127.0.0.1:$P/live/x \
		-c copy -y $T/ff.flv & f=\$!
	wait_listen $P || exit 1
	$SEND --codec h264 --in $T/in.h264 --url rtmp://127.0.0.1:$P/live/x --fps 25
	wait \$f
	ffprobe -v error -show_entries stream=codec_name,width,height -of compact $T/ff.flv &&
	test \"\$(frames $T/ff.flv)\" = 50 && decodes $T/ff.flv"

if command -v nginx > /dev/null && [ -f /usr/lib/nginx/modules/ngx_rtmp_module.so ]; then
	P=$(free_port)
	mkdir -p "$T/nginx/rec"
	cat > "$T/nginx/nginx.conf" <<EOF2
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
daemon off; master_process off; worker_processes 1; pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log info;
events { worker_connections 64; }
rtmp { server { listen 127.0.0.1:$P; chunk_size 4096;
	application live { live on; record all; record_path $T/nginx/rec; record_unique off; } } }
EOF2
	testing "h264 -> nginx-rtmp (record all): 50 frames, decodes cleanly" "
		. $T/lib.sh
		timeout 20 nginx -p $T/nginx -c $T/nginx/nginx.conf & n=\$!
		wait_listen $P || { kill \$n; wait \$n; exit 1; }
		$SEND --codec h264 --in $T/in.h264 --url rtmp://127.0.0.1:$P/live/x --fps 25; r=\$?
		sleep 0.2; kill \$n; wait \$n
		test \$r = 0 && test \"\$(frames $T/nginx/rec/x.flv)\" = 50 &&
		decodes $T/nginx/rec/x.flv"
else
	skip "h264 -> nginx-rtmp" "nginx or libnginx-mod-rtmp not installed"
fi

# ---- real peers: H.265 (npm) -------------------------------------------------

NMS4=$PEERS/node/node_modules/node-media-server/bin/app.js
NPMPROBE=$PEERS/node/node_modules/@ffprobe-installer/linux-x64/ffprobe
if npm_peer node node-media-server@4.4.3 @ffprobe-installer/linux-x64@5.2.0; then
	chmod u+x "$NPMPROBE"   # its postinstall (chmod) is not run by npm 11
	P=$(free_port)
	cat > "$T/nms4.json" <<EOF2
{ "bind": "127.0.0.1", "notify": {"url": ""}, "store": {"path": "$T/nms4data", "maxHistory": 100},
  "auth": {"play": false, "publish": false, "secret": ""}, "rtmp": {"port": $P},
  "http": {"port": $((P + 1))}, "webadmin": {"enable": false},
  "record": {"auto": false, "path": "$T/nms4rec"} }
EOF2
	testing "h265 hvc1 -> node-media-server 4.4.3, npm ffprobe pulls 50 hevc frames" "
		. $T/lib.sh
		timeout 30 node $NMS4 -c $T/nms4.json --no-admin > $T/nms4.log 2>&1 & n=\$!
		wait_listen $P || { kill \$n; wait \$n; exit 1; }
		$SEND --codec h265 --mode enhanced --in $T/in.h265 --url rtmp://127.0.0.1:$P/live/hevc \
			--fps 25 --loop-seconds 5 & p=\$!
		sleep 1
		timeout 10 $NPMPROBE -v error -analyzeduration 500000 -count_frames \
			-read_intervals %+#50 -select_streams v:0 \
			-show_entries stream=codec_name,width,height,nb_read_frames -of compact \
			rtmp://127.0.0.1:$P/live/hevc > $T/nms4.probe; r=\$?
		wait \$p; kill \$n; wait \$n; cat $T/nms4.probe
		test \$r = 0 && grep -q 'codec_name=hevc|width=320|height=240|nb_read_frames=50' $T/nms4.probe"
else
	skip "h265 hvc1 -> node-media-server 4.4.3" "npm install failed (see $PEERS/node/npm.log)"
fi

if npm_peer nms2 node-media-server@2.7.4; then
	P=$(free_port)
	testing "h265 domestic id12 -> node-media-server 2.7.4 parses H265 320x240" "
		. $T/lib.sh
		cd $PEERS/nms2 && timeout 20 node -e \"const N = require('node-media-server'); new N({ logType: 3, rtmp: { port: $P, chunk_size: 60000, gop_cache: true, ping: 30, ping_timeout: 60 }, http: { port: $((P + 1)), allow_origin: '*' } }).run();\" > $T/nms2.log 2>&1 & n=\$!
		wait_listen $P || { kill \$n; wait \$n; exit 1; }
		$SEND --codec h265 --mode domestic --in $T/in.h265 --url rtmp://127.0.0.1:$P/live/h265 --fps 50; r=\$?
		sleep 0.2; kill \$n; wait \$n; cat $T/nms2.log
		test \$r = 0 && grep -q 'codec_id=12 codec_name=H265 320x240' $T/nms2.log"
else
	skip "h265 domestic -> node-media-server 2.7.4" "npm install failed (see $PEERS/nms2/npm.log)"
fi

finish
