"""The per-client limits of the reverse proxy (docker/nginx/limits.conf) in a real nginx.

nginx runs in front of a small upstream that answers with the client address the proxy told
it; the benchmark's abuse mode runs the same configuration (bench/run.py ``Proxy``). Skipped
without nginx, unless REQUIRE_NGINX is set (CI installs it).
"""

import http.client
import http.server
import os
import shutil
import subprocess
import threading

import pytest

from bench import run

ROOT = run.ROOT
NGINX = run.Proxy.executable()

pytestmark = pytest.mark.skipif(
    NGINX is None and not os.environ.get("REQUIRE_NGINX"), reason="nginx is not installed"
)


class Upstream(http.server.BaseHTTPRequestHandler):
    """200 with the X-Real-IP it was sent; /refused answers 429 with its own Retry-After."""

    def do_GET(self):
        if self.path.startswith("/refused"):
            self.send_response(429)
            self.send_header("Retry-After", "30")
        else:
            self.send_response(200)
        body = (self.headers.get("X-Real-IP") or "").encode()
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy(tmp_path):
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    thread = threading.Thread(target=upstream.serve_forever, daemon=True)
    thread.start()
    try:
        with run.Proxy(tmp_path / "nginx", upstream.server_address[1]) as front:
            yield front
    finally:
        upstream.shutdown()
        upstream.server_close()


def get(proxy, path, source="127.0.0.1"):
    connection = http.client.HTTPConnection(
        "127.0.0.1", proxy.port, timeout=10, source_address=(source, 0)
    )
    try:
        connection.request("GET", path, headers={"X-Real-IP": "203.0.113.9"})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


def test_a_client_over_its_rate_is_refused_by_the_proxy_and_no_one_else_is(proxy):
    answers = [get(proxy, f"/risks/?q=word{n}") for n in range(260)]
    statuses = [status for status, _, _ in answers]
    # 200 at once (the burst), then about 20 a second: the test sends far faster than that
    assert 200 <= statuses.count(200) < 240
    refused = [headers for status, headers, _ in answers if status == 429]
    assert refused and all(headers["Retry-After"] == "5" for headers in refused)
    # the upstream learnt the client's address from the proxy, not from the client's header
    assert {body for status, _, body in answers if status == 200} == {"127.0.0.1"}

    # another address is not affected, nor are static files of the refused one
    assert get(proxy, "/risks/?q=word", source="127.0.0.2")[::2] == (200, "127.0.0.2")
    assert get(proxy, "/static/css/site.css")[0] == 200


def test_the_applications_own_refusal_keeps_its_retry_after(proxy):
    status, headers, _ = get(proxy, "/refused")
    assert status == 429
    assert headers.get_all("Retry-After") == ["30"]


def test_the_deployment_configuration_is_valid_nginx(tmp_path):
    """docker/nginx/rmp-browser.conf with its limits, a certificate made here, `nginx -t`."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    certificate, key = tmp_path / "site.pem", tmp_path / "site.key"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=rmp.example.org", "-keyout", str(key), "-out", str(certificate)),
        ],
        check=True,
        capture_output=True,
    )
    site = (ROOT / "docker" / "nginx" / "rmp-browser.conf").read_text()
    site = site.replace("/etc/nginx/rmp-browser/limits.conf", str(run.PROXY_LIMITS))
    site = site.replace("/etc/ssl/certs/rmp.example.org.pem", str(certificate))
    site = site.replace("/etc/ssl/private/rmp.example.org.key", str(key))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        f"events {{}}\nhttp {{ include {tmp_path}/site.conf; }}\n"
    )
    checked = subprocess.run(
        [NGINX, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
