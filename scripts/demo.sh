#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# demo.sh - `make demo`: the main job on the built-in simulator.
#
# Starts cvmmap_sim (a cv-mmap producer), cvmmap_streamer reading it and
# sending RTP + SDP, and rtp_receiver_tester receiving it; streams for a
# few seconds, prints the SDP path, an ffplay command and a summary of
# what was received, and stops everything it started (by PID).
#   DEMO_SECONDS (default 6)  DEMO_CODEC h264|h265 (default h264)
set -u
SRCTREE=${SRCTREE:-$(cd "$(dirname "$0")/.." && pwd)}
OBJTREE=${OBJTREE:-$SRCTREE/build}
BIN=$OBJTREE/bin
SECS=${DEMO_SECONDS:-6}
CODEC=${DEMO_CODEC:-h264}
D=$OBJTREE/demo
INST=demo$$
mkdir -p "$D"
for b in cvmmap_sim cvmmap_streamer rtp_receiver_tester; do
	[ -x "$BIN/$b" ] || { echo "demo: $BIN/$b is missing (needs CONFIG_TOOL_SIM, CONFIG_RTP, CONFIG_TOOL_RTP_TESTER)" >&2; exit 2; }
done
PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1] // 2 * 2)')
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
}
trap cleanup EXIT INT TERM

FRAMES=$((SECS * 30))
echo "demo: simulator '$INST' 640x360 BGR 30 fps -> streamer ($CODEC) -> RTP 127.0.0.1:$PORT"
timeout $((SECS + 20)) "$BIN/rtp_receiver_tester" --port "$PORT" --expect-pt 96 --codec "$CODEC" \
	--au-threshold 1 --idle-ms 3000 --timeout-ms $(((SECS + 10) * 1000)) --json --dump "$D/received.$CODEC" \
	> "$D/receiver.json" 2> "$D/receiver.log" &
rpid=$!; pids="$pids $rpid"
timeout $((SECS + 20)) "$BIN/cvmmap_streamer" --input "$INST" --codec "$CODEC" \
	--rtp --rtp-endpoint "127.0.0.1:$PORT" --rtp-sdp "$D/stream.sdp" --no-nats \
	--ingest-idle-timeout-ms 2000 --stats-interval-ms 2000 2> "$D/streamer.log" &
spid=$!; pids="$pids $spid"
timeout $((SECS + 20)) "$BIN/cvmmap_sim" --instance "$INST" --width 640 --height 360 --fps 30 \
	--frames "$FRAMES" > "$D/sim.log" 2>&1 &
mpid=$!; pids="$pids $mpid"
sleep 1
echo "demo: SDP written to $D/stream.sdp"
echo "demo: watch it live (while it runs) with:"
echo "      ffplay -protocol_whitelist file,udp,rtp -i $D/stream.sdp"
echo "      (the demo's own receiver holds port $PORT: stop it or point --rtp-endpoint elsewhere)"
wait "$mpid"; wait "$spid"; src=$?; wait "$rpid"; rrc=$?
pids=""
echo "demo: streamer exit $src, receiver exit $rrc; streamer's last stats:"
grep -E 'exit:' "$D/streamer.log" | tail -n 1 | sed 's/^/      /'
echo "demo: receiver summary: $(cat "$D/receiver.json")"
if command -v ffprobe >/dev/null 2>&1; then
	f=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries \
		stream=codec_name,width,height,nb_read_frames -of csv=p=0 "$D/received.$CODEC" 2>/dev/null)
	echo "demo: ffprobe of the received stream ($D/received.$CODEC): $f"
fi
[ "$src" -eq 0 ] && [ "$rrc" -eq 0 ]
