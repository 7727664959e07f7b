#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# faults.sh - the rows of scripts/fault_suite.sh, one testing() line each.
. "$SRCTREE/test/suites/testing.sh"
EVIDENCE_DIR=$OBJTREE/test/tmp/faults
export EVIDENCE_DIR
rows=${FAULT_ROWS:-"torn sink-stall reset-storm producer-restart rtmp-restart udp-unreachable resize shutdown frame-accounting"}
for r in $rows; do
	testing "fault $r" \
		"out=\$(sh $SRCTREE/scripts/fault_suite.sh --row $r); rc=\$?; echo \"\$out\"; \
		 echo \"\$out\" | grep -q '^SKIP' && exit 77; exit \$rc"
done
finish
