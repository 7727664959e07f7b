#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# install.sh - `make install` and the Buildroot recipe.
#
# 1. `make install DESTDIR=... PREFIX=/usr` (and /usr/local) of the build
#    under test: binaries, the env example and cvmmap-streamer@.service,
#    which must pass `systemd-analyze verify` without a warning.
# 2. support/buildroot/package/cvmmap-streamer/cvmmap-streamer.mk expanded
#    by a few lines standing in for Buildroot (no Buildroot here): its
#    kconfig, build and install commands run as the recipe writes them, on
#    a copy of the tree, with the native toolchain as TARGET_CROSS.
. "$SRCTREE/test/suites/testing.sh"

TMP=$OBJTREE/test/tmp/install
rm -rf "$TMP"
mkdir -p "$TMP"
unit=cvmmap-streamer@.service

# make of our tree that inherits nothing from the `make check` running us
# (jobserver, CC, SANITIZE); the .config under test is passed explicitly:
# with O= the Makefile would otherwise read $OBJTREE/.config, which for
# an in-tree build is not the one that built $BIN.
MAKE_CLEAN="$(command -v env) -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u KCONFIG_CONFIG -u CC -u SANITIZE make --no-print-directory"

# ---------------------------------------------------------------- make install
root=$TMP/root
testing "make install DESTDIR PREFIX=/usr" \
	"$MAKE_CLEAN -C '$SRCTREE' O='$OBJTREE' KCONFIG_CONFIG='$KCONFIG_CONFIG' install DESTDIR='$root' PREFIX=/usr"
n=0
for b in "$BIN"/*; do
	[ -x "$b" ] || continue
	n=$((n + 1))
	testing "installed bin/$(basename "$b")" \
		"test -x '$root/usr/bin/$(basename "$b")' && cmp '$b' '$root/usr/bin/$(basename "$b")'"
done
testing "installed $n program(s) and nothing else" \
	"[ \$(ls '$root/usr/bin' | wc -l) -eq $n ] && [ $n -gt 0 ]"
testing "env example in /etc/cvmmap-streamer" \
	"grep -q '^CVMMAP_STREAMER_ARGS=' '$root/etc/cvmmap-streamer/cvmmap-streamer.env.example'"
U=$root/usr/lib/systemd/system/$unit
testing "unit ExecStart uses PREFIX and the instance" \
	"grep -qx 'ExecStart=/usr/bin/cvmmap_streamer --input %i \$CVMMAP_STREAMER_ARGS' '$U' &&
	 ! grep -q @BINDIR@ '$U'"
testing "unit restarts on failure with backoff" \
	"grep -qx 'Restart=on-failure' '$U' && grep -qx 'RestartSec=2' '$U' &&
	 grep -qx 'StartLimitIntervalSec=300' '$U' &&
	 grep -qx 'EnvironmentFile=-/etc/cvmmap-streamer/%i.env' '$U' &&
	 grep -qx '#RestartSteps=5' '$U'"

if command -v systemd-analyze >/dev/null 2>&1; then
	# verify resolves ExecStart on this machine: point it into DESTDIR.
	mkdir -p "$TMP/verify"
	sed "s|^ExecStart=/usr/bin/|ExecStart=$root/usr/bin/|" "$U" > "$TMP/verify/$unit"
	testing "systemd-analyze verify: no warning" \
		"out=\$(systemd-analyze verify '$TMP/verify/$unit' 2>&1); rc=\$?; echo \"\$out\";
		 [ \$rc -eq 0 ] && [ -z \"\$out\" ]"
else
	skip "systemd-analyze verify: no warning" "systemd-analyze not installed"
fi

root2=$TMP/root-local
testing "make install PREFIX=/usr/local SYSTEMD_RESTART_STEPS=1" \
	"$MAKE_CLEAN -C '$SRCTREE' O='$OBJTREE' KCONFIG_CONFIG='$KCONFIG_CONFIG' install DESTDIR='$root2' PREFIX=/usr/local SYSTEMD_RESTART_STEPS=1 &&
	 u='$root2/usr/local/lib/systemd/system/$unit' &&
	 grep -q '^ExecStart=/usr/local/bin/cvmmap_streamer ' \"\$u\" &&
	 grep -qx 'RestartSteps=5' \"\$u\" && grep -qx 'RestartMaxDelaySec=30' \"\$u\" &&
	 test -f '$root2/etc/cvmmap-streamer/cvmmap-streamer.env.example'"

# ---------------------------------------------------------------- Buildroot
# The recipe builds tiny_defconfig here (cheapest real streamer); the fixup
# turns it dynamic.  Cross builds skip this: the recipe is toolchain-neutral
# and the native toolchain exercises the same command lines.
if [ -n "${CROSS_COMPILE:-}" ]; then
	skip "buildroot recipe" "cross build"
	finish
fi
br=$TMP/br
triplet=$(gcc -dumpmachine)
mkdir -p "$br/src" "$br/staging/usr/lib" "$br/staging/usr/share" "$br/target"
# staging = a sysroot whose .pc files are the host's multiarch ones
ln -s "/usr/lib/$triplet/pkgconfig" "$br/staging/usr/lib/pkgconfig"
ln -s /usr/share/pkgconfig "$br/staging/usr/share/pkgconfig"
# The local site method rsyncs the tree without build outputs.
(cd "$SRCTREE" && tar --exclude=./build --exclude=./.git --exclude=./.config \
	--exclude=./.config.old -cf - .) | tar -C "$br/src" -xf -

cat > "$br/shim.mk" <<EOF
# Just enough of Buildroot (package/pkg-utils.mk, pkg-kconfig.mk) to run
# cvmmap-streamer.mk's commands in the order Buildroot does.
BR2_EXTERNAL_CVMMAP_STREAMER_PATH := $SRCTREE/support/buildroot
BR2_PACKAGE_CVMMAP_STREAMER := y
BR2_PACKAGE_CVMMAP_STREAMER_USE_DEFCONFIG := y
BR2_PACKAGE_CVMMAP_STREAMER_DEFCONFIG := "tiny"
BR2_PACKAGE_CVMMAP_STREAMER_X264 := y
BR2_INIT_SYSTEMD := y
TARGET_CROSS := $triplet-
TARGET_MAKE_ENV := PATH="\$(PATH)"
TARGET_CFLAGS := -O2
TARGET_LDFLAGS :=
STAGING_DIR := $br/staging
TARGET_DIR := $br/target
CVMMAP_STREAMER_DIR := $br/src
SED := sed -i -e
SHARP_SIGN := \\#
qstrip = \$(strip \$(subst ",,\$(1)))
kconfig-package :=
KCONFIG_DOT_CONFIG = \$(CVMMAP_STREAMER_DIR)/\$(CVMMAP_STREAMER_KCONFIG_DOTCONFIG)
define KCONFIG_MUNGE_DOT_CONFIG
	\$(SED) "/\\\\<\$(strip \$(1))\\\\>/d" \$(KCONFIG_DOT_CONFIG)
	echo '\$(strip \$(2))' >> \$(KCONFIG_DOT_CONFIG)
endef
KCONFIG_ENABLE_OPT = \$(call KCONFIG_MUNGE_DOT_CONFIG,\$(1),\$(1)=y)
KCONFIG_DISABLE_OPT = \$(call KCONFIG_MUNGE_DOT_CONFIG,\$(1),\$(SHARP_SIGN) \$(1) is not set)
include \$(BR2_EXTERNAL_CVMMAP_STREAMER_PATH)/package/cvmmap-streamer/cvmmap-streamer.mk
CVMMAP_STREAMER_KCONFIG_MAKE = \$(MAKE) -C \$(CVMMAP_STREAMER_DIR) \$(CVMMAP_STREAMER_KCONFIG_OPTS)

\$(CVMMAP_STREAMER_DIR)/.stamp_configured:
	+\$(CVMMAP_STREAMER_KCONFIG_MAKE) \$(CVMMAP_STREAMER_KCONFIG_DEFCONFIG)
	\$(CVMMAP_STREAMER_KCONFIG_FIXUP_CMDS)
	+\$(CVMMAP_STREAMER_KCONFIG_MAKE) olddefconfig
	touch \$@
\$(CVMMAP_STREAMER_DIR)/.stamp_built: \$(CVMMAP_STREAMER_DIR)/.stamp_configured
	+\$(CVMMAP_STREAMER_BUILD_CMDS)
	touch \$@
\$(CVMMAP_STREAMER_DIR)/.stamp_installed: \$(CVMMAP_STREAMER_DIR)/.stamp_built
	+\$(CVMMAP_STREAMER_INSTALL_TARGET_CMDS)
	touch \$@
print-%:
	@echo '\$(\$*)'
EOF
BRMAKE="$MAKE_CLEAN -f $br/shim.mk"
testing "recipe: defconfig name and .config path" \
	"[ \"\$($BRMAKE print-CVMMAP_STREAMER_KCONFIG_DEFCONFIG)\" = tiny_defconfig ] &&
	 [ \"\$($BRMAKE print-CVMMAP_STREAMER_KCONFIG_DOTCONFIG)\" = build/.config ] &&
	 [ \"\$($BRMAKE print-CVMMAP_STREAMER_SITE)\" = '$SRCTREE/support/buildroot/../..' ] &&
	 [ -f '$SRCTREE/support/buildroot/../../configs/tiny_defconfig' ]"
testing "recipe: dependencies follow the options" \
	"$BRMAKE print-CVMMAP_STREAMER_DEPENDENCIES | grep -qw x264 &&
	 ! $BRMAKE print-CVMMAP_STREAMER_DEPENDENCIES | grep -qw x265 &&
	 $BRMAKE BR2_PACKAGE_CVMMAP_STREAMER_X265=y print-CVMMAP_STREAMER_DEPENDENCIES | grep -qw x265"
timeout $((TEST_TIMEOUT * TIME_SCALE)) $BRMAKE -j2 "$br/src/.stamp_installed" > "$LOGDIR/buildroot.make.log" 2>&1
rc=$?
testing "recipe: configure, build, install" \
	"tail -n 20 '$LOGDIR/buildroot.make.log'; exit $rc"
testing "recipe: link mode forced dynamic, NVENC off" \
	"grep -qx CONFIG_LINK_DYNAMIC=y '$br/src/build/.config' &&
	 grep -qx '# CONFIG_NVENC is not set' '$br/src/build/.config' &&
	 grep -qx CONFIG_ENC_X264=y '$br/src/build/.config'"
testing "recipe: installed a dynamic cvmmap_streamer and the unit" \
	"sh '$SRCTREE/scripts/check_link.sh' '$br/target/usr/bin/cvmmap_streamer' dynamic &&
	 test -f '$br/target/usr/lib/systemd/system/$unit' &&
	 test -f '$br/target/etc/cvmmap-streamer/cvmmap-streamer.env.example'"
finish
