#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# install.sh - `make install` and the Buildroot recipe.
#
# 1. `make install DESTDIR=... PREFIX=/usr` (and /usr/local) of the build
#    under test: binaries, the env example and cvmmap-streamer@.service,
#    which must pass `systemd-analyze verify` without a warning, rate at
#    most 3.0 in `systemd-analyze security --offline=yes`, and keep secrets
#    off the command line.  `make install-strip` and INSTALL_STRIP=y: the
#    same files, stripped with $(STRIP) (no .symtab, no .debug_*), still
#    running.
# 2. The installed unit's ExecStart= run the way systemd would run it, as far
#    as possible without systemd as PID 1 (scripts/unit_sandbox.sh: uid
#    65534, no capabilities, no new privileges, private /tmp, the host's
#    /tmp read-only at the unit's bind path, a read-only file system, the
#    RuntimeDirectory): simulator -> streamer -> RTP receiver, and RTMP
#    with the URL from a LoadCredential= drop-in.  An strace of the RTP run
#    is compared with the unit's SystemCallFilter=, RestrictAddressFamilies=
#    and MemoryDenyWriteExecute=.  Needs root (skips otherwise).
# 3. support/buildroot/package/cvmmap-streamer/cvmmap-streamer.mk expanded
#    by a few lines standing in for Buildroot (CI has no Buildroot tree;
#    support/buildroot/README.md says how it was checked in a real one):
#    its kconfig, build, install and init (systemd unit, or
#    S95cvmmap-streamer for BusyBox/SysV init) commands run as the recipe
#    writes them, on a copy of the tree, with the native toolchain as
#    TARGET_CROSS.  With BUILDROOT=/path/to/buildroot also Buildroot's
#    utils/check-package and an olddefconfig with the package on (SKIP
#    without).
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
testing "the licence in share/doc (DOCDIR=none leaves it out)" \
	"cmp '$SRCTREE/LICENSE' '$root/usr/share/doc/cvmmap-streamer/LICENSE' &&
	 $MAKE_CLEAN -C '$SRCTREE' O='$OBJTREE' KCONFIG_CONFIG='$KCONFIG_CONFIG' install DESTDIR='$TMP/root-nodoc' PREFIX=/usr DOCDIR=none SYSTEMD_UNITDIR=none &&
	 [ ! -e '$TMP/root-nodoc/usr/share' ] && [ ! -e '$TMP/root-nodoc/usr/lib' ] && [ -x '$TMP/root-nodoc/usr/bin/cvmmap_streamer' ]"
testing "env example in /etc/cvmmap-streamer" \
	"grep -q '^CVMMAP_STREAMER_ARGS=' '$root/etc/cvmmap-streamer/cvmmap-streamer.env.example'"
U=$root/usr/lib/systemd/system/$unit
testing "unit ExecStart uses PREFIX and the instance" \
	"grep -qx 'ExecStart=/usr/bin/cvmmap_streamer --input \${CVMMAP_STREAMER_INPUT} \$CVMMAP_STREAMER_ARGS' '$U' &&
	 grep -qx 'Environment=CVMMAP_STREAMER_INPUT=cvmmap://%i@/run/cvmmap-host-tmp' '$U' &&
	 grep -qx 'BindReadOnlyPaths=/tmp:/run/cvmmap-host-tmp' '$U' &&
	 ! grep -q @BINDIR@ '$U'"
testing "unit restarts on failure with backoff" \
	"grep -qx 'Restart=on-failure' '$U' && grep -qx 'RestartSec=2' '$U' &&
	 grep -qx 'StartLimitIntervalSec=300' '$U' &&
	 grep -qx 'EnvironmentFile=-/etc/cvmmap-streamer/%i.env' '$U' &&
	 grep -qx '#RestartSteps=5' '$U'"

# Secrets: no URL option with a value on the command line, neither in the
# unit nor in the example; the example uses the -file forms with systemd's
# credential copies (a LoadCredential= drop-in) or the environment.
E=$root/etc/cvmmap-streamer/cvmmap-streamer.env.example
testing "unit and env example keep secrets off the command line" \
	"! grep -E -- '--(rtmp|nats)-url[ =]' '$U' '$E' &&
	 grep -q -- '--rtmp-url-file /run/credentials/cvmmap-streamer@cam0.service/rtmp-url' '$E' &&
	 grep -q -- '--nats-url-file /run/credentials/cvmmap-streamer@cam0.service/nats-url' '$E' &&
	 grep -q '^#  *LoadCredential=rtmp-url:/etc/cvmmap-streamer/cam0.rtmp-url\$' '$E' &&
	 grep -q '^#CVMMAP_RTMP_URL=' '$E' && grep -q '^#CVMMAP_NATS_URL=' '$E' &&
	 ! grep -q '^LoadCredential=' '$U'"
testing "env example: SDP in the unit's RuntimeDirectory" \
	"grep -q '^CVMMAP_STREAMER_ARGS=.*--rtp-sdp /run/cvmmap-streamer/cam0/' '$E' &&
	 grep -qx 'RuntimeDirectory=cvmmap-streamer/%i' '$U'"

if command -v systemd-analyze >/dev/null 2>&1; then
	# verify resolves ExecStart on this machine: point it into DESTDIR.
	mkdir -p "$TMP/verify"
	sed "s|^ExecStart=/usr/bin/|ExecStart=$root/usr/bin/|" "$U" > "$TMP/verify/$unit"
	testing "systemd-analyze verify: no warning" \
		"out=\$(systemd-analyze verify '$TMP/verify/$unit' 2>&1); rc=\$?; echo \"\$out\";
		 [ \$rc -eq 0 ] && [ -z \"\$out\" ]"
	# The credential drop-in of the env example, merged as systemd would.
	sed '/^\[Install\]/i LoadCredential=rtmp-url:/etc/cvmmap-streamer/cam0.rtmp-url' \
		"$TMP/verify/$unit" > "$TMP/verify/dropin-$unit"
	testing "systemd-analyze verify: unit + credential drop-in" \
		"out=\$(systemd-analyze verify '$TMP/verify/dropin-$unit' 2>&1); rc=\$?; echo \"\$out\";
		 [ \$rc -eq 0 ] && [ -z \"\$out\" ]"
	# systemd >= 250 rates unit files offline; --threshold=N is exposure
	# times 10, and the command fails above it.
	if systemd-analyze --help 2>&1 | grep -q -- '--offline'; then
		testing "systemd-analyze security: exposure <= 3.0" \
			"out=\$(systemd-analyze security --offline=yes --threshold=30 --no-pager '$TMP/verify/$unit' 2>&1); rc=\$?;
			 echo \"\$out\" | grep -v '^✓';
			 lvl=\$(echo \"\$out\" | sed -n 's/.*Overall exposure level for [^:]*: \\([0-9.]*\\).*/\\1/p');
			 echo \"exposure: \$lvl\"; [ \$rc -eq 0 ] && [ -n \"\$lvl\" ] &&
			 awk -v l=\"\$lvl\" 'BEGIN { exit !(l <= 3.0) }'"
	else
		skip "systemd-analyze security: exposure <= 3.0" "systemd-analyze has no --offline (systemd < 250)"
	fi
else
	skip "systemd-analyze verify: no warning" "systemd-analyze not installed"
	skip "systemd-analyze security: exposure <= 3.0" "systemd-analyze not installed"
fi

# ---------------------------------------------------------------- install-strip
# `make install-strip` (GNU) and `make install INSTALL_STRIP=y` (firmware
# builds) install the same stripped programs; the build tree keeps its
# symbols.  readelf reads any ELF target, so this holds for cross builds.
rs=$TMP/root-strip rs2=$TMP/root-strip2
testing "make install-strip" \
	"$MAKE_CLEAN -C '$SRCTREE' O='$OBJTREE' KCONFIG_CONFIG='$KCONFIG_CONFIG' install-strip DESTDIR='$rs' PREFIX=/usr ${CROSS_COMPILE:+CROSS_COMPILE=$CROSS_COMPILE}"
testing "make install INSTALL_STRIP=y" \
	"$MAKE_CLEAN -C '$SRCTREE' O='$OBJTREE' KCONFIG_CONFIG='$KCONFIG_CONFIG' install INSTALL_STRIP=y DESTDIR='$rs2' PREFIX=/usr ${CROSS_COMPILE:+CROSS_COMPILE=$CROSS_COMPILE}"
for b in "$BIN"/*; do
	[ -x "$b" ] || continue
	p=$(basename "$b")
	testing "install-strip: bin/$p has no .symtab, no .debug_*" \
		"s=\$(readelf -SW '$rs/usr/bin/$p') || exit 1;
		 ! echo \"\$s\" | grep -E '[.](symtab|debug_)'"
	testing "install-strip: bin/$p is smaller and still runs" \
		"[ \$(wc -c < '$rs/usr/bin/$p') -lt \$(wc -c < '$b') ] &&
		 { ${TEST_EXEC:-} '$rs/usr/bin/$p' --version || ${TEST_EXEC:-} '$rs/usr/bin/$p' --help; } > /dev/null"
	testing "INSTALL_STRIP=y: bin/$p same as install-strip" "cmp '$rs/usr/bin/$p' '$rs2/usr/bin/$p'"
done
if [ -x "$BIN/cvmmap_streamer" ]; then
	testing "install-strip: cvmmap_streamer --version" \
		"${TEST_EXEC:-} '$rs/usr/bin/cvmmap_streamer' --version | grep -q '^cvmmap_streamer '"
	testing "build tree keeps its symbols" "readelf -SW '$BIN/cvmmap_streamer' | grep -q '[.]symtab'"
fi
testing "install-strip: unit and env example too" \
	"cmp '$rs/usr/lib/systemd/system/$unit' '$U' &&
	 cmp '$rs/etc/cvmmap-streamer/cvmmap-streamer.env.example' '$E'"

root2=$TMP/root-local
testing "make install PREFIX=/usr/local SYSTEMD_RESTART_STEPS=1" \
	"$MAKE_CLEAN -C '$SRCTREE' O='$OBJTREE' KCONFIG_CONFIG='$KCONFIG_CONFIG' install DESTDIR='$root2' PREFIX=/usr/local SYSTEMD_RESTART_STEPS=1 &&
	 u='$root2/usr/local/lib/systemd/system/$unit' &&
	 grep -q '^ExecStart=/usr/local/bin/cvmmap_streamer ' \"\$u\" &&
	 grep -qx 'RestartSteps=5' \"\$u\" && grep -qx 'RestartMaxDelaySec=30' \"\$u\" &&
	 test -f '$root2/etc/cvmmap-streamer/cvmmap-streamer.env.example'"

# ---------------------------------------------------------------- the unit, run
# The installed ExecStart= through scripts/unit_sandbox.sh (see there what
# it emulates and what not).  The simulator runs as root in the host's
# /tmp and /dev/shm, as cv-mmap does (SHM 0666, socket chmod 0777).
sbx=$TMP/sandbox
mkdir -p "$sbx"
SANDBOX="sh $SRCTREE/scripts/unit_sandbox.sh"
S=$TIME_SCALE
sandbox_ok=1
if ! { optional CONFIG_CVMMAP && optional CONFIG_TOOL_SIM && optional CONFIG_RTP &&
       optional CONFIG_TOOL_RTP_TESTER && optional CONFIG_ENC_X264; }; then
	sandbox_ok=0 why="needs the cv-mmap input, the simulator, RTP, its tester and x264"
elif [ "$(id -u)" != 0 ]; then
	sandbox_ok=0 why="needs root (namespaces, setpriv)"
elif ! unshare --mount --pid --ipc --fork true 2> /dev/null || ! command -v setpriv > /dev/null; then
	sandbox_ok=0 why="no unshare/setpriv or no namespaces here"
elif ! setpriv --reuid=65534 --regid=65534 --clear-groups -- test -x "$rs/usr/bin/cvmmap_streamer"; then
	sandbox_ok=0 why="uid 65534 cannot reach $rs"
else
	case $(realpath "$OBJTREE") in /tmp|/tmp/*) sandbox_ok=0 why="OBJTREE is under /tmp" ;; esac
fi

# sandbox_run NAME ENVFILE UNITFILE: the streamer through the sandbox, in
# the background (sets spid); its output in $sbx/NAME/streamer.log.
sandbox_run() {
	d=$sbx/$1
	mkdir -p "$d"
	# shellcheck disable=SC2086
	SANDBOX_ROOT=$rs SANDBOX_STRACE=${strace_it:-} timeout $((40 * S)) $SANDBOX \
		"$3" "$inst" "$2" "$d" > "$d/streamer.log" 2>&1 &
	spid=$!
}
# sim: the producer for $inst, after the streamer has started.
sim() {
	# shellcheck disable=SC2086
	timeout $((30 * S)) ${TEST_EXEC:-} "$BIN/cvmmap_sim" --instance "$inst" --width 320 \
		--height 240 --fps 30 --frames 60 --start-delay-ms $((800 * S)) > "$1/sim.log" 2>&1
}

if [ $sandbox_ok = 1 ]; then
	# RTP, with an strace of the streamer when that is possible.
	strace_it=
	[ -z "${TEST_EXEC:-}" ] && command -v strace > /dev/null && strace_it=1
	inst=sbx$$ port=$(free_port) d=$sbx/rtp
	mkdir -p "$d"
	cat > "$d/env" << EOF
CVMMAP_STREAMER_ARGS="--codec h264 --rtp --rtp-endpoint 127.0.0.1:$port --rtp-sdp /run/cvmmap-streamer/$inst/stream.sdp --no-nats --ingest-idle-timeout-ms $((3000 * S)) --stats-interval-ms 1000"
EOF
	# shellcheck disable=SC2086
	timeout $((40 * S)) ${TEST_EXEC:-} "$BIN/rtp_receiver_tester" --port "$port" --codec h264 \
		--au-threshold 50 --idle-ms $((2500 * S)) --timeout-ms $((30000 * S)) --json \
		> "$d/rx.json" 2> "$d/rx.log" &
	tpid=$!
	sleep 0.3
	sandbox_run rtp "$d/env" "$U"
	sim "$d"
	wait "$spid"; src=$?
	wait "$tpid"; trc=$?
	echo "streamer=$src tester=$trc" > "$d/rc"
	testing "unit sandbox: streamer as uid 65534 via the read-only /tmp bind -> RTP" \
		"cat '$d/rc' '$d/rx.json'; tail -n 5 '$d/streamer.log';
		 [ $src -eq 0 ] && [ $trc -eq 0 ] && grep -q '\"aus\":[5-9][0-9]' '$d/rx.json'"
	testing "unit sandbox: SDP in the RuntimeDirectory, by uid 65534, mode 0644" \
		"ls -ln '$d/run'; [ \"\$(stat -c '%u %a' '$d/run/stream.sdp')\" = '65534 644' ]"
	if [ -n "$strace_it" ] && [ -s "$d/strace.log" ]; then
		# The streamer's part of the trace: from its execve on.
		awk '/execve\(".*cvmmap_streamer"/ && / = 0$/ { go = 1 } go' "$d/strace.log" > "$d/post.log"
		cat > "$d/syscalls.sh" << 'EOF'
# syscalls.sh UNIT POSTLOG: every system call in POSTLOG is allowed by the
# unit's SystemCallFilter= lines (allow lists minus ~deny lists).
expand() {
	for x in "$@"; do
		case $x in
		@*) for y in $(systemd-analyze syscall-filter "$x" | sed -n 's/^    \([@a-z0-9_-]*\).*/\1/p'); do
			expand "$y"; done ;;
		*) echo "$x" ;;
		esac
	done
}
allow=$(expand $(sed -n 's/^SystemCallFilter=\([^~]\)/\1/p' "$1") | sort -u)
deny=$(expand $(sed -n 's/^SystemCallFilter=~//p' "$1") | sort -u)
[ -n "$allow" ] || { echo "no allow list"; exit 1; }
used=$(sed -nE 's/^[0-9]+ +([a-z0-9_]+)\(.*/\1/p; s/^[0-9]+ +<\.\.\. ([a-z0-9_]+) resumed>.*/\1/p' "$2" | sort -u)
bad=0
for c in $used; do
	if ! echo "$allow" | grep -qx "$c" || echo "$deny" | grep -qx "$c"; then
		echo "not allowed by the unit: $c"; bad=1
	fi
done
echo "$(echo "$used" | wc -l) system calls checked"
exit $bad
EOF
		if command -v systemd-analyze > /dev/null; then
			testing "unit sandbox: every system call is in the unit's SystemCallFilter=" \
				"sh '$d/syscalls.sh' '$U' '$d/post.log'"
		else
			skip "unit sandbox: every system call is in the unit's SystemCallFilter=" "no systemd-analyze"
		fi
		testing "unit sandbox: sockets only of RestrictAddressFamilies=" \
			"fams=\$(sed -n 's/^RestrictAddressFamilies=//p' '$U');
			 used=\$(grep -o 'socket(AF_[A-Z0-9]*' '$d/post.log' | sed 's/socket(//' | sort -u); echo \$used;
			 [ -n \"\$used\" ] && for f in \$used; do echo \" \$fams \" | grep -q \" \$f \" || exit 1; done"
		testing "unit sandbox: no writable+executable memory (MemoryDenyWriteExecute=)" \
			"grep -qx 'MemoryDenyWriteExecute=yes' '$U' &&
			 ! grep -E 'mmap\(.*PROT_WRITE\|PROT_EXEC|mprotect\(.*PROT_EXEC|shmat\(.*SHM_EXEC' '$d/post.log'"
	else
		why="no strace"
		[ -n "${TEST_EXEC:-}" ] && why="strace would trace qemu"
		skip "unit sandbox: system calls, address families, W^X" "$why"
	fi

	# RTMP with the URL (stream key) from a LoadCredential= drop-in.
	if optional CONFIG_RTMP && optional CONFIG_TOOL_RTMP_TESTER; then
		strace_it=
		inst=sbr$$ port=$(free_port) d=$sbx/rtmp key=k3y$$
		mkdir -p "$d"
		sed "/^\[Install\]/i LoadCredential=rtmp-url:$d/rtmp-url" "$U" > "$d/$unit"
		(umask 077; echo "rtmp://127.0.0.1:$port/live/$key" > "$d/rtmp-url")
		cat > "$d/env" << EOF
CVMMAP_STREAMER_ARGS="--codec h264 --rtmp --rtmp-url-file /run/credentials/cvmmap-streamer@$inst.service/rtmp-url --no-nats --ingest-idle-timeout-ms $((3000 * S))"
EOF
		# shellcheck disable=SC2086
		timeout $((40 * S)) ${TEST_EXEC:-} "$BIN/rtmp_stub_tester" --mode h264 --listen-port "$port" \
			--video-threshold 50 --timeout-ms $((30000 * S)) --json > "$d/stub.json" 2> "$d/stub.log" &
		tpid=$!
		sleep 0.3
		sandbox_run rtmp "$d/env" "$d/$unit"
		sim "$d"
		wait "$spid"; src=$?
		wait "$tpid"; trc=$?
		echo "streamer=$src tester=$trc" > "$d/rc"
		testing "unit sandbox: RTMP URL from a LoadCredential= drop-in" \
			"cat '$d/rc' '$d/stub.json'; tail -n 5 '$d/streamer.log';
			 [ $trc -eq 0 ] && grep -q '\"stream\":\"$key\"' '$d/stub.json'"
		# YouTube, Twitch and most CDNs take the stream key as the last
		# path element (rtmp://host/app/KEY): it must not be logged.
		testing "unit sandbox: the stream key (last path element) is not logged" \
			"! grep -n '$key' '$d/streamer.log'"
	else
		skip "unit sandbox: RTMP URL from a LoadCredential= drop-in" "RTMP or its tester not built"
	fi
else
	skip "unit sandbox" "$why"
fi

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
INSTALL := install
CVMMAP_STREAMER_PKGDIR := $SRCTREE/support/buildroot/package/cvmmap-streamer
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
	\$(if \$(BR2_INIT_SYSTEMD),\$(CVMMAP_STREAMER_INSTALL_INIT_SYSTEMD))
	\$(if \$(BR2_INIT_SYSV)\$(BR2_INIT_BUSYBOX),\$(CVMMAP_STREAMER_INSTALL_INIT_SYSV))
	touch \$@
init-sysv:
	\$(if \$(BR2_INIT_SYSV)\$(BR2_INIT_BUSYBOX),\$(CVMMAP_STREAMER_INSTALL_INIT_SYSV))
print-%:
	@echo '\$(\$*)'
EOF
BRMAKE="$MAKE_CLEAN -f $br/shim.mk"
testing "recipe: defconfig name and .config path" \
	"[ \"\$($BRMAKE print-CVMMAP_STREAMER_KCONFIG_DEFCONFIG)\" = tiny_defconfig ] &&
	 [ \"\$($BRMAKE print-CVMMAP_STREAMER_KCONFIG_DOTCONFIG)\" = build/.config ] &&
	 [ \"\$($BRMAKE print-CVMMAP_STREAMER_SITE)\" = '$SRCTREE/support/buildroot/../..' ] &&
	 [ -f '$SRCTREE/support/buildroot/../../configs/tiny_defconfig' ]"
testing "recipe: licence for legal-info" \
	"[ \"\$($BRMAKE print-CVMMAP_STREAMER_LICENSE)\" = 'GPL-2.0+' ] &&
	 f=\$($BRMAKE print-CVMMAP_STREAMER_LICENSE_FILES) && [ -n \"\$f\" ] &&
	 for x in \$f; do grep -q 'GNU GENERAL PUBLIC LICENSE' '$SRCTREE/'\$x || exit 1; done"
testing "recipe: fully static with BR2_STATIC_LIBS, from pkg-config's static libraries" \
	"[ \"\$($BRMAKE print-CVMMAP_STREAMER_LINK)\" = CONFIG_LINK_DYNAMIC ] &&
	 [ \"\$($BRMAKE BR2_PACKAGE_CVMMAP_STREAMER_FULLY_STATIC=y print-CVMMAP_STREAMER_LINK)\" = CONFIG_LINK_FULLY_STATIC ] &&
	 $BRMAKE print-CVMMAP_STREAMER_MAKE_OPTS | grep -qw STATIC_LIBS=pkg-config &&
	 grep -q 'default y if BR2_STATIC_LIBS' '$SRCTREE/support/buildroot/package/cvmmap-streamer/Config.in'"
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
testing "recipe: installed a dynamic cvmmap_streamer and the unit (INSTALL_INIT_SYSTEMD)" \
	"sh '$SRCTREE/scripts/check_link.sh' '$br/target/usr/bin/cvmmap_streamer' dynamic &&
	 grep -qx 'ExecStart=/usr/bin/cvmmap_streamer .*' '$br/target/usr/lib/systemd/system/$unit' &&
	 grep -qx 'RestartSteps=5' '$br/target/usr/lib/systemd/system/$unit' &&
	 test -f '$br/target/etc/cvmmap-streamer/cvmmap-streamer.env.example' &&
	 test ! -e '$br/target/etc/init.d/S95cvmmap-streamer'"
rm -rf "$br/target2"
testing "recipe: BusyBox/SysV init gets S95cvmmap-streamer, no unit" \
	"$BRMAKE BR2_INIT_SYSTEMD= BR2_INIT_BUSYBOX=y TARGET_DIR='$br/target2' print-CVMMAP_STREAMER_INSTALL_INIT_SYSV > /dev/null &&
	 $BRMAKE BR2_INIT_SYSTEMD= BR2_INIT_BUSYBOX=y TARGET_DIR='$br/target2' init-sysv &&
	 test -x '$br/target2/etc/init.d/S95cvmmap-streamer' && test ! -d '$br/target2/usr/lib/systemd' &&
	 $BRMAKE print-CVMMAP_STREAMER_USERS | grep -q 'cvmmap-streamer -1 cvmmap-streamer -1 '"
# A real Buildroot tree, when BUILDROOT names one (CI has none).
if [ -n "${BUILDROOT:-}" ] && [ -f "$BUILDROOT/package/pkg-kconfig.mk" ]; then
	if (cd "$BUILDROOT" && python3 -c 'import magic, flake8') 2> /dev/null; then
		testing "Buildroot: utils/check-package -b finds nothing" \
			"cd '$BUILDROOT' && ./utils/check-package -b '$SRCTREE'/support/buildroot/*.* \
			 '$SRCTREE'/support/buildroot/Config.in '$SRCTREE'/support/buildroot/package/*/* 2>&1 |
			 tee /dev/stderr | grep -q '^0 warnings generated'"
	else
		skip "Buildroot: utils/check-package" "its Python modules magic and flake8 are missing"
	fi
	testing "Buildroot: the external tree parses, olddefconfig keeps the package" \
		"o='$TMP/brtree'; rm -rf \$o; mkdir -p \$o &&
		 printf 'BR2_aarch64=y\\nBR2_TOOLCHAIN_BUILDROOT_GLIBC=y\\nBR2_TOOLCHAIN_BUILDROOT_CXX=y\\nBR2_PACKAGE_CVMMAP_STREAMER=y\\n' > \$o/.config &&
		 $MAKE_CLEAN -C '$BUILDROOT' O=\$o BR2_EXTERNAL='$SRCTREE/support/buildroot' olddefconfig > \$o/log 2>&1 &&
		 grep -x 'BR2_PACKAGE_\\(CVMMAP_STREAMER\\|ZEROMQ\\|X264\\)=y' \$o/.config | wc -l | grep -qx 3"
else
	skip "Buildroot tree" "none (BUILDROOT=/path/to/buildroot runs check-package and olddefconfig)"
fi
finish
