#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# install-extras.sh - what `make install` adds beside the binaries.
#
# Called by the Makefile with SRCTREE, DESTDIR and PREFIX in the
# environment.  Installs:
#   $DESTDIR$PREFIX/lib/systemd/system/cvmmap-streamer@.service
#       (ExecStart= points at $PREFIX/bin/cvmmap_streamer)
#   $DESTDIR$SYSCONFDIR/cvmmap-streamer/cvmmap-streamer.env.example
#       (SYSCONFDIR defaults to /etc for every PREFIX: the unit reads
#       /etc/cvmmap-streamer/<instance>.env)
# Optional:  SYSTEMD_UNITDIR (overrides the unit directory; "none": no unit),
#            SYSTEMD_RESTART_STEPS=1 (systemd >= 254: exponential restart
#            backoff with RestartSteps=/RestartMaxDelaySec=).
set -eu
: "${SRCTREE:?}" "${PREFIX:?}"
DESTDIR=${DESTDIR:-}
SYSCONFDIR=${SYSCONFDIR:-/etc}
SYSTEMD_UNITDIR=${SYSTEMD_UNITDIR:-$PREFIX/lib/systemd/system}
unit=cvmmap-streamer@.service

install -d "$DESTDIR$SYSCONFDIR/cvmmap-streamer"
install -m 0644 "$SRCTREE/support/etc/cvmmap-streamer.env.example" \
	"$DESTDIR$SYSCONFDIR/cvmmap-streamer/cvmmap-streamer.env.example"
echo "  INSTALL $SYSCONFDIR/cvmmap-streamer/cvmmap-streamer.env.example"

[ "$SYSTEMD_UNITDIR" = none ] && exit 0
install -d "$DESTDIR$SYSTEMD_UNITDIR"
out=$DESTDIR$SYSTEMD_UNITDIR/$unit
sed -e "s|@BINDIR@|$PREFIX/bin|g" \
    -e "${SYSTEMD_RESTART_STEPS:+s/^#\(Restart\(Steps\|MaxDelaySec\)=\)/\1/}" \
    "$SRCTREE/support/systemd/$unit" > "$out.tmp"
chmod 0644 "$out.tmp"
mv "$out.tmp" "$out"
echo "  INSTALL $SYSTEMD_UNITDIR/$unit"
