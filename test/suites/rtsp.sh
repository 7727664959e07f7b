#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# rtsp.sh - the RTSP server (--rtsp, docs/rtsp.md) against real clients
# and a protocol probe written from RFC 2326 (scripts/rtsp_probe.py).
#
# 1. start-up errors: bad --rtsp-listen/--rtsp-path, credentials on the
#    command line or without a ':', a port in use;
# 2. one streamer (dummy input, 5 clients, 2 s session timeout) and the
#    probe's rows: OPTIONS, DESCRIBE (SDP controls, sprop-*), the error
#    codes, RTP-Info = the first packet over TCP (own and default
#    channels) and UDP, per-client SR, requests split byte by byte, a
#    64 KiB head, garbage, a connection flood, 100 PLAY/TEARDOWN cycles
#    without fd or RSS growth, GET_PARAMETER keepalive vs the reaper;
#    then the exit line's frame accounting;
# 3. FFmpeg (ffprobe, UDP and TCP, and its fall back to TCP when UDP is
#    refused) and GStreamer (rtspsrc, UDP and TCP, and its fall back to TCP
#    when no UDP packet arrives) decode >= 60 frames of
#    H.264 and H.265, encoded from cvmmap_sim frames and passed through
#    from its access units; --rtsp beside --rtp from one encode; IPv6;
#    the same DESCRIBE/SETUP/PLAY summary as GStreamer's gst-rtsp-server;
# 4. Digest and Basic authentication with FFmpeg, GStreamer and the
#    probe, the password never in the log;
# 5. a TCP client that never reads: the others lose nothing and keep
#    their frame spacing, it is dropped to keyframes, then closed;
# 6. --rtsp-publish: FFmpeg (-rtsp_flags listen) records >= 60 frames,
#    and again after it was restarted mid-stream; the probe as a
#    recording server with Digest credentials checks the requests, the
#    first keyframe, the sequence and the sender reports.
# Timing rows (5) run natively only; under qemu, and with RTSP_QUICK=1
# (the sanitizer step of .ci/run), the client matrix is H.264 only.
. "$SRCTREE/test/suites/testing.sh"
. "$SRCTREE/scripts/accounting.sh"
. "$SRCTREE/scripts/lib.sh"
optional CONFIG_RTSP || skip_all "CONFIG_RTSP off"
optional CONFIG_ENC_X264 || skip_all "needs x264"
command -v python3 > /dev/null || skip_all "python3 not installed"

T=$OBJTREE/test/tmp/rtsp
rm -rf "$T" && mkdir -p "$T"
X=${TEST_EXEC:-}
S="$X $BIN/cvmmap_streamer"
PROBE="timeout $((90 * TIME_SCALE)) python3 $SRCTREE/scripts/rtsp_probe.py"
DUMMY="--input-mode dummy --dummy-width 320 --dummy-height 240 --dummy-fps 30 --no-nats"
A=". $SRCTREE/scripts/accounting.sh;"

# wait until something listens on TCP port $1 (or 10 s pass)
listening() {
	i=0
	while [ $i -lt 100 ]; do
		ss -Hltn "sport = :$1" 2> /dev/null | grep -q . && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# ---------------------------------------------------------------- 1. usage
for bad in "--rtsp-listen 0" "--rtsp-listen 70000" "--rtsp-listen 127.0.0.1:" \
	   "--rtsp-listen [::1" "--rtsp-path a/b" "--rtsp-path ''" "--rtsp-transport sctp" \
	   "--rtsp-credentials user:pw"; do
	testing "--rtsp $bad -> 2" "$S $DUMMY --rtsp $bad" 2
done
if optional CONFIG_RTSP_PUBLISH; then
	for bad in "rtmp://h/x" "rtsp://h" "rtsp://h/" "rtsp://:554/x" "rtsp://u%zz:p@h/x" \
		   "rtsp://u:p%00@h/x"; do
		testing "--rtsp-publish '$bad' -> 2, the URL not echoed" \
			"$S $DUMMY --rtsp-publish '$bad' > $T/pub_bad.log 2>&1; rc=\$?;
			 cat $T/pub_bad.log; ! grep -qF '$bad' $T/pub_bad.log && exit \$rc" 2
	done
fi
echo "nocolon" > "$T/cred.bad"
testing "--rtsp-credentials-file without USER:PASSWORD -> 2, the secret not echoed" \
	"$S $DUMMY --rtsp --rtsp-credentials-file $T/cred.bad > $T/cred.log 2>&1; rc=\$?;
	 cat $T/cred.log; ! grep -q nocolon $T/cred.log && exit \$rc" 2
P=$(free_port)
testing "--rtsp-listen on a port in use -> 5" \
	"python3 -c 'import socket,time; s=socket.socket(); s.bind((\"127.0.0.1\",$P)); s.listen(1); open(\"$T/held\",\"w\").close(); time.sleep(20)' & h=\$!;
	 i=0; while [ ! -e $T/held ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done;
	 timeout 20 $S $DUMMY --dummy-frames 30 --rtsp --rtsp-listen 127.0.0.1:$P;
	 rc=\$?; kill \$h; exit \$rc" 5

# ---------------------------------------------------------------- 2. protocol
P=$(free_port)
timeout $((240 * TIME_SCALE)) $S $DUMMY --rtsp --rtsp-listen 127.0.0.1:$P \
	--rtsp-max-clients 5 --rtsp-session-timeout 2 > "$T/proto.log" 2>&1 &
SP=$!
if listening $P; then
	checks="options describe errors rtpinfo-tcp rtpinfo-udp split bighead garbage flood
		cycles keepalive"
	# under qemu the rows that only exercise portable logic are left to the
	# native and sanitizer runs (they cost minutes there)
	[ -n "$X" ] && checks="options describe errors rtpinfo-tcp rtpinfo-udp flood"
	for c in $checks; do
		testing "protocol: $c" "$PROBE --port $P --max-clients 5 --pid $SP --seconds 9 $c"
	done
else
	testing "protocol: the server listens" "cat $T/proto.log; false"
fi
stop_pid $SP
testing "protocol: clean exit, every frame accounted, nothing crashed" \
	"$A tail -n 3 $T/proto.log; grep -q 'signal 15: clean shutdown' $T/proto.log &&
	 accounting_ok $T/proto.log && grep -q 'exit: .*rtsp\[.*refused=3' $T/proto.log"

P=$(free_port)
testing "protocol: DESCRIBE before any frame waits, then 503 with Retry-After" \
	"timeout $((30 * TIME_SCALE)) $S --input rtsp_noproducer$$ --no-nats --rtsp \
	   --rtsp-listen 127.0.0.1:$P > $T/early.log 2>&1 & sp=\$!;
	 sleep $((1 * TIME_SCALE)); $PROBE --port $P describe-early; rc=\$?; kill \$sp; wait \$sp; exit \$rc"

# ---------------------------------------------------------------- 3. clients
# Client commands, for the rows' own shells.
echo "TIME_SCALE=$TIME_SCALE" > "$T/clients.sh"
cat >> "$T/clients.sh" <<'EOF'
# ffprobe_frames PORT [TRANSPORT [HOST]]: frames decoded in 3 s of the stream
ffprobe_frames() {
	timeout $((20 * TIME_SCALE)) ffprobe -v error ${2:+-rtsp_transport $2} -count_frames \
		-read_intervals %+$((3 * TIME_SCALE)) -select_streams v:0 \
		-show_entries stream=nb_read_frames -of csv=p=0 "rtsp://${3:-127.0.0.1}:$1/live"
}
# gst_frames PORT TRANSPORT CODEC [RTSPSRC-PROPS]: 60 frames decoded (EOS
# comes only when all of them did)
gst_frames() {
	eval "timeout $((20 * TIME_SCALE)) gst-launch-1.0 -q rtspsrc \
		location=rtsp://127.0.0.1:$1/live protocols=$2 ${4:-} ! rtp$3depay ! $3parse ! \
		avdec_$3 ! fakesink num-buffers=60 sync=false"
}
EOF
CL=". $T/clients.sh;"

matrix() { # codec source(encoded|passthrough)
	c=$1 src=$2
	[ $c = h265 ] && { optional CONFIG_ENC_X265 || [ $src = passthrough ]; } ||
		[ $c = h264 ] || { skip "$c $src" "CONFIG_ENC_X265 off"; return; }
	if [ $src = passthrough ]; then
		optional CONFIG_PASSTHROUGH && optional CONFIG_TOOL_SIM ||
			{ skip "$c passthrough" "CONFIG_PASSTHROUGH off"; return; }
		simargs="--meta v2.1 --annexb $SRCTREE/test/vectors/codec/pt_176x144_g10.$c --codec $c"
		geo="--width 176 --height 144"
	else
		optional CONFIG_TOOL_SIM || { skip "$c encoded" "no simulator"; return; }
		simargs="" geo="--width 320 --height 240"
	fi
	P=$(free_port)
	inst=rtsp$$$c$(echo $src | cut -c1-4)
	timeout $((120 * TIME_SCALE)) $S --input $inst --codec $c --no-nats --rtsp \
		--rtsp-listen 127.0.0.1:$P --ingest-idle-timeout-ms $((3000 * TIME_SCALE)) \
		> "$T/m_$c$src.log" 2>&1 &
	mp=$!
	timeout $((100 * TIME_SCALE)) $X $BIN/cvmmap_sim --instance $inst $geo --fps 30 \
		--frames $((3000 * TIME_SCALE)) --start-delay-ms 300 $simargs > "$T/sim_$c$src.log" 2>&1 &
	sp=$!
	listening $P
	for tr in udp tcp; do
		testing "$c $src: ffprobe over $tr decodes >= 60 frames" \
			"$CL n=\$(ffprobe_frames $P $tr); echo \"frames: \$n\"; test \"\${n:-0}\" -ge 60"
		if command -v gst-launch-1.0 > /dev/null; then
			testing "$c $src: gstreamer rtspsrc over $tr decodes 60 frames" "$CL gst_frames $P $tr $c"
		else
			skip "$c $src: gstreamer over $tr" "gst-launch-1.0 not installed"
		fi
	done
	stop_pid $sp
	stop_pid $mp
	testing "$c $src: clients came and went, the streamer kept every frame" \
		"$A grep -q 'enc=$([ $src = passthrough ] && echo passthrough || echo x26)' $T/m_$c$src.log &&
		 accounting_ok $T/m_$c$src.log"
}
if command -v ffprobe > /dev/null; then
	matrix h264 encoded
	if [ -z "$X" ] && [ -z "${RTSP_QUICK:-}" ]; then
		matrix h265 encoded
		matrix h264 passthrough
		matrix h265 passthrough
	fi

	P=$(free_port)
	testing "ffprobe falls back to TCP when the server offers only TCP (461 to UDP)" \
		"$CL timeout $((60 * TIME_SCALE)) $S $DUMMY --rtsp --rtsp-listen 127.0.0.1:$P \
		   --rtsp-transport tcp > $T/tcponly.log 2>&1 & sp=\$!;
		 sleep $((1 * TIME_SCALE)); n=\$(ffprobe_frames $P); kill \$sp; wait \$sp;
		 echo \"frames: \$n\"; grep -q 'over tcp' $T/tcponly.log && test \"\${n:-0}\" -ge 60"

	# A client's fall back when UDP was set up but nothing arrives (a
	# firewall): the probe's proxy loses the UDP RTP.  GStreamer's rtspsrc
	# gives up on UDP after its timeout (2 s here) and comes back over TCP.
	# FFmpeg 5.1 only does this with -listen_timeout > 0, which also makes
	# it a listening server: unreachable for a client (docs/rtsp.md).
	P=$(free_port) Q=$(free_port)
	if command -v gst-launch-1.0 > /dev/null && [ -z "$X" ]; then
		testing "GStreamer falls back to TCP when no UDP packet arrives (2 s), decodes 60 frames" \
			"$CL . $SRCTREE/scripts/lib.sh; timeout $((60 * TIME_SCALE)) $S $DUMMY --rtsp \
			   --rtsp-listen 127.0.0.1:$P > $T/udpto.log 2>&1 & sp=\$!;
			 $PROBE --port $P --client-port $Q --seconds 30 udp-blackhole > $T/udpto.proxy 2>&1 & pp=\$!;
			 sleep 1;
			 timeout 25 gst-launch-1.0 rtspsrc location=rtsp://127.0.0.1:$Q/live protocols=udp+tcp \
			   timeout=2000000 ! rtph264depay ! h264parse ! avdec_h264 ! fakesink num-buffers=60 \
			   > $T/udpto.gst 2>&1; rc=\$?;
			 wait \$pp; stop_pid \$sp; cat $T/udpto.proxy; grep -i 'udp\\|tcp\\|EOS' $T/udpto.gst;
			 grep 'session' $T/udpto.log;
			 [ \$rc -eq 0 ] && grep -q 'Got EOS' $T/udpto.gst && grep -q '^ok udp-blackhole' $T/udpto.proxy &&
			 grep -q 'over udp' $T/udpto.log && grep -q 'over tcp' $T/udpto.log"
	else
		skip "GStreamer UDP-timeout fall back" "no gst-launch-1.0, or under qemu"
	fi

	P=$(free_port) R=$(free_port)
	testing "--rtsp beside --rtp: both fed by one encode" \
		"$CL timeout $((60 * TIME_SCALE)) $X $BIN/rtp_receiver_tester --port $R --codec h264 \
		   --idle-ms 1500 --timeout-ms $((30000 * TIME_SCALE)) --json > $T/both.json &
		 tp=\$!;
		 timeout $((60 * TIME_SCALE)) $S $DUMMY --dummy-frames $((150 * TIME_SCALE)) --rtsp \
		   --rtsp-listen 127.0.0.1:$P --rtp --rtp-endpoint 127.0.0.1:$R > $T/both.log 2>&1 &
		 sp=\$!; sleep $((1 * TIME_SCALE)); n=\$(ffprobe_frames $P tcp); wait \$sp; wait \$tp;
		 echo \"rtsp frames: \$n\"; cat $T/both.json; tail -n 2 $T/both.log;
		 test \"\${n:-0}\" -ge 60 && grep -q 'encoder x264' $T/both.log &&
		 python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d[\"aus\"] < 140)' $T/both.json"

	if python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2> /dev/null; then
		P=$(free_port)
		testing "IPv6: --rtsp-listen [::1]:PORT, ffprobe over TCP" \
			"$CL timeout $((60 * TIME_SCALE)) $S $DUMMY --rtsp --rtsp-listen [::1]:$P > $T/v6.log 2>&1 &
			 sp=\$!; sleep $((1 * TIME_SCALE)); n=\$(ffprobe_frames $P tcp [::1]); kill \$sp; wait \$sp;
			 echo \"frames: \$n\"; test \"\${n:-0}\" -ge 60"
	else
		skip "IPv6" "no ::1 here"
	fi
else
	skip "FFmpeg and GStreamer rows" "ffprobe not installed"
fi

# The same summary of DESCRIBE/SETUP/PLAY from GStreamer's gst-rtsp-server
# (the reference) and from ours, for each codec.
if /usr/bin/python3 -c "import gi; gi.require_version('GstRtspServer', '1.0')" 2> /dev/null &&
   command -v ffmpeg > /dev/null; then
	for c in h264 h265; do
		[ $c = h265 ] && ! optional CONFIG_ENC_X265 && continue
		enc=libx264; [ $c = h265 ] && enc="libx265 -x265-params log-level=error"
		ffmpeg -v error -y -f lavfi -i testsrc=size=320x240:rate=30 -frames:v 900 \
			-c:v $enc -preset ultrafast -g 30 -bf 0 -f $([ $c = h265 ] && echo hevc || echo h264) \
			"$T/ref.$c" 2> /dev/null
		P=$(free_port) G=$(free_port)
		testing "$c: DESCRIBE/SETUP/PLAY as gst-rtsp-server answers them" \
			"timeout 40 /usr/bin/python3 $SRCTREE/scripts/gst_rtsp_ref.py $G live $T/ref.$c $c 30 &
			 gp=\$!;
			 timeout $((40 * TIME_SCALE)) $S $DUMMY --codec $c --rtsp --rtsp-listen 127.0.0.1:$P \
			   > $T/shape.log 2>&1 & sp=\$!; sleep $((1 * TIME_SCALE));
			 $PROBE --port $G --codec $c shape > $T/shape.gst; $PROBE --port $P --codec $c shape > $T/shape.ours;
			 kill \$gp \$sp; wait; cat $T/shape.gst $T/shape.ours;
			 grep -q '^ok' $T/shape.gst && cmp $T/shape.gst $T/shape.ours"
	done
else
	skip "differential DESCRIBE/SETUP/PLAY" "gst-rtsp-server (gir1.2-gst-rtsp-server-1.0) not installed"
fi

# ---------------------------------------------------------------- 4. auth
PW='s3cret pass'
printf 'viewer:%s\n' "$PW" > "$T/cred"
for mode in digest basic; do
	P=$(free_port)
	CVMMAP_RTSP_CREDENTIALS= timeout $((60 * TIME_SCALE)) $S $DUMMY --rtsp \
		--rtsp-listen 127.0.0.1:$P --rtsp-auth $mode --rtsp-credentials-file "$T/cred" \
		> "$T/auth_$mode.log" 2>&1 &
	ap=$!
	listening $P
	testing "auth $mode: 401 without, 401 wrong, 200 right (probe)" \
		"CVMMAP_RTSP_CREDENTIALS='viewer:$PW' $PROBE --port $P auth-$mode"
	if command -v ffprobe > /dev/null; then
		testing "auth $mode: ffprobe with user:password in the URL" \
			"n=\$(timeout 20 ffprobe -v error -rtsp_transport tcp -count_frames -read_intervals %+3 \
			   -show_entries stream=nb_read_frames -of csv=p=0 'rtsp://viewer:s3cret%20pass@127.0.0.1:$P/live');
			 echo \"frames: \$n\"; test \"\${n:-0}\" -ge 60"
	fi
	if command -v gst-launch-1.0 > /dev/null; then
		testing "auth $mode: gstreamer rtspsrc user-id/user-pw" \
			"$CL gst_frames $P tcp h264 \"user-id=viewer user-pw='$PW'\""
	fi
	stop_pid $ap
	testing "auth $mode: the password is not in the log" \
		"grep -c . $T/auth_$mode.log; ! grep -q 's3cret' $T/auth_$mode.log &&
		 grep -q '$mode auth' $T/auth_$mode.log"
done
P=$(free_port)
testing "auth: credentials from \$CVMMAP_RTSP_CREDENTIALS" \
	"CVMMAP_RTSP_CREDENTIALS='viewer:$PW' timeout $((60 * TIME_SCALE)) $S $DUMMY --rtsp \
	   --rtsp-listen 127.0.0.1:$P > $T/auth_env.log 2>&1 & sp=\$!;
	 sleep $((1 * TIME_SCALE));
	 CVMMAP_RTSP_CREDENTIALS='viewer:$PW' $PROBE --port $P auth-digest; rc=\$?; kill \$sp; exit \$rc"

# ---------------------------------------------------------------- 5. stall
if [ -z "$X" ] && [ -z "${RTSP_QUICK:-}" ]; then
	P=$(free_port)
	# 640x360 (~1.4 Mbit/s): the kernel's buffers behind the stalled reader
	# fill in ~3 s, so its 10 s without progress end within the row
	timeout 90 $S $DUMMY --dummy-width 640 --dummy-height 360 --rtsp \
		--rtsp-listen 127.0.0.1:$P > "$T/stall.log" 2>&1 &
	SP=$!
	listening $P
	testing "a stalled TCP reader: another client loses nothing, frame gaps p99 < 2 periods" \
		"$PROBE --port $P --seconds 8 --hold 12 stall"
	stop_pid $SP
	testing "the stalled reader was dropped to keyframes, then closed after 10 s" \
		"grep 'slow reader\\|no progress' $T/stall.log | tail -n 3;
		 grep -q 'slow reader' $T/stall.log && grep -q 'no progress for 10 s' $T/stall.log"
else
	skip "stalled reader" "timing rows run natively"
fi

# ---------------------------------------------------------------- 6. publish
if optional CONFIG_RTSP_PUBLISH && command -v ffmpeg > /dev/null; then
	P=$(free_port)
	timeout $((90 * TIME_SCALE)) $S $DUMMY --rtsp-publish rtsp://127.0.0.1:$P/cam \
		> "$T/pub.log" 2>&1 &
	PP=$!
	for run in 1 2; do
		testing "publish: ffmpeg -rtsp_flags listen records >= 60 frames (listener $run)" "
			timeout $((30 * TIME_SCALE)) ffmpeg -v error -rtsp_flags listen \
			  -i rtsp://127.0.0.1:$P/cam -c copy -t $((3 * TIME_SCALE)) -y $T/pub$run.mkv
			n=\$(ffprobe -v error -count_frames -select_streams v:0 \
			  -show_entries stream=nb_read_frames -of csv=p=0 $T/pub$run.mkv)
			echo \"frames: \$n\"; test \"\${n:-0}\" -ge 60 || exit 1
			err=\$(ffmpeg -v error -i $T/pub$run.mkv -f null - 2>&1); echo \"\$err\"; test -z \"\$err\""
	done
	stop_pid $PP
	testing "publish: the restart was a reconnect (connects=2), every frame accounted" \
		"$A grep 'rtsp-pub' $T/pub.log | tail -n 4; grep -q 'exit: .*connects=2' $T/pub.log &&
		 accounting_ok $T/pub.log"
	P=$(free_port)
	testing "publish: Digest challenge answered, ANNOUNCE/SETUP/RECORD, first AU, SRs (probe)" \
		"CVMMAP_RTSP_CREDENTIALS='pub:pw x' $PROBE --port $P --cycles 90 record-server &
		 pp=\$!; sleep $((1 * TIME_SCALE));
		 echo 'rtsp://pub:pw%20x@127.0.0.1:$P/cam' > $T/pub.url;
		 timeout $((60 * TIME_SCALE)) $S $DUMMY --rtsp-publish-file $T/pub.url > $T/pub_auth.log 2>&1 &
		 sp=\$!; wait \$pp; rc=\$?; kill \$sp; wait \$sp;
		 ! grep -qe 'pw x' -e 'pw%20x' $T/pub_auth.log && exit \$rc"
else
	skip "publish rows" "CONFIG_RTSP_PUBLISH off or no ffmpeg"
fi

finish
