#!/usr/bin/env python
import os
import sys


def main() -> None:
    # Development unless told otherwise, so `make demo` needs no set-up. A production server
    # loads config/wsgi.py, which defaults to config.settings.production; run commands
    # there with DJANGO_SETTINGS_MODULE=config.settings.production.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
