#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# buildsys.sh - the build system's own targets and dependencies.
#
# 1. `make savedefconfig` on a fresh copy of the tree (no build/ yet), in
#    tree and with O= naming a directory that does not exist yet; the saved
#    defconfig loads back to the same .config.  Without any .config it
#    saves the Kconfig defaults and says so.  Without a Kconfig front end
#    scripts/kconfig/miniconf.sh gives kconfig-conf's results.
# 2. Cross dependencies: when `scripts/deps.sh --check --cross` reports the
#    arm64 set complete, every pkg-config module a cross build links (the
#    pc-* keywords of the Makefile and the Kbuild files, and libavcodec/
#    libavutil of the ZED tools) is found in the arm64 multiarch directory,
#    and a program using the ZED tools' libraries links for aarch64 and
#    runs (under qemu).  deps.sh --cross lists the arm64 twin of every
#    target library it lists natively.  A few seconds; no full build.
. "$SRCTREE/test/suites/testing.sh"

TMP=$OBJTREE/test/tmp/buildsys
rm -rf "$TMP"
mkdir -p "$TMP"

# make of a tree that inherits nothing from the `make check` running us
# (command-line variables such as O= reach us through the environment).
M="$(command -v env) -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u O -u KCONFIG_CONFIG -u CC -u SANITIZE -u CROSS_COMPILE make --no-print-directory"

# ---------------------------------------------------------------- savedefconfig
src=$TMP/src
mkdir -p "$src"
(cd "$SRCTREE" && tar --exclude=./build --exclude=./.git --exclude=./.config \
	--exclude=./.config.old -cf - .) | tar -C "$src" -xf -

testing "in tree: savedefconfig before the first build" \
	"$M -C '$src' x86_64_defconfig > /dev/null &&
	 [ ! -d '$src/build' ] &&
	 $M -C '$src' savedefconfig &&
	 grep -qx CONFIG_TOOLS_ZED=y '$src/build/defconfig'"
# The saved file, used as a defconfig, gives the same .config back.
cp "$src/build/defconfig" "$src/configs/saved_defconfig" 2> /dev/null
testing "in tree: the saved defconfig loads back to the same .config" \
	"$M -C '$src' O='$TMP/rt' saved_defconfig > /dev/null &&
	 [ \"\$(grep '^CONFIG_' '$src/.config' | sort)\" = \"\$(grep '^CONFIG_' '$TMP/rt/.config' | sort)\" ]"
testing "O=dir that does not exist yet, .config elsewhere" \
	"$M -C '$src' O='$TMP/o1/deeper' KCONFIG_CONFIG='$src/.config' savedefconfig &&
	 cmp '$src/build/defconfig' '$TMP/o1/deeper/defconfig'"
testing "O=dir with its own .config" \
	"$M -C '$src' O='$TMP/o2' tiny_defconfig > /dev/null &&
	 $M -C '$src' O='$TMP/o2' savedefconfig &&
	 grep -qx CONFIG_LINK_FULLY_STATIC=y '$TMP/o2/defconfig'"
testing "O=dir without any .config: saves the defaults and says so" \
	"out=\$($M -C '$src' O='$TMP/o3' savedefconfig 2>&1); rc=\$?;
	 echo \"\$out\"; [ \$rc -eq 0 ] && [ -f '$TMP/o3/defconfig' ] &&
	 echo \"\$out\" | grep -q 'no .*/o3/.config: saving the Kconfig defaults'"

# ---------------------------------------------------------------- stale .config
# A .config older than a Kconfig symbol (the tree was updated) gets the
# symbol's default, as olddefconfig gives it, not 0: CONFIG_START_HOLD
# was 0 in every existing build tree when it came.
testing "a .config older than a new Kconfig symbol gets its default" \
	"$M -C '$src' O='$TMP/old' x86_64_defconfig > /dev/null &&
	 sed -i '/CONFIG_START_HOLD/d' '$TMP/old/.config' && touch -d '2001-01-01' '$TMP/old/.config' &&
	 $M -C '$src' O='$TMP/old' '$TMP/old/include/generated/config.h' &&
	 grep -qx 'CONFIG_START_HOLD=8' '$TMP/old/.config' &&
	 grep -qx '#define CONFIG_START_HOLD 8' '$TMP/old/include/generated/config.h'"
testing "without a Kconfig front end genconfig gives a new int its default" \
	"grep -v CONFIG_START_HOLD '$TMP/old/.config' > '$TMP/old/stale' &&
	 (cd '$SRCTREE' && sh scripts/kconfig/genconfig.sh '$TMP/old/stale' Kconfig src/*/Kconfig) 2> '$TMP/old/warn' |
		grep -qx '#define CONFIG_START_HOLD 8' && grep -q START_HOLD '$TMP/old/warn'"

# ---------------------------------------------------------------- no front end
# scripts/kconfig/miniconf.sh (what kconfig.sh falls back to where no
# Kconfig front end exists, e.g. inside Buildroot) gives kconfig-conf's
# .config for every defconfig and both all*configs, and the same
# savedefconfig.
if command -v kconfig-conf > /dev/null; then
	testing "miniconf.sh gives kconfig-conf's .config and savedefconfig" \
		"cd '$SRCTREE' && for a in defconfig:defconfig \$(ls configs/*_defconfig | sed 's/^/defconfig:/') allnoconfig: allyesconfig:; do
		   act=\${a%%:*} f=\${a#*:}
		   KCONFIG_CONFIG='$TMP/kc.ref' kconfig-conf --\$act\${f:+=\$f} Kconfig > /dev/null &&
		   KCONFIG_CONFIG='$TMP/kc.mini' sh scripts/kconfig/miniconf.sh \$act \$f || exit 1
		   [ \"\$(grep CONFIG_ '$TMP/kc.ref' | sort)\" = \"\$(grep CONFIG_ '$TMP/kc.mini' | sort)\" ] ||
			{ echo \"\$a:\"; diff '$TMP/kc.ref' '$TMP/kc.mini'; exit 1; }
		   KCONFIG_CONFIG='$TMP/kc.ref' kconfig-conf --savedefconfig='$TMP/kc.ref.def' Kconfig &&
		   KCONFIG_CONFIG='$TMP/kc.ref' sh scripts/kconfig/miniconf.sh savedefconfig '$TMP/kc.mini.def' &&
		   diff '$TMP/kc.ref.def' '$TMP/kc.mini.def' || { echo \"savedefconfig of \$a\"; exit 1; }
		   echo \"same: \$a\"
		 done"
else
	skip "miniconf.sh against kconfig-conf" "kconfig-conf not installed"
fi
testing "without a Kconfig front end: make tiny_defconfig, a fragment + olddefconfig" \
	"$M -C '$src' O='$TMP/mini' KCONFIG_FRONTEND=miniconf tiny_defconfig > /dev/null &&
	 grep -qx CONFIG_TOOL_RTP_TESTER=y '$TMP/mini/.config' && grep -qx CONFIG_LINK_FULLY_STATIC=y '$TMP/mini/.config' &&
	 printf 'CONFIG_LINK_DYNAMIC=y\\n# CONFIG_RTP is not set\\nCONFIG_MAX_WIDTH=1920\\n' > '$TMP/mini/.config' &&
	 $M -C '$src' O='$TMP/mini' KCONFIG_FRONTEND=miniconf olddefconfig > /dev/null &&
	 grep -qx CONFIG_LINK_DYNAMIC=y '$TMP/mini/.config' && grep -qx CONFIG_MAX_WIDTH=1920 '$TMP/mini/.config' &&
	 grep -qx CONFIG_ENC_X264=y '$TMP/mini/.config' && ! grep -q CONFIG_TOOL_RTP_TESTER '$TMP/mini/.config' &&
	 ! $M -C '$src' O='$TMP/mini' KCONFIG_FRONTEND=miniconf menuconfig < /dev/null"

# ---------------------------------------------------------------- cross deps
DEPS="sh $SRCTREE/scripts/deps.sh"
testing "deps.sh --cross lists the arm64 twin of every target library" \
	"native=\$($DEPS --list --build-only) && cross=\$($DEPS --list --build-only --cross) &&
	 targets=\$($DEPS --list-target) && [ -n \"\$targets\" ] &&
	 for p in \$targets; do
		echo \"\$native\" | grep -qx \"\$p\" || { echo \"not native: \$p\"; exit 1; }
		echo \"\$cross\" | grep -qx \"\$p:arm64\" || { echo \"no \$p:arm64\"; exit 1; }
	 done"
# Every pkg-config module of the tree: the Makefile's and the Kbuild files'
# pc-X := MODULE keywords, and the libav* modules named in Kbuild recipes.
modules=$( { sed -n 's/^pc-[a-z0-9_]* *:= *//p' "$SRCTREE/Makefile" "$SRCTREE"/src/*/Kbuild;
	grep -ho '\blibav[a-z0-9]*\b' "$SRCTREE"/src/*/Kbuild; } | tr ' ' '\n' | grep . | sort -u | tr '\n' ' ')
testing "deps.sh names a package for every pkg-config module ($modules)" \
	"for m in $modules; do
		pc=\$(for d in /usr/lib/\$(gcc -dumpmachine)/pkgconfig /usr/share/pkgconfig; do ls \"\$d/\$m.pc\" 2> /dev/null; done | head -n 1);
		[ -n \"\$pc\" ] || { echo \"no native \$m.pc\"; exit 1; };
		pkg=\$(dpkg -S \"\$pc\" | cut -d: -f1 | head -n 1);
		$DEPS --list-target | grep -qx \"\$pkg\" || { echo \"\$m: \$pkg not in deps.sh's target list\"; exit 1; };
	 done"
ARMPC=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig
if ! command -v aarch64-linux-gnu-gcc > /dev/null || ! command -v qemu-aarch64-static > /dev/null; then
	skip "arm64 cross libraries" "no aarch64 cross toolchain (scripts/deps.sh --cross)"
elif ! $DEPS --check --cross > "$LOGDIR/deps-check.log" 2>&1; then
	skip "arm64 cross libraries" "deps.sh --check --cross: $(tr '\n' ' ' < "$LOGDIR/deps-check.log")"
else
	testing "arm64: pkg-config finds every module a cross build links" \
		"PKG_CONFIG_LIBDIR=$ARMPC pkg-config --exists --print-errors $modules"
	cat > "$TMP/zedlibs.c" << 'EOF'
/* SPDX-License-Identifier: GPL-2.0-or-later */
/* zedlibs.c - the libraries of the ZED tools, for the cross check. */
#include <stdio.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <lz4frame.h>
#include <zstd.h>

int main(void)
{
	const AVCodec *h264 = avcodec_find_decoder(AV_CODEC_ID_H264);

	printf("avcodec %u avutil %u zstd %u lz4 %u h264 %s\n", avcodec_version(),
	       avutil_version(), ZSTD_versionNumber(), LZ4F_getVersion(),
	       h264 ? "yes" : "no");
	return h264 ? 0 : 1;
}
EOF
	testing "arm64: the ZED tools' libraries link and run (qemu)" \
		"aarch64-linux-gnu-gcc -std=c99 -O1 -o '$TMP/zedlibs' '$TMP/zedlibs.c' \
		   \$(PKG_CONFIG_LIBDIR=$ARMPC pkg-config --cflags --libs libavcodec libavutil libzstd liblz4) &&
		 timeout $((60 * TIME_SCALE)) qemu-aarch64-static '$TMP/zedlibs'"
fi
finish
