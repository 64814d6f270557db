"""WSGI entry point (gunicorn rmpsite.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rmpsite.settings.production")

application = get_wsgi_application()
