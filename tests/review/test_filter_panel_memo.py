"""The filter panel's widgets, kept per process by core.list_filters.MemoRenderer, are the
HTML Django's own renderer gives (issue 14)."""

import re

import pytest
from django.forms.renderers import get_default_renderer
from django.urls import reverse
from django.utils.safestring import mark_safe

from core.list_filters import MEMO_RENDERER, _freeze, _NotPlain
from tests.builders import in_health_business, submitted
from tests.review.scenario import UNIT_A

LISTS = [
    ("admin:review_reviewapplication_changelist", "status=in_review&name=<b>张&scope=direct"),
    ("admin:review_verifyeducation_changelist", 'school="x"'),
]


TYPED = {"name", "id_number", "institution", "school"}


def _steady(content: bytes) -> str:
    """The page without what changes on every request (the masked CSRF token, the nonce)."""
    return re.sub(r'(csrfmiddlewaretoken" value|nonce)="[^"]*"', r"\1", content.decode())


@pytest.mark.parametrize(("changelist", "query"), LISTS)
def test_the_panels_widgets_are_djangos(
    client, reviewers, tree, health_project, material_media, changelist, query
):
    client.force_login(in_health_business(reviewers["unit_a"]))
    submitted(health_project, tree[UNIT_A])
    url = f"{reverse(changelist)}?{query}"
    MEMO_RENDERER.rendered.clear()
    first = client.get(url)
    assert first.status_code == 200
    assert MEMO_RENDERER.rendered  # the panel went through the memo
    typed = [v for v in ("<b>张", '"x"') if v in query]
    assert typed and not any(v in str(key) for v in typed for key in MEMO_RENDERER.rendered)
    second = client.get(url)  # every widget from the memo now
    assert _steady(second.content) == _steady(first.content)
    # Then the list unfiltered, with the memo full of the filtered panel's widgets: each
    # widget is still the one Django renders for its own value.
    for response in (second, client.get(reverse(changelist))):
        cl = response.context["cl"]
        fields = [
            field
            for spec in cl.filter_specs
            for choice in spec.choices(cl)
            if "form" in choice
            for field in choice["form"]
        ]
        dropdowns = [f for f in fields if f.form.renderer is MEMO_RENDERER]
        assert len(dropdowns) >= 3
        # What a user types (姓名, 证件号码, 学校) is never kept.
        assert all(f.form.renderer is not MEMO_RENDERER for f in fields if f.name in TYPED)
        for field in dropdowns:
            kept = str(field)
            field.form.renderer = get_default_renderer()
            assert kept == str(field)


def test_the_key_tells_apart_what_renders_differently():
    assert _freeze({"a": "<b>"}) != _freeze({"a": mark_safe("<b>")})
    assert _freeze(["x"]) != _freeze(("x",))
    assert _freeze({"a": 1, "b": 2}) != _freeze({"b": 2, "a": 1})
    with pytest.raises(_NotPlain):
        _freeze({"value": object()})
