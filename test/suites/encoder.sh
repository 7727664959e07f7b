#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# encoder.sh - x264/x265 output decodes with a real decoder (ffmpeg/ffprobe).
# Keyframes: 0, 5 (forced), 13 (the GOP restarts at a forced IDR).
. "$SRCTREE/test/suites/testing.sh"
HE="${TEST_EXEC:-} $OBJTREE/test/helper_encode"
TMP=$OBJTREE/test/tmp/encoder
mkdir -p "$TMP"
command -v ffprobe > /dev/null || skip_all "ffprobe not installed"

# Frames ffprobe decodes from an Annex B file (append the file name).
FRAMES="ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0"

for c in h264 h265; do
	sym=CONFIG_ENC_X264; [ $c = h265 ] && sym=CONFIG_ENC_X265
	if ! optional $sym; then
		skip "$c software stream decodes" "$sym off"
		continue
	fi
	f=$TMP/sw.$c
	testing "$c software stream decodes (20 frames, gop 8, IDR forced at 5, NV12)" \
		"$HE -c $c -d software -n 20 -g 8 -k 5 -l nv12 -o $f > $TMP/$c.txt &&
		 grep -q 'aus=20 keys=3 bad_ps=0' $TMP/$c.txt &&
		 [ \"\$($FRAMES $f)\" = 20 ] &&
		 ffmpeg -v error -i $f -f null - 2>&1 | { ! grep -q .; }"
done
finish
