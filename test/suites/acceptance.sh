#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# acceptance.sh - the acceptance rows of scripts/acceptance_standalone.sh,
# one testing() line each (small frames, bounded time).
. "$SRCTREE/test/suites/testing.sh"
optional CONFIG_TOOL_SIM || skip_all "CONFIG_TOOL_SIM off (no simulator)"
EVIDENCE_DIR=$OBJTREE/test/tmp/acceptance
export EVIDENCE_DIR
rows=${ACCEPTANCE_ROWS:-"rtp-h264 rtp-h265 rtmp-h264 rtmp-h265-enhanced rtmp-h265-domestic invalid passthrough-rtp-h264 passthrough-rtmp-h265"}
for r in $rows; do
	testing "acceptance $r" \
		"out=\$(sh $SRCTREE/scripts/acceptance_standalone.sh --row $r); rc=\$?; echo \"\$out\"; \
		 echo \"\$out\" | grep -q '^SKIP' && exit 77; exit \$rc"
done
finish
