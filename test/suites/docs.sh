#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# docs.sh - a reader of the tree finds every document it cites inside it.
#
# 1. scripts/check_doc_refs.sh: every upper-case document name, bare or
#    with a path; every path under docs, vendor, support, test, scripts or
#    src that ends in .md; every Markdown link: each names a file of the
#    tree, and every section cited in one of docs/*.md is a heading of it.
# 2. Nothing points outside the tree (../shared/, /work/shared/).
# 3. The in-tree references that replaced the outside ones exist and keep
#    the numbering the code cites (docs/contract.md §1-§14, ...).
# 4. docs/firmware.md's example /init mounts what the boot test's does.
# No build needed; a few seconds.
. "$SRCTREE/test/suites/testing.sh"
cd "$SRCTREE" || exit 1

testing "every cited document is in the tree" \
	"sh '$SRCTREE/scripts/check_doc_refs.sh' '$SRCTREE'"

if git rev-parse --git-dir > /dev/null 2>&1; then
	list="git ls-files --cached --others --exclude-standard"
else
	list="find . -path ./build -prune -o -type f -print"
fi
testing "nothing points outside the tree (../shared, /work/shared)" \
	"! $list | grep -vE '^(test/suites/docs|scripts/check_doc_refs)\\.sh\$' | tr '\\n' '\\0' |
	   xargs -0 grep -nIE '\\.\\./shared/|/work/shared/' 2> /dev/null"

# docs/firmware.md's smallest image mounts what the boot test's /init
# mounts (scripts/initramfs_check.sh), and names the kernel option of each.
testing "docs/firmware.md's /init mounts what the boot test mounts" \
	"doc=\$(sed -n '/^cat > root\/init/,/^EOF/p' docs/firmware.md | grep -o 'mount -t [a-z]*' | sort -u) &&
	 test=\$(sed -n '/^write_init/,/^}/p' scripts/initramfs_check.sh | grep -o 'mount -t [a-z]*' | sort -u) &&
	 echo \"doc: \$doc\"; echo \"test: \$test\"; [ -n \"\$doc\" ] && [ \"\$doc\" = \"\$test\" ] &&
	 for o in SHMEM TMPFS UNIX INET DEVTMPFS PROC_FS SYSFS; do grep -q \"CONFIG_\$o\" docs/firmware.md || { echo \"no CONFIG_\$o\"; exit 1; }; done"

# sections DOC N...: DOC has a heading for each number N.
for spec in "contract 1 2 3 3.1 3.2 4 4.2 4.6 4.7 4.8 5 5.2 5.3 5.4 6 6.1 6.2 6.3 7 7.1 7.2 7.3 8 9 10 13 14" \
	    "protocols 1 1.1 1.2 1.3 1.4 1.5 1.6 2 2.2 2.3 2.4 2.5 2.6 2.8 3 4 5 6 7" \
	    "toolchain 1 2 2.3 3 3.1 3.4 4 4.2" \
	    "peers 1 4 5 6" \
	    "svo2-mp4 1 1.1 1.2 1.4 1.5 2 3 4" \
	    "architecture 1"; do
	# shellcheck disable=SC2086
	set -- $spec
	doc=docs/$1.md
	shift
	testing "$doc has the sections the tree cites" \
		"for n in $*; do re=\$(echo \$n | sed 's/[.]/[.]/g');
		   grep -qE \"^#{1,6} \$re[.]? \" '$doc' || { echo \"no section \$n\"; exit 1; }; done"
done
finish
