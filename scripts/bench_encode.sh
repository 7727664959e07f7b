#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bench_encode.sh - encoder CPU: bare encoder vs our encode path vs the
# whole streamer (issues 4 and 10).
#
#   OBJTREE=build sh scripts/bench_encode.sh [path] [limit] [cli] [scaling] [memory]
#
#   path     helper_bench_enc, in one process, interleaved rounds: the bare
#            encoder on pre-converted I420 vs our path (BGR->I420 pixconv +
#            encoder + AU copy), 720p/1080p, x264/x265, CPU per frame and
#            the ratio (target <= 1.05).
#   limit    the same bare encoder vs the whole cvmmap_streamer process fed
#            by helper_bench_pub at 30 fps (CPU of all its threads while
#            the producer runs, per AU out; x264 720p/1080p).
#   cli      the x264 command-line tool (Debian package x264) on the same
#            frames pre-converted to I420 by ffmpeg vs the whole streamer,
#            both x264 ultrafast zerolatency, gop 30, CRF 23, 1 thread,
#            720p/1080p, interleaved rounds (cli, streamer, cli, ...).  The
#            CLI's CPU per frame is (CPU(2N) - CPU(N)) / N, N = FRAMES:
#            rusage of two runs on the same file (--frames N, then 2N), so
#            its start-up cancels; the reading of its input file (mmap)
#            stays in.  The streamer is measured the same way (runs of N
#            and 2N frames: its encoder's open and first-touch cancel;
#            connecting, ZMQ, conversion and RTP stay in).  Skipped, with
#            a note, without /usr/bin/x264.  BASE=OBJTREE of another build
#            (e.g. the previous commit) adds its streamer to the same
#            rounds: before/after on one machine state.
#   scaling  360p/720p/1080p x264, 1 and 2 encoder threads: bare CPU/frame
#            and streamer CPU/AU.
#   memory   streamer peak RSS (VmHWM, rusage) at 1080p, x264 and x265.
# Medians of RUNS (default 3); FRAMES frames (default 90), 30 distinct
# frames of testsrc2 + noise looped.
. "$(dirname "$0")/bench_common.sh"
need "$BIN/cvmmap_streamer" "$BIN/rtp_receiver_tester" "$TB/helper_bench_pub" \
	"$TB/helper_bench_run" "$TB/helper_bench_enc" ffmpeg python3
FRAMES=${FRAMES:-90}
WHAT=${*:-path limit cli scaling memory}
machine

# bare CPU ns/frame of helper_bench_enc output ($1), field $2
enc_field() { sed -n "s/.*\\<$2=\\([^ ]*\\).*/\\1/p" "$1"; }

# One streamer run: $1 size, $2 extra streamer args, $3 frames (FRAMES);
# prints "CPU-ns AUs-out".
streamer_run() {
	src=$(bgr_file "${1%x*}" "${1#*x}" 30)
	run_streamer "$TMP/enc" "-s $1 -b $src -n ${3:-$FRAMES}" "$2"
	echo "$(field cpu_ns "$TMP/enc/cpu.txt") $(wc -l < "$TMP/enc/rx.trace")"
}

# Streamer CPU per AU of one run: $1 size, $2 extra streamer args.
streamer_once() {
	streamer_run "$1" "$2" | awk '$2 { printf "%.0f\n", $1 / $2 }'
}

# Streamer CPU per AU (median of RUNS): $1 size, $2 extra streamer args.
streamer_cpu() {
	r=0
	while [ $r -lt "$RUNS" ]; do
		streamer_once "$1" "$2"
		r=$((r + 1))
	done | median
}

# Streamer CPU per AU with its start-up cancelled: $1 size, runs of $2
# and $3 frames, --threads 1.
streamer_diff() {
	s1=$(streamer_run "$1" "--threads 1" "$2")
	s2=$(streamer_run "$1" "--threads 1" "$3")
	echo "$s1 $s2" | awk '$4 > $2 { printf "%.0f", ($3 - $1) / ($4 - $2) }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a + 0 > 0) printf "%.2f", a / b; else print "nan" }'; }

# x264 CLI CPU (rusage, user + system, us) encoding the first $3 frames of
# the I420 file $2 ($1 = WxH), the streamer's settings, 1 thread.
X264=${X264:-x264}
x264_cli_us() {
	rm -f "$TMP/cli.txt"
	timeout 120 "$TB/helper_bench_run" "$TMP/cli.txt" "$X264" --preset ultrafast \
		--tune zerolatency --keyint 30 --min-keyint 30 --no-scenecut --bframes 0 \
		--threads 1 --crf 23 --fps 30 --input-res "$1" --input-csp i420 \
		--demuxer raw --frames "$3" --no-progress -o /dev/null "$2" \
		> "$TMP/cli.log" 2>&1
	if [ "$(field status "$TMP/cli.txt" 2>/dev/null)" != 0 ]; then
		echo "bench: x264 CLI failed ($TMP/cli.log)" >&2
		return 1
	fi
	cpu_us "$TMP/cli.txt"
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

case " $WHAT " in *" cli "*)
	if ! command -v "$X264" > /dev/null 2>&1; then
		echo "cli: skipped, the x264 command-line tool is not installed (apt-get install x264)"
		WHAT=$(echo " $WHAT " | sed 's/ cli / /')
	fi
	;;
esac
case " $WHAT " in *" cli "*)
	n1=$FRAMES n2=$((2 * FRAMES))
	echo "x264 CLI ($("$X264" --version 2>/dev/null | head -n 1)) vs whole streamer, 1 thread, CPU ns per frame"
	echo "  (cli: (CPU($n2 frames) - CPU($n1 frames)) / $n1, start-up cancelled, reading its I420 input included;"
	echo "   streamer: the same difference of runs of $n2 and $n1 frames at 30 fps, per AU out, --threads 1;"
	echo "   median of $RUNS interleaved rounds)"
	printf '  %-10s %12s %14s %12s %8s\n' size x264-cli "cli-start(us)" streamer "str/cli"
	for s in ${CLI_SIZES:-1280x720 1920x1080}; do
		src=$(bgr_file "${s%x*}" "${s#*x}" 30)
		yuv=$TMP/cli_$s.yuv
		if ! ffmpeg -hide_banner -loglevel error -nostdin -stream_loop -1 -f rawvideo \
			-pix_fmt bgr24 -s "$s" -r 30 -i "$src" -frames:v "$n2" \
			-f rawvideo -pix_fmt yuv420p -y "$yuv"; then
			echo "  $s: ffmpeg conversion to I420 failed"
			continue
		fi
		: > "$TMP/cli_rounds.txt"
		r=0
		while [ $r -lt "$RUNS" ]; do
			c1=$(x264_cli_us "$s" "$yuv" "$n1") || break
			c2=$(x264_cli_us "$s" "$yuv" "$n2") || break
			st=$(streamer_diff "$s" "$n1" "$n2")
			bs=nan
			[ -n "${BASE:-}" ] &&
				bs=$(STREAMER=$BASE/bin/cvmmap_streamer streamer_diff "$s" "$n1" "$n2")
			echo "$c1 $c2 ${st:-nan} ${bs:-nan}" >> "$TMP/cli_rounds.txt"
			r=$((r + 1))
		done
		rm -f "$yuv"
		if [ $r != "$RUNS" ]; then
			echo "  $s: x264 CLI failed"
			continue
		fi
		cli=$(awk -v n="$n1" '{ printf "%.0f\n", ($2 - $1) * 1000 / n }' "$TMP/cli_rounds.txt" | median)
		start=$(awk '{ print 2 * $1 - $2 }' "$TMP/cli_rounds.txt" | median)
		st=$(awk '{ print $3 }' "$TMP/cli_rounds.txt" | median)
		printf '  %-10s %12s %14s %12s %8s\n' "$s" "$cli" "$start" "$st" "$(ratio "$st" "$cli")"
		if [ -n "${BASE:-}" ]; then
			bs=$(awk '{ print $4 }' "$TMP/cli_rounds.txt" | median)
			printf '  %-10s %12s %14s %12s %8s  (BASE=%s)\n' "$s" "" "" "$bs" \
				"$(ratio "$bs" "$cli")" "$BASE"
		fi
		sed 's/^/    round: /' "$TMP/cli_rounds.txt"
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
