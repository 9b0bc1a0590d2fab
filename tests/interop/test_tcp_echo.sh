#!/usr/bin/env bash
# A kernel client (python in the namespace) against `synack server --app echo`:
# - bytes echoed back unchanged (SHA-256) for 1 KiB and 4 MiB;
# - the kernel closes first (half-close after sending): the kernel's socket ends in
#   TIME-WAIT (ss -tan), synack goes through CLOSE-WAIT and LAST-ACK and closes normally;
# - kernel keepalive probes (TCP_KEEPIDLE=1 s, 3 probes) are answered: after 6 s idle the
#   connection still works.
. "$(dirname "$0")/lib.sh"
sy_interop_init tcp_echo
sy_start_synack server --app echo --port 7
py="$SY_SRC/tests/interop/tcp_client.py"

same_hash() { local out; out=$(sy_ns python3 "$py" echo "$SY_LOCAL_IP" 7 "$1") || return 1
  echo "$out"; local s g; s=${out#sent=}; s=${s%% *}; g=${out#*got=}; g=${g%% *}; [ "$s" = "$g" ]; }
sy_check echo_1KiB_hash_matches same_hash 1024
sy_check echo_4MiB_hash_matches same_hash 4194304
sy_check kernel_closed_first_is_in_time_wait \
  bash -c "ip netns exec $SY_NS ss -tan state time-wait | grep -q '$SY_LOCAL_IP:7'"
sy_check kernel_keepalive_probes_answered \
  bash -c "ip netns exec $SY_NS python3 $py keepalive $SY_LOCAL_IP 7 6 | grep -qx alive"

sy_stop_synack
sy_check synack_closed_normally grep -Eq 'tcp.closed_normal +[3-9]' "$SY_TMP/synack.log"
sy_check no_resets bash -c "! grep -Eq 'tcp.rst_(tx|rx_accepted) ' $SY_TMP/synack.log"
sy_finish
