# SPDX-License-Identifier: GPL-2.0-or-later
# bench_common.sh - shared by scripts/bench_*.sh (sourced, not run).
#
# Environment: OBJTREE (default build), SRCTREE, RUNS (repetitions, the
# median is printed), BENCH_TMP (content and traces, default
# $OBJTREE/test/tmp/bench).  Benchmarks print numbers measured in the same
# run; they are never part of `make check`.
SRCTREE=${SRCTREE:-$(cd "$(dirname "$0")/.." && pwd)}
. "$SRCTREE/scripts/lib.sh"
OBJTREE=${OBJTREE:-$SRCTREE/build}
BIN=$OBJTREE/bin
TB=$OBJTREE/test
TMP=${BENCH_TMP:-$OBJTREE/test/tmp/bench}
RUNS=${RUNS:-3}
LAT_AWK=$SRCTREE/scripts/bench_lat.awk
mkdir -p "$TMP"

need() {
	for f; do
		[ -x "$f" ] || command -v "$f" > /dev/null 2>&1 ||
			{ echo "bench: $f missing (make O=$OBJTREE check builds the helpers)" >&2; exit 2; }
	done
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "nan" }'
}

# key=value field of a helper_bench_run / bench_lat.awk line.
field() { sed -n "s/.*\\<$1=\\([^ ]*\\).*/\\1/p" "$2" | head -n 1; }

machine() {
	echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), nproc $(nproc)," \
	     "load $(cut -d' ' -f1-3 /proc/loadavg)"
}

# Content, generated once: N frames of WxH raw BGR (testsrc2 + temporal
# noise, like a camera), and a 1080p-class Annex B stream with an AUD per
# AU (x264 veryfast zerolatency, 6 Mbit/s CBR, gop 30) for passthrough.
bgr_file() { # W H N
	f=$TMP/src_$1x$2_$3.bgr
	[ -s "$f" ] || ffmpeg -hide_banner -loglevel error -nostdin \
		-f lavfi -i "testsrc2=size=$1x$2:rate=30" -vf noise=alls=6:allf=t \
		-frames:v "$3" -f rawvideo -pix_fmt bgr24 -y "$f" || exit 2
	echo "$f"
}

annexb_file() { # W H N codec
	f=$TMP/src_$1x$2_$3.$4
	enc=libx264 par=-x264-params fmt=h264
	[ "$4" = h265 ] && enc=libx265 par=-x265-params fmt=hevc
	[ -s "$f" ] || ffmpeg -hide_banner -loglevel error -nostdin \
		-f lavfi -i "testsrc2=size=$1x$2:rate=30" -vf noise=alls=6:allf=t \
		-frames:v "$3" -c:v $enc -preset veryfast -tune zerolatency -g 30 -bf 0 \
		$par aud=1:scenecut=0:keyint=30:min-keyint=30:log-level=error -b:v 6M -maxrate 6M -bufsize 3M -f $fmt \
		-y "$f" || exit 2
	echo "$f"
}

# One streamer run fed by helper_bench_pub, traced at a loopback RTP
# receiver.  Output files in $1: run.txt (helper_bench_run), tx.trace,
# rx.trace, streamer.log.  $2: producer arguments; $3: extra streamer
# arguments; STALL_MS set: an RTMP stub that stops reading for that long
# is added as a second sink.
run_streamer() { # dir "producer args" "streamer args" (STREAMER: another binary)
	d=$1
	mkdir -p "$d"
	rm -f "$d"/*.trace "$d"/run.txt*
	port=$(free_port) inst=bench$$
	timeout 120 "$BIN/rtp_receiver_tester" --port "$port" --idle-ms 3500 \
		--timeout-ms 60000 --trace "$d/rx.trace" ${CODEC:+--codec $CODEC} ${RX_ARGS:-} \
		> "$d/rx.log" 2>&1 &
	rpid=$! spid=""
	rtmp=""
	if [ -n "${STALL_MS:-}" ]; then
		rport=$(free_port)
		timeout 120 "$BIN/rtmp_stub_tester" --mode "${CODEC:-h264}" --listen-port "$rport" \
			--stall-ms "$STALL_MS" --timeout-ms 110000 > "$d/rtmp.log" 2>&1 &
		spid=$!
		rtmp="--rtmp --rtmp-url rtmp://127.0.0.1:$rport/live/bench"
	fi
	sleep 0.2
	# shellcheck disable=SC2086
	timeout 120 "$TB/helper_bench_run" "$d/run.txt" "${STREAMER:-$BIN/cvmmap_streamer}" \
		--input "$inst" --codec "${CODEC:-h264}" --rtp --rtp-endpoint "127.0.0.1:$port" \
		--bitexact --no-nats --ingest-idle-timeout-ms 3000 --stats-interval-ms 0 \
		$rtmp $3 > "$d/streamer.log" 2>&1 &
	tpid=$!
	sleep 0.3
	spid_=$(cat "$d/run.txt.pid" 2>/dev/null)
	c0=$(task_cpu_ns "$spid_")
	# shellcheck disable=SC2086
	timeout 120 "$TB/helper_bench_pub" -i "$inst" -d 500 -t "$d/tx.trace" $2 \
		2> "$d/pub.log"
	echo "cpu_ns=$(( $(task_cpu_ns "$spid_") - c0 ))" > "$d/cpu.txt"
	wait "$tpid"
	wait "$rpid"
	stop_pid "$spid"
}

# CPU time of all threads of a running process (ns, schedstat).
task_cpu_ns() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'
}

# CPU microseconds (user + system) and peak RSS of a helper_bench_run line.
cpu_us() { echo $(( $(field utime_us "$1") + $(field stime_us "$1") )); }

# The side-by-side job of bench_compare.sh and bench_srt.sh, one side each.
# ours_x264 DIR WxH BGRFILE [PUB-ARGS] -- OUTPUT-ARGS...: helper_bench_pub
# publishes BGRFILE on cv-mmap ($ppid_, stopped by the caller) and the
# streamer encodes FRAMES of it with x264, GOP 30, into OUTPUT-ARGS,
# measured by helper_bench_run into DIR/run.txt.
ours_x264() {
	od=$1 osz=$2 ofile=$3; shift 3
	pub=""
	while [ $# -gt 0 ] && [ "$1" != -- ]; do pub="$pub $1"; shift; done
	shift
	inst=bj$$
	# shellcheck disable=SC2086
	timeout 60 "$TB/helper_bench_pub" -i "$inst" -s "$osz" -b "$ofile" \
		-n $((FRAMES + 90)) $pub 2> "$od/pub.log" &
	ppid_=$!
	sleep 1
	timeout 60 "$TB/helper_bench_run" "$od/run.txt" "$BIN/cvmmap_streamer" \
		--input "$inst" --codec h264 "$@" \
		--no-nats --ingest-max-frames "$FRAMES" --stats-interval-ms 0 \
		--gop 30 > "$od/tool.log" 2>&1
}

# ffmpeg_x264 DIR WxH BGRFILE OUTPUT-ARGS...: FFmpeg doing the same job at
# the frame rate (-re), x264 with the streamer's settings.
ffmpeg_x264() {
	od=$1 osz=$2 ofile=$3; shift 3
	timeout 60 "$TB/helper_bench_run" "$od/run.txt" ffmpeg -hide_banner -loglevel error \
		-nostdin -re -f rawvideo -pix_fmt bgr24 -s "$osz" -r 30 -i "$ofile" \
		-frames:v "$FRAMES" -c:v libx264 -preset ultrafast -tune zerolatency \
		-g 30 -keyint_min 30 -sc_threshold 0 -bf 0 -crf 23 -pix_fmt yuv420p \
		"$@" > "$od/tool.log" 2>&1
}
