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
# --self-test: the encoder alone, no input, no output (docs/v4l2.md)
if optional CONFIG_ENC_X264; then
	testing "--self-test --encoder-device software: 4 frames timed, exit 0" \
		"out=\$($S --self-test --encoder-device software --dummy-frames 4 --dummy-width 96 \
			--dummy-height 64 2> /dev/null) || exit 1; echo \"\$out\";
		 echo \"\$out\" | grep -q '^self-test: encoder x264, h264 96x64 30/1 fps gop 30$' &&
		 [ \$(echo \"\$out\" | grep -c '^self-test: frame [0-3]: [0-9]* bytes.* in [0-9.]* ms$') -eq 4 ] &&
		 echo \"\$out\" | grep -q '^self-test: 4 frames in, 4 AUs out, encode [0-9.]* ms mean'"
else
	skip "--self-test --encoder-device software" "CONFIG_ENC_X264 off"
fi
if optional CONFIG_ENC_V4L2M2M && ! ls /dev/video* /dev/v4l2-nvenc /dev/nvhost-msenc > /dev/null 2>&1; then
	testing "--self-test --encoder-device v4l2 with no device exits 5 with the reason" \
		"$S --self-test --encoder-device v4l2 > $OBJTREE/test/selftest.out 2>&1; rc=\$?;
		 grep -q '^self-test: no v4l2 encoder' $OBJTREE/test/selftest.out &&
		 grep -q 'v4l2 unavailable (no V4L2 h264 encoder' $OBJTREE/test/selftest.out && exit \$rc" 5
else
	skip "--self-test --encoder-device v4l2 with no device exits 5" "CONFIG_ENC_V4L2M2M off or a device here"
fi
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
# Every choice a usage error offers is accepted, and no error offers only a
# metavar ("expected MODE"): checked for every option of --help.
cat > "$OBJTREE/test/cli_choices.sh" <<'EOF2'
S=$1 bad=0
for o in $($S --help | sed -n 's/^  \(--[a-z0-9-]*\) [^ ].*/\1/p'); do
	err=$($S $o @@bogus 2>&1 | head -n 1)
	case $err in
	*"(expected "[A-Z]*")"*) echo "$o: $err"; bad=1 ;;
	esac
	list=$(echo "$err" | sed -n "s/.*$o: unknown value .* (expected \(.*\))$/\1/p" |
		sed 's/,/ /g; s/ or / /')
	for v in $list; do
		if $S $o "$v" 2>&1 | grep -q -- "$o:"; then
			echo "$o: offers '$v' but refuses it"; bad=1
		fi
	done
	[ -n "$list" ] && echo "$o: $list"
done
exit $bad
EOF2
testing "every choice a usage error names is accepted" \
	"sh $OBJTREE/test/cli_choices.sh '$S' && sh $OBJTREE/test/cli_choices.sh '$S' | grep -q -- '--codec: h264 h265'"

# --help's exit codes are the ones the streamer can return: the EXIT_*
# names its sources (not the tools') use, numbered by util/exitcodes.h.
testing "--help lists exactly the exit codes the streamer returns" "
	used=\$(grep -rhoE 'EXIT_[A-Z_]+' '$SRCTREE/src' --include=*.c \
		--exclude-dir=tools --exclude-dir=zed | sort -u |
		while read n; do sed -n \"s/^[[:space:]]*\$n = \\([0-9]*\\).*/\\1/p\" \
			'$SRCTREE/src/util/exitcodes.h'; done | sort -n | tr '\n' ' ')
	help=\$($S --help | sed -n '/^Exit codes:/,/^Example/p' | grep -oE '(^|[ ,])[0-9]+ [a-z]' |
		grep -oE '[0-9]+' | sort -n | tr '\n' ' ')
	echo \"sources: \$used help: \$help\"; [ -n \"\$used\" ] && [ \"\$used\" = \"\$help\" ]"
testing "README's exit table names every code of util/exitcodes.h" "
	for c in \$(sed -n 's/^[[:space:]]*EXIT_[A-Z_]* = \\([0-9]*\\).*/\\1/p' '$SRCTREE/src/util/exitcodes.h'); do
		grep -q \"^| \$c |\" '$SRCTREE/README.md' || { echo \"missing \$c\"; exit 1; }
	done"

# --log-level debug says more than info: the decisions a field engineer
# needs (encoder choice, passthrough or encode, lost frames, ...).
if optional CONFIG_SINK_NULL; then
	testing "--log-level debug adds the decisions" "
		run='$S --input-mode dummy --dummy-frames 5 --null --no-nats --stats-interval-ms 0'
		\$run --log-level info 2>&1 | grep -c ' D ' | grep -qx 0 &&
		\$run --log-level debug 2>&1 | grep ' D ' | tee /dev/stderr | grep -q ' D enc: ' &&
		\$run --log-level debug --encoder-device passthrough 2>&1 | grep -q ' D pipeline: frame 0 lost: no_au'"
else
	skip "--log-level debug adds the decisions" "CONFIG_SINK_NULL off"
fi
finish
