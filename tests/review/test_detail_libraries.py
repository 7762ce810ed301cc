"""对比库信息 on the review detail page (issue 12 item 10): the year once, whether or not the
record's 说明 already starts with it."""

from django.urls import reverse

from review.models import ReferenceLibrary, ReferenceRecord
from tests.builders import submitted
from tests.review.scenario import UNIT_A


def test_library_lines_print_the_year_once(client, tree, reviewers, health_project):
    application = submitted(health_project, tree[UNIT_A])
    id_number = application.candidate.id_number
    ReferenceRecord.objects.create(
        library=ReferenceLibrary.objects.get(code="violation"),
        id_number=id_number,
        name=application.candidate.name,
        year=2023,
        source="省考试中心",
        detail="2023年度考试违纪人员",
    )
    ReferenceRecord.objects.create(
        library=ReferenceLibrary.objects.get(code="history"),
        id_number=id_number,
        name=application.candidate.name,
        year=2024,
        detail="报考368 护理学，成绩未合格",
    )
    client.force_login(reviewers["unit_a"])
    url = reverse("admin:review_reviewapplication_change", args=[application.pk])
    html = " ".join(client.get(url).content.decode().split())
    assert "2023年度 2023年度" not in html
    assert "2023年度考试违纪人员（省考试中心），请重点关注" in html
    # A 说明 without the year still gets it, once.
    assert "2024年度 报考368 护理学，成绩未合格" in html
