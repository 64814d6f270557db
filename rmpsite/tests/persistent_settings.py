"""The test settings with production's persistent, health-checked database connections.

rmpsite/tests/test_database_down.py serves with these, so that a frozen server is met on
a connection already open, through Django's health check of it.
"""

from rmpsite.settings.test import *  # noqa: F403
from rmpsite.settings.test import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
