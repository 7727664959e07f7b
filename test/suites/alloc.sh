#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# alloc.sh - no allocation on the frame path (docs/architecture.md property 2).
#
# The streamer runs under the counting LD_PRELOAD shim
# (test/alloc/alloc_count.c), which reports how many allocations happened
# between the sinks' 50th output call and their 4th-last one (the last
# ones are the shutdown's: an RTCP BYE after the input stopped): the steady
# state, without start-up or shutdown.  That number must be 0.  x265
# allocates inside the encoder on every frame (encoder-internal, excluded
# by the rule); its row proves that the shim does see such allocations.
. "$SRCTREE/test/suites/testing.sh"
SHIM=$OBJTREE/fake/libcvmmap_alloccount.so
[ -f "$SHIM" ] || skip_all "no allocation shim (fully static build)"
[ -z "${TEST_EXEC:-}" ] || skip_all "LD_PRELOAD shim is host-only (not under qemu)"
ldd "$BIN/cvmmap_streamer" 2>/dev/null | grep -q 'libasan\|libtsan' &&
	skip_all "sanitizer build: its allocator replaces malloc"
T=$OBJTREE/test/tmp/alloc
mkdir -p "$T"
S=$BIN/cvmmap_streamer
COMMON="--no-nats --stats-interval-ms 0 --log-level error"

# run NAME ARGS...: the streamer under the shim (timeout(1) outside it, so
# it neither counts nor overwrites the report).
run() {
	name=$1; shift
	rm -f "$T/$name.count"
	timeout 60 env ALLOC_COUNT_FILE="$T/$name.count" LD_PRELOAD="$SHIM" "$S" $COMMON "$@" \
		> "$T/$name.log" 2>&1
}

# The testing() command: steady-state allocations of NAME compared with OP N.
steady() {
	echo "cat $T/$1.count; s=\$(sed -n 's/^steady //p' $T/$1.count); [ -n \"\$s\" ] && [ \"\$s\" $2 ]"
}

dummy() { # NAME CODEC OUTPUT...  (FPS=N: the dummy's rate, default 240)
	name=$1 c=$2; shift 2
	run "$name" --input-mode dummy --dummy-frames 240 --dummy-fps "${FPS:-240}" \
		--dummy-width 320 --dummy-height 240 --codec "$c" "$@"
}

if optional CONFIG_ENC_X264 && optional CONFIG_RTP; then
	dummy x264_rtp h264 --rtp --rtp-endpoint 127.0.0.1:9
	testing "x264 + RTP: no allocation per frame" "$(steady x264_rtp '-eq 0')"
else
	skip "x264 + RTP: no allocation per frame" "x264 or RTP off"
fi

# The V4L2 back-end's frame path, over the FAKE libnvv4l2.so (v4l2.sh):
# QBUF/DQBUF, copies and timestamp matching allocate nothing.
if optional CONFIG_ENC_V4L2M2M_LIBV4L2 && optional CONFIG_ENC_X264 && optional CONFIG_RTP &&
	[ -f "$OBJTREE/fake/v4l2/libnvv4l2.so" ] && [ ! -e /dev/v4l2-nvenc ]; then
	export LD_LIBRARY_PATH="$OBJTREE/fake/v4l2"
	dummy v4l2_rtp h264 --encoder-device v4l2 --v4l2-device /dev/v4l2-nvenc \
		--rtp --rtp-endpoint 127.0.0.1:9
	unset LD_LIBRARY_PATH
	testing "v4l2 (fake libnvv4l2) + RTP: no allocation per frame" \
		"grep -q 'enc=v4l2' $T/v4l2_rtp.log && $(steady v4l2_rtp '-eq 0')"
else
	skip "v4l2 + RTP: no allocation per frame" "no fake libnvv4l2.so (host build with CONFIG_ENC_V4L2M2M_LIBV4L2)"
fi

if optional CONFIG_ENC_X264 && optional CONFIG_UDP_TS; then
	dummy x264_udp_ts h264 --udp-ts 127.0.0.1:9
	testing "x264 + MPEG-TS over UDP: no allocation per frame" "$(steady x264_udp_ts '-eq 0')"
else
	skip "x264 + MPEG-TS over UDP: no allocation per frame" "x264 or UDP_TS off"
fi

# SRT: libsrt sends from its own "SRT:SndQ" thread with sendmsg(), so
# sendmsg() marks the window (ALLOC_SENDMSG=1), and the allocations of
# libsrt's own threads (names "SRT:...") are left out (ALLOC_SKIP_THREADS);
# libsrt's allocations on our I/O thread, inside srt_sendmsg2(), count.
if optional CONFIG_ENC_X264 && optional CONFIG_SRT && command -v ffmpeg > /dev/null &&
	ffmpeg -hide_banner -protocols 2>/dev/null | grep -qx ' *srt' &&
	! "$S" --input-mode dummy --dummy-frames 1 --no-nats --srt --srt-url srt://127.0.0.1:9 2>&1 |
	grep -q 'has no libsrt'; then
	port=$(free_port)
	timeout -s INT 30 ffmpeg -nostdin -v error -i "srt://127.0.0.1:$port?mode=listener" \
		-f null - > "$T/srt.ff" 2>&1 &
	fp=$!
	sleep 0.5
	export ALLOC_SENDMSG=1 ALLOC_SKIP_THREADS=SRT:
	dummy x264_srt h264 --srt --srt-url "srt://127.0.0.1:$port?mode=caller"
	unset ALLOC_SENDMSG ALLOC_SKIP_THREADS
	wait $fp
	testing "x264 + SRT: no allocation per frame (libsrt's own threads excluded)" \
		"$(steady x264_srt '-eq 0')"
else
	skip "x264 + SRT: no allocation per frame" "x264, SRT, libsrt or FFmpeg's srt off"
fi

if optional CONFIG_ENC_X264 && optional CONFIG_RTMP && optional CONFIG_TOOL_RTMP_TESTER; then
	port=$(free_port)
	timeout 60 "$BIN/rtmp_stub_tester" --mode h264 --listen-port "$port" \
		--video-threshold 100000 --timeout-ms 50000 > /dev/null 2>&1 &
	sp=$!
	sleep 0.2
	dummy x264_rtmp h264 --rtmp --rtmp-url "rtmp://127.0.0.1:$port/live/a" --dummy-fps 120
	wait $sp
	testing "x264 + RTMP: no allocation per frame" "$(steady x264_rtmp '-eq 0')"
else
	skip "x264 + RTMP: no allocation per frame" "x264, RTMP or its stub off"
fi

# sim_run NAME SIMARGS [STREAMER ARGS]: cv-mmap ingest (SHM + ZMQ) through
# the streamer.
# libzmq's own threads (ZMQbg/IO, ZMQbg/Reaper) allocate now and then
# while messages queue up on a loaded machine (their pipes grow by
# chunks): seen as "steady 1" or "2" in 2 of 3 runs beside a CI run, and
# "steady 0, skipped 33-36" in 4 of 4 with them left out.  Those are
# libzmq's, not the frame path's; allocations libzmq makes on our threads
# (in zmq_recv) still count.  The in-tree ZMTP subscriber has no threads.
sim_run() {
	inst=alc$$_$1
	# shellcheck disable=SC2086
	ALLOC_SKIP_THREADS=ZMQbg run "$1" --input "$inst" --rtp --rtp-endpoint 127.0.0.1:9 \
		--ingest-max-frames 240 ${3:-} &
	cpid=$!
	# shellcheck disable=SC2086
	timeout 60 "$BIN/cvmmap_sim" --instance "$inst" --width 320 --height 240 --fps 120 \
		--frames 280 --start-delay-ms $((300 * TIME_SCALE)) $2 > "$T/$1.sim.log" 2>&1
	wait $cpid
}
if optional CONFIG_TOOL_SIM && optional CONFIG_RTP && optional CONFIG_ENC_X264; then
	sim_run cvmmap ""
	testing "cv-mmap ingest + x264 + RTP: no allocation per frame" "$(steady cvmmap '-eq 0')"
	if optional CONFIG_PASSTHROUGH; then
		ffmpeg -v error -y -f lavfi -i testsrc=size=320x240:rate=30 -frames:v 60 \
			-pix_fmt yuv420p -c:v libx264 -preset ultrafast -g 30 -bf 0 \
			-x264-params aud=1 -f h264 "$T/src.h264"
		sim_run pass "--meta v2.1 --annexb $T/src.h264"
		testing "passthrough + RTP: no allocation per frame" "$(steady pass '-eq 0')"
	fi
	# /metrics scraped every 50 ms meanwhile: serving it allocates nothing
	if optional CONFIG_METRICS && command -v python3 > /dev/null; then
		port=$(free_port)
		timeout 60 python3 "$SRCTREE/scripts/metrics_probe.py" --port "$port" \
			--interval 0.05 --duration 30 > "$T/metrics.probe" 2>&1 &
		pp=$!
		sim_run metrics "" "--metrics-listen 127.0.0.1:$port"
		wait $pp
		testing "cv-mmap + RTP with /metrics scraped every 50 ms: no allocation per frame" \
			"cat $T/metrics.probe; grep -q '\"scrapes\": [1-9][0-9]' $T/metrics.probe &&
			 grep -q '\"errors\": 0, \"parse_errors\": 0' $T/metrics.probe &&
			 $(steady metrics '-eq 0')"
	fi
else
	skip "cv-mmap ingest: no allocation per frame" "simulator, RTP or x264 off"
fi

if optional CONFIG_ENC_X265 && optional CONFIG_RTP; then
	# x265 is slower than 240 fps on a loaded machine: with latest-frame
	# drops it once sent 35 AUs, too few for a steady window (50th to
	# 4th-last); 60 fps and a deep queue send all 240.
	FPS=60; dummy x265 h265 --queue-size 64 --rtp --rtp-endpoint 127.0.0.1:9; unset FPS
	testing "the shim sees per-frame allocations (x265 internals)" "$(steady x265 '-gt 0')"
fi
finish
