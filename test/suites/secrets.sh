#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# secrets.sh - credentials stay out of output; surfaces stay small (issue 11).
#
# 1. The streamer publishes to rtmp_stub_tester with
#    rtmp://user:pass@host/app/stream?key=K and talks to nats-server with
#    nats://user:pass@host (and nats://token@host, and a wrong password);
#    its stdout+stderr at debug level, the stats lines, the SDP and the
#    status JSON it answers on NATS must not contain any of the secrets,
#    while the connections they authorise really happen.  Start-up
#    errors about bad URLs must not echo them either.
# 2. The testers bind loopback when no address is given.
# 3. The SDP is written through a temporary file and rename(2), with no
#    group/other write or execute bits; tester dumps likewise sane.
# 4. No shell-outs: our objects reference no system/popen/exec*/fork/
#    posix_spawn (what third-party archives pull in is printed, not judged).
. "$SRCTREE/test/suites/testing.sh"
optional CONFIG_RTP && optional CONFIG_TOOL_RTP_TESTER && optional CONFIG_CVMMAP &&
	optional CONFIG_TOOL_SIM && optional CONFIG_ENC_X264 ||
	skip_all "needs the cv-mmap input, the simulator, x264, RTP and its tester"

TMP=$OBJTREE/test/tmp/secrets
rm -rf "$TMP" && mkdir -p "$TMP"
S=$TIME_SCALE
umask 022
RTMP_PASS=rtmpPa55wd7 RTMP_KEY=strmK3y9q NATS_PASS=natsPa55wd3 NATS_TOKEN=t0kenS3cr8t WRONG=wr0ngPa55x
SECRETS="$RTMP_PASS $RTMP_KEY $NATS_PASS $NATS_TOKEN $WRONG"
have_nats=0
optional CONFIG_NATS && command -v nats-server > /dev/null && have_nats=1
have_rtmp=0
optional CONFIG_RTMP && optional CONFIG_TOOL_RTMP_TESTER && have_rtmp=1
pids=
cleanup() { for p in $pids; do kill "$p" 2> /dev/null; wait "$p" 2> /dev/null; done; }
trap cleanup EXIT

# $TMP/leaks FILE...: print every line holding a secret; exit 0 when none
# does (a script, so that testing's `sh -c` can call it).
cat > "$TMP/leaks" << EOF
found=0
for s in $SECRETS; do
	grep -n -- "\$s" "\$@" 2> /dev/null && found=1
done
[ \$found -eq 0 ]
EOF
leaks="sh $TMP/leaks"

# nats_up PORT LOG ARGS...: a bounded nats-server, waited for.
nats_up() {
	port=$1 log=$2
	shift 2
	timeout $((60 * S)) nats-server -a 127.0.0.1 -p "$port" "$@" > "$log" 2>&1 &
	pids="$pids $!"
	i=0
	while [ $i -lt 50 ] && ! grep -q 'Server is ready' "$log"; do sleep 0.1; i=$((i + 1)); done
}

# run NAME NATS_URL RTMP_URL: sim -> streamer (RTP + RTMP + NATS) -> testers.
run() {
	d=$TMP/$1
	mkdir -p "$d"
	rport=$(free_port)
	timeout $((30 * S)) ${TEST_EXEC:-} "$BIN/rtp_receiver_tester" --port "$rport" \
		--au-threshold 1 --idle-ms $((2000 * S)) --timeout-ms $((25000 * S)) --json \
		--dump "$d/rtp.h264" > "$d/rtp.json" 2> "$d/rtp.log" &
	tpid=$!
	out="--rtp --rtp-endpoint 127.0.0.1:$rport --rtp-sdp $d/stream.sdp"
	case $3 in *":$mport/"*) stub=1 ;; *) stub=0 ;; esac   # else: refused
	if [ $have_rtmp -eq 1 ] && [ $stub -eq 1 ]; then
		timeout $((30 * S)) ${TEST_EXEC:-} "$BIN/rtmp_stub_tester" --mode h264 \
			--listen-port "$mport" --video-threshold 30 --timeout-ms $((20000 * S)) \
			--json > "$d/rtmp.json" 2> "$d/rtmp.log" &
		mpid=$!
	fi
	[ $have_rtmp -eq 1 ] && [ -n "$3" ] && out="$out --rtmp --rtmp-url $3"
	nats=--no-nats
	[ -n "$2" ] && nats="--nats-url $2"
	sleep 0.3
	# shellcheck disable=SC2086
	timeout $((30 * S)) ${TEST_EXEC:-} "$BIN/cvmmap_streamer" --input "sec$$$1" $out $nats \
		--log-level debug --stats-interval-ms 500 --ingest-idle-timeout-ms $((2000 * S)) \
		> "$d/streamer.log" 2>&1 &
	spid=$!
	if [ $have_nats -eq 1 ] && [ -n "$2" ]; then
		# The status JSON the streamer answers on NATS, once it streams.
		( sleep 2; ${TEST_EXEC:-} "$OBJTREE/test/helper_nats" -u "$2" request \
			"cvmmap.cvmmap_sec$$$1.streamer.stats" '' 1000 > "$d/status.hex" 2>&1 ) &
		rq=$!
	fi
	timeout $((20 * S)) ${TEST_EXEC:-} "$BIN/cvmmap_sim" --instance "sec$$$1" --width 160 \
		--height 96 --fps 30 --frames 60 --start-delay-ms $((500 * TIME_SCALE)) > "$d/sim.log" 2>&1
	wait "$spid"
	echo $? > "$d/streamer.rc"
	wait "$tpid"
	[ -n "${mpid:-}" ] && wait "$mpid"
	[ -n "${rq:-}" ] && wait "$rq"
	mpid='' rq=''
	# hex lines of the reply -> text (helper_nats prints payloads in hex)
	[ -f "$d/status.hex" ] && python3 -c 'import sys,binascii
for l in open(sys.argv[1]):
    l=l.strip()
    try: sys.stdout.write(binascii.unhexlify(l).decode("utf-8","replace")+"\n")
    except Exception: print(l)' "$d/status.hex" > "$d/status.txt"
	return 0
}

nport=$(free_port) tport=$(free_port) mport=$(free_port)
if [ $have_nats -eq 1 ]; then
	nats_up "$nport" "$TMP/nats_user.log" --user natsuser --pass "$NATS_PASS"
	nats_up "$tport" "$TMP/nats_token.log" --auth "$NATS_TOKEN"
fi

# ---------------------------------------------------------------- 1. redaction
run userpass "nats://natsuser:$NATS_PASS@127.0.0.1:$nport" \
	"rtmp://rtmpuser:$RTMP_PASS@127.0.0.1:$mport/live/cam?key=$RTMP_KEY"
d=$TMP/userpass
testing "rtmp user:pass + ?key=: published, streamer output redacted" "
	[ $have_rtmp -eq 1 ] || { echo 'RTMP not built'; exit 77; }
	cat $d/rtmp.json; grep 'rtmp:' $d/streamer.log
	grep -q '\"exit\":0' $d/rtmp.json && $leaks $d/streamer.log $d/stream.sdp"
testing "nats user:pass: connected, output and status JSON redacted" "
	[ $have_nats -eq 1 ] || { echo 'nats-server not installed'; exit 77; }
	grep 'nats' $d/streamer.log; cat $d/status.txt
	grep -q 'nats: connected' $d/streamer.log && grep -q '\"frames_in\"' $d/status.txt &&
	$leaks $d/streamer.log $d/status.txt"
testing "stats lines carry no URL" "
	grep -c ' stats: ' $d/streamer.log; ! grep ' stats: ' $d/streamer.log | grep -E 'rtmp://|nats://|@'"

run token "nats://$NATS_TOKEN@127.0.0.1:$tport" ""
d=$TMP/token
testing "nats token@host: connected, output redacted" "
	[ $have_nats -eq 1 ] || { echo 'nats-server not installed'; exit 77; }
	grep 'nats' $d/streamer.log
	grep -q 'nats: connected' $d/streamer.log && $leaks $d/streamer.log"

run wrong "nats://natsuser:$WRONG@127.0.0.1:$nport" \
	"rtmp://rtmpuser:$RTMP_PASS@127.0.0.1:1/live/cam?key=$RTMP_KEY"
d=$TMP/wrong
testing "refused credentials and refused RTMP: errors logged, still redacted" "
	[ $have_nats -eq 1 ] || { echo 'nats-server not installed'; exit 77; }
	grep -E 'nats|rtmp' $d/streamer.log | head -n 10
	grep -qi 'authoriz' $d/streamer.log && $leaks $d/streamer.log"

testing "start-up errors about URLs do not echo credentials" "
	for a in '--rtmp --rtmp-url http://u:$RTMP_PASS@h/a/s' \
		 '--rtmp --rtmp-url rtmp://u:$RTMP_PASS@h:99999/a/s?key=$RTMP_KEY' \
		 '--rtp --rtp-endpoint 127.0.0.1:5004 --nats-url nats://u:$NATS_PASS@h:99999' \
		 '--rtp --rtp-endpoint 127.0.0.1:5004 --nats-url ftp://$NATS_TOKEN@h'; do
		${TEST_EXEC:-} $BIN/cvmmap_streamer --input x \$a > $TMP/usage.out 2>&1
		rc=\$?; cat $TMP/usage.out
		[ \$rc -ne 0 ] || exit 1
		$leaks $TMP/usage.out || exit 1
	done"

# Secrets need not be on the command line at all: --rtmp-url-file and
# $CVMMAP_RTMP_URL (likewise --nats-url-file, $CVMMAP_NATS_URL).  The
# process's command line then holds none of them.
secret_form() { # NAME HOW: HOW is "file" or "env"
	d=$TMP/form_$1
	mkdir -p "$d"
	mp=$(free_port)
	url="rtmp://rtmpuser:$RTMP_PASS@127.0.0.1:$mp/live/cam?key=$RTMP_KEY"
	printf '%s\n' "$url" > "$d/url"
	chmod 600 "$d/url"
	timeout $((30 * S)) ${TEST_EXEC:-} "$BIN/rtmp_stub_tester" --mode h264 --listen-port "$mp" \
		--video-threshold 20 --timeout-ms $((20000 * S)) --json > "$d/rtmp.json" 2> "$d/rtmp.log" &
	mpid=$!
	sleep 0.3
	if [ "$2" = file ]; then
		${TEST_EXEC:-} "$BIN/cvmmap_streamer" --input-mode dummy --dummy-frames 90 \
			--dummy-width 160 --dummy-height 96 --no-nats --rtmp --rtmp-url-file "$d/url" \
			> "$d/streamer.log" 2>&1 &
	else
		CVMMAP_RTMP_URL=$url ${TEST_EXEC:-} "$BIN/cvmmap_streamer" --input-mode dummy \
			--dummy-frames 90 --dummy-width 160 --dummy-height 96 --no-nats --rtmp \
			> "$d/streamer.log" 2>&1 &
	fi
	spid=$!
	sleep 1
	tr '\0' ' ' < /proc/$spid/cmdline > "$d/cmdline"
	wait $spid
	echo $? > "$d/streamer.rc"
	wait $mpid
}
if [ $have_rtmp -eq 1 ] && [ -z "${TEST_EXEC:-}" ]; then
	secret_form file file
	testing "--rtmp-url-file: published, the URL is not in /proc/PID/cmdline" "
		cat $TMP/form_file/cmdline; echo; cat $TMP/form_file/rtmp.json
		grep -q '\"exit\":0' $TMP/form_file/rtmp.json && [ \$(cat $TMP/form_file/streamer.rc) -eq 0 ] &&
		$leaks $TMP/form_file/cmdline $TMP/form_file/streamer.log"
	secret_form env env
	testing "\$CVMMAP_RTMP_URL: published, not in /proc/PID/cmdline" "
		cat $TMP/form_env/cmdline; echo; cat $TMP/form_env/rtmp.json
		grep -q '\"exit\":0' $TMP/form_env/rtmp.json && [ \$(cat $TMP/form_env/streamer.rc) -eq 0 ] &&
		$leaks $TMP/form_env/cmdline $TMP/form_env/streamer.log"
else
	skip "--rtmp-url-file / \$CVMMAP_RTMP_URL" "RTMP off or under qemu"
fi

# ---------------------------------------------------------------- 2. loopback
testing "testers bind loopback by default" "
	command -v ss > /dev/null || { echo 'ss not installed'; exit 77; }
	p=$(free_port) q=$(free_port)
	timeout --foreground 5 ${TEST_EXEC:-} $BIN/rtp_receiver_tester --port \$p --timeout-ms 3000 > /dev/null 2>&1 &
	a=\$!
	b=
	if [ $have_rtmp -eq 1 ]; then
		timeout --foreground 5 ${TEST_EXEC:-} $BIN/rtmp_stub_tester --mode h264 --listen-port \$q \
			--timeout-ms 3000 > /dev/null 2>&1 &
		b=\$!
	fi
	sleep 0.5
	ss -Hlnu \"sport = :\$p\"; ss -Hlnt \"sport = :\$q\"
	ok=1
	ss -Hlnu \"sport = :\$p\" | awk '{print \$4}' | grep -qx \"127.0.0.1:\$p\" || ok=0
	ss -Hlnu \"sport = :\$p\" | awk '{print \$4}' | grep -v -x \"127.0.0.1:\$p\" | grep -q . && ok=0
	if [ -n \"\$b\" ]; then
		ss -Hlnt \"sport = :\$q\" | awk '{print \$4}' | grep -qx \"127.0.0.1:\$q\" || ok=0
	fi
	kill \$a \$b 2> /dev/null; wait \$a \$b 2> /dev/null
	[ \$ok -eq 1 ]"

# ---------------------------------------------------------------- 3. files
d=$TMP/userpass
testing "SDP: mode has no group/other write or execute, not left half-written" "
	ls -l $d/stream.sdp; ls -a $d
	m=\$(stat -c %a $d/stream.sdp)
	[ \$(( 0\$m & 0133 )) -eq 0 ] && head -n 1 $d/stream.sdp | grep -q '^v=0' &&
	! ls -a $d | grep -E '\\.(tmp|new|part)|~\$'"
testing "SDP written to a temporary name, then renamed into place" "
	command -v strace > /dev/null || { echo 'strace not installed'; exit 77; }
	[ -z '${TEST_EXEC:-}' ] || { echo 'not under qemu'; exit 77; }
	rm -f $TMP/atomic.sdp
	timeout 20 strace -f -qq -e trace=openat,rename,renameat,renameat2,link,linkat -o $TMP/strace.log \
		$BIN/cvmmap_streamer --input-mode dummy --dummy-frames 10 --dummy-width 160 \
		--dummy-height 96 --rtp --rtp-endpoint 127.0.0.1:9 --no-nats \
		--rtp-sdp $TMP/atomic.sdp > $TMP/atomic.log 2>&1
	grep -E 'atomic' $TMP/strace.log
	grep -E 'rename.*atomic[^\"]*\", .*\"$TMP/atomic.sdp\"' $TMP/strace.log &&
	! grep -E 'openat\\(.*\"$TMP/atomic.sdp\".*O_(WRONLY|RDWR)' $TMP/strace.log"
testing "tester dumps: no group/other write or execute" "
	ls -l $d/rtp.h264; m=\$(stat -c %a $d/rtp.h264); [ \$(( 0\$m & 0133 )) -eq 0 ]"

# ---------------------------------------------------------------- 4. shell-outs
testing "no system/popen/exec*/fork/posix_spawn in our objects" "
	objs=\"$OBJTREE/libcvmmap.a \$(ls $OBJTREE/obj/src/main.o $OBJTREE/obj/src/tools/*.o 2> /dev/null)\"
	nm -A \$objs 2> /dev/null | grep -E ' U (system|popen|execl|execlp|execle|execv|execvp|execvpe|execve|fexecve|fork|vfork|posix_spawnp?)\$'
	[ \$? -ne 0 ]"
testing "shell-out symbols the linked programs import (third-party, reported)" "
	for b in $BIN/*; do
		echo \"\$(basename \$b): \$(nm -D --undefined-only \$b 2> /dev/null |
			grep -owE 'system|popen|execv[pe]*|execl[pe]*|fork|vfork|posix_spawnp?|dlopen' |
			sort -u | tr '\n' ' ')\"
	done"
finish
