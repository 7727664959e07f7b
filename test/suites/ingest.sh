#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# ingest.sh - cv-mmap producer simulator -> consumer, in one run.
#
# Every case starts cvmmap_sim in the background (bounded by timeout,
# stopped by its PID) and consumes it with test/ingest_consumer, which
# proves each delivered frame carries its own frame_id's pattern (no torn
# frame delivered) and checks the counters a fault mode must produce.
# Also: cvmmap_inspect on live instances and on the upstream fixtures,
# and the Kaitai Struct oracle (npm) against our parser's JSON.
. "$SRCTREE/test/suites/testing.sh"
optional CONFIG_CVMMAP || skip_all "CONFIG_CVMMAP off"
optional CONFIG_TOOL_SIM || skip_all "cvmmap_sim not built"

TMP=$OBJTREE/test/tmp/ingest
rm -rf "$TMP"
mkdir -p "$TMP"
SIM=$BIN/cvmmap_sim
INSPECT=$BIN/cvmmap_inspect
CONSUMER=$OBJTREE/test/ingest_consumer
VEC=$SRCTREE/test/vectors/contract
X=${TEST_EXEC:-}
ID=i$$             # instance prefix: parallel runs do not collide

# pair INSTANCE "SIM ARGS" "CONSUMER ARGS": a command line that runs the
# simulator for at most 30 s, consumes it, stops it by PID, and checks
# the clean exit removed the SHM object and the ipc socket file.
# timeout --foreground wherever the suite stops the program through its
# timeout(1) wrapper: without it timeout also signals its process group and
# sends SIGCONT, and a SIGCONT that lands while LeakSanitizer's exit check
# has just attached to the process cancels the SIGSTOP it waits for: the
# check hangs (ASan CI, about 1 run in 40 under load).
pair() {
	echo "timeout --foreground $((30 * TIME_SCALE)) $X $SIM --instance $1 $2 2>$LOGDIR/$1.sim.log & p=\$!;" \
	     "timeout $((25 * TIME_SCALE)) $X $CONSUMER $1 $3; rc=\$?;" \
	     "kill \$p 2>/dev/null; wait \$p;" \
	     "test -e /dev/shm/cvmmap_$1 && { echo 'SHM left behind'; rc=1; };" \
	     "test -e /tmp/cvmmap_$1 && { echo 'ipc file left behind'; rc=1; };" \
	     "exit \$rc"
}

# ---------------------------------------------------------------- usage
testing "sim: label over 24 bytes -> 2" \
	"$X $SIM --instance $ID --label abcdefghijklmnopqrstuvwxy --frames 1" 2
testing "sim: 24-byte label accepted" \
	"$X $SIM --instance ${ID}l --label abcdefghijklmnopqrstuvwx --frames 1 --fps 100"
testing "sim: bad instance name -> 2" "$X $SIM --instance bad/name --frames 1" 2
testing "sim: relative prefix -> 2" "$X $SIM --target cvmmap://x@tmp --frames 1" 2
testing "sim: v2.1 without --annexb -> 2" "$X $SIM --instance $ID --meta v2.1" 2
testing "sim: unknown fault -> 2" "$X $SIM --instance $ID --fault melt" 2
testing "inspect: bad target -> 2" "$X $INSPECT 'cvmmap://x?foo=1'" 2
testing "inspect: 24-char instance -> 2" "$X $INSPECT abcdefghijklmnopqrstuvwx" 2
testing "inspect: no producer -> 5" "$X $INSPECT ${ID}absent" 5

# ---------------------------------------------------------------- fixtures
testing "inspect: upstream fixtures valid" \
	"for f in v1_valid v2_left_only_valid v2_left_depth_valid; do
	   $X $INSPECT --metadata-file $VEC/\${f}_metadata.hex || exit 1; done"
testing "inspect: malformed fixture -> 7 plane_bounds" \
	"$X $INSPECT --json --metadata-file $VEC/v2_malformed_descriptor_metadata.hex > $TMP/mal.json;
	 rc=\$?; cat $TMP/mal.json; grep -q '\"reason\":\"plane_bounds\"' $TMP/mal.json && exit \$rc" 7
testing "inspect: U8 confidence rejected (C++ rule) -> 7" \
	"$X $INSPECT --metadata-file $VEC/v2_left_depth_confidence_valid_metadata.hex" 7
testing "inspect: U8 confidence with --python-confidence" \
	"$X $INSPECT --python-confidence --metadata-file $VEC/v2_left_depth_confidence_valid_metadata.hex"
testing "inspect: payload beyond --object-size -> 7" \
	"$X $INSPECT --object-size 260 --metadata-file $VEC/v2_left_only_valid_metadata.hex" 7

# ---------------------------------------------------------------- matrix
# every pixel format once; v1/v2.0 x exact/bucket all covered; padded
# strides and a depth plane on some.  The producer's rate scales with
# TIME_SCALE like every timeout: under qemu both sides run ~5x slower, and
# a 60 fps producer there could rewrite a plane during the consumer's
# copy before the next sync exists (undetectable by contract §9: seen
# once as "BAD frame 12" in check-aarch64).
n=0
for c in "bgr v1 exact" "rgb v1 bucket" "bgra v2.0 exact" "rgba v2.0 bucket" \
	 "gray v2.0 exact --depth-plane --stride-pad 3" "yuyv v1 bucket --stride-pad 4"; do
	set -- $c
	fmt=$1 meta=$2 sizing=$3
	shift 3
	n=$((n + 1))
	testing "sim->ingest $fmt $meta $sizing $*" "$(pair $ID$n \
		"--meta $meta --sizing $sizing --pixel-format $fmt --width 322 --height 180 --fps $((60 / TIME_SCALE)) $*" \
		"--frames 15 --format $fmt")"
done

# ---------------------------------------------------------------- v2.1 AU
if command -v ffmpeg > /dev/null 2>&1; then
	ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc=size=320x240:rate=30 \
		-frames:v 45 -c:v libx264 -g 15 -bf 0 -x264-params aud=1 -f h264 "$TMP/a.h264" \
		> "$LOGDIR/ffmpeg-h264.log" 2>&1
	ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc=size=320x240:rate=30 \
		-frames:v 45 -c:v libx265 -g 15 -bf 0 -x265-params aud=1:log-level=error \
		-f hevc "$TMP/a.h265" > "$LOGDIR/ffmpeg-h265.log" 2>&1
	for codec in h264 h265; do
		if [ ! -s "$TMP/a.$codec" ]; then
			skip "v2.1 $codec" "ffmpeg could not encode $codec"
			continue
		fi
		testing "sim->ingest v2.1 $codec AU, keyframe flags" "$(pair $ID$codec \
			"--meta v2.1 --annexb $TMP/a.$codec --codec $codec --fps 30 --width 320 --height 240" \
			"--frames 40 --expect-au $codec --dump-au $TMP/out.$codec")"
		# ffmpeg decodes what passed through, from the first keyframe on
		testing "ffmpeg decodes the delivered $codec AUs" \
			"ffmpeg -nostdin -v error -i $TMP/out.$codec -f null - 2> $TMP/dec.$codec.err;
			 rc=\$?; cat $TMP/dec.$codec.err; test \$rc -eq 0 && test ! -s $TMP/dec.$codec.err"
	done
else
	skip "v2.1 AU" "ffmpeg not installed"
fi

# ---------------------------------------------------------------- faults
# Every frame is scribbled 0..1.5 ms after its sync: whether a copy tears
# depends on how fast it is.  A 1080p copy on a loaded runner (two suites
# at a time) or under qemu tears nearly every time, and 45 clean frames
# took longer than the row's bound: 720p natively, 640x360 under qemu,
# 30 clean frames and at least one torn.
torn_size="--width 1280 --height 720"
[ -n "${TEST_EXEC:-}" ] && torn_size="--width 640 --height 360"
testing "fault torn: torn frames counted, none delivered" "$(pair ${ID}t \
	"--fault torn $torn_size --fps 15" \
	"--frames 30 --min-torn 1")"
testing "fault reset-storm + legacy 0xB0: resets flagged" "$(pair ${ID}r \
	"--fault reset-storm --fault-every 8 --legacy-status --fps 60" \
	"--frames 40 --min-resets 3")"
testing "fault restart: new inode reattached within 1 s" \
	"$(pair ${ID}s "--fault restart --fault-every 20 --fps 30" \
	"--frames 50 --max-gap-ms 1000") > $TMP/restart.out; rc=\$?; cat $TMP/restart.out;
	 grep -q 'reattached [1-9]' $TMP/restart.out && exit \$rc"
testing "fault resize: both sizes delivered intact" \
	"$(pair ${ID}z "--fault resize --fault-every 6 --fps 60 --width 640 --height 480" \
	"--frames 40")"
testing "fault resize (bucket): both sizes seen by inspect --watch" \
	"timeout --foreground 20 $X $SIM --instance ${ID}w --fault resize --fault-every 5 --fps 60 --sizing bucket \
	   --width 640 --height 480 2>/dev/null & p=\$!;
	 $X $INSPECT --watch --count 30 --timeout-ms 10000 ${ID}w > $TMP/watch.out; rc=\$?;
	 kill \$p; wait \$p; cat $TMP/watch.out;
	 grep -q ' 640x480 ' $TMP/watch.out && grep -q ' 320x240 ' $TMP/watch.out && exit \$rc"
testing "fault garbage-reserved: frames and metadata still valid" \
	"$(pair ${ID}g "--fault garbage-reserved --fps 60 --meta v2.0" "--frames 15")"
testing "fault garbage-reserved v1" \
	"$(pair ${ID}h "--fault garbage-reserved --fps 60 --meta v1" "--frames 15")"

# ---------------------------------------------------------------- signals
# timeout(1) signals its child and then its own process group: a program
# gets SIGTERM twice.  A signal during shutdown must not make it exit with
# libzmq's threads running (zmq_ctx_term returns EINTR; under ASan the
# leak check then deadlocks).  A burst of SIGTERMs, the sim's PID itself.
testing "sim: SIGTERM burst during shutdown -> exit 0, SHM removed" \
	"$X $SIM --instance ${ID}q --fps 60 2>$LOGDIR/${ID}q.sim.log & p=\$!;
	 timeout 10 $X $CONSUMER ${ID}q --frames 5 || { kill -9 \$p; exit 1; };
	 i=0; while kill -TERM \$p 2>/dev/null && [ \$i -lt 500 ]; do sleep 0.002; i=\$((i + 1)); done;
	 kill -0 \$p 2>/dev/null && { echo 'still running after 500 SIGTERMs'; kill -9 \$p; exit 1; };
	 wait \$p; rc=\$?; echo \"\$i signals, exit \$rc\";
	 test -e /dev/shm/cvmmap_${ID}q && { echo 'SHM left behind'; rc=1; }; exit \$rc"

# ---------------------------------------------------------------- inspect live
testing "inspect: live instance JSON, size and inode" \
	"timeout --foreground 20 $X $SIM --target 'cvmmap://${ID}j@$TMP?namespace=tst' --fps 30 --width 64 \
	   --height 32 2>/dev/null & p=\$!; sleep 0.5;
	 $X $INSPECT --json 'cvmmap://${ID}j@$TMP?namespace=tst' > $TMP/live.json; rc=\$?;
	 $X $INSPECT --shm-name tst_${ID}j --zmq-endpoint ipc://$TMP/tst_${ID}j --watch --count 2; rc2=\$?;
	 kill \$p; wait \$p; cat $TMP/live.json;
	 grep -q '\"object_size\":6400,\"inode\":[1-9]' $TMP/live.json && [ \$rc2 = 0 ] && exit \$rc"
testing "inspect --watch times out -> 124" \
	"$X $INSPECT --watch --count 1 --timeout-ms 300 ${ID}none" 124

# ---------------------------------------------------------------- Kaitai
# Independent oracle: upstream .ksy compiled by the npm Kaitai compiler
# parses the fixtures and metadata the simulator wrote; every field must
# equal what our parser printed.
NODE_DIR=$SRCTREE/build/peers/node
if ! command -v node > /dev/null 2>&1 || ! command -v npm > /dev/null 2>&1; then
	skip "kaitai oracle" "node/npm not installed"
elif ! { [ -d "$NODE_DIR/node_modules/kaitai-struct-compiler" ] &&
	 [ -d "$NODE_DIR/node_modules/kaitai-struct" ] &&
	 [ -d "$NODE_DIR/node_modules/js-yaml" ]; } &&
     ! (mkdir -p "$NODE_DIR" && cd "$NODE_DIR" &&
	timeout 120 npm install --no-audit --no-fund --silent \
		kaitai-struct-compiler kaitai-struct js-yaml) > "$LOGDIR/npm.log" 2>&1; then
	skip "kaitai oracle" "npm registry unreachable (see $LOGDIR/npm.log)"
else
	args=
	for f in v1_valid v2_left_only_valid v2_left_depth_valid v2_left_depth_confidence_valid \
		 v2_malformed_descriptor; do
		$X "$INSPECT" --json --python-confidence --metadata-file "$VEC/${f}_metadata.hex" \
			--dump "$TMP/k_$f.bin" > "$TMP/k_$f.json" 2>/dev/null
		args="$args $TMP/k_$f.bin:$TMP/k_$f.json"
	done
	for m in "v1 bgr" "v2.0 gray --depth-plane --stride-pad 2" "v2.1 bgr"; do
		set -- $m
		meta=$1
		shift
		au=
		[ "$meta" = v2.1 ] && au="--annexb $TMP/a.h264"
		[ "$meta" = v2.1 ] && [ ! -s "$TMP/a.h264" ] && continue
		inst=${ID}k$(echo "$meta" | tr -d .)
		timeout -k 2 10 $X "$SIM" --instance "$inst" --meta "$meta" --pixel-format "$@" $au \
			--fps 30 --width 64 --height 48 > /dev/null 2>&1 &
		p=$!
		sleep 0.4
		$X "$INSPECT" --json "$inst" --dump "$TMP/k_sim_$inst.bin" \
			> "$TMP/k_sim_$inst.json" 2>/dev/null
		kill $p 2>/dev/null
		wait $p
		args="$args $TMP/k_sim_$inst.bin:$TMP/k_sim_$inst.json"
	done
	testing "kaitai oracle: fixtures + simulator metadata match our parser" \
		"NODE_PATH=$NODE_DIR/node_modules node $SRCTREE/test/suites/kaitai_oracle.js \
		   $VEC $TMP/kaitai $args --sync $SRCTREE/test/fuzz/corpus/zsync/tv2:42,123456789,camera_0"
fi

# ---------------------------------------------------------------- pyzmq
# The upstream producer publishes its syncs with pyzmq (libzmq 4.3 under
# it, ZMTP 3.1).  A pyzmq relay re-publishes the simulator's syncs,
# multipart as they come, on tcp://; the streamer, with whichever
# subscriber this build has (libzmq or the in-tree ZMTP one), must take
# every frame from it.  Debian's python3-zmq (scripts/deps.sh).
PYZ=
for py in python3 /usr/bin/python3; do
	$py -c 'import zmq' 2> /dev/null && { PYZ=$py; break; }
done
if [ -n "$PYZ" ] && optional CONFIG_SINK_NULL; then
	cat > "$TMP/relay.py" <<'PY'
import sys, time, zmq
ctx = zmq.Context()
sub = ctx.socket(zmq.SUB)
sub.setsockopt(zmq.SUBSCRIBE, b'')
sub.connect(sys.argv[1])
pub = ctx.socket(zmq.PUB)
pub.bind(sys.argv[2])
open(sys.argv[4], 'w').close()
end, n = time.time() + float(sys.argv[3]), 0
while time.time() < end:
    if sub.poll(100):
        pub.send_multipart(sub.recv_multipart())
        n += 1
print('pyzmq %s relayed %d messages' % (zmq.__version__, n))
PY
	port=$(free_port)
	inst=${ID}pz
	testing "pyzmq PUB (the upstream producer's library) -> streamer: every frame" \
		"$PYZ $TMP/relay.py ipc:///tmp/cvmmap_$inst tcp://127.0.0.1:$port \
		   $((20 * TIME_SCALE)) $TMP/pz.ready > $TMP/pz.relay 2>&1 & r=\$!;
		 i=0; while [ ! -e $TMP/pz.ready ] && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i + 1)); done;
		 timeout $((30 * TIME_SCALE)) $X $BIN/cvmmap_streamer --shm-name /cvmmap_$inst \
		   --zmq-endpoint tcp://127.0.0.1:$port --no-nats --null --queue-size 8 \
		   --stats-interval-ms 0 --ingest-max-frames 60 > $TMP/pz.log 2>&1 & s=\$!;
		 timeout $((30 * TIME_SCALE)) $X $SIM --instance $inst --frames 90 --fps 30 \
		   --width 160 --height 120 --start-delay-ms $((1000 * TIME_SCALE)) > $TMP/pz.sim 2>&1;
		 wait \$s; rc=\$?; kill \$r 2> /dev/null; wait \$r; cat $TMP/pz.relay; tail -n 1 $TMP/pz.log;
		 grep -q 'exit: in=60 out=60 ' $TMP/pz.log && [ \$rc -eq 0 ]"
else
	skip "pyzmq PUB -> streamer" "no python3-zmq (Debian package), or --null not built"
fi

finish
