#!/usr/bin/env bash
# curl and wrk in the namespace against `synack server --app http`:
# - curl gets status 200 and exactly the configured 1 MiB body (keep-alive and
#   Connection: close), and HEAD gets no body;
# - wrk with Connection: close and with keep-alive: no socket errors, no non-2xx responses;
# - with Connection: close synack closes first, so synack (not the kernel) holds TIME-WAIT;
# - `--json` writes the server's counters at exit, the same figures as its summary;
# - a keep-alive connection idle for longer than the RTO restarts from the initial window
#   (RFC 5681 4.1) and still delivers whole responses.
. "$(dirname "$0")/lib.sh"
sy_interop_init http_server
sy_start_synack server --app http --port 80 --body-size 1048576 \
  --header "Cache-Control: no-store" --header "X-Synack-Test: 1" --json "$SY_TMP/server.json"
url="http://$SY_LOCAL_IP/"

sy_check curl_status_200_and_body_size bash -c \
  "[ \"\$(ip netns exec $SY_NS curl -s -o /dev/null -w '%{http_code} %{size_download}' $url)\" = '200 1048576' ]"
sy_check curl_connection_close bash -c \
  "[ \"\$(ip netns exec $SY_NS curl -s --local-port 40001 -H 'Connection: close' -o /dev/null -w '%{http_code} %{size_download}' $url)\" = '200 1048576' ]"
sy_check configured_headers_present bash -c \
  "ip netns exec $SY_NS curl -s -D - -o /dev/null $url | tr -d '\r' | grep -qx 'Cache-Control: no-store' &&
   ip netns exec $SY_NS curl -s -D - -o /dev/null $url | tr -d '\r' | grep -qx 'X-Synack-Test: 1'"
sy_check curl_head_has_no_body bash -c \
  "[ \"\$(ip netns exec $SY_NS curl -s -I -o /dev/null -w '%{http_code} %{size_download}' $url)\" = '200 0' ]"
sy_check synack_closed_first_kernel_has_no_time_wait bash -c \
  "! ip netns exec $SY_NS ss -tan state time-wait | grep -q '$SY_KERNEL_IP:40001 '"

wrk_clean() {  # args for wrk; passes when no socket errors and no non-2xx
  local out; out=$(sy_ns wrk -t1 -c8 -d2s --timeout 2s "$@" "$url" 2>&1); echo "$out"
  ! grep -q 'Socket errors' <<<"$out" && ! grep -q 'Non-2xx' <<<"$out" &&
    grep -Eq '^ +[0-9]+ requests in' <<<"$out" && ! grep -Eq '^ +0 requests in' <<<"$out"
}
sy_check wrk_keepalive_clean wrk_clean
sy_check wrk_connection_close_clean wrk_clean -H 'Connection: close'

# RFC 5681 4.1 against the kernel: a keep-alive connection idle for longer than the RTO
# (200 ms minimum here) restarts from the initial window before its next 1 MiB response;
# both responses arrive whole.
sy_check idle_keep_alive_connection_restarts_and_delivers sy_ns python3 -c "
import http.client, time
c = http.client.HTTPConnection('$SY_LOCAL_IP', 80, timeout=5)
for i in range(2):
    c.request('GET', '/')
    r = c.getresponse()
    body = r.read()
    assert r.status == 200 and len(body) == 1048576, (r.status, len(body))
    time.sleep(0.6)
"

sy_stop_synack
sy_check idle_restart_counted grep -Eq 'tcp.cwnd_idle_restarts +[1-9]' "$SY_TMP/synack.log"
sy_check synack_holds_time_wait grep -Eq 'tcp.time_wait_entered +[1-9]' "$SY_TMP/synack.log"
sy_check no_malformed_requests bash -c "! grep -Eq 'http.responses_400 ' $SY_TMP/synack.log"
sy_check json_has_the_counters_of_the_summary python3 -c "
import json, re, sys
j = json.load(open('$SY_TMP/server.json'))
log = open('$SY_TMP/synack.log').read()
summary = int(re.search(r'http\.requests +([0-9]+)', log).group(1))
assert j['command'] == 'server' and j['app'] == 'http' and j['port'] == 80, j
assert j['seconds'] > 0 and j['workers'] >= 1, j
assert j['counters']['http.requests'] == summary >= 6, (j['counters']['http.requests'], summary)
"
sy_finish
