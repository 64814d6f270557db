#!/bin/sh
# Start the web app: refuse insecure settings, migrate, collect static files, load the seed
# data (idempotent), then gunicorn with gthread workers. The web container runs this
# (Dockerfile), and so does the CI smoke test without Docker (docker/smoke.sh), with
# GUNICORN_BIND on a free loopback port.
set -e
python manage.py check --deploy --fail-level WARNING
python manage.py migrate --noinput
python manage.py collectstatic --noinput --verbosity 0
python manage.py load_seed_data
exec gunicorn rmpsite.wsgi \
  --bind "${GUNICORN_BIND:-0.0.0.0:8000}" \
  --worker-class gthread --workers "${GUNICORN_WORKERS:-2}" --threads "${GUNICORN_THREADS:-4}" \
  --access-logfile - --no-control-socket
