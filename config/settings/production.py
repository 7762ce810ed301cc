"""Production: what wsgi.py loads unless DJANGO_SETTINGS_MODULE says otherwise. It fails
closed: without a real secret key, with DJANGO_DEBUG on, without allowed hosts or without a
database URL it refuses to start and says what to set (all problems at once).

Environment:
  DJANGO_SECRET_KEY                at least 50 random characters (required)
  DJANGO_ALLOWED_HOSTS             comma-separated host names, e.g. rc.example.gov.cn (required)
  DATABASE_URL                     postgres://user:password@host:5432/name (required)
  DJANGO_DEBUG                     absent or 0; anything truthy is refused
  DJANGO_CSRF_TRUSTED_ORIGINS      comma-separated https:// origins; default https://<host>
                                   for every allowed host (*.example.org for .example.org)
  DJANGO_SECURE_PROXY_SSL_HEADER   behind a TLS-terminating proxy: the header it sets and
                                   its value for HTTPS, e.g. X-Forwarded-Proto=https
  DJANGO_SECURE_HSTS_SECONDS       default 31536000 (one year); lower it while trying HTTPS
  SENTRY_DSN                       optional: report errors to this Sentry project (no
                                   personal data is sent; config/logs.py)
  SENTRY_ENVIRONMENT               optional: the environment's name there (default production)
  HBWSRC_LOG_LEVEL                 level of the request log (default INFO; WARNING: none)
  HBWSRC_LOCAL_HTTP                only `make serve` (bin/serve) sets it: plain HTTP on this
                                   machine, accepted only when every allowed host is local
"""

import os
import sys

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_list
from config.logs import json_logging, sentry_init
from config.settings.base import *  # noqa: F403

ENVIRONMENT = "production"
MIN_SECRET_KEY_LENGTH = 50  # what `check --deploy` (security.W009) asks for
# Keys committed to this repository (config/settings/dev.py, test.py): public, never valid here.
PUBLIC_KEYS = {"dev-only-not-secret-5f0c1e7a9b", "test-only-not-secret-0d6b2f94c1"}

problems: list[str] = []

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "").strip()
if not SECRET_KEY:
    problems.append(
        "未设置 DJANGO_SECRET_KEY。请设置至少 50 个字符的随机密钥，例如用 "
        'python -c "import secrets; print(secrets.token_urlsafe(50))" 生成，并妥善保管。'
    )
elif SECRET_KEY in PUBLIC_KEYS or SECRET_KEY.startswith("django-insecure-"):
    problems.append(
        "DJANGO_SECRET_KEY 是公开的开发/测试密钥，不能用于生产环境。请生成新的随机密钥。"
    )
elif len(SECRET_KEY) < MIN_SECRET_KEY_LENGTH or len(set(SECRET_KEY)) < 5:
    problems.append(
        f"DJANGO_SECRET_KEY 太短或过于简单（{len(SECRET_KEY)} 个字符）：至少需要 "
        f"{MIN_SECRET_KEY_LENGTH} 个字符的随机字符串。"
    )

DEBUG = False
try:
    debug_requested = env_bool("DJANGO_DEBUG", default=False)
except ImproperlyConfigured as exc:
    problems.append(str(exc))
else:
    if debug_requested:
        problems.append(
            "DJANGO_DEBUG 已开启：生产环境不能开启调试模式（出错时会向访问者显示源代码和配置）。"
            "请删除该变量或设为 0。"
        )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    problems.append(
        "未设置 DJANGO_ALLOWED_HOSTS。请用逗号分隔列出本站的域名，"
        "例如 DJANGO_ALLOWED_HOSTS=rc.example.gov.cn。"
    )
elif "*" in ALLOWED_HOSTS:
    problems.append("DJANGO_ALLOWED_HOSTS 不能包含 *：请逐个列出本站的域名。")

if not os.environ.get("DATABASE_URL", "").strip():
    problems.append(
        "未设置 DATABASE_URL。生产环境使用 PostgreSQL，"
        "例如 DATABASE_URL=postgres://user:password@127.0.0.1:5432/hbwsrc。"
    )

# HTTPS only: redirect, tell browsers to stay on HTTPS, cookies never sent in clear.
SECURE_SSL_REDIRECT = True
hsts_seconds = os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000").strip()
SECURE_HSTS_SECONDS = int(hsts_seconds) if hsts_seconds.isdigit() else 0
if not hsts_seconds.isdigit() or SECURE_HSTS_SECONDS == 0:
    problems.append(
        f"DJANGO_SECURE_HSTS_SECONDS={hsts_seconds!r} 无效：应为正整数秒数（默认 31536000，即一年）。"
    )
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True

# Only when a proxy in front terminates TLS and sets this header; otherwise a client could
# send it and pass for HTTPS.
proxy_header = os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER", "").strip()
if proxy_header:
    name, _, value = proxy_header.partition("=")
    if not name.strip() or not value.strip():
        problems.append(
            f"DJANGO_SECURE_PROXY_SSL_HEADER={proxy_header!r} 格式不对：应写成 "
            "请求头=值，例如 X-Forwarded-Proto=https。"
        )
    else:
        meta_name = "HTTP_" + name.strip().upper().replace("-", "_")
        SECURE_PROXY_SSL_HEADER = (meta_name, value.strip())

CSRF_TRUSTED_ORIGINS = env_list(
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    default=[
        "https://" + ("*" + host if host.startswith(".") else host)
        for host in ALLOWED_HOSTS
        if host != "*"
    ],
)
insecure_origins = [origin for origin in CSRF_TRUSTED_ORIGINS if not origin.startswith("https://")]
if insecure_origins:
    problems.append(
        "DJANGO_CSRF_TRUSTED_ORIGINS 只能列出 https:// 开头的来源：" + "，".join(insecure_origins)
    )

# Static files are served by gunicorn itself (whitenoise), so one web machine needs no proxy
# rule for them: `collectstatic` writes hashed names and compressed copies to STATIC_ROOT,
# which are sent with a one-year, immutable cache header.
# SecurityMiddleware stays first: static responses carry HSTS and nosniff too.
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]  # noqa: F405
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- i14-ops: JSON logs, Sentry, /health/ over plain HTTP, local trial over HTTP ---
# One JSON object per log record on stderr (journald, or any log shipper, keeps it): the
# request line of config.logs.RequestLogMiddleware, errors with their traceback in `exc_info`.
LOGGING = json_logging(level=os.environ.get("HBWSRC_LOG_LEVEL", "INFO").strip().upper() or "INFO")
# The load balancer probes /health/ over plain HTTP on the machine's own port: no redirect.
# Its Host header must still be one of ALLOWED_HOSTS (a probe by IP address gets 400).
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
if os.environ.get("SENTRY_DSN", "").strip():
    sentry_init(
        dsn=os.environ["SENTRY_DSN"].strip(),
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production").strip() or "production",
    )
# `make serve` (bin/serve) runs this stack on a developer's machine, where there is no TLS:
# no redirect to HTTPS, cookies without Secure, no HSTS. Refused unless every allowed host is
# this machine, so the switch cannot weaken a site that anyone else can reach (its Host
# header would have to be localhost), and said loudly on every start.
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
if env_bool("HBWSRC_LOCAL_HTTP", default=False):
    if not ALLOWED_HOSTS or set(ALLOWED_HOSTS) - LOCAL_HOSTS:
        problems.append(
            "HBWSRC_LOCAL_HTTP 只用于在本机试运行（make serve）：此时 DJANGO_ALLOWED_HOSTS "
            "只能是 127.0.0.1、localhost 或 ::1。正式部署请删除该变量。"
        )
    else:
        SECURE_SSL_REDIRECT = False
        SECURE_HSTS_SECONDS = 0
        SESSION_COOKIE_SECURE = False
        CSRF_COOKIE_SECURE = False
        print(
            "警告：HBWSRC_LOCAL_HTTP=1，生产配置以本机 HTTP 方式运行（不跳转 HTTPS，Cookie 不带 "
            "Secure），仅供本机试用，切勿用于正式部署。",
            file=sys.stderr,
        )

# Each gunicorn worker keeps its PostgreSQL connection for a minute instead of opening one per
# request: under 50 reviewer sessions this nearly doubled the requests per second on the
# 2-core machine (manage.py loadtest, README Performance). The health check drops a
# connection the database has closed before a request uses it.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DB_CONN_MAX_AGE", "60"))  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

if problems:
    raise ImproperlyConfigured(
        "生产配置（config.settings.production）拒绝启动：\n"
        + "\n".join(f"- {problem}" for problem in problems)
    )
