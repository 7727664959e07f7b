#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# seed.sh - the original project's README "Manual component testing",
# steps 1-3, run as written (docs/seed.md).  Only step 1's binary differs:
# our producer is cvmmap_sim, which accepts the original streamer's
# producer command line.
#
#   step 1  cvmmap_sim --run-mode pipeline --codec h264 --shm-name test_stream
#           --zmq-endpoint "ipc:///tmp/test_sync.ipc" --input-mode dummy
#           --dummy-label teststream --dummy-frames 300 --dummy-fps 30
#           --dummy-width 640 --dummy-height 360          (10 s of frames)
#   step 2  rtp_receiver_tester on UDP 5004 + cvmmap_streamer --rtp, SDP
#           to /tmp/test.sdp
#   step 3  rtmp_stub_tester on TCP 1935 + cvmmap_streamer --rtmp enhanced
#
# The seed's names and ports are fixed: a step whose port (5004/5005,
# 1935) is busy skips itself, and the suite skips when another producer
# already serves /tmp/test_sync.ipc.  The streamer runs without --no-nats,
# as written: with no NATS server at localhost:4222 it logs and streams.
# Every process is bounded by timeout(1) and stopped by its PID.
. "$SRCTREE/test/suites/testing.sh"
optional CONFIG_CVMMAP || skip_all "CONFIG_CVMMAP off"
optional CONFIG_TOOL_SIM || skip_all "cvmmap_sim not built"

T=$OBJTREE/test/tmp/seed
rm -rf "$T" && mkdir -p "$T"
SIM="${TEST_EXEC:-} $BIN/cvmmap_sim"
S="${TEST_EXEC:-} $BIN/cvmmap_streamer"
RTPT="${TEST_EXEC:-} $BIN/rtp_receiver_tester"
STUB="${TEST_EXEC:-} $BIN/rtmp_stub_tester"
INSPECT="${TEST_EXEC:-} $BIN/cvmmap_inspect"
U=seed$$           # names of the rows that must not touch the seed's
export T SIM S RTPT STUB

cat > "$T/lib.sh" <<'EOF'
# busy PROTO PORT...: true (and says so) when a loopback PORT is taken
# (TCP: listened on, not merely in TIME_WAIT from an earlier run).
busy() {
	python3 - "$@" <<'PY'
import socket, sys
t = socket.SOCK_DGRAM if sys.argv[1] == 'udp' else socket.SOCK_STREAM
for p in sys.argv[2:]:
    s = socket.socket(socket.AF_INET, t)
    if t == socket.SOCK_STREAM:     # as the stub: TIME_WAIT is no owner
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(('127.0.0.1', int(p)))
    except OSError:
        print('port %s/%s is busy' % (p, sys.argv[1])); sys.exit(0)
    finally:
        s.close()
sys.exit(1)
PY
}
# until_bound PROTO PORT: until something binds the port (5 s at most).
until_bound() {
	i=0
	while [ $i -lt 100 ]; do
		ss -Hl"$([ "$1" = udp ] && echo u || echo t)"n "sport = :$2" 2>/dev/null |
			grep -q . && return 0
		sleep 0.05; i=$((i + 1))
	done
	echo "nobody bound $1 port $2"; return 1
}
# finish_streamer PID LOG: stop the streamer (it must still be running)
# and require its clean exit 0 after SIGTERM.
finish_streamer() {
	kill -0 "$1" 2>/dev/null || { echo "streamer exited early:"; cat "$2"; return 1; }
	kill "$1"; wait "$1"; r=$?
	cat "$2"
	[ $r -eq 0 ] || { echo "streamer exit $r after SIGTERM"; return 1; }
}
EOF

# ---------------------------------------------------------------- flags
testing "dummy-label of 25 bytes -> 2, one line" "
	out=\$($SIM --shm-name ${U}l --zmq-endpoint ipc://$T/${U}l --input-mode dummy \
		--dummy-label abcdefghijklmnopqrstuvwxy --dummy-frames 1 2>&1); rc=\$?
	echo \"\$out\"; [ \$rc -eq 2 ] && [ \$(echo \"\$out\" | wc -l) -eq 1 ] &&
	echo \"\$out\" | grep -q '^cvmmap_sim: label .* longer than 24 bytes'"
testing "dummy-label of 24 bytes accepted" \
	"timeout 20 $SIM --shm-name ${U}m --zmq-endpoint ipc://$T/${U}m --input-mode dummy \
		--dummy-label abcdefghijklmnopqrstuvwx --dummy-frames 2 --dummy-fps 100"
testing "--instance with --shm-name -> 2" "
	out=\$($SIM --instance $U --shm-name ${U}x --zmq-endpoint ipc://$T/${U}x 2>&1); rc=\$?
	echo \"\$out\"; [ \$rc -eq 2 ] && echo \"\$out\" | grep -q 'mutually exclusive'"
testing "--shm-name without --zmq-endpoint -> 2" "$SIM --shm-name ${U}y --frames 1" 2
testing "--input-mode other than dummy -> 2" \
	"$SIM --shm-name ${U}z --zmq-endpoint ipc://$T/${U}z --input-mode cvmmap --frames 1" 2
if optional CONFIG_TOOL_INSPECT; then
	# NAME and /NAME are one object, on both sides (cvmmap_target_explicit)
	testing "--shm-name NAME is the consumer's /NAME" "
		timeout 20 $SIM --shm-name ${U}s --zmq-endpoint ipc://$T/${U}s --fps 50 \
			--frames 200 --start-delay-ms $((300 * TIME_SCALE)) > $T/same.sim.log 2>&1 & p=\$!
		timeout 15 $INSPECT --shm-name /${U}s --zmq-endpoint ipc://$T/${U}s --watch \
			--count 3 --timeout-ms 8000; rc=\$?
		kill \$p 2>/dev/null; wait \$p; cat $T/same.sim.log; exit \$rc"
else
	skip "--shm-name NAME is the consumer's /NAME" "cvmmap_inspect not built"
fi

# ---------------------------------------------------------------- step 1
if ss -Hxl 2>/dev/null | grep -q '/tmp/test_sync.ipc'; then
	skip_all "another producer serves ipc:///tmp/test_sync.ipc"
fi
rm -f /tmp/test.sdp
timeout 60 $SIM \
	--run-mode pipeline \
	--codec h264 \
	--shm-name test_stream \
	--zmq-endpoint "ipc:///tmp/test_sync.ipc" \
	--input-mode dummy \
	--dummy-label teststream \
	--dummy-frames 300 \
	--dummy-fps 30 \
	--dummy-width 640 \
	--dummy-height 360 > "$T/step1.log" 2>&1 &
SIM_PID=$!
trap 'stop_pid "$SIM_PID"' EXIT
testing "step 1: producer publishes test_stream" "
	i=0; while [ \$i -lt 50 ] && ! grep -q 'publishing' $T/step1.log; do
		sleep 0.1; i=\$((i + 1)); done
	cat $T/step1.log
	grep -q \"publishing /test_stream via ipc:///tmp/test_sync.ipc (label 'teststream')\" \
		$T/step1.log && test -e /dev/shm/test_stream && test -S /tmp/test_sync.ipc"

# ---------------------------------------------------------------- step 2
if optional CONFIG_RTP && optional CONFIG_TOOL_RTP_TESTER; then
	testing "step 2: RTP to rtp_receiver_tester, SDP written" "
		. $T/lib.sh
		busy udp 5004 5005 && exit 77
		timeout 20 $RTPT \
			--port 5004 \
			--expect-pt 96 \
			--packet-threshold 1 \
			--timeout-ms 10000 > $T/step2.tester.log 2>&1 & tp=\$!
		until_bound udp 5004 || { kill \$tp; wait \$tp; exit 1; }
		timeout 30 $S \
			--run-mode pipeline \
			--codec h264 \
			--shm-name test_stream \
			--zmq-endpoint \"ipc:///tmp/test_sync.ipc\" \
			--rtp \
			--rtp-endpoint \"127.0.0.1:5004\" \
			--rtp-payload-type 96 \
			--rtp-sdp /tmp/test.sdp > $T/step2.streamer.log 2>&1 & sp=\$!
		wait \$tp; trc=\$?
		cat $T/step2.tester.log
		finish_streamer \$sp $T/step2.streamer.log || exit 1
		cat /tmp/test.sdp || exit 1
		grep -q '^m=video 5004 RTP/AVP 96' /tmp/test.sdp &&
			grep -q '^a=rtpmap:96 H264/90000' /tmp/test.sdp || exit 1
		exit \$trc"
else
	skip "step 2: RTP to rtp_receiver_tester, SDP written" "RTP or its tester not built"
fi

# ---------------------------------------------------------------- step 3
if optional CONFIG_RTMP && optional CONFIG_TOOL_RTMP_TESTER; then
	testing "step 3: RTMP (enhanced) to rtmp_stub_tester" "
		. $T/lib.sh
		busy tcp 1935 && exit 77
		timeout 20 $STUB \
			--mode h264 \
			--listen-host 127.0.0.1 \
			--listen-port 1935 \
			--video-threshold 1 \
			--timeout-ms 10000 > $T/step3.tester.log 2>&1 & tp=\$!
		until_bound tcp 1935 || { kill \$tp; wait \$tp; exit 1; }
		timeout 30 $S \
			--run-mode pipeline \
			--codec h264 \
			--shm-name test_stream \
			--zmq-endpoint \"ipc:///tmp/test_sync.ipc\" \
			--rtmp \
			--rtmp-url \"rtmp://127.0.0.1:1935/live/test\" \
			--rtmp-mode enhanced > $T/step3.streamer.log 2>&1 & sp=\$!
		wait \$tp; trc=\$?
		cat $T/step3.tester.log
		finish_streamer \$sp $T/step3.streamer.log || exit 1
		exit \$trc"
else
	skip "step 3: RTMP (enhanced) to rtmp_stub_tester" "RTMP or its stub not built"
fi

# ---------------------------------------------------------------- step 1 ends
# 300 frames at 30 fps: the producer ends by itself after 10 s.
i=0
while [ $i -lt 200 ] && kill -0 "$SIM_PID" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$SIM_PID" 2>/dev/null; then
	stop_pid "$SIM_PID"
	sim_rc=killed
else
	wait "$SIM_PID"
	sim_rc=$?
fi
testing "step 1: 300 frames, exit 0, names removed" "
	cat $T/step1.log; echo 'producer exit: $sim_rc'
	[ '$sim_rc' = 0 ] && grep -q '300 frames published' $T/step1.log &&
		! test -e /dev/shm/test_stream && ! test -e /tmp/test_sync.ipc"
trap - EXIT
finish
