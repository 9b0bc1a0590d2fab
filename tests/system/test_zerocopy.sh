#!/usr/bin/env bash
# --tx-zerocopy N: payloads of at least N bytes leave as a header mbuf chained to indirect
# mbufs over the send queue (sy_tcp_set_tx_zerocopy()). A demo run of keep-alive HTTP with
# 64 KiB bodies must then send segments by reference (tcp.tx_zc_segs > 0), with every
# response good and every mbuf back in its pool; the same run without the option sends
# none by reference. With software checksums on (trusted_link = no) the receiver verifies
# the checksum of every chained frame: none may be bad. A port that takes only
# single-mbuf frames (net_null) refuses the option with a message naming the cause.
set -u
tmp=$(mktemp -d /tmp/synack-zc-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if eval "$2"; then echo "system: PASS $1"; else echo "system: FAIL $1"; fail=1; fi; }
# counter NAME FILE: its value in the counter dump (0 when not printed: only non-zero are)
counter() { awk -v n="$1" '$1 == n { v += $2 } END { print v + 0 }' "$2"; }

demo() {   # demo OUT [options...]: 1.5 s of keep-alive GETs of 64 KiB bodies
  local out=$1; shift
  "$SY_SYNACK" demo --duration 1.5 --requests 0 --concurrency 8 --body-size 65536 "$@" \
    < /dev/null > "$out" 2>&1
}

demo "$tmp/zc" --tx-zerocopy 1024
rc=$?
cat "$tmp/zc"
check zc_exit_zero '[ $rc -eq 0 ]'
check zc_responses_good '[ "$(counter client.responses_ok "$tmp/zc")" -gt 100 ]'
check zc_no_errors 'grep -Eq "good responses [0-9]+ .*errors 0$" "$tmp/zc"'
check zc_segments_referenced '[ "$(counter tcp.tx_zc_segs "$tmp/zc")" -gt 1000 ]'
check zc_pool_whole 'grep -q "mbufs in use after shutdown: 0" "$tmp/zc"'

demo "$tmp/copy"
rc=$?
check copy_exit_zero '[ $rc -eq 0 ]'
check copy_sends_nothing_by_reference '[ "$(counter tcp.tx_zc_segs "$tmp/copy")" -eq 0 ]'
check copy_responses_good '[ "$(counter client.responses_ok "$tmp/copy")" -gt 100 ]'

sed 's/^trusted_link = yes/trusted_link = no/' "$SY_SRC/drivers-config/mem_pair.ini" \
  > "$tmp/cksum.ini"
demo "$tmp/cksum" --profile "$tmp/cksum.ini" --tx-zerocopy 1
rc=$?
check cksum_exit_zero '[ $rc -eq 0 ]'
check cksum_segments_referenced '[ "$(counter tcp.tx_zc_segs "$tmp/cksum")" -gt 1000 ]'
check cksum_none_bad '[ "$(counter tcp.drop_bad_csum "$tmp/cksum")" -eq 0 ]'
check cksum_no_errors 'grep -Eq "good responses [0-9]+ .*errors 0$" "$tmp/cksum"'

# net_null reports no RTE_ETH_TX_OFFLOAD_MULTI_SEGS: the option cannot be honoured.
"$SY_SYNACK" server --profile "$SY_SRC/drivers-config/net_null.ini" --duration 1 --quiet \
  --tx-zerocopy 1024 -- --in-memory < /dev/null > "$tmp/null" 2>&1
rc=$?
cat "$tmp/null"
check single_seg_port_refused_as_configuration_error '[ $rc -eq 2 ]'
check single_seg_port_says_why 'grep -q "multi-segment frames" "$tmp/null"'
"$SY_SYNACK" server --profile "$SY_SRC/drivers-config/net_null.ini" --duration 0.2 --quiet \
  -- --in-memory < /dev/null > "$tmp/null0" 2>&1
check single_seg_port_fine_without '[ $? -eq 0 ]'

"$SY_SYNACK" demo --tx-zerocopy 70000 < /dev/null > "$tmp/range" 2>&1
check out_of_range_is_config_error '[ $? -eq 2 ] && grep -q "tx-zerocopy" "$tmp/range"'
exit $fail
