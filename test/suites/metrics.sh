#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# metrics.sh - observability (issue 22): --metrics-listen's /metrics and
# /healthz, and the latency SEI.
#
# 1. start-up errors: a bad address is exit 2, a port in use exit 5;
# 2. cvmmap_sim -> streamer --null with scripts/metrics_probe.py scraping
#    /metrics and /healthz every 100 ms for the whole run (60 s natively):
#    every page parses as Prometheus text, no counter goes down, /healthz
#    is 200 while frames flow and 503 once they stopped, the last page's
#    counters equal the exit line's, and scraping costs the frame path
#    nearly nothing: at most 1 frame in 200 lost (--queue-size 4 absorbs
#    the encoder's hiccups; with two suites on 2 cores the producer lapped
#    the ingest thread 3 times in 1800 frames, skipped=3, scraping or not),
#    so a scrape that stalls the frame path 400 ms, once, still shows;
# 3. promtool check metrics (Debian's prometheus package), the
#    independent judge of the format, when installed;
# 4. abuse: every slot held by idle sockets, an extra connection closed
#    at once, a 3 KiB request head (431), POST (405), a wrong path (404),
#    and the endpoint still answers afterwards, frames still accounted.
# 5. --latency-sei on: every AU carries it (H.264 and H.265), the receiver
#    (rtp_receiver_tester --latency) splits the latency, and its p50 agrees
#    with scripts/bench_latency.sh's on the same frames within 1 ms; off,
#    the wire bytes are those of a run without the flag.
# The allocation rule (nothing allocated per frame while /metrics is
# scraped every 50 ms) is a row of alloc.sh, which has the counting shim.
. "$SRCTREE/test/suites/testing.sh"
. "$SRCTREE/scripts/accounting.sh"
. "$SRCTREE/scripts/lib.sh"
optional CONFIG_METRICS || skip_all "CONFIG_METRICS off"
optional CONFIG_CVMMAP && optional CONFIG_TOOL_SIM && optional CONFIG_SINK_NULL &&
	optional CONFIG_ENC_X264 || skip_all "needs the cv-mmap input, the simulator, x264, --null"
command -v python3 > /dev/null || skip_all "python3 not installed"

T=$OBJTREE/test/tmp/metrics
rm -rf "$T" && mkdir -p "$T"
X=${TEST_EXEC:-}
S="$X $BIN/cvmmap_streamer"
PROBE="python3 $SRCTREE/scripts/metrics_probe.py"
A=". $SRCTREE/scripts/accounting.sh;"
# a minute of scraping natively; under qemu a third of it
SECS=${METRICS_SECONDS:-60}
[ -n "$X" ] && SECS=${METRICS_SECONDS:-20}

# ---------------------------------------------------------------- 1. usage
for bad in 0 70000 "127.0.0.1:" ":99" "[::1" "12ab"; do
	testing "--metrics-listen '$bad' -> 2" \
		"$S --input-mode dummy --null --metrics-listen '$bad'" 2
done
P=$(free_port)
testing "--metrics-listen on a port in use -> 5, the error names it" \
	"python3 -c 'import socket,time; s=socket.socket(); s.bind((\"127.0.0.1\",$P)); s.listen(1); open(\"$T/held\",\"w\").close(); time.sleep(20)' & h=\$!;
	 i=0; while [ ! -e $T/held ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done;
	 timeout 20 $S --input-mode dummy --dummy-frames 30 --null --no-nats \
	   --metrics-listen 127.0.0.1:$P > $T/inuse.log 2>&1; rc=\$?; kill \$h; wait \$h;
	 cat $T/inuse.log; grep -q 'metrics-listen 127.0.0.1:$P: Address already in use' $T/inuse.log &&
	 exit \$rc" 5

# ---------------------------------------------------------------- 2. scrape
P=$(free_port)
inst=met$$
frames=$((SECS * 30))
testing "scraped every 100 ms for ${SECS} s: pages parse, counters match the exit line, <= 1/200 frames lost" \
	"$A timeout $((SECS + 60)) $S --input $inst --no-nats --null --stats-interval-ms 0 --queue-size 4 \
	   --metrics-listen 127.0.0.1:$P --healthz-window-ms 500 \
	   --ingest-idle-timeout-ms $((2500 * TIME_SCALE)) > $T/run.log 2>&1 & sp=\$!;
	 $PROBE --port $P --interval 0.1 --duration $((SECS + 60)) --out $T > $T/probe.json & pp=\$!;
	 sleep 0.5;
	 timeout $((SECS + 30)) $X $BIN/cvmmap_sim --instance $inst --width 320 --height 240 \
	   --fps 30 --frames $frames --start-delay-ms $((300 * TIME_SCALE)) > $T/sim.log 2>&1;
	 wait \$sp; rc=\$?; wait \$pp; cat $T/probe.json; tail -n 1 $T/run.log;
	 [ \$rc -eq 0 ] && accounting_ok $T/run.log || exit 1
	 python3 - $T/probe.json \"\$(exit_field $T/run.log out)\" \"\$(exit_field $T/run.log announced)\" \
	   \"\$(exit_field $T/run.log lost)\" $frames <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
out, ann, lost, frames = (int(x) for x in sys.argv[2:6])
bad = []
if r['scrapes'] < 5: bad.append('only %d scrapes' % r['scrapes'])
for k in ('errors', 'parse_errors', 'regressions'):
    if r[k]: bad.append('%s=%d' % (k, r[k]))
if r['healthz'][:2] != [200, 503] and r['healthz'][-2:] != [200, 503]:
    bad.append('healthz went %s, want 200 then 503' % r['healthz'])
if (r['out'], r['announced'], r['dropped']) != (out, ann, lost):
    bad.append('last page out/announced/dropped %d/%d/%d, exit line %d/%d/%d' %
               (r['out'], r['announced'], r['dropped'], out, ann, lost))
if lost * 200 > frames or out + lost != frames:
    bad.append('frames out %d of %d, %d lost' % (out, frames, lost))
print('scrapes %d, healthz %s' % (r['scrapes'], r['healthz']))
print('\n'.join(bad) or 'ok')
sys.exit(1 if bad else 0)
PY"

if command -v promtool > /dev/null 2>&1; then
	testing "promtool check metrics accepts the page" \
		"test -s $T/last.prom && promtool check metrics < $T/last.prom"
else
	skip "promtool check metrics" "promtool not installed (Debian package prometheus)"
fi

# ---------------------------------------------------------------- 4. abuse
P=$(free_port)
inst=mab$$
testing "idle sockets, an oversized head, POST, a wrong path: bounded, and frames flow" \
	"$A timeout 60 $S --input $inst --no-nats --null --stats-interval-ms 0 \
	   --metrics-listen 127.0.0.1:$P --ingest-idle-timeout-ms $((2500 * TIME_SCALE)) \
	   > $T/abuse.log 2>&1 & sp=\$!;
	 timeout 40 $X $BIN/cvmmap_sim --instance $inst --width 320 --height 240 --fps 30 \
	   --frames 150 --start-delay-ms $((300 * TIME_SCALE)) > $T/abuse_sim.log 2>&1 & qp=\$!;
	 sleep 1; $PROBE --port $P --abuse > $T/abuse.json; r=\$?; cat $T/abuse.json;
	 wait \$qp; wait \$sp; rc=\$?; tail -n 1 $T/abuse.log;
	 [ \$r -eq 0 ] && [ \$rc -eq 0 ] && accounting_ok $T/abuse.log &&
	 grep -q '\"extra_closed\": true' $T/abuse.json &&
	 grep -q '\"oversized_status\": 431' $T/abuse.json &&
	 grep -q '\"after_status\": 200' $T/abuse.json &&
	 grep -q '\"post_status\": 405' $T/abuse.json &&
	 grep -q '\"missing_status\": 404' $T/abuse.json &&
	 [ \"\$(exit_field $T/abuse.log out)\" -gt 0 ]"

# ---------------------------------------------------------------- 5. latency SEI
if optional CONFIG_RTP && optional CONFIG_TOOL_RTP_TESTER; then
	for c in h264 h265; do
		[ $c = h265 ] && ! optional CONFIG_ENC_X265 && continue
		P=$(free_port)
		inst=mlt$$$c
		testing "latency SEI in every $c AU, split by the receiver" \
			"timeout 40 $X $BIN/rtp_receiver_tester --port $P --codec $c --latency --json \
			   --au-threshold 60 --idle-ms $((1500 * TIME_SCALE)) --timeout-ms $((30000 * TIME_SCALE)) \
			   > $T/lat_$c.json 2> $T/lat_$c.err & tp=\$!;
			 timeout 40 $S --input $inst --no-nats --codec $c --rtp --rtp-endpoint 127.0.0.1:$P \
			   --latency-sei on --ingest-idle-timeout-ms $((1500 * TIME_SCALE)) > $T/lat_$c.log 2>&1 & sp=\$!;
			 sleep 0.5; timeout 30 $X $BIN/cvmmap_sim --instance $inst --width 320 --height 240 \
			   --fps 30 --frames 60 --start-delay-ms $((300 * TIME_SCALE)) > /dev/null 2>&1;
			 wait \$sp; rc=\$?; wait \$tp; cat $T/lat_$c.json; echo; tail -n 1 $T/lat_$c.log;
			 [ \$rc -eq 0 ] && grep -q '\"aus\":60,' $T/lat_$c.json &&
			 grep -q '\"latency\":{\"aus\":60,\"missing\":0,\"total_us\":{\"p50\":[0-9]' $T/lat_$c.json &&
			 grep -q '\"network_us\":{\"p50\":[0-9]' $T/lat_$c.json"
	done
	# off is byte-identical to no flag (and on is not): --bitexact datagrams
	for v in none off on; do
		P=$(free_port)
		flag=; [ $v != none ] && flag="--latency-sei $v"
		timeout 40 $X $BIN/rtp_receiver_tester --port $P --au-threshold 30 \
			--idle-ms $((1000 * TIME_SCALE)) --timeout-ms $((30000 * TIME_SCALE)) \
			--dump-packets $T/bytes_$v.rtp > /dev/null 2>&1 &
		tp=$!
		sleep 0.3
		timeout 40 $S --input-mode dummy --dummy-frames 30 --dummy-width 320 --dummy-height 240 \
			--no-nats --bitexact --threads 1 --no-rtcp --rtp --rtp-endpoint 127.0.0.1:$P $flag \
			> /dev/null 2>&1
		wait $tp
	done
	testing "--latency-sei off: the same bytes as without the flag; on: not" \
		"test -s $T/bytes_none.rtp && cmp $T/bytes_none.rtp $T/bytes_off.rtp &&
		 ! cmp -s $T/bytes_none.rtp $T/bytes_on.rtp"
	if [ -z "$X" ] && [ -x "$OBJTREE/test/helper_bench_pub" ]; then
		testing "receiver's latency p50 agrees with bench_latency.sh within 1 ms" \
			"OBJTREE=$OBJTREE RUNS=1 FRAMES=90 BENCH_TMP=$T/bench sh $SRCTREE/scripts/bench_latency.sh sei \
			   > $T/bench.out 2>&1; cat $T/bench.out;
			 d=\$(sed -n 's/.*diff_us=\\(-*[0-9]*\\).*/\\1/p' $T/bench.out);
			 [ -n \"\$d\" ] && [ \"\${d#-}\" -le 1000 ]"
	else
		skip "latency p50 against bench_latency.sh" "host only (helper_bench_pub)"
	fi
else
	skip "latency SEI" "needs RTP and its tester"
fi

finish
