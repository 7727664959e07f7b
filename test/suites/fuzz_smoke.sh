#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz_smoke.sh - every fuzz target built by `make check` (the standalone
# driver, test/fuzz/standalone.c) over its seed corpus plus a bounded
# number of deterministic generated inputs (FUZZ_SMOKE_RUNS, default
# 1000; FUZZ_SEED picks another input sequence).  Real fuzzing with
# libFuzzer is `make fuzz` (scripts/fuzz.sh).
. "$SRCTREE/test/suites/testing.sh"

tmp=$OBJTREE/test/tmp/fuzz_smoke
rm -rf "$tmp"
mkdir -p "$tmp"
found=0
for bin in "$OBJTREE"/test/fuzz_*; do
	[ -x "$bin" ] || continue
	found=1
	name=$(basename "$bin")
	corpus=$SRCTREE/test/fuzz/corpus/${name#fuzz_}
	[ -d "$corpus" ] || corpus=
	# On a crash the input is left in $tmp/crash-<name> (see the log).
	testing "$name" "FUZZ_RUNS=${FUZZ_SMOKE_RUNS:-1000} FUZZ_ARTIFACT=$tmp/crash-$name \
		${TEST_EXEC:-} $bin $corpus && test ! -e $tmp/crash-$name"
done
[ "$found" = 1 ] || skip "$SUITE" "no fuzz targets built"
finish
