"""core.fast_list's short cuts give what Django's and unfold's own functions give."""

import pytest
from django.utils import formats
from django.utils.html import conditional_escape, format_html
from django.utils.translation import gettext_lazy

from core.fast_list import _escape, _number_format


@pytest.mark.parametrize(
    "value",
    [
        "<b>张三</b> & 'x' \"y\"",
        format_html("<a href='{}'>查看</a>", "/a?b=1&c=2"),
        gettext_lazy("<yes>"),
        12345,
        None,
        "",
    ],
)
def test_escape_is_conditional_escape(value):
    assert _escape(value) == conditional_escape(value)


@pytest.mark.parametrize("grouping", [False, True])
@pytest.mark.parametrize("value", [0, 7, 1234, 1234567, -98765])
def test_number_format_is_djangos(settings, grouping, value):
    settings.USE_THOUSAND_SEPARATOR = grouping
    assert _number_format()(value) == formats.number_format(value)
