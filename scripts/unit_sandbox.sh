#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# unit_sandbox.sh - run the ExecStart= of cvmmap-streamer@.service the way
# systemd would, as far as that is possible without systemd as PID 1
# (tests, debugging a unit on a build machine).
#
#   scripts/unit_sandbox.sh UNIT INSTANCE ENVFILE KEEPDIR
#
# UNIT      an installed cvmmap-streamer@.service (ExecStart= resolved)
# INSTANCE  the %i of the unit
# ENVFILE   the instance's env file ("" for none), as EnvironmentFile=
# KEEPDIR   stays writable; after the run, the RuntimeDirectory's files
#           are copied to KEEPDIR/run/
# None of these may lie under /tmp, which the private /tmp hides.
# Environment: SANDBOX_ROOT (prefix for the ExecStart= binary, e.g. the
# DESTDIR of `make install`), SANDBOX_STRACE=1 (trace the command with
# `strace -f` into KEEPDIR/strace.log), TEST_EXEC (prefix for the target binary, e.g. qemu),
# SANDBOX_UID (default 65534).  Exit status: the command's; 77 when this
# machine cannot build the sandbox (not root, no unshare/setpriv).
#
# Emulated, in new mount, PID and IPC namespaces (nothing changes on the
# host): DynamicUser=/User= (uid and gid SANDBOX_UID, no supplementary
# groups), NoNewPrivileges=, CapabilityBoundingSet= and AmbientCapabilities=
# (empty), UMask=, PrivateTmp= (tmpfs on /tmp and /var/tmp), BindReadOnlyPaths=
# (on a private tmpfs over /run, so the host's /run is not touched),
# RuntimeDirectory= and its mode, ProtectSystem=strict (every other mount
# read-only), ProtectHome=yes, ProtectProc=invisible + ProcSubset=pid (a
# new /proc), PrivateIPC=, Environment=/EnvironmentFile= with a clean
# environment, WorkingDirectory=/, LoadCredential= (names are searched in
# $SANDBOX_CREDSTORE, default /etc/credstore /run/credstore
# /usr/lib/credstore; the copies go to /run/credentials/UNIT/).
# Not emulated: the seccomp settings (SystemCallFilter=,
# RestrictAddressFamilies=, MemoryDenyWriteExecute=, LockPersonality=,
# RestrictNamespaces=, RestrictRealtime=; test/suites/install.sh compares an
# strace of a run with them instead), PrivateDevices=, PrivateUsers=,
# Protect{Clock,Hostname,Kernel*,ControlGroups}=.
set -eu

if [ "${1:-}" != --inner ]; then
	[ $# -eq 4 ] || { sed -n '5,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
	if [ "$(id -u)" != 0 ]; then
		echo "unit_sandbox: needs root (namespaces, setpriv)"; exit 77
	fi
	for t in unshare setpriv mount findmnt; do
		command -v $t > /dev/null 2>&1 || { echo "unit_sandbox: no $t"; exit 77; }
	done
	unshare --mount --pid --ipc --fork true 2> /dev/null ||
		{ echo "unit_sandbox: cannot create namespaces here"; exit 77; }
	# The private /tmp would hide them.
	for p in "$1" "$3" "$4" "${SANDBOX_ROOT:-}" ${SANDBOX_CREDSTORE:-}; do
		case $(realpath -m "${p:-/}") in /tmp|/tmp/*)
			echo "unit_sandbox: $p: must not be under /tmp" >&2; exit 2 ;;
		esac
	done
	exec unshare --mount --pid --ipc --fork --kill-child --propagation private \
		sh "$0" --inner "$@"
fi
shift
unit=$1 inst=$2 envfile=$3 keep=$4
uid=${SANDBOX_UID:-65534}

# key NAME: every value of NAME= in the unit, %i expanded, one per line.
key() {
	sed -n "s/^$1=//p" "$unit" | sed "s/%i/$inst/g"
}

# The command line, as systemd builds it: Environment=, then the env file
# (its values win), ${VAR} is one word, $VAR is split at white space.
# (One VAR=value per Environment= line, without quotes: all this unit has.)
set -f
set -a
envs=$(key Environment)
while IFS= read -r kv; do
	[ -n "$kv" ] && eval "$(echo "$kv" | sed "s/=\(.*\)/='\1'/")"
done << EOF
$envs
EOF
# shellcheck disable=SC1090
[ -z "$envfile" ] || . "$envfile"
set +a
exec_line=$(key ExecStart | head -n 1)
eval "set -- $exec_line"
bin=${SANDBOX_ROOT:-}$1
shift

# --- the namespaces (mount order matters: binds read the host's /tmp
# before the private /tmp covers it)
mount -t tmpfs -o mode=0755 sandbox-run /run
for b in $(key BindReadOnlyPaths); do
	src=${b%%:*} dst=${b#*:}
	mkdir -p "$dst"
	mount --bind "$src" "$dst"
	mount -o remount,bind,ro "$dst"
done
if [ "$(key PrivateTmp)" = yes ]; then
	mount -t tmpfs -o mode=1777 sandbox-tmp /tmp
	[ -d /var/tmp ] && mount -t tmpfs -o mode=1777 sandbox-vartmp /var/tmp
fi
rundir=
for r in $(key RuntimeDirectory); do
	rundir=/run/$r
	mkdir -p "$rundir"
	chown "$uid:$uid" "$rundir"
	chmod "$(key RuntimeDirectoryMode | head -n 1 | grep . || echo 0755)" "$rundir"
done
# LoadCredential=ID:PATH (absolute: must exist) or ID:NAME (searched in the
# credential store; missing is not an error), copied for the user only.
credir=/run/credentials/$(basename "$unit" | sed "s/@\.service\$/@$inst.service/")
for c in $(key LoadCredential); do
	id=${c%%:*} src=${c#*:}
	case $src in
	/*) [ -r "$src" ] || { echo "unit_sandbox: credential $id: no $src" >&2; exit 243; } ;;
	*)  f=
	    for d in ${SANDBOX_CREDSTORE:-/etc/credstore /run/credstore /usr/lib/credstore}; do
		[ -r "$d/$src" ] && { f=$d/$src; break; }
	    done
	    [ -n "$f" ] || continue
	    src=$f ;;
	esac
	mkdir -p "$credir"
	cp "$src" "$credir/$id"
	chown "$uid:$uid" "$credir/$id"
	chmod 0400 "$credir/$id"
done
[ -d "$credir" ] && chown "$uid:$uid" "$credir" && chmod 0500 "$credir"
[ -d "$credir" ] || credir=
if [ "$(key ProtectHome)" = yes ]; then
	for h in /home /root /run/user; do
		[ -d "$h" ] && mount -t tmpfs -o mode=0000,ro sandbox-home "$h"
	done
fi
mount --bind "$keep" "$keep"
if [ "$(key ProtectSystem)" = strict ]; then
	findmnt -rno TARGET | sort -u | while read -r m; do
		case $m in
		/dev|/dev/*|/proc|/proc/*|/sys|/sys/*|/run|/tmp|/var/tmp) continue ;;
		"$keep") continue ;;
		esac
		[ -n "$rundir" ] && [ "$m" = "$rundir" ] && continue
		mount -o remount,bind,ro "$m" 2> /dev/null || true
	done
fi
procopts=
[ "$(key ProtectProc)" = invisible ] && procopts=hidepid=invisible
[ "$(key ProcSubset)" = pid ] && procopts=${procopts:+$procopts,}subset=pid
mount -t proc ${procopts:+-o $procopts} proc /proc 2> /dev/null || mount -t proc proc /proc
umask "$(key UMask | head -n 1 | grep . || echo 0022)"
cd /

trace=
[ -n "${SANDBOX_STRACE:-}" ] && trace="strace -f -qq -o $keep/strace.log"
set +e
# shellcheck disable=SC2086
env -i PATH=/usr/local/bin:/usr/bin:/bin LANG=C ${rundir:+RUNTIME_DIRECTORY=$rundir} \
	${credir:+CREDENTIALS_DIRECTORY=$credir} \
	sh -c 'set -a; [ -z "$1" ] || . "$1"; set +a; shift; exec "$@"' sh "$envfile" \
	$trace setpriv --reuid="$uid" --regid="$uid" --clear-groups --no-new-privs \
	--inh-caps=-all --bounding-set=-all -- ${TEST_EXEC:-} "$bin" "$@"
rc=$?
if [ -n "$rundir" ]; then
	mkdir -p "$keep/run"
	cp -Rp "$rundir/." "$keep/run/" 2> /dev/null
fi
exit $rc
