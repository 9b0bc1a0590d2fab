#!/usr/bin/env bash
# The main job: installs what is missing, builds, then runs `synack demo` — a server stack
# and a client stack in one process joined by the in-memory link (no NIC, no
# configuration): 10 s of short HTTP/1.1 connections, a live line every second, then the
# summary with latency percentiles. The full result goes to bench/results/tmp/demo.json.
# Extra arguments go to `synack demo` (see `build/app/synack/synack --help`).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/setup.sh" build
mkdir -p "$top/bench/results/tmp"
exec "$top/build/app/synack/synack" demo --json "$top/bench/results/tmp/demo.json" "$@" < /dev/null
