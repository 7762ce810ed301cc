"""个人信息查询记录 on the candidate site: institutions and times of looks at the candidate's
own applications and files, never the reviewer's account, never another candidate's rows."""

from django.urls import reverse

from core.access_log import access_record_now
from core.models import PersonalDataAccess
from exam.site.access import PAGE_SIZE
from tests.factories import CandidateFactory, UserFactory

Kind = PersonalDataAccess.Kind
URL = reverse("apply:access_log")


def looked(
    candidate, *, kind=Kind.DETAIL, institution="武汉市江岸区卫生健康局", user=None, **extra
):
    return access_record_now(
        kind=kind,
        user=user or UserFactory(username="reviewer_zhang", first_name="张审核"),
        origin={"institution_id": 7, "institution_name": institution, "ip": "10.0.0.1"},
        candidate_id=candidate.pk,
        application_id=99,
        **extra,
    )


def test_lists_institution_time_and_kind_but_never_the_reviewer(client, db):
    candidate = CandidateFactory()
    looked(candidate)
    looked(candidate, kind=Kind.FILE, institution="武汉市卫生健康委员会", what="educationrecord/1")
    client.force_login(candidate.user)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "武汉市江岸区卫生健康局" in html and "武汉市卫生健康委员会" in html
    assert "查看报名详情" in html and "查看附件" in html
    assert "reviewer_zhang" not in html and "张审核" not in html and "10.0.0.1" not in html
    # Newest first.
    assert html.index("武汉市卫生健康委员会") < html.index("武汉市江岸区卫生健康局")


def test_another_candidates_records_are_never_shown(client, db):
    mine, theirs = CandidateFactory(), CandidateFactory()
    looked(theirs, institution="宜昌市卫生健康委员会")
    client.force_login(mine.user)
    html = client.get(URL).content.decode()
    assert "宜昌市卫生健康委员会" not in html
    assert "暂无记录" in html


def test_thumbnails_exports_and_imports_are_left_out(client, db):
    candidate = CandidateFactory()
    looked(candidate, kind=Kind.FILE, institution="缩略图机构", data={"thumb": True})
    looked(candidate, kind=Kind.EXPORT, institution="导出机构")
    client.force_login(candidate.user)
    html = client.get(URL).content.decode()
    assert "缩略图机构" not in html and "导出机构" not in html


def test_paged_newest_first(client, db):
    candidate = CandidateFactory()
    reviewer = UserFactory()
    for i in range(PAGE_SIZE + 3):
        looked(candidate, institution=f"机构{i:02d}", user=reviewer)
    client.force_login(candidate.user)
    first = client.get(URL)
    assert len(first.context["page"].object_list) == PAGE_SIZE
    assert f"机构{PAGE_SIZE + 2:02d}" in first.content.decode()  # the newest on page 1
    second = client.get(URL, {"page": 2}).content.decode()
    assert second.count('class="access-row"') == 3
    assert "第 2 / 2 页" in second
    # A hostile page number shows a page, never an error.
    assert client.get(URL, {"page": "abc"}).status_code == 200


def test_only_candidates_open_it(client, db):
    assert client.get(URL).status_code == 302  # to the login
    client.force_login(UserFactory(is_staff=True))
    assert client.get(URL).status_code == 403


def test_the_header_links_to_it(client, db):
    client.force_login(CandidateFactory().user)
    assert f'href="{URL}"' in client.get(reverse("apply:home")).content.decode()
