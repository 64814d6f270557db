"""Exit 0 when the web app is ready: GET /healthz/ready answers 200 "ok".

Readiness means the database answers too (within DJANGO_HEALTH_CHECK_TIMEOUT seconds); with
the database down it answers 503 and this exits 1. ``--live`` asks /healthz/live instead:
whether the process answers at all, database or not.

The container's healthcheck (Dockerfile, docker-compose.yml) and the CI smoke test
(docker/smoke.sh) run it. Standard library only: the slim image has no curl. The request
goes to gunicorn's port on the loopback, with the first of DJANGO_ALLOWED_HOSTS as Host and
X-Forwarded-Proto: https, so neither the host check nor the HTTPS redirect turns it away.
"""

import os
import sys
import urllib.request


def main():
    path = "/healthz/live" if "--live" in sys.argv[1:] else "/healthz/ready"
    port = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").rpartition(":")[2]
    hosts = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = hosts[0].lstrip(".") if hosts and hosts[0] != "*" else "localhost"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        headers={"Host": host, "X-Forwarded-Proto": "https"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            body = response.read()
    except OSError as error:
        sys.exit(f"healthcheck: {error}")
    if body != b"ok":
        sys.exit(f"healthcheck: unexpected answer {body[:100]!r}")


if __name__ == "__main__":
    main()
