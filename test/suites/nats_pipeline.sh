#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# nats_pipeline.sh - the streamer's NATS side end to end against the real
# nats-server: cvmmap_sim (status, source info, body tracking on NATS) ->
# cvmmap_streamer -> RTP -> rtp_receiver_tester --strict --dump.
#   (a) STREAM_RESET early and late: rebase + one keyframe per segment,
#       no RTP timestamp going back, FFmpeg decodes every AU;
#   (b) ONLINE/OFFLINE in the streamer's status JSON, stats request answered;
#   (c) source info from .producer, from .control, and none (streams on);
#   (d) body tracking -> SEI user_data_unregistered with the project UUID,
#       found by our scanner and by FFmpeg's trace_headers, H.264 and H.265;
#   (e) NATS server killed and restarted mid-stream: video unaffected,
#       streamer reconnects and publishes again, body SEI resumes;
#   (f) --no-nats and a dead NATS URL: video unaffected;
#   (g) a Unix-epoch producer clock drives the RTCP NTP mapping.
# H and key are used in the eval'd $BEFORE_SIM / $DURING; $X (TEST_EXEC)
# may be several words.
# shellcheck disable=SC2034,SC2086,SC1090
. "$SRCTREE/test/suites/testing.sh"
optional CONFIG_NATS || skip_all "CONFIG_NATS off"
optional CONFIG_RTP || skip_all "CONFIG_RTP off"
optional CONFIG_CVMMAP || skip_all "CONFIG_CVMMAP off"
optional CONFIG_TOOL_SIM || skip_all "CONFIG_TOOL_SIM off"
optional CONFIG_TOOL_RTP_TESTER || skip_all "CONFIG_TOOL_RTP_TESTER off"
optional CONFIG_ENC_X264 || skip_all "CONFIG_ENC_X264 off"
command -v nats-server > /dev/null || skip_all "nats-server not installed"

X=${TEST_EXEC:-}
S=$TIME_SCALE
H="$X $OBJTREE/test/helper_nats"
SCAN="$X $OBJTREE/test/helper_sei_scan"
TMP=$OBJTREE/test/tmp/nats_pipeline
rm -rf "$TMP" && mkdir -p "$TMP"
NPORT=$(free_port)
URL=nats://127.0.0.1:$NPORT
UUID=63766d6d61702d626f64792d76310001   # docs/sei.md
srv_pid=

# start_server LOG: nats-server on NPORT, bounded, waits until it listens.
start_server() {
	timeout $((90 * S)) nats-server -a 127.0.0.1 -p "$NPORT" > "$1" 2>&1 &
	srv_pid=$!
	wait_for "$1" 'Server is ready' 50
}

stop_server() {
	[ -n "$srv_pid" ] && kill "$srv_pid" 2> /dev/null && wait "$srv_pid" 2> /dev/null
	srv_pid=
}
trap 'stop_server' EXIT

# Check functions, also needed inside `testing` commands (sh -c): written
# to a file that those commands source.
LIB=$TMP/checks.sh
{
	echo "TMP='$TMP' SCAN='$SCAN' UUID=$UUID"
	cat <<'EOF'
# field FILE NAME: a numeric field of a one-line JSON object.
field() {
	sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" "$1" | head -n 1
}

decoded_frames() { # FILE h264|h265
	ffprobe -v error -f "$(echo "$2" | sed 's/h265/hevc/')" -count_frames \
		-select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$1" \
		2> /dev/null | head -n 1
}

# Hex lines (helper_nats sub) -> one text payload per line.
unhex() {
	python3 -c 'import sys
for l in sys.stdin:
    l = l.strip()
    if l and all(c in "0123456789abcdef" for c in l) and len(l) % 2 == 0:
        print(bytes.fromhex(l).decode())'
}

# video_ok NAME CODEC MIN_AUS: every process exited 0, >= MIN_AUS AUs, no
# gaps, no timestamp going back, FFmpeg decodes exactly the AUs received.
video_ok() {
	d=$TMP/$1
	cat "$d/tester.json"
	aus=$(field "$d/tester.json" aus)
	dec=$(decoded_frames "$d/dump.$2" "$2")
	echo "rc sim $(cat "$d/sim.rc") streamer $(cat "$d/streamer.rc") tester $(cat "$d/tester.rc") aus $aus decoded $dec"
	[ "$(cat "$d/sim.rc")" -eq 0 ] && [ "$(cat "$d/streamer.rc")" -eq 0 ] &&
	[ "$(cat "$d/tester.rc")" -eq 0 ] && [ "${aus:-0}" -ge "$3" ] &&
	[ "$(field "$d/tester.json" gaps)" -eq 0 ] &&
	[ "$(field "$d/tester.json" ts_backwards)" -eq 0 ] && [ "${dec:-0}" -eq "$aus" ]
}

# sei_ok NAME CODEC: every AU but the first few carries one body packet of
# its own frame or an earlier one; FFmpeg sees the same number of
# user_data_unregistered messages with our UUID.
sei_ok() {
	d=$TMP/$1
	$SCAN "$2" "$d/dump.$2" > "$d/scan.out" || return 1
	tail -n 1 "$d/scan.out"
	ffmpeg -hide_banner -i "$d/dump.$2" -c copy -bsf:v trace_headers -f null - 2>&1 |
		awk '/User Data Unregistered/ { u = ""; on = 1 }
		     on && /uuid_iso_iec_11578\[/ { split($0, a, "= "); u = u sprintf("%02x", a[2])
			if (/\[15\]/) { print u; on = 0 } }' > "$d/ffmpeg_uuids"
	n_ff=$(grep -c "^$UUID\$" "$d/ffmpeg_uuids")
	eval "$(tail -n 1 "$d/scan.out")"   # aus= sei= parsed= bad= min_lag= max_lag=
	echo "ffmpeg: $n_ff user_data_unregistered with our UUID"
	# shellcheck disable=SC2154
	[ "$bad" -eq 0 ] && [ "$parsed" -eq "$sei" ] && [ "$parsed" -ge $((aus * 9 / 10)) ] &&
	[ "$min_lag" -ge 0 ] && [ "$max_lag" -le 3 ] && [ "$n_ff" -eq "$sei" ]
}
EOF
} > "$LIB"
. "$LIB"

# stream NAME CODEC FRAMES "STREAMER NATS ARGS" "SIM ARGS"
#   Runs tester, streamer and simulator for one scenario into $TMP/NAME.
#   $WAIT_NATS=1: start the simulator only once the streamer is on NATS.
#   $BEFORE_SIM / $DURING: shell run before / while the simulator runs
#   (they see $d, $inst, $key).  Every process is bounded by timeout.
stream() {
	d=$TMP/$1
	mkdir -p "$d"
	inst=np$$$(echo "$1" | tr -cd 'a-z0-9' | cut -c1-10)
	key=cvmmap_$inst
	rport=$(free_port)
	timeout $((40 * S)) $X "$BIN/rtp_receiver_tester" --port "$rport" --codec "$2" \
		--expect-pt 96 --strict --json --idle-ms $((1500 * S)) --timeout-ms $((30000 * S)) \
		--dump "$d/dump.$2" > "$d/tester.json" 2> "$d/tester.log" &
	tpid=$!
	# shellcheck disable=SC2086
	timeout $((40 * S)) $X "$BIN/cvmmap_streamer" --input "$inst" --codec "$2" --rtp \
		--rtp-endpoint "127.0.0.1:$rport" --gop 300 --ingest-idle-timeout-ms $((1500 * S)) \
		--stats-interval-ms 1000 $4 > "$d/streamer.log" 2>&1 &
	spid=$!
	if [ "${WAIT_NATS:-0}" = 1 ]; then
		wait_for "$d/streamer.log" 'nats: connected' $((30 * S))
	else
		sleep 0.3
	fi
	eval "${BEFORE_SIM:-}"
	# shellcheck disable=SC2086
	timeout $((40 * S)) $X "$BIN/cvmmap_sim" --instance "$inst" --width 320 --height 240 \
		--fps 30 --frames "$3" --start-delay-ms 500 $5 > "$d/sim.log" 2>&1 &
	mpid=$!
	eval "${DURING:-}"
	wait $mpid; echo $? > "$d/sim.rc"
	wait $spid; echo $? > "$d/streamer.rc"
	wait $tpid; echo $? > "$d/tester.rc"
}

start_server "$TMP/server1.log"

# ---- (a) + (b) + (c, producer era): early STREAM_RESET -------------------
WAIT_NATS=1
BEFORE_SIM='timeout $((20 * S)) $H -u $URL sub cvmmap.$key.streamer.status 1000 $((12000 * S)) \
	> $d/status.hex 2> $d/status.err & hpid=$!
	wait_for $d/status.hex ready 50'
DURING='sleep 1.5; $H -u $URL request cvmmap.$key.streamer.stats "" 1000 > $d/stats.hex'
stream early h264 75 "--nats-url $URL" "--nats-url $URL --fault reset-storm --fault-every 25"
kill "$hpid" 2> /dev/null; wait "$hpid" 2> /dev/null
DURING=

testing "STREAM_RESET early: no RTP timestamp back, decodes" ". $LIB; video_ok early h264 73"
testing "STREAM_RESET early: one keyframe per segment" "
	grep -c 'producer STREAM_RESET' $TMP/early/streamer.log
	grep 'STREAM_RESET' $TMP/early/streamer.log
	[ \$(grep -c 'producer STREAM_RESET' $TMP/early/streamer.log) -eq 2 ] &&
	[ \$(grep -c 'next frame starts a new segment' $TMP/early/streamer.log) -ge 1 ] &&
	[ \$(sed -n 's/.*\"keyframes\":\([0-9]*\).*/\1/p' $TMP/early/tester.json) -eq 3 ]"
testing "status JSON: producer online, then offline" "
	. $LIB; unhex < $TMP/early/status.hex > $TMP/early/status.json
	cat $TMP/early/status.json
	python3 -c 'import json, sys
st = [json.loads(l) for l in open(sys.argv[1])]
prod = [s[\"producer\"] for s in st]
assert all(s[\"instance\"] == sys.argv[2] for s in st)
assert \"online\" in prod and prod[-1] == \"offline\", prod
assert prod.index(\"online\") < len(prod) - 1
assert st[-1][\"frames_in\"] >= 73 and st[-1][\"resets\"] == 2, st[-1]
' $TMP/early/status.json np$$early"
testing "streamer.stats request answered with JSON" "
	. $LIB; cat $TMP/early/stats.hex
	unhex < $TMP/early/stats.hex | head -n 1 | python3 -c 'import json, sys
s = json.load(sys.stdin); print(s)
assert s[\"instance\"] == sys.argv[1] and s[\"aus_out\"] > 0 and s[\"rtp\"][\"packets\"] > 0
' np$$early"
testing "source info from .producer: Unix-epoch domain logged" "
	grep 'source info' $TMP/early/streamer.log
	grep -q 'producer source info (producer subjects): finite source, timestamps in unix epoch' \
		$TMP/early/streamer.log"

# ---- (a) late STREAM_RESET + (c) control era -------------------------------
BEFORE_SIM=
stream late h264 75 "--nats-url $URL" \
	"--nats-url $URL --nats-era control --fault reset-storm --fault-every 25 --reset-event late --body"
testing "STREAM_RESET late: no RTP timestamp back, decodes" ". $LIB; video_ok late h264 73"
testing "STREAM_RESET late: recognised, no second rebase" "
	grep 'STREAM_RESET' $TMP/late/streamer.log
	[ \$(grep -c 'producer STREAM_RESET' $TMP/late/streamer.log) -eq 2 ] &&
	[ \$(grep -c 'already rebased' $TMP/late/streamer.log) -ge 1 ] &&
	[ \$(sed -n 's/.*\"keyframes\":\([0-9]*\).*/\1/p' $TMP/late/tester.json) -eq 3 ]"
testing "source info from .control (E2 fallback)" "
	grep 'source info' $TMP/late/streamer.log
	grep -q 'producer source info (control subjects): finite source, timestamps in unix epoch' \
		$TMP/late/streamer.log"

# ---- (d) body tracking as SEI, (c) no responder ----------------------------
stream sei264 h264 60 "--nats-url $URL --body-sei on" "--nats-url $URL --body --nats-era none"
testing "body SEI H.264: stream intact" ". $LIB; video_ok sei264 h264 58"
testing "body SEI H.264: one packet per AU, found by us and FFmpeg" ". $LIB; sei_ok sei264 h264"
testing "no source-info responder: given up within 500 ms of ONLINE, streams on" "
	grep -E 'producer ONLINE|no source info' $TMP/sei264/streamer.log
	python3 -c 'import re, sys, datetime
t = {}
for l in open(sys.argv[1]):
    m = re.match(r\"(\S+)Z \w (.*)\", l)
    if not m: continue
    if \"producer ONLINE\" in m.group(2): t[\"on\"] = datetime.datetime.fromisoformat(m.group(1))
    elif \"no source info\" in m.group(2) and \"on\" in t and \"none\" not in t:
        t[\"none\"] = datetime.datetime.fromisoformat(m.group(1))
ms = (t[\"none\"] - t[\"on\"]).total_seconds() * 1000
print(\"no source info after %.0f ms\" % ms); assert ms < 500
' $TMP/sei264/streamer.log"
if optional CONFIG_ENC_X265; then
	stream sei265 h265 45 "--nats-url $URL --body-sei on" "--nats-url $URL --body"
	testing "body SEI H.265: stream intact" ". $LIB; video_ok sei265 h265 43"
	testing "body SEI H.265: one packet per AU, found by us and FFmpeg" ". $LIB; sei_ok sei265 h265"
else
	skip "body SEI H.265" "CONFIG_ENC_X265 off"
fi
testing "body packets on NATS but --body-sei off: no SEI carried" "
	$SCAN h264 $TMP/late/dump.h264 | tail -n 1
	$SCAN h264 $TMP/late/dump.h264 | tail -n 1 | grep -q ' sei=0 '"

# ---- (e) NATS killed and restarted mid-stream ------------------------------
DURING='sleep 2; stop_server; sleep 1; start_server $TMP/server2.log
	timeout $((10 * S)) $H -u $URL sub cvmmap.$key.streamer.status 1 $((5000 * S)) \
		> $d/after.hex 2>&1'
stream restart h264 150 "--nats-url $URL --body-sei on" "--nats-url $URL --body"
DURING=
testing "NATS restart: video unaffected" ". $LIB; video_ok restart h264 148"
testing "NATS restart: streamer reconnects and publishes status" "
	. $LIB; grep 'nats:' $TMP/restart/streamer.log; unhex < $TMP/restart/after.hex
	[ \$(grep -c 'nats: connected' $TMP/restart/streamer.log) -ge 2 ] &&
	unhex < $TMP/restart/after.hex | grep -q '\"instance\":\"np$$restart\"'"
testing "NATS restart: body SEI resumes after reconnect" "
	$SCAN h264 $TMP/restart/dump.h264 > $TMP/restart/scan.out; tail -n 1 $TMP/restart/scan.out
	[ \$(awk '\$1 == \"au\" && \$2 >= 130' $TMP/restart/scan.out | wc -l) -ge 15 ]"
# ---- (g) the timestamp domain drives the RTCP clock mapping -----------------
# A camera whose clock is an hour behind: with its source info saying
# "Unix epoch", sender reports map RTP time to the camera's clock (SR NTP
# about -3600 s from ours); without NATS there is no source info and the
# reports use this machine's clock (skew near 0).
WAIT_NATS=1
stream clock h264 90 "--nats-url $URL" "--nats-url $URL --clock-offset-ms -3600000"
testing "Unix-epoch producer: RTCP maps RTP time to the camera's clock" "
	grep 'source info' $TMP/clock/streamer.log; cat $TMP/clock/tester.json
	k=\$(sed -n 's/.*\"sr_skew_ms\":\(-*[0-9]*\).*/\1/p' $TMP/clock/tester.json)
	[ -n \"\$k\" ] && [ \"\$k\" -gt -3603000 ] && [ \"\$k\" -lt -3597000 ]"
WAIT_NATS=0
stream clock0 h264 90 "--no-nats" "--clock-offset-ms -3600000"
testing "no source info: RTCP uses the local wall clock" "
	cat $TMP/clock0/tester.json
	k=\$(sed -n 's/.*\"sr_skew_ms\":\(-*[0-9]*\).*/\1/p' $TMP/clock0/tester.json)
	[ -n \"\$k\" ] && [ \"\$k\" -gt -3000 ] && [ \"\$k\" -lt 3000 ]"
stop_server

# ---- (f) no NATS at all ------------------------------------------------------
WAIT_NATS=0
stream nonats h264 45 "--no-nats" ""
testing "--no-nats: video unaffected" ". $LIB; video_ok nonats h264 43"
stream deadurl h264 45 "--nats-url $URL" "--nats-url $URL"
testing "dead NATS URL: video unaffected" "
	. $LIB; grep -c 'nats' $TMP/deadurl/streamer.log; video_ok deadurl h264 43"
finish
