#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# build.sh - link modes, glibc floor and stripped sizes.
#
# 1. Every program and unit test of the build under test matches the
#    .config link mode (scripts/check_link.sh: no NEEDED when fully static,
#    only glibc and a floor <= GLIBC_2.35 when mostly static).
# 2. link_smoke (test/link/link_smoke.c) is linked with the Makefile's own
#    recipe for this link mode and toolchain against libzmq, x264 and x265,
#    checked the same way and run (under $TEST_EXEC when cross): the
#    archive lists, gss_stub.c and compat.c work before any feature needs
#    them.
# 3. allnoconfig (native only) and configs/tiny_defconfig (x264-only,
#    fully static; native and cross) built from scratch in
#    $OBJTREE/test/tmp/build; their binaries are checked, their stripped
#    sizes printed (`make size`, lines "SIZE ..." in the log) and the tiny
#    streamer held to CONFIG_SIZE_BUDGET on the architecture being built.
# 4. Any build with CONFIG_SIZE_BUDGET (tiny_defconfig): its streamer,
#    stripped with the target's strip, within the budget.
. "$SRCTREE/test/suites/testing.sh"

TMP=$OBJTREE/test/tmp/build
CHECK_LINK="sh $SRCTREE/scripts/check_link.sh"
cfg=${KCONFIG_CONFIG:-$OBJTREE/.config}
mode=$(sed -n 's/^CONFIG_\(LINK_[A-Z_]*\)=y$/\1/p' "$cfg")
rm -rf "$TMP"
mkdir -p "$TMP"

# A make of our own tree that inherits nothing from the `make check` that
# runs this suite (its jobserver, .config, CC and SANITIZE); CROSS_COMPILE
# stays, so scratch builds use the same toolchain.
smake() {
	timeout $((TEST_TIMEOUT * TIME_SCALE)) env -u MAKEFLAGS -u MFLAGS \
		-u MAKELEVEL -u KCONFIG_CONFIG -u CC -u SANITIZE \
		make --no-print-directory -C "$SRCTREE" "$@"
}

# build NAME MAKE-ARGS...: one scratch make as a test; its log is kept.
build() {
	name=$1; shift
	smake "$@" > "$LOGDIR/$name.make.log" 2>&1
	rc=$?
	testing "$name" "tail -n 20 '$LOGDIR/$name.make.log'; exit $rc"
}

# The offline tools that decode with libavcodec are linked dynamically in
# every mode (src/zed/Kbuild explains why); everything else follows .config.
link_mode_of() {
	case $(basename "$1") in
	zed_svo_to_mp4|zed_svo_grid_to_mp4) echo dynamic ;;
	*) echo "$2" ;;
	esac
}

if [ -n "${SANITIZE:-}" ]; then
	skip "link modes" "SANITIZE=$SANITIZE links the sanitizer runtimes"
else
	for b in "$BIN"/* "$OBJTREE"/test/test_*; do
		[ -f "$b" ] && [ -x "$b" ] || continue
		m=$(link_mode_of "$b" "$mode")
		testing "$m: $(basename "$b")" "$CHECK_LINK '$b' $m"
	done
fi

# The size budget of the build under test (CONFIG_SIZE_BUDGET, set by
# tiny_defconfig), on the architecture being built: native or cross.
budget=$(sed -n 's/^CONFIG_SIZE_BUDGET=\([0-9]*\)$/\1/p' "$cfg")
if [ "${budget:-0}" -gt 0 ] && [ -x "$BIN/cvmmap_streamer" ] && [ -z "${SANITIZE:-}" ]; then
	testing "cvmmap_streamer <= CONFIG_SIZE_BUDGET $budget bytes stripped ($(${CC:-cc} -dumpmachine))" \
		"${CROSS_COMPILE:-}strip -o '$TMP/budget.s' '$BIN/cvmmap_streamer' &&
		 n=\$(wc -c < '$TMP/budget.s'); echo \$n; [ \$n -le $budget ]"
else
	skip "size budget" "no CONFIG_SIZE_BUDGET${SANITIZE:+ (SANITIZE)}"
fi

# One binary that really uses all three libraries, built the way every
# program is (prog-y/lib-y/libs-y given on the command line replace the
# Kbuild lists, so only link_smoke and the vendor objects are compiled).
smoke=$TMP/smoke
mkdir -p "$smoke"
cp "$cfg" "$smoke/.config"
build "link_smoke builds ($mode${CROSS_COMPILE:+, $CROSS_COMPILE})" \
	O="$smoke" prog-y=link_smoke link_smoke-objs=test/link/link_smoke.o \
	lib-y= test-y= libs-y="zmq x264 x265"
if [ -x "$smoke/bin/link_smoke" ]; then
	testing "link_smoke: $mode" "$CHECK_LINK '$smoke/bin/link_smoke' $mode"
	testing "link_smoke runs zmq, x264 and x265" \
		"out=\$(${TEST_EXEC:-} '$smoke/bin/link_smoke' 2>/dev/null); rc=\$?; echo \"\$out\";
		 [ \$rc -eq 0 ] && [ \$(echo \"\$out\" | grep -Ec '^(zmq|x264|x265) .*: [1-9][0-9]* bytes\$') -eq 3 ]"
else
	skip "link_smoke: $mode" "not built"
	skip "link_smoke runs zmq, x264 and x265" "not built"
fi

# build_config NAME TARGET: configure $TMP/NAME with TARGET, build it, check
# every program against the link mode of its .config, print sizes.
build_config() {
	dir=$TMP/$1
	build "$1 configures" O="$dir" "$2"
	build "$1 builds" O="$dir" -j2
	[ "$rc" -eq 0 ] || return
	m=$(sed -n 's/^CONFIG_\(LINK_[A-Z_]*\)=y$/\1/p' "$dir/.config" 2>/dev/null)
	for b in "$dir"/bin/*; do
		[ -x "$b" ] || continue
		bm=$(link_mode_of "$b" "$m")
		testing "$1 $bm: $(basename "$b")" "$CHECK_LINK '$b' $bm"
	done
	smake O="$dir" size | sed -n "s/^\(.* bytes stripped.*\)/SIZE $1 \1/p"
}

# Scratch configurations.  A cross build builds tiny only (about 10 s of
# CPU): its size budget must hold on every architecture built; the CI
# row already builds jetson_defconfig, and allnoconfig adds nothing there.
if [ -n "${CROSS_COMPILE:-}" ]; then
	skip "allnoconfig build" "cross build"
else
	build_config allno allnoconfig
fi
build_config tiny tiny_defconfig
if [ -x "$TMP/tiny/bin/cvmmap_streamer" ]; then
	testing "tiny (fully static) runs --version" \
		"${TEST_EXEC:-} '$TMP/tiny/bin/cvmmap_streamer' --version"
	# The budget tiny_defconfig sets (CONFIG_SIZE_BUDGET, 4000000 bytes:
	# met on x86_64 and aarch64 with the in-tree ZMTP subscriber).
	max=$(sed -n 's/^CONFIG_SIZE_BUDGET=\([0-9]*\)$/\1/p' "$TMP/tiny/.config")
	max=${TINY_MAX_BYTES:-${max:-6291456}}
	testing "tiny cvmmap_streamer <= $max bytes stripped (${CROSS_COMPILE:-native})" \
		"${CROSS_COMPILE:-}strip -o '$TMP/tiny/s' '$TMP/tiny/bin/cvmmap_streamer' &&
		 n=\$(wc -c < '$TMP/tiny/s'); echo \$n; [ \$n -le $max ]"
fi
finish
