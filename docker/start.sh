#!/bin/sh
# Start the web app: migrate, collect static files, load the seed data once, then gunicorn.
set -e
python manage.py migrate --noinput
python manage.py collectstatic --noinput --verbosity 0
python manage.py load_seed_data
exec gunicorn rmpsite.wsgi \
  --bind 0.0.0.0:8000 \
  --worker-class gthread --workers "${GUNICORN_WORKERS:-2}" --threads "${GUNICORN_THREADS:-4}" \
  --access-logfile -
