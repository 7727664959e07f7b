#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh - `make check`: every unit-test binary, then every suite.
#
# Environment (set by the Makefile): OBJTREE SRCTREE KCONFIG_CONFIG
# TEST_EXEC (prefix for target binaries, e.g. "timeout 300 qemu-aarch64-static")
# SUITES (space-separated suite names to run; default all of test/suites/*.sh).
# Ends with one line "N passed, N failed, N skipped"; exit 1 if anything failed.
set -u
: "${OBJTREE:?}" "${SRCTREE:?}"
export OBJTREE SRCTREE KCONFIG_CONFIG TEST_EXEC
# qemu-user 7.2 kills a program whose read of a truncated mapping faults
# instead of handing it the SIGBUS: under it, the ingest copies frames
# with pread() (src/ipc/shm.h).  Natively the mapping and its guard run.
case ${TEST_EXEC:-} in *qemu*) CVMMAP_SHM_READ=copy; export CVMMAP_SHM_READ ;; esac
pass=0 fail=0 skip=0
log=$OBJTREE/test/check.log
mkdir -p "$OBJTREE/test"
: > "$log"

# count OUTPUT NAME RC [SUFFIX]: add the "name: N passed, N failed[, N
# skipped]" line of one output to the totals and print it (with SUFFIX).
count() {
	line=$(grep -E '^[A-Za-z0-9_./-]+: [0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	if [ -z "$line" ]; then
		echo "FAIL $2 (no result line; exit $3)"
		fail=$((fail + 1))
		return
	fi
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	s=$(echo "$line" | sed -nE 's/.* ([0-9]+) skipped.*/\1/p')
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + ${s:-0}))
	# A crash after the summary line still fails the run.
	if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $2 (exit $3 despite 0 failed)"
		fail=$((fail + 1))
	fi
	echo "$line${4:-}"
}

out=$OBJTREE/test/.out
echo "== unit tests"
for t in "$OBJTREE"/test/test_*; do
	[ -x "$t" ] || continue
	# shellcheck disable=SC2086
	timeout -k 10 "${UNIT_TIMEOUT:-300}" $TEST_EXEC "$t" > "$out" 2>&1
	rc=$?
	cat "$out" >> "$log"
	grep -E '^(FAIL|    )' "$out"
	count "$out" "$(basename "$t")" "$rc"
done

echo "== suites"
# CHECK_JOBS suites at a time (default 1).  Most rows wait on frame clocks
# and sockets, not the CPU, so two lanes on two cores roughly halve the
# run; every suite keeps its own names, ports (free_port) and temp dirs.
# Suites start slowest first (SLOW) so the lanes end together; their
# results print as each one ends, with its time.  CHECK_SOLO names suites
# that run alone (rows that count frames against real time where a
# sanitizer slows the encoder).
SLOW="bframes rtsp metrics faults acceptance nats_pipeline ref misbehave hostile rtmp install tools seed udp_ts srt"
jobs=${CHECK_JOBS:-1}
sdir=$OBJTREE/test/.suites
rm -rf "$sdir" && mkdir -p "$sdir"
list=
for name in $SLOW; do
	[ -f "$SRCTREE/test/suites/$name.sh" ] && list="$list $name"
done
for s in "$SRCTREE"/test/suites/*.sh; do
	name=$(basename "$s" .sh)
	case " testing $SLOW " in *" $name "*) continue ;; esac
	list="$list $name"
done

# collect NAME: print, log and count one finished suite
collect() {
	cat "$sdir/$1.out" >> "$log"
	grep -E '^(FAIL|SKIP)' "$sdir/$1.out"
	count "$sdir/$1.out" "$1" "$(cat "$sdir/$1.rc")" " ($(cat "$sdir/$1.time") s)"
	rm -f "$sdir/$1.rc"
	running=$((running - 1))
}
# reap: collect every suite that has ended
reap() {
	for r in "$sdir"/*.rc; do
		[ -f "$r" ] && collect "$(basename "$r" .rc)"
	done
}
running=0
for name in $list; do
	if [ -n "${SUITES:-}" ] && ! echo " $SUITES " | grep -q " $name "; then
		continue
	fi
	# a CHECK_SOLO suite runs with no other beside it
	lanes=$jobs
	case " ${CHECK_SOLO:-} " in *" $name "*) lanes=1 ;; esac
	while [ "$running" -ge "$lanes" ]; do
		reap
		[ "$running" -ge "$lanes" ] && sleep 0.2
	done
	(
		t0=$(date +%s)
		timeout -k 10 "${SUITE_TIMEOUT:-900}" sh "$SRCTREE/test/suites/$name.sh" \
			> "$sdir/$name.out" 2>&1
		rc=$?
		echo $(( $(date +%s) - t0 )) > "$sdir/$name.time"
		echo $rc > "$sdir/$name.rc.tmp" && mv "$sdir/$name.rc.tmp" "$sdir/$name.rc"
	) &
	running=$((running + 1))
	[ "$lanes" -lt "$jobs" ] && while [ "$running" -gt 0 ]; do
		reap
		[ "$running" -gt 0 ] && sleep 0.2
	done
done
while [ "$running" -gt 0 ]; do
	reap
	[ "$running" -gt 0 ] && sleep 0.2
done
wait
rm -f "$out"
echo "(full log: $log)"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
