"""What production turns on, read from config/settings/production.py itself (run in a fresh
namespace with a controlled environment; the refusals are tested in subprocesses in
test_settings.py)."""

import runpy

import pytest
from django.core.exceptions import ImproperlyConfigured

COMPLETE = {
    "DJANGO_SECRET_KEY": "k" * 30 + "-Zq8vR2mX5tY7wP1nB4cJ6",
    "DJANGO_ALLOWED_HOSTS": "rc.example.org",
    "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/hbwsrc",
}


@pytest.fixture
def production(monkeypatch):
    def load(**env: str) -> dict:
        for name in [
            "DJANGO_DEBUG",
            "DJANGO_CSRF_TRUSTED_ORIGINS",
            "DJANGO_SECURE_PROXY_SSL_HEADER",
            "DJANGO_SECURE_HSTS_SECONDS",
        ]:
            monkeypatch.delenv(name, raising=False)
        for name, value in (COMPLETE | env).items():
            monkeypatch.setenv(name, value)
        return runpy.run_module("config.settings.production")

    return load


def test_https_only_with_secure_http_only_cookies(production):
    settings = production()
    assert settings["ENVIRONMENT"] == "production"
    assert settings["DEBUG"] is False
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SECURE_HSTS_SECONDS"] == 31_536_000
    assert settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert settings["SECURE_HSTS_PRELOAD"] is True
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["CSRF_COOKIE_SECURE"] is True
    assert settings["CSRF_COOKIE_HTTPONLY"] is True
    assert "SECURE_PROXY_SSL_HEADER" not in settings  # only when configured
    assert "config.csp.ContentSecurityPolicyMiddleware" in settings["MIDDLEWARE"]
    assert settings["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["default-src"] == ["'self'"]


def test_csrf_trusted_origins_default_to_the_allowed_hosts_over_https(production):
    settings = production(DJANGO_ALLOWED_HOSTS="rc.example.org, .example.gov.cn")
    assert settings["ALLOWED_HOSTS"] == ["rc.example.org", ".example.gov.cn"]
    assert settings["CSRF_TRUSTED_ORIGINS"] == [
        "https://rc.example.org",
        "https://*.example.gov.cn",
    ]


def test_csrf_trusted_origins_can_be_set_but_only_https(production):
    settings = production(DJANGO_CSRF_TRUSTED_ORIGINS="https://a.example.org,https://b.example.org")
    assert settings["CSRF_TRUSTED_ORIGINS"] == ["https://a.example.org", "https://b.example.org"]
    with pytest.raises(ImproperlyConfigured, match="http://a.example.org"):
        production(DJANGO_CSRF_TRUSTED_ORIGINS="http://a.example.org")


def test_proxy_ssl_header_when_configured(production):
    settings = production(DJANGO_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto=https")
    assert settings["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    with pytest.raises(ImproperlyConfigured, match="X-Forwarded-Proto=https"):
        production(DJANGO_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")


def test_hsts_seconds_can_be_lowered_but_not_broken(production):
    assert production(DJANGO_SECURE_HSTS_SECONDS="3600")["SECURE_HSTS_SECONDS"] == 3600
    for bad in ["0", "-1", "a year"]:
        with pytest.raises(ImproperlyConfigured, match="DJANGO_SECURE_HSTS_SECONDS"):
            production(DJANGO_SECURE_HSTS_SECONDS=bad)


def test_debug_off_spelled_any_usual_way_is_accepted(production):
    for off in ["0", "false", "No", "off", ""]:
        assert production(DJANGO_DEBUG=off)["DEBUG"] is False
