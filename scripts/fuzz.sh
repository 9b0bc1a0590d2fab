#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, AddressSanitizer and UBSan), replays
# the saved regression inputs, then fuzzes each target for SECONDS. Exits non-zero when a
# regression input or the fuzzer crashes, printing the crashing input's path; a new crash
# is copied to tests/fuzz/regressions/<target>/ so that the next run replays it.
# The committed corpus is never grown: each run fuzzes a copy in a temporary directory.
# See docs/fuzzing.md.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]     (default 60 s; targets: frames tcp_opts
#        conf http)
# Environment: SY_FUZZ_BUILD (build dir, default build-fuzz), SY_SKIP_APT=1 (do not install
#   packages), SY_FUZZ_KEEP=1 (keep the temporary directory), SY_FUZZ_ARGS (extra
#   libFuzzer arguments).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(frames tcp_opts conf http)
build=${SY_FUZZ_BUILD:-build-fuzz}
case "$build" in /*) ;; *) build="$top/$build" ;; esac

# What the fuzz build needs on a fresh Debian 12 besides scripts/setup.sh's packages:
# clang 14 and its sanitizer and libFuzzer runtimes (libclang-rt-14-dev).
packages=(
  clang libclang-rt-14-dev meson ninja-build pkg-config python3
  libdpdk-dev dpdk-dev libnuma-dev libsodium-dev
)

say() { printf 'fuzz: %s\n' "$*"; }
. "$top/scripts/lib/packages.sh"


build_targets() {
  if [ ! -f "$build/build.ninja" ]; then
    CC=clang meson setup "$build" "$top" -Dfuzz=true -Db_sanitize=address,undefined \
      -Db_lundef=false -Dbuildtype=debug -Dtests=disabled >/dev/null
  fi
  local t list=()
  for t in "${targets[@]}"; do list+=("tests/fuzz/fuzz_$t"); done
  ninja -C "$build" "${list[@]}" >/dev/null
  say "built ${list[*]} in $build"
}

# UB is a finding, not a log line; LeakSanitizer stays on (per-input leak checks).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}

sy_install_missing
build_targets

work=$(mktemp -d /tmp/sy_fuzz.XXXXXX)
failed=0

# Every saved regression input runs once (libFuzzer executes files given as arguments).
replay() {
  local t=$1 bin=$2 dir="$top/tests/fuzz/regressions/$1" f
  [ -d "$dir" ] || return 0
  for f in "$dir"/*; do
    [ -f "$f" ] || continue
    case "$f" in *.md|*.txt) continue ;; esac
    if ! "$bin" "$f" >"$work/replay_$t.log" 2>&1; then
      say "REGRESSION $t: $f still crashes (log: $work/replay_$t.log)"
      failed=1
    fi
  done
}

fuzz() {
  local t=$1 bin=$2 log="$work/$t.log" rc=0
  mkdir -p "$work/$t/corpus" "$work/$t/crash"
  cp "$top/tests/fuzz/corpus/$t/"* "$work/$t/corpus/" 2>/dev/null || true
  # shellcheck disable=SC2086
  "$bin" "$work/$t/corpus" -max_total_time="$secs" -rss_limit_mb=2048 \
    -artifact_prefix="$work/$t/crash/" -print_final_stats=1 ${SY_FUZZ_ARGS:-} \
    >"$log" 2>&1 || rc=$?
  local runs
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [ "$rc" -ne 0 ]; then
    failed=1
    local a saved
    for a in "$work/$t/crash/"*; do
      [ -f "$a" ] || continue
      mkdir -p "$top/tests/fuzz/regressions/$t"
      saved="$top/tests/fuzz/regressions/$t/$(basename "$a")"
      cp "$a" "$saved"
      say "CRASH in $t: $a (saved as $saved; log: $log)"
    done
    grep -m1 -E 'ERROR: |runtime error|SUMMARY' "$log" | sed 's/^/fuzz:   /' || true
    SY_FUZZ_KEEP=1
  else
    say "$t: ${runs:-?} executions in ${secs} s, no finding"
  fi
}

for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/fuzz_$t"
  replay "$t" "$bin"
done
for t in "${targets[@]}"; do
  fuzz "$t" "$build/tests/fuzz/fuzz_$t"
done

if [ "${SY_FUZZ_KEEP:-0}" = 1 ]; then
  say "work directory kept: $work"
else
  rm -rf "$work"
fi
exit "$failed"
