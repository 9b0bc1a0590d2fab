#!/usr/bin/env bash
# Runs the whole synack test suite on this machine, from nothing: installs what is missing,
# builds, then runs
#   1. the Criterion unit and packet-level tests (release build),
#   2. the interop tests against the Linux kernel over net_tap in a test namespace,
#   3. the unit tests again in an ASan + UBSan build,
#   4. every libFuzzer target for SY_FUZZ_SECONDS (default 60) under ASan + UBSan, after
#      replaying the saved regression inputs (scripts/fuzz.sh).
# Ends with one line "tests: N passed, N failed" counting Criterion tests and interop
# scripts, and exits non-zero if anything failed.
#
# Usage: scripts/test.sh [--quick]   (--quick: skips the sanitizer build and fuzzing)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
quick=0
[ "${1:-}" = "--quick" ] && quick=1

"$top/scripts/setup.sh" build || exit 1

passed=0
failed=0

# Criterion prints "Synthesis: Tested: T | Passing: P | Failing: F | Crashing: C" per binary.
count_criterion() {
  local log=$1 p f c
  while read -r p f c; do
    passed=$((passed + p)); failed=$((failed + f + c))
  done < <(sed -n 's/.*Synthesis: Tested: [0-9]* | Passing: \([0-9]*\) | Failing: \([0-9]*\) | Crashing: \([0-9]*\).*/\1 \2 \3/p' "$log")
}

run_suite() {  # build-dir suite label
  local build=$1 suite=$2 label=$3 rc
  echo "== $label"
  meson test -C "$build" --suite "$suite" --print-errorlogs --num-processes 2 \
    --logbase "testlog-$suite"
  rc=$?
  count_criterion "$build/meson-logs/testlog-$suite.txt"
  if [ "$suite" = interop ] || [ "$suite" = system ]; then
    local ok fail
    ok=$(grep -cE "^(interop|system): PASS" "$build/meson-logs/testlog-$suite.txt" || true)
    fail=$(grep -cE "^(interop|system): FAIL" "$build/meson-logs/testlog-$suite.txt" || true)
    passed=$((passed + ok)); failed=$((failed + fail))
  fi
  [ $rc -eq 0 ] || { echo "$label: meson test exited $rc"; any_rc=1; }
}

any_rc=0
run_suite "$top/build" unit "unit and packet-level tests (release)"
run_suite "$top/build" system "system tests (synack on virtual devices)"
run_suite "$top/build" interop "interop tests against the Linux kernel (net_tap)"
if [ $quick -eq 0 ]; then
  "$top/scripts/setup.sh" build-asan -Dbuildtype=debug -Db_sanitize=address,undefined \
    -Db_lundef=false || exit 1
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    run_suite "$top/build-asan" unit "unit and packet-level tests (ASan + UBSan)"
fi

if [ $quick -eq 0 ]; then
  echo "== fuzzing (libFuzzer, ASan + UBSan), ${SY_FUZZ_SECONDS:-60} s per target"
  "$top/scripts/fuzz.sh" "${SY_FUZZ_SECONDS:-60}" 2>&1 | tee "$top/build/fuzz.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || any_rc=1
  ok=$(grep -cE '^fuzz: [a-z_]+: [0-9]+ executions .*no finding' "$top/build/fuzz.log" || true)
  passed=$((passed + ok))
  [ "$ok" -eq 4 ] || failed=$((failed + 4 - ok))
fi

echo "tests: $passed passed, $failed failed"
[ $failed -eq 0 ] && [ $any_rc -eq 0 ]
