"""Development: what `manage.py` loads unless DJANGO_SETTINGS_MODULE says otherwise, so
`make demo` needs no set-up. DEBUG is on unless DJANGO_DEBUG=0 (the benchmark runs with it
off); the key below is public and only ever used here: production refuses it."""

from config.env import env_bool, env_list
from config.settings.base import *  # noqa: F403

ENVIRONMENT = "development"
DEV_SECRET_KEY = "dev-only-not-secret-5f0c1e7a9b"
SECRET_KEY = DEV_SECRET_KEY
DEBUG = env_bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

# The demo and benchmark commands (seed_demo, demo_info, seed_bench, bench): here and in
# test.py only, so production has none of them.
INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]  # noqa: F405

# Mail (password resets, notices) is printed, never sent.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Keys of its own in a Redis shared with other environments (base.py's cache block).
CACHES = {"default": {**CACHES["default"], "KEY_PREFIX": "hbwsrc-dev"}}  # noqa: F405
