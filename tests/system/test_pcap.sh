#!/usr/bin/env bash
# `--pcap FILE` writes the first frames of every worker as pcapng that tshark (Wireshark)
# reads: a one-second demo run captures ARP, the TCP handshake and HTTP, with valid IPv4
# and TCP checksums. The in-memory link normally skips checksums (trusted_link, as Linux
# does on loopback), so this run turns them on to have something to check.
set -u
tmp=$(mktemp -d /tmp/synack-pcap-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
sed 's/^trusted_link = yes/trusted_link = no/' "$SY_SRC/drivers-config/mem_pair.ini" > "$tmp/p.ini"
"$SY_SYNACK" demo --profile "$tmp/p.ini" --duration 1 --quiet --concurrency 4 \
  --pcap "$tmp/cap.pcapng" --pcap-count 200 < /dev/null > "$tmp/out" 2>&1
rc=$?
cat "$tmp/out"
fail=0
check() { if eval "$2"; then echo "system: PASS $1"; else echo "system: FAIL $1"; fail=1; fi; }
count() { tshark -r "$tmp/cap.pcapng" -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE \
  -Y "$1" 2>/dev/null | wc -l; }
check exit_zero '[ $rc -eq 0 ]'
check frames_written 'grep -q "captured 400 frames" "$tmp/out"'
check file_reads_back '[ "$(count frame)" -eq 400 ]'
check syn_captured '[ "$(count "tcp.flags.syn==1 && tcp.flags.ack==0")" -gt 0 ]'
check http_get_captured '[ "$(count "http.request.method==\"GET\"")" -gt 0 ]'
check no_bad_checksums '[ "$(count "ip.checksum.status==0 || tcp.checksum.status==0")" -eq 0 ]'
exit $fail
