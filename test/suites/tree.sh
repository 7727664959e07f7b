#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tree.sh - rules about the source tree itself (no build needed).
#
# 1. Every source, script and build file carries an SPDX licence line
#    (the tree links GPL x264/x265 statically: LICENSE, GPL-2.0-or-later).
# 2. The pipeline names no protocol and no encoder: outputs and encoders
#    are rows of tables (proto/sinks.c, codec/enc.c), never branches.
# 3. An output is one file + one table row + Kconfig + kbuild: the null
#    output (the recipe's example, docs/hacking.md) is named nowhere else.
# 4. Every function is declared in its own file's header
#    (scripts/check_decls.py).
# 5. No rate limiter is a function static shared by every instance.
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

testing "pipeline.c names no protocol and no encoder" \
	"! grep -niE '\\b(rtp|rtcp|rtmp|rtsp|srt|udp|tcp|flv|sdp|mpeg-?ts|x264|x265|nvenc|v4l2)\\b' '$SRCTREE/src/core/pipeline.c'"
testing "the null output lives in its own file, table row, Kconfig and kbuild" \
	"cd '$SRCTREE' && got=\$(grep -rlE 'null_sink|SINK_NULL' src Makefile | sort | tr '\\n' ' '); echo \"\$got\";
	 [ \"\$got\" = 'src/proto/Kconfig src/proto/null_sink.c src/proto/sinks.c src/proto/sinks.kbuild ' ]"
testing "every function is declared in its own file's header" \
	"cd '$SRCTREE' && python3 scripts/check_decls.py"
testing "rate limiters belong to their objects" \
	"cd '$SRCTREE' && ! grep -rn 'static struct log_limit' src/core src/proto src/ipc src/nats src/codec"
finish
