# SPDX-License-Identifier: GPL-2.0-or-later
# bench_lat.awk - join a producer trace with a receiver trace (benchmarks).
#
#   awk -f bench_lat.awk -v fps=30 -v edge=last tx.trace rx.trace [bare.trace]
#
# tx.trace  "i sync_mono_ns"                  (helper_bench_pub -t)
# rx.trace  "rtp_ts first_ns last_ns bytes"   (rtp_receiver_tester --trace)
# bare.trace "i wall_ns"                      (helper_bench_enc -t), optional:
#           the frame's bare encode time is subtracted (index modulo its length).
# A --bitexact streamer's RTP timestamp is 90 kHz of (i - i0) frame periods,
# i0 being the first frame it ingested; i0 is the largest shift that leaves
# no latency negative (printed; the scripts start the consumer first so it
# is normally 0).  edge=first|last: first or last packet of the AU.
# Prints "n=.. i0=.. p50_us=.. p99_us=.. max_us=.." (+ "net_p50_us net_p99_us"
# with a bare trace), and with series=1 one "t_s lat_us" line per AU first.
BEGIN { nr = 0; ns = 0; nb = 0 }
FILENAME == ARGV[1] { sync[$1] = $2; ns++; next }
FILENAME == ARGV[2] { rel[nr] = int($1 * fps / 90000 + 0.5); arr[nr] = (edge == "first" ? $2 : $3); nr++; next }
{ bare[$1] = $2; nb++ }
function sortv(a, n,   i, j, t) {
	for (i = 1; i < n; i++) { t = a[i]; for (j = i - 1; j >= 0 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
}
function rank(a, n, p,   k) { k = int(p * n / 100 + 0.999999) - 1; if (k < 0) k = 0; return a[k] }
END {
	if (!nr || !ns) { print "n=0"; exit 1 }
	best = -1
	for (s = 0; s < ns; s++) {
		ok = 1
		for (k = 0; k < nr; k++) { i = rel[k] + s; if (!(i in sync) || arr[k] < sync[i]) { ok = 0; break } }
		if (ok) best = s
		else if (best >= 0) break
	}
	if (best < 0) { print "n=0 (no frame mapping)"; exit 1 }
	for (k = 0; k < nr; k++) {
		i = rel[k] + best
		l[k] = (arr[k] - sync[i]) / 1000
		if (nb) d[k] = l[k] - bare[i % nb] / 1000
		if (series) printf "%.3f %.1f\n", (sync[i] - sync[best]) / 1e9, l[k]
	}
	sortv(l, nr)
	printf "n=%d i0=%d p50_us=%.0f p99_us=%.0f max_us=%.0f", nr, best, rank(l, nr, 50), rank(l, nr, 99), l[nr - 1]
	if (nb) { sortv(d, nr); printf " net_p50_us=%.0f net_p99_us=%.0f", rank(d, nr, 50), rank(d, nr, 99) }
	printf "\n"
}
