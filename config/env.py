"""Settings from the environment, read strictly: a value that is neither clearly on nor
clearly off stops the start with a message instead of quietly meaning either."""

import os

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(
        f"环境变量 {name}={raw!r} 无法识别：请写 1 或 0（也可写 true/false、yes/no、on/off）。"
    )


def env_list(name: str, *, default: list[str] | None = None) -> list[str]:
    """A comma-separated list; blanks around and between the commas are dropped."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]
