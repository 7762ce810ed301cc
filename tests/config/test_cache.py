"""One cache for every process: Redis when REDIS_URL is set, the database's table otherwise,
never Django's per-process memory. A value written here is read by another Python process
(a second gunicorn worker, a job worker), and a session made here is found there.

.ci/run runs this module (marker `cache`) once more against a real Redis."""

import os
import runpy
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import CacheHandler, cache
from django.db import connection

from tests.other_process import run_in_another_process

pytestmark = pytest.mark.cache
ROOT = Path(__file__).resolve().parents[2]

# Reads what the test process wrote, through its own cache and session store, and answers.
OTHER_PROCESS = """
import json, sys
import django
django.setup()
from importlib import import_module
from django.conf import settings
from django.core.cache import cache
key, session_key = sys.argv[1], sys.argv[2]
session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
cache.set(key + ":answer", "written by the other process", 60)
print(json.dumps({
    "backend": settings.CACHES["default"]["BACKEND"],
    "value": cache.get(key),
    "session": session.get("reviewer"),
}))
"""


def run_other_process(*args: str) -> dict:
    return run_in_another_process(
        OTHER_PROCESS, *args, DJANGO_SETTINGS_MODULE="config.settings.test"
    )


@pytest.fixture
def clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_another_process_reads_and_writes_the_same_cache_and_sessions(clear_cache):
    cache.set("shared-check", {"count": 3}, 60)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session["reviewer"] = "unit_a"
    session.create()

    seen = run_other_process("shared-check", session.session_key)

    assert seen == {
        "backend": settings.CACHES["default"]["BACKEND"],
        "value": {"count": 3},
        "session": "unit_a",
    }
    assert cache.get("shared-check:answer") == "written by the other process"


@pytest.mark.django_db(transaction=True)
def test_a_fresh_cache_connection_sees_what_another_wrote(clear_cache):
    """The same in one process: a handler of its own (own connection pool) reads the value."""
    cache.set("fresh-check", "one value", 60)
    fresh = CacheHandler()["default"]
    assert fresh is not cache
    assert fresh.get("fresh-check") == "one value"
    fresh.delete("fresh-check")
    assert cache.get("fresh-check") is None


def test_the_cache_is_never_per_process():
    backend = settings.CACHES["default"]["BACKEND"]
    if os.environ.get("REDIS_URL"):
        assert backend == "django.core.cache.backends.redis.RedisCache"
        assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    else:
        assert backend == "django.core.cache.backends.db.DatabaseCache"
        assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.CACHES["default"]["KEY_PREFIX"] == "hbwsrc-test"


@pytest.mark.django_db
def test_migrate_creates_the_cache_table():
    """No `createcachetable` step: the test database was built by `migrate` alone."""
    assert settings.CACHE_TABLE in connection.introspection.table_names()


@pytest.mark.parametrize(
    ("env", "backend", "location", "sessions"),
    [
        ({}, "db.DatabaseCache", "core_cache", "db"),
        (
            {"REDIS_URL": "redis://10.0.0.5:6379/1"},
            "redis.RedisCache",
            "redis://10.0.0.5:6379/1",
            "cached_db",
        ),
    ],
    ids=["database", "redis"],
)
def test_redis_url_selects_the_backend(monkeypatch, env, backend, location, sessions):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("CACHE_KEY_PREFIX", "hbwsrc-staging")
    monkeypatch.setenv("CACHE_VERSION", "7")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    loaded = runpy.run_path(str(ROOT / "config" / "settings" / "base.py"))
    default = loaded["CACHES"]["default"]
    assert default["BACKEND"] == f"django.core.cache.backends.{backend}"
    assert default["LOCATION"] == location
    assert (default["KEY_PREFIX"], default["VERSION"]) == ("hbwsrc-staging", 7)
    assert loaded["SESSION_ENGINE"] == f"django.contrib.sessions.backends.{sessions}"
