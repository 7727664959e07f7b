#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bench_encode.sh - encoder CPU: bare encoder vs our encode path vs the
# whole streamer (issues 4 and 10).
#
#   OBJTREE=build sh scripts/bench_encode.sh [path] [limit] [scaling] [memory]
#
#   path     helper_bench_enc, in one process, interleaved rounds: the bare
#            encoder on pre-converted I420 vs our path (BGR->I420 pixconv +
#            encoder + AU copy), 720p/1080p, x264/x265, CPU per frame and
#            the ratio (target <= 1.05).
#   limit    the same bare encoder vs the whole cvmmap_streamer process fed
#            by helper_bench_pub at 30 fps (CPU of all its threads while
#            the producer runs, per AU out; x264 720p/1080p).
#   scaling  360p/720p/1080p x264, 1 and 2 encoder threads: bare CPU/frame
#            and streamer CPU/AU.
#   memory   streamer peak RSS (VmHWM, rusage) at 1080p, x264 and x265.
# Medians of RUNS (default 3); FRAMES frames (default 90), 30 distinct
# frames of testsrc2 + noise looped.
. "$(dirname "$0")/bench_common.sh"
need "$BIN/cvmmap_streamer" "$BIN/rtp_receiver_tester" "$TB/helper_bench_pub" \
	"$TB/helper_bench_run" "$TB/helper_bench_enc" ffmpeg python3
FRAMES=${FRAMES:-90}
WHAT=${*:-path limit scaling memory}
machine

# bare CPU ns/frame of helper_bench_enc output ($1), field $2
enc_field() { sed -n "s/.*\\<$2=\\([^ ]*\\).*/\\1/p" "$1"; }

# Streamer CPU per AU (median of RUNS): $1 size, $2 extra streamer args.
streamer_cpu() {
	src=$(bgr_file "${1%x*}" "${1#*x}" 30)
	r=0
	while [ $r -lt "$RUNS" ]; do
		run_streamer "$TMP/enc" "-s $1 -b $src -n $FRAMES" "$2"
		n=$(wc -l < "$TMP/enc/rx.trace")
		echo "$(field cpu_ns "$TMP/enc/cpu.txt") $n" | awk '$2 { printf "%.0f\n", $1 / $2 }'
		r=$((r + 1))
	done | median
}

case " $WHAT " in *" path "*)
	echo "our encode path vs the bare encoder, CPU ns per frame (median of $RUNS interleaved rounds of $FRAMES frames)"
	printf '  %-5s %-10s %12s %12s %7s\n' enc size bare full ratio
	for c in h264 h265; do
		for s in 1280x720 1920x1080; do
			src=$(bgr_file "${s%x*}" "${s#*x}" 30)
			"$TB/helper_bench_enc" -c $c -s "$s" -b "$src" -n "$FRAMES" -R "$RUNS" \
				> "$TMP/path.txt" 2> /dev/null || { echo "  $c $s: failed"; continue; }
			printf '  %-5s %-10s %12s %12s %7s\n' "$(enc_field "$TMP/path.txt" enc)" "$s" \
				"$(enc_field "$TMP/path.txt" bare_cpu_ns)" \
				"$(enc_field "$TMP/path.txt" full_cpu_ns)" "$(enc_field "$TMP/path.txt" ratio)"
		done
	done
	;;
esac

case " $WHAT " in *" limit "*|*" scaling "*)
	echo "bare encoder vs whole streamer, x264, CPU ns per frame (streamer: per AU out, $FRAMES frames at 30 fps)"
	printf '  %-10s %-7s %12s %12s %12s %7s\n' size threads bare full streamer "str/bare"
	sizes="1280x720 1920x1080" threads=0
	case " $WHAT " in *" scaling "*) sizes="640x360 1280x720 1920x1080" threads="1 2" ;; esac
	for s in $sizes; do
		for t in $threads; do
			src=$(bgr_file "${s%x*}" "${s#*x}" 30)
			"$TB/helper_bench_enc" -s "$s" -b "$src" -n "$FRAMES" -R "$RUNS" -T $t \
				> "$TMP/lim.txt" 2> /dev/null || continue
			b=$(enc_field "$TMP/lim.txt" bare_cpu_ns)
			st=$(streamer_cpu "$s" "--threads $t")
			printf '  %-10s %-7s %12s %12s %12s %7s\n' "$s" "${t#0}${t%%[1-9]*}" "$b" \
				"$(enc_field "$TMP/lim.txt" full_cpu_ns)" "$st" \
				"$(awk -v a="$st" -v b="$b" 'BEGIN { printf "%.2f", a / b }')"
		done
	done
	;;
esac

case " $WHAT " in *" memory "*)
	echo "streamer peak RSS at 1920x1080 (VmHWM via wait4 rusage)"
	src=$(bgr_file 1920 1080 30)
	for c in h264 h265; do
		CODEC=$c run_streamer "$TMP/mem" "-s 1920x1080 -b $src -n $FRAMES" ""
		echo "  $c: $(field maxrss_kb "$TMP/mem/run.txt") KiB, $(wc -l < "$TMP/mem/rx.trace") AUs out of $FRAMES frames"
	done
	;;
esac
