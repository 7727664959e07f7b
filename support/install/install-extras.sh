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
#   $DESTDIR$DOCDIR/LICENSE (DOCDIR defaults to $PREFIX/share/doc/
#       cvmmap-streamer): the GPL text that must accompany the binaries
#       (docs/deploy.md, "Licence and firmware")
# Optional:  SYSTEMD_UNITDIR (overrides the unit directory; "none": no unit),
#            DOCDIR ("none": no licence file, e.g. when the firmware build
#            collects licences itself, as Buildroot's legal-info does),
#            SYSTEMD_RESTART_STEPS=1 (systemd >= 254: exponential restart
#            backoff with RestartSteps=/RestartMaxDelaySec=).
set -eu
: "${SRCTREE:?}" "${PREFIX:?}"
DESTDIR=${DESTDIR:-}
SYSCONFDIR=${SYSCONFDIR:-/etc}
SYSTEMD_UNITDIR=${SYSTEMD_UNITDIR:-$PREFIX/lib/systemd/system}
DOCDIR=${DOCDIR:-$PREFIX/share/doc/cvmmap-streamer}
unit=cvmmap-streamer@.service

if [ "$DOCDIR" != none ]; then
	install -d "$DESTDIR$DOCDIR"
	install -m 0644 "$SRCTREE/LICENSE" "$DESTDIR$DOCDIR/LICENSE"
	echo "  INSTALL $DOCDIR/LICENSE"
fi

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
