"""One module per environment; DJANGO_SETTINGS_MODULE picks it, nothing picks it silently:

- config.settings.dev         manage.py's default (make demo, seed_demo, seed_bench, bench)
- config.settings.test        pytest (pyproject.toml)
- config.settings.production  wsgi.py's default; refuses to start without its environment

Each imports config.settings.base (everything shared) and adds its own SECRET_KEY, DEBUG and
ALLOWED_HOSTS. This package itself holds no settings: DJANGO_SETTINGS_MODULE=config.settings
stops at once ("The SECRET_KEY setting must not be empty") instead of running half-configured.
"""
