#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bench_compare.sh - cvmmap_streamer vs FFmpeg CLI vs GStreamer (issue 10).
#
#   OBJTREE=build sh scripts/bench_compare.sh [WxH ...]   (default 1280x720 1920x1080)
#
# Same content (FRAMES raw BGR frames of testsrc2 + noise), same encoder
# settings (x264 ultrafast, zerolatency, gop 30 without scenecut, no
# B-frames, CRF 23, automatic threads), same pacing (30 fps), same
# receiver (rtp_receiver_tester --trace on loopback), run interleaved,
# RUNS times (default 3), medians printed:
#   ours     helper_bench_pub (already publishing) -> cvmmap_streamer
#            --ingest-max-frames FRAMES -> RTP
#   ffmpeg   ffmpeg -re -f rawvideo -pix_fmt bgr24 -s WxH -r 30 -i FILE
#            -c:v libx264 -preset ultrafast -tune zerolatency ... -f rtp
#   gst      filesrc ! rawvideoparse ! videoconvert ! x264enc
#            tune=zerolatency speed-preset=ultrafast ! rtph264pay ! udpsink
# Per tool: CPU per frame (rusage user + system of the whole process,
# start-up included, / FRAMES), peak RSS (VmHWM), time from exec to the
# first RTP packet at the receiver.  Ours also waits up to one frame
# period (33 ms) for the producer's next frame; the others read a file.
. "$(dirname "$0")/bench_common.sh"
need "$BIN/cvmmap_streamer" "$BIN/rtp_receiver_tester" "$TB/helper_bench_pub" \
	"$TB/helper_bench_run" ffmpeg gst-launch-1.0 python3
FRAMES=${FRAMES:-90}
SIZES=${*:-1280x720 1920x1080}
machine

# One tool, one run: $1 tool, $2 WxH, $3 BGR file.  Appends
# "cpu_ns_per_frame rss_kb start_ms aus" to $TMP/cmp_$1.rows.
cmp_run() {
	d=$TMP/cmp
	mkdir -p "$d"
	rm -f "$d"/*.trace "$d"/run.txt*
	port=$(free_port) w=${2%x*} h=${2#*x} ppid_=""
	timeout 60 "$BIN/rtp_receiver_tester" --port "$port" --idle-ms 2000 --timeout-ms 50000 \
		--trace "$d/rx.trace" > "$d/rx.log" 2>&1 &
	rpid=$!
	sleep 0.2
	case $1 in
	ours) ours_x264 "$d" "$2" "$3" -t "$d/tx.trace" -- --rtp --rtp-endpoint "127.0.0.1:$port" ;;
	ffmpeg) ffmpeg_x264 "$d" "$2" "$3" -f rtp -payload_type 96 "rtp://127.0.0.1:$port" ;;
	gst)
		timeout 60 "$TB/helper_bench_run" "$d/run.txt" gst-launch-1.0 -q \
			filesrc location="$3" num-buffers="$FRAMES" blocksize=$((w * h * 3)) ! \
			rawvideoparse width="$w" height="$h" format=bgr framerate=30/1 ! \
			videoconvert ! video/x-raw,format=I420 ! \
			x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 \
			bframes=0 pass=qual quantizer=23 ! \
			rtph264pay pt=96 config-interval=-1 ! \
			udpsink host=127.0.0.1 port="$port" sync=true > "$d/tool.log" 2>&1 ;;
	esac
	wait "$rpid"
	stop_pid "$ppid_"
	first=$(head -n 1 "$d/rx.trace" | cut -d' ' -f2)
	[ -n "$first" ] || { echo "  $1 $2: no packet ($d)" >&2; return; }
	echo "$(cpu_us "$d/run.txt") $(field maxrss_kb "$d/run.txt") $(field start_ns "$d/run.txt") $first $(wc -l < "$d/rx.trace")" |
		awk -v n="$FRAMES" '{ printf "%.0f %d %.1f %d\n", $1 * 1000 / n, $2, ($4 - $3) / 1e6, $5 }' \
		>> "$TMP/cmp_$1.rows"
}

col() { awk -v c="$2" '{ print $c }' "$TMP/cmp_$1.rows" | median; }

for s in $SIZES; do
	src=$(bgr_file "${s%x*}" "${s#*x}" "$FRAMES")
	rm -f "$TMP"/cmp_*.rows
	r=0
	while [ $r -lt "$RUNS" ]; do
		for t in ours ffmpeg gst; do cmp_run $t "$s" "$src"; done
		r=$((r + 1))
	done
	echo "$s x264 ultrafast zerolatency, $FRAMES frames at 30 fps (median of $RUNS interleaved runs)"
	printf '  %-7s %14s %10s %14s %6s\n' tool "cpu ns/frame" "rss KiB" "first pkt ms" aus
	for t in ours ffmpeg gst; do
		[ -s "$TMP/cmp_$t.rows" ] || continue
		printf '  %-7s %14s %10s %14s %6s\n' $t "$(col $t 1)" "$(col $t 2)" "$(col $t 3)" "$(col $t 4)"
	done
	for t in ffmpeg gst; do
		[ -s "$TMP/cmp_$t.rows" ] && [ -s "$TMP/cmp_ours.rows" ] || continue
		awk -v t=$t -v c1="$(col ours 1)" -v c2="$(col $t 1)" -v r1="$(col ours 2)" -v r2="$(col $t 2)" \
		    -v s1="$(col ours 3)" -v s2="$(col $t 3)" 'BEGIN {
			printf "  ours/%-6s cpu %.2fx  rss %.2fx  first packet %.2fx\n", t, c1 / c2, r1 / r2, s1 / s2 }'
	done
done
