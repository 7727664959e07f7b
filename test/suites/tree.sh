#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tree.sh - rules about the source tree itself (no build needed).
#
# 1. Every source, script and build file carries an SPDX licence line
#    (the tree links GPL x264/x265 statically: LICENSE, GPL-2.0-or-later).
. "$SRCTREE/test/suites/testing.sh"
cd "$SRCTREE" || exit 1


if git rev-parse --git-dir > /dev/null 2>&1; then
	testing "every source file has an SPDX line" \
		"bad=0; for f in \$(cd '$SRCTREE' && git ls-files | grep -vE '(^test/vectors/|^test/ref/|^test/fuzz/corpus/|\\.md\$|\\.hex\$|\\.h26[45]\$|\\.json\$|\\.ksy\$|\\.supp\$|defconfig\$|^LICENSE\$|^\\.gitignore\$|external\\.desc\$)'); do
		   [ -f '$SRCTREE'/\$f ] || continue
		   head -n 3 '$SRCTREE'/\$f | grep -q 'SPDX-License-Identifier: GPL-2.0-or-later' || { echo \"no SPDX line: \$f\"; bad=1; }
		 done; exit \$bad"
	testing "LICENSE is the GPL version 2" "grep -q 'GNU GENERAL PUBLIC LICENSE' '$SRCTREE/LICENSE' && grep -q 'Version 2, June 1991' '$SRCTREE/LICENSE'"
else
	skip "SPDX lines" "not a git checkout"
fi
finish
