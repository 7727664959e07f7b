#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# valgrind_row.sh - one acceptance row with the streamer under Memcheck.
#
#   scripts/valgrind_row.sh [--frames N] [--size WxH] [--codec h264|h265]
#
# cvmmap_sim -> valgrind cvmmap_streamer --rtp -> rtp_receiver_tester, at a
# small size (default 160x120, 60 frames at 15 fps: Memcheck is ~30x
# slower).  Memcheck runs with --error-exitcode=99 --leak-check=full;
# definite and indirect leaks count as errors, so the streamer's exit
# code is 99 on any invalid access, use of uninitialised memory or leak.
# Needs a build whose glibc is dynamic (the default mostly-static link or
# LINK_DYNAMIC): Memcheck replaces malloc only in a dynamic libc.
# Memcheck slows the encoder below the frame rate, and the latest-wins
# hand-off drops what it cannot take (by design), so the row needs only
# half of the frames delivered; what it checks is Memcheck's verdict.
# Prints "PASS|FAIL valgrind-rtp-<codec> (...)"; exit 0 only on PASS.
# Logs: $OBJTREE/evidence/valgrind-<timestamp>/ (EVIDENCE_DIR overrides).
# Suppressions: test/sanitizer/valgrind.supp (third-party libraries only).
set -u
SRCTREE=${SRCTREE:-$(cd "$(dirname "$0")/.." && pwd)}
OBJTREE=${OBJTREE:-$SRCTREE/build}
BIN=$OBJTREE/bin
FRAMES=60 SIZE=160x120 CODEC=h264 FPS=15
while [ $# -gt 0 ]; do
	case $1 in
	--frames) FRAMES=$2; shift 2 ;;
	--size) SIZE=$2; shift 2 ;;
	--codec) CODEC=$2; shift 2 ;;
	-h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "valgrind_row: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
command -v valgrind > /dev/null || { echo "SKIP valgrind-rtp-$CODEC (valgrind not installed)"; exit 77; }
if file -L "$BIN/cvmmap_streamer" 2> /dev/null | grep -q 'statically linked'; then
	echo "SKIP valgrind-rtp-$CODEC (fully static build: Memcheck cannot see malloc)"
	exit 77
fi
EV=${EVIDENCE_DIR:-$OBJTREE/evidence/valgrind-$(date -u +%Y%m%dT%H%M%SZ)-$$}
mkdir -p "$EV"
W=${SIZE%x*} H=${SIZE#*x}
port=$(python3 -c 'import socket,random
for _ in range(200):
    p=random.randrange(20000,60000,2); ok=True
    for q in (p,p+1):
        s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
        try: s.bind(("127.0.0.1",q))
        except OSError: ok=False
        finally: s.close()
    if ok: print(p); break')
inst=vg$$
supp=
[ -f "$SRCTREE/test/sanitizer/valgrind.supp" ] && supp=--suppressions=$SRCTREE/test/sanitizer/valgrind.supp

timeout 240 "$BIN/rtp_receiver_tester" --port "$port" --codec "$CODEC" --au-threshold 1 \
	--idle-ms 8000 --timeout-ms 230000 --json --dump "$EV/received.$CODEC" \
	> "$EV/tester.json" 2> "$EV/tester.log" &
tpid=$!
# shellcheck disable=SC2086
timeout 240 valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \
	--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
	--track-origins=yes --num-callers=30 $supp --log-file="$EV/valgrind.log" \
	"$BIN/cvmmap_streamer" --input "$inst" --codec "$CODEC" --no-nats \
	--rtp --rtp-endpoint "127.0.0.1:$port" --rtp-sdp "$EV/stream.sdp" \
	--ingest-idle-timeout-ms 6000 --stats-interval-ms 2000 > "$EV/streamer.log" 2>&1 &
spid=$!
# Let Memcheck start the streamer (it subscribes before the first frame).
i=0
while [ $i -lt 100 ] && ! grep -q 'rtp: sending' "$EV/streamer.log" 2> /dev/null; do
	sleep 0.1; i=$((i + 1))
done
timeout 120 "$BIN/cvmmap_sim" --instance "$inst" --width "$W" --height "$H" --fps "$FPS" \
	--frames "$FRAMES" --start-delay-ms 1000 > "$EV/sim.log" 2>&1
sim_rc=$?
wait "$spid"; s_rc=$?
wait "$tpid"; t_rc=$?
aus=$(sed -n 's/.*"aus":\([0-9]*\).*/\1/p' "$EV/tester.json")
errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$EV/valgrind.log" | tail -n 1)
def=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$EV/valgrind.log" | tail -n 1)
detail="memcheck errors=${errs:-?} definitely_lost=${def:-0} streamer=$s_rc aus=${aus:-0}/$FRAMES dropped=$(grep 'exit: ' "$EV/streamer.log" | sed -n 's/.* dropped=\([0-9]*\).*/\1/p' | head -n 1) sim=$sim_rc tester=$t_rc log $EV/valgrind.log"
if [ "$s_rc" -eq 0 ] && [ "${errs:-1}" -eq 0 ] && [ "${aus:-0}" -ge $((FRAMES / 2)) ]; then
	echo "PASS valgrind-rtp-$CODEC ($detail)"
	exit 0
fi
echo "FAIL valgrind-rtp-$CODEC ($detail)"
grep -E '^==[0-9]+== (Invalid|Conditional|Use of|Syscall param|[0-9,]+ bytes in)' "$EV/valgrind.log" | head -n 10
exit 1
