"""GET /health/: 200 when the database, cache, file storage and job worker are all fine, 503
naming the failing check otherwise, with nothing but ok/failing per check; no login; JSON on
request; under production's settings reachable over plain HTTP (the balancer's probe)."""

import runpy
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connections
from django.test import override_settings
from django.utils import timezone

from core.jobs.models import WorkerBeat
from tests.config.test_production_values import COMPLETE

ALL_OK = {"database": "ok", "cache": "ok", "storage": "ok", "worker": "ok"}


def probe(client, *args, **kwargs):
    """client.get in a thread of its own. A browser test earlier in the run leaves
    Playwright's event loop in the main thread, and Django cannot call an async view (this
    one) from a thread with a running loop; gunicorn's workers have none. The thread has its
    own database connection, so only committed rows (transaction=True tests) are seen."""

    def get():
        try:
            return client.get(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(get).result()


def beat(seconds_ago: float) -> None:
    WorkerBeat.objects.create(
        worker="test-host:1", beat_at=timezone.now() - timedelta(seconds=seconds_ago)
    )


# The checks run in threads of their own, with their own database connections: the worker's
# heartbeat row must be committed to be seen.
@pytest.mark.django_db(transaction=True)
def test_all_checks_up_is_200_without_login(client):
    beat(seconds_ago=5)
    response = probe(client, "/health/?format=json")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": ALL_OK}
    assert "no-store" in response["Cache-Control"]
    # The Accept header chooses JSON too; anything else gets one line per check.
    assert probe(client, "/health/", HTTP_ACCEPT="application/json").json()["checks"] == ALL_OK
    text = probe(client, "/health/", HTTP_ACCEPT="text/html").content.decode()
    assert text == "database: ok\ncache: ok\nstorage: ok\nworker: ok\n"


@pytest.mark.django_db(transaction=True)
def test_a_stale_worker_heartbeat_fails_naming_the_worker(client, settings):
    beat(seconds_ago=settings.JOB_DEAD_AFTER_SECONDS + 5)
    response = probe(client, "/health/?format=json")
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "checks": ALL_OK | {"worker": "failing"}}
    # No error text (exception messages, host names, settings) for an anonymous caller.
    assert b"JOB_DEAD_AFTER" not in response.content
    assert b"Unavailable" not in response.content


@pytest.mark.django_db
def test_no_worker_ever_fails(client):
    response = client.get("/health/", HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "failing"


@pytest.mark.django_db
def test_unwritable_storage_fails_naming_the_storage(client, tmp_path, monkeypatch):
    monkeypatch.setattr("config.health.worker_alive", lambda: True)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": blocker / "media"},  # cannot be created: a file is there
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        response = client.get("/health/?format=json")
    assert response.status_code == 503
    assert response.json()["checks"] == ALL_OK | {"storage": "failing"}


@pytest.mark.django_db
def test_production_exempts_only_health_from_the_https_redirect(client, monkeypatch):
    for name, value in COMPLETE.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("HBWSRC_LOCAL_HTTP", raising=False)
    monkeypatch.delenv("SENTRY_DSN", raising=False)
    production = runpy.run_module("config.settings.production")
    assert production["SECURE_SSL_REDIRECT"] is True
    with override_settings(
        SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=production["SECURE_REDIRECT_EXEMPT"]
    ):
        assert client.get("/health/").status_code in (200, 503)  # answered, not redirected
        assert client.get("/admin/login/").status_code == 301
        assert client.get("/health/extra").status_code == 301


@pytest.mark.django_db
def test_unknown_accept_header_gets_text(client):
    response = client.get("/health/", HTTP_ACCEPT="not a media type")
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode().startswith("database: ok\n")
