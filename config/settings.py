"""Settings for the exam registration and review platform.

SQLite under var/ is the embedded default; DATABASE_URL (postgres://…) selects PostgreSQL,
which production runs and CI tests.
"""

import os
from pathlib import Path

import dj_database_url
from django.templatetags.static import static

from config.navigation import SIDEBAR

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HBWSRC_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# A development key; production sets DJANGO_SECRET_KEY.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-not-secret-5f0c1e7a9b")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "unfold",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.import_export",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guardian",
    "import_export",
    "django_tasks",
    "django_tasks_db",
    "people",
    "exam",
    "review",
    "review.jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once when the dev server and a command overlap.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# No anonymous guardian user: the public site never asks guardian about anonymous visitors.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# The candidate site's stylesheet (static/site/site.css); no CDN, the site works offline.
STATICFILES_DIRS = [BASE_DIR / "static"]

# Uploaded files are personal data (ID photos, certificates, signatures). They live outside
# any URL; views that check permissions stream them. MEDIA_URL is deliberately not routed.
MEDIA_ROOT = VAR_DIR / "private-media"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": "/private-media-not-served/"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGIN_URL = "/admin/login/"
LOGIN_REDIRECT_URL = "/admin/"

UNFOLD = {
    "SITE_TITLE": "湖北卫生人才网 · 审核管理",
    "SITE_HEADER": "湖北卫生人才网",
    "SITE_SUBHEADER": "考试报名审核",
    "SITE_URL": "/",
    "SHOW_LANGUAGES": False,
    "SHOW_VIEW_ON_SITE": False,
    "SIDEBAR": SIDEBAR,
    "STYLES": [lambda request: static("review/admin.css")],
    # Extra admin pages: (url, name, dotted path of a view class taking admin_site).
    "SITE_VIEWS": [
        (
            "confirmation-code/",
            "confirmation_code",
            "people.admin.confirmation_code.ConfirmationCodeView",
        ),
        (
            "confirmation-code/regenerate/",
            "confirmation_code_regenerate",
            "people.admin.confirmation_code.ConfirmationCodeRegenerateView",
        ),
    ],
    # 工作台: the admin index's numbers (templates/admin/index.html renders them).
    "DASHBOARD_CALLBACK": "review.admin.dashboard.dashboard_callback",
}

IMPORT_EXPORT_SKIP_ADMIN_ACTION_EXPORT_UI = False
# Previewed uploads wait here (private) until 确认导入; `manage.py purge_jobs` removes the rest.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "review.jobs.storage.ImportTempStorage"
IMPORT_TMP_DIR = VAR_DIR / "import-tmp"

# Background jobs (Django's Tasks API through the django-tasks backport): the database
# backend, so one machine needs nothing more than `manage.py db_worker` (make demo starts
# one); a larger deployment can swap in an RQ or Celery backend here.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Exports and imports of more rows than this run as background jobs (我的任务).
JOB_THRESHOLD_ROWS = int(os.environ.get("JOB_THRESHOLD_ROWS", "5000"))
JOB_RESULT_HOURS = 24  # result files are deleted after this (manage.py purge_jobs)
JOB_PROGRESS_EVERY = 500  # rows between two progress updates

# No staff user imports or exports unless granted the specific permission.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# --- i11-xlsx: hostile spreadsheets ---
# What an import reads (review/imports/limits.py): a file beyond these is refused with a
# Chinese message naming the limit, before anything large is built. At these values the
# read of any file stays under ~300 MB and a few seconds (tests/review/test_hostile_files.py).
IMPORT_MAX_UPLOAD_MB = 20  # the uploaded file, xlsx or csv
IMPORT_MAX_ROWS = 100_000  # data rows below the header
IMPORT_EXTRA_COLUMNS = 10  # columns beyond the import's own (those get 无法识别的列)
IMPORT_MAX_COLUMNS = 30  # never more, whatever the import
IMPORT_MAX_CELLS = 1_100_000  # cells with a value (and shared strings) in a sheet
IMPORT_XLSX_MAX_UNPACKED_MB = 96  # all parts of an xlsx, as they really decompress
IMPORT_XLSX_MAX_SHARED_TEXT_MB = 48  # text the cells copy from the shared strings
