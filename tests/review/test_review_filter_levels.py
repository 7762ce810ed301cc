"""Issue 12 item 8, on the server: a 类别(专业) of another 申报级别 in the URL is dropped with
a message, not silently combined into an empty list."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from exam.models import Level
from tests.builders import submitted

pytestmark = pytest.mark.django_db
UNIT_A = "U420102001"


def test_specialty_of_another_level_is_ignored_with_a_message(
    client, reviewers, tree, health_project
):
    application = submitted(health_project, tree[UNIT_A])  # 中级
    other = Level.objects.get(code="1").specialties.first()
    client.force_login(reviewers["unit_a"])
    url = reverse("admin:review_reviewapplication_changelist")
    response = client.get(url, {"level": "3", "specialty": other.pk})
    assert [a.pk for a in response.context["cl"].result_list] == [application.pk]
    assert "所选类别(专业)不属于所选申报级别，已忽略该条件。" in [
        str(m) for m in get_messages(response.wsgi_request)
    ]
    same = client.get(url, {"level": "3", "specialty": application.specialty_id})
    assert [a.pk for a in same.context["cl"].result_list] == [application.pk]
    page = same.content.decode()
    assert 'id="specialty-options"' in page and "review/review-filters.js" in page
