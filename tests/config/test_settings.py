"""Settings fail closed: production refuses to start without its environment, each missing
piece named; complete, it passes `check --deploy` with no warning; it does not install the
devtools app, so the demo and benchmark commands do not exist there; manage.py defaults to
development and wsgi.py to production.

Each start runs in a subprocess with a clean environment (no DJANGO_* or DATABASE_URL from
the machine running the tests), exactly as an operator would start it."""

import os
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REFUSED = "生产配置（config.settings.production）拒绝启动"


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    """Everything production needs, on a throw-away SQLite database."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "rc.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "HBWSRC_VAR_DIR": str(tmp_path / "var"),
    }


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DATABASE_URL"
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def without(env: dict[str, str], *names: str) -> dict[str, str]:
    return {key: value for key, value in env.items() if key not in names}


def assert_refused(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode != 0, result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert REFUSED in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def test_production_starts_and_passes_check_deploy_with_no_warning(production_env):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env)
    assert result.returncode == 0, result.stdout + result.stderr
    # One check is silenced on purpose: axes.W006 (logins are locked per account, never per
    # address alone; config/settings/base.py says why).
    assert "System check identified no issues (1 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_production_without_anything_names_every_missing_piece(production_env):
    env = without(production_env, "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL") | {
        "DJANGO_DEBUG": "1"
    }
    result = run(["manage.py", "check"], env)
    assert_refused(
        result,
        "未设置 DJANGO_SECRET_KEY",
        "DJANGO_DEBUG 已开启",
        "未设置 DJANGO_ALLOWED_HOSTS",
        "未设置 DATABASE_URL",
    )


def test_production_refuses_a_missing_secret_key(production_env):
    result = run(["manage.py", "check"], without(production_env, "DJANGO_SECRET_KEY"))
    assert_refused(result, "未设置 DJANGO_SECRET_KEY")
    assert "DJANGO_ALLOWED_HOSTS" not in result.stderr  # only what is wrong is named


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("dev-only-not-secret-5f0c1e7a9b", "公开的开发/测试密钥"),
        ("django-insecure-" + "x" * 50, "公开的开发/测试密钥"),
        ("short-but-random-9f8e7d6c", "太短或过于简单（25 个字符）"),
        ("a" * 60, "太短或过于简单"),
    ],
)
def test_production_refuses_a_weak_or_public_secret_key(production_env, key, message):
    result = run(["manage.py", "check"], production_env | {"DJANGO_SECRET_KEY": key})
    assert_refused(result, message)


@pytest.mark.parametrize("value", ["1", "True", "maybe"])
def test_production_refuses_debug_on_or_unclear(production_env, value):
    result = run(["manage.py", "check"], production_env | {"DJANGO_DEBUG": value})
    assert_refused(result, "DJANGO_DEBUG")


@pytest.mark.parametrize("hosts", [None, "", " , ", "*"])
def test_production_refuses_missing_or_wildcard_allowed_hosts(production_env, hosts):
    env = without(production_env, "DJANGO_ALLOWED_HOSTS")
    if hosts is not None:
        env["DJANGO_ALLOWED_HOSTS"] = hosts
    result = run(["manage.py", "check"], env)
    assert_refused(result, "DJANGO_ALLOWED_HOSTS")


def test_production_refuses_a_missing_database_url(production_env):
    result = run(["manage.py", "check"], without(production_env, "DATABASE_URL"))
    assert_refused(result, "未设置 DATABASE_URL")


def test_wsgi_loads_production_settings_by_default(production_env):
    load = "import config.wsgi; from django.conf import settings; print(settings.ENVIRONMENT)"
    env = without(production_env, "DJANGO_SETTINGS_MODULE")
    assert run(["-c", load], env).stdout.strip() == "production"
    assert_refused(run(["-c", load], without(env, "DJANGO_SECRET_KEY")), "DJANGO_SECRET_KEY")


def test_manage_py_defaults_to_development_settings(tmp_path):
    show = "from django.conf import settings; print(settings.ENVIRONMENT, settings.DEBUG)"
    env = {"HBWSRC_VAR_DIR": str(tmp_path)}
    assert run(["manage.py", "shell", "--no-imports", "-c", show], env).stdout.split() == [
        "development",
        "True",
    ]
    # The benchmark runs with DEBUG off and the same (development) settings.
    off = run(["manage.py", "shell", "--no-imports", "-c", show], env | {"DJANGO_DEBUG": "0"})
    assert off.stdout.split() == ["development", "False"]


@pytest.mark.parametrize(
    "command",
    [
        ["seed_demo"],
        ["demo_info"],
        ["seed_bench", "--applications", "10"],
        ["bench", "--runs", "1"],
    ],
)
def test_demo_and_benchmark_commands_do_not_exist_in_production(production_env, tmp_path, command):
    result = run(["manage.py", *command], production_env)
    assert result.returncode != 0
    assert f"Unknown command: '{command[0]}'" in result.stderr
    # Nothing touched the database: no table was even looked for.
    database = tmp_path / "production.sqlite3"
    if database.exists():
        with sqlite3.connect(database) as connection:
            tables = connection.execute("SELECT name FROM sqlite_master").fetchall()
        assert tables == []


def test_only_development_and_test_settings_install_the_devtools_app(production_env, tmp_path):
    show = "from django.conf import settings; print('devtools' in settings.INSTALLED_APPS)"
    args = ["manage.py", "shell", "--no-imports", "-c", show]
    assert run(args, production_env).stdout.split() == ["False"]
    for module in ("config.settings.dev", "config.settings.test"):
        env = {"DJANGO_SETTINGS_MODULE": module, "HBWSRC_VAR_DIR": str(tmp_path)}
        assert run(args, env).stdout.split() == ["True"], module
    # Nor does base.py, which every environment builds on.
    base = "import config.settings.base as base; print('devtools' in base.INSTALLED_APPS)"
    assert run(["-c", base], {"HBWSRC_VAR_DIR": str(tmp_path)}).stdout.split() == ["False"]
