"""Settings shared by every environment; never used on its own.

DJANGO_SETTINGS_MODULE picks one module of this package, which imports everything here and
adds what differs: `dev` (manage.py's default: make demo, seed_bench, bench), `test` (pytest,
set in pyproject.toml) and `production` (wsgi.py's default; refuses to start unless its
environment is complete). SQLite under var/ is the embedded default; DATABASE_URL
(postgres://…) selects PostgreSQL, which production runs and CI tests.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_EVAL, UNSAFE_INLINE
from django.templatetags.static import static

from config.navigation import SIDEBAR

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("HBWSRC_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# SECRET_KEY, DEBUG and ALLOWED_HOSTS are each environment's own (dev, test, production):
# nothing here falls back to a key or to DEBUG for a module that forgets them.
DEBUG = False
ALLOWED_HOSTS: list[str] = []
# Which of this package's modules is running; seed_demo and seed_bench refuse "production".
ENVIRONMENT = "base"

INSTALLED_APPS = [
    "unfold.apps.BasicAppConfig",  # admin.site is core.admin_site's (below)
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.import_export",
    "core.admin_site.AdminConfig",  # django.contrib.admin with core.admin_site.AdminSite
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "guardian",
    "import_export",
    "django_tasks",
    "django_tasks_db",
    "core",
    "people",
    "exam",
    "review",
    "core.jobs",
    "exam.duplicates",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.access_log.AccessLogMiddleware",  # 个人信息访问记录: one INSERT per request
    "django.contrib.messages.middleware.MessageMiddleware",
    "review.middleware.BusinessMiddleware",
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
                "people.context_processors.unread_notices",
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

# Content-Security-Policy (django-csp), enforced in every environment, so the tests (browser
# tests included) and the dev server run under the policy production sends. The candidate
# site needs nothing inline: its scripts are files under static/site/; an inline <script>
# needs nonce="{{ request.csp_nonce }}". img-src data: is for the signature canvas, which
# redraws an earlier drawing from its data URL, and the admin's QR code image.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Added under the admin's URL prefix only (config.csp): django-unfold runs Alpine.js's
# standard build, which compiles every x-data/@click attribute with `new Function`, and its
# templates (and ours under /admin/) use style attributes and <style> blocks.
ADMIN_CSP_UPDATE = {
    "script-src": [UNSAFE_EVAL],
    "style-src": [UNSAFE_INLINE],
}
# Chinese error pages (templates/403_csrf.html, admin/errors/), with and without DEBUG.
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"
# No script reads the CSRF cookie: forms carry the token in a hidden field.
CSRF_COOKIE_HTTPONLY = True

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
        ("business/", "business", "review.admin.business.BusinessView"),
        (
            "confirmation-code/",
            "confirmation_code",
            "review.admin.confirmation_code.ConfirmationCodeView",
        ),
        (
            "confirmation-code/regenerate/",
            "confirmation_code_regenerate",
            "review.admin.confirmation_code.ConfirmationCodeRegenerateView",
        ),
        ("recommenders/", "recommender_spread", "review.admin.recommenders.RecommenderSpreadView"),
    ],
    # 工作台: the admin index's numbers (templates/admin/index.html renders them).
    "DASHBOARD_CALLBACK": "review.admin.dashboard.dashboard_callback",
}

IMPORT_EXPORT_SKIP_ADMIN_ACTION_EXPORT_UI = False
# Previewed uploads wait in the default storage's import-tmp/ (private) until 确认导入;
# `manage.py purge_jobs` removes the rest.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "core.jobs.storage.ImportTempStorage"

# Background jobs (Django's Tasks API through the django-tasks backport): the database
# backend, so one machine needs nothing more than `manage.py run_worker` (make demo starts
# one); a larger deployment can swap in an RQ or Celery backend here.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# What a job of each kind runs (core.jobs.services.job_task): the review's exports and
# imports, exam's re-evaluation of a project's 报考条件 and the preview of a change of its rules.
JOB_TASKS = {
    "export": "review.job_tasks.run_export_job",
    "import": "review.job_imports.run_import_job",
    "eligibility": "exam.eligibility.job_tasks.run_eligibility_job",
    "rules_preview": "exam.eligibility.job_tasks.run_rules_preview_job",
}
# Exports and imports of more rows than this run as background jobs (我的任务).
# Admin lists count at most this many rows past the page shown; beyond it they say "N+" and
# count everything only when asked (显示总数): core/paging.py.
LIST_COUNT_LIMIT = 1000
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

# --- axes: login throttling and password rules ---
# django-axes counts failed logins of both login pages (/admin/login/, /account/login/) in the
# database, so every worker process sees the same count. It locks an account (the username),
# never an address alone: behind a hospital's NAT or the reverse proxy many users share one.
# Unlock early: admin 登录安全 → 登录失败记录 → 解除锁定, or `manage.py axes_reset_username NAME`.
INSTALLED_APPS += ["people.axes_apps.AxesConfig"]  # axes, with Chinese admin labels
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # last: turns a refused login into the lock page
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", *AUTHENTICATION_BACKENDS]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
# Per username only: the username + address combination counts a subset of the same failures,
# so adding it locks nothing more. axes.W006 asks for the address, which is what we must not do.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True  # a successful login clears the account's failures
# Tries while locked are refused but not counted, so the lock page's "请 N 分钟后再试" holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "people.throttle.lockout_response"  # Chinese, in each login's style
AXES_CLIENT_IP_CALLABLE = "people.throttle.client_ip"
AXES_ENABLE_ADMIN = False  # people/admin/logins.py registers unfold screens instead
# Reverse proxies in front of Django that append the client to X-Forwarded-For (nginx:
# proxy_add_x_forwarded_for). 0, the default, trusts no header: REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = int(os.environ.get("HBWSRC_TRUSTED_PROXY_COUNT", "0"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- cache: one for every process ---
# Gunicorn's workers, the job workers and every machine behind the load balancer read and
# write the same cache; Django's default (a dictionary in each process) would let each keep
# its own. Redis when REDIS_URL is set (redis://host:6379/0); otherwise the database's table
# `core_cache` (core/migrations/0002_cache_table.py creates it on every `migrate`, tests
# included). What uses it: django-unfold's admin search results, and with Redis the sessions
# (below). Login throttling is django-axes' database handler (its rows are the 登录失败记录
# list and its unlock action): shared already, not in the cache.
# Per-process caches left on purpose hold what cannot change while the code runs (the
# badges' HTML per label, ID-number region codes, compiled patterns): each says why.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
CACHE_TABLE = "core_cache"  # the table 0002_cache_table creates: change both or neither
CACHES = {
    "default": {
        # dev.py and test.py give their own prefix, so environments sharing one Redis never
        # read each other's keys; CACHE_VERSION=N+1 drops every key of an earlier deploy.
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "hbwsrc"),
        "VERSION": int(os.environ.get("CACHE_VERSION", "1")),
        **(
            {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                # A Redis that stops answering costs a request 2 s, never a hung worker.
                "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
            }
            if REDIS_URL
            else {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": CACHE_TABLE,
                "OPTIONS": {"MAX_ENTRIES": 10_000},
            }
        ),
    }
}
# Sessions stay rows of django_session (every process sees them). With Redis, cached_db reads
# them from Redis first: one query less on each of a reviewer's requests, and a Redis that is
# down or flushed only sends the reads back to the database. With the database cache it
# would read a cache row instead of a session row and write both: no gain.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

# --- uploads ---
# Images with more pixels than this are refused before they are decoded (people.uploaded_files):
# a 389 KB PNG can claim 20,000 × 20,000 pixels. 40 MP is above a phone camera's usual photo
# (12–24 MP) and a scan of A4 at 600 dpi (35 MP).
UPLOAD_MAX_PIXELS = 40_000_000

# --- jobs ---
# Background jobs survive their worker and database (core/jobs/heartbeat.py, worker.py).
# A running job beats every JOB_HEARTBEAT_SECONDS; one silent for JOB_DEAD_AFTER_SECONDS lost
# its worker and becomes 失败 (重新开始 offered): found by run_worker on start, purge_jobs and
# the job pages. Keep DEAD_AFTER well above HEARTBEAT (a busy machine delays beats).
JOB_HEARTBEAT_SECONDS = 15
JOB_DEAD_AFTER_SECONDS = 120

# --- i11-sms: teacher identity by SMS code ---
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # BEGIN IMMEDIATE: a transaction takes SQLite's write lock when it starts, so concurrent
    # writers wait (up to `timeout`) instead of failing with "database is locked" when a
    # read lock cannot be upgraded (20 teachers' requests at once on the threaded server).
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"

# Text messages (people/sms): the class that delivers them. The default keeps them in the
# 短信发送记录 outbox (admin) and sends nothing; "people.sms.backends.ConsoleBackend" logs
# them too; production names the province's gateway adapter (see people/sms/backends.py).
SMS_BACKEND = os.environ.get("SMS_BACKEND", "people.sms.backends.OutboxBackend")

# --- i11-xlsx: hostile spreadsheets ---
# What an import reads (core/imports/limits.py): a file beyond these is refused with a
# Chinese message naming the limit, before anything large is built. At these values the
# read of any file stays under ~300 MB and a few seconds (tests/review/test_hostile_files.py).
IMPORT_MAX_UPLOAD_MB = 20  # the uploaded file, xlsx or csv
IMPORT_MAX_ROWS = 100_000  # data rows below the header
IMPORT_EXTRA_COLUMNS = 10  # columns beyond the import's own (those get 无法识别的列)
IMPORT_MAX_COLUMNS = 30  # never more, whatever the import
IMPORT_MAX_CELLS = 1_100_000  # cells with a value (and shared strings) in a sheet
IMPORT_XLSX_MAX_UNPACKED_MB = 96  # all parts of an xlsx, as they really decompress
IMPORT_XLSX_MAX_SHARED_TEXT_MB = 48  # text the cells copy from the shared strings

# --- i14-ops: request log, request id, health endpoint ---
# Every request Django answers gets a request id (X-Request-ID) and one record on
# `hbwsrc.request` (config/logs.py); right after SecurityMiddleware, so only its HTTPS
# redirects (and, in production, whitenoise's static files) go unlogged. The record is
# below the root logger's level here; production logs it as JSON.
MIDDLEWARE.insert(1, "config.logs.RequestLogMiddleware")
LOGGING["filters"] = {"request_id": {"()": "config.logs.RequestIdFilter"}}
LOGGING["handlers"]["console"]["filters"] = ["request_id"]

# --- i14-storage: shared files in object storage ---
# Every file the platform keeps (uploads, staged uploads, previewed imports, job results and
# import jobs' uploads) goes through STORAGES["default"]: the private media folder above on
# one machine. Several web and worker machines share an S3-compatible bucket instead, chosen
# by the environment alone (django-storages). The credentials are boto3's own:
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or the machine's role; never in this file.
#   HBWSRC_S3_BUCKET        the bucket; set = object storage, absent = the disk
#   HBWSRC_S3_ENDPOINT_URL  an S3-compatible server (MinIO, Ceph, a cloud's OSS); absent = AWS
#   HBWSRC_S3_REGION        its region, if it wants one
#   HBWSRC_S3_PREFIX        a folder of the bucket for this deployment (e.g. hbwsrc/prod)
# Objects are private and never linked (core.object_storage.PrivateS3Storage gives no URL):
# views stream them after their permission check, as on disk. Names never overwrite: a
# second file of the same name gets a new one, as FileSystemStorage does. Path-style
# addressing (endpoint/bucket/key) is what S3-compatible servers understand everywhere.
S3_BUCKET = os.environ.get("HBWSRC_S3_BUCKET", "").strip()
S3_STORAGE: dict | None = None
if S3_BUCKET:
    S3_STORAGE = {
        "BACKEND": "core.object_storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("HBWSRC_S3_ENDPOINT_URL", "").strip() or None,
            "region_name": os.environ.get("HBWSRC_S3_REGION", "").strip() or None,
            "location": os.environ.get("HBWSRC_S3_PREFIX", "").strip().strip("/"),
            "default_acl": "private",
            "file_overwrite": False,
            "addressing_style": "path",
            # A file read back (a download, an import's upload) is spooled in memory up to
            # this size and to a temporary file beyond it; the default keeps it all in memory.
            "max_memory_size": 2 * 1024 * 1024,
        },
    }
    STORAGES = {**STORAGES, "default": S3_STORAGE}

# 个人信息访问记录 (core/access_log.py). Off only for the bench's reference run.
ACCESS_LOG_ENABLED = True
# 异常访问: an account that opens more than this many applications' detail pages in one hour.
ACCESS_ALERT_PER_HOUR = int(os.environ.get("HBWSRC_ACCESS_ALERT_PER_HOUR", "60"))
