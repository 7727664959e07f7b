#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# cli.sh - the streamer's command-line contract as a user sees it.
. "$SRCTREE/test/suites/testing.sh"
S="${TEST_EXEC:-} $BIN/cvmmap_streamer"

testing "help exits 0 and is grouped" \
	"$S --help | grep -q '^Latency and limits:' && $S --help | grep -q -- '--rtmp-mode MODE'"
testing "version lists features" "$S --version | grep -Eq '^features:.* [+-]rtp'"
testing "unknown flag exits 2 with one line" \
	"out=\$($S --frobnicate 2>&1); rc=\$?; echo \"\$out\"; [ \$rc -eq 2 ] && [ \$(echo \"\$out\" | wc -l) -eq 1 ] && echo \"\$out\" | grep -q frobnicate"
testing "bad value exits 2" "$S --gop zero" 2
testing "no output exits 2" "$S --input-mode dummy" 2
if optional CONFIG_RTMP; then
	testing "h264 + domestic is rejected" \
		"$S --input-mode dummy --rtmp --rtmp-url rtmp://127.0.0.1/l/s --rtmp-mode domestic 2>&1 | grep -q 'H.265 only'; [ \$? -eq 0 ] && ! $S --input-mode dummy --rtmp --rtmp-url rtmp://127.0.0.1/l/s --rtmp-mode domestic 2>/dev/null"
else
	skip "h264 + domestic is rejected" "CONFIG_RTMP off"
fi
if optional CONFIG_RTP; then
	testing "payload type out of range exits 2" \
		"$S --input-mode dummy --rtp --rtp-endpoint 127.0.0.1:5004 --rtp-payload-type 200" 2
else
	skip "payload type out of range exits 2" "CONFIG_RTP off"
fi
finish
