"""gunicorn's configuration for production (deploy/systemd/hbwsrc-web.service loads it).

Every value can be overridden from the environment, so one file serves a small county test
box and a province's web machines alike. The app is config.wsgi, which loads the production
settings and refuses to start without their environment (config/settings/production.py).
"""

import multiprocessing
import os
import sys
from pathlib import Path

# gunicorn reads this file before it loads the app: the repository must be importable here.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from config.logs import JSON_FORMATTER  # noqa: E402

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")  # the reverse proxy forwards here
# Sync workers: the admin's requests are short database round trips; 2 × cores + 1 is
# gunicorn's own advice for them.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # large files go to background jobs
graceful_timeout = 30
# A worker is replaced after this many requests, which bounds slow memory growth.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Uploads (≤ 10 MB) are buffered by the proxy; keep gunicorn's header limits as they are.
# Logs: the app writes one JSON line per request itself (config/logs.py, with the
# user and a request id), so gunicorn's own access line is off unless GUNICORN_ACCESS_LOG=1;
# gunicorn's messages (boot, worker timeouts and their tracebacks) are JSON on stderr too.
errorlog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": JSON_FORMATTER},  # the same as the site's own lines
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"level": "WARNING", "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {
            "level": "INFO" if os.environ.get("GUNICORN_ACCESS_LOG") == "1" else "WARNING",
            "handlers": ["stderr"],
            "propagate": False,
        },
    },
}
# The proxy in front is the only client; only its forwarded headers are trusted
# (Django reads X-Forwarded-Proto only when DJANGO_SECURE_PROXY_SSL_HEADER says so).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
