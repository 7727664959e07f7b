#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tsan.sh - ThreadSanitizer run of the threaded pipeline.
#
#   scripts/tsan.sh [--no-build]
#
# Builds the default configuration with SANITIZE=thread in TSAN_O
# (default build/tsan), then runs the acceptance rows and the fault rows
# that exercise the pipeline's three threads and their hand-offs (torn,
# reset-storm, producer-restart, sink-stall, rtmp-restart) and
# test/suites/hostile.sh (hostile RTMP/NATS peers and producer) against
# those binaries.  Every ThreadSanitizer report lands in $TSAN_O/tsan-logs/
# (TSAN_OPTIONS log_path, one file per process); the script prints the
# row results (informational: TSan's slowdown makes frame thresholds
# miss), the number of reports and their first frames in our code, and
# exits 1 when any report was written or a streamer did not exit cleanly.
#
# Environment: TSAN_O, JOBS (default 2), STALL_MS (sink-stall, default 3000),
# CC (default gcc).  Suppressions: test/sanitizer/tsan.supp (third-party
# libraries only).
set -u
SRCTREE=${SRCTREE:-$(cd "$(dirname "$0")/.." && pwd)}
TSAN_O=${TSAN_O:-$SRCTREE/build/tsan}
case $TSAN_O in /*) ;; *) TSAN_O=$PWD/$TSAN_O ;; esac
LOGS=$TSAN_O/tsan-logs
if [ "${1:-}" != --no-build ]; then
	mkdir -p "$TSAN_O"
	tmake() {
		env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -C "$SRCTREE" \
			O="$TSAN_O" KCONFIG_CONFIG="$TSAN_O/.config" CC="${CC:-gcc}" SANITIZE=thread "$@"
	}
	[ -f "$TSAN_O/.config" ] || tmake defconfig > /dev/null || exit 2
	tmake -j"${JOBS:-2}" all "$TSAN_O/test/helper_hostile_producer" > "$TSAN_O/build.log" 2>&1 ||
		{ tail -n 20 "$TSAN_O/build.log"; echo "tsan: build failed" >&2; exit 2; }
fi
rm -rf "$LOGS" && mkdir -p "$LOGS"
# halt_on_error=0: collect every report; second_deadlock_stack for lock
# order reports; the exit code stays the program's own.
TSAN_OPTIONS="log_path=$LOGS/tsan halt_on_error=0 second_deadlock_stack=1 history_size=4 print_suppressions=1"
[ -f "$SRCTREE/test/sanitizer/tsan.supp" ] &&
	TSAN_OPTIONS="$TSAN_OPTIONS suppressions=$SRCTREE/test/sanitizer/tsan.supp"
export TSAN_OPTIONS

export OBJTREE=$TSAN_O SRCTREE KCONFIG_CONFIG=$TSAN_O/.config
# TSan slows the pipeline 5-15x, so rows that count frames against a
# threshold may miss it (latest-wins hand-offs drop, by design): their
# verdicts are printed for information.  What fails this script is a
# ThreadSanitizer report, or a streamer that did not exit 0 (a crash,
# a hang killed by timeout, a sanitizer abort).
rows=$TSAN_O/rows.txt
: > "$rows"
echo "== acceptance (TSan; verdicts informational)"
EVIDENCE_DIR=$TSAN_O/evidence/acceptance sh "$SRCTREE/scripts/acceptance_standalone.sh" \
	--frames 60 --size 320x240 | grep -E '^(PASS|FAIL|SKIP)' | tee -a "$rows"
echo "== faults (TSan; verdicts informational)"
for row in torn reset-storm producer-restart sink-stall rtmp-restart; do
	STALL_MS=${STALL_MS:-3000} EVIDENCE_DIR=$TSAN_O/evidence/faults-$row \
		sh "$SRCTREE/scripts/fault_suite.sh" --row "$row" | grep -E '^(PASS|FAIL|SKIP)' |
		tee -a "$rows"
done
echo "== hostile peers (TSan; verdicts informational)"
LOGDIR=$TSAN_O/test/logs/hostile sh "$SRCTREE/test/suites/hostile.sh" |
	grep -E '^(PASS|FAIL|SKIP|hostile:)' | sed 's/^/  /'
rc=0
# Streamer exit codes: acceptance "streamer N", faults "streamer=N",
# passing fault rows: the streamer.log of each row ends with "exit:".
bad=$(sed -nE 's/.*streamer[ =]([0-9]+).*/\1/p' "$rows" | grep -vx 0 | wc -l)
for l in "$TSAN_O"/evidence/*/*/streamer.log; do
	[ -f "$l" ] || continue
	case $l in */invalid/*) continue ;; esac
	grep -q 'exit: ' "$l" || { echo "tsan: no exit line in $l"; bad=$((bad + 1)); }
done
[ "$bad" -eq 0 ] || { echo "tsan: $bad streamer run(s) did not exit cleanly"; rc=1; }

n=$(cat "$LOGS"/tsan.* 2> /dev/null | grep -c '^WARNING: ThreadSanitizer')
echo "tsan: $n report(s) in $LOGS"
if [ "$n" -gt 0 ]; then
	rc=1
	# The kind and the first frame in our tree of each distinct report.
	for f in "$LOGS"/tsan.*; do
		awk -v src="$SRCTREE/" '
			/^WARNING: ThreadSanitizer/ { kind = $0; sub(/ \(pid=.*/, "", kind); want = 1; next }
			want && index($0, src) { sub(/^ *#[0-9]+ /, ""); print kind " @ " $0; want = 0 }
		' "$f"
	done | sort | uniq -c | sort -rn | head -n 20
fi
echo "tsan: $([ $rc -eq 0 ] && echo PASS || echo FAIL)"
exit $rc
