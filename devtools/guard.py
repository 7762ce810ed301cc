"""Demo and benchmark commands write invented people, accounts and applications. Production
settings do not install this app, so there the commands do not exist at all; this check is
the second line, for a settings module that installs it anyway: the commands run only under
the development and test settings."""

from django.conf import settings
from django.core.management.base import CommandError

# An allow-list, so a settings module that forgets to say what it is counts as production.
ALLOWED_ENVIRONMENTS = {"development", "test"}


def refuse_in_production(
    what: str, *, why: str = "它会向数据库写入虚构的考生、账号和申报。"
) -> None:
    environment = getattr(settings, "ENVIRONMENT", None)
    if environment not in ALLOWED_ENVIRONMENTS:
        raise CommandError(
            f"{what}只用于开发和测试，不能在生产配置（{settings.SETTINGS_MODULE}）下运行："
            f"{why}请在开发环境中运行（默认的 config.settings.dev）。"
        )
