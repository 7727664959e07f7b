#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# nvenc_fallback.sh - NVENC loading and fallback seen from outside, with the
# FAKE driver libraries in $OBJTREE/fake (test doubles of libcuda.so.1 and
# libnvidia-encode.so.1: they test our calling contract, not hardware).
# In-process failure points: test/unit/test_nvenc_fallback.c.
. "$SRCTREE/test/suites/testing.sh"
optional CONFIG_NVENC || skip_all "CONFIG_NVENC off"
optional CONFIG_ENC_X264 || skip_all "CONFIG_ENC_X264 off (no fallback to test)"
HE="${TEST_EXEC:-} $OBJTREE/test/helper_encode"
FAKE=$OBJTREE/fake
TMP=$OBJTREE/test/tmp/nvenc_fallback
mkdir -p "$TMP"

# A real driver on this machine would answer instead of "missing".
if ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1 '; then
	skip "missing driver falls back once" "a real libcuda.so.1 is installed"
	skip "--encoder-device nvenc without driver exits 5" "a real libcuda.so.1 is installed"
else
	testing "missing driver falls back once" \
		"$HE -n 5 > $TMP/missing.out 2> $TMP/missing.log;
		 grep -q 'encoder=x264 frames=5 aus=5' $TMP/missing.out &&
		 [ \$(grep -c 'nvenc unavailable (libcuda.so.1' $TMP/missing.log) -eq 1 ]"
	testing "--encoder-device nvenc without driver exits 5" \
		"$HE -d nvenc -n 5 2> $TMP/nodev.log; rc=\$?;
		 [ \$(grep -c 'nvenc unavailable' $TMP/nodev.log) -eq 1 ] && exit \$rc" 5
fi

testing "symbol missing in libnvidia-encode falls back once" \
	"LD_LIBRARY_PATH=$FAKE/nosym:$FAKE $HE -n 5 > $TMP/nosym.out 2> $TMP/nosym.log;
	 grep -q 'encoder=x264 frames=5 aus=5' $TMP/nosym.out &&
	 [ \$(grep -c 'nvenc unavailable (libnvidia-encode.so.1: no symbol NvEncodeAPICreateInstance)' $TMP/nosym.log) -eq 1 ]"

for m in old_version no_symbol open_fail init_fail; do
	testing "fake NVENC $m falls back to x264, logged once" \
		"LD_LIBRARY_PATH=$FAKE FAKE_NVENC_MODE=$m $HE -n 5 > $TMP/$m.out 2> $TMP/$m.log;
		 grep -q 'encoder=x264 frames=5 aus=5 keys=1 bad_ps=0' $TMP/$m.out &&
		 [ \$(grep -c 'nvenc unavailable' $TMP/$m.log) -eq 1 ]"
done
testing "fake CUDA init failure falls back to x264, logged once" \
	"LD_LIBRARY_PATH=$FAKE FAKE_CUDA_MODE=init_fail $HE -n 5 > $TMP/cuda.out 2> $TMP/cuda.log;
	 grep -q 'encoder=x264 frames=5' $TMP/cuda.out &&
	 [ \$(grep -c 'nvenc unavailable (CUDA init failed' $TMP/cuda.log) -eq 1 ]"
testing "fake NVENC open failure with --encoder-device nvenc exits 5" \
	"LD_LIBRARY_PATH=$FAKE FAKE_NVENC_MODE=open_fail $HE -d nvenc -n 5" 5

for c in h264 h265; do
	testing "fake NVENC $c happy path: AUs come from the fake" \
		"LD_LIBRARY_PATH=$FAKE $HE -c $c -n 12 -g 5 -k 7 > $TMP/ok.$c.out 2> $TMP/ok.$c.log;
		 grep -q 'encoder=nvenc frames=12 aus=12 keys=3 bad_ps=0' $TMP/ok.$c.out &&
		 ! grep -q 'fake_nvenc:' $TMP/ok.$c.log && ! grep -q ' W ' $TMP/ok.$c.log"
done

f=$TMP/switch.h264
testing "zero NVENC output for 60 frames: x264 takes over with an IDR, stream decodes" \
	"LD_LIBRARY_PATH=$FAKE FAKE_NVENC_MODE=zero_output $HE -n 75 -g 30 -o $f > $TMP/zero.out 2> $TMP/zero.log;
	 grep -q 'encoder=x264 frames=75 aus=15 keys=1 bad_ps=0' $TMP/zero.out &&
	 grep -q '^au 0 frame 60 key 1 .* ps 1 disc 1 enc x264' $TMP/zero.out &&
	 [ \$(grep -c 'switching to x264' $TMP/zero.log) -eq 1 ] &&
	 if command -v ffprobe > /dev/null; then
		[ \"\$(ffprobe -v error -count_frames -show_entries stream=nb_read_frames -of csv=p=0 $f)\" = 15 ]
	 fi"
# Start-up hold (CONFIG_START_HOLD): the frames that arrive while the
# encoder opens wait in their slots and are encoded, none replaced.  The
# fake takes 250 ms to open (8 frames at 30 fps): with the hold off, or on
# the old pipeline, 6 or more of them are lost (reason queue).
if optional CONFIG_SINK_NULL && [ "$(config_value CONFIG_START_HOLD)" -ge 8 ] 2>/dev/null; then
	testing "frames that arrive while NVENC opens wait: 45/45 out, none lost" \
		"LD_LIBRARY_PATH=$FAKE FAKE_NVENC_OPEN_DELAY_MS=250 ${TEST_EXEC:-} $BIN/cvmmap_streamer \
			--input-mode dummy --dummy-frames 45 --dummy-width 320 --dummy-height 240 \
			--encoder-device nvenc --null --no-nats --stats-interval-ms 0 > $TMP/hold.log 2>&1;
		 tail -n 1 $TMP/hold.log; . $SRCTREE/scripts/accounting.sh; accounting_ok $TMP/hold.log &&
		 [ \"\$(exit_field $TMP/hold.log out)\" = 45 ] && grep -q 'enc=nvenc' $TMP/hold.log"
else
	skip "frames that arrive while NVENC opens wait" "needs CONFIG_SINK_NULL and CONFIG_START_HOLD >= 8"
fi
finish
