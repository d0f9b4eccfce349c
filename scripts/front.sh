#!/usr/bin/env bash
# Runs nginx as the front of a ccfield-server on this machine, in the
# foreground, as the current user, with its own prefix directory (config,
# pid, temp files) and its log on stderr. The tests, the attack bench and
# anyone trying a deployment locally use it; a production host uses the
# documented template deploy/nginx/ccfield.conf (TLS, www-data, systemd).
# Every limit is explained in docs/deploy.md.
#
#   scripts/front.sh --listen 127.0.0.1:8443 --upstream 127.0.0.1:8080 [--dir DIR]
#                    [--timeout S] [--limit-conn N] [--config-only]
#
# The front speaks plain HTTP here (loopback only); the server behind it must
# trust it: ccfield-server serve --trusted-proxy 127.0.0.1.
set -euo pipefail

listen=127.0.0.1:8443
upstream=127.0.0.1:8080
dir=""
timeout=10        # client_header_timeout / client_body_timeout / send_timeout, seconds
limit_conn=32     # requests in progress per client address
config_only=0

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --listen) listen=$2; shift 2 ;;
    --upstream) upstream=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --limit-conn) limit_conn=$2; shift 2 ;;
    --config-only) config_only=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "front.sh: unknown argument $1" >&2; usage ;;
  esac
done
for n in "$timeout" "$limit_conn"; do
  case "$n" in ''|*[!0-9]*) echo "front.sh: --timeout and --limit-conn take whole numbers" >&2; exit 2 ;; esac
done
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "front.sh: nginx is not installed (scripts/install-deps.sh installs nginx-light)" >&2
  exit 1
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -n "$dir" ] || dir=$(mktemp -d -t ccfield-front.XXXXXX)
mkdir -p "$dir/tmp"
dir=$(cd "$dir" && pwd)

# As root, nginx would switch its worker to "nobody", which cannot enter a
# private temp directory; this front is for one person's machine, so the
# worker stays the user who started it.
user_line=""
if [ "$(id -u)" -eq 0 ]; then user_line="user root root;"; fi

cat >"$dir/nginx.conf" <<CONF
# Written by scripts/front.sh; see docs/deploy.md for every value.
$user_line
worker_processes 1;
pid $dir/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;

  # Slow clients: the whole header must arrive within the timeout; the body
  # may not pause longer than it; a reader that stops reading is dropped.
  client_header_timeout ${timeout}s;
  client_body_timeout ${timeout}s;
  send_timeout ${timeout}s;
  reset_timedout_connection on;
  # Idle kept-alive connections wait here, in the event loop, not in a
  # server worker thread.
  keepalive_timeout 75s;
  keepalive_requests 1000;
  # Headers: 1 KiB to start, at most 4 buffers of 8 KiB for the request line
  # and each header field, so a request's header is at most 32 KiB (400 beyond).
  client_header_buffer_size 1k;
  large_client_header_buffers 4 8k;
  # The server refuses more than 8 MiB after gunzip; a gzip body is smaller.
  client_max_body_size 8m;
  client_body_buffer_size 256k;
  limit_conn_zone \$binary_remote_addr zone=ccfield_addr:1m;
  limit_conn ccfield_addr $limit_conn;
  limit_conn_status 429;

  upstream ccfield_server {
    server $upstream;
    # Connections to the server are reused; they are closed here before the
    # server's own 2 s keep-alive timeout, so a request never meets a
    # connection the server is closing.
    keepalive 16;
    keepalive_timeout 1s;
    keepalive_requests 90;
  }

  server {
    listen $listen;
    location / {
      proxy_pass http://ccfield_server;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      # We are the first hop: overwrite whatever the client claimed.
      proxy_set_header X-Forwarded-For \$remote_addr;
      # Only complete requests reach the server; answers are taken at once.
      proxy_request_buffering on;
      proxy_buffering on;
      proxy_connect_timeout 5s;
      proxy_read_timeout 60s;
      proxy_send_timeout 60s;
      # A sync is a POST: never send it twice.
      proxy_next_upstream off;
    }
  }
}
CONF

if [ "$config_only" -eq 1 ]; then
  echo "$dir/nginx.conf"
  exit 0
fi
exec "$NGINX" -p "$dir" -c "$dir/nginx.conf" -e stderr -g 'daemon off;'
