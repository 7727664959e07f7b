#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bench_latency.sh - sync -> RTP latency of cvmmap_streamer (issue 10).
#
#   OBJTREE=build sh scripts/bench_latency.sh [passthrough] [encode] [overload]
#
# helper_bench_pub publishes frames (SHM + ZMQ, like upstream) and notes
# CLOCK_MONOTONIC just before each sync; rtp_receiver_tester --trace notes
# the kernel receive time of each AU's first and last packet on loopback
# (the proxy for "left the streamer"); bench_lat.awk joins them by RTP
# timestamp (--bitexact: 90 kHz of the rebased capture time).  Medians of
# RUNS runs (default 3) of FRAMES frames (default 150) at 30 fps.
#   passthrough  v2.1 1080p-class x264 AUs (6 Mbit/s): sync -> last packet,
#                with a full 1080p BGR LEFT plane beside the AU and with a
#                tiny one; streamer CPU per AU (all its threads, schedstat,
#                while the producer runs) and % of a core; and with
#                --encoder-device passthrough (no encode thread: one hop).
#   encode       x264 ultrafast zerolatency 720p/1080p from BGR: sync ->
#                first packet, minus the frame's bare encode time
#                (helper_bench_enc, same frames), also with an RTMP sink
#                that stops reading (rtmp_stub_tester --stall-ms).
#   overload     1080p BGR at 120 fps into 1 encoder thread: frames dropped,
#                latency per second of the run (must stay flat).
#   sei          720p x264 with --latency-sei on, the producer stamping
#                Unix capture times (helper_bench_pub -u): the receiver's
#                own glass-to-receiver measure (rtp_receiver_tester
#                --latency: capture -> last packet, from the SEI) against
#                this script's (sync -> last packet) on the same frames;
#                prints both p50s and their difference ("sei_p50_us=
#                bench_p50_us= diff_us=").  The metrics suite requires
#                |diff| <= 1000 us.
. "$(dirname "$0")/bench_common.sh"
need "$BIN/cvmmap_streamer" "$BIN/rtp_receiver_tester" "$BIN/rtmp_stub_tester" \
	"$TB/helper_bench_pub" "$TB/helper_bench_run" "$TB/helper_bench_enc" ffmpeg python3
FRAMES=${FRAMES:-150}
WHAT=${*:-passthrough encode overload sei}
machine

# One configuration, RUNS times; prints the medians.  $1 label, $2 edge
# (first|last), $3 producer args, $4 streamer args, $5 bare trace or "".
lat_case() {
	r=0
	: > "$TMP/lat.rows"
	while [ $r -lt "$RUNS" ]; do
		run_streamer "$TMP/lat" "$3" "$4"
		line=$(awk -f "$LAT_AWK" -v fps="${FPS:-30}" -v edge="$2" "$TMP/lat/tx.trace" \
			"$TMP/lat/rx.trace" $5) || { echo "  $1: run failed ($TMP/lat)"; return; }
		echo "$line $(cat "$TMP/lat/cpu.txt")" >> "$TMP/lat.rows"
		r=$((r + 1))
	done
	m() { sed -n "s/.*\\<$1=\\([^ ]*\\).*/\\1/p" "$TMP/lat.rows" | median; }
	awk -v l="$1" -v n="$(m n)" -v a="$(m p50_us)" -v b="$(m p99_us)" -v mx="$(m max_us)" \
	    -v na="$(m net_p50_us)" -v nb="$(m net_p99_us)" -v c="$(m cpu_ns)" -v f="${FPS:-30}" 'BEGIN {
		printf "  %-34s aus=%-4s p50=%6s us  p99=%6s us  max=%6s us", l, n, a, b, mx
		if (na != "nan" && na != "") printf "  net_p50=%5s us  net_p99=%5s us", na, nb
		printf "  cpu/AU=%4.0f us (%.2f%% of a core at %d fps)\n", c / n / 1e3, c / n * f / 1e7, f
	}'
}

case " $WHAT " in *" passthrough "*)
	es=$(annexb_file 1920 1080 90 h264)
	echo "passthrough, 1080p x264 AUs at 30 fps, sync -> packet (median of $RUNS runs, $FRAMES AUs each)"
	lat_case "last packet, LEFT 1920x1080 BGR" last "-s 1920x1080 -a $es -n $FRAMES" "" ""
	lat_case "first packet, LEFT 1920x1080 BGR" first "-s 1920x1080 -a $es -n $FRAMES" "" ""
	lat_case "last packet, LEFT 64x36 BGR" last "-s 64x36 -a $es -n $FRAMES" "" ""
	# forced passthrough: no encode thread, ingest -> io in one hop
	lat_case "last, 1080p LEFT, forced (one hop)" last "-s 1920x1080 -a $es -n $FRAMES" \
		"--encoder-device passthrough" ""
	lat_case "first, 1080p LEFT, forced (one hop)" first "-s 1920x1080 -a $es -n $FRAMES" \
		"--encoder-device passthrough" ""
	;;
esac

case " $WHAT " in *" encode "*)
	echo "encode path, x264 ultrafast zerolatency, sync -> first packet; net = minus the" \
	     "frame's bare encode wall time (median of $RUNS runs, $FRAMES frames each)"
	for s in 1280x720 1920x1080; do
		w=${s%x*} h=${s#*x}
		src=$(bgr_file "$w" "$h" 30)
		"$TB/helper_bench_enc" -s "$s" -b "$src" -n "$FRAMES" -R "$RUNS" \
			-t "$TMP/bare_$s.trace" > "$TMP/bare_$s.txt" || exit 1
		echo "  bare encode $s: $(sed 's/.*\(bare_wall_p50_ns=[0-9]*\).*\(bare_wall_p99_ns=[0-9]*\).*/\1 \2/' "$TMP/bare_$s.txt")"
		lat_case "$s RTP" first "-s $s -b $src -n $FRAMES" "" "$TMP/bare_$s.trace"
		STALL_MS=60000 lat_case "$s RTP + stalled RTMP sink" first "-s $s -b $src -n $FRAMES" "" \
			"$TMP/bare_$s.trace"
	done
	;;
esac

case " $WHAT " in *" overload "*)
	src=$(bgr_file 1920 1080 30)
	echo "overload: 1080p BGR at 120 fps, --threads 1 (latest frame wins)"
	FPS=120 run_streamer "$TMP/over" "-s 1920x1080 -b $src -r 120 -n 1200" "--threads 1"
	sent=$(wc -l < "$TMP/over/tx.trace") got=$(wc -l < "$TMP/over/rx.trace")
	echo "  frames sent $sent, AUs out $got, dropped $((sent - got))"
	awk -f "$LAT_AWK" -v fps=120 -v edge=first -v series=1 "$TMP/over/tx.trace" \
		"$TMP/over/rx.trace" | awk '
		NF == 2 { s = int($1); n[s]++; v[s, n[s]] = $2; if (s > ms) ms = s; next }
		{ sum = $0 }
		END {
			for (s = 0; s <= ms; s++) {
				k = n[s]; mx = 0
				for (i = 1; i <= k; i++) if (v[s, i] > mx) mx = v[s, i]
				# median by selection (k is small)
				for (i = 1; i <= k; i++) a[i] = v[s, i]
				for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
				printf "  second %2d: %3d AUs  p50 %6.0f us  max %6.0f us\n", s, k, a[int((k + 1) / 2)], mx
			}
			print "  all: " sum
		}'
	;;
esac

case " $WHAT " in *" sei "*)
	src=$(bgr_file 1280 720 30)
	RX_ARGS="--latency --json" run_streamer "$TMP/sei" "-s 1280x720 -b $src -n $FRAMES -u" \
		"--latency-sei on"
	bench=$(awk -f "$LAT_AWK" -v fps=30 -v edge=last "$TMP/sei/tx.trace" "$TMP/sei/rx.trace" |
		sed -n 's/.*p50_us=\([0-9]*\).*/\1/p')
	sei=$(sed -n 's/.*"total_us":{"p50":\(-*[0-9]*\).*/\1/p' "$TMP/sei/rx.log")
	echo "latency SEI, 720p x264: receiver (capture -> last packet) vs bench (sync -> last packet)"
	if [ -z "$bench" ] || [ -z "$sei" ]; then
		echo "  sei: run failed ($TMP/sei)"
	else
		echo "  sei_p50_us=$sei bench_p50_us=$bench diff_us=$((sei - bench))"
	fi
	;;
esac
