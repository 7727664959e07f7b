#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bench_pixconv.sh - pixconv_to_yuv against FFmpeg's swscale, BGR -> I420.
#
#   make O=build build/test/helper_pixbench   (or any `make check`)
#   OBJTREE=build sh scripts/bench_pixconv.sh
#
# Environment: OBJTREE (default build), FRAMES (frames per file, 30),
# RUNS (repetitions, median taken, 5), LOOPS (ffmpeg -stream_loop, 4).
#
# Ours: helper_pixbench converts FRAMES in-memory frames RUNS times and
# reports the median process CPU time per frame.  FFmpeg: the same bytes
# (helper_pixbench writes them) are read from a file LOOPS + 1 times and
# converted by the auto-inserted scaler; `-benchmark` prints the user CPU
# time.  Reading the file, demuxing and writing to /dev/null also cost
# CPU, so the same command with -pix_fmt bgr24 (no conversion, a copy
# through) is timed as well and subtracted: FFmpeg's conversion cost =
# utime(yuv420p) - utime(bgr24).  Not run by `make check`.
set -eu
OBJTREE=${OBJTREE:-build}
FRAMES=${FRAMES:-30}
RUNS=${RUNS:-5}
LOOPS=${LOOPS:-4}
bench=$OBJTREE/test/helper_pixbench
tmp=$OBJTREE/test/tmp/bench_pixconv
[ -x "$bench" ] || { echo "bench_pixconv: build $bench first" >&2; exit 2; }
command -v ffmpeg > /dev/null || { echo "bench_pixconv: no ffmpeg" >&2; exit 2; }
mkdir -p "$tmp"

median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# ffmpeg user CPU seconds for WxH frames to pixel format $3, median of RUNS.
ff_utime() {
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		ffmpeg -hide_banner -nostdin -benchmark -stream_loop "$LOOPS" \
			-f rawvideo -pix_fmt bgr24 -s "$1x$2" -i "$tmp/frames.raw" \
			-f rawvideo -pix_fmt "$3" -y /dev/null 2>&1 |
			sed -nE 's/^bench: utime=([0-9.]+)s.*/\1/p'
		i=$((i + 1))
	done | median
}

echo "pixconv BGR -> I420, CPU time per frame (median of $RUNS runs)"
printf '%-10s %12s %12s %12s %8s\n' size "ours ns" "ffmpeg ns" "ff copy ns" ratio
for size in 1280x720 1920x1080; do
	w=${size%x*} h=${size#*x}
	ours=$("$bench" "$w" "$h" "$FRAMES" "$RUNS" 1 0 "$tmp/frames.raw" |
		sed -nE 's/.*median ([0-9]+) ns.*/\1/p')
	conv=$(ff_utime "$w" "$h" yuv420p)
	copy=$(ff_utime "$w" "$h" bgr24)
	awk -v s="$size" -v o="$ours" -v c="$conv" -v p="$copy" \
	    -v n="$((FRAMES * (LOOPS + 1)))" 'BEGIN {
		ff = (c - p) * 1e9 / n
		printf "%-10s %12d %12d %12d %8.2f\n", s, o, ff, p * 1e9 / n, (ff > 0 ? o / ff : 0)
	}'
done
rm -f "$tmp/frames.raw"
