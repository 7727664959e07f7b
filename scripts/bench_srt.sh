#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bench_srt.sh - cvmmap_streamer --srt vs FFmpeg -f mpegts srt:// (issue 19).
#
#   OBJTREE=build RUNS=2 sh scripts/bench_srt.sh [WxH ...]   (default 1280x720)
#
# The same job for both, run interleaved RUNS times (medians printed):
# FRAMES raw BGR frames (testsrc2 + noise, bench_common.sh) at 30 fps,
# x264 ultrafast, zerolatency, gop 30 without scenecut, no B-frames, CRF
# 23, MPEG-TS over SRT as a caller with latency=120 ms to one receiver on
# loopback:
#   ours     helper_bench_pub (already publishing) -> cvmmap_streamer
#            --ingest-max-frames FRAMES --srt
#   ffmpeg   ffmpeg -re -f rawvideo ... -c:v libx264 ... -f mpegts
#            'srt://127.0.0.1:P?mode=caller&latency=120000'
# The receiver is FFmpeg as the SRT listener (latency=120000 µs, i.e.
# 120 ms) decoding with -vf showinfo; each line is stamped on arrival
# (CLOCK_MONOTONIC, the clock helper_bench_run stamps the exec with).
# Per tool:
#  - CPU per frame: rusage user + system of the whole sender process,
#    start-up included, / FRAMES;
#  - peak RSS (VmHWM) of the sender;
#  - first frame: exec of the sender -> the receiver's first decoded
#    frame (includes the receiver's -analyzeduration 0.3 s probe, the
#    same for both);
#  - glass -> receiver: frame n (n >= 30, after the probe backlog) is
#    decoded at rx(n); its glass time is taken as frame 0's + n/30 s (a
#    proxy: neither tool stamps capture times into the TS; both are fed
#    at 30 fps).  Frame 0's glass time: FFmpeg's exec (-re reads the
#    file from its start; its encoder set-up is included), ours the
#    pipeline's "encoder" log line (logged when the producer's first
#    frame arrives and x264 opened; attaching to the producer, about
#    1 s, is left out here and kept in "first frame").  Median over
#    those frames of rx(n) - (glass 0 + n/30): the encode, the SRT
#    latency of 120 ms, the receiver's decode, and FFmpeg's start-up.
. "$(dirname "$0")/bench_common.sh"
need "$BIN/cvmmap_streamer" "$TB/helper_bench_pub" "$TB/helper_bench_run" ffmpeg python3
FRAMES=${FRAMES:-300}
SIZES=${*:-1280x720}
machine

STAMP=$TMP/stamp.py
cat > "$STAMP" <<'EOF'
import sys, time
for l in sys.stdin.buffer:
    for part in l.rstrip(b'\r\n').split(b'\r'):
        sys.stdout.write('%.6f %s\n' % (time.monotonic(), part.decode('utf-8', 'replace')))
    sys.stdout.flush()
EOF
# srt_lat.py rx.stamped exec_ns [ISO]: "first_ms lat_ms frames"; ISO
# (a log line's UTC time) is the glass time of frame 0 when given, else
# the exec.
LAT=$TMP/srt_lat.py
cat > "$LAT" <<'EOF'
import datetime, re, sys, time
t0 = int(sys.argv[2]) / 1e9
g0 = t0
if len(sys.argv) > 3 and sys.argv[3]:
    wall = datetime.datetime.strptime(sys.argv[3], '%Y-%m-%dT%H:%M:%S.%fZ').replace(
        tzinfo=datetime.timezone.utc).timestamp()
    g0 = wall - (time.time() - time.monotonic())
rx = [float(m.group(1)) for m in (re.match(r'([0-9.]+) .*showinfo.* n: *[0-9]+ ', l)
                                  for l in open(sys.argv[1])) if m]
if not rx:
    print('nan nan 0'); sys.exit()
lat = sorted(t - (g0 + n / 30.0) for n, t in enumerate(rx) if n >= 30)
print('%.1f %.1f %d' % ((rx[0] - t0) * 1e3, lat[len(lat) // 2] * 1e3 if lat else float('nan'), len(rx)))
EOF

# One tool, one run: $1 tool, $2 WxH, $3 BGR file.  Appends
# "cpu_ns_per_frame rss_kb first_ms lat_ms frames" to $TMP/srt_$1.rows.
srt_run() {
	d=$TMP/srt
	mkdir -p "$d"
	rm -f "$d"/run.txt* "$d"/rx.*
	port=$(free_port) ppid_=""
	( timeout -s INT 60 ffmpeg -nostdin -hide_banner -threads 1 -analyzeduration 300000 \
		-i "srt://127.0.0.1:$port?mode=listener&latency=120000" -vf showinfo -f null - 2>&1 |
		python3 -u "$STAMP" > "$d/rx.stamped" ) &
	rpid=$!
	sleep 0.5
	url="srt://127.0.0.1:$port?mode=caller&latency=120"
	case $1 in
	ours) ours_x264 "$d" "$2" "$3" -- --srt --srt-url "$url" ;;
	ffmpeg) ffmpeg_x264 "$d" "$2" "$3" -f mpegts \
		"srt://127.0.0.1:$port?mode=caller&latency=120000" ;;
	esac
	# the listener ends when the caller closes (timeout bounds it)
	wait "$rpid"
	stop_pid "$ppid_"
	# ours: frame 0's glass time is when the pipeline took the producer's
	# first frame (its "encoder" line), not the exec: attaching to the
	# producer comes first (the first-frame column keeps it)
	g0=
	[ "$1" = ours ] && g0=$(sed -n 's/^\([^ ]*Z\) I pipeline: encoder.*/\1/p' "$d/tool.log" | head -n 1)
	res=$(python3 "$LAT" "$d/rx.stamped" "$(field start_ns "$d/run.txt")" "$g0")
	echo "$(cpu_us "$d/run.txt") $(field maxrss_kb "$d/run.txt") $res" |
		awk -v n="$FRAMES" '{ printf "%.0f %d %s %s %d\n", $1 * 1000 / n, $2, $3, $4, $5 }' \
		>> "$TMP/srt_$1.rows"
}

col() { awk -v c="$2" '{ print $c }' "$TMP/srt_$1.rows" | median; }

for s in $SIZES; do
	src=$(bgr_file "${s%x*}" "${s#*x}" "$FRAMES")
	rm -f "$TMP"/srt_*.rows
	r=0
	while [ $r -lt "$RUNS" ]; do
		for t in ours ffmpeg; do srt_run $t "$s" "$src"; done
		r=$((r + 1))
	done
	echo "$s x264 ultrafast zerolatency gop 30, MPEG-TS over SRT latency 120 ms," \
	     "$FRAMES frames at 30 fps (median of $RUNS interleaved runs)"
	printf '  %-7s %14s %10s %15s %16s %8s\n' tool "cpu ns/frame" "rss KiB" "first frame ms" \
		"glass->rx ms" decoded
	for t in ours ffmpeg; do
		[ -s "$TMP/srt_$t.rows" ] || continue
		printf '  %-7s %14s %10s %15s %16s %8s\n' $t "$(col $t 1)" "$(col $t 2)" "$(col $t 3)" \
			"$(col $t 4)" "$(col $t 5)"
	done
done
