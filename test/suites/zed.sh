#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# zed.sh - the offline ZED tools on synthesised SVO2 files (docs/zed.md).
#
# No real SVO2 exists here: helper_mcap_write wraps side-by-side H.264/H.265
# streams made by Debian's ffmpeg (libx264/libx265) into the
# reverse-engineered SVO2 layout (none/zstd/lz4 chunks).  Outputs are
# checked with the real peers ffprobe/ffmpeg: codec, tag, size, frame
# count, duration, every frame decoded, the left half by PSNR, --copy
# bit-exact by framemd5, moov before mdat.
. "$SRCTREE/test/suites/testing.sh"

optional CONFIG_TOOLS_ZED || skip_all "CONFIG_TOOLS_ZED not set"
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null ||
	skip_all "ffmpeg/ffprobe not installed"
command -v python3 >/dev/null || skip_all "python3 not installed"
T=$OBJTREE/test/tmp/zed
rm -rf "$T" && mkdir -p "$T/batch/sub" "$T/seg_a"
W=$OBJTREE/test/helper_mcap_write
CONV="${TEST_EXEC:-} $BIN/zed_svo_to_mp4 --quiet --encoder-device software --preset fast"
FF="ffmpeg -nostdin -v error -y"
export T

# Side by side: testsrc left, testsrc2 right; height 180 (not a multiple
# of 16: the SPS carries a crop); keyframe every 15 frames, no B-frames.
SBS="-f lavfi -i testsrc=s=320x180:r=15 -f lavfi -i testsrc2=s=320x180:r=15 \
-filter_complex hstack -frames:v 45 -pix_fmt yuv420p"
$FF $SBS -c:v libx265 -x265-params keyint=15:bframes=0:repeat-headers=1:log-level=error \
	-f hevc "$T/sbs.h265" || skip_all "ffmpeg cannot encode H.265"
$FF $SBS -c:v libx264 -g 15 -bf 0 -f h264 "$T/sbs.h264"
$FF -f lavfi -i color=c=gray:s=640x180:r=15 -frames:v 45 -pix_fmt yuv420p \
	-c:v libx264 -g 15 -bf 0 -f h264 "$T/gray.h264"
for c in none zstd lz4; do
	$W --input "$T/sbs.h265" --output "$T/h265_$c.svo2" --compression $c 2>/dev/null
	$W --input "$T/sbs.h264" --output "$T/h264_$c.svo2" --compression $c 2>/dev/null
done

for c in none zstd lz4; do
	testing "h265 $c chunks -> hvc1 left view" \
		"$CONV --input $T/h265_$c.svo2 &&
		 test \"\$(ffprobe -v error -count_frames -show_entries stream=codec_name,codec_tag_string,width,height,nb_read_frames,duration -of csv=p=0 $T/h265_$c.mp4)\" = 'hevc,hvc1,320,180,3.000000,45' &&
		 test -z \"\$($FF -i $T/h265_$c.mp4 -f null - 2>&1)\""
done
testing "h264 lz4 chunks -> avc1 (--codec h264)" \
	"$CONV --codec h264 --input $T/h264_lz4.svo2 --output $T/h264.mp4 &&
	 test \"\$(ffprobe -v error -count_frames -show_entries stream=codec_name,codec_tag_string,width,height,nb_read_frames,duration -of csv=p=0 $T/h264.mp4)\" = 'h264,avc1,320,180,3.000000,45' &&
	 test -z \"\$($FF -i $T/h264.mp4 -f null - 2>&1)\""

# psnr A B-filter: average PSNR of A against the source's crop.
cat > "$T/psnr.sh" <<'SH'
ffmpeg -nostdin -v info -i "$1" -i "$2" -lavfi "[1]$3[r];[0][r]psnr" -f null - 2>&1 |
	sed -n 's/.*average:\([0-9.inf]*\).*/\1/p' | cut -d. -f1
SH
testing "left half is the left view (PSNR vs crop)" \
	"l=\$(sh $T/psnr.sh $T/h265_zstd.mp4 $T/sbs.h265 crop=320:180:0:0);
	 r=\$(sh $T/psnr.sh $T/h265_zstd.mp4 $T/sbs.h265 crop=320:180:320:0);
	 echo left \$l right \$r; test \"\$l\" -ge 30 && test \"\$r\" -lt 20"
testing "--copy is bit-exact (framemd5) and side by side" \
	"$CONV --copy --input $T/h265_lz4.svo2 --output $T/copy.mp4 &&
	 test \"\$(ffprobe -v error -show_entries stream=codec_tag_string,width,height -of csv=p=0 $T/copy.mp4)\" = 'hvc1,640,180' &&
	 $FF -i $T/copy.mp4 -f framemd5 $T/a.md5 && $FF -i $T/sbs.h265 -f framemd5 $T/b.md5 &&
	 diff $T/a.md5 $T/b.md5"
testing "faststart: moov before mdat, stss on keyframes" \
	"python3 - $T/h265_zstd.mp4 <<'PY'
import sys
b = open(sys.argv[1], 'rb').read()
i, top = 0, []
while i < len(b):
    n = int.from_bytes(b[i:i+4], 'big'); top.append(b[i+4:i+8]); i += n
print(top)
assert top == [b'ftyp', b'moov', b'mdat'], top
PY
	 test \"\$(ffprobe -v error -show_entries packet=flags -of csv=p=0 $T/h265_zstd.mp4 | grep -c K)\" -ge 2"
testing "--start-frame/--end-frame" \
	"$CONV --input $T/h264_zstd.svo2 --start-frame 10 --end-frame 29 --output $T/range.mp4 &&
	 test \"\$(ffprobe -v error -count_frames -show_entries stream=nb_read_frames -of csv=p=0 $T/range.mp4)\" = 20"
testing "bad range -> usage error" "$CONV --input $T/h264_zstd.svo2 --start-frame 50" 2

# Malformed inputs: clear message, exit 1, nothing left behind.
$W --input "$T/sbs.h265" --output "$T/bad_crc.svo2" --bad-crc 2>/dev/null
$W --input "$T/sbs.h265" --output "$T/bad_comp.svo2" --compression brotli 2>/dev/null
$W --input "$T/sbs.h265" --output "$T/bad_lossless.svo2" --lossless 2>/dev/null
$W --input "$T/sbs.h265" --output "$T/bad_v1.svo2" --no-magic 2>/dev/null
head -c 50000 "$T/h265_zstd.svo2" > "$T/bad_trunc.svo2"
for x in "crc:CRC mismatch" "comp:unsupported chunk compression 'brotli'" \
	 "lossless:LOSSLESS" "v1:v1 format" "trunc:truncated"; do
	n=${x%%:*} msg=${x#*:}
	testing "malformed ($n) -> error, no output" \
		"$CONV --input $T/bad_$n.svo2 2> $T/err_$n; rc=\$?; cat $T/err_$n;
		 test \$rc = 1 && grep -q \"$msg\" $T/err_$n && test \$(wc -l < $T/err_$n) = 1 &&
		 ! ls -a $T | grep -q 'bad_$n.mp4'"
done
testing "truncated with --allow-truncated keeps complete frames" \
	"$CONV --allow-truncated --copy --input $T/bad_trunc.svo2 --output $T/trunc.mp4 &&
	 n=\$(ffprobe -v error -count_frames -show_entries stream=nb_read_frames -of csv=p=0 $T/trunc.mp4) &&
	 echo \$n && test \$n -gt 0 && test \$n -lt 45"
$W --input "$T/sbs.h264" --output "$T/ms.svo2" --ts-unit ms 2>/dev/null
$W --input "$T/sbs.h264" --output "$T/back.svo2" --ts-backwards 20 2>/dev/null
testing "footer timestamps in ms; a backwards timestamp is moved forward" \
	"$CONV --copy --input $T/ms.svo2 && $CONV --copy --input $T/back.svo2 2> $T/back.err;
	 cat $T/back.err; grep -q 'went backwards' $T/back.err &&
	 test \"\$(ffprobe -v error -show_entries stream=duration -of csv=p=0 $T/ms.mp4)\" = 3.000000 &&
	 ffprobe -v error -show_entries packet=pts_time -of csv=p=0 $T/back.mp4 | sort -c -n -u"

# Batch: three files (one corrupt), one already converted.
cp "$T/h264_zstd.svo2" "$T/batch/a.svo2"
cp "$T/h264_lz4.svo2" "$T/batch/sub/b.svo2"
cp "$T/bad_crc.svo2" "$T/batch/c.svo2"
cp "$T/h264_none.svo2" "$T/batch/d.svo2" && echo old > "$T/batch/d.mp4"
BATCH="${TEST_EXEC:-} $BIN/zed_batch_svo_to_mp4"
testing "batch: converts, skips, reports the failure, exit 1" \
	"$BATCH $T/batch --pattern '*.svo2' --recursive --jobs 2 --codec h264 --encoder-device software --preset fast 2> $T/batch.err;
	 rc=\$?; cat $T/batch.err; test \$rc = 1 &&
	 grep -q '4 files: 2 converted, 1 skipped (mp4 exists), 1 failed' $T/batch.err &&
	 grep -q 'FAILED .*c.svo2' $T/batch.err && test \"\$(cat $T/batch/d.mp4)\" = old &&
	 test \"\$(ffprobe -v error -show_entries stream=codec_tag_string,width -of csv=p=0 $T/batch/sub/b.mp4)\" = avc1,320 &&
	 test -s $T/batch/a.mp4 && test ! -e $T/batch/c.mp4"
testing "batch: non-recursive, --overwrite" \
	"rm $T/batch/c.svo2; $BATCH $T/batch --overwrite --copy 2> $T/batch2.err; rc=\$?; cat $T/batch2.err;
	 test \$rc = 0 && grep -q '2 files: 2 converted, 0 skipped' $T/batch2.err &&
	 test \"\$(ffprobe -v error -show_entries stream=width -of csv=p=0 $T/batch/d.mp4)\" = 640"

# Grid: four gray recordings starting 0, 100, 200, 300 ms apart.
for k in 1 2 3 4; do
	$W --input "$T/gray.h264" --output "$T/seg_a/x_zed$k.svo2" --compression lz4 \
		--start-ns $((1700000000000000000 + (k - 1) * 100000000)) 2>/dev/null
done
GRID="${TEST_EXEC:-} $BIN/zed_svo_grid_to_mp4 --encoder-device software --preset fast"
testing "grid: 2x2 at 0.5x, common start, default output" \
	"$GRID --segment-dir $T/seg_a --codec h264 2> $T/grid.err; rc=\$?; cat $T/grid.err; test \$rc = 0 &&
	 grep -q 'input 1 .*starts at frame 5 ' $T/grid.err && grep -q 'input 2 .*starts at frame 3 ' $T/grid.err &&
	 grep -q 'input 3 .*starts at frame 2 ' $T/grid.err && grep -q 'input 4 .*starts at frame 0 ' $T/grid.err &&
	 test \"\$(ffprobe -v error -count_frames -show_entries stream=codec_tag_string,width,height,nb_read_frames -of csv=p=0 $T/seg_a/seg_a_grid.mp4)\" = 'avc1,320,180,40'"
testing "grid: timestamp overlay in the top-left corner" \
	"$FF -i $T/seg_a/seg_a_grid.mp4 -vf crop=100:12:0:0,format=gray -frames:v 1 -f rawvideo $T/corner.raw &&
	 $FF -i $T/seg_a/seg_a_grid.mp4 -vf crop=100:12:200:150,format=gray -frames:v 1 -f rawvideo $T/far.raw &&
	 python3 -c \"
import sys
c = open('$T/corner.raw', 'rb').read(); f = open('$T/far.raw', 'rb').read()
dark = sum(b < 48 for b in c); bright = sum(b > 200 for b in c)
print('corner dark', dark, 'bright', bright, 'far', min(f), max(f))
assert dark > 200 and bright > 60 and min(f) > 100 and max(f) < 160
\""
testing "grid: --duration-seconds, --input x4, --tile-scale" \
	"$GRID --quiet --input $T/seg_a/x_zed1.svo2 --input $T/seg_a/x_zed2.svo2 --input $T/seg_a/x_zed3.svo2 --input $T/seg_a/x_zed4.svo2 --duration-seconds 1 --tile-scale 0.25 --output $T/g2.mp4 &&
	 test \"\$(ffprobe -v error -count_frames -show_entries stream=codec_name,width,height,nb_read_frames -of csv=p=0 $T/g2.mp4)\" = 'hevc,160,88,15'"
testing "grid: three inputs -> usage error" \
	"$GRID --input $T/seg_a/x_zed1.svo2 --input $T/seg_a/x_zed2.svo2 --input $T/seg_a/x_zed3.svo2" 2
finish
