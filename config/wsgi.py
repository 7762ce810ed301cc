"""What a production server (gunicorn, uWSGI) loads: production settings unless
DJANGO_SETTINGS_MODULE names others. They refuse to start without DJANGO_SECRET_KEY,
DJANGO_ALLOWED_HOSTS and DATABASE_URL (config/settings/production.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()
