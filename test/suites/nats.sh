#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# nats.sh - the in-tree NATS client against the real nats-server (Debian
# 2.9.10): pub/sub of a cv-mmap ModuleStatusEvent, request/reply through
# the inbox, no-responders and timeout bounds, reconnect + resubscribe
# after a server restart, oversized MSG skipping, -ERR and credentials.
. "$SRCTREE/test/suites/testing.sh"
optional CONFIG_NATS || skip_all "CONFIG_NATS off"
command -v nats-server > /dev/null || skip_all "nats-server not installed"

H="${TEST_EXEC:-} $OBJTREE/test/helper_nats"
TMP=$OBJTREE/test/tmp/nats
rm -rf "$TMP" && mkdir -p "$TMP"
PORT=$(free_port)
URL=nats://127.0.0.1:$PORT
TV15=0801120764656661756c74188080a8b1e39fe7cb17   # CONTRACT TV-15 ONLINE "default"
TV17=10011801481e                                 # CONTRACT TV-17 source info
srv_pid=

# start_server LOG [nats-server args...]: bounded, waits until it listens.
start_server() {
	log=$1
	shift
	timeout 60 nats-server -a 127.0.0.1 -p "$PORT" "$@" > "$log" 2>&1 &
	srv_pid=$!
	i=0
	while [ $i -lt 50 ] && ! grep -q 'Server is ready' "$log"; do
		sleep 0.1
		i=$((i + 1))
	done
}

stop_server() {
	[ -n "$srv_pid" ] && kill "$srv_pid" 2> /dev/null && wait "$srv_pid" 2> /dev/null
	srv_pid=
}
trap 'stop_server' EXIT

start_server "$TMP/server1.log"

testing "connect and PING/PONG" "$H -u $URL ping"

testing "pub/sub round trip of a ModuleStatusEvent" "
	timeout 10 $H -u $URL sub cvmmap.cvmmap_default.status 1 5000 > $TMP/sub1.out &
	p=\$!
	i=0; while [ \$i -lt 50 ] && ! grep -q ready $TMP/sub1.out; do sleep 0.1; i=\$((i+1)); done
	$H -u $URL pub cvmmap.cvmmap_default.status $TV15 || exit 1
	wait \$p || exit 1
	cat $TMP/sub1.out
	grep -qx $TV15 $TMP/sub1.out"

testing "request/reply through the inbox" "
	timeout 10 $H -u $URL reply cvmmap.cvmmap_default.producer.source.info $TV17 1 5000 > $TMP/rep.out &
	p=\$!
	i=0; while [ \$i -lt 50 ] && ! grep -q ready $TMP/rep.out; do sleep 0.1; i=\$((i+1)); done
	$H -u $URL request cvmmap.cvmmap_default.producer.source.info '' 500 > $TMP/req.out || exit 1
	wait \$p || exit 1
	cat $TMP/req.out
	grep -qx $TV17 $TMP/req.out"

testing "no responders: 503 reported at once" "
	$H -u $URL request cvmmap.nobody.control.source.info '' 500 > $TMP/nr.out
	rc=\$?; cat $TMP/nr.out
	[ \$rc -eq 7 ] && grep -qx no-responders $TMP/nr.out &&
	[ \$(sed -n 's/^elapsed_ms //p' $TMP/nr.out) -lt 400 ]"

testing "no responders without 503: timeout within bound" "
	s=\$(date +%s%N)
	$H -N -u $URL request cvmmap.nobody.control.source.info '' 500 > $TMP/to.out
	rc=\$?; e=\$(( (\$(date +%s%N) - s) / 1000000 )); cat $TMP/to.out; echo wall_ms \$e
	ms=\$(sed -n 's/^elapsed_ms //p' $TMP/to.out)
	[ \$rc -eq 124 ] && grep -qx timeout $TMP/to.out &&
	[ \$ms -ge 450 ] && [ \$ms -lt 1000 ] && [ \$e -lt 1500 ]"

testing "oversized MSG skipped, next one delivered" "
	timeout 10 $H -m 64 -u $URL sub big.subj 1 5000 > $TMP/big.out &
	p=\$!
	i=0; while [ \$i -lt 50 ] && ! grep -q ready $TMP/big.out; do sleep 0.1; i=\$((i+1)); done
	$H -u $URL pub big.subj $(printf '%0200d' 0) || exit 1
	$H -u $URL pub big.subj 01020304 || exit 1
	wait \$p || exit 1
	cat $TMP/big.out
	[ \$(grep -c '^[0-9a-f]*\$' $TMP/big.out) -eq 1 ] && grep -qx 01020304 $TMP/big.out &&
	grep -qx 'oversized 1' $TMP/big.out"

# Restart: a subscriber outlives the server and gets a message published
# after the restart (reconnect with backoff + re-SUB).
timeout 20 $H -r 200 -u "$URL" sub restart.subj 2 15000 > "$TMP/restart.out" 2> "$TMP/restart.err" &
sub_pid=$!
wait_for "$TMP/restart.out" ready
$H -u "$URL" pub restart.subj aa > /dev/null 2>&1
wait_for "$TMP/restart.out" '^aa$' 20
stop_server
sleep 0.5
start_server "$TMP/server2.log"
wait_for "$TMP/restart.out" 'connected 2' 50
$H -u "$URL" pub restart.subj bb > /dev/null 2>&1
wait "$sub_pid"
sub_rc=$?
testing "server restart: reconnect, resubscribe, receive" "
	cat $TMP/restart.out $TMP/restart.err
	[ $sub_rc -eq 0 ] && grep -qx aa $TMP/restart.out && grep -qx bb $TMP/restart.out &&
	grep -q 'connected 2' $TMP/restart.out && grep -q disconnected $TMP/restart.err"
stop_server

# Credentials: -ERR 'Authorization Violation' without them; user/pass and
# token from the URL work; the secret never reaches the logs.
start_server "$TMP/server3.log" --user streamer --pass s3cretPW
testing "auth required: -ERR reported, exit 7" "
	$H -u $URL ping > $TMP/noauth.out 2>&1
	rc=\$?; cat $TMP/noauth.out
	[ \$rc -eq 7 ] && grep -q 'err Authorization Violation' $TMP/noauth.out"
testing "user:pass from the URL, not logged" "
	$H -u nats://streamer:s3cretPW@127.0.0.1:$PORT ping > $TMP/auth.out 2>&1 || exit 1
	cat $TMP/auth.out; ! grep -q s3cretPW $TMP/auth.out"
stop_server
start_server "$TMP/server4.log" --auth T0kenXYZ
testing "token from the URL, not logged" "
	$H -u nats://T0kenXYZ@127.0.0.1:$PORT ping > $TMP/tok.out 2>&1 || exit 1
	cat $TMP/tok.out; ! grep -q T0kenXYZ $TMP/tok.out"
stop_server

testing "no server: connect fails fast with exit 5" "$H -u $URL ping" 5
finish
