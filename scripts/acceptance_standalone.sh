#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# acceptance_standalone.sh - the five mandatory rows plus the invalid row:
# simulator -> cvmmap_streamer -> our tester, each validated.
#
#   scripts/acceptance_standalone.sh [--row NAME] [--frames N] [--size WxH]
#   rows: rtp-h264 rtp-h265 rtmp-h264 rtmp-h265-enhanced rtmp-h265-domestic invalid
#         passthrough-rtp-h264 passthrough-rtmp-h265 (v2.1 producer access
#         units forwarded without re-encoding: decoded frames must be
#         bit-identical to the source's)
#
# Prints one "PASS|FAIL|SKIP <row>" line per row, then
# "total=N pass=N fail=N skip=N" over the five mandatory rows and
# "extra: total=N pass=N fail=N skip=N" over the others (the invalid row,
# passthrough); writes summary.json and per-row logs
# under build/evidence/<timestamp>/ (EVIDENCE_DIR overrides).  Exit 0 only
# when nothing failed.  Binaries come from $OBJTREE/bin (default build/);
# target binaries run through $TEST_EXEC (qemu), host tools plainly.
set -u
SRCTREE=${SRCTREE:-$(cd "$(dirname "$0")/.." && pwd)}
. "$SRCTREE/scripts/lib.sh"
. "$SRCTREE/scripts/accounting.sh"
OBJTREE=${OBJTREE:-$SRCTREE/build}
BIN=$OBJTREE/bin
X=${TEST_EXEC:-}
SCALE=1; [ -n "$X" ] && SCALE=${TIME_SCALE_QEMU:-5}
ROWS="rtp-h264 rtp-h265 rtmp-h264 rtmp-h265-enhanced rtmp-h265-domestic invalid
passthrough-rtp-h264 passthrough-rtmp-h265"
FRAMES=60 SIZE=320x240 FPS=30
while [ $# -gt 0 ]; do
	case $1 in
	--row) ROWS=$2; shift 2 ;;
	--frames) FRAMES=$2; shift 2 ;;
	--size) SIZE=$2; shift 2 ;;
	-h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "acceptance: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
W=${SIZE%x*} H=${SIZE#*x}
EV=${EVIDENCE_DIR:-$OBJTREE/evidence/$(date -u +%Y%m%dT%H%M%SZ)-$$}
mkdir -p "$EV"
MANDATORY="rtp-h264 rtp-h265 rtmp-h264 rtmp-h265-enhanced rtmp-h265-domestic"
total=0 npass=0 nfail=0 nskip=0 json=""
xtotal=0 xpass=0 xfail=0 xskip=0


record() { # row verdict why; a PASS whose frames do not all add up fails
	if [ "$2" = PASS ] && [ -f "$EV/$1/streamer.log" ] && grep -q 'exit: ' "$EV/$1/streamer.log"; then
		if acct=$(accounting_ok "$EV/$1/streamer.log"); then
			set -- "$1" PASS "$3; ${acct#accounting: }"
		else
			set -- "$1" FAIL "$3; frame accounting does not add up: ${acct#accounting: }"
		fi
	fi
	if echo " $MANDATORY " | grep -q " $1 "; then
		total=$((total + 1))
		case $2 in
		PASS) npass=$((npass + 1)) ;;
		FAIL) nfail=$((nfail + 1)) ;;
		SKIP) nskip=$((nskip + 1)) ;;
		esac
	else
		xtotal=$((xtotal + 1))
		case $2 in
		PASS) xpass=$((xpass + 1)) ;;
		FAIL) xfail=$((xfail + 1)) ;;
		SKIP) xskip=$((xskip + 1)) ;;
		esac
	fi
	echo "$2 $1${3:+ ($3)}"
	json="$json${json:+,}{\"row\":\"$1\",\"result\":\"$2\",\"detail\":\"$3\",\"log\":\"$EV/$1\"}"
}

# Decode an Annex B dump with FFmpeg; print the number of frames.
decoded_frames() {
	ffprobe -v error -f "$2" -count_frames -select_streams v:0 \
		-show_entries stream=nb_read_frames -of csv=p=0 "$1" 2>/dev/null | head -n 1
}

run_row() {
	row=$1 d=$EV/$1
	mkdir -p "$d"
	case $row in
	invalid)
		$X "$BIN/cvmmap_streamer" --input acc_invalid --codec h264 --rtmp \
			--rtmp-url rtmp://127.0.0.1:1/live/x --rtmp-mode domestic > "$d/streamer.log" 2>&1
		rc=$?
		if [ $rc -eq 2 ] && grep -q 'H.265 only' "$d/streamer.log"; then
			record "$row" PASS "rejected with exit 2"
		else
			record "$row" FAIL "exit $rc"
		fi
		return ;;
	*rtp-*) enabled CONFIG_RTP || { record "$row" SKIP "CONFIG_RTP off"; return; } ;;
	*rtmp-*) enabled CONFIG_RTMP || { record "$row" SKIP "CONFIG_RTMP off"; return; } ;;
	esac
	simargs=""
	case $row in
	passthrough-*)
		enabled CONFIG_PASSTHROUGH || { record "$row" SKIP "CONFIG_PASSTHROUGH off"; return; }
		command -v ffmpeg >/dev/null || { record "$row" SKIP "no ffmpeg to make the source"; return; }
		c=h264; case $row in *h265) c=h265 ;; esac
		enc=libx264; xp="-x264-params aud=1"; f=h264
		[ $c = h265 ] && enc=libx265 xp="-x265-params log-level=error:aud=1" f=hevc
		# shellcheck disable=SC2086
		ffmpeg -v error -y -f lavfi -i "testsrc=size=${W}x$H:rate=$FPS" -frames:v "$FRAMES" \
			-pix_fmt yuv420p -c:v $enc -preset ultrafast -g 30 -bf 0 $xp -f $f "$d/source.$c" ||
			{ record "$row" FAIL "ffmpeg could not make the source"; return; }
		simargs="--meta v2.1 --annexb $d/source.$c --codec $c" ;;
	esac
	case $row in
	*h265*) codec=h265 fmt=hevc; enabled CONFIG_ENC_X265 || { record "$row" SKIP "CONFIG_ENC_X265 off"; return; } ;;
	*) codec=h264 fmt=h264 ;;
	esac
	port=$(free_port)
	inst=acc$$_$(echo "$row" | tr -d -- '-' | cut -c1-12)
	want=$((FRAMES * 9 / 10))
	case $row in
	*rtp-*)
		timeout $((40 * SCALE)) $X "$BIN/rtp_receiver_tester" --port "$port" --expect-pt 96 \
			--codec "$codec" --au-threshold "$want" --idle-ms $((2500 * SCALE)) --timeout-ms $((30000 * SCALE)) --strict \
			--json --dump "$d/received.$codec" > "$d/tester.json" 2> "$d/tester.log" &
		out="--rtp --rtp-endpoint 127.0.0.1:$port --rtp-sdp $d/stream.sdp" ;;
	*rtmp-*)
		mode=h264; rmode=enhanced
		[ "$codec" = h265 ] && mode=h265-enhanced
		case $row in *domestic) mode=h265-domestic rmode=domestic ;; esac
		timeout $((40 * SCALE)) $X "$BIN/rtmp_stub_tester" --mode "$mode" --listen-port "$port" \
			--video-threshold "$want" --timeout-ms $((20000 * SCALE)) --json \
			--dump "$d/received.flv" --dump-annexb "$d/received.$codec" \
			> "$d/tester.json" 2> "$d/tester.log" &
		out="--rtmp --rtmp-url rtmp://127.0.0.1:$port/live/acc --rtmp-mode $rmode" ;;
	esac
	tpid=$!
	sleep 0.3
	# shellcheck disable=SC2086
	timeout $((40 * SCALE)) $X "$BIN/cvmmap_streamer" --input "$inst" --codec "$codec" $out \
		--no-nats --ingest-idle-timeout-ms $((3000 * SCALE)) --stats-interval-ms 1000 \
		> "$d/streamer.log" 2>&1 &
	spid=$!
	timeout $((30 * SCALE)) $X "$BIN/cvmmap_sim" --instance "$inst" --width "$W" --height "$H" \
		--fps "$FPS" --frames "$FRAMES" --start-delay-ms 500 $simargs > "$d/sim.log" 2>&1
	src=$?
	wait "$spid"; streamer_rc=$?
	wait "$tpid"; tester_rc=$?
	stop_pid "$spid"; stop_pid "$tpid"
	frames=$(decoded_frames "$d/received.$codec" "$fmt")
	echo "sim=$src streamer=$streamer_rc tester=$tester_rc decoded=${frames:-0}" > "$d/verdict.txt"
	same=yes
	case $row in
	passthrough-*)
		# Untouched access units decode to the very same pictures.
		grep -q 'exit: .* enc=passthrough' "$d/streamer.log" || same=no
		ffmpeg -v error -f "$fmt" -i "$d/source.$codec" -f framemd5 - 2>/dev/null |
			grep -v '^#' | awk -F, '{print $NF}' | head -n "${frames:-0}" > "$d/source.md5"
		ffmpeg -v error -f "$fmt" -i "$d/received.$codec" -f framemd5 - 2>/dev/null |
			grep -v '^#' | awk -F, '{print $NF}' > "$d/received.md5"
		cmp -s "$d/source.md5" "$d/received.md5" || same=no ;;
	esac
	if [ "$src" -eq 0 ] && [ "$streamer_rc" -eq 0 ] && [ "$tester_rc" -eq 0 ] &&
	   [ "${frames:-0}" -ge "$want" ] && [ $same = yes ]; then
		record "$row" PASS "decoded $frames/$FRAMES frames${simargs:+, bit-identical to the source}"
	else
		record "$row" FAIL "sim $src, streamer $streamer_rc, tester $tester_rc, decoded ${frames:-0}/$FRAMES, identical=$same"
	fi
}

for r in $ROWS; do
	run_row "$r"
done
printf '{"total":%d,"pass":%d,"fail":%d,"skip":%d,"extra":{"total":%d,"pass":%d,"fail":%d,"skip":%d},"rows":[%s]}\n' \
	"$total" "$npass" "$nfail" "$nskip" "$xtotal" "$xpass" "$xfail" "$xskip" \
	"$json" > "$EV/summary.json"
echo "evidence: $EV"
echo "total=$total pass=$npass fail=$nfail skip=$nskip"
echo "extra: total=$xtotal pass=$xpass fail=$xfail skip=$xskip"
[ "$nfail" -eq 0 ] && [ "$xfail" -eq 0 ]
