# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - shell helpers shared by the test suites and the scripts that
# drive the streamer (acceptance, faults, benchmarks, soak).  Sourced.

# free_port: an even loopback port p with p and p+1 free for TCP and UDP
# (RTP + RTCP, RTMP), picked at random so parallel runs do not collide.
free_port() {
	python3 -c 'import socket, random
for _ in range(200):
    p = random.randrange(20000, 60000, 2); ok = True
    for q in (p, p + 1):
        for t in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            s = socket.socket(socket.AF_INET, t)
            try: s.bind(("127.0.0.1", q))
            except OSError: ok = False
            finally: s.close()
    if ok: print(p); break'
}

# npm_peer DIR PACKAGE...: the npm packages in $PEERS/DIR (default
# build/peers), installed once; 1 when impossible (no npm, no registry).
# Suites share a DIR and run two at a time (CHECK_JOBS): the install holds
# a lock, and DIR/.installed lists what is there, so a suite asking for
# one package more gets it instead of trusting another suite's marker.
# --ignore-scripts: no package code runs at install time.
npm_peer() {
	_dir=${PEERS:-${SRCTREE:-.}/build/peers}/$1; shift
	mkdir -p "$_dir" || return 1
	(
		flock -w 600 9 || exit 1
		_need=
		for _p in "$@"; do
			grep -qxF "$_p" "$_dir/.installed" 2> /dev/null || _need="$_need $_p"
		done
		[ -z "$_need" ] && exit 0
		command -v npm > /dev/null || exit 1
		# shellcheck disable=SC2086
		(cd "$_dir" && timeout 300 npm install --no-audit --no-fund --ignore-scripts \
			"$@" > "$_dir/npm.log" 2>&1) || exit 1
		for _p in $_need; do echo "$_p" >> "$_dir/.installed"; done
	) 9> "$_dir.lock"
}

# stop_pid PID: stop a process we started: TERM, KILL after 3 s, reaped.
stop_pid() {
	[ -n "${1:-}" ] || return 0
	kill "$1" 2>/dev/null
	_i=0
	while kill -0 "$1" 2>/dev/null && [ $_i -lt 30 ]; do sleep 0.1; _i=$((_i + 1)); done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# enabled CONFIG_X: true when the build's .config has CONFIG_X=y.
enabled() {
	grep -q "^$1=y" "${KCONFIG_CONFIG:-${SRCTREE:-.}/.config}" 2>/dev/null
}

# config_value CONFIG_X: the value of an int/string symbol (empty if unset).
config_value() {
	sed -n "s/^$1=//p" "${KCONFIG_CONFIG:-${SRCTREE:-.}/.config}" 2>/dev/null | tr -d '"'
}

# wait_for FILE PATTERN [TENTHS]: poll FILE until a line matches PATTERN,
# at most TENTHS tenths of a second (default 50); true when it did.
wait_for() {
	_i=0
	while [ $_i -lt "${3:-50}" ] && ! grep -q "$2" "$1" 2>/dev/null; do
		sleep 0.1
		_i=$((_i + 1))
	done
	grep -q "$2" "$1" 2>/dev/null
}
