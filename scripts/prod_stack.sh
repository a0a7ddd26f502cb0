#!/usr/bin/env bash
# The production stack on loopback, for tests and benchmarks on this machine:
# nginx (TLS, Debian's package) -> two gunicorn instances -> PostgreSQL (database
# mgi_prod) and Redis (cache + Celery broker, database 5), one Celery worker.
#
#   scripts/prod_stack.sh up        start everything (idempotent), wait until healthy
#   scripts/prod_stack.sh down      stop everything it started (by pid file)
#   scripts/prod_stack.sh status    what runs
#   scripts/prod_stack.sh start|stop|kill NAME   one part: gunicorn-1 gunicorn-2 worker nginx s3
#
# Settings: MGI_PROD_DIR (default .prod), MGI_PROD_HTTPS_PORT (8443), MGI_PROD_HTTP_PORT
# (8080), MGI_PROD_APP_PORTS ("8101 8102"), MGI_PROD_DB (mgi_prod), MGI_PROD_REDIS_DB (5),
# MGI_PROD_SAMPLE (1: load the sample data into an empty database), MGI_PROD_PAGE_CACHE
# (nginx page cache seconds, 60). Only loopback addresses are used.
#
# MGI_PROD_S3=1: the stored files go to an S3 API instead of $PROD/media, as two app servers
# on two machines share them (deploy/README.md): a moto server on 127.0.0.1:MGI_PROD_S3_PORT
# (8109) is started as part "s3", bucket mgi-prod, and both gunicorns and the worker use it.
# moto keeps objects in memory: after its restart, `up` re-renders pages and data files.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

PROD="${MGI_PROD_DIR:-$ROOT/.prod}"
HTTPS_PORT="${MGI_PROD_HTTPS_PORT:-8443}"
HTTP_PORT="${MGI_PROD_HTTP_PORT:-8080}"
read -r -a APP_PORTS <<<"${MGI_PROD_APP_PORTS:-8101 8102}"
DB_NAME="${MGI_PROD_DB:-mgi_prod}"
REDIS_DB="${MGI_PROD_REDIS_DB:-5}"
PAGE_CACHE="${MGI_PROD_PAGE_CACHE:-60}"
VENV="$ROOT/.venv/bin"
RUN="$PROD/run"
LOG="$PROD/log"
BASE_URL="https://127.0.0.1:$HTTPS_PORT"
S3="${MGI_PROD_S3:-0}"
S3_PORT="${MGI_PROD_S3_PORT:-8109}"
S3_URL="http://127.0.0.1:$S3_PORT"

say() { printf '[prod] %s\n' "$*"; }
die() { printf '[prod] error: %s\n' "$*" >&2; exit 1; }

pid_of() { [[ -s "$RUN/$1.pid" ]] && cat "$RUN/$1.pid" || true; }
alive() { local pid; pid="$(pid_of "$1")"; [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; }

write_env() {
  mkdir -p "$PROD" "$RUN" "$LOG" "$PROD/media" "$PROD/static" "$PROD/cache" "$PROD/tls" "$PROD/nginx"
  [[ -s "$PROD/secret_key" ]] || head -c 48 /dev/urandom | base64 | tr -d '/+=\n' >"$PROD/secret_key"
  # Production settings, as on a server (deploy/README.md); only the hosts are loopback.
  cat >"$PROD/env" <<EOF
DJANGO_DEBUG=false
DJANGO_SECRET_KEY=$(cat "$PROD/secret_key")
DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
DJANGO_CSRF_TRUSTED_ORIGINS=$BASE_URL,https://localhost:$HTTPS_PORT
DJANGO_BEHIND_TLS_PROXY=true
DJANGO_SECURE_SSL_REDIRECT=true
DJANGO_SECURE_COOKIES=true
DJANGO_HSTS_SECONDS=31536000
DJANGO_LOG_FORMAT=json
DJANGO_CONN_MAX_AGE=60
DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB_NAME
REDIS_URL=redis://127.0.0.1:6379/$REDIS_DB
DJANGO_MEDIA_ROOT=$PROD/media
DJANGO_STATIC_ROOT=$PROD/static
DJANGO_STATICFILES_STORAGE=whitenoise.storage.CompressedManifestStaticFilesStorage
MGI_CLIENT_IP_HEADER=HTTP_X_REAL_IP
MGI_SHARED_CACHE_SECONDS=$PAGE_CACHE
MGI_SITE_URL=$BASE_URL
CELERY_VISIBILITY_TIMEOUT=${CELERY_VISIBILITY_TIMEOUT:-600}
# The loopback stack is load-tested from one address; a server keeps the default 1000/hour.
MGI_API_ANON_RATE=${MGI_API_ANON_RATE:-10000000/hour}
EOF
  if [[ "$S3" == 1 ]]; then
    cat >>"$PROD/env" <<EOF
MGI_S3_BUCKET=mgi-prod
MGI_S3_ENDPOINT_URL=$S3_URL
MGI_S3_ACCESS_KEY_ID=loopback
MGI_S3_SECRET_ACCESS_KEY=loopback
MGI_S3_REGION=us-east-1
EOF
  fi
}

load_env() { set -a; # shellcheck disable=SC1091
  source "$PROD/env"; set +a; }

services() {
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    say "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
    for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    say "starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/prod-stack.log
    sleep 1
  fi
  command -v nginx >/dev/null || die "nginx is not installed: run 'make system-deps'"
}

database() {
  if ! psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DB_NAME'" | grep -q 1; then
    say "creating database $DB_NAME"
    createdb -h 127.0.0.1 -U postgres "$DB_NAME"
  fi
  "$VENV/python" manage.py migrate --noinput -v 0
  "$VENV/python" manage.py compile_translations >/dev/null
  "$VENV/python" manage.py sync_framework >/dev/null
  "$VENV/python" manage.py collectstatic --noinput -v 0
}

tls() {
  [[ -s "$PROD/tls/cert.pem" ]] && return
  say "making a self-signed certificate for 127.0.0.1 and localhost"
  openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$PROD/tls/key.pem" -out "$PROD/tls/cert.pem" 2>/dev/null
}

nginx_conf() {
  local upstreams="" port
  for port in "${APP_PORTS[@]}"; do
    upstreams+="    server 127.0.0.1:$port max_fails=1 fail_timeout=5s;"$'\n'
  done
  mkdir -p "$PROD/cache"/{client_body,proxy_temp,fastcgi_temp,uwsgi_temp,scgi_temp,pages}
  local admin_path
  admin_path="$("$VENV/python" -c 'import os; print(os.environ.get("DJANGO_ADMIN_PATH", "admin/").strip("/") + "/")')"
  UPSTREAMS="$upstreams" ADMIN_PATH="$admin_path" PROD="$PROD" ROOT="$ROOT" \
  HTTPS_PORT="$HTTPS_PORT" HTTP_PORT="$HTTP_PORT" PAGE_CACHE="$PAGE_CACHE" "$VENV/python" - <<'PY'
import os
from pathlib import Path

e = os.environ
prod, root = Path(e["PROD"]), Path(e["ROOT"])
values = {
    "UPSTREAM_SERVERS": e["UPSTREAMS"].rstrip("\n"),
    "SERVER_NAME": "127.0.0.1 localhost",
    "HTTP_LISTEN": f"127.0.0.1:{e['HTTP_PORT']}",
    "HTTPS_LISTEN": f"127.0.0.1:{e['HTTPS_PORT']}",
    "HTTPS_PORT_SUFFIX": f":{e['HTTPS_PORT']}",
    "TLS_CERT": str(prod / "tls/cert.pem"),
    "TLS_KEY": str(prod / "tls/key.pem"),
    "STATIC_ROOT": str(prod / "static"),
    "ADMIN_PATH": e["ADMIN_PATH"],
    "CACHE_DIR": str(prod / "cache"),
    "PAGE_CACHE_SECONDS": e["PAGE_CACHE"],
    "RUN_DIR": str(prod / "run"),
    "LOG_DIR": str(prod / "log"),
    "ACCESS_LOG": f"{prod / 'log/nginx-access.log'} json buffer=64k flush=2s",
    "SITE_CONF": str(prod / "nginx/mgi-portal.conf"),
    "SECURITY_HEADERS": str(prod / "nginx/security_headers.conf"),
    # Workers drop root where we are root; they only read static files.
    "USER_LINE": "user www-data;" if os.geteuid() == 0 else "",
}
for name in ("nginx.conf", "mgi-portal.conf"):
    text = (root / "deploy/nginx" / f"{name}.template").read_text()
    for key, value in values.items():
        text = text.replace(f"@@{key}@@", value)
    assert "@@" not in text, f"unfilled placeholder in {name}"
    (prod / "nginx" / name).write_text(text)
PY
  # The same security headers as Django's, from one definition (mgi_portal/headers.py).
  "$VENV/python" manage.py security_headers > "$PROD/nginx/security_headers.conf"
  # nginx workers (www-data) read static and published files.
  chmod o+rx "$PROD" 2>/dev/null || true
  chmod -R o+rX "$PROD/static" "$PROD/media" 2>/dev/null || true
}

start_one() {
  local name="$1" port
  alive "$name" && return
  case "$name" in
    gunicorn-*)
      port="${APP_PORTS[$((${name#gunicorn-} - 1))]}"
      GUNICORN_BIND="127.0.0.1:$port" GUNICORN_PROC_NAME="mgi-portal-$port" \
      GUNICORN_ERRORLOG="$LOG/$name.log" \
        "$VENV/gunicorn" -c deploy/gunicorn.conf.py --daemon --pid "$RUN/$name.pid"
      ;;
    worker)
      # Render PDFs in a pool of one process.
      # bench/faults.py shortens the visibility timeout so a killed task returns quickly.
      (CELERY_VISIBILITY_TIMEOUT="${MGI_FAULT_VISIBILITY_TIMEOUT:-${CELERY_VISIBILITY_TIMEOUT:-600}}" \
        "$VENV/celery" -A mgi_portal worker --loglevel INFO --concurrency 1 \
        --hostname "render@%h" --detach --pidfile "$RUN/worker.pid" --logfile "$LOG/worker.log")
      ;;
    s3)
      # Its own session, so a signal to this script's process group never reaches the store.
      setsid "$VENV/python" -m moto.server -H 127.0.0.1 -p "$S3_PORT" </dev/null >>"$LOG/s3.log" 2>&1 &
      echo $! >"$RUN/s3.pid"
      ;;
    nginx)
      nginx -t -q -c "$PROD/nginx/nginx.conf" -p "$PROD" -e "$LOG/nginx-error.log"
      nginx -c "$PROD/nginx/nginx.conf" -p "$PROD" -e "$LOG/nginx-error.log"
      ;;
    *) die "unknown part $name" ;;
  esac
  for _ in $(seq 50); do alive "$name" && return; sleep 0.2; done
  die "$name did not start (see $LOG)"
}

stop_one() {
  local name="$1" signal="${2:-TERM}" pid
  pid="$(pid_of "$name")"
  [[ -n "$pid" ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    if [[ "$signal" == KILL ]]; then
      # The whole process at once, its children (pool, workers) included, as a crash would.
      local child
      for child in $(ps -o pid= --ppid "$pid"); do kill -KILL "$child" 2>/dev/null || true; done
    fi
    kill -"$signal" "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN/$name.pid"
}

parts() {
  local i
  # The store first: the app servers and the worker write to it from their first request.
  if [[ "$S3" == 1 || -s "$RUN/s3.pid" ]]; then echo s3; fi
  for i in "${!APP_PORTS[@]}"; do echo "gunicorn-$((i + 1))"; done
  echo worker
  echo nginx
}

# The bucket on the loopback S3 server; a new (empty) one gets every publication's files
# rendered again, since the database already lists them.
s3_bucket() {
  [[ "$S3" == 1 ]] || return 0
  for _ in $(seq 50); do curl -sf "$S3_URL/moto-api/" >/dev/null && break; sleep 0.2; done
  local created
  created="$("$VENV/python" - <<'PY'
import os

import boto3

s3 = boto3.client(
    "s3",
    endpoint_url=os.environ["MGI_S3_ENDPOINT_URL"],
    aws_access_key_id=os.environ["MGI_S3_ACCESS_KEY_ID"],
    aws_secret_access_key=os.environ["MGI_S3_SECRET_ACCESS_KEY"],
    region_name=os.environ["MGI_S3_REGION"],
)
bucket = os.environ["MGI_S3_BUCKET"]
names = {b["Name"] for b in s3.list_buckets()["Buckets"]}
if bucket not in names:
    s3.create_bucket(Bucket=bucket)
print(int(bucket not in names))
PY
)"
  if [[ "$created" == 1 ]]; then
    say "new bucket $MGI_S3_BUCKET on $S3_URL; rendering pages and data of existing publications"
    "$VENV/python" manage.py rerender --pages --data >/dev/null
    "$VENV/python" manage.py build_opendata >/dev/null
    say "PDFs take ~25 s each: 'manage.py rerender --pdfs' (with $PROD/env loaded) renders them"
  fi
}

wait_healthy() {
  for _ in $(seq 60); do
    if curl -skf "$BASE_URL/healthz" >/dev/null; then return 0; fi
    sleep 1
  done
  die "not healthy after 60 s: curl -sk $BASE_URL/healthz"
}

sample_data() {
  [[ "${MGI_PROD_SAMPLE:-1}" == 1 ]] || return 0
  local count
  count="$("$VENV/python" manage.py shell -c 'from profiles.models import Publication; print(Publication.objects.count())' 2>/dev/null | tail -1)"
  if [[ "$count" == 0 ]]; then
    say "loading the sample data (the worker renders the files)"
    "$VENV/python" manage.py load_sample_data >/dev/null
  fi
  say "waiting for the worker to render every publication (at most 600 s)"
  for _ in $(seq 600); do
    local pending
    pending="$("$VENV/python" manage.py shell -c 'from profiles.models import Publication; print(Publication.objects.filter(ready_at__isnull=True).count())' 2>/dev/null | tail -1)"
    [[ "$pending" == 0 ]] && { say "all publications rendered"; return 0; }
    sleep 2
  done
  say "warning: some publications are still rendering; see $LOG/worker.log"
}

up() {
  services
  write_env
  load_env
  database
  tls
  nginx_conf
  local part
  for part in $(parts); do
    start_one "$part"
    if [[ "$part" == s3 ]]; then s3_bucket; fi
  done
  wait_healthy
  sample_data
  say "up: $BASE_URL/ (self-signed certificate: curl -k); settings in $PROD/env; logs in $LOG"
}

down() {
  local part
  # The store last: the worker may still write to it while it stops.
  for part in nginx $(parts | grep -v 'nginx\|s3'); do stop_one "$part"; done
  stop_one s3
  say "down"
}

status() {
  local part
  for part in $(parts); do
    if alive "$part"; then echo "$part running (pid $(pid_of "$part"))"; else echo "$part stopped"; fi
  done
}

case "${1:-}" in
  up) up ;;
  down) [[ -d "$RUN" ]] && down || say "nothing to stop" ;;
  status) status ;;
  start) [[ -s "$PROD/env" ]] || die "run 'up' first"; load_env; start_one "$2" ;;
  stop) stop_one "$2" TERM ;;
  kill) stop_one "$2" KILL ;;
  url) echo "$BASE_URL" ;;
  *) die "usage: $0 up|down|status|start NAME|stop NAME|kill NAME|url" ;;
esac
