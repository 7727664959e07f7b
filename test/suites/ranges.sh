#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# ranges.sh - every numeric option at both ends of its range (issue 17).
#
# The rule behind "--queue-size 64 overflowed the frame array": a range
# the command line accepts must be one the data structures behind it
# hold.  For every "--name ARG ... [min..max]" row of --help the streamer
# runs a short stream (built-in generator -> the null output, plus the
# output the option belongs to) with the option at min and at max and
# must end cleanly (exit 0, an exit line whose frame accounting adds up);
# min - 1 and max + 1 must be refused with exit 2.  Under ASan/UBSan (CI)
# any out-of-bounds access at an end fails the row.
. "$SRCTREE/test/suites/testing.sh"
. "$SRCTREE/scripts/accounting.sh"
optional CONFIG_SINK_NULL || skip_all "needs the null output"
optional CONFIG_ENC_X264 || skip_all "needs x264"
S="${TEST_EXEC:-} $BIN/cvmmap_streamer"
T=$OBJTREE/test/tmp/ranges
rm -rf "$T" && mkdir -p "$T"
A=". $SRCTREE/scripts/accounting.sh;"
. "$SRCTREE/scripts/lib.sh"
RTSP_PORT=$(free_port)
BASE="--input-mode dummy --dummy-frames 3 --dummy-fps 30 --dummy-width 64 --dummy-height 48 \
--ingest-max-frames 3 --null --no-nats --stats-interval-ms 0"

# Options that need their output enabled, and pairs that must stay ordered.
extra() { # NAME VALUE
	case $1 in
	rtp-*) echo "--rtp --rtp-endpoint 127.0.0.1:9" ;;
	rtmp-*) echo "--rtmp --rtmp-url rtmp://127.0.0.1:9/live/r" ;;
	udp-ts-*|udp-ttl) echo "--udp-ts 127.0.0.1:9" ;;
	srt-max-callers) echo "--srt --srt-url srt://127.0.0.1:$(free_port)?mode=listener" ;;
	srt-*) echo "--srt --srt-url srt://127.0.0.1:9?mode=caller" ;;
	rtsp-*) echo "--rtsp --rtsp-listen 127.0.0.1:$RTSP_PORT" ;;
	realtime-priority) echo "--realtime" ;;
	esac
	case $1=$2 in
	rtmp-reconnect-min-ms=*) echo "--rtmp-reconnect-max-ms 3600000" ;;
	rtmp-reconnect-max-ms=*) echo "--rtmp-reconnect-min-ms 10" ;;
	esac
	# the generator must stay bounded when its own limits are under test
	case $1 in dummy-frames|ingest-max-frames) echo "--dummy-fps 60" ;; esac
}

rows=$($S --help | sed -n 's/^  --\([a-z0-9-]*\) [^ ]* .*\[\(-\{0,1\}[0-9]*\)\.\.\(-\{0,1\}[0-9]*\)\]$/\1 \2 \3/p')
[ -n "$rows" ] || { testing "--help lists ranges" "false"; finish; }
echo "$rows" > "$T/rows"
n=0
# (testing() sets name/cmd/want: the loop uses other names)
while read -r opt lo hi; do
	n=$((n + 1))
	for end in "$lo" "$hi"; do
		log=$T/$opt=$end.log
		testing "--$opt $end (an end of $lo..$hi) streams and ends cleanly" \
			"$A $S $BASE $(extra "$opt" "$end" | tr "\n" " ") --$opt $end > $log 2>&1; rc=\$?;
			 tail -n 2 $log; [ \$rc -eq 0 ] && accounting_ok $log"
	done
	above=$((hi + 1))
	[ "$hi" = 9223372036854775807 ] && above=9223372036854775808
	for out in $((lo - 1)) "$above"; do
		testing "--$opt $out (outside $lo..$hi) is refused" \
			"$S $BASE $(extra "$opt" "$out" | tr "\n" " ") --$opt $out 2>&1 | grep -q -- '--$opt: .* is not a number in $lo..$hi' || exit 1;
			 $S $BASE $(extra "$opt" "$out" | tr "\n" " ") --$opt $out > /dev/null 2>&1" 2
	done
done < "$T/rows"
testing "every numeric option was tried ($n)" "[ $n -ge 15 ]"
finish
