#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# realtime.sh - the latency knobs of issue 23 (src/util/rt.h).
#
# 1. --cpu-affinity 0 --realtime on the built-in generator for a couple of
#    seconds: the frame-path threads (cvmmap-ingest, cvmmap-encode and any
#    thread they start) run on CPU 0 only and SCHED_FIFO at the priority
#    asked for — or, where the system does not grant it, the streamer said
#    so in exactly one warning and streams all the same; the io thread
#    keeps the process's CPUs and policy.  Read from /proc/PID/task/*.
# 2. As root: the same without CAP_SYS_NICE and CAP_IPC_LOCK (setpriv),
#    which must give one warning per kind, naming how to grant it, and a
#    clean stream.
# 3. Bad lists (9999, 1-0, x) and a CPU this machine lacks exit 2 with one
#    clear line.
# 4. With nothing to encode (--encoder-device passthrough, --run-mode
#    ingest) the ingest thread runs the encode stage itself: no
#    cvmmap-encode thread exists, and every frame is still accounted for.
. "$SRCTREE/test/suites/testing.sh"
optional CONFIG_SINK_NULL || skip_all "needs the null output"
optional CONFIG_ENC_X264 || skip_all "needs x264"
S="${TEST_EXEC:-} $BIN/cvmmap_streamer"
T=$OBJTREE/test/tmp/realtime
rm -rf "$T" && mkdir -p "$T"
RUN="--input-mode dummy --dummy-width 64 --dummy-height 48 --dummy-fps 30 --null --no-nats \
--stats-interval-ms 0"

# threads.sh PID: one line per thread of PID: "TID COMM CPUS POLICY RTPRIO"
# (stat fields 40 and 41, after the comm in parentheses; 1 is SCHED_FIFO).
cat > "$T/threads.sh" << 'EOF'
for t in /proc/$1/task/*; do
	comm=$(cat "$t/comm") || continue
	cpus=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$t/status")
	set -- $(sed 's/.*) //' "$t/stat")
	shift 37
	echo "${t##*/} $comm $cpus $2 $1"
done
EOF

# frame_run.sh LOG ARGS...: start the endless generator with ARGS, wait for
# both frame-path threads (in the streamer, or in its child under
# TEST_EXEC's timeout/qemu), let it stream 2 s, list its threads into
# LOG.threads with the main thread's TID in LOG.main, stop it with SIGTERM;
# exits with the streamer's status.
cat > "$T/frame_run.sh" << EOF
log=\$1; shift
$S $RUN "\$@" > "\$log" 2>&1 &
bg=\$!
pid= i=0
while [ \$i -lt $((150 * TIME_SCALE)) ] && kill -0 \$bg 2> /dev/null; do
	for p in \$bg \$(pgrep -P \$bg); do
		if grep -qx cvmmap-ingest /proc/\$p/task/*/comm 2> /dev/null &&
		   grep -qx cvmmap-encode /proc/\$p/task/*/comm 2> /dev/null; then
			pid=\$p
		fi
	done
	[ -n "\$pid" ] && break
	sleep 0.1
	i=\$((i + 1))
done
[ -n "\$pid" ] || { echo "no frame-path threads"; kill \$bg; wait \$bg; exit 1; }
sleep 2
sh $T/threads.sh \$pid > "\$log.threads"
echo \$pid > "\$log.main"
kill -TERM \$bg
wait \$bg
EOF

# check_pinned LOG CPUS POLICY PRIO: every frame-path thread on CPUS with
# POLICY/PRIO (one of each at least), the main (io) thread on the
# process's CPUs and not real-time.
cat > "$T/check.sh" << 'EOF'
log=$1 cpus=$2 policy=$3 prio=$4
main=$(cat "$log.main")
all=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)
cat "$log.threads"
grep -q ' cvmmap-ingest ' "$log.threads" && grep -q ' cvmmap-encode ' "$log.threads" || exit 1
awk -v c="$cpus" -v p="$policy" -v r="$prio" '$2 ~ /^cvmmap-(ingest|encode)$/ &&
	($3 != c || $4 != p || $5 != r) { print "not as asked: " $0; bad = 1 } END { exit bad }' \
	"$log.threads" || exit 1
awk -v m="$main" -v a="$all" '$1 == m && ($3 != a || $4 != 0) { print "io thread changed: " $0; bad = 1 }
	END { exit bad }' "$log.threads"
EOF

testing "--cpu-affinity 0 --realtime: frame threads on CPU 0, SCHED_FIFO 10 or one warning" \
	"sh $T/frame_run.sh $T/rt.log --cpu-affinity 0 --realtime || { cat $T/rt.log; exit 1; }
	 cat $T/rt.log
	 grep -q 'pipeline: exit: ' $T/rt.log || exit 1
	 if [ \$(grep -c 'rt: memory' $T/rt.log) -ne 1 ]; then echo 'want one memory line'; exit 1; fi
	 if grep -q 'SCHED_FIFO priority 10 not granted' $T/rt.log; then
		 [ \$(grep -c ' W rt: SCHED_FIFO' $T/rt.log) -eq 1 ] &&
		 grep -q 'CPUSchedulingPolicy=fifo' $T/rt.log && grep -q 'LimitRTPRIO=10' $T/rt.log &&
		 sh $T/check.sh $T/rt.log 0 0 0
	 else
		 sh $T/check.sh $T/rt.log 0 1 10
	 fi"

testing "--cpu-affinity 0-1 alone: pinned, not real-time, nothing locked" \
	"cpus=\$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)
	 sh $T/frame_run.sh $T/pin.log --cpu-affinity \$cpus || { cat $T/pin.log; exit 1; }
	 cat $T/pin.log; ! grep -q 'rt: memory\\| W rt:' $T/pin.log && sh $T/check.sh $T/pin.log \$cpus 0 0"

if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null &&
   [ "$(ulimit -r)" = 0 ] && [ "$(ulimit -l)" != unlimited ]; then
	testing "without CAP_SYS_NICE/CAP_IPC_LOCK: one warning per kind, how to grant it, exit 0" \
		"setpriv --bounding-set -sys_nice,-ipc_lock --inh-caps -all \
			$S $RUN --dummy-frames 20 --cpu-affinity 0 --realtime > $T/noperm.log 2>&1
		 rc=\$?; cat $T/noperm.log; [ \$rc -eq 0 ] || exit 1
		 [ \$(grep -c ' W rt: SCHED_FIFO priority 10 not granted' $T/noperm.log) -eq 1 ] &&
		 [ \$(grep -c ' W rt: memory not locked' $T/noperm.log) -eq 1 ] &&
		 [ \$(grep -c ' W rt: ' $T/noperm.log) -eq 2 ] &&
		 grep -q 'RLIMIT_RTPRIO is 0, no CAP_SYS_NICE' $T/noperm.log &&
		 grep -q 'LimitMEMLOCK=infinity' $T/noperm.log && grep -q 'CAP_IPC_LOCK' $T/noperm.log &&
		 grep -q 'rt: ingest thread: CPUs 0, SCHED_OTHER' $T/noperm.log &&
		 grep -q 'rt: encode thread: CPUs 0, SCHED_OTHER' $T/noperm.log &&
		 grep -q 'pipeline: exit: in=20 out=20 ' $T/noperm.log"
else
	skip "without CAP_SYS_NICE/CAP_IPC_LOCK" "needs root, setpriv, ulimit -r 0 and a finite ulimit -l"
fi

# one_hop.sh LOG ARGS...: the generator with ARGS for 1.5 s once its
# ingest thread exists; prints its frame-path threads, then stops it.
cat > "$T/one_hop.sh" << EOF
log=\$1; shift
$S $RUN "\$@" > "\$log" 2>&1 &
bg=\$!
pid= i=0
while [ \$i -lt $((150 * TIME_SCALE)) ] && [ -z "\$pid" ] && kill -0 \$bg 2> /dev/null; do
	for p in \$bg \$(pgrep -P \$bg); do
		grep -qx cvmmap-ingest /proc/\$p/task/*/comm 2> /dev/null && pid=\$p
	done
	sleep 0.1
	i=\$((i + 1))
done
sleep 1.5
[ -n "\$pid" ] && cat /proc/\$pid/task/*/comm | grep '^cvmmap-'
kill -TERM \$bg
wait \$bg
EOF
for m in "--encoder-device passthrough:no_au" "--run-mode ingest:not_encoded"; do
	testing "${m%:*}: one frame-path thread, every frame lost as ${m#*:}" \
		"out=\$(sh $T/one_hop.sh $T/hop.log ${m%:*}); cat $T/hop.log; echo \"\$out\"
		 [ \"\$out\" = cvmmap-ingest ] || exit 1
		 line=\$(grep 'pipeline: exit: ' $T/hop.log) || exit 1
		 in=\$(echo \"\$line\" | sed -n 's/.* in=\\([0-9]*\\) .*/\\1/p')
		 echo \"\$line\" | grep -q \"lost=\$in(${m#*:}=\$in)\" && [ \"\$in\" -gt 10 ]"
done

for l in 9999 1-0 x; do
	testing "--cpu-affinity $l exits 2 with one clear line" \
		"out=\$($S $RUN --dummy-frames 3 --cpu-affinity $l 2>&1); rc=\$?; echo \"\$out\"
		 [ \$rc -eq 2 ] && [ \$(echo \"\$out\" | wc -l) -eq 1 ] &&
		 echo \"\$out\" | grep -q \"^cvmmap_streamer: --cpu-affinity: '$l' is not a CPU list: \""
done
testing "--cpu-affinity 1023 (no such CPU here) exits 2 at start-up" \
	"$S $RUN --dummy-frames 3 --cpu-affinity 0,1023 > $T/absent.log 2>&1; rc=\$?; cat $T/absent.log
	 [ \$rc -eq 2 ] && grep -q 'CPU 1023 is not present or not available to this process' $T/absent.log &&
	 ! grep -q 'pipeline: exit' $T/absent.log"
finish
