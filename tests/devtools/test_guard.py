"""The second line behind "production does not install devtools": should a settings module
that is neither development nor test install it anyway, the commands that write invented
data, or lock and read all of it, refuse before touching the database."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.models import Candidate


@pytest.mark.parametrize(
    ("command", "options", "what"),
    [
        ("seed_demo", {}, "演示数据"),
        ("seed_bench", {"applications": 10}, "基准测试数据"),
        ("seed_bench", {"clear": True}, "基准测试数据"),
        ("bench", {"runs": 1}, "基准测试"),
        ("loadtest", {"sessions": 1, "seconds": 1}, "压力测试"),
    ],
)
@pytest.mark.parametrize("environment", ["production", "base", None])
def test_commands_refuse_any_environment_but_development_and_test(
    db, settings, command, options, what, environment
):
    if environment is None:
        del settings.ENVIRONMENT  # a settings module that does not say what it is
    else:
        settings.ENVIRONMENT = environment
    candidates = Candidate.objects.count()
    with CaptureQueriesContext(connection) as queries, pytest.raises(CommandError) as refused:
        call_command(command, **options)
    assert f"{what}只用于开发和测试，不能在生产配置" in str(refused.value)
    assert len(queries) == 0
    assert Candidate.objects.count() == candidates
