# SPDX-License-Identifier: GPL-2.0-or-later
# accounting.sh - the frame accounting identity of a streamer log (sourced).
#
#   accounting_ok LOG    true when the last "exit:" line of LOG says
#                        announced = out + lost and lost = the sum of its
#                        reasons; prints the numbers either way.
#   exit_field LOG NAME  a number of that line (also a reason inside lost=(..))
# Every frame announced to the streamer either leaves as an access unit
# or is counted under exactly one reason (docs/hardening.md, rule 9).
exit_field() {
	grep 'exit: ' "$1" | tail -n 1 | sed -n "s/.*[ (,]$2=\([0-9]*\).*/\1/p"
}

accounting_ok() {
	_line=$(grep 'exit: ' "$1" | tail -n 1)
	[ -n "$_line" ] || { echo "accounting: no exit line in $1"; return 1; }
	_ann=$(echo "$_line" | sed -n 's/.* announced=\([0-9]*\).*/\1/p')
	_out=$(echo "$_line" | sed -n 's/.* out=\([0-9]*\).*/\1/p')
	_lost=$(echo "$_line" | sed -n 's/.* lost=\([0-9]*\).*/\1/p')
	_why=$(echo "$_line" | sed -n 's/.* lost=[0-9]*(\([^)]*\)).*/\1/p')
	_sum=0
	for _kv in $(echo "$_why" | tr ',' ' '); do
		_sum=$((_sum + ${_kv#*=}))
	done
	echo "accounting: announced=${_ann:-?} out=${_out:-?} lost=${_lost:-?} ($_why)"
	[ -n "$_ann" ] && [ -n "$_out" ] && [ -n "$_lost" ] &&
		[ "$_ann" -eq $((_out + _lost)) ] && [ "$_lost" -eq "$_sum" ]
}
