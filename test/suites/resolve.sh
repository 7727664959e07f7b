#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# resolve.sh - host names as an initramfs or an early boot sees them
# (issue 15; util/net.c).
#
# Each row runs the streamer in a mount namespace of its own whose
# /etc/hosts, /etc/nsswitch.conf and /etc/resolv.conf are files of this
# suite (bind mounts; nothing on the machine changes):
#  - no /etc/hosts and no NSS configuration at all (empty files, as an
#    initramfs without them): "localhost" and numeric addresses still
#    work, because they never reach the C library's resolver;
#  - DNS unreachable (nameserver 127.0.0.1, nothing listening: "try again
#    later"): the streamer keeps running, retries with its backoff, and
#    streams as soon as the name resolves (an /etc/hosts line appears
#    after 1.5 s), starting with a keyframe; RTP and RTMP;
#  - a name that does not exist (files only, no entry): exit 2 at start-up
#    with the reason (the systemd unit's RestartPreventExitStatus=2 then
#    stops restarting, which is right for a typo, and only for a typo).
# Needs root for unshare -m (skipped otherwise); loopback only.
. "$SRCTREE/test/suites/testing.sh"
optional CONFIG_RTP || skip_all "CONFIG_RTP off"
optional CONFIG_TOOL_RTP_TESTER || skip_all "CONFIG_TOOL_RTP_TESTER off"
[ "$(id -u)" = 0 ] && unshare -m true 2> /dev/null || skip_all "needs root and unshare -m"

T=$OBJTREE/test/tmp/resolve
rm -rf "$T" && mkdir -p "$T"
S="${TEST_EXEC:-} $BIN/cvmmap_streamer"
DUMMY="--input-mode dummy --dummy-width 160 --dummy-height 120 --dummy-fps 30 --no-nats --stats-interval-ms 0"

# ns DIR CMD...: CMD in a mount namespace with DIR/{hosts,nsswitch.conf,resolv.conf}
# over /etc's.
cat > "$T/ns.sh" <<'EOF'
d=$1; shift
for f in hosts nsswitch.conf resolv.conf; do
	[ -e /etc/$f ] || { echo "no /etc/$f to bind over"; exit 77; }
	mount --bind "$d/$f" /etc/$f || exit 77
done
exec "$@"
EOF
ns() { d=$1; shift; unshare -m sh "$T/ns.sh" "$d" "$@"; }

# ---------------------------------------------------------------- no NSS at all
d=$T/empty
mkdir -p "$d" && : > "$d/hosts" && : > "$d/nsswitch.conf" && : > "$d/resolv.conf"
for host in localhost 127.0.0.1; do
	port=$(free_port)
	timeout 30 ${TEST_EXEC:-} $BIN/rtp_receiver_tester --port "$port" --au-threshold 20 \
		--timeout-ms 20000 --json > "$d/rx_$host.json" 2> "$d/rx_$host.log" &
	rp=$!
	sleep 0.3
	ns "$d" timeout 30 $S $DUMMY --dummy-frames 30 --rtp --rtp-endpoint "$host:$port" \
		> "$d/streamer_$host.log" 2>&1
	echo $? > "$d/rc_$host"
	wait $rp
	testing "no /etc/hosts, no NSS: --rtp-endpoint $host:PORT streams" \
		"tail -n 3 $d/streamer_$host.log; cat $d/rx_$host.json;
		 [ \$(cat $d/rc_$host) -eq 0 ] && grep -q '\"aus\":[2-3][0-9]' $d/rx_$host.json"
done

# ---------------------------------------------------------------- DNS down, then up
# dns_later DIR: hosts without camsink, DNS pointing nowhere; once the
# streamer logged in DIR/streamer.log that it cannot resolve the name (or
# after 20 s), the hosts line appears (same inode: the bind mount sees
# it).  Waiting for the event, not a fixed 1.5 s: under qemu the streamer
# once started after the line was there and never saw the failure.
dns_later() {
	mkdir -p "$1"
	echo "127.0.0.1 localhost" > "$1/hosts"
	echo "hosts: files dns" > "$1/nsswitch.conf"
	printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' > "$1/resolv.conf"
	(i=0; while ! grep -q 'cannot resolve' "$1/streamer.log" 2> /dev/null && [ $i -lt 200 ]; do
		sleep 0.1; i=$((i + 1)); done
	 echo "127.0.0.1 camsink" >> "$1/hosts") &
}
d=$T/rtp_later
dns_later "$d"
port=$(free_port)
timeout 40 ${TEST_EXEC:-} $BIN/rtp_receiver_tester --port "$port" --au-threshold 20 \
	--timeout-ms 30000 --json > "$d/rx.json" 2> "$d/rx.log" &
rp=$!
ns "$d" timeout 40 $S $DUMMY --dummy-frames 150 --rtp --rtp-endpoint "camsink:$port" \
	> "$d/streamer.log" 2>&1
echo $? > "$d/rc"
wait $rp
testing "RTP: a name DNS cannot answer yet is retried, then streamed to" \
	"grep -m 2 rtp: $d/streamer.log; tail -n 1 $d/streamer.log; cat $d/rx.json;
	 [ \$(cat $d/rc) -eq 0 ] && grep -q 'cannot resolve' $d/streamer.log &&
	 grep -q '\"aus\":[2-9][0-9]' $d/rx.json &&
	 grep -q '\"first_keyframe_has_params\":true' $d/rx.json"

if optional CONFIG_RTMP && optional CONFIG_TOOL_RTMP_TESTER; then
	d=$T/rtmp_later
	dns_later "$d"
	port=$(free_port)
	timeout 40 ${TEST_EXEC:-} $BIN/rtmp_stub_tester --mode h264 --listen-port "$port" \
		--video-threshold 20 --timeout-ms 30000 --json > "$d/stub.json" 2> "$d/stub.log" &
	sp=$!
	sleep 0.3
	ns "$d" timeout 40 $S $DUMMY --dummy-frames 150 --rtmp --rtmp-url "rtmp://camsink:$port/live/x" \
		--rtmp-reconnect-min-ms 100 --rtmp-reconnect-max-ms 400 > "$d/streamer.log" 2>&1
	echo $? > "$d/rc"
	wait $sp; echo $? > "$d/trc"
	testing "RTMP: a name DNS cannot answer yet is retried, then published to" \
		"grep -m 2 rtmp: $d/streamer.log; tail -n 1 $d/streamer.log; cat $d/stub.json;
		 [ \$(cat $d/rc) -eq 0 ] && [ \$(cat $d/trc) -eq 0 ] &&
		 grep -q 'cannot resolve the host now' $d/streamer.log"
else
	skip "RTMP: a name DNS cannot answer yet is retried" "RTMP or its stub off"
fi

# ---------------------------------------------------------------- no such name
d=$T/nxdomain
mkdir -p "$d"
echo "127.0.0.1 localhost" > "$d/hosts"
echo "hosts: files" > "$d/nsswitch.conf"
: > "$d/resolv.conf"
testing "a name that does not exist: exit 2 at start-up, with the reason" \
	"out=\$(unshare -m sh $T/ns.sh $d timeout 20 $S $DUMMY --dummy-frames 30 --rtp --rtp-endpoint nosuchcam:5004 2>&1);
	 rc=\$?; echo \"\$out\"; [ \$rc -eq 2 ] && echo \"\$out\" | grep -q nosuchcam"
finish
