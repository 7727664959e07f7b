#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# miniconf.sh - the Kconfig actions `make` needs, in POSIX sh + awk, for
# hosts without a Kconfig front end (Buildroot, a bare build host).
#
#   scripts/kconfig/miniconf.sh defconfig FILE | olddefconfig |
#                               allnoconfig | allyesconfig | savedefconfig FILE
#
# Run from the source tree (Kconfig at the top); KCONFIG_CONFIG names the
# .config read and written.  A defconfig or any fragment of a .config is
# expanded to a full .config: every symbol the input names keeps its value
# where its dependencies allow it, every other one takes its Kconfig
# default, as kconfig-conf --olddefconfig does.  It understands the subset
# of the Kconfig language this tree uses: config/menuconfig with bool,
# tristate (as bool), int, hex, string and their prompts, def_bool,
# default [if], depends on, select [if], range (not enforced), choice with
# prompt/default/depends on, menu/endmenu with depends on, if/endif,
# comment, source, mainmenu and help; expressions with !, &&, ||, =, !=
# and parentheses.  Anything else stops it with exit 2, naming the line,
# rather than guessing.  kconfig.sh calls it when neither
# kconfig-frontends nor kconfiglib is installed; the buildsys suite checks
# it gives kconfig-conf's .config for every configs/*_defconfig.
set -eu
action=${1:-}
file=${2:-}
: "${KCONFIG_CONFIG:=.config}"
case $action in
defconfig)     in=$file out=$KCONFIG_CONFIG mode=old ;;
olddefconfig)  in=$KCONFIG_CONFIG out=$KCONFIG_CONFIG mode=old ;;
allnoconfig)   in=/dev/null out=$KCONFIG_CONFIG mode=allno ;;
allyesconfig)  in=/dev/null out=$KCONFIG_CONFIG mode=allyes ;;
savedefconfig) in=$KCONFIG_CONFIG out=$file mode=save ;;
*) echo "miniconf: usage: miniconf.sh defconfig FILE | olddefconfig | allnoconfig | allyesconfig | savedefconfig FILE" >&2
   exit 2 ;;
esac
[ -n "$in" ] && [ -n "$out" ] || { echo "miniconf: $action needs a FILE" >&2; exit 2; }
if [ "$in" != /dev/null ] && [ ! -f "$in" ]; then
	[ "$action" = olddefconfig ] || { echo "miniconf: no such file: $in" >&2; exit 2; }
	in=/dev/null
fi
[ -f Kconfig ] || { echo "miniconf: no Kconfig here (run from the source tree)" >&2; exit 2; }

awk -v mode="$mode" -v userfile="$in" -v out="$out.tmp" '
function die(msg) { printf "miniconf: %s:%d: %s\n", fname, fline, msg > "/dev/stderr"; failed = 1; exit 2 }
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
function unq(s) { if (s ~ /^".*"$/) s = substr(s, 2, length(s) - 2); return s }
function width(s,   i, c, w) {
	w = 0
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == " ") w++; else if (c == "\t") w += 8 - w % 8; else break
	}
	return w
}
# The dependency of everything declared inside the open menus/ifs/choice.
function blockdep(   i, e) {
	e = ""
	for (i = 1; i <= nblk; i++) if (blk[i] != "") e = (e == "") ? "(" blk[i] ")" : e " && (" blk[i] ")"
	return e
}
function andx(a, b) { return a == "" ? b : (b == "" ? a : a " && (" b ")") }

# parse FILE: one Kconfig file, following "source".
function parse(file,   line, t, kw, rest, inhelp, hind, p, i, savef, savel) {
	savef = fname; savel = fline; fname = file; fline = 0; inhelp = 0
	if ((getline line < file) < 0) die("cannot read " file)
	do {
		fline++
		if (inhelp) {
			if (line ~ /^[ \t]*$/) continue
			if (hind < 0) { hind = width(line); continue }
			if (width(line) >= hind) continue
			inhelp = 0
		}
		t = trim(line)
		if (t == "" || t ~ /^#/) continue
		if (t !~ /"/) sub(/[ \t]+#.*$/, "", t)
		kw = t; sub(/[ \t].*$/, "", kw)
		rest = trim(substr(t, length(kw) + 1))
		if (kw == "source") parse(unq(rest))
		else if (kw == "mainmenu") cur = ""
		else if (kw == "menu") { blk[++nblk] = ""; cur = "@menu" }
		else if (kw == "if") { blk[++nblk] = rest; cur = "" }
		else if (kw == "endmenu" || kw == "endif") { if (nblk == 0) die(kw " without a block"); nblk--; cur = "" }
		else if (kw == "comment") cur = "@comment"
		else if (kw == "choice") {
			nch++; blk[++nblk] = ""; inchoice = nch; cur = "@choice"
		} else if (kw == "endchoice") { chdep[nch] = blockdep(); nblk--; inchoice = 0; cur = "" }
		else if (kw == "config" || kw == "menuconfig") {
			if (rest in type) die("symbol " rest " declared twice (not supported)")
			cur = rest; order[nsym++] = cur; type[cur] = ""; dep[cur] = blockdep(); ndef[cur] = 0
			if (inchoice) { choiceof[cur] = inchoice; chmem[inchoice] = chmem[inchoice] " " cur }
		} else if (kw ~ /^(bool|tristate|int|hex|string)$/) {
			if (cur == "@choice") { if (rest != "") chprompt[nch] = 1; continue }
			if (cur !~ /^[A-Za-z0-9_]+$/) die(kw " outside a config entry")
			type[cur] = (kw == "tristate") ? "bool" : kw
			if (rest ~ /^"/) { p = rest; sub(/^"[^"]*"[ \t]*/, "", p); if (p != "") die("prompt condition not supported"); prompt[cur] = 1 }
			else if (rest != "") die("unexpected: " t)
		} else if (kw ~ /^def_(bool|tristate|int|hex|string)$/) {
			type[cur] = substr(kw, 5); if (type[cur] == "tristate") type[cur] = "bool"
			adddef(cur, rest)
		} else if (kw == "prompt") {
			if (cur == "@choice") chprompt[nch] = 1; else prompt[cur] = 1
		} else if (kw == "default") {
			if (cur == "@choice") chdef[nch] = rest
			else if (cur ~ /^[A-Za-z0-9_]+$/) adddef(cur, rest)
			else die("default outside a config entry")
		} else if (kw == "depends") {
			if (rest !~ /^on[ \t]/) die("unexpected: " t)
			rest = trim(substr(rest, 3))
			if (cur == "@menu" || cur == "@choice") blk[nblk] = andx(blk[nblk], rest)
			else if (cur == "@comment") ;
			else if (cur ~ /^[A-Za-z0-9_]+$/) dep[cur] = andx(dep[cur], rest)
			else die("depends on outside an entry")
		} else if (kw == "select") {
			i = index(rest " ", " ")
			p = substr(rest, 1, i - 1); rest = trim(substr(rest, i))
			if (rest ~ /^if[ \t]/) rest = trim(substr(rest, 3)); else if (rest != "") die("unexpected: " t)
			rest = "(" cur (rest != "" ? " && (" rest ")" : "") ")"
			if (p in rev) rev[p] = rev[p] " || " rest; else rev[p] = rest
		} else if (kw == "range") ;
		else if (kw == "help" || kw == "---help---") { inhelp = 1; hind = -1 }
		else die("Kconfig keyword \"" kw "\" not supported here: install kconfig-frontends-nox")
	} while ((getline line < file) > 0)
	close(file)
	fname = savef; fline = savel
}
function adddef(s, rest,   i, v, c) {
	v = rest; c = ""
	if ((i = index(rest, " if ")) > 0 || (i = index(rest, "\tif ")) > 0) { v = trim(substr(rest, 1, i)); c = trim(substr(rest, i + 4)) }
	ndef[s]++; defv[s, ndef[s]] = v; defc[s, ndef[s]] = c
}

# Expressions: tristate values n=0, m=1, y=2.
function lex(e,   n, c) {
	n = 0; split("", tk)
	while (e != "") {
		if (e ~ /^[ \t]/) { sub(/^[ \t]+/, "", e); continue }
		if (e ~ /^(&&|\|\||!=)/) { tk[++n] = substr(e, 1, 2); e = substr(e, 3); continue }
		c = substr(e, 1, 1)
		if (c ~ /[!=()]/) { tk[++n] = c; e = substr(e, 2); continue }
		if (c == "\"") { match(e, /^"[^"]*"/); tk[++n] = substr(e, 1, RLENGTH); e = substr(e, RLENGTH + 1); continue }
		if (match(e, /^[A-Za-z0-9_.+-]+/)) { tk[++n] = substr(e, 1, RLENGTH); e = substr(e, RLENGTH + 1); continue }
		die("cannot read expression \"" e "\"")
	}
	ntk = n; pos = 1
}
function ev(e,   v) { if (e == "") return 2; lex(e); v = e_or(); if (pos <= ntk) die("junk in expression \"" e "\""); return v }
function e_or(   v, w) { v = e_and(); while (tk[pos] == "||") { pos++; w = e_and(); if (w > v) v = w } return v }
function e_and(   v, w) { v = e_not(); while (tk[pos] == "&&") { pos++; w = e_not(); if (w < v) v = w } return v }
function e_not() { if (tk[pos] == "!") { pos++; return 2 - e_not() } return e_cmp() }
function e_cmp(   a, b, op, v) {
	if (tk[pos] == "(") { pos++; v = e_or(); if (tk[pos++] != ")") die("missing )"); return v }
	a = tk[pos++]
	if (tk[pos] == "=" || tk[pos] == "!=") {
		op = tk[pos++]; b = tk[pos++]
		v = (str(a) == str(b)) ? 2 : 0
		return op == "=" ? v : 2 - v
	}
	return tri(a)
}
function str(a) { if (a ~ /^"/) return unq(a); if (a in type) return val[a]; return a }
function tri(a) {
	if (a == "y") return 2; if (a == "m") return 1; if (a == "n") return 0
	if ((a in type) && type[a] == "bool") return val[a] == "y" ? 2 : (val[a] == "m" ? 1 : 0)
	return 0
}
function yn(t) { return t == 2 ? "y" : (t == 1 ? "m" : "n") }
# defval SYM: its Kconfig default under the current values ("" when none).
function defval(s,   i) {
	for (i = 1; i <= ndef[s]; i++)
		if (ev(defc[s, i]) > 0)
			return type[s] == "bool" ? yn(ev(defv[s, i])) : ((defv[s, i] in type) ? val[defv[s, i]] : unq(defv[s, i]))
	return type[s] == "bool" ? "n" : ""
}
function hasdef(s,   i) { for (i = 1; i <= ndef[s]; i++) if (ev(defc[s, i]) > 0) return 1; return 0 }
# choicepick C: the member of choice C that is on (user, else default,
# else the first visible member); "" when the choice is invisible.
function choicepick(c, useuser,   m, n, i, d) {
	if (ev(chdep[c]) == 0) return ""
	n = split(trim(chmem[c]), m, " ")
	if (useuser) for (i = 1; i <= n; i++) if ((m[i] in user) && user[m[i]] == "y" && ev(dep[m[i]]) > 0) return m[i]
	d = chdef[c]
	if (d != "" && ev(dep[d]) > 0) return d
	for (i = 1; i <= n; i++) if (ev(dep[m[i]]) > 0) return m[i]
	return ""
}

BEGIN {
	fname = "Kconfig"; parse("Kconfig")
	for (i = 0; i < nsym; i++) if (type[order[i]] == "") { fname = "Kconfig"; fline = 0; die("symbol " order[i] " has no type") }
	while ((getline line < userfile) > 0) {
		if (line ~ /^CONFIG_[A-Za-z0-9_]+=/) { k = substr(line, 8); i = index(k, "="); user[substr(k, 1, i - 1)] = unq(substr(k, i + 1)) }
		else if (line ~ /^# CONFIG_[A-Za-z0-9_]+ is not set/) { split(line, w, " "); user[substr(w[2], 8)] = "n" }
	}
	if (mode == "allno" || mode == "allyes")
		for (i = 0; i < nsym; i++) { s = order[i]; if (type[s] == "bool" && prompt[s] && !(s in choiceof)) user[s] = (mode == "allyes") ? "y" : "n" }
	for (i = 0; i < nsym; i++) val[order[i]] = ""
	# Values until nothing changes (a symbol may depend on a later one).
	for (iter = 0; iter < 20; iter++) {
		changed = 0
		for (c = 1; c <= nch; c++) pick[c] = choicepick(c, mode != "allno" && mode != "allyes")
		for (i = 0; i < nsym; i++) {
			# Written out as kconfig does: visible (a prompt and the
			# dependencies met), selected, or with a default that applies.
			s = order[i]; d = ev(dep[s]); shown[s] = d > 0 && (prompt[s] || hasdef(s))
			if (s in choiceof) v = (pick[choiceof[s]] == s) ? "y" : "n"
			else if (type[s] == "bool") {
				t = (prompt[s] && (s in user)) ? (user[s] == "y" ? 2 : (user[s] == "m" ? 1 : 0)) : ev(defval(s))
				if (t > d) t = d
				r = (s in rev) ? ev(rev[s]) : 0
				if (r > t) t = r
				if (r > 0) shown[s] = 1
				v = yn(t)
			} else v = d == 0 ? "" : ((prompt[s] && (s in user)) ? user[s] : defval(s))
			if (s in choiceof && pick[choiceof[s]] == "") shown[s] = 0
			if (v != val[s]) { val[s] = v; changed = 1 }
		}
		if (!changed) break
	}
	if (changed) { fname = "Kconfig"; fline = 0; die("values do not settle (a dependency loop?)") }
	if (mode != "save") {
		print "#\n# Automatically generated file; DO NOT EDIT.\n# (scripts/kconfig/miniconf.sh)\n#" > out
		for (i = 0; i < nsym; i++) {
			s = order[i]
			if (!shown[s]) continue
			if (type[s] == "bool") print (val[s] == "n" ? "# CONFIG_" s " is not set" : "CONFIG_" s "=" val[s]) > out
			else if (type[s] == "string") print "CONFIG_" s "=\"" val[s] "\"" > out
			else print "CONFIG_" s "=" val[s] > out
		}
	} else {
		# savedefconfig: what differs from the default under these values.
		for (i = 0; i < nsym; i++) {
			s = order[i]
			if (!shown[s] || !prompt[s]) continue
			if (s in choiceof) {
				if (val[s] == "y" && choicepick(choiceof[s], 0) != s) print "CONFIG_" s "=y" > out
				continue
			}
			if (val[s] == defval(s)) continue
			if (type[s] == "bool") print (val[s] == "n" ? "# CONFIG_" s " is not set" : "CONFIG_" s "=" val[s]) > out
			else if (type[s] == "string") print "CONFIG_" s "=\"" val[s] "\"" > out
			else print "CONFIG_" s "=" val[s] > out
		}
		printf "" > out
	}
	close(out)
}' || { rm -f "$out.tmp"; exit 2; }
mv "$out.tmp" "$out"
