#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# initramfs_check.sh - boot the fully static streamer in a minimal
# initramfs under qemu-system (TCG) and stream on the guest's loopback
# (`make initramfs-check`, CI step "initramfs"; docs/firmware.md).
#
#   scripts/initramfs_check.sh OBJTREE...
#
# Each OBJTREE is a build of a fully static configuration (tiny_defconfig
# for x86_64, jetson_defconfig for aarch64); the architecture comes from
# its cvmmap_streamer.  The image holds BusyBox (Debian's busybox-static),
# /usr/bin/{cvmmap_streamer,cvmmap_sim,rtp_receiver_tester}, the Buildroot
# package's init script and a /init; no /etc, no library.  The kernel is
# Debian's cloud kernel (every option the streamer needs is built in: no
# modules).  Both come from `apt-get download` into $INITRAMFS_CACHE
# (default build/firmware-cache) and are unpacked with dpkg-deb; nothing
# is installed on the host.  The guest runs four rows, each checked by the
# receiver's JSON (>= 20 access units, a keyframe led by parameter sets,
# nothing malformed):
#   dummy      the built-in dummy input -> RTP 127.0.0.1
#   sim        cvmmap_sim -> streamer over POSIX shm on /dev/shm (tmpfs)
#              and ZeroMQ ipc:// (AF_UNIX) -> RTP 127.0.0.1
#   localhost  --rtp-endpoint localhost:PORT with no /etc/hosts, no NSS
#   init       S95cvmmap-streamer start/stop with an env file: the streamer
#              runs as the user cvmmap-streamer and stops (this row adds
#              /etc/passwd, /etc/group and /etc/cvmmap-streamer/cam0.env)
# prints "INITRAMFS: PASS|FAIL row" on the console and powers off; this
# script adds one row per boot (booted, all rows reported, powered off in
# time) and ends with "N passed, N failed, N skipped".
#
# SKIP (exit 0) when cpio, dpkg-deb, qemu-system-<arch> or the Debian
# packages are not available (scripts/deps.sh installs qemu-system-x86,
# qemu-system-arm and cpio).  Every qemu run is bounded by timeout(1).
#   INITRAMFS_TIMEOUT  seconds per boot (default 120 x86_64, 180 aarch64)
#   INITRAMFS_BREAK    dummy|sim|localhost|init: that row's streamer sends
#                      to a wrong port; shm: no /dev/shm (the rows can fail)
set -u
SRCTREE=${SRCTREE:-$(cd "$(dirname "$0")/.." && pwd)}
CACHE=${INITRAMFS_CACHE:-$SRCTREE/build/firmware-cache}
pass=0 fail=0 skip=0

row() { # PASS|FAIL|SKIP text
	echo "$1 $2"
	case $1 in PASS) pass=$((pass + 1)) ;; FAIL) fail=$((fail + 1)) ;; *) skip=$((skip + 1)) ;; esac
}
finish() {
	echo "$pass passed, $fail failed, $skip skipped"
	[ "$fail" -eq 0 ]
	exit $?
}

[ $# -ge 1 ] || { echo "usage: initramfs_check.sh OBJTREE..." >&2; exit 2; }
for t in cpio dpkg-deb readelf; do
	command -v $t > /dev/null || { row SKIP "initramfs ($t not installed: scripts/deps.sh)"; finish; }
done
mkdir -p "$CACHE"

# deb PKG DEBARCH: the path of PKG's .deb in the cache, downloaded with
# `apt-get download` when missing; empty when neither works.  The kernel's
# meta package (linux-image-cloud-amd64) is resolved to the image it
# depends on, so the cache follows Debian's kernel updates (an image it
# replaces is deleted); offline, a cached image is used.
deb() {
	want=$1 glob=$1
	case $1 in linux-image-cloud-*)
		glob="linux-image-*-${1#linux-image-}"
		want=$(apt-cache depends "$1:$2" 2> /dev/null |
			sed -n 's/^ *Depends: \(linux-image-[^ :]*\).*/\1/p' | head -n 1) ;;
	esac
	if [ -n "$want" ] && [ -z "$(ls "$CACHE/${want}_"*"_$2.deb" 2> /dev/null)" ]; then
		(cd "$CACHE" && apt-get -q -o APT::Sandbox::User=root download "$want:$2") \
			>> "$CACHE/download.log" 2>&1 && [ "$want" != "$glob" ] &&
			for f in "$CACHE"/$glob*_"$2".*; do
				case $f in "$CACHE/${want}_"*) ;; *) rm -f "$f" ;; esac
			done
	fi
	# shellcheck disable=SC2086
	ls "$CACHE"/${want:-$glob}_*_"$2".deb "$CACHE"/${glob}_*_"$2".deb 2> /dev/null | head -n 1
}

# unpack DEB MEMBER OUT: one file of DEB's data (./boot/vmlinuz-*,
# ./bin/busybox) to OUT, cached beside the .deb.
unpack() {
	c=${1%.deb}.$(basename "$3")
	if [ ! -s "$c" ]; then
		d=$(mktemp -d "$CACHE/x.XXXXXX") || return 1
		dpkg-deb --fsys-tarfile "$1" | tar -x -C "$d" --wildcards "$2" &&
			mv "$(ls "$d"/${2#./} | head -n 1)" "$c"
		rm -rf "$d"
	fi
	[ -s "$c" ] && cp "$c" "$3"
}

# The guest's /init (BusyBox ash).  Rows print "INITRAMFS: PASS|FAIL ...".
write_init() {
	cat > "$1" <<'EOF'
#!/bin/busybox sh
# /init of scripts/initramfs_check.sh: mount what the streamer needs,
# stream on loopback four ways, report, power off.
/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin
mount -t devtmpfs devtmpfs /dev
exec < /dev/console > /dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=1777 tmpfs /tmp
brk=$(sed -n 's/.*cvs\.break=\([a-z]*\).*/\1/p' /proc/cmdline)
if [ "$brk" != shm ]; then
	mkdir -p /dev/shm && mount -t tmpfs -o mode=1777,nosuid,nodev shm /dev/shm
fi
ip link set lo up
echo
echo "INITRAMFS: up $(cut -d' ' -f1 /proc/uptime) s after boot, $(uname -m) $(uname -r)"
R=/tmp

# rx PORT NAME: start the receiver (20 AUs) and wait until its UDP port is
# bound (/proc/net/udp lists it in hex).
rx() {
	timeout 60 rtp_receiver_tester --port "$1" --au-threshold 20 --timeout-ms 20000 \
		--json > $R/$2.json 2> $R/$2.rx.log &
	rxpid=$!
	hex=$(printf ':%04X ' "$1") i=0
	while ! grep -q "$hex" /proc/net/udp && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}
# port PORT NAME: where row NAME's streamer sends (wrong under cvs.break=NAME).
port() { if [ "$brk" = "$2" ]; then echo $(($1 + 100)); else echo "$1"; fi; }
# verdict NAME TEXT [EXTRA-FAILURE]: PASS when the receiver exited 0 and
# its JSON has >= 20 AUs, a keyframe led by parameter sets, nothing malformed.
verdict() {
	if [ -n "$rxpid" ]; then wait $rxpid; rc=$?; else rc=$rxrc; fi
	j=$R/$1.json
	aus=$(sed -n 's/.*"aus":\([0-9]*\).*/\1/p' $j)
	if [ $rc -eq 0 ] && [ "${aus:-0}" -ge 20 ] && [ -z "${3:-}" ] &&
	   grep -q '"first_keyframe_has_params":true' $j && grep -q '"malformed":0,' $j; then
		echo "INITRAMFS: PASS $2 ($aus AUs)"
	else
		echo "INITRAMFS: FAIL $2 (receiver exit $rc, ${aus:-no} AUs${3:+, $3})"
		for f in $R/$1*; do echo "--- $f"; tail -n 5 "$f"; done
	fi
}
S="cvmmap_streamer --no-nats --stats-interval-ms 0 --rtp"
DUMMY="--input-mode dummy --dummy-width 160 --dummy-height 120 --dummy-fps 30 --dummy-frames 45"

rx 5004 dummy
timeout 60 $S $DUMMY --rtp-endpoint 127.0.0.1:$(port 5004 dummy) > $R/dummy.log 2>&1
verdict dummy "dummy input -> RTP 127.0.0.1"

rx 5006 sim
timeout 60 $S --input initramfs --ingest-idle-timeout-ms 3000 \
	--rtp-endpoint 127.0.0.1:$(port 5006 sim) > $R/sim.log 2>&1 &
spid=$!
timeout 60 cvmmap_sim --instance initramfs --width 160 --height 120 --fps 30 \
	--frames 60 > $R/sim.sim.log 2>&1 &
mpid=$!
i=0 unseen="no /dev/shm/cvmmap_initramfs or no socket /tmp/cvmmap_initramfs"
while [ $i -lt 50 ] && [ -n "$unseen" ]; do
	[ -f /dev/shm/cvmmap_initramfs ] && [ -S /tmp/cvmmap_initramfs ] && unseen=
	sleep 0.1; i=$((i + 1))
done
wait $mpid; wait $spid
verdict sim "cvmmap_sim -> streamer (shm /dev/shm, zmq ipc) -> RTP" "$unseen"

rx 5008 localhost
etc=
[ -e /etc/hosts ] || [ -e /etc/nsswitch.conf ] && etc="an /etc/hosts or nsswitch.conf exists"
timeout 60 $S $DUMMY --rtp-endpoint localhost:$(port 5008 localhost) > $R/localhost.log 2>&1
verdict localhost "localhost endpoint, no /etc/hosts" "$etc"

# The Buildroot package's BusyBox init script: a streamer per env file, as
# the user cvmmap-streamer, reading the simulator at its default /tmp
# prefix; stop must end it and remove its PID file.
mkdir -p /etc/init.d /etc/cvmmap-streamer /var/run /var/log
printf 'root:x:0:0::/:/bin/sh\ncvmmap-streamer:x:100:100::/:/bin/false\n' > /etc/passwd
printf 'root:x:0:\ncvmmap-streamer:x:100:\n' > /etc/group
cp /usr/share/cvmmap-streamer/S95cvmmap-streamer /etc/init.d/
chmod 755 /etc/init.d/S95cvmmap-streamer
echo "CVMMAP_STREAMER_ARGS=\"--no-nats --stats-interval-ms 0 --rtp --rtp-endpoint 127.0.0.1:$(port 5010 init)\"" \
	> /etc/cvmmap-streamer/cam0.env
timeout 60 cvmmap_sim --instance cam0 --width 160 --height 120 --fps 30 --frames 150 > $R/init.sim.log 2>&1 &
mpid=$!
rx 5010 init
/etc/init.d/S95cvmmap-streamer start > $R/init.start.log 2>&1
why=$(cat $R/init.start.log)
grep -q OK $R/init.start.log && why=
pid=$(cat /var/run/cvmmap-streamer.cam0.pid 2> /dev/null)
uid=$(sed -n 's/^Uid:[^0-9]*\([0-9]*\).*/\1/p' /proc/${pid:-0}/status 2> /dev/null)
[ "$uid" = 100 ] || why="${why:+$why, }streamer uid ${uid:-none}, want 100"
wait $rxpid; rxrc=$?
/etc/init.d/S95cvmmap-streamer stop > $R/init.stop.log 2>&1 || why="${why:+$why, }stop failed"
{ [ -e /var/run/cvmmap-streamer.cam0.pid ] || kill -0 "${pid:-0}" 2> /dev/null; } && why="${why:+$why, }still running after stop"
kill $mpid 2> /dev/null; wait $mpid
cp /var/log/cvmmap-streamer.cam0.log $R/init.streamer.log
rxpid=
verdict init "S95cvmmap-streamer start/stop (env file, user cvmmap-streamer)" "$why"

echo "INITRAMFS: DONE $(cut -d' ' -f1 /proc/uptime) s"
poweroff -f
EOF
	chmod 755 "$1"
}

# boot OBJTREE: build the image of OBJTREE's programs, boot it, report.
boot() {
	o=$(cd "$1" 2> /dev/null && pwd) || { row FAIL "initramfs $1 (no such build tree)"; return; }
	s=$o/bin/cvmmap_streamer
	case $(readelf -h "$s" 2> /dev/null | sed -n 's/^ *Machine: *//p') in
	*X86-64*)  arch=x86_64  darch=amd64 tty=ttyS0   mach="-M pc" ;;
	*AArch64*) arch=aarch64 darch=arm64 tty=ttyAMA0 mach="-M virt -cpu cortex-a57" ;;
	*) row FAIL "initramfs $1 (no x86_64 or aarch64 $s)"; return ;;
	esac
	for b in cvmmap_streamer cvmmap_sim rtp_receiver_tester; do
		sh "$SRCTREE/scripts/check_link.sh" "$o/bin/$b" fully-static > /dev/null 2>&1 || {
			row FAIL "$arch: $o/bin/$b is missing or not fully static (tiny_defconfig, jetson_defconfig)"
			return; }
	done
	qemu=qemu-system-$arch
	command -v "$qemu" > /dev/null || { row SKIP "$arch: initramfs boot ($qemu not installed: scripts/deps.sh)"; return; }
	kdeb=$(deb linux-image-cloud-$darch $darch) bdeb=$(deb busybox-static $darch)
	[ -n "$kdeb" ] && [ -n "$bdeb" ] || {
		row SKIP "$arch: initramfs boot (apt-get download of the $darch kernel or busybox-static failed; $CACHE/download.log)"
		return; }

	w=$o/initramfs
	rm -rf "$w" && mkdir -p "$w/root/bin" "$w/root/dev" "$w/root/proc" "$w/root/sys" "$w/root/tmp"
	unpack "$kdeb" './boot/vmlinuz-*' "$w/vmlinuz" &&
		unpack "$bdeb" ./bin/busybox "$w/root/bin/busybox" || {
		row FAIL "$arch: unpacking $kdeb / $bdeb"; return; }
	mkdir -p "$w/root/usr/bin" "$w/root/usr/share/cvmmap-streamer"
	for b in cvmmap_streamer cvmmap_sim rtp_receiver_tester; do cp "$o/bin/$b" "$w/root/usr/bin/"; done
	cp "$SRCTREE/support/buildroot/package/cvmmap-streamer/S95cvmmap-streamer" "$w/root/usr/share/cvmmap-streamer/"
	write_init "$w/root/init"
	(cd "$w/root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$w/initramfs.cpio" || {
		row FAIL "$arch: cpio"; return; }

	case $arch in x86_64) limit=${INITRAMFS_TIMEOUT:-120} ;; *) limit=${INITRAMFS_TIMEOUT:-180} ;; esac
	t0=$(date +%s)
	# shellcheck disable=SC2086
	timeout -k 5 "$limit" "$qemu" $mach -accel tcg -m 512 -smp 1 -nic none -nographic -no-reboot \
		-kernel "$w/vmlinuz" -initrd "$w/initramfs.cpio" \
		-append "console=$tty quiet panic=-1 cvs.break=${INITRAMFS_BREAK:-none}" \
		< /dev/null > "$w/console.log" 2>&1 &
	qpid=$!
	wait $qpid
	rc=$?
	qpid=
	secs=$(($(date +%s) - t0))
	tr -d '\r' < "$w/console.log" > "$w/console.txt"
	sed -n 's/^.*INITRAMFS: \(PASS\|FAIL\) /\1 /p' "$w/console.txt" | while read -r v text; do
		echo "$v $arch: $text"
	done > "$w/rows"
	cat "$w/rows"
	pass=$((pass + $(grep -c '^PASS' "$w/rows"))) fail=$((fail + $(grep -c '^FAIL' "$w/rows")))
	grep -q '^FAIL' "$w/rows" && sed -n '/^--- /,/INITRAMFS: DONE/p' "$w/console.txt" | sed 's/^/    /'
	n=$(wc -l < "$w/rows")
	if [ $rc -eq 0 ] && [ "$n" -eq 4 ] && grep -q 'INITRAMFS: DONE' "$w/console.txt"; then
		row PASS "$arch: boots $(basename "$kdeb" | cut -d_ -f1) + busybox, 4 rows, powers off ($secs s; $(sed -n 's/^.*INITRAMFS: up \([0-9.]*\) s.*/\1/p' "$w/console.txt") s to /init)"
	else
		row FAIL "$arch: boot (qemu exit $rc after $secs s, $n of 4 rows; console $w/console.txt)"
		tail -n 20 "$w/console.txt" | sed 's/^/    /'
	fi
}

qpid=
trap 'if [ -n "$qpid" ]; then kill "$qpid" 2> /dev/null; fi' EXIT
trap 'exit 130' INT TERM
for o in "$@"; do boot "$o"; done
finish
