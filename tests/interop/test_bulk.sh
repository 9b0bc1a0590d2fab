#!/usr/bin/env bash
# Bulk transfer against the Linux kernel, 256 MiB each way:
# - a kernel client sends 256 MiB of pseudo-random bytes to `synack server --app discard
#   --hash` and half-closes; synack's SHA-256 of what it received (its "discard: conn N
#   bytes B sha256 HEX" line at close) must equal the SHA-256 the sender computed over
#   what it sent, and after SIGINT app.rx_bytes says every byte arrived (268435456);
# - `synack server --app source` sends 256 MiB that the kernel reads whole and in order
#   (byte k of the stream is k mod 256, tcp_client.py source), copied into frames and
#   then again sent by reference (--tx-zerocopy), then again over a profile with
#   offload_tso = yes: net_tap reports TSO but refuses every full-MSS TSO frame (DPDK
#   22.11 counts the Ethernet header against the MTU; with TSO on, the transfer stalled at
#   one MSS per RTO), so lib/port must not turn it on: every byte arrives in order, no
#   TSO frame is sent and the port says why.
# Each direction has a 60 s budget (the kernel client's socket timeout and `timeout`).
. "$(dirname "$0")/lib.sh"
N=268435456
py="$SY_SRC/tests/interop/tcp_client.py"

sy_interop_init bulk_rx
sy_start_synack server --app discard --hash --port 9
send_all() {
  sy_ns timeout 60 python3 -c '
import hashlib, random, socket, sys
n = int(sys.argv[2]); buf = random.Random(4).randbytes(4 << 20); sent = 0
h = hashlib.sha256()
s = socket.create_connection((sys.argv[1], 9), timeout=30)
while sent < n:
    off = sent % len(buf)
    k = s.send(memoryview(buf)[off:off + min(len(buf) - off, n - sent)])
    h.update(memoryview(buf)[off:off + k]); sent += k
s.shutdown(socket.SHUT_WR)
while s.recv(65536): pass
s.close(); print("sent=%d sha256=%s" % (sent, h.hexdigest()))' "$SY_LOCAL_IP" "$N" > "$SY_TMP/sender.out"
}
t0=$(date +%s%N)
sy_check kernel_sent_256MiB_to_discard send_all
echo "interop: info bulk_rx: 256 MiB in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
same_hash() {
  local want got
  want=$(sed -n 's/^sent=[0-9]* sha256=//p' "$SY_TMP/sender.out")
  for _ in $(seq 50); do grep -q '^discard: conn' "$SY_TMP/synack.log" && break; sleep 0.1; done
  got=$(sed -n "s/^discard: conn [0-9]* bytes $N sha256 //p" "$SY_TMP/synack.log")
  echo "sender $want synack ${got:-none}"
  [ -n "$want" ] && [ "$want" = "$got" ]
}
sy_check synack_sha256_equals_kernel_sender_sha256 same_hash
sy_stop_synack
sy_check discard_received_every_byte grep -Eq "app.rx_bytes +$N\$" "$SY_TMP/synack.log"
sy_cleanup

sy_interop_init bulk_tx
sy_start_synack server --app source --port 19 --source-bytes "$N"
read_all() { local out; out=$(sy_ns timeout 60 python3 "$py" source "$SY_LOCAL_IP" 19 "$N") || return 1
  echo "$out"; [ "$out" = "bytes=$N pattern=ok" ]; }
t0=$(date +%s%N)
sy_check kernel_read_256MiB_whole_and_in_order read_all
echo "interop: info bulk_tx: 256 MiB in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
sy_stop_synack
# The kernel echoes our timestamps (RFC 7323 4.1) on every ACK of those 256 MiB: a real
# peer's echo is never taken for a bogus one (the exit counters list non-zero ones only).
kernel_echoes_all_plausible() {
  grep -Eq "tcp.tx_segs +[1-9]" "$SY_TMP/synack.log" &&
    ! grep -Eq "tcp.rtt_echo_implausible +[1-9]" "$SY_TMP/synack.log"
}
sy_check kernel_timestamp_echoes_give_rtt_samples kernel_echoes_all_plausible
sy_cleanup

# The same with zero-copy transmit: segments are a header mbuf chained to indirect mbufs
# over the send queue, checksummed in software across the chain; the kernel must get every
# byte, in order, with valid checksums (it drops a frame whose checksum is wrong).
sy_interop_init bulk_tx_zc
sy_start_synack server --app source --port 19 --source-bytes "$N" --tx-zerocopy 1024
t0=$(date +%s%N)
sy_check kernel_read_256MiB_zero_copy_whole_and_in_order read_all
echo "interop: info bulk_tx_zc: 256 MiB in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
sy_stop_synack
sy_check zero_copy_segments_were_sent grep -Eq "tcp.tx_zc_segs +[1-9][0-9]*\$" "$SY_TMP/synack.log"
sy_cleanup

# offload_tso = yes on net_tap: it reports RTE_ETH_TX_OFFLOAD_TCP_TSO (software cutting
# with librte_gso) but its size check refuses every full-MSS TSO frame, so lib/port
# leaves TSO off there (a warning says so) and the transfer must be whole.
sy_interop_init bulk_tx_tso
sed -i 's/^offload_tso = .*/offload_tso = yes/' "$SY_TMP/net_tap.ini"
sy_check profile_asks_for_tso grep -q '^offload_tso = yes$' "$SY_TMP/net_tap.ini"
sy_start_synack server --app source --port 19 --source-bytes "$N"
t0=$(date +%s%N)
sy_check kernel_read_256MiB_tso_whole_and_in_order read_all
echo "interop: info bulk_tx_tso: 256 MiB in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
sy_stop_synack
# the exit counters list non-zero ones only: frames were counted, TSO frames were not
no_tso_frames() {
  grep -Eq "loop.tx_frames +[1-9]" "$SY_TMP/synack.log" &&
    ! grep -Eq "tcp.tx_tso_segs +[1-9]" "$SY_TMP/synack.log"
}
sy_check no_tso_frame_was_sent no_tso_frames
sy_check port_says_why_tso_is_off grep -q "offload_tso ignored: net_tap" "$SY_TMP/synack.log"
# For the record, how the cut segments fared: synack's retransmissions and drops, and the
# kernel's checksum errors (it drops a segment whose checksum the PMD got wrong).
echo "interop: info bulk_tx_tso: $(grep -E '^ +(tcp\.(tx_tso_segs|data_retrans|rto_events)|net\.[a-z_]*drop[a-z_]*|loop\.tx_(frames|drop[a-z_]*)) ' \
  "$SY_TMP/synack.log" | tr -s ' ' | tr '\n' ';') kernel $(sy_ns nstat -asz TcpInCsumErrors IpInHdrErrors |
  awk 'NR > 1 { printf "%s %s;", $1, $2 }')"
sy_finish
