#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# v4l2.sh - the V4L2 M2M encoder seen from outside: this machine's (absent)
# devices through raw syscalls, and the FAKE libnvv4l2.so in
# $OBJTREE/fake/v4l2 (test/fake/fake_v4l2.c built with -DFAKE_NV=1: a test
# double that checks our calling contract and encodes with x264; no
# hardware is involved).  In-process cases: test/unit/test_v4l2.c.
. "$SRCTREE/test/suites/testing.sh"
optional CONFIG_ENC_V4L2M2M || skip_all "CONFIG_ENC_V4L2M2M off"
optional CONFIG_ENC_X264 || skip_all "CONFIG_ENC_X264 off (no fallback to test)"
HE="${TEST_EXEC:-} $OBJTREE/test/helper_encode"
S="${TEST_EXEC:-} $BIN/cvmmap_streamer"
FAKE=$OBJTREE/fake/v4l2
T=$OBJTREE/test/tmp/v4l2
rm -rf "$T" && mkdir -p "$T"
FRAMES="ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0"
# (the default writer: csv adds a field and a line for a frame with side data,
# e.g. the x264 version SEI that comes with INSERT_SPS_PPS_AT_IDR)
KEYS="ffprobe -v error -select_streams v:0 -show_entries frame=key_frame -of default=nw=1:nk=1"
have_ff=0
command -v ffprobe > /dev/null && have_ff=1

# Python: every IDR access unit of an Annex B H.264 file carries SPS + PPS
# before its first IDR slice (AUDs delimit access units).
cat > "$T/ps.py" <<'EOF'
import re, sys
nals = [n for n in re.split(b'\0\0\1', open(sys.argv[1], 'rb').read())[1:]]
aus, cur = [], []
for n in nals:
    t = n[0] & 31
    if t == 9 and cur:
        aus.append(cur); cur = []
    cur.append(t)
aus.append(cur)
idr = [a for a in aus if 5 in a]
bad = [a for a in idr if not (7 in a[:a.index(5)] and 8 in a[:a.index(5)])]
print(len(aus), 'access units,', len(idr), 'IDR,', len(bad), 'without SPS/PPS first')
sys.exit(0 if idr and not bad else 1)
EOF

# ---- this machine, raw syscalls: no device is no encoder -----------------
if ls /dev/video* > /dev/null 2>&1; then
	skip "no /dev/video*: auto is x264 without a word" "this machine has /dev/video nodes"
	skip "--encoder-device v4l2 without a device exits 5" "this machine has /dev/video nodes"
else
	testing "no /dev/video*: auto is x264 without a word about v4l2" \
		"$HE -n 5 > $T/auto.out 2> $T/auto.log;
		 grep -q 'encoder=x264 frames=5 aus=5' $T/auto.out && ! grep -q v4l2 $T/auto.log"
	testing "--encoder-device v4l2 without a device exits 5, reason logged once" \
		"$HE -d v4l2 -n 5 2> $T/nodev.log; rc=\$?;
		 [ \$(grep -c 'v4l2 unavailable (no V4L2 h264 encoder (no /dev/video\*))' $T/nodev.log) -eq 1 ] &&
		 exit \$rc" 5
	if optional CONFIG_SINK_NULL; then
		testing "cvmmap_streamer --encoder-device v4l2 without a device exits 5" \
			"$S --input-mode dummy --dummy-frames 5 --encoder-device v4l2 --null --no-nats \
				--stats-interval-ms 0 2> $T/streamer_nodev.log; rc=\$?;
			 grep -q 'v4l2 unavailable' $T/streamer_nodev.log && exit \$rc" 5
	fi
fi

# ---- the FAKE libnvv4l2.so (NVIDIA's differences) -------------------------
if [ ! -f "$FAKE/libnvv4l2.so" ] || [ -n "${TEST_EXEC:-}" ]; then
	skip_all "no fake libnvv4l2.so (needs CONFIG_ENC_V4L2M2M_LIBV4L2, a host build)"
fi
if [ -e /dev/v4l2-nvenc ]; then
	skip_all "this machine has a real /dev/v4l2-nvenc"
fi
NV="LD_LIBRARY_PATH=$FAKE"
DEV="-v /dev/v4l2-nvenc"

f=$T/nv.h264
testing "fake libnvv4l2: 20 frames, gop 8, IDR forced at 5: keys 0 5 13, every frame decodes" \
	"$NV $HE -d v4l2 $DEV -n 20 -g 8 -k 5 -o $f > $T/nv.out 2> $T/nv.log;
	 grep -q 'encoder=v4l2 frames=20 aus=20 keys=3 bad_ps=0' $T/nv.out &&
	 ! grep -q 'fake_v4l2:' $T/nv.log && python3 $T/ps.py $f &&
	 if [ $have_ff = 1 ]; then
		[ \"\$($FRAMES $f)\" = 20 ] &&
		[ \"\$($KEYS $f | tr -d '\n')\" = 10000100000001000000 ]
	 fi"

f=$T/noforce.h264
testing "fake libnvv4l2 without FORCE_KEY_FRAME: IDRs at the GOP by IDR_INTERVAL" \
	"$NV FAKE_V4L2_MODE=no_force $HE -d v4l2 $DEV -n 20 -g 8 -o $f > $T/noforce.out 2> $T/noforce.log;
	 grep -q 'encoder=v4l2 frames=20 aus=20 keys=3 bad_ps=0' $T/noforce.out &&
	 ! grep -q 'fake_v4l2:' $T/noforce.log &&
	 if [ $have_ff = 1 ]; then
		[ \"\$($KEYS $f | tr -d '\n')\" = 10000000100000001000 ]
	 fi"

testing "fake libnvv4l2 on the old node name (/dev/nvhost-msenc)" \
	"$NV $HE -d v4l2 -v /dev/nvhost-msenc -n 5 > $T/old.out 2> $T/old.log;
	 grep -q 'encoder=v4l2 frames=5 aus=5 keys=1 bad_ps=0' $T/old.out && ! grep -q 'fake_v4l2:' $T/old.log"

# NVIDIA's extension controls, keyed by the L4T release file
# (CVMMAP_NV_TEGRA_RELEASE names a stand-in for /etc/nv_tegra_release).
# FAKE_NV_RELEASE makes the fake take only that header's numbers and call
# the other header's a contract violation; FAKE_NV_REPORT has it say which
# it was given.  R35 and R36 have the same numbers (docs/v4l2.md).
# HW_PRESET_TYPE_PARAM is the enum in .value, ULTRAFAST (1): "(hw preset 1)".
ALLNV='set: IDR_INTERVAL NUM_BFRAMES INSERT_SPS_PPS_AT_IDR HW_PRESET_TYPE_PARAM MAX_PERFORMANCE POC_TYPE FORCE_IDR_FRAME (hw preset 1)$'
for r in R35 R36; do
	echo "# $r (release), REVISION: 0.0, GCID: 0, BOARD: fake, EABI: aarch64, DATE: fake" > $T/rel_$r
	f=$T/nv_$r.h264
	testing "fake libnvv4l2 taking only $r's NVIDIA ids, $r release file: all seven set (HW preset ULTRAFAST), IDRs by FORCE_IDR_FRAME" \
		"$NV FAKE_NV_RELEASE=$r FAKE_NV_REPORT=1 CVMMAP_NV_TEGRA_RELEASE=$T/rel_$r \
			$HE -d v4l2 $DEV -n 20 -g 8 -k 5 -o $f > $T/nv_$r.out 2> $T/nv_$r.log;
		 grep -q 'encoder=v4l2 frames=20 aus=20 keys=3 bad_ps=0' $T/nv_$r.out &&
		 ! grep -q 'fake_v4l2:' $T/nv_$r.log && grep -q \"fake_nv: $r ids, $ALLNV\" $T/nv_$r.log &&
		 python3 $T/ps.py $f"
done
echo "# R28 (release), REVISION: 2.1, GCID: 0, BOARD: fake, EABI: aarch64, DATE: fake" > $T/rel_R28
testing "old control ids: the pre-R32 header's numbers for an R28 release file, the rest not sent" \
	"$NV FAKE_NV_RELEASE=old FAKE_NV_REPORT=1 CVMMAP_NV_TEGRA_RELEASE=$T/rel_R28 \
		$HE -d v4l2 $DEV -n 20 -g 8 -k 5 > $T/nv_old.out 2> $T/nv_old.log;
	 grep -q 'encoder=v4l2 frames=20 aus=20 keys=3 bad_ps=0' $T/nv_old.out &&
	 ! grep -q 'fake_v4l2:' $T/nv_old.log &&
	 grep -q 'fake_nv: old ids, set: IDR_INTERVAL NUM_BFRAMES INSERT_SPS_PPS_AT_IDR HW_PRESET_TYPE_PARAM (hw preset 1)$' $T/nv_old.log"
testing "the wrong table (R36 file, old driver) is caught by the fake; parameter sets still prepended" \
	"$NV FAKE_NV_RELEASE=old FAKE_NV_REPORT=1 CVMMAP_NV_TEGRA_RELEASE=$T/rel_R36 \
		$HE -d v4l2 $DEV -n 20 -g 8 > $T/nv_bad.out 2> $T/nv_bad.log;
	 grep -q 'encoder=v4l2 frames=20 aus=20 keys=3 bad_ps=0' $T/nv_bad.out &&
	 grep -q \"fake_v4l2: contract violation: control 0x990b1[67]: NVIDIA's number in another release's header than old\" $T/nv_bad.log &&
	 grep -q 'fake_nv: old ids, set: IDR_INTERVAL (hw preset 0)$' $T/nv_bad.log"
testing "HW_PRESET_TYPE_PARAM refused (EINVAL): ignored, the other six set, encoding goes on" \
	"$NV FAKE_V4L2_MODE=no_preset FAKE_NV_RELEASE=R36 FAKE_NV_REPORT=1 CVMMAP_NV_TEGRA_RELEASE=$T/rel_R36 \
		$HE -d v4l2 $DEV -n 20 -g 8 -k 5 > $T/nv_np.out 2> $T/nv_np.log;
	 grep -q 'encoder=v4l2 frames=20 aus=20 keys=3 bad_ps=0' $T/nv_np.out &&
	 ! grep -q 'fake_v4l2:' $T/nv_np.log && ! grep -q 'HW_PRESET' $T/nv_np.out &&
	 grep -q 'fake_nv: R36 ids, set: IDR_INTERVAL NUM_BFRAMES INSERT_SPS_PPS_AT_IDR MAX_PERFORMANCE POC_TYPE FORCE_IDR_FRAME (hw preset 0)$' $T/nv_np.log"

testing "fake libnvv4l2 QUERYCAP ENOTTY on a named node: auto falls back once" \
	"$NV FAKE_V4L2_MODE=enotty $HE $DEV -n 5 > $T/enotty.out 2> $T/enotty.log;
	 grep -q 'encoder=x264 frames=5 aus=5 keys=1 bad_ps=0' $T/enotty.out &&
	 [ \$(grep -c 'v4l2 unavailable (/dev/v4l2-nvenc: VIDIOC_QUERYCAP' $T/enotty.log) -eq 1 ]"

testing "fake libnvv4l2 QUERYCAP ENOTTY with --encoder-device v4l2 exits 5" \
	"$NV FAKE_V4L2_MODE=enotty $HE -d v4l2 $DEV -n 5" 5

f=$T/zero.h264
testing "zero output from the fake for 60 frames: x264 takes over with an IDR" \
	"$NV FAKE_V4L2_MODE=zero_output $HE $DEV -n 75 -g 30 -o $f > $T/zero.out 2> $T/zero.log;
	 grep -q 'encoder=x264 frames=75 aus=15 keys=1 bad_ps=0' $T/zero.out &&
	 grep -q '^au 0 frame 60 key 1 .* ps 1 disc 1 enc x264' $T/zero.out &&
	 [ \$(grep -c 'v4l2 produced no output in 60 frames, switching to x264' $T/zero.log) -eq 1 ] &&
	 if [ $have_ff = 1 ]; then [ \"\$($FRAMES $f)\" = 15 ]; fi"

if optional CONFIG_SINK_NULL; then
	testing "the self-test command of docs/v4l2.md names the node and times frames" \
		"$NV $S --input-mode dummy --dummy-frames 30 --dummy-width 1280 --dummy-height 720 \
			--encoder-device v4l2 --v4l2-device /dev/v4l2-nvenc --null --no-nats \
			--log-level debug > $T/selftest.log 2>&1 &&
		 grep -q 'v4l2: /dev/v4l2-nvenc (libv4l2 binding, libnvv4l2.so): mplane NM12, 720 rows' $T/selftest.log &&
		 [ \$(grep -c 'v4l2: frame [0-4]: \(keyframe\|AU\) in [0-9.]* ms' $T/selftest.log) -eq 5 ] &&
		 grep -q 'exit: in=30 out=30 .*enc=v4l2' $T/selftest.log"
fi

testing "--self-test over the fake libnvv4l2: node, binding, format, buffers, ids, 10 frames timed" \
	"$NV $S --self-test --input-mode dummy --dummy-width 1280 --dummy-height 720 \
		--encoder-device v4l2 --v4l2-device /dev/v4l2-nvenc > $T/selftest2.out 2> $T/selftest2.log &&
	 grep -q '^self-test: encoder v4l2, h264 1280x720 30/1 fps gop 30$' $T/selftest2.out &&
	 grep -q '^self-test: device /dev/v4l2-nvenc (libv4l2 binding, libnvv4l2.so): mplane NM12, 720 rows of 1280 bytes, [0-9]*+[0-9]* buffers -> h264; NVIDIA control ids of R36+' $T/selftest2.out &&
	 [ \$(grep -c '^self-test: frame [0-9]: [0-9]* bytes.* in [0-9.]* ms$' $T/selftest2.out) -eq 10 ] &&
	 grep -q '^self-test: 10 frames in, 10 AUs out' $T/selftest2.out &&
	 grep -q '^self-test: encoder at the end: v4l2$' $T/selftest2.out && ! grep -q 'fake_v4l2:' $T/selftest2.log"

# The whole path: dummy input -> streamer (fake libnvv4l2) -> RTP -> our
# receiver's Annex B dump -> ffprobe: 60 frames, keyframes at the GOP,
# parameter sets before each IDR (prepended: the fake has no
# REPEAT_SEQ_HEADER), no gaps.
if optional CONFIG_RTP && optional CONFIG_TOOL_RTP_TESTER; then
	P=$(free_port)
	testing "streamer --encoder-device v4l2 (fake libnvv4l2) -> RTP: 60 frames, IDR every 15" "
		${TEST_EXEC:-} $BIN/rtp_receiver_tester --port $P --codec h264 --idle-ms 1500 \
			--timeout-ms 30000 --json --dump $T/rtp.h264 > $T/tester.json 2> $T/tester.log & tp=\$!
		sleep 0.5
		$NV $S --input-mode dummy --dummy-frames 60 --dummy-fps 60 --dummy-width 320 \
			--dummy-height 240 --gop 15 --no-nats --stats-interval-ms 0 --queue-size 8 \
			--encoder-device v4l2 --v4l2-device /dev/v4l2-nvenc \
			--rtp --rtp-endpoint 127.0.0.1:$P > $T/streamer.log 2>&1 || exit 1
		wait \$tp || exit 1
		grep -q '\"aus\":60,\"keyframes\":4,\"gaps\":0' $T/tester.json &&
		grep -q '\"ts_backwards\":0' $T/tester.json &&
		grep -q 'enc=v4l2' $T/streamer.log && ! grep -q 'fake_v4l2:' $T/streamer.log &&
		python3 $T/ps.py $T/rtp.h264 &&
		if [ $have_ff = 1 ]; then
			[ \"\$($FRAMES $T/rtp.h264)\" = 60 ] &&
			[ \"\$($KEYS $T/rtp.h264 | grep -c 1)\" = 4 ] &&
			[ \"\$($KEYS $T/rtp.h264 | sed -n '1p;16p;31p;46p' | tr -d '\n')\" = 1111 ]
		fi"
else
	skip "streamer --encoder-device v4l2 -> RTP" "needs CONFIG_RTP and CONFIG_TOOL_RTP_TESTER"
fi
finish
