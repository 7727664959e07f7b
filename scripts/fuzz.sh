#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz.sh - `make fuzz [FUZZ_SECONDS=N]`: every fuzz target under libFuzzer.
#
# Environment: SRCTREE, FUZZ_SECONDS (per target, default 10),
# FUZZ_TARGETS (names, from the Makefile's fuzz-y; default: every
# test/fuzz/fuzz_*.c), FUZZ_O (build dir, default $SRCTREE/build/fuzz),
# FUZZ_MAX_LEN (libFuzzer -max_len, default 4096), CLANG (default clang).
#
# Build: the default configuration in FUZZ_O with clang, every object
# compiled with -fsanitize=fuzzer-no-link,address,undefined (the
# Makefile's SANITIZE plus EXTRA_CFLAGS) and each target linked with
# libFuzzer's main (FUZZ_ENGINE=libfuzzer, test/fuzz/Kbuild).
# Run: each target for FUZZ_SECONDS on a scratch copy of
# test/fuzz/corpus/<name>/ (the repository's corpus is never written).
# Prints one line per target with libFuzzer's final executions and
# coverage, the reproducer of any crash, and "fuzz: N passed, N failed".
# Exit 1 if a target crashed, leaked, timed out or ran out of memory.
set -u
: "${SRCTREE:?}"
FUZZ_SECONDS=${FUZZ_SECONDS:-10}
FUZZ_O=${FUZZ_O:-$SRCTREE/build/fuzz}
FUZZ_MAX_LEN=${FUZZ_MAX_LEN:-4096}
CLANG=${CLANG:-clang}
targets=${FUZZ_TARGETS:-$(cd "$SRCTREE/test/fuzz" && ls fuzz_*.c 2>/dev/null | sed 's/\.c$//')}

command -v "$CLANG" > /dev/null || { echo "fuzz: $CLANG not found" >&2; exit 2; }
[ -n "$targets" ] || { echo "fuzz: no fuzz targets"; echo "fuzz: 0 passed, 0 failed"; exit 0; }

# KCONFIG_CONFIG and CROSS_COMPILE come from the calling make: reset them.
fmake() {
	make -C "$SRCTREE" O="$FUZZ_O" KCONFIG_CONFIG="$FUZZ_O/.config" CROSS_COMPILE= \
		CC="$CLANG" SANITIZE=address,undefined EXTRA_CFLAGS=-fsanitize=fuzzer-no-link \
		FUZZ_ENGINE=libfuzzer WERROR=0 "$@"
}
mkdir -p "$FUZZ_O"
if [ ! -f "$FUZZ_O/.config" ]; then
	fmake x86_64_defconfig > /dev/null || { echo "fuzz: x86_64_defconfig failed" >&2; exit 2; }
fi
bins=
for t in $targets; do
	bins="$bins $FUZZ_O/test/$t"
done
# -k: one target that does not build fails alone (below).
# shellcheck disable=SC2086
fmake -k -j"${FUZZ_JOBS:-2}" $bins || echo "fuzz: some targets did not build" >&2

pass=0 fail=0
for t in $targets; do
	bin=$FUZZ_O/test/$t
	work=$FUZZ_O/run/$t
	if [ ! -x "$bin" ]; then
		fail=$((fail + 1))
		echo "FAIL $t (not built)"
		continue
	fi
	rm -rf "$work"
	mkdir -p "$work/corpus" "$work/artifacts"
	seeds=$SRCTREE/test/fuzz/corpus/${t#fuzz_}
	[ -d "$seeds" ] && cp -R "$seeds/." "$work/corpus/"
	# -timeout: one input may take 10 s; the outer timeout catches a hang
	# of libFuzzer itself.
	timeout $((FUZZ_SECONDS + 60)) "$bin" -max_total_time="$FUZZ_SECONDS" \
		-max_len="$FUZZ_MAX_LEN" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$work/artifacts/" \
		"$work/corpus" > "$work/log" 2>&1
	rc=$?
	# Last status line, e.g. "#123456 DONE cov: 210 ft: 900 corp: 40/2Kb ..."
	st=$(grep -E '^#[0-9]+' "$work/log" | tail -n 1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
	cov=$(echo "$st" | sed -nE 's/.* cov: ([0-9]+).*/\1/p')
	ft=$(echo "$st" | sed -nE 's/.* ft: ([0-9]+).*/\1/p')
	corp=$(echo "$st" | sed -nE 's/.* corp: ([0-9]+).*/\1/p')
	artifact=$(sed -nE 's/.*Test unit written to (.*)$/\1/p' "$work/log" | tail -n 1)
	if [ "$rc" -eq 0 ] && [ -z "$artifact" ]; then
		pass=$((pass + 1))
		echo "PASS $t: ${execs:-?} execs, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?} (${FUZZ_SECONDS} s)"
	else
		fail=$((fail + 1))
		echo "FAIL $t (exit $rc after ${execs:-?} execs; log $work/log)"
		grep -E '^(==[0-9]+== ?ERROR|SUMMARY:|.*runtime error:)' "$work/log" | head -n 3 |
			sed 's/^/    /'
		# the first frames in our own code
		grep -E "^ *#[0-9]+ .* $SRCTREE/(src|test)/" "$work/log" | head -n 3 |
			sed -E 's/^ *(#[0-9]+) 0x[0-9a-f]+ in /    \1 /'
		[ -n "$artifact" ] && echo "    reproducer: $artifact" &&
			echo "    rerun: $bin $artifact"
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
