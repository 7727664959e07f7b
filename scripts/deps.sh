#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# deps.sh - install the Debian 12 packages the build, the tests and the
# interop peers need (docs/toolchain.md section 1, docs/peers.md).
#
#   scripts/deps.sh [--cross] [--build-only | --peers-only] [--check | --print | --list]
#   scripts/deps.sh --list-target
#
#   --cross       also the aarch64 cross toolchain, qemu-user and the arm64
#                 twin of every target library (adds the arm64 architecture)
#   --build-only  only what `make` needs
#   --peers-only  only the test tools and interop peers
#   --check       install nothing; exit 1 and list what is missing
#   --print       print the apt-get command instead of running it
#   --list        print the selected packages, one a line (installed or not)
#   --list-target print the -dev packages of the libraries linked into
#                 target programs (their :arm64 twins come with --cross)
#
# Idempotent: when every package is already installed (dpkg-query) it runs
# neither `apt-get update` nor `apt-get install`.  Needs root; otherwise it
# prints the exact sudo command and exits 1.  The arm64 packages are
# installed without their recommendations (GPU drivers and the like that a
# cross build never uses).
set -eu

cross=0 build=1 peers=1 check=0 print=0 list=0
for a in "$@"; do
	case $a in
	--cross)      cross=1 ;;
	--build-only) peers=0 ;;
	--peers-only) build=0 ;;
	--check)      check=1 ;;
	--print)      print=1 ;;
	--list)       list=1 ;;
	--list-target) list=2 ;;
	-h|--help)    sed -n '3,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "deps.sh: unknown option '$a' (try --help)" >&2; exit 2 ;;
	esac
done

# Libraries linked into target programs (Makefile libs-y keywords: zmq,
# x264, x265 with libnuma; the ZED tools' zstd, lz4, libavcodec, libavutil).
# A cross build needs the arm64 twin of each: CROSS_ARM64 below.
TARGET="libzmq3-dev libx264-dev libx265-dev libnuma-dev libzstd-dev liblz4-dev
libavcodec-dev libavutil-dev"
# Build: compiler, Kconfig front ends, NVENC headers, the target libraries.
BUILD="gcc make pkg-config binutils file libffmpeg-nvenc-dev
kconfig-frontends-nox python3-kconfiglib libncurses-dev $TARGET"
# Tests and peers: python3 for free_port, the real peers of docs/peers.md,
# gst-rtsp-server (gi) as the RTSP suite's reference server,
# clang + compiler-rt for the fuzzers, valgrind, and qemu-system + cpio
# for the initramfs boot test (scripts/initramfs_check.sh; its kernels and
# BusyBox are fetched with `apt-get download`, not installed); srt-tools
# (3.4 MB, on FFmpeg's libsrt1.5-gnutls) for the srt suite's
# srt-live-transmit relay row; python3-zmq (pyzmq, the upstream producer's
# ZeroMQ binding) as a publisher for the ingest suite.
PEERS="python3 python3-zmq ffmpeg srt-tools gstreamer1.0-tools gstreamer1.0-plugins-base
gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly
gstreamer1.0-libav gir1.2-gst-rtsp-server-1.0 python3-gi nginx
libnginx-mod-rtmp nats-server clang libclang-rt-14-dev valgrind prometheus
qemu-system-x86 qemu-system-arm cpio"
# Installed without recommendations: prometheus is here for promtool
# (metrics suite), not for its exporters; qemu-system-* without their GUI,
# UEFI firmware and block back-ends (the test boots -kernel, no disks).
NORECS="prometheus qemu-system-x86 qemu-system-arm"
# Cross: aarch64 toolchain, qemu-user, target archives from arm64 multiarch.
CROSS="gcc-aarch64-linux-gnu g++-aarch64-linux-gnu qemu-user-static
binfmt-support"
CROSS_ARM64=$(for p in $TARGET; do echo "$p:arm64"; done)
# Optional: libsrt (CONFIG_SRT, docs/srt.md) in its OpenSSL flavour, the
# one with a plain libsrt.a.  It conflicts with libsrt-gnutls-dev (which
# FFmpeg's runtime does not need: FFmpeg uses libsrt1.5-gnutls, which
# coexists): when that is installed, or the package cannot be installed,
# the build leaves --srt out (src/proto/srt.kbuild) and the srt suite
# skips; nothing else fails.  --check does not count it as missing.
OPTIONAL="libsrt-openssl-dev"
if [ $list = 2 ]; then
	for p in $TARGET $OPTIONAL; do echo "$p"; done
	exit 0
fi

want=
[ $build = 1 ] && want="$want $BUILD"
if [ $peers = 1 ]; then
	want="$want $PEERS"
	# node-media-server runs from npm.  NodeSource's nodejs bundles npm
	# and conflicts with Debian's npm: keep whatever already works.
	if ! { command -v node && command -v npm; } >/dev/null 2>&1; then
		want="$want nodejs npm"
	fi
fi
[ $cross = 1 ] && want="$want $CROSS $CROSS_ARM64"
opt=
[ $build = 1 ] && opt=$OPTIONAL
[ $build = 1 ] && [ $cross = 1 ] && opt="$opt $(for p in $OPTIONAL; do echo "$p:arm64"; done)"
if [ $list = 1 ]; then
	for p in $want $opt; do echo "$p"; done
	exit 0
fi

# installed PKG: true when dpkg has PKG fully installed; a name without
# ":arch" means the native (or an arch-independent) package, since with
# arm64 enabled dpkg-query lists both instances of a multiarch package.
native=$(dpkg --print-architecture)
installed() {
	case $1 in
	*:*) archs=${1#*:} ;;
	*)   archs="$native all" ;;
	esac
	dpkg-query -W -f='${db:Status-Abbrev}${Architecture}\n' "$1" 2>/dev/null |
	while read -r st arch; do
		[ "$st" = ii ] && case " $archs " in *" $arch "*) echo y ;; esac
	done | grep -q y
}

missing=
for p in $want; do
	installed "$p" || missing="$missing $p"
done
need_arch=0
if [ $cross = 1 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
	need_arch=1
fi

# optional_install: the optional packages, one apt-get each, best effort.
optional_install() {
	[ "$(id -u)" = 0 ] || return 0
	for p in $opt; do
		installed "$p" && continue
		if installed libsrt-gnutls-dev || installed libsrt-gnutls-dev:arm64; then
			echo "deps.sh: libsrt-gnutls-dev is installed (conflicts with $p):" \
				"building without --srt; remove it to get SRT"
			return 0
		fi
		[ $check = 1 ] || [ $print = 1 ] && continue
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$p" \
			> /dev/null 2>&1 || echo "deps.sh: optional $p not installable: building without --srt"
	done
	return 0
}

if [ -z "$missing" ] && [ $need_arch = 0 ]; then
	optional_install
	echo "deps.sh: all packages installed"
	exit 0
fi
if [ $check = 1 ]; then
	echo "deps.sh: missing:$missing"
	[ $need_arch = 1 ] && echo "deps.sh: arm64 architecture not enabled"
	exit 1
fi

# The arm64 packages (and NORECS) in a second apt-get, without
# recommendations.
native_missing='' arm64_missing=''
for p in $missing; do
	case $p in
	*:arm64) arm64_missing="$arm64_missing $p" ;;
	*) case " $NORECS " in
	   *" $p "*) arm64_missing="$arm64_missing $p" ;;
	   *) native_missing="$native_missing $p" ;;
	   esac ;;
	esac
done
apt="DEBIAN_FRONTEND=noninteractive apt-get install -y"
cmd=
[ $need_arch = 1 ] && cmd="dpkg --add-architecture arm64 && "
cmd="${cmd}apt-get update"
[ -n "$native_missing" ] && cmd="$cmd && $apt$native_missing"
[ -n "$arm64_missing" ] && cmd="$cmd && $apt --no-install-recommends$arm64_missing"
if [ $print = 1 ]; then
	echo "$cmd"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: needs root; run:" >&2
	echo "  sudo sh -c '$cmd'" >&2
	exit 1
fi
echo "deps.sh: installing:$missing"
# Packages that ship a daemon (prometheus, nginx, nats-server) must not
# start one: the tests start their own, bounded, on loopback.  A
# policy-rc.d that answers 101 tells invoke-rc.d(8) so during the install.
rcd=/usr/sbin/policy-rc.d
own_rcd=0
if [ ! -e $rcd ]; then
	printf '#!/bin/sh\nexit 101\n' > $rcd && chmod 755 $rcd && own_rcd=1
fi
sh -c "$cmd"
rc=$?
[ $rc = 0 ] && optional_install
[ $own_rcd = 1 ] && rm -f $rcd
exit $rc
