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
pass=0 fail=0 skip=0
log=$OBJTREE/test/check.log
mkdir -p "$OBJTREE/test"
: > "$log"

# Add "name: N passed, N failed[, N skipped]" lines from one output.
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
	echo "$line"
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
for s in "$SRCTREE"/test/suites/*.sh; do
	[ -f "$s" ] || continue
	name=$(basename "$s" .sh)
	case $name in testing) continue ;; esac
	if [ -n "${SUITES:-}" ] && ! echo " $SUITES " | grep -q " $name "; then
		continue
	fi
	timeout -k 10 "${SUITE_TIMEOUT:-900}" sh "$s" > "$out" 2>&1
	rc=$?
	cat "$out" >> "$log"
	grep -E '^(FAIL|SKIP)' "$out"
	count "$out" "$name" "$rc"
done
rm -f "$out"
echo "(full log: $log)"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
