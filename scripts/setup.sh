#!/usr/bin/env bash
# Prepares this machine for synack and builds it: installs the Debian packages that are
# missing, reserves and mounts hugepages when the kernel allows it, configures and builds
# incrementally. Idempotent: a second run does only what is still missing.
#
# Usage: scripts/setup.sh [BUILD_DIR] [extra meson options...]
# Environment: SY_HUGEPAGES (2 MiB pages to reserve, default 1024), SY_SKIP_APT=1.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
shift || true
case "$build" in /*) ;; *) build="$top/$build" ;; esac

# Build and test dependencies; each one is used somewhere in meson.build or tests/.
packages=(
  build-essential pkg-config meson ninja-build python3 python3-pyelftools
  libdpdk-dev dpdk dpdk-dev libnuma-dev libsodium-dev libcriterion-dev libpcap-dev
  iproute2 iputils-ping netcat-openbsd curl procps python3-minimal python3-jsonschema nginx-light wrk iperf3 tshark
)

say() { printf 'setup: %s\n' "$*"; }
. "$top/scripts/lib/packages.sh"


# Hugepages: reserve SY_HUGEPAGES 2 MiB pages and mount hugetlbfs. When the kernel refuses
# (containers, no privilege), synack runs with --no-huge; scripts/eal-args.sh decides.
setup_hugepages() {
  local want=${SY_HUGEPAGES:-1024} have
  have=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
  if [ "$have" -lt "$want" ] && [ -w /proc/sys/vm/nr_hugepages ]; then
    echo "$want" > /proc/sys/vm/nr_hugepages 2>/dev/null || true
    have=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
  fi
  if ! grep -qs ' /dev/hugepages hugetlbfs ' /proc/mounts; then
    mkdir -p /dev/hugepages 2>/dev/null && mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null || true
  fi
  if [ "$have" -gt 0 ] && grep -qs ' /dev/hugepages hugetlbfs ' /proc/mounts; then
    say "hugepages: $have x 2 MiB on /dev/hugepages"
  else
    say "notice: no hugepages available here; synack will run with --no-huge (slower)"
  fi
}

sy_install_missing
setup_hugepages

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$top" "$@" >/dev/null
fi
ninja -C "$build" >/dev/null
say "built in $build"
