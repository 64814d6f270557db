#!/bin/sh
# Start the web app: refuse insecure settings, migrate, collect static files, load the seed
# data (idempotent), then gunicorn with gthread workers. The web container runs this
# (Dockerfile), and so does the CI smoke test without Docker (docker/smoke.sh), with
# GUNICORN_BIND on a free loopback port.
#
# With MIGRATE_DATABASE_URL (the owner of the tables) the migrations run as the owner, and
# grant_app_role then gives the role of DATABASE_URL exactly the application's rights: it
# may add history rows, never change, delete or truncate them. MIGRATE_DATABASE_URL is
# removed from the environment before gunicorn starts. Without it (a single role, as on a
# developer's machine) everything runs as DATABASE_URL's role.
set -e
python manage.py check --deploy --fail-level WARNING
if [ -n "${MIGRATE_DATABASE_URL:-}" ]; then
  APP_ROLE=$(python -c 'import os, dj_database_url; print(dj_database_url.parse(os.environ["DATABASE_URL"])["USER"])')
  DATABASE_URL="$MIGRATE_DATABASE_URL" python manage.py migrate --noinput
  DATABASE_URL="$MIGRATE_DATABASE_URL" python manage.py grant_app_role "$APP_ROLE"
  unset MIGRATE_DATABASE_URL
else
  python manage.py migrate --noinput
fi
python manage.py collectstatic --noinput --verbosity 0
python manage.py load_seed_data
exec gunicorn rmpsite.wsgi \
  --bind "${GUNICORN_BIND:-0.0.0.0:8000}" \
  --worker-class gthread --workers "${GUNICORN_WORKERS:-2}" --threads "${GUNICORN_THREADS:-4}" \
  --access-logfile - --no-control-socket
