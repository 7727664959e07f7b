#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# kconfig.sh - run one Kconfig action with whichever Debian front end exists.
#
#   scripts/kconfig/kconfig.sh ACTION [FILE]
#   ACTION: defconfig FILE | savedefconfig FILE | olddefconfig |
#           allnoconfig | allyesconfig | menuconfig |
#           have (exit 0: olddefconfig is possible; miniconf always is)
#
# Prefers kconfig-frontends-nox (kconfig-conf/kconfig-mconf), falls back to
# python3-kconfiglib run by /usr/bin/python3 (a python3 earlier on PATH may
# not see Debian's modules), then to scripts/kconfig/miniconf.sh (POSIX sh
# + awk, no menu): every action but menuconfig works on a host without any
# Kconfig front end, e.g. inside Buildroot.  KCONFIG_FRONTEND=miniconf
# uses it even where a front end is installed.  Run from the source tree;
# KCONFIG_CONFIG names the .config to read and write.
set -eu
action=$1; file=${2:-}
: "${KCONFIG_CONFIG:=.config}"
export KCONFIG_CONFIG
unset srctree 2>/dev/null || true

if [ "${KCONFIG_FRONTEND:-}" = miniconf ]; then
	case $action in
	have)          exit 0 ;;
	menuconfig)    echo "kconfig: menuconfig needs kconfig-frontends-nox or python3-kconfiglib" >&2; exit 2 ;;
	*)             exec sh scripts/kconfig/miniconf.sh "$action" "$file" ;;
	esac
elif command -v kconfig-conf >/dev/null 2>&1; then
	case $action in
	have)          exit 0 ;;
	defconfig)     exec kconfig-conf --defconfig="$file" Kconfig ;;
	savedefconfig) exec kconfig-conf --savedefconfig="$file" Kconfig ;;
	olddefconfig)  exec kconfig-conf --olddefconfig Kconfig ;;
	allnoconfig)   exec kconfig-conf --allnoconfig Kconfig ;;
	allyesconfig)  exec kconfig-conf --allyesconfig Kconfig ;;
	menuconfig)    exec kconfig-mconf Kconfig ;;
	esac
elif /usr/bin/python3 -c 'import kconfiglib' 2>/dev/null; then
	case $action in
	have)          exit 0 ;;
	defconfig)     exec /usr/bin/python3 -m defconfig --kconfig Kconfig "$file" ;;
	savedefconfig) exec /usr/bin/python3 -m savedefconfig --kconfig Kconfig --out "$file" ;;
	olddefconfig)  exec /usr/bin/python3 -m olddefconfig Kconfig ;;
	allnoconfig)   exec /usr/bin/python3 -m allnoconfig Kconfig ;;
	allyesconfig)  exec /usr/bin/python3 -m allyesconfig Kconfig ;;
	menuconfig)    exec /usr/bin/python3 -m menuconfig Kconfig ;;
	esac
else
	case $action in
	have)          exit 0 ;;
	menuconfig)
		echo "kconfig: no Kconfig front end found (menuconfig needs one)." >&2
		echo "kconfig: install one with: sudo scripts/deps.sh   (or: apt-get install kconfig-frontends-nox)" >&2
		exit 2 ;;
	*)             exec sh scripts/kconfig/miniconf.sh "$action" "$file" ;;
	esac
fi
echo "kconfig: unknown action '$action'" >&2
exit 2
