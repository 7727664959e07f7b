#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# check_link.sh - check that a binary matches its link mode.
#
#   scripts/check_link.sh BIN MODE
#   MODE: fully-static | mostly-static | dynamic  (or the Kconfig names
#         LINK_FULLY_STATIC, CONFIG_LINK_MOSTLY_STATIC, ...)
#
# fully-static   no program interpreter (PT_INTERP) and no DT_NEEDED.
# mostly-static  an interpreter, and DT_NEEDED only glibc's own libraries
#                (libc, libm, ld-linux*, libpthread, libdl, librt,
#                libresolv): libzmq, x264, x265, libstdc++ and libgcc_s
#                must be inside the binary.  The highest GLIBC_x.y symbol
#                version it needs must not exceed $GLIBC_FLOOR (default
#                GLIBC_2.35: Ubuntu 22.04 / JetPack 6; docs/toolchain.md §2.3).
# dynamic        an interpreter (anything may be NEEDED).
#
# Uses readelf only, so it works for any ELF target (x86_64, aarch64).
# Prints one line; exit 0 when the binary matches, 1 when not, 2 on usage.
set -u
GLIBC_FLOOR=${GLIBC_FLOOR:-GLIBC_2.35}
READELF=${READELF:-readelf}

if [ $# -ne 2 ]; then
	echo "usage: check_link.sh BIN fully-static|mostly-static|dynamic" >&2
	exit 2
fi
bin=$1
mode=$(echo "$2" | sed 's/^CONFIG_//; s/^LINK_//' | tr 'A-Z_' 'a-z-')
case $mode in
fully-static|mostly-static|dynamic) ;;
*) echo "check_link: unknown mode '$2'" >&2; exit 2 ;;
esac
if ! $READELF -h "$bin" >/dev/null 2>&1; then
	echo "check_link: $bin: not an ELF file" >&2
	exit 2
fi

fail() {
	echo "check_link: $bin: FAIL $mode: $*"
	exit 1
}

interp=$($READELF -lW "$bin" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
needed=$($READELF -dW "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
needed=${needed% }
# Highest GLIBC_ symbol version the dynamic symbol table asks for (the
# same answer as `objdump -T BIN | grep -o 'GLIBC_[0-9.]*' | sort -V | tail -1`).
floor=$($READELF -W --dyn-syms "$bin" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n 1)

case $mode in
fully-static)
	[ -z "$interp" ] || fail "has interpreter $interp"
	[ -z "$needed" ] || fail "needs $needed"
	echo "check_link: $bin: fully-static OK (no interpreter, no NEEDED)"
	;;
mostly-static)
	[ -n "$interp" ] || fail "no interpreter (fully static?)"
	bad=
	for lib in $needed; do
		case $lib in
		libc.so.*|libm.so.*|ld-linux*.so.*|libpthread.so.*|libdl.so.*|\
		librt.so.*|libresolv.so.*) ;;
		*) bad="$bad $lib" ;;
		esac
	done
	[ -z "$bad" ] || fail "non-glibc NEEDED:$bad"
	if [ -n "$floor" ]; then
		top=$(printf '%s\n%s\n' "$floor" "$GLIBC_FLOOR" | sort -V | tail -n 1)
		if [ "$top" != "$GLIBC_FLOOR" ]; then
			syms=$($READELF -W --dyn-syms "$bin" | grep "@$floor" |
				awk '{print $8}' | sed 's/@.*//' | sort -u | tr '\n' ' ')
			fail "needs $floor > $GLIBC_FLOOR (symbols: ${syms% })"
		fi
	fi
	echo "check_link: $bin: mostly-static OK (NEEDED: $needed; glibc floor ${floor:-none} <= $GLIBC_FLOOR)"
	;;
dynamic)
	[ -n "$interp" ] || fail "no interpreter (statically linked)"
	echo "check_link: $bin: dynamic OK (NEEDED: ${needed:-none}; glibc floor ${floor:-none})"
	;;
esac
exit 0
