#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# check_doc_refs.sh - every document the tree cites is in the tree.
#
#   scripts/check_doc_refs.sh [SRCTREE]
#
# Looks at every tracked or new (not ignored) text file, or every file
# outside build/ when SRCTREE is not a git checkout, and checks three kinds
# of reference:
#   A. an upper-case document name, bare or with a path: CONTRACT.md,
#      docs/CONTRACT.md, ../shared/docs/TOOLCHAIN.md.  A bare name must be
#      the name of some file in the tree (README.md, ORIGIN.md, ...); a path
#      must name a file, from the tree's root or from the citing file's
#      directory, inside the tree.
#   B. docs/NAME.md and vendor/..., support/..., test/..., scripts/...
#      paths ending in .md: the file exists (from the root).
#   C. Markdown links [text](PATH.md) in .md files: PATH exists relative to
#      the citing file.
#   D. docs/NAME.md §N or §N.M: docs/NAME.md has a heading "N." or "N.M"
#      (the first number of a range or list is checked).
# URLs (http://, https://) and shell expansions ($SRCTREE/README.md) are
# not references.  Skipped: third-party data
# under test/vectors/ (*.ksy, *.hex, *.json: kept byte for byte, see
# test/vectors/contract/ORIGIN.md), binary files.
# Prints "FILE:LINE: missing REF" per bad reference; exit 1 if any.
set -u
top=$(cd "${1:-$(dirname "$0")/..}" && pwd)
cd "$top" || exit 2

if git rev-parse --git-dir > /dev/null 2>&1; then
	files=$(git ls-files --cached --others --exclude-standard | sort -u)
else
	files=$(find . -path ./build -prune -o -path ./.git -prune -o -type f -print | sed 's|^\./||' | sort)
fi
files=$(echo "$files" | grep -vE '^test/vectors/.*\.(ksy|hex|json)$|^test/fuzz/corpus/|^test/ref/')
names=$(echo "$files" | sed 's|.*/||' | sort -u)

# in_tree PATH: PATH (already normalised) is a file of the tree.
in_tree() {
	case $1 in /*|../*|..) return 1 ;; esac
	[ -f "$1" ]
}
# norm DIR REF: DIR/REF with ./ and ../ folded (no symlinks followed).
norm() {
	echo "$1/$2" | awk -F/ '{
		n = 0
		for (i = 1; i <= NF; i++) {
			if ($i == "" || $i == ".") continue
			if ($i == "..") { if (n > 0 && s[n] != "..") n--; else s[++n] = ".."; continue }
			s[++n] = $i
		}
		out = ""
		for (i = 1; i <= n; i++) out = out (i > 1 ? "/" : "") s[i]
		print out
	}'
}

# One grep over every text file (-I skips binaries).  URLs are matched as a
# whole so that nothing inside them counts, then dropped.
ref_re='[a-z]+://[^ )>"`]*|(^|[^A-Za-z0-9_./${}-])([A-Za-z0-9_.-]*/)*[A-Z][A-Z0-9_]*\.md\b|(^|[^A-Za-z0-9_./${}-])(docs|vendor|support|test|scripts|src)/([A-Za-z0-9_.-]+/)*[A-Za-z0-9_.-]+\.md\b'
link_re='\]\([a-z]+://[^)]*\)|\]\([^)#: ]+\.md(#[^)]*)?\)'
out=${TMPDIR:-/tmp}/check_doc_refs.$$
{
	# shellcheck disable=SC2086
	echo "$files" | grep -v '^scripts/check_doc_refs\.sh$' | tr '\n' '\0' |
		xargs -0 grep -HnoIE "$ref_re" 2> /dev/null |
		grep -vE '^[^:]+:[0-9]+:[a-z]+://' | sed -E 's/^([^:]+:[0-9]+:)[^A-Za-z0-9_./-]/\1/' |
	while IFS=: read -r f line ref; do
		case $ref in
		*/*)
			in_tree "$(norm . "$ref")" || in_tree "$(norm "$(dirname "$f")" "$ref")" ||
				echo "$f:$line: missing $ref" ;;
		*)
			echo "$names" | grep -qxF "$ref" || echo "$f:$line: missing $ref" ;;
		esac
	done
	# C: Markdown links.
	echo "$files" | grep '\.md$' | tr '\n' '\0' |
		xargs -0 grep -HnoE "$link_re" 2> /dev/null |
		grep -vE '^[^:]+:[0-9]+:\]\([a-z]+://' |
	while IFS=: read -r f line ref; do
		ref=${ref#](}; ref=${ref%)}; ref=${ref%%#*}
		in_tree "$(norm "$(dirname "$f")" "$ref")" || echo "$f:$line: missing link $ref"
	done
	# D: section numbers.
	echo "$files" | tr '\n' '\0' | xargs -0 grep -HnoIE 'docs/[a-z0-9_-]+\.md §[0-9]+(\.[0-9]+)*' 2> /dev/null |
	while IFS=: read -r f line ref; do
		doc=${ref%% *} sec=${ref#*§}
		[ -f "$doc" ] || continue          # reported by A/B
		re=$(echo "$sec" | sed 's/\./\\./g')
		grep -qE "^#{1,6} $re\.? " "$doc" || echo "$f:$line: $doc has no section $sec"
	done
} > "$out"
cat "$out"
bad=0
[ -s "$out" ] && bad=1
rm -f "$out"
[ $bad -eq 0 ] && echo "check_doc_refs: every cited document is in the tree ($(echo "$files" | wc -l) files)"
exit $bad
