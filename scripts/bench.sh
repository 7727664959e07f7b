#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bench.sh - all benchmarks (`make bench`); never part of `make check`.
#
#   make O=build bench        or   OBJTREE=build sh scripts/bench.sh
#
# Runs, each also runnable alone with the same environment:
#   scripts/bench_pixconv.sh   pixconv vs swscale, BGR -> I420
#   scripts/bench_encode.sh    bare encoder vs our path vs the streamer,
#                              the x264 CLI vs the streamer (1 thread; needs
#                              the x264 package, skipped without it),
#                              scaling over sizes and threads, peak RSS
#   scripts/bench_latency.sh   sync -> RTP latency: passthrough, encode,
#                              stalled RTMP sink, overload
#   scripts/bench_compare.sh   vs FFmpeg CLI and GStreamer
# Environment: OBJTREE, RUNS (medians of, default 3), FRAMES.  Results and
# how to read them: docs/benchmarks.md.  The helpers (test/helper_bench_*)
# are built by `make check` or by naming them:
#   make O=build $PWD/build/test/helper_bench_pub ... (see src/core/bench.kbuild)
set -u
SRCTREE=${SRCTREE:-$(cd "$(dirname "$0")/.." && pwd)}
OBJTREE=${OBJTREE:-$SRCTREE/build}
export SRCTREE OBJTREE
B=$OBJTREE/test
missing=""
for h in helper_pixbench helper_bench_pub helper_bench_run helper_bench_enc; do
	[ -x "$B/$h" ] || missing="$missing $B/$h"
done
if [ -n "$missing" ]; then
	make -s -C "$SRCTREE" O="$OBJTREE" $missing || exit 2
fi
rc=0
for b in pixconv encode latency compare; do
	echo "=== bench_$b"
	sh "$SRCTREE/scripts/bench_$b.sh" || rc=1
done
exit $rc
