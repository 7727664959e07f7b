# SPDX-License-Identifier: GPL-2.0-or-later
# testing.sh - the one shell harness for suites (sourced, BusyBox style).
#
#   . "$SRCTREE/test/suites/testing.sh"
#   optional CONFIG_RTP || { skip_all "RTP not built"; }
#   testing "name" "command" [expected-exit-code]
#   ...
#   finish            # prints "<suite>: N passed, N failed, N skipped"
#
# testing runs the command with `sh -c`, stdout+stderr to a per-test log
# under $LOGDIR, and compares its exit code (default 0); exit code 77
# means the command skipped itself (automake convention).  Every command is
# wrapped in `timeout` ($TEST_TIMEOUT seconds, default 120, times
# $TIME_SCALE under qemu), so no test can hang the run.
: "${OBJTREE:?}" "${SRCTREE:?}"
SUITE=${SUITE:-$(basename "$0" .sh)}
BIN=$OBJTREE/bin
LOGDIR=${LOGDIR:-$OBJTREE/test/logs/$SUITE}
TEST_TIMEOUT=${TEST_TIMEOUT:-120}
TIME_SCALE=${TIME_SCALE:-1}
[ -n "${TEST_EXEC:-}" ] && TIME_SCALE=${TIME_SCALE_QEMU:-5}
mkdir -p "$LOGDIR"
t_pass=0 t_fail=0 t_skip=0

# optional CONFIG_X: true when CONFIG_X=y in the build's .config.
optional() {
	enabled "$1"
}

skip() {
	echo "SKIP $1${2:+ ($2)}"
	t_skip=$((t_skip + 1))
}

testing() {
	name=$1 cmd=$2 want=${3:-0}
	logf=$LOGDIR/$(echo "$name" | tr -c 'A-Za-z0-9_.\n-' '_').log
	timeout -k 10 $((TEST_TIMEOUT * TIME_SCALE)) sh -c "$cmd" > "$logf" 2>&1
	rc=$?
	if [ "$rc" -eq 77 ] && [ "$want" -ne 77 ]; then
		skip "$name" "$(tail -n 1 "$logf")"
	elif [ "$rc" -eq "$want" ]; then
		echo "PASS $name"
		t_pass=$((t_pass + 1))
	else
		echo "FAIL $name (exit $rc, want $want; log $logf)"
		tail -n 15 "$logf" | sed 's/^/    /'
		t_fail=$((t_fail + 1))
	fi
}

finish() {
	echo "$SUITE: $t_pass passed, $t_fail failed, $t_skip skipped"
	[ "$t_fail" -eq 0 ]
	exit $?
}

skip_all() {
	skip "$SUITE" "$1"
	finish
}

# Run a target binary (through TEST_EXEC under qemu).
target() {
	# shellcheck disable=SC2086
	${TEST_EXEC:-} "$@"
}

# free_port, stop_pid, enabled
. "$SRCTREE/scripts/lib.sh"
