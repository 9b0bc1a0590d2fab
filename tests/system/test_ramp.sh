#!/usr/bin/env bash
# --ramp-up: the open rate grows linearly over the ramp, so the connections opened in the
# first second of a 4 s ramp to 20 000/s are far fewer than in the fourth (about 2 500
# against 17 500 on an idle machine), and the pacer never exceeds the target. Only the
# shape is asserted, with bounds that a loaded machine cannot break (it can only open
# fewer); the rates themselves belong to bench/.
set -u
tmp=$(mktemp -d /tmp/synack-ramp-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
"$SY_SYNACK" demo --quiet --duration 7 --rate 20000 --ramp-up 4 --json "$tmp/r.json" \
  < /dev/null > "$tmp/out" 2>&1
rc=$?
fail=0
check() { if eval "$2"; then echo "system: PASS $1"; else echo "system: FAIL $1"; fail=1; fi; }
read -r s1 s4 s6 < <(/usr/bin/python3 -c "
import json; s = json.load(open('$tmp/r.json'))['series']
print(s[0]['conns_opened'], s[3]['conns_opened'], s[5]['conns_opened'] if len(s) > 5 else 0)")
echo "opened per second: first $s1, fourth $s4, sixth $s6"
check exit_zero '[ $rc -eq 0 ]'
check first_second_well_below_target '[ "$s1" -lt 6000 ]'
check ramp_increases '[ "$s4" -gt $((2 * s1)) ]'
check never_above_the_target '[ "$s4" -le 21000 ] && [ "$s6" -le 21000 ]'
exit $fail
