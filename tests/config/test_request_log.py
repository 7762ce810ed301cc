"""One record per request (config/logs.py) with the fields operations need, a request id on
every record logged while serving it, production's JSON formatter, and Sentry only with a
DSN and without personal data."""

import json
import logging
import runpy
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory
from pythonjsonlogger.json import JsonFormatter

from config.logs import (
    RequestIdFilter,
    RequestLogMiddleware,
    json_logging,
    strip_request,
)
from tests.config.test_health import probe
from tests.config.test_production_values import COMPLETE
from tests.factories import UserFactory

FIELDS = {"method", "path", "status", "duration_ms", "user_id", "request_id"}


def production_json_formatter() -> JsonFormatter:
    options = dict(json_logging()["formatters"]["json"])
    return JsonFormatter(**{key: value for key, value in options.items() if key != "()"})


def request_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "hbwsrc.request"]


@pytest.mark.django_db
def test_one_record_per_request_with_its_fields(client, caplog):
    with caplog.at_level(logging.INFO, logger="hbwsrc.request"):
        response = client.get("/admin/login/?q=张三")
    [record] = request_records(caplog)
    assert record.method == "GET"
    assert record.path == "/admin/login/"  # never the query string
    assert record.status == 200
    assert isinstance(record.duration_ms, float) and record.duration_ms >= 0
    assert record.user_id is None
    assert record.request_id == response["X-Request-ID"]
    assert len(record.request_id) == 32


@pytest.mark.django_db
def test_the_record_names_the_signed_in_user(client, caplog):
    user = UserFactory(is_staff=True)
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="hbwsrc.request"):
        client.get("/no-such-page/")
    [record] = request_records(caplog)
    assert (record.status, record.user_id) == (404, user.pk)


@pytest.mark.django_db
def test_a_balancers_request_id_is_kept_and_a_strange_one_replaced(client):
    kept = client.get("/admin/login/", HTTP_X_REQUEST_ID="lb-0123456789abcdef")
    assert kept["X-Request-ID"] == "lb-0123456789abcdef"
    replaced = client.get("/admin/login/", HTTP_X_REQUEST_ID="<script>")
    assert replaced["X-Request-ID"] != "<script>"
    assert len(replaced["X-Request-ID"]) == 32


@pytest.mark.django_db(transaction=True)
def test_a_healthy_probe_is_not_logged_but_a_failing_one_is(client, caplog):
    with caplog.at_level(logging.INFO, logger="hbwsrc.request"):
        probe(client, "/health/")  # no worker: failing
    [record] = request_records(caplog)
    assert (record.path, record.status) == ("/health/", 503)


def test_the_json_line_has_the_fields(caplog):
    def view(request):
        logging.getLogger("hbwsrc.request").info("inner")
        return HttpResponse(status=201)

    with caplog.at_level(logging.INFO, logger="hbwsrc.request"):
        RequestLogMiddleware(view)(RequestFactory().post("/apply/"))
    inner, line = request_records(caplog)
    formatter = production_json_formatter()
    data = json.loads(formatter.format(line))
    assert data.keys() >= FIELDS
    assert data["level"] == "INFO" and data["logger"] == "hbwsrc.request"
    assert data["message"] == "POST /apply/ 201"
    assert (data["method"], data["path"], data["status"]) == ("POST", "/apply/", 201)
    assert data["timestamp"].endswith("+00:00")
    # A record logged while serving the request carries the same request id (stamped by the
    # console handler's RequestIdFilter, as configured in LOGGING).
    assert inner.request_id == data["request_id"]


def test_an_error_is_one_json_object_with_its_traceback():
    logger = logging.getLogger("tests.errors")
    try:
        raise ValueError("数据库连接失败")
    except ValueError:
        exc_info = sys.exc_info()
    record = logger.makeRecord("tests.errors", logging.ERROR, __file__, 1, "出错了", (), exc_info)
    RequestIdFilter().filter(record)
    line = production_json_formatter().format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["level"] == "ERROR" and data["message"] == "出错了"
    assert data["exc_info"].startswith("Traceback (most recent call last):")
    assert "ValueError: 数据库连接失败" in data["exc_info"]
    assert data["request_id"] == ""


@pytest.fixture
def production(monkeypatch):
    """Loads config/settings/production.py with its complete environment plus `env`;
    sentry_sdk.init only records what it was given."""
    calls: list[dict] = []
    monkeypatch.setattr("sentry_sdk.init", lambda **kwargs: calls.append(kwargs))

    def load(**env: str) -> tuple[dict, list[dict]]:
        for name in ["SENTRY_DSN", "SENTRY_ENVIRONMENT", "HBWSRC_LOCAL_HTTP", "HBWSRC_LOG_LEVEL"]:
            monkeypatch.delenv(name, raising=False)
        for name, value in (COMPLETE | env).items():
            monkeypatch.setenv(name, value)
        return runpy.run_module("config.settings.production"), calls

    return load


def test_production_logs_json_with_the_request_line(production):
    settings, _ = production()
    logging_config = settings["LOGGING"]
    assert logging_config["formatters"]["json"]["()"] == "pythonjsonlogger.json.JsonFormatter"
    assert logging_config["handlers"]["console"]["formatter"] == "json"
    assert logging_config["loggers"]["hbwsrc.request"]["level"] == "INFO"
    assert "config.logs.RequestLogMiddleware" in settings["MIDDLEWARE"]
    # SecurityMiddleware stays first (its headers go on every response, static files too).
    assert settings["MIDDLEWARE"][0] == "django.middleware.security.SecurityMiddleware"


def test_sentry_is_not_started_without_a_dsn(production):
    _, calls = production()
    assert calls == []


def test_sentry_starts_with_a_dsn_and_sends_no_personal_data(production):
    _, calls = production(SENTRY_DSN="https://key@sentry.example.org/3")
    [options] = calls
    assert options["dsn"] == "https://key@sentry.example.org/3"
    assert options["environment"] == "production"
    assert options["send_default_pii"] is False
    assert options["max_request_body_size"] == "never"
    assert options["include_local_variables"] is False
    assert options["max_breadcrumbs"] == 0


def test_sentry_events_lose_query_string_body_cookies_and_headers():
    event = {
        "request": {
            "url": "https://rc.example.org/admin/review/",
            "query_string": "q=420102200101309270",
            "data": {"name": "赵宁健"},
            "cookies": {"sessionid": "x"},
            "headers": {"Referer": "https://rc.example.org/?q=赵宁健"},
        }
    }
    assert strip_request(event, {}) == {"request": {"url": "https://rc.example.org/admin/review/"}}


def test_local_http_is_refused_for_any_host_but_this_machine(production):
    with pytest.raises(ImproperlyConfigured, match="HBWSRC_LOCAL_HTTP 只用于在本机试运行"):
        production(HBWSRC_LOCAL_HTTP="1")  # DJANGO_ALLOWED_HOSTS=rc.example.org
    with pytest.raises(ImproperlyConfigured, match="HBWSRC_LOCAL_HTTP"):
        production(HBWSRC_LOCAL_HTTP="1", DJANGO_ALLOWED_HOSTS="127.0.0.1,rc.example.org")


def test_local_http_on_localhost_turns_off_https_only_and_says_so(production, capsys):
    settings, _ = production(HBWSRC_LOCAL_HTTP="1", DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost")
    assert settings["SECURE_SSL_REDIRECT"] is False
    assert settings["SESSION_COOKIE_SECURE"] is False
    assert settings["CSRF_COOKIE_SECURE"] is False
    assert settings["SECURE_HSTS_SECONDS"] == 0
    assert "切勿用于正式部署" in capsys.readouterr().err
    # Without the switch the same hosts get production's HTTPS-only settings.
    settings, _ = production(DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost")
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SESSION_COOKIE_SECURE"] is True
