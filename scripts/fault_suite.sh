#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# fault_suite.sh - the streamer under the faults it must survive.
#
#   scripts/fault_suite.sh [--row NAME]
#   rows: torn sink-stall reset-storm producer-restart rtmp-restart udp-unreachable
#         resize shutdown frame-accounting
#
# Each row runs simulator -> cvmmap_streamer -> testers with one fault and
# checks the documented behaviour, and that the streamer's frame
# accounting adds up (announced = out + lost, scripts/accounting.sh).  Prints "PASS|FAIL|SKIP <row> (detail)"
# per row, then "total=N pass=N fail=N skip=N"; writes summary.json and
# per-row logs under build/evidence/<timestamp>/ (EVIDENCE_DIR overrides).
# STALL_MS sets the sink-stall length (default 10000).
set -u
SRCTREE=${SRCTREE:-$(cd "$(dirname "$0")/.." && pwd)}
. "$SRCTREE/scripts/lib.sh"
. "$SRCTREE/scripts/accounting.sh"
OBJTREE=${OBJTREE:-$SRCTREE/build}
BIN=$OBJTREE/bin
X=${TEST_EXEC:-}
ROWS="torn sink-stall reset-storm producer-restart rtmp-restart udp-unreachable resize shutdown
frame-accounting"
STALL_MS=${STALL_MS:-10000}
while [ $# -gt 0 ]; do
	case $1 in
	--row) ROWS=$2; shift 2 ;;
	-h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "fault_suite: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
EV=${EVIDENCE_DIR:-$OBJTREE/evidence/faults-$(date -u +%Y%m%dT%H%M%SZ)-$$}
mkdir -p "$EV"
total=0 npass=0 nfail=0 nskip=0 json=""


# record ROW VERDICT DETAIL; a PASS whose streamer log does not account
# for every frame becomes a FAIL.
record() {
	if [ "$2" = PASS ] && [ -f "$EV/$1/streamer.log" ]; then
		if acct=$(accounting_ok "$EV/$1/streamer.log"); then
			set -- "$1" PASS "$3; ${acct#accounting: }"
		else
			set -- "$1" FAIL "$3; frame accounting does not add up: ${acct#accounting: }"
		fi
	fi
	total=$((total + 1))
	case $2 in PASS) npass=$((npass + 1)) ;; FAIL) nfail=$((nfail + 1)) ;; SKIP) nskip=$((nskip + 1)) ;; esac
	echo "$2 $1${3:+ ($3)}"
	json="$json${json:+,}{\"row\":\"$1\",\"result\":\"$2\",\"detail\":\"$3\",\"log\":\"$EV/$1\"}"
}

# A field of the streamer's final stats line ("exit: in=.. torn=..").
stat() { grep 'exit: ' "$1" | tail -n 1 | sed -n "s/.* $2=\([0-9]*\).*/\1/p"; }
# A numeric field of a tester's one-line JSON summary.
jnum() { sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" "$1" | head -n 1; }
decoded() {
	ffprobe -v error -f "$2" -count_frames -select_streams v:0 \
		-show_entries stream=nb_read_frames -of csv=p=0 "$1" 2>/dev/null | head -n 1
}

# rtp_row NAME FRAMES "sim args" "streamer args" : sim -> streamer -> RTP tester
rtp_row() {
	d=$EV/$1 port=$(free_port) inst=flt$$_$(echo "$1" | tr -d -- '-' | cut -c1-10)
	mkdir -p "$d"
	timeout 60 $X "$BIN/rtp_receiver_tester" --port "$port" --codec h264 --au-threshold 1 \
		--idle-ms 3000 --timeout-ms 45000 --json --dump "$d/received.h264" \
		> "$d/tester.json" 2> "$d/tester.log" &
	tpid=$!
	sleep 0.3
	# shellcheck disable=SC2086
	timeout 60 $X "$BIN/cvmmap_streamer" --input "$inst" --rtp --rtp-endpoint "127.0.0.1:$port" \
		--no-nats --ingest-idle-timeout-ms 2500 --stats-interval-ms 1000 $4 \
		> "$d/streamer.log" 2>&1 &
	spid=$!
	# shellcheck disable=SC2086
	timeout 50 $X "$BIN/cvmmap_sim" --instance "$inst" --width 320 --height 240 --fps 30 \
		--frames "$2" --start-delay-ms 500 $3 > "$d/sim.log" 2>&1
	sim_rc=$?
	wait "$spid"; streamer_rc=$?
	wait "$tpid"; tester_rc=$?
	frames=$(decoded "$d/received.h264" h264)
	aus=$(jnum "$d/tester.json" aus)
	back=$(jnum "$d/tester.json" ts_backwards)
}

row_torn() {
	# Count torn copies across several short runs: how often a copy
	# overlaps the simulator's scribble is timing luck.
	torn=0 tries=0 detail=""
	while [ "$torn" -eq 0 ] && [ $tries -lt 3 ]; do
		tries=$((tries + 1))
		rtp_row torn 120 "--fault torn" ""
		torn=$(stat "$d/streamer.log" torn)
		torn=${torn:-0}
		detail="torn=$torn decoded=${frames:-0} aus=${aus:-0} try=$tries"
	done
	if [ "$sim_rc" -eq 0 ] && [ "$streamer_rc" -eq 0 ] && [ "$torn" -gt 0 ] &&
	   [ "${frames:-0}" -gt 0 ] && [ "${frames:-0}" -eq "${aus:-0}" ]; then
		record torn PASS "$detail"
	else
		record torn FAIL "$detail sim=$sim_rc streamer=$streamer_rc"
	fi
}

row_reset_storm() {
	rtp_row reset-storm 150 "--fault reset-storm --fault-every 10 --legacy-status" ""
	resets=$(stat "$d/streamer.log" resets)
	detail="resets=${resets:-0} ts_backwards=${back:-?} decoded=${frames:-0}/${aus:-0}"
	if [ "$streamer_rc" -eq 0 ] && [ "${resets:-0}" -ge 5 ] && [ "${back:-1}" -eq 0 ] &&
	   [ "${aus:-0}" -ge 100 ] && [ "${frames:-0}" -eq "${aus:-0}" ]; then
		record reset-storm PASS "$detail"
	else
		record reset-storm FAIL "$detail streamer=$streamer_rc"
	fi
}

row_producer_restart() {
	# The simulator unlinks and recreates its SHM object (new inode) every
	# 40 frames; frames must flow again within 1 s (30 frames at 30 fps).
	rtp_row producer-restart 160 "--fault restart --fault-every 40" ""
	re=$(stat "$d/streamer.log" reattached)
	detail="reattached=${re:-0} aus=${aus:-0}/160 decoded=${frames:-0}"
	if [ "$streamer_rc" -eq 0 ] && [ "${re:-0}" -ge 2 ] && [ "${aus:-0}" -ge 130 ] &&
	   [ "${frames:-0}" -eq "${aus:-0}" ]; then
		record producer-restart PASS "$detail"
	else
		record producer-restart FAIL "$detail streamer=$streamer_rc"
	fi
}

row_udp_unreachable() {
	# Nobody listens: the kernel answers with ICMP port unreachable.
	d=$EV/udp-unreachable port=$(free_port)
	mkdir -p "$d"
	timeout 30 $X "$BIN/cvmmap_streamer" --input-mode dummy --dummy-frames 60 \
		--dummy-width 160 --dummy-height 96 --rtp --rtp-endpoint "127.0.0.1:$port" \
		--no-nats > "$d/streamer.log" 2>&1
	rc=$?
	out=$(stat "$d/streamer.log" out)
	err=$(grep 'exit: ' "$d/streamer.log" | sed -n 's/.* err=\([0-9]*\).*/\1/p')
	if [ $rc -eq 0 ] && [ "${out:-0}" -eq 60 ] && [ "${err:-0}" -gt 0 ]; then
		record udp-unreachable PASS "60 AUs, send errors $err counted, exit 0"
	else
		record udp-unreachable FAIL "exit $rc out=${out:-0} err=${err:-0}"
	fi
}

# VmRSS of the streamer: $1 is the PID of the timeout(1) wrapping it.
rss_kb() {
	c=$(cat "/proc/$1/task/$1/children" 2>/dev/null | awk '{print $1}')
	sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' "/proc/${c:-$1}/status" 2>/dev/null
}

row_sink_stall() {
	# RTP and RTMP share one encode; the RTMP server stops reading for
	# STALL_MS.  RTP must keep its full rate, RTMP must drop (not queue),
	# and the streamer's memory must not grow.
	d=$EV/sink-stall rport=$(free_port) mport=$(free_port) inst=flt$$_stall
	mkdir -p "$d"
	frames=$(( (STALL_MS / 1000 + 6) * 30 ))
	timeout 90 $X "$BIN/rtp_receiver_tester" --port "$rport" --codec h264 --au-threshold 1 \
		--idle-ms 3000 --timeout-ms 80000 --json --dump "$d/rtp.h264" \
		> "$d/rtp.json" 2> "$d/rtp.log" &
	tpid=$!
	timeout 90 $X "$BIN/rtmp_stub_tester" --mode h264 --listen-port "$mport" \
		--video-threshold 10 --timeout-ms 80000 --stall-ms "$STALL_MS" --json \
		--dump-annexb "$d/rtmp.h264" > "$d/rtmp.json" 2> "$d/rtmp.log" &
	mpid=$!
	sleep 0.3
	timeout 90 $X "$BIN/cvmmap_streamer" --input "$inst" --rtp --rtp-endpoint "127.0.0.1:$rport" \
		--rtmp --rtmp-url "rtmp://127.0.0.1:$mport/live/stall" --no-nats \
		--ingest-idle-timeout-ms 2500 --stats-interval-ms 1000 > "$d/streamer.log" 2>&1 &
	spid=$!
	timeout 80 $X "$BIN/cvmmap_sim" --instance "$inst" --width 320 --height 240 --fps 30 \
		--frames "$frames" --start-delay-ms 500 > "$d/sim.log" 2>&1 &
	mspid=$!
	sleep 3
	rss0=$(rss_kb "$spid")
	sleep $((STALL_MS / 1000))
	rss1=$(rss_kb "$spid")
	wait "$mspid"
	wait "$spid"; streamer_rc=$?
	wait "$tpid"; wait "$mpid"; stub_rc=$?
	aus=$(jnum "$d/rtp.json" aus)
	dropped=$(grep 'exit: ' "$d/streamer.log" | sed -n 's/.*rtmp\[[^]]*dropped=\([0-9]*\).*/\1/p')
	grow=$(( ${rss1:-0} - ${rss0:-0} ))
	detail="rtp aus=${aus:-0}/$frames rtmp dropped=${dropped:-0} rss ${rss0:-?}->${rss1:-?} kB stub=$stub_rc"
	if [ "$streamer_rc" -eq 0 ] && [ "${aus:-0}" -ge $((frames * 95 / 100)) ] &&
	   [ "${dropped:-0}" -gt 0 ] && [ -n "${rss0:-}" ] && [ "$grow" -lt 2048 ]; then
		record sink-stall PASS "$detail"
	else
		record sink-stall FAIL "$detail streamer=$streamer_rc"
	fi
}

row_rtmp_restart() {
	# The first server closes after 30 frames; a second one takes its
	# port; the streamer reconnects after its backoff and the second
	# server gets a valid stream (sequence header, keyframe first).
	d=$EV/rtmp-restart port=$(free_port) inst=flt$$_rtmpre
	mkdir -p "$d"
	timeout 60 $X "$BIN/cvmmap_streamer" --input "$inst" --rtmp \
		--rtmp-url "rtmp://127.0.0.1:$port/live/re" --no-nats --rtmp-reconnect-min-ms 200 \
		--rtmp-reconnect-max-ms 1000 --ingest-idle-timeout-ms 2500 --stats-interval-ms 1000 \
		> "$d/streamer.log" 2>&1 &
	spid=$!
	timeout 60 $X "$BIN/cvmmap_sim" --instance "$inst" --width 320 --height 240 --fps 30 \
		--frames 300 --start-delay-ms 300 > "$d/sim.log" 2>&1 &
	mspid=$!
	timeout 30 $X "$BIN/rtmp_stub_tester" --mode h264 --listen-port "$port" --video-threshold 30 \
		--drop-after 30 --timeout-ms 20000 --json > "$d/stub1.json" 2> "$d/stub1.log"
	rc1=$?
	timeout 30 $X "$BIN/rtmp_stub_tester" --mode h264 --listen-port "$port" --video-threshold 60 \
		--timeout-ms 20000 --json --dump-annexb "$d/second.h264" > "$d/stub2.json" 2> "$d/stub2.log"
	rc2=$?
	wait "$mspid"; wait "$spid"; streamer_rc=$?
	frames=$(decoded "$d/second.h264" h264)
	connects=$(grep 'exit: ' "$d/streamer.log" | sed -n 's/.*connects=\([0-9]*\).*/\1/p')
	detail="stub1=$rc1 stub2=$rc2 connects=${connects:-0} decoded after restart=${frames:-0}"
	if [ "$rc2" -eq 0 ] && [ "${connects:-0}" -ge 2 ] && [ "${frames:-0}" -ge 60 ] &&
	   [ "$streamer_rc" -eq 0 ]; then
		record rtmp-restart PASS "$detail"
	else
		record rtmp-restart FAIL "$detail streamer=$streamer_rc"
	fi
}

row_resize() {
	# The producer switches between 320x240 and 160x120 every 40 frames:
	# the encoder is reopened, RTP gets the new parameter sets in-band and
	# a rewritten SDP, RTMP a new onMetaData + sequence header.
	d=$EV/resize rport=$(free_port) mport=$(free_port) inst=flt$$_resize
	mkdir -p "$d"
	timeout 60 $X "$BIN/rtp_receiver_tester" --port "$rport" --codec h264 --au-threshold 1 \
		--idle-ms 3000 --timeout-ms 45000 --strict --json --dump "$d/rtp.h264" \
		> "$d/rtp.json" 2> "$d/rtp.log" &
	tpid=$!
	timeout 60 $X "$BIN/rtmp_stub_tester" --mode h264 --listen-port "$mport" \
		--video-threshold 100 --timeout-ms 45000 --json --dump-annexb "$d/rtmp.h264" \
		> "$d/rtmp.json" 2> "$d/rtmp.log" &
	mpid=$!
	sleep 0.3
	timeout 60 $X "$BIN/cvmmap_streamer" --input "$inst" --rtp --rtp-endpoint "127.0.0.1:$rport" \
		--rtp-sdp "$d/stream.sdp" --rtmp --rtmp-url "rtmp://127.0.0.1:$mport/live/rs" \
		--no-nats --ingest-idle-timeout-ms 2500 --stats-interval-ms 1000 > "$d/streamer.log" 2>&1 &
	spid=$!
	timeout 50 $X "$BIN/cvmmap_sim" --instance "$inst" --width 320 --height 240 --fps 30 \
		--frames 160 --start-delay-ms 500 --fault resize --fault-every 40 > "$d/sim.log" 2>&1
	wait "$spid"; streamer_rc=$?
	wait "$tpid"; tester_rc=$?
	wait "$mpid"; stub_rc=$?
	aus=$(jnum "$d/rtp.json" aus)
	frames=$(decoded "$d/rtp.h264" h264)
	sizes=$(ffprobe -v error -show_entries frame=width,height -of csv=p=0 -f h264 "$d/rtp.h264" 2>/dev/null | sed 's/,*$//' | sort -u | tr '\n' ' ')
	sdp=$(grep -c 'wrote .*stream.sdp' "$d/streamer.log")
	seqh=$(jnum "$d/rtmp.json" seq_headers)
	detail="aus=${aus:-0} decoded=${frames:-0} sizes=[${sizes}] sdp_writes=$sdp rtmp_seq_headers=${seqh:-0}"
	if [ "$streamer_rc" -eq 0 ] && [ "$tester_rc" -eq 0 ] && [ "$stub_rc" -eq 0 ] &&
	   [ "${aus:-0}" -ge 150 ] && [ "${frames:-0}" -eq "${aus:-0}" ] &&
	   [ "$(echo "$sizes" | wc -w)" -eq 2 ] && [ "$sdp" -ge 2 ] && [ "${seqh:-0}" -ge 2 ]; then
		record resize PASS "$detail"
	else
		record resize FAIL "$detail streamer=$streamer_rc tester=$tester_rc stub=$stub_rc"
	fi
}

row_shutdown() {
	# SIGTERM: exit 0, RTCP BYE sent, RTMP SequenceEnd + FCUnpublish sent.
	d=$EV/shutdown rport=$(free_port) mport=$(free_port)
	mkdir -p "$d"
	timeout 40 $X "$BIN/rtp_receiver_tester" --port "$rport" --codec h264 --au-threshold 1 \
		--idle-ms 2500 --timeout-ms 30000 --json > "$d/rtp.json" 2> "$d/rtp.log" &
	tpid=$!
	timeout 40 $X "$BIN/rtmp_stub_tester" --mode h264 --listen-port "$mport" \
		--video-threshold 100000 --timeout-ms 30000 --json > "$d/rtmp.json" 2> "$d/rtmp.log" &
	mpid=$!
	sleep 0.3
	timeout --preserve-status -s TERM 4 $X "$BIN/cvmmap_streamer" --input-mode dummy \
		--dummy-width 160 --dummy-height 96 --rtp --rtp-endpoint "127.0.0.1:$rport" \
		--rtmp --rtmp-url "rtmp://127.0.0.1:$mport/live/down" --no-nats > "$d/streamer.log" 2>&1
	streamer_rc=$?
	wait "$tpid"; wait "$mpid"
	bye=$(jnum "$d/rtp.json" rtcp_bye)
	ends=$(jnum "$d/rtmp.json" seq_ends)
	unpub=$(grep -c '"unpublished":true' "$d/rtmp.json")
	detail="exit=$streamer_rc rtcp_bye=${bye:-0} rtmp_seq_ends=${ends:-0} unpublished=$unpub"
	if [ "$streamer_rc" -eq 0 ] && [ "${bye:-0}" -ge 1 ] && [ "${ends:-0}" -ge 1 ] &&
	   [ "$unpub" -eq 1 ] && grep -q 'signal 15: clean shutdown' "$d/streamer.log"; then
		record shutdown PASS "$detail"
	else
		record shutdown FAIL "$detail"
	fi
}

row_frame_accounting() {
	# Every misbehaviour of issue 17 in one v2.1 stream: frames without an
	# AU, rejected metadata, a hole, a late and repeated syncs, a flood, an
	# absurd frame-rate hint, frames too small, too large and of a format
	# we cannot convert.  Passthrough must forward only whole GOPs: every
	# frame the receiver decodes is one of the source's pictures.
	d=$EV/frame-accounting port=$(free_port) inst=flt$$_acct
	src=$SRCTREE/test/vectors/codec/pt_176x144_g10.h264
	mkdir -p "$d"
	timeout 60 $X "$BIN/rtp_receiver_tester" --port "$port" --codec h264 --au-threshold 1 \
		--idle-ms 3000 --timeout-ms 45000 --json --dump "$d/received.h264" \
		> "$d/tester.json" 2> "$d/tester.log" &
	tpid=$!
	sleep 0.3
	timeout 60 $X "$BIN/cvmmap_streamer" --input "$inst" --rtp --rtp-endpoint "127.0.0.1:$port" \
		--no-nats --ingest-idle-timeout-ms 2500 --stats-interval-ms 1000 > "$d/streamer.log" 2>&1 &
	spid=$!
	timeout 50 $X "$OBJTREE/test/helper_misbehave" --instance "$inst" --frames 150 \
		--annexb "$src" --size 176x144 --start-delay-ms 500 --script \
		5:noau,9:reject,16:skip,24:late,28:dup,33:flood,38:fps,44:tiny,52:huge,61:wide,67:fmt,73:noau,85:reject,96:skip,110:dup \
		> "$d/producer.log" 2>&1
	wait "$spid"; streamer_rc=$?
	wait "$tpid"
	ffmpeg -v error -f h264 -i "$src" -f framemd5 - 2>/dev/null | grep -v '^#' |
		awk -F, '{print $NF}' | sort -u > "$d/source.md5"
	ffmpeg -v error -f h264 -i "$d/received.h264" -f framemd5 - 2>/dev/null | grep -v '^#' |
		awk -F, '{print $NF}' > "$d/received.md5"
	got=$(wc -l < "$d/received.md5")
	foreign=$(grep -cvxF -f "$d/source.md5" "$d/received.md5")
	detail="decoded=$got not_a_source_frame=$foreign"
	if [ "$streamer_rc" -eq 0 ] && [ "$got" -ge 60 ] && [ "$foreign" -eq 0 ]; then
		record frame-accounting PASS "$detail"
	else
		record frame-accounting FAIL "$detail streamer=$streamer_rc"
	fi
}

for r in $ROWS; do
	case $r in
	torn|reset-storm|producer-restart)
		enabled CONFIG_TOOL_SIM && enabled CONFIG_RTP && enabled CONFIG_TOOL_RTP_TESTER ||
			{ record "$r" SKIP "needs the simulator, RTP and its tester"; continue; } ;;
	udp-unreachable)
		enabled CONFIG_RTP || { record "$r" SKIP "CONFIG_RTP off"; continue; } ;;
	frame-accounting)
		enabled CONFIG_PASSTHROUGH && enabled CONFIG_RTP && enabled CONFIG_TOOL_RTP_TESTER &&
			[ -x "$OBJTREE/test/helper_misbehave" ] && command -v ffmpeg > /dev/null ||
			{ record "$r" SKIP "needs passthrough, RTP, its tester, helper_misbehave, ffmpeg"; continue; } ;;
	sink-stall|rtmp-restart|resize|shutdown)
		enabled CONFIG_RTMP && enabled CONFIG_TOOL_RTMP_TESTER && enabled CONFIG_TOOL_SIM ||
			{ record "$r" SKIP "needs RTMP, its stub and the simulator"; continue; } ;;
	*) echo "fault_suite: unknown row '$r'" >&2; exit 2 ;;
	esac
	"row_$(echo "$r" | tr - _)"
done
printf '{"total":%d,"pass":%d,"fail":%d,"skip":%d,"rows":[%s]}\n' \
	"$total" "$npass" "$nfail" "$nskip" "$json" > "$EV/summary.json"
echo "evidence: $EV"
echo "total=$total pass=$npass fail=$nfail skip=$nskip"
[ "$nfail" -eq 0 ]
