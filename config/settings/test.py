"""pytest (pyproject.toml's DJANGO_SETTINGS_MODULE). DEBUG off like production, so error
pages, the CSP header and the security middleware behave as they do there; DATABASE_URL
still selects PostgreSQL (CI runs the suite on both)."""

from config.settings.base import *  # noqa: F403

ENVIRONMENT = "test"
SECRET_KEY = "test-only-not-secret-0d6b2f94c1"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

# The demo and benchmark tooling, as in dev.py, for the tests of seed_demo and bench.
INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]  # noqa: F405

# The cache is base.py's (the database's table, or Redis when REDIS_URL is set: .ci/run's
# cache step), with keys of its own. Tests call cache.clear(), which on Redis empties the
# whole database number: point REDIS_URL at a Redis (or a /N) nothing else uses.
CACHES = {"default": {**CACHES["default"], "KEY_PREFIX": "hbwsrc-test"}}  # noqa: F405
