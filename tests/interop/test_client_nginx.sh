#!/usr/bin/env bash
# `synack client` against nginx (one worker) in the namespace, the Linux kernel's TCP on
# the other end:
# - short connections (one GET each, synack closes first): every connection completes,
#   synack's count of good responses equals the lines nginx logged, and synack holds the
#   TIME-WAIT (the kernel has none for them);
# - keep-alive (20 requests per connection): likewise counted on both sides.
. "$(dirname "$0")/lib.sh"
sy_interop_init client_nginx
command -v nginx >/dev/null || { echo "interop: FAIL client_nginx: nginx not installed"; exit 1; }

mkdir -p "$SY_TMP/www"
chmod 755 "$SY_TMP"   # nginx workers run as www-data
head -c 512 /dev/urandom > "$SY_TMP/www/index.html"
cat > "$SY_TMP/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $SY_TMP/nginx.pid;
error_log $SY_TMP/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log $SY_TMP/access.log;
  keepalive_requests 100000;
  client_body_temp_path $SY_TMP/tmp; proxy_temp_path $SY_TMP/tmp;
  fastcgi_temp_path $SY_TMP/tmp; uwsgi_temp_path $SY_TMP/tmp; scgi_temp_path $SY_TMP/tmp;
  server { listen $SY_KERNEL_IP:80; root $SY_TMP/www; }
}
CONF
mkdir -p "$SY_TMP/tmp"

run_client_expect() {  # expected responses, name, then synack client options
  local expect=$1 name=$2; shift 2
  : > "$SY_TMP/access.log"
  sy_start_synack client --target "$SY_KERNEL_IP:80" --expect-body 512 --duration 30 "$@"
  ip netns exec "$SY_NS" nginx -c "$SY_TMP/nginx.conf" &
  NGINX_PID=$!
  local rc=0; wait "$SY_PID" || rc=$?; SY_PID=
  kill "$NGINX_PID" 2>/dev/null; wait "$NGINX_PID" 2>/dev/null
  local ok lines
  ok=$(sed -n 's/^  client.responses_ok *//p' "$SY_TMP/synack.log")
  lines=$(wc -l < "$SY_TMP/access.log")
  echo "$name: synack responses_ok=${ok:-0} nginx lines=$lines exit=$rc"
  sy_check "${name}_exit_0_no_errors" test "$rc" -eq 0
  sy_check "${name}_all_requests_completed" test "${ok:-0}" -eq "$expect"
  sy_check "${name}_counts_equal_nginx_log" test "${ok:-0}" -eq "$lines"
  sy_check "${name}_clean_shutdown" grep -q 'mbufs in use after shutdown: 0' "$SY_TMP/synack.log"
  cp "$SY_TMP/synack.log" "$SY_TMP/$name.log"
  # the next run creates a fresh interface in the root namespace
  ip -n "$SY_NS" link del "$SY_IF" 2>/dev/null
  return 0
}

run_client_expect 300 short --connections 300 --concurrency 8 --requests 1
sy_check short_synack_holds_time_wait grep -Eq 'tcp.time_wait_entered +300$' "$SY_TMP/short.log"
run_client_expect 200 keepalive --connections 10 --concurrency 10 --requests 20
sy_finish
