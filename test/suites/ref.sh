#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# ref.sh - FATE-style reference outputs.  For fixed inputs the --bitexact
# wire output (every RTP datagram, or the FLV the RTMP stub received) is
# hashed and compared with test/ref/<row> ("md5 size"), so a change that
# moves one byte on the wire fails here.  After an intended change of the
# output, regenerate with REF_UPDATE=1 and say why in the commit.
#
# Inputs: the built-in dummy generator (RTP rows: x264/x265, one thread),
# the simulator's raw frames (RTMP rows: the connection is up before the
# first frame, so no keyframe request lands mid-stream), and a v2.1
# producer replaying test/vectors/codec/pt_176x144_g10.* for passthrough.
# RTCP is off (its NTP time is the wall clock).
if [ "${1:-}" = --row ]; then
	. "$SRCTREE/scripts/lib.sh"
	TIME_SCALE=1; [ -n "${TEST_EXEC:-}" ] && TIME_SCALE=${TIME_SCALE_QEMU:-5}
	BIN=$OBJTREE/bin
	target() { ${TEST_EXEC:-} "$@"; }
else
	. "$SRCTREE/test/suites/testing.sh"
fi
REF=$SRCTREE/test/ref
VEC=$SRCTREE/test/vectors/codec
T=$OBJTREE/test/tmp/ref
mkdir -p "$T"
COMMON="--bitexact --no-nats --threads 1 --gop 10 --stats-interval-ms 0"
DUMMY="--input-mode dummy --dummy-width 176 --dummy-height 144 --dummy-fps 10 --dummy-frames 20"

# ref_row NAME OUT(rtp|h264|h265-enhanced|h265-domestic) CODEC INPUT(dummy|raw|pt) [extra args]
ref_row() {
	name=$1 out=$2 codec=$3 input=$4; shift 4
	d=$T/$name; rm -rf "$d"; mkdir -p "$d"
	port=$(free_port)
	case $out in
	rtp)
		target "$BIN/rtp_receiver_tester" --port "$port" --codec "$codec" --au-threshold 1 \
			--idle-ms 1500 --timeout-ms $((20000 * TIME_SCALE)) --dump-packets "$d/wire" \
			> "$d/tester.log" 2>&1 &
		sink="--rtp --no-rtcp --rtp-endpoint 127.0.0.1:$port" ;;
	*)
		target "$BIN/rtmp_stub_tester" --mode "$out" --listen-port "$port" \
			--timeout-ms $((20000 * TIME_SCALE)) --dump "$d/wire" > "$d/tester.log" 2>&1 &
		mode=enhanced; [ "$out" = h265-domestic ] && mode=domestic
		sink="--rtmp --rtmp-url rtmp://127.0.0.1:$port/live/ref --rtmp-mode $mode" ;;
	esac
	tpid=$!
	sleep 0.3
	if [ "$input" = dummy ]; then
		# shellcheck disable=SC2086
		target "$BIN/cvmmap_streamer" $DUMMY --codec "$codec" $COMMON $sink "$@" \
			> "$d/streamer.log" 2>&1
		src=$?
	else
		inst=ref$$_$(echo "$name" | tr -dc 'a-z0-9' | cut -c1-10)
		# shellcheck disable=SC2086
		target "$BIN/cvmmap_streamer" --input "$inst" --codec "$codec" $COMMON $sink \
			--ingest-idle-timeout-ms $((2000 * TIME_SCALE)) "$@" > "$d/streamer.log" 2>&1 &
		spid=$!
		simargs=
		[ "$input" = pt ] && simargs="--meta v2.1 --annexb $VEC/pt_176x144_g10.$codec --codec $codec"
		# shellcheck disable=SC2086
		target "$BIN/cvmmap_sim" --instance "$inst" --width 176 --height 144 --fps 10 \
			--frames 20 --clock media --start-delay-ms $((1000 * TIME_SCALE)) $simargs \
			> "$d/sim.log" 2>&1
		wait "$spid"; src=$?
	fi
	wait "$tpid"
	[ "$src" -eq 0 ] || { echo "streamer exit $src"; return 1; }
	got="$(md5sum < "$d/wire" | cut -d' ' -f1) $(wc -c < "$d/wire")"
	if [ "${REF_UPDATE:-0}" = 1 ]; then
		echo "$got" > "$REF/$name"
		echo "updated $REF/$name: $got"
		return 0
	fi
	want=$(cat "$REF/$name" 2>/dev/null)
	echo "got  $got"; echo "want $want"
	[ "$got" = "$want" ]
}

if [ "${1:-}" = --row ]; then
	shift
	ref_row "$@"
	exit $?
fi

run() { # name out codec input [streamer args]
	testing "ref $1" "sh $0 --row $*"
}

optional CONFIG_RTP && optional CONFIG_ENC_X264 && run rtp-h264-x264 rtp h264 dummy
optional CONFIG_RTP && optional CONFIG_ENC_X265 && run rtp-h265-x265 rtp h265 dummy
optional CONFIG_RTMP && optional CONFIG_ENC_X264 && optional CONFIG_TOOL_SIM && run rtmp-h264-x264 h264 h264 raw
optional CONFIG_RTMP && optional CONFIG_ENC_X265 && optional CONFIG_TOOL_SIM && run rtmp-h265-hvc1-x265 h265-enhanced h265 raw
optional CONFIG_RTMP && optional CONFIG_ENC_X265 && optional CONFIG_TOOL_SIM && run rtmp-h265-id12-x265 h265-domestic h265 raw
if optional CONFIG_TOOL_SIM && optional CONFIG_PASSTHROUGH; then
	optional CONFIG_RTP && run rtp-h264-passthrough rtp h264 pt
	optional CONFIG_RTP && run rtp-h265-passthrough rtp h265 pt
	optional CONFIG_RTMP && run rtmp-h264-passthrough h264 h264 pt
	optional CONFIG_RTMP && run rtmp-h265-hvc1-passthrough h265-enhanced h265 pt
fi
finish
