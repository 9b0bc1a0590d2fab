#!/usr/bin/env bash
# Bad configuration gets one clear message and exit code 2; test profiles (INI) apply
# their options and the command line wins over them.
set -u
tmp=$(mktemp -d /tmp/synack-cli-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if eval "$2"; then echo "system: PASS $1"; else echo "system: FAIL $1"; fail=1; fi; }
# exit code 2 and a message matching $2
config_error() {
  local out rc pat=$2
  out=$("$SY_SYNACK" "${@:3}" < /dev/null 2>&1); rc=$?
  echo "$1: exit $rc: $(echo "$out" | tail -1)"
  check "$1" '[ $rc -eq 2 ] && grep -q -- "$pat" <<<"$out"'
}
config_error unknown_command "unknown command" frobnicate
config_error bad_number "--rate abc" demo --rate abc
config_error bad_target "--target 300.1.1.1" client --target 300.1.1.1 --profile "$SY_SRC/drivers-config/net_null.ini"
config_error bad_cc "--cc reno" demo --cc reno
config_error server_needs_profile "--profile FILE is required" server
printf '[port]\ndriver = net_null\ndevice = net_null0\nrx_desc = 70000\n' > "$tmp/bad-port.ini"
config_error profile_out_of_range "bad-port.ini: \[port\] rx_desc" pktpath --profile "$tmp/bad-port.ini"
printf '[client]\nbogus = 1\n' > "$tmp/bad-key.ini"
config_error test_profile_unknown_key "bad-key.ini: \[client\] bogus" demo --test "$tmp/bad-key.ini"
printf '[nonsense]\n' > "$tmp/bad-section.ini"
config_error test_profile_unknown_section "\[nonsense\]" demo --test "$tmp/bad-section.ini"
printf '[client]\nconcurrency = 0\n' > "$tmp/bad-value.ini"
config_error test_profile_bad_value "bad-value.ini: \[client\] concurrency = 0: --concurrency 0" demo --test "$tmp/bad-value.ini"

# a test profile applies, and the command line wins: 5 connections from the file, 7 given
printf '[run]\nduration = 20\n[client]\nconnections = 5\nconcurrency = 2\n' > "$tmp/ok.ini"
out=$("$SY_SYNACK" demo --test "$tmp/ok.ini" --connections 7 < /dev/null 2>&1); rc=$?
check test_profile_run_exit_zero '[ $rc -eq 0 ]'
check command_line_wins_over_profile 'grep -Eq "^  client.responses_ok +7$" <<<"$out"'
check profile_duration_not_reached 'grep -q "summary: [0-9]\.[0-9]* s" <<<"$out"'
# --cc cubic: the demo runs with CUBIC connections and no errors
out=$("$SY_SYNACK" demo --cc cubic --duration 1 --concurrency 8 < /dev/null 2>&1); rc=$?
check cc_cubic_run_exit_zero '[ $rc -eq 0 ] && grep -Eq "^  client.responses_ok +[1-9]" <<<"$out"'
exit $fail
