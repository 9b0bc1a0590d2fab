#!/usr/bin/env bash
# `synack server --app source`: a kernel client reads 16 MiB that synack sends and then
# closes (synack closes first, so synack holds the TIME-WAIT); every byte is the expected
# pattern (byte k of the stream is k mod 256), twice in a row.
. "$(dirname "$0")/lib.sh"
sy_interop_init source
sy_start_synack server --app source --port 19 --source-bytes 16777216
py="$SY_SRC/tests/interop/tcp_client.py"

read_all() { local out; out=$(sy_ns python3 "$py" source "$SY_LOCAL_IP" 19 16777216) || return 1
  echo "$out"; [ "$out" = "bytes=16777216 pattern=ok" ]; }
sy_check first_16MiB_whole_and_in_order read_all
sy_check second_16MiB_whole_and_in_order read_all

sy_stop_synack
sy_check synack_closed_first_and_holds_time_wait grep -Eq 'tcp.time_wait_entered +2$' "$SY_TMP/synack.log"
sy_finish
