#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tools.sh - the command line of every tool, as a user sees it: one option
# engine (config/opt.h), so --help is grouped and lists ranges, and a
# usage error is one line "prog: reason" with exit 2.
. "$SRCTREE/test/suites/testing.sh"
T=$OBJTREE/test/tmp/tools
rm -rf "$T" && mkdir -p "$T"

# tool CONFIG_X PROG "ARGS WITH A BAD NUMBER" "TEXT OF ITS RANGE"
tool() {
	if ! optional "$1"; then
		skip "$2: command line" "$1 off"
		return
	fi
	P="${TEST_EXEC:-} $BIN/$2"
	testing "$2: --help exits 0 on stdout, grouped, with ranges" "
		$P --help > $T/$2.help 2> $T/$2.err; rc=\$?; cat $T/$2.help $T/$2.err
		[ \$rc -eq 0 ] && [ ! -s $T/$2.err ] &&
		head -n 1 $T/$2.help | grep -q '^Usage: $2 ' &&
		grep -q '^General:\$' $T/$2.help &&
		grep -Eq '^  --help +show this help\$' $T/$2.help &&
		grep -Eq '^  --[a-z-]+ [A-Za-z.|]+ +.*\[-?[0-9]+\.\.[0-9]+\]\$' $T/$2.help &&
		grep -q '^Exit codes: ' $T/$2.help"
	testing "$2: unknown option -> 2, one line" "
		$P --frobnicate > $T/$2.out 2> $T/$2.err; rc=\$?; cat $T/$2.out $T/$2.err
		[ \$rc -eq 2 ] && [ ! -s $T/$2.out ] && [ \$(wc -l < $T/$2.err) -eq 1 ] &&
		grep -q \"^$2: unknown option '--frobnicate'\" $T/$2.err"
	testing "$2: number out of range -> 2, range named" "
		$P $3 > $T/$2.out 2> $T/$2.err; rc=\$?; cat $T/$2.out $T/$2.err
		[ \$rc -eq 2 ] && [ \$(wc -l < $T/$2.err) -eq 1 ] && grep -qF -- \"$4\" $T/$2.err"
}

tool CONFIG_TOOL_SIM cvmmap_sim "--fps 0" "--fps: '0' is not a number in 1..1000"
tool CONFIG_TOOL_INSPECT cvmmap_inspect "--watch --count -1 x" \
	"--count: '-1' is not a number in 0..1073741824"
tool CONFIG_TOOL_RTP_TESTER rtp_receiver_tester "--port 65536" \
	"--port: '65536' is not a number in 1..65535"
tool CONFIG_TOOL_RTMP_TESTER rtmp_stub_tester "--mode h264 --listen-port 0" \
	"--listen-port: '0' is not a number in 1..65535"

if optional CONFIG_TOOL_SIM; then
	SIM="${TEST_EXEC:-} $BIN/cvmmap_sim"
	testing "cvmmap_sim: the original producer spellings in --help" "
		$SIM --help > $T/sim.help; cat $T/sim.help
		for w in 'also spelt --dummy-label' 'also spelt --dummy-frames' \
			'also spelt --dummy-fps' 'also spelt --dummy-width' \
			'also spelt --dummy-height' '--run-mode pipeline' '--input-mode dummy' \
			'--shm-name NAME' '--zmq-endpoint URI' '--codec h264|h265'; do
			grep -qF -- \"\$w\" $T/sim.help || { echo \"missing: \$w\"; exit 1; }
		done"
	testing "cvmmap_sim: a choice error lists the choices" "
		out=\$($SIM --pixel-format yuv 2>&1); rc=\$?; echo \"\$out\"; [ \$rc -eq 2 ] &&
		echo \"\$out\" | grep -qF \"expected bgr, rgb, bgra, rgba, gray or yuyv\""
fi
if optional CONFIG_TOOL_RTMP_TESTER; then
	STUB="${TEST_EXEC:-} $BIN/rtmp_stub_tester"
	testing "rtmp_stub_tester: --mode h265 needs --expect-rtmp-mode -> 2" "
		out=\$($STUB --mode h265 --listen-port 1 2>&1); rc=\$?; echo \"\$out\"
		[ \$rc -eq 2 ] && [ \$(echo \"\$out\" | wc -l) -eq 1 ]"
	testing "rtmp_stub_tester: h264 cannot be domestic -> 2" \
		"$STUB --mode h264 --expect-rtmp-mode domestic --listen-port 1" 2
fi
finish
