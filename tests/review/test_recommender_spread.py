"""推荐人跨区县统计: a teacher on applications in several counties is listed for provincial
staff with the count, the counties and the applications; the minimums filter, the columns
sort, the xlsx export has the same rows; nobody else opens it or sees it in the sidebar."""

import io

import openpyxl
import pytest
from django.urls import reverse

from core.masking import mask_id_number
from exam.models import Recommender
from people.tiers import Tier
from tests.builders import advance_to, submitted, work_in
from tests.exports import export_post, without_footer
from tests.factories import PhysicianFactory
from tests.tree import JIANGAN, WUCHANG

pytestmark = pytest.mark.django_db

URL = "/admin/recommenders/"
XILING = "420502"  # 宜昌市西陵区


def teach(application, physician, role=Recommender.Role.RECOMMENDER) -> Recommender:
    return Recommender.objects.create(
        application=application,
        role=role,
        physician=physician,
        name=physician.name,
        id_number=physician.id_number,
    )


def build_spread(tree, tcm_project) -> dict:
    """张 on three counties' applications (one as 指导老师), 李 on two of one county,
    王 on two counties but one application not yet at the province."""
    at_province = {
        code: advance_to(submitted(tcm_project, tree[code]), Tier.PROVINCE)
        for code in (JIANGAN, WUCHANG, XILING)
    }
    second_jiangan = advance_to(submitted(tcm_project, tree[JIANGAN]), Tier.PROVINCE)
    still_at_county = submitted(tcm_project, tree[WUCHANG])
    zhang, li, wang = (PhysicianFactory(name=n) for n in ("张推荐", "李推荐", "王推荐"))
    teach(at_province[JIANGAN], zhang)
    teach(at_province[WUCHANG], zhang)
    teach(at_province[XILING], zhang, Recommender.Role.SUPERVISOR)
    teach(at_province[JIANGAN], li)
    teach(second_jiangan, li)
    teach(at_province[JIANGAN], wang)
    teach(still_at_county, wang)
    return {"zhang": zhang, "li": li, "wang": wang, "apps": at_province}


@pytest.fixture
def spread(tree, reviewers, tcm_project):
    built = build_spread(tree, tcm_project)
    work_in(reviewers["province"], tcm_project)
    return built


def _client(client, user):
    client.force_login(user)
    return client


def _names(response) -> list[str]:
    return [row.name for row in response.context["rows"]]


def test_province_sees_the_teacher_on_three_counties(client, reviewers, spread):
    response = _client(client, reviewers["province"]).get(URL)
    assert response.status_code == 200
    assert _names(response) == ["张推荐"]  # 李: one county; 王: one county the province sees
    row = response.context["rows"][0]
    assert (row.applications, row.counties, row.id_number) == (3, 3, spread["zhang"].id_number)
    assert set(row.county_names) == {"江岸区卫生健康局", "武昌区卫生健康局", "西陵区卫生健康局"}
    assert row.roles == ["推荐医师", "指导老师"] or row.roles == ["指导老师", "推荐医师"]
    html = response.content.decode()
    for application in spread["apps"].values():
        assert reverse("admin:review_reviewapplication_change", args=[application.pk]) in html


def test_minimums_and_role_filter(client, reviewers, spread):
    c = _client(client, reviewers["province"])
    assert _names(c.get(URL, {"min_counties": 4})) == []
    assert "没有符合条件" in c.get(URL, {"min_counties": 4}).content.decode()
    assert _names(c.get(URL, {"min_counties": 1, "o": "name"})) == ["张推荐", "李推荐"]
    assert _names(c.get(URL, {"min_counties": 1, "min_applications": 3})) == ["张推荐"]
    # As 指导老师 张 is on one application only (the other names: each application's own
    # signed teachers, on one application each).
    supervisors = _names(
        c.get(URL, {"role": "supervisor", "min_counties": 1, "min_applications": 1})
    )
    assert "张推荐" in supervisors and "李推荐" not in supervisors
    assert _names(c.get(URL, {"role": "supervisor"})) == []


def test_sorting(client, reviewers, spread):
    c = _client(client, reviewers["province"])
    params = {"min_counties": 1}
    assert _names(c.get(URL, {**params, "o": "-counties"})) == ["张推荐", "李推荐"]
    assert _names(c.get(URL, {**params, "o": "counties"})) == ["李推荐", "张推荐"]
    assert _names(c.get(URL, {**params, "o": "-name"})) == ["李推荐", "张推荐"]
    assert _names(c.get(URL, {**params, "o": "bogus"})) == ["张推荐", "李推荐"]


def test_export_has_the_same_rows(client, reviewers, spread):
    c = _client(client, reviewers["province"])
    form = c.get(URL, {"min_counties": 1, "export": "xlsx"})
    assert form.status_code == 200 and 'id="export-form"' in form.content.decode()
    response = export_post(c, URL, {"min_counties": 1, "export": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    rows = without_footer(list(sheet.iter_rows(values_only=True)))
    assert rows[0][:5] == ("姓名", "身份证号码", "类型", "申报数", "区县数")
    assert [(r[0], r[1], r[3], r[4]) for r in rows[1:]] == [
        ("张推荐", mask_id_number(spread["zhang"].id_number), 3, 3),
        ("李推荐", mask_id_number(spread["li"].id_number), 2, 1),
    ]


@pytest.mark.parametrize("who", ["city_wuhan", "county_jiangan", "unit_a"])
def test_others_get_403_and_no_sidebar_entry(client, reviewers, spread, who):
    c = _client(client, reviewers[who])
    assert c.get(URL).status_code == 403
    assert c.get(URL, {"export": "xlsx"}).status_code == 403
    assert export_post(c, URL, {"export": "xlsx"}).status_code == 403
    assert URL not in c.get("/admin/", follow=True).content.decode()


def test_province_has_the_sidebar_entry(client, reviewers, spread):
    assert URL in _client(client, reviewers["province"]).get("/admin/").content.decode()
