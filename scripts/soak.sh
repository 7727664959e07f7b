#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# soak.sh - the full pipeline for a long time, with faults, watching memory.
#
#   scripts/soak.sh [DURATION_S]          (default 60)
#
# Runs cvmmap_sim (--fault reset-storm every RESET_EVERY frames) ->
# cvmmap_streamer (RTP + RTMP + NATS) -> rtp_receiver_tester and a chain
# of rtmp_stub_tester servers, each closing after RTMP_RESTART_S seconds of
# video (the streamer must reconnect), plus nats-server restarted every
# NATS_RESTART_S.  Every SAMPLE_S seconds one CSV row records the
# streamer's RSS/HWM, threads, fds and its latest stats counters.
# At the end it writes summary.txt and prints it: frames produced vs
# received, RSS growth after warm-up, and a PASS/FAIL verdict (RSS flat
# within RSS_SLACK_KB, RTP received >= 95 % of produced, streamer exit 0).
#
# Environment: OBJTREE (binaries in $OBJTREE/bin, default build/),
# SOAK_DIR (output, default $OBJTREE/soak/<timestamp>), SIZE (320x240),
# FPS (30), RESET_EVERY (600 frames), RTMP_RESTART_S (120),
# NATS_RESTART_S (300), RTP_SEGMENT_S (600: one RTP receiver's life),
# SAMPLE_S (5), RSS_SLACK_KB (2048).
# Loopback only; every process is bounded by timeout(1) and stopped by PID.
set -u
SRCTREE=${SRCTREE:-$(cd "$(dirname "$0")/.." && pwd)}
. "$SRCTREE/scripts/lib.sh"   # free_port, stop_pid
OBJTREE=${OBJTREE:-$SRCTREE/build}
BIN=$OBJTREE/bin
X=${TEST_EXEC:-}
DUR=${1:-60}
SIZE=${SIZE:-320x240} FPS=${FPS:-30}
RESET_EVERY=${RESET_EVERY:-600}
RTMP_RESTART_S=${RTMP_RESTART_S:-120}
RTP_SEGMENT_S=${RTP_SEGMENT_S:-600}
NATS_RESTART_S=${NATS_RESTART_S:-300}
SAMPLE_S=${SAMPLE_S:-5}
RSS_SLACK_KB=${RSS_SLACK_KB:-2048}
OUT=${SOAK_DIR:-$OBJTREE/soak/$(date -u +%Y%m%dT%H%M%SZ)-$$}
case $DUR in ''|*[!0-9]*) echo "soak: DURATION_S must be a number" >&2; exit 2 ;; esac
mkdir -p "$OUT" || exit 2
W=${SIZE%x*} H=${SIZE#*x}
FRAMES=$((DUR * FPS))
BOUND=$((DUR + 120))           # hard bound for every process
inst=soak$$

# The PID of the program a timeout(1) wrapper runs (or the PID itself).
child_of() {
	c=$(cat "/proc/$1/task/$1/children" 2>/dev/null | awk '{print $1}')
	echo "${c:-$1}"
}
status_kb() { sed -n "s/^$2:[^0-9]*\([0-9]*\).*/\1/p" "/proc/$1/status" 2>/dev/null; }
# A counter of the streamer's latest stats line.
stat() { grep -E 'stats: |exit: ' "$OUT/streamer.log" | tail -n 1 | sed -n "s/.*[ [\]$1=\([0-9]*\).*/\1/p"; }
jnum() { sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" "$1" | head -n 1; }

rport=$(free_port) mport=$(free_port) nport=$(free_port)
echo "soak: ${DUR}s ${SIZE}@${FPS} rtp=$rport rtmp=$mport nats=$nport out=$OUT"

nats_pid=
start_nats() {
	command -v nats-server > /dev/null || return 0
	timeout "$BOUND" nats-server -a 127.0.0.1 -p "$nport" >> "$OUT/nats.log" 2>&1 &
	nats_pid=$!
}
start_nats

# RTP receivers one after another (the tester's deadline is at most 1 h):
# each listens RTP_SEGMENT_S seconds; the restart gap costs a few packets.
: > "$OUT/rtp_tester.pid"
(
	n=0
	while [ ! -e "$OUT/stop" ]; do
		n=$((n + 1))
		timeout "$BOUND" $X "$BIN/rtp_receiver_tester" --port "$rport" --codec h264 \
			--au-threshold 1 --idle-ms 5000 --timeout-ms $((RTP_SEGMENT_S * 1000)) --json \
			> "$OUT/rtp_$n.json" 2> "$OUT/rtp_$n.log" &
		echo $! > "$OUT/rtp_tester.pid"
		wait $! 2>/dev/null
	done
) &
rtp_pid=$!

# RTMP servers one after another on the same port: each takes
# RTMP_RESTART_S seconds of video, then closes; the next one listens.
: > "$OUT/rtmp_stub.pid"
(
	n=0
	while [ ! -e "$OUT/stop" ]; do
		n=$((n + 1))
		timeout "$BOUND" $X "$BIN/rtmp_stub_tester" --mode h264 --listen-port "$mport" \
			--video-threshold $((RTMP_RESTART_S * FPS)) --timeout-ms $((RTMP_RESTART_S * 3000)) \
			--json > "$OUT/rtmp_$n.json" 2> "$OUT/rtmp_$n.log" &
		echo $! > "$OUT/rtmp_stub.pid"
		wait $! 2>/dev/null
	done
) &
loop_pid=$!
sleep 0.5

timeout "$BOUND" $X "$BIN/cvmmap_streamer" --input "$inst" --codec h264 \
	--rtp --rtp-endpoint "127.0.0.1:$rport" \
	--rtmp --rtmp-url "rtmp://127.0.0.1:$mport/live/soak" \
	--rtmp-reconnect-min-ms 200 --rtmp-reconnect-max-ms 2000 \
	--nats-url "nats://127.0.0.1:$nport" \
	--ingest-idle-timeout-ms 10000 --stats-interval-ms $((SAMPLE_S * 1000)) \
	> "$OUT/streamer.log" 2>&1 &
spid=$!
timeout "$BOUND" $X "$BIN/cvmmap_sim" --instance "$inst" --width "$W" --height "$H" \
	--fps "$FPS" --frames "$FRAMES" --start-delay-ms 1000 \
	--fault reset-storm --fault-every "$RESET_EVERY" > "$OUT/sim.log" 2>&1 &
sim_pid=$!

echo "t_s,rss_kb,hwm_kb,threads,fds,in,out,resets,rejected,rtmp_dropped,rtp_aus,rtmp_connects" > "$OUT/rss.csv"
t0=$(date +%s) next_nats=$NATS_RESTART_S
while kill -0 "$sim_pid" 2>/dev/null; do
	sleep "$SAMPLE_S"
	t=$(( $(date +%s) - t0 ))
	p=$(child_of "$spid")
	kill -0 "$p" 2>/dev/null || break
	echo "$t,$(status_kb "$p" VmRSS),$(status_kb "$p" VmHWM),$(status_kb "$p" Threads),$(ls "/proc/$p/fd" 2>/dev/null | wc -l),$(stat in),$(stat out),$(stat resets),$(stat rejected),$(stat dropped),$(stat aus),$(stat connects)" >> "$OUT/rss.csv"
	if [ -n "$nats_pid" ] && [ "$t" -ge "$next_nats" ]; then
		stop_pid "$nats_pid"; sleep 1; start_nats
		next_nats=$((next_nats + NATS_RESTART_S))
		echo "$t nats restarted" >> "$OUT/events.log"
	fi
done
wait "$sim_pid"; sim_rc=$?
wait "$spid"; streamer_rc=$?
touch "$OUT/stop"
stop_pid "$(cat "$OUT/rtmp_stub.pid")"
wait "$loop_pid" 2>/dev/null
stop_pid "$(cat "$OUT/rtp_tester.pid")"
wait "$rtp_pid" 2>/dev/null
stop_pid "$nats_pid"

# Verdict.  Warm-up: the first 10 % of the samples (at least 2) are
# ignored; the encoder and the sockets settle there.
awk -F, -v slack="$RSS_SLACK_KB" 'NR > 1 { n++; rss[n] = $2 }
	END {
		w = int(n / 10); if (w < 2) w = 2
		min = -1; max = 0
		for (i = w + 1; i <= n; i++) { if (min < 0 || rss[i] < min) min = rss[i]; if (rss[i] > max) max = rss[i] }
		if (min < 0) { print "rss_samples=" n " rss_after_warmup=none rss_growth_kb=?"; exit }
		printf "rss_samples=%d rss_after_warmup_min_kb=%d max_kb=%d last_kb=%d rss_growth_kb=%d\n", n, min, max, rss[n], max - min
	}' "$OUT/rss.csv" > "$OUT/rss.txt"
growth=$(sed -n 's/.*rss_growth_kb=\([0-9]*\).*/\1/p' "$OUT/rss.txt")
aus=0 gaps=0 rtp_segments=0
for j in "$OUT"/rtp_[0-9]*.json; do
	[ -s "$j" ] || continue
	rtp_segments=$((rtp_segments + 1))
	v=$(jnum "$j" aus) g=$(jnum "$j" gaps)
	aus=$((aus + ${v:-0})) gaps=$((gaps + ${g:-0}))
done
rtmp_frames=0 rtmp_servers=0
for j in "$OUT"/rtmp_*.json; do
	[ -s "$j" ] || continue
	rtmp_servers=$((rtmp_servers + 1))
	v=$(jnum "$j" frames)
	rtmp_frames=$((rtmp_frames + ${v:-0}))
done
exitline=$(grep 'exit: ' "$OUT/streamer.log" | tail -n 1 | sed 's/.*exit: //')
verdict=PASS why=""
[ "$streamer_rc" -eq 0 ] || { verdict=FAIL; why="$why streamer exit $streamer_rc;"; }
[ -n "$growth" ] && [ "$growth" -le "$RSS_SLACK_KB" ] || { verdict=FAIL; why="$why rss growth ${growth:-?} kB;"; }
[ "${aus:-0}" -ge $((FRAMES * 95 / 100)) ] || { verdict=FAIL; why="$why rtp aus ${aus:-0} < 95% of $FRAMES;"; }
{
	echo "duration_s=$(( $(date +%s) - t0 )) requested_s=$DUR size=$SIZE fps=$FPS"
	echo "frames_produced=$FRAMES sim_rc=$sim_rc streamer_rc=$streamer_rc"
	echo "rtp_aus_received=${aus:-0} rtp_gaps=${gaps:-?} rtp_receivers=$rtp_segments"
	echo "rtmp_servers=$rtmp_servers rtmp_video_frames_received=$rtmp_frames"
	echo "nats_restarts=$(grep -c 'nats restarted' "$OUT/events.log" 2>/dev/null || echo 0)"
	cat "$OUT/rss.txt"
	echo "streamer_exit_stats: $exitline"
	echo "verdict=$verdict${why:+ ($why )}"
} > "$OUT/summary.txt"
cat "$OUT/summary.txt"
[ "$verdict" = PASS ]
