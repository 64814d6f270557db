"""WSGI entry point (gunicorn rmpsite.wsgi)."""

import os
import sys

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rmpsite.settings.production")

# gunicorn's gthread workers run a process's requests in threads that take turns holding
# the interpreter, every 5 ms by default: a page answered from the cache in 1 ms waited for
# turns behind pages being rendered. Turns of 0.5 ms let a short request through between
# them (docs/performance.md, the abuse figures).
sys.setswitchinterval(0.0005)

application = get_wsgi_application()
