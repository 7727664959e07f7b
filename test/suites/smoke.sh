#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# smoke.sh - optional smoke profiles of the seed against real RTMP servers
# (docs/smoke.md): SRS and ZLMediaKit, when a server binary is given.
#
#   SRS_BIN=/path/to/objs/srs           SRS 6 or 7
#   ZLM_BIN=/path/to/MediaServer        ZLMediaKit
#
# Each row starts the server with a minimal configuration on loopback with
# free ports, publishes the streamer's dummy input (--input-mode dummy,
# 640x360 at 30 fps) with --rtmp, pulls it back with FFmpeg and requires
# 30 decoded frames of the right codec and size:
#
#   H.264 (FLV id 7)         ffmpeg -i rtmp://127.0.0.1:PORT/live/x
#   H.265 enhanced (hvc1)    ffmpeg -i http://127.0.0.1:HTTP/live/x.ts (the
#                            server's HTTP-TS remux: Debian 12's FFmpeg 5.1
#                            cannot read H.265 in FLV), and, when an FFmpeg
#                            >= 6.1 ffprobe is at hand (HEVC_FFPROBE, else
#                            the rtmp suite's npm ffprobe), the RTMP pull too
#
# Without SRS_BIN / ZLM_BIN the rows print SKIP.  Every process is bounded
# by timeout(1) and stopped by its PID.
. "$SRCTREE/test/suites/testing.sh"
optional CONFIG_RTMP || skip_all "CONFIG_RTMP off"
command -v ffmpeg > /dev/null || skip_all "ffmpeg not installed"

T=$OBJTREE/test/tmp/smoke
rm -rf "$T" && mkdir -p "$T"
S="${TEST_EXEC:-} $BIN/cvmmap_streamer"
HEVC_FFPROBE=${HEVC_FFPROBE:-$SRCTREE/build/peers/node/node_modules/@ffprobe-installer/linux-x64/ffprobe}
export T S SRS_BIN ZLM_BIN

cat > "$T/lib.sh" <<'EOF'
# wait_listen PORT: until something listens on loopback TCP PORT (10 s).
wait_listen() {
	i=0
	while [ $i -lt 200 ]; do
		ss -Hltn "sport = :$1" 2>/dev/null | grep -q . && return 0
		sleep 0.05; i=$((i + 1))
	done
	echo "nobody listens on TCP port $1"; return 1
}

# srs_start RTMP-PORT HTTP-PORT: SRS with RTMP and the HTTP-TS remux
# (/app/stream.ts) on loopback; sets srv to its PID.
srs_start() {
	cat > "$T/srs.$1.conf" <<EOC
listen              127.0.0.1:$1;
max_connections     64;
daemon              off;
srs_log_tank        console;
pid                 $T/srs.$1.pid;
ff_log_dir          $T;
query_latest_version off;
http_api {
    enabled         off;
}
http_server {
    enabled         on;
    listen          127.0.0.1:$2;
    dir             $T;
}
vhost __defaultVhost__ {
    http_remux {
        enabled     on;
        mount       [vhost]/[app]/[stream].ts;
    }
}
EOC
	timeout 60 "$SRS_BIN" -c "$T/srs.$1.conf" > "$T/srs.$1.log" 2>&1 &
	srv=$!
	wait_listen "$1" && wait_listen "$2" || { tail -n 20 "$T/srs.$1.log"; return 1; }
}

# zlm_start RTMP-PORT HTTP-PORT: ZLMediaKit MediaServer with RTMP and
# HTTP (/app/stream.live.ts) on loopback, every other server off; sets srv.
zlm_start() {
	d=$T/zlm.$1
	mkdir -p "$d/www" "$d/log"
	cat > "$d/config.ini" <<EOC
[general]
listen_ip=127.0.0.1
mediaServerId=smoke
[hook]
enable=0
[protocol]
add_mute_audio=0
enable_hls=0
enable_hls_fmp4=0
enable_mp4=0
enable_rtsp=0
enable_rtmp=1
enable_ts=1
enable_fmp4=0
[http]
port=$2
sslport=0
rootPath=$d/www
[rtmp]
port=$1
sslport=0
[rtsp]
port=0
sslport=0
[rtp_proxy]
port=0
[rtc]
port=0
tcpPort=0
signalingPort=0
signalingSslPort=0
icePort=0
iceTcpPort=0
[srt]
port=0
[shell]
port=0
[onvif]
port=0
EOC
	timeout 60 "$ZLM_BIN" -c "$d/config.ini" --log-dir "$d/log/" \
		-l 2 -t 2 > "$d/server.log" 2>&1 &
	srv=$!
	wait_listen "$1" && wait_listen "$2" || { tail -n 20 "$d/server.log"; return 1; }
}

# publish CODEC URL LOG: the streamer's dummy input to URL (--rtmp, mode
# enhanced); sets pub to its PID once it logs that it is publishing.
publish() {
	timeout 60 $S --input-mode dummy --dummy-width 640 --dummy-height 360 \
		--dummy-fps 30 --dummy-frames 900 --codec "$1" --no-nats \
		--rtmp --rtmp-url "$2" --rtmp-mode enhanced > "$3" 2>&1 &
	pub=$!
	i=0
	while [ $i -lt 100 ] && ! grep -q ': publishing' "$3"; do sleep 0.1; i=$((i + 1)); done
	grep -q ': publishing' "$3" || { cat "$3"; return 1; }
	sleep 1     # a keyframe or two in the server's GOP cache
}

# pull CODEC URL OUT: FFmpeg decodes 30 frames of URL; they must be CODEC
# at 640x360 and decode without a single error line.
pull() {
	timeout 30 ffmpeg -nostdin -hide_banner -loglevel info -i "$2" -frames:v 30 \
		-f framemd5 "$3.md5" > "$3" 2>&1
	r=$?
	cat "$3"
	n=$(grep -vc '^#' "$3.md5" 2>/dev/null)
	echo "ffmpeg exit $r, $n frames"
	[ "$r" -eq 0 ] && [ "$n" -eq 30 ] &&
		grep -Eq "Video: $1.*640x360" "$3" &&
		! grep -vF "$T" "$3" | grep -Eiq 'error|invalid|non-existing|missing'
}

# probe URL OUT: an E-RTMP capable ffprobe reads 30 hevc frames of URL.
probe() {
	timeout 30 "$HEVC_FFPROBE" -v error -count_frames -read_intervals '%+#30' \
		-select_streams v:0 -show_entries stream=codec_name,width,height,nb_read_frames \
		-of compact "$1" > "$2" 2>&1
	r=$?
	cat "$2"
	[ "$r" -eq 0 ] && grep -q 'codec_name=hevc|width=640|height=360' "$2"
}

# done_all: stop the publisher and the server (by PID).
done_all() {
	kill "$pub" "$srv" 2>/dev/null
	wait "$pub" "$srv" 2>/dev/null
	return 0
}
EOF
export HEVC_FFPROBE

# row SERVER-NAME START-FUNCTION CODEC: one smoke row.
row() {
	P=$(free_port)
	H=$(free_port)
	testing "$1: h264 (FLV id 7) published, ffmpeg pulls RTMP, 30 frames decode" "
		. $T/lib.sh; $2 $P $H || exit 1
		publish h264 rtmp://127.0.0.1:$P/live/x $T/$1.h264.pub.log || { done_all; exit 1; }
		pull h264 rtmp://127.0.0.1:$P/live/x $T/$1.h264.pull; r=\$?
		done_all; exit \$r"
	P=$(free_port)
	H=$(free_port)
	testing "$1: h265 enhanced (hvc1) published, ffmpeg pulls HTTP-TS, 30 frames decode" "
		. $T/lib.sh; $2 $P $H || exit 1
		publish h265 rtmp://127.0.0.1:$P/live/y $T/$1.h265.pub.log || { done_all; exit 1; }
		pull hevc http://127.0.0.1:$H/live/y$3 $T/$1.h265.pull; r=\$?
		done_all; exit \$r"
	if [ -x "$HEVC_FFPROBE" ]; then
		P=$(free_port)
		H=$(free_port)
		testing "$1: h265 enhanced (hvc1), E-RTMP ffprobe pulls RTMP, hevc decodes" "
			. $T/lib.sh; $2 $P $H || exit 1
			publish h265 rtmp://127.0.0.1:$P/live/z $T/$1.h265r.pub.log ||
				{ done_all; exit 1; }
			probe rtmp://127.0.0.1:$P/live/z $T/$1.h265r.probe; r=\$?
			done_all; exit \$r"
	else
		skip "$1: h265 enhanced (hvc1), E-RTMP ffprobe pulls RTMP" \
			"no FFmpeg >= 6.1 ffprobe (set HEVC_FFPROBE)"
	fi
}

if [ -n "${SRS_BIN:-}" ] && [ -x "$SRS_BIN" ]; then
	row srs srs_start .ts
else
	skip "srs: smoke profile" "set SRS_BIN=/path/to/srs (docs/smoke.md)"
fi
if [ -n "${ZLM_BIN:-}" ] && [ -x "$ZLM_BIN" ]; then
	row zlm zlm_start .live.ts
else
	skip "zlm: smoke profile" "set ZLM_BIN=/path/to/MediaServer (docs/smoke.md)"
fi
finish
