#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# codec_records.sh - our avcC/hvcC and SPS sizes against FFmpeg (real peer).
#
# For each generated stream: helper_records prints our record and the SPS
# width/height; `ffmpeg -c copy` remuxes the same stream to MP4 and a tiny
# box walker pulls FFmpeg's avcC/hvcC out of it.  Fields are compared one
# by one (profile, compatibility, level, lengthSize, chroma, bit depths,
# temporal layers, parameter-set NAL bytes).  By design, array_completeness
# may differ: we write 0 (sets repeat in-band); FFmpeg writes 0 for hev1
# and 1 for hvc1 (-tag:v hvc1), and the hvc1 case checks that only that
# bit differs.  Width/height must equal ffprobe's.
. "$SRCTREE/test/suites/testing.sh"

command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null ||
	skip_all "ffmpeg/ffprobe not installed"
command -v python3 >/dev/null || skip_all "python3 not installed"
HELPER=$OBJTREE/test/helper_records
[ -x "$HELPER" ] || skip_all "helper_records not built"
TMP=$OBJTREE/test/tmp/codec_records
rm -rf "$TMP" && mkdir -p "$TMP"

# cmp.py OURS_HEX MP4 codec [allow-completeness]: field-by-field compare.
cat > "$TMP/cmp.py" <<'PY'
import sys

def box(buf, tag):
    """Depth-first walk to the first box named tag; returns its payload."""
    skip = {b'stsd': 8, b'avc1': 78, b'hvc1': 78, b'hev1': 78}
    conts = {b'moov', b'trak', b'mdia', b'minf', b'stbl'} | set(skip)
    i = 0
    while i + 8 <= len(buf):
        size = int.from_bytes(buf[i:i + 4], 'big')
        typ = buf[i + 4:i + 8]
        if size < 8 or i + size > len(buf):
            return None
        body = buf[i + 8:i + size]
        if typ == tag:
            return body
        if typ in conts:
            r = box(body[skip.get(typ, 0):], tag)
            if r is not None:
                return r
        i += size
    return None

def nals(b, o, count):
    out = []
    for _ in range(count):
        n = int.from_bytes(b[o:o + 2], 'big')
        out.append(b[o + 2:o + 2 + n].hex())
        o += 2 + n
    return out, o

def avcc(b):
    f = dict(version=b[0], profile=b[1], compat=b[2], level=b[3],
             length_size=(b[4] & 3) + 1)
    f['sps'], o = nals(b, 6, b[5] & 31)
    f['pps'], o = nals(b, o + 1, b[o])
    if o < len(b):
        f['chroma'] = b[o] & 3
        f['depth_luma'] = (b[o + 1] & 7) + 8
        f['depth_chroma'] = (b[o + 2] & 7) + 8
        f['sps_ext'] = b[o + 3]
    return f

def hvcc(b):
    f = dict(version=b[0], ptl=b[1:13].hex(),
             min_spatial_seg=int.from_bytes(b[13:15], 'big') & 0xfff,
             parallelism=b[15] & 3, chroma=b[16] & 3,
             depth_luma=(b[17] & 7) + 8, depth_chroma=(b[18] & 7) + 8,
             avg_frame_rate=int.from_bytes(b[19:21], 'big'),
             const_frame_rate=b[21] >> 6, temporal_layers=(b[21] >> 3) & 7,
             temporal_id_nested=(b[21] >> 2) & 1, length_size=(b[21] & 3) + 1,
             reserved_bits=[b[13] >> 4, b[15] >> 2, b[16] >> 2, b[17] >> 3, b[18] >> 3])
    o = 23
    for _ in range(b[22]):
        typ = b[o] & 63
        f['array%d_completeness' % typ] = b[o] >> 7
        f['array%d' % typ], o = nals(b, o + 3, int.from_bytes(b[o + 1:o + 3], 'big'))
    return f

ours = bytes.fromhex(sys.argv[1])
codec = sys.argv[3]
theirs = box(open(sys.argv[2], 'rb').read(), b'avcC' if codec == 'h264' else b'hvcC')
if theirs is None:
    sys.exit('no avcC/hvcC box in ' + sys.argv[2])
parse = avcc if codec == 'h264' else hvcc
a, b = parse(ours), parse(theirs)
bad = 0
for k in sorted(set(a) | set(b)):
    if a.get(k) == b.get(k):
        print('same  %-22s %s' % (k, a.get(k)))
    elif k.endswith('_completeness') and len(sys.argv) > 4:
        print('differ by design %-10s ours %s ffmpeg %s' % (k, a.get(k), b.get(k)))
    else:
        print('DIFF  %-22s ours %s ffmpeg %s' % (k, a.get(k), b.get(k)))
        bad = 1
print('ours   ' + ours.hex())
print('ffmpeg ' + theirs.hex())
sys.exit(bad)
PY

# case.sh NAME CODEC SIZE PIX_FMT TAG|- -- ENCODER ARGS: one stream, one check.
cat > "$TMP/case.sh" <<'SH'
set -e
name=$1 codec=$2 size=$3 pix=$4 tag=$5; shift 6
[ "$tag" = - ] && tag=
[ "$codec" = h265 ] && fmt=hevc || fmt=h264
f=$TMP/$name.$codec
ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi \
	-i testsrc=size=$size:rate=25 -frames:v 3 -pix_fmt $pix "$@" -f $fmt "$f"
out=$(${TEST_EXEC:-} "$HELPER" $codec "$f")
echo "$out"
ffmpeg -nostdin -hide_banner -loglevel error -y -f $fmt -i "$f" -c copy \
	${tag:+-tag:v $tag} "$f.mp4"
wh=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height \
	-of default=noprint_wrappers=1 "$f")
echo "ffprobe: $wh"
[ "$(echo "$out" | grep -E '^(width|height)=')" = "$wh" ] ||
	{ echo "width/height differ from ffprobe"; exit 1; }
python3 "$TMP/cmp.py" "$(echo "$out" | sed -n 's/^record=//p')" "$f.mp4" $codec $tag
SH
export TMP HELPER

x264="-c:v libx264 -x264-params aud=1"
x265="-c:v libx265 -x265-params log-level=error:aud=1"
run_case() {
	testing "records $1" "sh $TMP/case.sh $*"
}
if ffmpeg -hide_banner -encoders 2>/dev/null | grep -q libx264; then
	run_case h264_baseline h264 176x144 yuv420p - -- $x264 -preset ultrafast -profile:v baseline
	run_case h264_high h264 176x144 yuv420p - -- $x264 -preset veryfast
	run_case h264_odd_170x100 h264 170x100 yuv420p - -- $x264 -preset ultrafast
	run_case h264_interlaced h264 170x100 yuv420p - -- -c:v libx264 -preset veryfast -x264-params aud=1:interlaced=1
	run_case h264_high422_10 h264 176x144 yuv422p10le - -- $x264 -preset ultrafast
	run_case h264_high444_10 h264 176x144 yuv444p10le - -- $x264 -preset ultrafast
else
	skip "records h264" "ffmpeg has no libx264"
fi
if ffmpeg -hide_banner -encoders 2>/dev/null | grep -q libx265; then
	run_case h265_main h265 176x144 yuv420p - -- $x265 -preset ultrafast
	run_case h265_main10 h265 176x144 yuv420p10le - -- $x265 -preset ultrafast
	run_case h265_422_10_odd h265 170x100 yuv422p10le - -- $x265 -preset ultrafast
	run_case h265_444 h265 176x144 yuv444p - -- $x265 -preset ultrafast
	run_case h265_temporal_layers h265 176x144 yuv420p - -- -c:v libx265 -preset ultrafast \
		-x265-params log-level=error:aud=1:temporal-layers=1:b-pyramid=1:bframes=4
	# FFmpeg writes array_completeness 1 for hvc1; everything else equal.
	run_case h265_hvc1_tag h265 176x144 yuv420p hvc1 -- $x265 -preset ultrafast
else
	skip "records h265" "ffmpeg has no libx265"
fi
finish
