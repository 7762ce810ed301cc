"""A real production start: gunicorn with deploy/gunicorn.conf.py loads config.wsgi (the
production settings) exactly as deploy/systemd/hbwsrc-web.service does, and answers over
HTTP; without its environment it refuses to boot and says why."""

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.config.test_settings import REFUSED

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")

pytestmark = pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_environment(extra: dict[str, str]) -> dict[str, str]:
    keep = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GUNICORN_")) and key != "DATABASE_URL"
    }
    return {**keep, **extra}


@pytest.fixture
def production(tmp_path) -> dict[str, str]:
    port = free_port()
    env = clean_environment(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto=https",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
            "HBWSRC_VAR_DIR": str(tmp_path / "var"),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": "2",
        }
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    env["PORT"] = str(port)
    return env


def get(port: int, path: str, *, https: bool = True, headers: dict[str, str] | None = None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    if https:
        request.add_header("X-Forwarded-Proto", "https")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        return opener.open(request, timeout=10)
    except urllib.error.HTTPError as error:
        return error


def wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(server.communicate()[0])
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not listen within 60 s")


def test_gunicorn_serves_the_production_settings_over_http(production):
    port = int(production["PORT"])
    server = subprocess.Popen(
        [str(GUNICORN), "--config", "deploy/gunicorn.conf.py"],
        cwd=ROOT,
        env=production,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_up(port, server)
        login = get(port, "/admin/login/")
        body = login.read().decode()
        assert login.status == 200
        assert "登录" in body
        assert "max-age=31536000" in login.headers["Strict-Transport-Security"]
        assert "default-src 'self'" in login.headers["Content-Security-Policy"]
        assert "Secure" in login.headers["Set-Cookie"]
        # Plain HTTP (no proxy header) is sent to HTTPS.
        plain = get(port, "/admin/login/", https=False)
        assert plain.status == 301
        assert plain.headers["Location"].startswith("https://")
        # Errors are the platform's own Chinese pages, never a traceback.
        missing = get(port, "/no-such-page/")
        assert missing.status == 404
        assert "页面不存在" in missing.read().decode()
        # Static files come from gunicorn itself (whitenoise): the page names them by content
        # hash, they are sent compressed and cached for a year.
        stylesheet = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', body)
        assert stylesheet, "the login page links a hashed stylesheet"
        css = get(port, stylesheet.group(1), headers={"Accept-Encoding": "gzip"})
        assert css.status == 200
        assert css.headers["Content-Encoding"] == "gzip"
        assert "max-age=315360000" in css.headers["Cache-Control"]
        assert "immutable" in css.headers["Cache-Control"]
        assert css.headers["X-Content-Type-Options"] == "nosniff"
        assert get(port, "/static/no-such-file.css").status == 404
        # The balancer's probe: plain HTTP, not redirected. No worker runs here, so the
        # worker check fails (503) while the others pass.
        health = get(port, "/health/?format=json", https=False)
        assert health.status == 503
        assert json.loads(health.read()) == {
            "status": "failing",
            "checks": {"database": "ok", "cache": "ok", "storage": "ok", "worker": "failing"},
        }
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Traceback" not in output
    # The log is JSON lines, one per request among them (config/logs.py).
    records = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    requests = [record for record in records if record["logger"] == "hbwsrc.request"]
    assert {"GET /admin/login/ 200", "GET /no-such-page/ 404", "GET /health/ 503"} <= {
        record["message"] for record in requests
    }
    assert all(record["request_id"] for record in requests)
    assert any(
        record["message"]
        == "health check worker failing: Unavailable: no worker heartbeat within JOB_DEAD_AFTER_SECONDS"
        for record in records
    )


def test_gunicorn_refuses_to_boot_without_a_secret_key(production):
    env = {key: value for key, value in production.items() if key != "DJANGO_SECRET_KEY"}
    result = subprocess.run(
        [str(GUNICORN), "--config", "deploy/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert REFUSED in output
    assert "未设置 DJANGO_SECRET_KEY" in output
