#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# misbehave.sh - the defects an independent hostile producer found (issue
# 17), each as a regression row, and the rules that catch their class.
#
# The producer is test/helper_misbehave (misbehaviours on cue).  Every row
# checks the frame accounting identity of the streamer's exit line
# (scripts/accounting.sh: announced = out + lost, lost = sum of reasons);
# the passthrough rows decode what arrived and require every frame to be
# one of the source's frames (a pixel comparison, not a count).
. "$SRCTREE/test/suites/testing.sh"
. "$SRCTREE/scripts/accounting.sh"
optional CONFIG_CVMMAP && optional CONFIG_ENC_X264 && optional CONFIG_SINK_NULL ||
	skip_all "needs the cv-mmap input, x264 and the null output"
[ -x "$OBJTREE/test/helper_misbehave" ] || skip_all "no helper_misbehave"

T=$OBJTREE/test/tmp/misbehave
rm -rf "$T" && mkdir -p "$T"
S=$BIN/cvmmap_streamer
P=$OBJTREE/test/helper_misbehave
VEC=$SRCTREE/test/vectors/codec
COMMON="--no-nats --stats-interval-ms 0"

# testing() runs its command in a new shell: it sources these first.
A=". $SRCTREE/scripts/accounting.sh;"

# pair NAME "STREAMER ARGS" "PRODUCER ARGS": run both, streamer first;
# logs in $T/NAME.{streamer,producer}.log, exit code in $T/NAME.rc
pair() {
	inst=mb$$_$1
	# shellcheck disable=SC2086
	timeout -k 5 $((60 * TIME_SCALE)) ${TEST_EXEC:-} "$S" --input "$inst" $COMMON \
		--ingest-idle-timeout-ms $((2000 * TIME_SCALE)) $2 > "$T/$1.streamer.log" 2>&1 &
	_sp=$!
	sleep 0.3
	# shellcheck disable=SC2086
	timeout -k 5 $((60 * TIME_SCALE)) ${TEST_EXEC:-} "$P" --instance "$inst" \
		--start-delay-ms $((500 * TIME_SCALE)) $3 > "$T/$1.producer.log" 2>&1
	wait $_sp
	echo $? > "$T/$1.rc"
}

# framemd5 FILE FMT: one md5 per decoded frame
framemd5() {
	ffmpeg -v error -f "$2" -i "$1" -f framemd5 - 2>/dev/null | grep -v '^#' | awk -F, '{print $NF}'
}

# ---- 1. the queue at its deepest (CLI range = what the ring holds) --------
# --queue-size at its maximum with an encoder far behind the input: before
# the fix, frames[-1] was written once the encoder fell ~62 frames behind.
max=$(${TEST_EXEC:-} "$S" --help | sed -n 's/.*--queue-size N .*\[1\.\.\([0-9]*\)\]/\1/p')
testing "queue-size at its maximum ($max) under a slow encoder" \
	"$A ${TEST_EXEC:-} $S --input-mode dummy --dummy-fps 240 --dummy-frames 400 \
	  --dummy-width 640 --dummy-height 360 --preset slower --queue-size $max --null \
	  $COMMON > $T/queue.log 2>&1; rc=\$?; tail -n 2 $T/queue.log; [ \$rc -eq 0 ] &&
	 accounting_ok $T/queue.log && [ \$(sed -n 's/.*lost=[0-9]*(.*queue=\\([0-9]*\\).*/\\1/p' $T/queue.log) -gt 0 ]"

# ---- 2. passthrough never forwards after a loss -----------------------------
# A v2.1 stream with a frame without AU, a rejected frame, a hole, a late
# and a duplicate sync: every frame that reaches the receiver must decode
# to one of the source's pictures (before the fix: 35 frames matched
# nothing, and one AU-less frame spliced in an x264 IDR).
if optional CONFIG_PASSTHROUGH && optional CONFIG_RTP && optional CONFIG_TOOL_RTP_TESTER &&
   command -v ffmpeg > /dev/null; then
	port=$(free_port)
	timeout 60 ${TEST_EXEC:-} "$BIN/rtp_receiver_tester" --port "$port" --codec h264 \
		--au-threshold 1 --idle-ms $((3000 * TIME_SCALE)) --timeout-ms $((40000 * TIME_SCALE)) \
		--dump "$T/pt.h264" > "$T/pt.tester.log" 2>&1 &
	tp=$!
	pair pt "--codec h264 --rtp --rtp-endpoint 127.0.0.1:$port" \
		"--frames 100 --annexb $VEC/pt_176x144_g10.h264 --size 176x144 \
		 --script 5:noau,8:reject,14:skip,23:late,27:dup,33:noau,41:flood,47:noau,58:reject"
	wait $tp
	framemd5 "$VEC/pt_176x144_g10.h264" h264 | sort -u > "$T/pt.src.md5"
	framemd5 "$T/pt.h264" h264 > "$T/pt.got.md5"
	testing "passthrough: every delivered frame is a source frame" \
		"$A cat $T/pt.rc; n=\$(wc -l < $T/pt.got.md5); echo \"\$n frames decoded\";
		 [ \$(cat $T/pt.rc) -eq 0 ] && [ \$n -ge 30 ] &&
		 ! grep -vxF -f $T/pt.src.md5 $T/pt.got.md5"
	testing "passthrough: frames in = AUs out + lost, by reason" \
		"$A accounting_ok $T/pt.streamer.log && [ \$(exit_field $T/pt.streamer.log no_au) -eq 3 ] &&
		 [ \$(exit_field $T/pt.streamer.log keywait) -gt 0 ] && ! grep -q 'encoder x264' $T/pt.streamer.log"
	# An AU-less frame under --encoder-device passthrough: dropped, not exit 5.
	pair ptforced "--codec h264 --encoder-device passthrough --null" \
		"--frames 40 --annexb $VEC/pt_176x144_g10.h264 --size 176x144 --script 6:noau"
	testing "forced passthrough: a frame without AU is dropped, not fatal" \
		"$A tail -n 1 $T/ptforced.streamer.log; [ \$(cat $T/ptforced.rc) -eq 0 ] &&
		 [ \$(exit_field $T/ptforced.streamer.log no_au) -eq 1 ] && accounting_ok $T/ptforced.streamer.log"
else
	skip "passthrough rows" "needs passthrough, RTP, its tester and ffmpeg"
fi

# ---- 3. a frame no encoder takes is dropped, the stream goes on -------------
pair sizes "--codec h264 --null" \
	"--frames 90 --size 320x240 --script 10:tiny,20:huge,30:wide,40:fmt,50:tiny,60:huge"
testing "odd sizes and formats: counted, streaming goes on" \
	"$A tail -n 1 $T/sizes.streamer.log; [ \$(cat $T/sizes.rc) -eq 0 ] &&
	 accounting_ok $T/sizes.streamer.log && [ \$(exit_field $T/sizes.streamer.log out) -ge 70 ] &&
	 [ \$(exit_field $T/sizes.streamer.log size) -ge 3 ] &&
	 [ \$(grep -c 'opening an encoder\\|encoder x264' $T/sizes.streamer.log) -eq 1 ]"

# ---- 4. a frame id already taken is not a new frame --------------------------
pair dup "--codec h264 --null --gop 30" "--frames 90 --size 320x240 --every dup:1 --script 45:flood"
testing "repeated syncs: no extra frames, no extra keyframes" \
	"$A tail -n 1 $T/dup.streamer.log; [ \$(cat $T/dup.rc) -eq 0 ] && accounting_ok $T/dup.streamer.log &&
	 out=\$(exit_field $T/dup.streamer.log out) && [ \$out -le 90 ] && [ \$out -ge 80 ] &&
	 k=\$(sed -n 's/.*null\\[.*keyframes=\\([0-9]*\\).*/\\1/p' $T/dup.streamer.log) && [ \$k -le 4 ] &&
	 a=\$(exit_field $T/dup.streamer.log announced) && [ \$a -ge 170 ] &&
	 [ \$((\$(exit_field $T/dup.streamer.log duplicate) + \$(exit_field $T/dup.streamer.log skipped))) -ge \$((a - out)) ]"

# ---- 5. memory stays flat when the producer changes size every frame ----------
# libx265 3.5 leaks ~21 kB per encoder open: the two last sizes keep their
# encoders open, other re-opens are rate-limited.  (Before: 4.8 -> 35.5 MB
# in 30 s, about 1 MB/s.)  A leak grows in every second, so RSS is
# sampled every second from 4 s to 19 s: at most 3 of the 15 intervals
# may grow by more than 256 kB (the old leak: all 15), and the whole
# growth stays under 16 MB.  A step is not a leak: on a loaded machine
# x265's allocations from its own threads made the heap settle 1.3, 2.6
# and once 4.9 MB higher, once, and stay there (bounds on two samples,
# then on window medians, failed on those).  Under ASan the allocator's
# quarantine would be counted: it is set to 0 for this run.
# Frames keep flowing: >= 90% of them encoded (latest-frame drops under
# load are allowed, the accounting identity is not bent).
if optional CONFIG_ENC_X265 && [ -z "${TEST_EXEC:-}" ]; then
	inst=mb$$_flip
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0" \
	timeout -k 5 60 "$S" --input "$inst" $COMMON --codec h265 --null \
		--ingest-idle-timeout-ms 2000 > "$T/flip.streamer.log" 2>&1 &
	fp=$!
	sleep 0.3
	timeout -k 5 60 "$P" --instance "$inst" --frames 600 --fps 30 --size 320x240 \
		--flip 320x256 --start-delay-ms 300 > "$T/flip.producer.log" 2>&1 &
	pp=$!
	sleep 3.7
	: > "$T/flip.rss"
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
		sleep 1
		awk '/VmRSS/ {print $2}' /proc/$(pgrep -P $fp -x cvmmap_streamer || echo $fp)/status \
			>> "$T/flip.rss" 2>/dev/null
	done
	wait $pp
	wait $fp
	testing "size flipping every frame: RSS does not grow every second, frames keep flowing" \
		"$A tr '\\n' ' ' < $T/flip.rss; echo; tail -n 1 $T/flip.streamer.log;
		 [ \$(wc -l < $T/flip.rss) -eq 16 ] &&
		 g=\$(awk 'NR > 1 && \$1 - p > 256 { n++ } NR == 1 { f = \$1 } { p = \$1 }
		       END { printf \"%d %d\\n\", n, p - f }' $T/flip.rss) &&
		 set -- \$g && echo \"intervals over 256 kB: \$1 of 15, growth \$2 kB\" &&
		 [ \$1 -le 3 ] && [ \$2 -lt 16384 ] &&
		 accounting_ok $T/flip.streamer.log && [ \$(exit_field $T/flip.streamer.log out) -ge 540 ] &&
		 [ \$(grep -c 'encoder x265' $T/flip.streamer.log) -eq 2 ]"
else
	skip "size flipping every frame: RSS flat" "x265 off or under qemu"
fi

# ---- 6. a frame-rate hint is bounded --------------------------------------------
if optional CONFIG_PASSTHROUGH; then
	pair fps "--codec h264 --encoder-device software --null" \
		"--frames 40 --annexb $VEC/pt_176x144_g10.h264 --size 176x144 --every fps:2"
	testing "an absurd frame-rate hint is not believed (logged, rate-limited)" \
		"$A grep 'frame rate' $T/fps.streamer.log; [ \$(cat $T/fps.rc) -eq 0 ] &&
		 [ \$(grep -c 'outside 1..1000 fps' $T/fps.streamer.log) -eq 1 ] && accounting_ok $T/fps.streamer.log"
else
	skip "an absurd frame-rate hint is not believed" "passthrough off"
fi

# ---- 7. the SDP path is checked at start-up and a failed write is retried --------
if optional CONFIG_RTP; then
	testing "--rtp-sdp in a missing directory: exit 2 at start-up" \
		"$A ${TEST_EXEC:-} $S --input-mode dummy --rtp --rtp-endpoint 127.0.0.1:9 \
		  --rtp-sdp $T/no/such/dir/x.sdp 2>&1 | grep \"directory '$T/no/such/dir' does not exist\" || exit 1;
		 ${TEST_EXEC:-} $S --input-mode dummy --rtp --rtp-endpoint 127.0.0.1:9 --rtp-sdp $T/no/x.sdp 2>/dev/null" 2
	mkdir -p "$T/sdpdir"
	inst=mb$$_sdp
	timeout -k 5 30 ${TEST_EXEC:-} "$S" --input "$inst" $COMMON --rtp --rtp-endpoint 127.0.0.1:9 \
		--rtp-sdp "$T/sdpdir/s.sdp" --ingest-idle-timeout-ms $((2000 * TIME_SCALE)) \
		> "$T/sdp.streamer.log" 2>&1 &
	sp=$!
	sleep 0.2
	rmdir "$T/sdpdir"                    # gone when the first keyframe comes
	timeout -k 5 30 ${TEST_EXEC:-} "$P" --instance "$inst" --frames 90 --size 160x120 \
		--start-delay-ms 300 > "$T/sdp.producer.log" 2>&1 &
	pp=$!
	sleep 1.2
	mkdir -p "$T/sdpdir"                 # back: the next retry writes it
	wait $pp
	wait $sp
	testing "a failed SDP write is retried until it lands" \
		"$A grep -c 'will try again' $T/sdp.streamer.log; grep -q 'will try again' $T/sdp.streamer.log &&
		 grep -q '^m=video' $T/sdpdir/s.sdp"
fi

# ---- 8. duration and URL limits say why ------------------------------------------
testing "a duration beyond its documented maximum is refused" \
	"$A ${TEST_EXEC:-} $S --input-mode dummy --null --ingest-idle-timeout-ms 18446744073710 2>&1 |
	 grep -q 'not a number in 0..2147483647' || exit 1; ${TEST_EXEC:-} $S --input-mode dummy --null \
	 --ingest-idle-timeout-ms 18446744073710 2>/dev/null" 2
if optional CONFIG_RTMP; then
	long=rtmp://127.0.0.1/live/$(head -c 1100 /dev/zero | tr '\0' k)
	testing "an over-long --rtmp-url says why" \
		"$A ${TEST_EXEC:-} $S --input-mode dummy --rtmp --rtmp-url $long 2>&1 | grep 'at most 1023' || exit 1;
		 ${TEST_EXEC:-} $S --input-mode dummy --rtmp --rtmp-url $long 2>/dev/null" 2
fi
finish
