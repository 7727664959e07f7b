#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bench_rtsp.sh - what an RTSP client costs the streamer, and what the
# RTSP path adds to latency (issue 18; docs/benchmarks.md).
#
#   OBJTREE=build sh scripts/bench_rtsp.sh [cpu] [latency]
#
# cpu      720p30 x264 (dummy input), --rtsp; streamer CPU (all threads,
#          schedstat) over SECS seconds with 1, 4 and 8 clients (FFmpeg,
#          -c copy -f null) over UDP and over TCP, RUNS interleaved rounds,
#          medians.  Prints ms of CPU per frame (and of it in the kernel:
#          on loopback the receivers' TCP/UDP input runs in the sender's
#          softirq and is charged to it) and the cost of each client beyond
#          the first in % of the one-client streamer.
# latency  the same stream to --rtp and, through --rtsp, to a UDP client
#          (rtsp_probe.py attach) at the same time, --latency-sei on: two
#          rtp_receiver_testers --latency, side by side; p50/p95 of
#          announce -> receiver ("from_announce") for each.
. "$(dirname "$0")/bench_common.sh"
need "$BIN/cvmmap_streamer" "$BIN/rtp_receiver_tester" ffmpeg python3
SECS=${SECS:-6}
W=${W:-1280} H=${H:-720}
WHAT=${*:-cpu latency}
PROBE="python3 $SRCTREE/scripts/rtsp_probe.py"
machine

wait_listen() { i=0; while [ $i -lt 50 ] && ! ss -Hltn "sport = :$1" | grep -q .; do sleep 0.1; i=$((i + 1)); done; }

# streamer CPU ms per frame with $1 clients over $2 (0: none)
cpu_case() {
	p=$(free_port)
	timeout $((SECS + 30)) "$BIN/cvmmap_streamer" --input-mode dummy --dummy-width "$W" \
		--dummy-height "$H" --dummy-fps 30 --no-nats --rtsp --rtsp-listen 127.0.0.1:$p \
		--stats-interval-ms 0 > "$TMP/rtsp_cpu.log" 2>&1 &
	sp=$!
	wait_listen "$p"
	pid=$(pgrep -P "$sp" -x cvmmap_streamer || echo "$sp")      # not timeout's
	k=0 cl=""
	while [ $k -lt "$1" ]; do
		timeout $((SECS + 20)) ffmpeg -v quiet -rtsp_transport "$2" -i "rtsp://127.0.0.1:$p/live" \
			-c copy -f null - < /dev/null &
		cl="$cl $!"
		k=$((k + 1))
	done
	sleep 2                         # every client playing
	c0=$(task_cpu_ns "$pid")
	s0=$(cut -d' ' -f15 "/proc/$pid/stat")
	sleep "$SECS"
	c1=$(task_cpu_ns "$pid")
	s1=$(cut -d' ' -f15 "/proc/$pid/stat")
	for c in $cl; do kill "$c" 2> /dev/null; done
	stop_pid "$sp"
	for c in $cl; do wait "$c" 2> /dev/null; done
	[ "$(grep -c "session .* over $2" "$TMP/rtsp_cpu.log")" -ge "$1" ] ||
		echo "  (warning: only $(grep -c "session .* over" "$TMP/rtsp_cpu.log") of $1 clients played)" >&2
	# ms per frame in all, and of it in the kernel (stime, clock ticks)
	echo "$c0 $c1 $s0 $s1 $(getconf CLK_TCK)" | awk -v s="$SECS" \
		'{ printf "%.3f %.3f\n", ($2 - $1) / 1e6 / (s * 30), ($4 - $3) * 1000 / $5 / (s * 30) }'
}

if echo " $WHAT " | grep -q " cpu "; then
	echo "cpu: ${W}x$H 30 fps x264, streamer CPU per frame over $SECS s, median of $RUNS rounds"
	: > "$TMP/rtsp_cpu.rows"
	r=0
	while [ $r -lt "$RUNS" ]; do
		for tr in udp tcp; do
			for n in 1 4 8; do
				echo "$tr $n $(cpu_case $n $tr)" >> "$TMP/rtsp_cpu.rows"
			done
		done
		echo "none 0 $(cpu_case 0 udp)" >> "$TMP/rtsp_cpu.rows"
		r=$((r + 1))
	done
	base=$(awk '$1 == "none" { print $3 }' "$TMP/rtsp_cpu.rows" | median)
	echo "  no client (nothing packed): $base ms/frame"
	# rows: transport clients ms/frame kernel-ms/frame
	for tr in udp tcp; do
		one=$(awk -v t=$tr '$1 == t && $2 == 1 { print $3 }' "$TMP/rtsp_cpu.rows" | median)
		for n in 1 4 8; do
			v=$(awk -v t=$tr -v n=$n '$1 == t && $2 == n { print $3 }' "$TMP/rtsp_cpu.rows" | median)
			k=$(awk -v t=$tr -v n=$n '$1 == t && $2 == n { print $4 }' "$TMP/rtsp_cpu.rows" | median)
			echo "$tr $n $v $one $k" | awk '{ extra = "";
				if ($2 > 1)
					extra = sprintf(", each beyond the first +%.2f %%",
							($3 - $4) / ($2 - 1) / $4 * 100);
				printf "  %s %d client(s): %s ms/frame (kernel %s)%s\n", $1, $2, $3, $5,
				       extra }'
		done
	done
fi

if echo " $WHAT " | grep -q " latency "; then
	echo "latency: ${W}x$H 30 fps x264, --latency-sei on, $((SECS * 30)) frames, --rtp and an RTSP UDP client side by side"
	p=$(free_port) r1=$(free_port) r2=$(free_port)
	for rp in $r1 $r2; do
		timeout $((SECS + 40)) "$BIN/rtp_receiver_tester" --port "$rp" --codec h264 --latency \
			--idle-ms 2000 --timeout-ms $(((SECS + 30) * 1000)) --json > "$TMP/rtsp_lat_$rp.json" &
	done
	timeout $((SECS + 40)) "$BIN/cvmmap_streamer" --input-mode dummy --dummy-width "$W" \
		--dummy-height "$H" --dummy-fps 30 --dummy-frames $(((SECS + 3) * 30)) --no-nats \
		--latency-sei on --rtp --rtp-endpoint 127.0.0.1:$r1 --rtsp --rtsp-listen 127.0.0.1:$p \
		> "$TMP/rtsp_lat.log" 2>&1 &
	sp=$!
	wait_listen "$p"
	$PROBE --port "$p" --client-port "$r2" --seconds $((SECS + 4)) attach > /dev/null 2>&1 &
	wait "$sp"
	wait
	for rp in $r1 $r2; do
		[ "$rp" = "$r1" ] && what="--rtp        " || what="--rtsp (udp) "
		python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))["latency"]["from_announce_us"]
print("  %s announce -> receiver p50 %d us, p95 %d us" % (sys.argv[2], d["p50"], d["p95"]))' \
			"$TMP/rtsp_lat_$rp.json" "$what" || echo "  $what: no result ($TMP)"
	done
fi
