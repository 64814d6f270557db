#!/usr/bin/env bash
# The deployment smoke test: the web container's start script without Docker, then HTTP.
#     docker/smoke.sh postgres://postgres@127.0.0.1:54329/rmp_deploy
# The database must exist and be empty; the URL's role owns what the migrations create
# (MIGRATE_DATABASE_URL) and must be allowed to create roles: the test makes the web
# application's role (DATABASE_URL) for its run and drops it afterwards. The environment is
# .env.example's, with those two URLs and gunicorn on a free loopback port. docker/start.sh
# runs as in the container: check --deploy (warnings fail), migrate and grant_app_role as
# the owner, collectstatic, load_seed_data, gunicorn (gthread). Requests come as through the
# TLS proxy (X-Forwarded-Proto: https). Then the audit trail verifies, and the application's
# role is refused a TRUNCATE, UPDATE and DELETE of a history table.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -ne 1 ]; then
  echo "usage: $0 DATABASE_URL" >&2
  exit 2
fi

set -a
# shellcheck source=/dev/null
. ./.env.example
set +a
WORK=$(mktemp -d /tmp/rmp-smoke.XXXXXX)
PORT=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
APP_ROLE="rmp_smoke_app_$$"
# db_role create|drop OWNER_URL ROLE: the application's role, made (or dropped) by the owner;
# "create" prints the role's DATABASE_URL.
db_role() {
  .venv/bin/python - "$@" <<'PY'
import secrets, sys
from urllib.parse import quote, urlsplit, urlunsplit
import psycopg
from psycopg import sql
action, url, role = sys.argv[1:]
with psycopg.connect(url, autocommit=True) as connection:
    name = sql.Identifier(role)
    if action == "create":
        password = secrets.token_urlsafe(24)
        connection.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(name, sql.Literal(password)))
        database = connection.info.dbname
        connection.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), name))
        parts = urlsplit(url)
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        print(urlunsplit((parts.scheme, f"{quote(role)}:{quote(password)}@{host}", parts.path, parts.query, "")))
    else:
        connection.execute(sql.SQL("DROP OWNED BY {}").format(name))
        connection.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(name))
PY
}
APP_URL=$(db_role create "$1" "$APP_ROLE")
export DATABASE_URL="$APP_URL" MIGRATE_DATABASE_URL="$1" DJANGO_SETTINGS_MODULE=rmpsite.settings.production \
  GUNICORN_BIND="127.0.0.1:$PORT" IMPORT_UPLOAD_DIR="$WORK/imports" PATH="$PWD/.venv/bin:$PATH"
BASE="http://127.0.0.1:$PORT"
HOST=${DJANGO_ALLOWED_HOSTS%%,*}
LOG="$WORK/web.log"

sh docker/start.sh >"$LOG" 2>&1 &
WEB=$!
stop_web() {
  kill "$WEB" 2>/dev/null && wait "$WEB" 2>/dev/null || true
  db_role drop "$MIGRATE_DATABASE_URL" "$APP_ROLE" || echo "could not drop the role $APP_ROLE" >&2
  rm -rf "$WORK"
}
trap stop_web EXIT
fail() {
  echo "FAIL: $*" >&2
  echo "--- web log" >&2
  tail -n 40 "$LOG" >&2
  exit 1
}

echo "waiting for gunicorn on $GUNICORN_BIND"
for _ in $(seq 120); do
  kill -0 "$WEB" 2>/dev/null || fail "docker/start.sh exited"
  python docker/healthcheck.py 2>/dev/null && break
  sleep 1
done
python docker/healthcheck.py || fail "not ready on /healthz/ready"
python docker/healthcheck.py --live || fail "not live on /healthz/live"
grep -q "System check identified no issues (0 silenced)." "$LOG" || fail "check --deploy"
echo "ok  manage.py check --deploy: no issues"

# fetch PATH STATUS [curl options...]: the response's headers in $WORK/headers, body in $WORK/body
fetch() {
  local path=$1 status=$2
  shift 2
  local got
  got=$(curl -sS -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' \
    -H "Host: $HOST" "$@" "$BASE$path") || fail "GET $path"
  [ "$got" = "$status" ] || fail "GET $path: status $got, expected $status"
}
has_header() {  # has_header PATH "Name: value" (exact, case-insensitive name)
  grep -qiF -- "$2"$'\r' "$WORK/headers" || fail "GET $1: no '$2' in $(cat "$WORK/headers")"
}
secure_page() {  # secure_page PATH STATUS [curl options...]
  fetch "$@" -H "X-Forwarded-Proto: https"
  has_header "$1" "Strict-Transport-Security: max-age=31536000; includeSubDomains; preload"
  has_header "$1" "X-Content-Type-Options: nosniff"
  has_header "$1" "X-Frame-Options: DENY"
  has_header "$1" "Referrer-Policy: same-origin"
  has_header "$1" "Cross-Origin-Opener-Policy: same-origin"
  for directive in "default-src 'self'" "frame-ancestors 'none'" "object-src 'none'" \
    "form-action 'self'" "base-uri 'self'"; do
    grep -i '^Content-Security-Policy:' "$WORK/headers" | grep -qF "$directive" \
      || fail "GET $1: CSP without $directive"
  done
  if grep -qi "'unsafe-inline'" "$WORK/headers"; then fail "GET $1: 'unsafe-inline'"; fi
  echo "ok  $2 $1"
}

secure_page /healthz 200
secure_page /healthz/live 200
secure_page /healthz/ready 200
secure_page /no-such-page/ 404
grep -q "There is no published page at this address." "$WORK/body" || fail "not the site's 404 page"
secure_page / 200
secure_page /products/ 200
secure_page /products/lemtrada/ 200
grep -q "Lemtrada" "$WORK/body" || fail "the product page does not name Lemtrada"
STYLESHEET=$(grep -o '/static/css/site\.[0-9a-f]*\.css' "$WORK/body" | head -n 1)
secure_page /products/lemtrada/ 200  # again: from the page cache
secure_page /api/v1/products/ 200 -H "Accept: application/json"
grep -q '"count":5' "$WORK/body" || fail "the API does not list the 5 seed products"
secure_page /admin/login/ 200
grep -i '^Set-Cookie: csrftoken=' "$WORK/headers" | grep -qi '; Secure' || fail "CSRF cookie not Secure"
secure_page /admin/ 302
secure_page /products/no-such-product/ 404

[ -n "$STYLESHEET" ] || fail "no hashed stylesheet (collectstatic's manifest) in the page"
fetch "$STYLESHEET" 200 -H "X-Forwarded-Proto: https"
grep -qi '^Content-Type: text/css' "$WORK/headers" || fail "$STYLESHEET is not text/css"
has_header "$STYLESHEET" "Cache-Control: max-age=315360000, public, immutable"
echo "ok  200 $STYLESHEET"

fetch /products/ 301  # plain HTTP
has_header /products/ "Location: https://$HOST/products/"
echo "ok  301 /products/ over plain HTTP"
curl -sS -o /dev/null -w '%{http_code}' -H "Host: attacker.example" -H "X-Forwarded-Proto: https" \
  "$BASE/" | grep -qx 400 || fail "a foreign Host header is not refused"
echo "ok  400 / for a foreign Host"

grep -q '"GET /products/lemtrada/ HTTP/1.1" 200' "$LOG" || fail "no access log line"
echo "ok  gunicorn's access log"

grep -q "Granted $APP_ROLE the application's rights" "$LOG" || fail "grant_app_role did not run"
python manage.py verify_audit_trail >"$WORK/verify" 2>&1 || { cat "$WORK/verify" >&2; fail "verify_audit_trail"; }
grep -q "^Audit trail intact: " "$WORK/verify" || fail "verify_audit_trail: $(cat "$WORK/verify")"
echo "ok  $(grep '^Audit trail intact' "$WORK/verify")"
for statement in "TRUNCATE risks_historicalsafetyconcern" \
  "UPDATE risks_historicalsafetyconcern SET history_change_reason = 'x'" \
  "DELETE FROM risks_historicalsafetyconcern" \
  "ALTER TABLE risks_historicalsafetyconcern DISABLE TRIGGER USER"; do
  answer=$(python -c 'import os, sys, psycopg; psycopg.connect(os.environ["DATABASE_URL"]).execute(sys.argv[1])' \
    "$statement" 2>&1) && fail "the application's role may: $statement"
  echo "$answer" | grep -qE "permission denied|must be owner" || fail "$statement: $answer"
  echo "ok  refused to the application's role: $statement"
done
python manage.py verify_audit_trail >/dev/null 2>&1 || fail "verify_audit_trail after the attempts"
echo "deployment smoke test passed"
