#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# hostile.sh - the streamer against peers that lie (issue 11, loopback only).
#
# 1. peers: cvmmap_sim -> cvmmap_streamer --rtp (to rtp_receiver_tester)
#    --rtmp (to scripts/hostile_rtmp_server.py: garbage, oversized chunk
#    sizes, huge messages and AMF strings, silence, close mid-handshake)
#    --nats-url (to scripts/hostile_nats_server.py: no INFO, oversized MSG,
#    a 1 MiB line, garbage, -ERR).  RTP must not lose a frame to them,
#    the RTMP and NATS clients must keep reconnecting, the streamer must
#    exit 0 at its idle timeout, and its VmHWM stay under HOSTILE_HWM_KB.
# 2. producer: test/helper_hostile_producer writes absurd metadata every
#    other frame (beyond the object, 65535x65535, v1 overflow, overlapping
#    planes, a sparse 4 GiB object) and shrinks the object during copies:
#    every lie rejected and counted, every honest frame delivered.
. "$SRCTREE/test/suites/testing.sh"
. "$SRCTREE/scripts/accounting.sh"
optional CONFIG_RTP && optional CONFIG_TOOL_RTP_TESTER && optional CONFIG_CVMMAP &&
	optional CONFIG_ENC_X264 || skip_all "needs the cv-mmap input, x264, RTP and its tester"
command -v python3 > /dev/null || skip_all "python3 not installed"

TMP=$OBJTREE/test/tmp/hostile
rm -rf "$TMP" && mkdir -p "$TMP"
S=$TIME_SCALE
# Sanitizer builds carry shadow memory: scale the memory bound.
HWM_KB=${HOSTILE_HWM_KB:-32768}
grep -q __asan_init "$BIN/cvmmap_streamer" 2> /dev/null && HWM_KB=$((HWM_KB * 8))
grep -q __tsan_init "$BIN/cvmmap_streamer" 2> /dev/null && HWM_KB=$((HWM_KB * 8))

stop_pid() {
	[ -n "${1:-}" ] || return 0
	kill "$1" 2> /dev/null
	wait "$1" 2> /dev/null
}
# Fields of the tester's JSON (the streamer's exit line: exit_field).
jnum() { sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" "$1" | head -n 1; }
# Largest VmHWM of the process a timeout(1) wrapper runs, polled until it ends.
watch_hwm() {
	max=0
	while kill -0 "$1" 2> /dev/null; do
		c=$(cat "/proc/$1/task/$1/children" 2> /dev/null | awk '{print $1}')
		v=$(sed -n 's/^VmHWM:[^0-9]*\([0-9]*\).*/\1/p' "/proc/${c:-$1}/status" 2> /dev/null)
		[ "${v:-0}" -gt "$max" ] && max=$v && echo "$max" > "$2"
		sleep 0.5
	done
}

# ---------------------------------------------------------------- 1. peers
if ! optional CONFIG_RTMP || ! optional CONFIG_NATS || ! optional CONFIG_TOOL_SIM; then
	skip "peers" "needs RTMP, NATS and the simulator"
else
	FRAMES=540    # 18 s at 30 fps: the silent RTMP server costs the 10 s phase timeout
	rport=$(free_port) mport=$(free_port) nport=$(free_port)
	d=$TMP/peers
	mkdir -p "$d"
	rtmp_modes=silent,handshake-close,garbage,garbage-chunks,chunk-size,huge-msg,amf-string
	timeout $((40 * S)) python3 "$SRCTREE/scripts/hostile_rtmp_server.py" --port "$mport" \
		--modes "$rtmp_modes" --duration $((30 * S)) > "$d/rtmp_server.log" 2>&1 &
	rs_pid=$!
	timeout $((40 * S)) python3 "$SRCTREE/scripts/hostile_nats_server.py" --port "$nport" \
		--duration $((30 * S)) --hold 3 > "$d/nats_server.log" 2>&1 &
	ns_pid=$!
	timeout $((45 * S)) ${TEST_EXEC:-} "$BIN/rtp_receiver_tester" --port "$rport" --codec h264 \
		--au-threshold 1 --idle-ms $((3000 * S)) --timeout-ms $((40000 * S)) --json \
		> "$d/rtp.json" 2> "$d/rtp.log" &
	tpid=$!
	sleep 0.5
	timeout $((45 * S)) ${TEST_EXEC:-} "$BIN/cvmmap_streamer" --input "hst$$" \
		--rtp --rtp-endpoint "127.0.0.1:$rport" \
		--rtmp --rtmp-url "rtmp://127.0.0.1:$mport/live/hostile" \
		--rtmp-reconnect-min-ms 200 --rtmp-reconnect-max-ms 1000 \
		--nats-url "nats://127.0.0.1:$nport" \
		--ingest-idle-timeout-ms $((2500 * S)) --stats-interval-ms 2000 \
		> "$d/streamer.log" 2>&1 &
	spid=$!
	watch_hwm "$spid" "$d/hwm" &
	wpid=$!
	timeout $((40 * S)) ${TEST_EXEC:-} "$BIN/cvmmap_sim" --instance "hst$$" --width 160 \
		--height 120 --fps 30 --frames $FRAMES --start-delay-ms $((500 * TIME_SCALE)) > "$d/sim.log" 2>&1
	sim_end=$(date +%s)
	wait "$spid"
	echo $? > "$d/streamer.rc"
	echo $(( $(date +%s) - sim_end )) > "$d/stop_s"
	wait "$wpid"
	wait "$tpid"
	stop_pid "$rs_pid"
	stop_pid "$ns_pid"

	s_rc=$(cat "$d/streamer.rc") stop_s=$(cat "$d/stop_s") hwm=$(cat "$d/hwm" 2> /dev/null)
	aus=$(jnum "$d/rtp.json" aus) gaps=$(jnum "$d/rtp.json" gaps) out=$(exit_field "$d/streamer.log" out)
	connects=$(exit_field "$d/streamer.log" connects)
	testing "peers: streamer survives hostile RTMP + NATS, exits 0 at its idle timeout" "
		echo rc=$s_rc stopped ${stop_s}s after the producer; tail -n 3 $d/streamer.log
		[ $s_rc -eq 0 ] && [ $stop_s -le $((6 * S)) ]"
	# Every frame the ingest took left on RTP, whole and in order.  The
	# one loss allowed is latest-frame semantics on a loaded runner (the
	# producer's next sync overtook a frame before the ingest thread ran:
	# "skipped", at most 1 in 100), which the peers cannot cause; a frame
	# lost to a stalled queue or sink, or one not accounted for, fails.
	skipped=$(exit_field "$d/streamer.log" skipped) ann=$(exit_field "$d/streamer.log" announced)
	testing "peers: RTP delivered every frame the ingest took, none lost to the peers" "
		cat $d/rtp.json; echo out=${out:-?} skipped=${skipped:-0}
		. $SRCTREE/scripts/accounting.sh; accounting_ok $d/streamer.log && [ ${ann:-0} -eq $FRAMES ] &&
		[ ${aus:-0} -eq ${out:-0} ] && [ ${gaps:-1} -eq 0 ] &&
		[ $((FRAMES - ${out:-0})) -eq ${skipped:-0} ] && [ ${skipped:-0} -le $((FRAMES / 100)) ]"
	testing "peers: every hostile RTMP mode met, the client reconnected after each" "
		cat $d/rtmp_server.log
		for m in $(echo $rtmp_modes | tr , ' '); do grep -q \"mode \$m:\" $d/rtmp_server.log || exit 1; done
		[ \$(grep -c '^conn ' $d/rtmp_server.log) -ge 8 ]"
	testing "peers: RTMP failures logged (rate-limited), nothing published" "
		grep 'rtmp:' $d/streamer.log | head -n 20; echo connects=${connects:-?}
		grep -q 'rtmp: .*reconnecting in' $d/streamer.log &&
		[ \$(grep -c 'rtmp: ' $d/streamer.log) -le 40 ] && [ ${connects:-1} -eq 0 ]"
	testing "peers: every hostile NATS mode met, the client reconnected after each" "
		cat $d/nats_server.log; grep 'nats:' $d/streamer.log | head -n 20
		for m in no-info oversized-msg long-line garbage err; do
			grep -q \"mode \$m:\" $d/nats_server.log || exit 1; done
		grep -q 'nats: .*no INFO' $d/streamer.log && grep -q 'nats: .*protocol error' $d/streamer.log"
	testing "peers: VmHWM bounded (< $HWM_KB kB)" "
		echo hwm=${hwm:-?} kB; [ ${hwm:-$HWM_KB} -lt $HWM_KB ]"
fi

# ---------------------------------------------------------------- 2. producer
d=$TMP/producer
mkdir -p "$d"
rport=$(free_port)
timeout $((30 * S)) ${TEST_EXEC:-} "$BIN/rtp_receiver_tester" --port "$rport" --codec h264 \
	--au-threshold 1 --idle-ms $((2500 * S)) --timeout-ms $((25000 * S)) --json \
	--dump "$d/rtp.h264" > "$d/rtp.json" 2> "$d/rtp.log" &
tpid=$!
sleep 0.3
timeout $((30 * S)) ${TEST_EXEC:-} "$BIN/cvmmap_streamer" --input "hsp$$" \
	--rtp --rtp-endpoint "127.0.0.1:$rport" --no-nats \
	--ingest-idle-timeout-ms $((2000 * S)) --stats-interval-ms 1000 > "$d/streamer.log" 2>&1 &
spid=$!
watch_hwm "$spid" "$d/hwm" &
wpid=$!
timeout $((25 * S)) ${TEST_EXEC:-} "$OBJTREE/test/helper_hostile_producer" --instance "hsp$$" \
	--frames 144 --fps 30 --start-delay-ms $((500 * TIME_SCALE)) > "$d/producer.out" 2> "$d/producer.log"
echo $? > "$d/producer.rc"
wait "$spid"
echo $? > "$d/streamer.rc"
wait "$wpid"
wait "$tpid"
sent() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" "$d/producer.out"; }
p_rc=$(cat "$d/producer.rc") s_rc=$(cat "$d/streamer.rc") hwm=$(cat "$d/hwm" 2> /dev/null)
valid=$(sent valid) shrink=$(sent shrink)
lies=$(( $(sent beyond) + $(sent huge) + $(sent v1huge) + $(sent overlap) + shrink ))
in=$(exit_field "$d/streamer.log" in) out=$(exit_field "$d/streamer.log" out) aus=$(jnum "$d/rtp.json" aus)
rej=$(exit_field "$d/streamer.log" rejected) torn=$(exit_field "$d/streamer.log" torn)

testing "producer: 72 lies + 72 honest frames published" "
	cat $d/producer.out $d/producer.log
	[ $p_rc -eq 0 ] && [ ${valid:-0} -eq 72 ] && [ $lies -ge 60 ]"
# A "shrink" frame is honest until the truncation lands: a consumer that
# copied it before is right to deliver it (taken = in - 72).
taken=$(( ${in:-0} - 72 ))
testing "producer: streamer exits 0, every honest frame in and out" "
	echo rc=$s_rc in=${in:-?} out=${out:-?} rtp_aus=${aus:-?}; grep -v ' stats: ' $d/streamer.log
	[ $s_rc -eq 0 ] && [ $taken -ge 0 ] && [ $taken -le ${shrink:-0} ] &&
	[ ${out:-0} -eq ${in:-0} ] && [ ${aus:-0} -eq ${in:-0} ]"
testing "producer: metadata lies rejected and counted" "
	echo lies=$lies shrink=$shrink rejected=${rej:-?} torn=${torn:-?} shrink_taken_whole=$taken
	[ ${rej:-0} -ge $((lies - shrink)) ] && [ $(( ${rej:-0} + ${torn:-0} + taken )) -ge $lies ]"
testing "producer: rejections logged rate-limited, with the rule" "
	grep 'ingest: ' $d/streamer.log
	grep -q 'rejected: payload size > SHM object size' $d/streamer.log &&
	grep -q 'does not fit the slot' $d/streamer.log &&
	[ \$(grep -c 'ingest: ' $d/streamer.log) -le 20 ]"
testing "producer: delivered frames decode (ffmpeg)" "
	command -v ffprobe > /dev/null || { echo 'ffprobe not installed'; exit 77; }
	n=\$(ffprobe -v error -f h264 -count_frames -select_streams v:0 \
		-show_entries stream=nb_read_frames -of csv=p=0 $d/rtp.h264 | head -n 1)
	echo decoded=\$n; [ \"\${n:-0}\" -eq ${aus:-0} ] && [ ${aus:-0} -ge 72 ]"
testing "producer: VmHWM bounded (< $HWM_KB kB)" "
	echo hwm=${hwm:-?} kB; [ ${hwm:-$HWM_KB} -lt $HWM_KB ]"
finish
