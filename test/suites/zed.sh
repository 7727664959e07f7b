#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# zed.sh - the offline ZED tools on synthesised SVO2 files (docs/zed.md).
#
# No real SVO2 exists here: helper_mcap_write wraps side-by-side H.264/H.265
# streams made by Debian's ffmpeg (libx264/libx265) into the
# reverse-engineered SVO2 layout (none/zstd/lz4 chunks).  Outputs are
# checked with the real peers ffprobe/ffmpeg: codec, tag, size, frame
# count, duration, every frame decoded, the left half by PSNR, --copy
# bit-exact by framemd5, moov before mdat.  The command lines: one option
# engine (uniform --help, one-line usage errors, exit 2), the original
# project's commands accepted as they are written in its README, the batch
# tool's pass-through (a fake converter records what it is given), error
# lines that name the file once, SVO v1 refused with the reason, and every
# function of src/zed declared in its own header.
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

# One option engine: --help in one format, usage errors on one line, exit 2.
BATCH="${TEST_EXEC:-} $BIN/zed_batch_svo_to_mp4"
for tool in zed_svo_to_mp4 zed_batch_svo_to_mp4 zed_svo_grid_to_mp4; do
	testing "$tool --help: usage line, grouped rows, shared encoder block" \
		"${TEST_EXEC:-} $BIN/$tool --help > $T/help_$tool 2> $T/help_$tool.err; rc=\$?; cat $T/help_$tool;
		 test \$rc = 0 && test ! -s $T/help_$tool.err &&
		 head -n 1 $T/help_$tool | grep -q '^usage: $tool ' &&
		 grep -q '^Encoder:\$' $T/help_$tool && grep -q '^General:\$' $T/help_$tool &&
		 grep -q '^  --quality N  *CRF' $T/help_$tool && grep -q '\\[0\\.\\.51\\]' $T/help_$tool &&
		 sed -n '/^Encoder:\$/,/^\$/p' $T/help_$tool | grep -v -e cuda-visible -e 'or UUIDs' > $T/enc_$tool &&
		 test \$(wc -l < $T/enc_$tool) -ge 6"
done
testing "the encoder rows are the same block in every tool" \
	"diff $T/enc_zed_svo_to_mp4 $T/enc_zed_batch_svo_to_mp4 &&
	 diff $T/enc_zed_svo_to_mp4 $T/enc_zed_svo_grid_to_mp4"
# usage TOOL EXPECTED-TEXT ARGS...: exit 2, one line "TOOL: ..." on stderr,
# nothing on stdout.
cat > "$T/usage.sh" <<'SH'
tool=$1 want=$2; shift 2
${TEST_EXEC:-} "$BIN/$tool" "$@" > "$T/u.out" 2> "$T/u.err"; rc=$?
echo "$tool $* -> $rc"; cat "$T/u.err"
[ $rc = 2 ] && [ ! -s "$T/u.out" ] && [ "$(wc -l < "$T/u.err")" = 1 ] &&
	grep -q "^$tool: " "$T/u.err" && grep -q -F -e "$want" "$T/u.err"
SH
U="TEST_EXEC='${TEST_EXEC:-}' BIN=$BIN sh $T/usage.sh"
for tool in zed_svo_to_mp4 zed_batch_svo_to_mp4 zed_svo_grid_to_mp4; do
	testing "$tool: usage errors, one line each, exit 2" \
		"$U $tool \"unknown option '--nope'\" --nope &&
		 $U $tool \"--quality: '52' is not a number in 0..51\" --quality 52 &&
		 $U $tool \"--codec: unknown value 'h266' (expected h264 or h265)\" --codec h266 &&
		 $U $tool \"--preset: unknown value 'medium' (expected fast, balanced or quality)\" --preset medium &&
		 $U $tool '--encoder-device: unknown value' --encoder-device passthrough &&
		 $U $tool '--quality needs a value' --quality"
done
testing "tool-specific usage errors" \
	"$U zed_svo_to_mp4 '--input is required' --codec h264 &&
	 $U zed_svo_to_mp4 '--end-frame 3 is before --start-frame 9' --input x.svo2 --start-frame 9 --end-frame 3 &&
	 $U zed_svo_to_mp4 \"unexpected argument 'x.svo2'\" x.svo2 &&
	 $U zed_batch_svo_to_mp4 'a directory is required' --jobs 2 &&
	 $U zed_batch_svo_to_mp4 \"--jobs: '0' is not a number in 1..64\" $T --jobs 0 &&
	 $U zed_batch_svo_to_mp4 \"unexpected argument 'b'\" a b &&
	 $U zed_batch_svo_to_mp4 '--end-frame 3 is before --start-frame 9' $T --start-frame 9 --end-frame 3 &&
	 $U zed_svo_grid_to_mp4 \"--tile-scale: '2' is not a number in 0.05..1\" --segment-dir $T --tile-scale 2 &&
	 $U zed_svo_grid_to_mp4 \"--duration-seconds: 'x' is not a number\" --segment-dir $T --duration-seconds x &&
	 $U zed_svo_grid_to_mp4 '--input: at most 4 times' --input a --input b --input c --input d --input e &&
	 $U zed_svo_grid_to_mp4 'give --segment-dir or exactly four --input' --input a"

# The original project's commands (its README), as written there.
mkdir -p "$T/seed/day/2026-03-18T11-59-41"
cp "$T/h265_zstd.svo2" "$T/seed/day/2026-03-18T11-59-41/2026-03-18T11-59-41_zed1.svo2"
cp "$T/h264_lz4.svo2" "$T/seed/day/2026-03-18T11-59-41/2026-03-18T11-59-41_zed2.svo2"
cp "$T/h265_zstd.svo2" "$T/seed/one.svo2"
testing "seed command: zed_svo_to_mp4 --preset balanced --quality 20 --end-frame 89" \
	"CUDA_VISIBLE_DEVICES=GPU-9cc7b26e-90d4-0c49-4d4c-060e528ffba6 ${TEST_EXEC:-} $BIN/zed_svo_to_mp4 \\
	   --input $T/seed/one.svo2 --encoder-device auto --preset balanced --quality 20 \\
	   --start-frame 0 --end-frame 89 &&
	 test \"\$(ffprobe -v error -count_frames -show_entries stream=codec_name,width,nb_read_frames -of csv=p=0 $T/seed/one.mp4)\" = 'hevc,320,45'"
testing "seed command: zed_batch_svo_to_mp4 DIR ... --cuda-visible-devices" \
	"$BATCH $T/seed/day --pattern '*.svo2' --recursive --jobs 2 --encoder-device auto \\
	   --start-frame 0 --end-frame 29 --cuda-visible-devices GPU-9cc7b26e-90d4-0c49-4d4c-060e528ffba6 2> $T/seed.err;
	 rc=\$?; cat $T/seed.err; test \$rc = 0 &&
	 grep -q '2 files: 2 converted, 0 skipped (mp4 exists), 0 failed' $T/seed.err &&
	 for k in 1 2; do
	   test \"\$(ffprobe -v error -count_frames -show_entries stream=codec_name,width,nb_read_frames -of csv=p=0 $T/seed/day/2026-03-18T11-59-41/2026-03-18T11-59-41_zed\$k.mp4)\" = 'hevc,320,30' || exit 1
	 done"

# The batch tool passes its options on: a fake converter beside a copy of
# it records its arguments and CUDA_VISIBLE_DEVICES.
mkdir -p "$T/fake/bin" "$T/fake/in"
cp "$BIN/zed_batch_svo_to_mp4" "$T/fake/bin/"
cat > "$T/fake/bin/zed_svo_to_mp4" <<'SH'
#!/bin/sh
for a; do [ "$prev" = --input ] && in=$a; prev=$a; done
{ printf '%s\n' "$@"; echo "CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES-unset}"; } > "$in.args"
SH
chmod +x "$T/fake/bin/zed_svo_to_mp4"
: > "$T/fake/in/a.svo2"
: > "$T/fake/in/b.svo2"
testing "batch passes frames, encoder, --copy, CUDA_VISIBLE_DEVICES to each conversion" \
	"rm -f $T/fake/in/*.args; env -u CUDA_VISIBLE_DEVICES ${TEST_EXEC:-} $T/fake/bin/zed_batch_svo_to_mp4 $T/fake/in \\
	   --quiet --copy --allow-truncated --start-frame 3 --end-frame 29 --codec h264 \\
	   --encoder-device software --preset quality --quality 20 --cuda-visible-devices GPU-1,GPU-2 2> $T/fake.err;
	 rc=\$?; cat $T/fake.err $T/fake/in/a.svo2.args; test \$rc = 0 &&
	 for f in a b; do
	   test \"\$(tr '\\n' ' ' < $T/fake/in/\$f.svo2.args)\" = \"--quiet --input $T/fake/in/\$f.svo2 --copy --start-frame 3 --end-frame 29 --allow-truncated --codec h264 --encoder-device software --preset quality --quality 20 CUDA_VISIBLE_DEVICES=GPU-1,GPU-2 \" || exit 1
	 done &&
	 ! grep -q 'files/s' $T/fake.err && grep -q '2 files: 2 converted' $T/fake.err"
testing "batch without the options: defaults passed, environment untouched" \
	"rm -f $T/fake/in/*.args; env -u CUDA_VISIBLE_DEVICES ${TEST_EXEC:-} $T/fake/bin/zed_batch_svo_to_mp4 $T/fake/in 2> $T/fake2.err;
	 rc=\$?; cat $T/fake2.err $T/fake/in/a.svo2.args; test \$rc = 0 &&
	 test \"\$(tr '\\n' ' ' < $T/fake/in/a.svo2.args)\" = \"--quiet --input $T/fake/in/a.svo2 --start-frame 0 --codec h265 --encoder-device auto --preset balanced CUDA_VISIBLE_DEVICES=unset \" &&
	 grep -q 'files/s' $T/fake2.err"

# Malformed inputs: clear message, exit 1, nothing left behind.
$W --input "$T/sbs.h265" --output "$T/bad_crc.svo2" --bad-crc 2>/dev/null
$W --input "$T/sbs.h265" --output "$T/bad_comp.svo2" --compression brotli 2>/dev/null
$W --input "$T/sbs.h265" --output "$T/bad_lossless.svo2" --lossless 2>/dev/null
$W --input "$T/sbs.h265" --output "$T/bad_v1.svo2" --no-magic 2>/dev/null
head -c 50000 "$T/h265_zstd.svo2" > "$T/bad_trunc.svo2"
for x in "crc:CRC mismatch" "comp:unsupported chunk compression 'brotli'" \
	 "lossless:LOSSLESS" "v1:no MCAP magic.*SVO v1" "trunc:truncated"; do
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
testing "seed command: zed_svo_grid_to_mp4 --segment-dir --codec h265 --duration-seconds 2" \
	"${TEST_EXEC:-} $BIN/zed_svo_grid_to_mp4 --segment-dir $T/seg_a --encoder-device auto --codec h265 \\
	   --duration-seconds 2 --output $T/seed_grid.mp4 &&
	 test \"\$(ffprobe -v error -count_frames -show_entries stream=codec_name,width,height,nb_read_frames -of csv=p=0 $T/seed_grid.mp4)\" = 'hevc,320,180,30'"

# SVO v1 (.svo) is refused with the reason, in one line.
cp "$T/bad_v1.svo2" "$T/old.svo"
testing "SVO v1 (.svo): refused, the reason in one line" \
	"$CONV --input $T/old.svo 2> $T/v1.err; rc=\$?; cat $T/v1.err; test \$rc = 1 &&
	 test \"\$(cat $T/v1.err)\" = '$T/old.svo: SVO v1 (ZED SDK < 4.1) is a proprietary format that is not publicly documented; convert it to SVO2 with ZED SDK 4.1 or newer first (open it with the SDK and record it again)' &&
	 test ! -e $T/old.mp4"

# Rule: no error line of a ZED tool names the file twice (it said
# "missing.svo2: missing.svo2: No such file"), and some line names it.
cat > "$T/once.sh" <<'SH'
name=$1; shift
grep -q -F -e "$name" "$@" || { echo "no line names $name"; exit 1; }
awk -v n="$name" '{ c = 0; s = $0
	while ((i = index(s, n)) > 0) { c++; s = substr(s, i + length(n)) }
	if (c > 1) { print "repeats " n ": " $0; bad = 1 } } END { exit bad }' "$@"
SH
cp "$T/bad_v1.svo2" "$T/bad_nomagic.svo2"
# errlines.sh CASE...: each case through the three tools; per tool, every
# stderr line names the file at most once and some line names it.
cat > "$T/errlines.sh" <<'SH'
bad=0
G3="--input $T/seg_a/x_zed2.svo2 --input $T/seg_a/x_zed3.svo2 --input $T/seg_a/x_zed4.svo2"
for n; do
	f=$T/bad_$n.svo2 bd=$T/eb_$n bb=
	[ $n = v1 ] && f=$T/old.svo
	b=$(basename "$f")
	rm -rf "$bd" && mkdir -p "$bd"
	if [ $n = missing ]; then bd=$bd/nodir bb=nodir; else cp "$f" "$bd/"; fi
	$X $BIN/zed_svo_to_mp4 --quiet --input "$f" 2> "$T/e1_$n"; r1=$?
	$X $BIN/zed_svo_grid_to_mp4 --quiet --input "$f" $G3 --output "$T/eg.mp4" 2> "$T/e2_$n"; r2=$?
	$X $BIN/zed_batch_svo_to_mp4 "$bd" --pattern '*' 2> "$T/e3_$n"; r3=$?
	echo "== $n: exits $r1 $r2 $r3"; cat "$T/e1_$n" "$T/e2_$n" "$T/e3_$n"
	{ [ $r1 = 1 ] && [ $r2 = 1 ] && [ $r3 = 1 ] && [ "$(wc -l < "$T/e1_$n")" = 1 ] &&
	  sh "$T/once.sh" "$b" "$T/e1_$n" && sh "$T/once.sh" "$b" "$T/e2_$n" &&
	  sh "$T/once.sh" "${bb:-$b}" "$T/e3_$n"; } || { echo "== $n: FAILED"; bad=1; }
done
exit $bad
SH
testing "rule: no ZED tool error line repeats the file name" \
	"X='${TEST_EXEC:-}' BIN=$BIN sh $T/errlines.sh missing crc trunc comp lossless v1 nomagic"

# Rule: every function (and extern variable) of src/zed/X.c is declared
# in src/zed/X.h, and every declaration in X.h is defined in X.c.
testing "src/zed: every declaration in its own file's header" \
	"python3 - '$SRCTREE/src/zed' <<'PY'
import os, re, sys
d = sys.argv[1]
strip = lambda t: re.sub(r'/\*.*?\*/|//[^\n]*', '', t, flags=re.S)
DEF = re.compile(r'^(?!static\b)(?!typedef\b)(?!extern\b)[A-Za-z_][\w \t\*]*?[\s\*](\w+)\s*\([^;{]*?\)\s*\n\{', re.M)
VAR = re.compile(r'^(?!static\b)(?!extern\b)(?!typedef\b)[A-Za-z_][\w \t\*]*?[\s\*](\w+)\s*(?:\[[^\]]*\])?\s*(?:=[^;]*)?;', re.M)
DECL = re.compile(r'^(?!static\b)(?!typedef\b)(?!#)(?!struct\b[^(]*\{)[A-Za-z_][\w \t\*]*?[\s\*](\w+)\s*\([^;{]*?\)\s*(?:__attribute__\s*\(\(.*?\)\))?\s*;', re.M | re.S)
EXT = re.compile(r'^extern\b[^;(]*?(\w+)\s*(?:\[[^\]]*\])?\s*;', re.M)
defs, decls, bad = {}, {}, 0
for f in sorted(os.listdir(d)):
    t = strip(open(os.path.join(d, f)).read())
    if f.endswith('.c'):
        defs[f[:-2]] = set(m.group(1) for m in DEF.finditer(t)) - {'main'}
        defs[f[:-2]] |= set(m.group(1) for m in VAR.finditer(t))
    elif f.endswith('.h'):
        decls[f[:-2]] = set(m.group(1) for m in DECL.finditer(t)) | set(m.group(1) for m in EXT.finditer(t))
for x in sorted(defs):
    for n in sorted(defs[x]):
        where = sorted(h for h in decls if n in decls[h])
        if where != [x]:
            print('%s.c: %s declared in %s, want %s.h' % (x, n, where or 'no header', x)); bad += 1
for h in sorted(decls):
    for n in sorted(decls[h] - defs.get(h, set())):
        print('%s.h: %s is not defined in %s.c' % (h, n, h)); bad += 1
print('%d misplaced' % bad)
sys.exit(1 if bad else 0)
PY"
finish
