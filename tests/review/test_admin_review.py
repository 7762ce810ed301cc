"""The reviewer admin through the test client: every URL it exposes, for every demo account.

Nobody sees or acts on an application outside their scope (404), nothing is visible above
the tier it has reached, and every change goes through the services."""

import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.urls import reverse

from core.errors import CONFLICT_MESSAGE
from core.masking import mask_id_number
from core.models import AuditLogEntry
from exam.models import Application, Attachment, EducationRecord, TierReview
from exam.models.applications import ReviewStatus
from people.models import EducationLevel
from tests.builders import advance_to, decide, in_health_business, new_application, submitted
from tests.exports import export_post, without_footer
from tests.review.scenario import EXPECTED as EXPECTED_ANY_BUSINESS
from tests.review.scenario import EXPECTED_HEALTH as EXPECTED
from tests.review.scenario import UNIT_A
from tests.storage import use_test_storage

USERS = sorted(EXPECTED)
CHANGELIST = "admin:review_reviewapplication_changelist"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    b"\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    use_test_storage(settings, tmp_path)  # the disk, or the bucket (tests/storage.py)


def _client(client, reviewers, username):
    client.force_login(in_health_business(reviewers[username]))
    return client


def _url(name, *args):
    return reverse(f"admin:review_reviewapplication_{name}", args=args)


def _files_of(application):
    attachment = Attachment.objects.create(
        application=application,
        section_code="education",
        kind="diploma",
        label="毕业证书",
        file=ContentFile(PNG, name="diploma.png"),
        content_type="image/png",
        size=len(PNG),
    )
    record = EducationRecord.objects.create(
        application=application,
        level=EducationLevel.objects.get(code="20"),
        graduation_date="2015-06-30",
        school="湖北中医药大学",
        study_form="full_time",
        major_type="medical",
        duration_years=5,
        enrollment_date="2010-09-01",
        major="中医学",
        diploma_no="1049712015000123",
        image=ContentFile(PNG, name="edu.png"),
    )
    return [("attachment", attachment.pk), ("educationrecord", record.pk)]


def _state(application):
    application.refresh_from_db()
    return (
        application.status,
        sorted(TierReview.objects.filter(application=application).values_list("tier", "status")),
        AuditLogEntry.objects.about(application).count(),
    )


# --- lists ---------------------------------------------------------------------------------


@pytest.mark.parametrize("username", USERS)
def test_changelist_lists_exactly_the_visible_applications(client, apps, reviewers, username):
    client = _client(client, reviewers, username)
    by_pk = {a.pk: name for name, a in apps.items()}
    subtree, direct = EXPECTED[username]
    response = client.get(reverse(CHANGELIST), {"scope": "subtree", "all": ""})
    assert response.status_code == 200
    assert {by_pk[a.pk] for a in response.context["cl"].result_list} == subtree
    response = client.get(reverse(CHANGELIST), {"all": ""})  # default: 本级直属
    assert {by_pk[a.pk] for a in response.context["cl"].result_list} == direct


def test_list_columns_in_the_guides_order(client, apps, reviewers):
    from django.contrib.admin.utils import label_for_field

    response = _client(client, reviewers, "unit_a").get(reverse(CHANGELIST))
    cl = response.context["cl"]
    headers = [str(label_for_field(name, cl.model, cl.model_admin)) for name in cl.list_display]
    expected = [
        "序号",
        "操作",
        "提交状态",
        "提交时间",
        "省级审核状态",
        "市州审核状态",
        "区县审核状态",
        "单位审核状态",
        "缴费状态",
        "姓名",
        "证件类型",
        "证件号码",
        "申报级别",
        "类别(专业)",
        "申报单位",
    ]
    # First the selection checkbox (for 上报所选申报), then the guide's columns, then ours.
    assert headers[1 : len(expected) + 1] == expected
    assert headers[len(expected) + 1 :] == ["对比库", "报考条件"]
    html = response.content.decode()
    assert "查看" in html and "待审核" in html


def test_filters(client, apps, reviewers, tree, health_project):
    client = _client(client, reviewers, "county_jiangan")
    url = reverse(CHANGELIST)
    pks = lambda r: {a.pk for a in r.context["cl"].result_list}  # noqa: E731
    everything = pks(client.get(url, {"scope": "subtree", "all": ""}))
    pending = pks(client.get(url, {"scope": "subtree", "review_status": "pending", "all": ""}))
    # The TCM application waiting here is in the other business (当前业务: the health exam).
    assert pending == {apps["a_at_county"].pk}
    assert pending < everything
    candidate = apps["a_at_county"].candidate
    assert pks(client.get(url, {"scope": "subtree", "id_number": candidate.id_number[:10]})) >= {
        apps["a_at_county"].pk
    }
    assert pks(client.get(url, {"scope": "subtree", "name": candidate.name})) == {
        apps["a_at_county"].pk
    }
    assert pks(client.get(url, {"scope": "subtree", "institution": "演示第一医院", "all": ""})) == {
        apps[k].pk for k in ("a_at_county", "a_at_city", "a_at_province")
    }
    level = apps["a_at_county"].level
    response = client.get(url, {"scope": "subtree", "level": level.code})
    specialty_filter = next(
        f for f in response.context["cl"].filter_specs if f.parameter_name == "specialty"
    )
    assert specialty_filter.lookup_choices and all(
        label.split(" ")[0].startswith(level.code) for _, label in specialty_filter.lookup_choices
    )
    no_level = client.get(url, {"scope": "subtree"})
    specialty_filter = next(
        f for f in no_level.context["cl"].filter_specs if f.parameter_name == "specialty"
    )
    assert specialty_filter.lookup_choices == [] and "请先选择申报级别" in specialty_filter.title
    assert pks(client.get(url, {"scope": "subtree", "status": "draft"})) == set()
    assert pks(client.get(url, {"scope": "subtree", "payment": "paid"})) == set()


def test_list_query_count_does_not_grow_with_rows(
    client, reviewers, tree, health_project, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(client, reviewers, "unit_a")
    client.get(reverse("admin:index"))  # the session's first request resolves 当前业务
    for _ in range(10):
        submitted(health_project, tree[UNIT_A])
    with CaptureQueriesContext(connection) as ten:
        assert len(client.get(reverse(CHANGELIST), {"all": ""}).context["cl"].result_list) == 10
    for _ in range(90):
        new_application(health_project, tree[UNIT_A])
    with CaptureQueriesContext(connection) as hundred:
        assert len(client.get(reverse(CHANGELIST), {"all": ""}).context["cl"].result_list) == 100
    assert len(hundred.captured_queries) == len(ten.captured_queries)


def test_anonymous_and_candidates_are_sent_to_login(client, apps):
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(apps["a_pending"].candidate.user)
    response = client.get(_url("change", apps["a_pending"].pk))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_without_institution_permissions_get_403(client, apps):
    user = get_user_model().objects.create_user("staff_only", password="x", is_staff=True)
    client.force_login(in_health_business(user))
    assert client.get(reverse(CHANGELIST)).status_code == 403
    assert client.get(_url("change", apps["a_pending"].pk)).status_code in (403, 404)


# --- detail pages, history, files, POSTs ----------------------------------------------------


@pytest.mark.parametrize("username", USERS)
def test_detail_history_and_files_only_in_scope(client, apps, reviewers, username):
    files = {name: _files_of(apps[name]) for name in ("a_pending", "c_at_county", "a_at_province")}
    client = _client(client, reviewers, username)
    visible = EXPECTED_ANY_BUSINESS[username][0]  # a detail link opens in any 当前业务
    for name, application in apps.items():
        detail = client.get(_url("change", application.pk))
        history = client.get(_url("history", application.pk))
        if name in visible:
            assert detail.status_code == 200, name
            assert application.candidate.id_number in detail.content.decode()
            assert history.status_code == 302
        else:
            assert detail.status_code == 404, name
            assert history.status_code == 404, name
        for kind, obj_id in files.get(name, []):
            response = client.get(_url("file", application.pk, kind, obj_id))
            assert response.status_code == (200 if name in visible else 404), (name, kind)
            if response.status_code == 200:
                assert b"".join(response.streaming_content) == PNG
                assert {"private", "no-store"} <= set(
                    response["Cache-Control"].replace(" ", "").split(",")
                )


def test_file_of_another_application_is_not_served_through_a_visible_one(client, apps, reviewers):
    (kind, obj_id), _ = _files_of(apps["b_pending"])
    client = _client(client, reviewers, "unit_a")
    assert client.get(_url("file", apps["a_pending"].pk, kind, obj_id)).status_code == 404


@pytest.mark.parametrize("username", [u for u in USERS if u != "unit_a"])
def test_posts_outside_scope_change_nothing(client, apps, reviewers, username):
    client = _client(client, reviewers, username)
    application = apps["a_pending"]
    before = _state(application)
    for name, data in (
        ("decide", {"decision": "approve"}),
        ("decide", {"decision": "reject", "remark": "x"}),
        ("reopen", {}),
        ("onsite", {}),
    ):
        assert client.post(_url(name, application.pk), data).status_code == 404
    assert _state(application) == before


def test_get_on_decision_urls_is_refused(client, apps, reviewers):
    client = _client(client, reviewers, "unit_a")
    assert client.get(_url("decide", apps["a_pending"].pk)).status_code == 405


def test_review_log_admin_is_scoped(client, apps, reviewers):
    client = _client(client, reviewers, "unit_b")
    response = client.get(reverse("admin:core_auditlogentry_changelist"), {"all": ""})
    assert response.status_code == 200
    application_ids = {
        log.subject.pk if isinstance(log.subject, Application) else None
        for log in response.context["cl"].result_list
    }
    assert application_ids == {apps["b_pending"].pk}


# --- decisions and 材料上报 through the admin --------------------------------------------------


def _messages(response):
    return [str(m) for m in response.wsgi_request._messages]


def test_decision_and_report_through_all_four_tiers(client, reviewers, tree, health_project):
    application = submitted(health_project, tree[UNIT_A])
    steps = [("unit_a", "unit"), ("county_jiangan", "county"), ("city_wuhan", "city")]
    for username, tier in steps:
        client.force_login(in_health_business(reviewers[username]))
        # Before it is reported up, the next tier does not see it.
        response = client.post(
            _url("decide", application.pk),
            {"decision": "approve", "seen_status": "pending"},
            follow=True,
        )
        assert "已提交审核" in " ".join(_messages(response))
        confirm = client.get(_url("report"))
        assert confirm.status_code == 200 and confirm.context["summary"].reported == 1
        response = client.post(_url("report"), follow=True)
        assert "已上报 1 条申报" in " ".join(_messages(response))
        application.refresh_from_db()
        assert application.review_status_at(tier) == ReviewStatus.REPORTED
    client.force_login(in_health_business(reviewers["province"]))
    assert client.get(_url("report")).status_code == 403  # 省级审核通过即终审
    client.post(_url("decide", application.pk), {"decision": "approve", "seen_status": "pending"})
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    actions = list(AuditLogEntry.objects.about(application).values_list("action", flat=True))
    assert actions.count("review.reported") == 3 and actions.count("review.approved") == 4


def test_report_selected_action_reports_only_the_selection(client, reviewers, tree, health_project):
    first = decide(submitted(health_project, tree[UNIT_A]), "approve")
    second = decide(submitted(health_project, tree[UNIT_A]), "approve")
    client.force_login(in_health_business(reviewers["unit_a"]))
    response = client.post(
        reverse(CHANGELIST),
        {"action": "report_selected", "_selected_action": [first.pk]},
        follow=True,
    )
    assert "已上报 1 条申报" in " ".join(_messages(response))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.current_tier, second.current_tier) == ("county", "unit")


def test_report_action_cannot_reach_other_units_applications(client, apps, reviewers):
    other = decide(apps["b_pending"], "approve")
    client.force_login(in_health_business(reviewers["unit_a"]))
    client.post(reverse(CHANGELIST), {"action": "report_selected", "_selected_action": [other.pk]})
    other.refresh_from_db()
    assert other.current_tier == "unit"


def test_return_with_locked_sections(client, reviewers, tree, health_project):
    application = submitted(health_project, tree[UNIT_A])
    client.force_login(in_health_business(reviewers["unit_a"]))
    response = client.post(
        _url("decide", application.pk),
        {
            "decision": "return",
            "remark": "学历证书不清晰，请重新上传",
            "locked_sections": ["basic"],
            "seen_status": "pending",
        },
        follow=True,
    )
    assert "允许修改" in " ".join(_messages(response))
    statuses = dict(application.sections.values_list("code", "status"))
    assert statuses["basic"] == "locked" and statuses["education"] == "complete"
    application.refresh_from_db()
    assert application.status == Application.Status.RETURNED
    detail = client.get(_url("change", application.pk)).content.decode()
    assert "已锁定" in detail and "学历证书不清晰" in detail


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "return", "remark": ""}, "必须填写审核备注"),
        ({"decision": "reject", "remark": " "}, "必须填写审核备注"),
        ({"decision": ""}, "请选择审核状态"),
        ({"decision": "approve", "seen_status": "deferred"}, CONFLICT_MESSAGE),
        (
            {"decision": "return", "remark": "x", "locked_sections": ["title"]},
            "尚未填写完成，不能锁定",
        ),
    ],
)
def test_illegal_decisions_are_refused_with_a_message(
    client, reviewers, tree, health_project, data, message
):
    application = new_application(health_project, tree[UNIT_A])
    from tests.builders import complete_sections

    complete_sections(application)
    application.sections.filter(code="title").update(status="incomplete")
    from exam import services as exam_services

    exam_services.application_submit(actor=application.candidate.user, application=application)
    before = _state(application)
    client.force_login(in_health_business(reviewers["unit_a"]))
    response = client.post(_url("decide", application.pk), data, follow=True)
    assert message in " ".join(_messages(response))
    assert _state(application) == before
    assert not application.sections.filter(status="locked").exists()


def test_draft_shows_no_decision_form(client, reviewers, tree, health_project):
    application = new_application(health_project, tree[UNIT_A])
    client.force_login(in_health_business(reviewers["unit_a"]))
    html = client.get(_url("change", application.pk)).content.decode()
    assert "考生尚未提交" in html and 'name="decision"' not in html
    response = client.post(_url("decide", application.pk), {"decision": "approve"}, follow=True)
    assert "尚未提交" in " ".join(_messages(response))


def test_tcm_onsite_confirmation_then_approve(client, reviewers, tree, tcm_project):
    application = submitted(tcm_project, tree["420102"], track="practice")
    client.force_login(in_health_business(reviewers["county_jiangan"]))
    html = client.get(_url("change", application.pk)).content.decode()
    assert "记录现场确认" in html
    response = client.post(_url("decide", application.pk), {"decision": "approve"}, follow=True)
    assert "现场确认" in " ".join(_messages(response))
    client.post(_url("onsite", application.pk), {"remark": "本人到场，证件原件核对无误"})
    client.post(_url("decide", application.pk), {"decision": "approve"})
    application.refresh_from_db()
    assert application.county_review_status == ReviewStatus.APPROVED


def test_reopen_through_the_admin(client, reviewers, tree, health_project):
    application = decide(submitted(health_project, tree[UNIT_A]), "approve")
    client.force_login(in_health_business(reviewers["unit_a"]))
    assert "撤销审核通过" in client.get(_url("change", application.pk)).content.decode()
    client.post(_url("reopen", application.pk))
    application.refresh_from_db()
    assert application.unit_review_status == ReviewStatus.PENDING


# --- export -----------------------------------------------------------------------------------


EXPORT_HEADERS = [
    "申报编号",
    "提交状态",
    "提交时间",
    "省级审核状态",
    "市州审核状态",
    "区县审核状态",
    "单位审核状态",
    "缴费状态",
    "姓名",
    "证件类型",
    "证件号码",
    "申报级别",
    "类别(专业)",
    "申报单位",
    "学历层级",
    "报考条件",  # the stored result, information only (the 审核结果 import ignores it)
    "审核状态",  # empty: the reviewer fills them in for the 审核结果 import
    "审核备注",
]


@pytest.mark.parametrize("username", USERS)
def test_export_holds_only_visible_rows_with_text_id_numbers(client, apps, reviewers, username):
    client = _client(client, reviewers, username)
    response = export_post(client, _url("export"), {"scope": "subtree"})
    assert response.status_code == 200
    assert (
        "attachment" in response["Content-Disposition"]
        and ".xlsx" in response["Content-Disposition"]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = without_footer(list(sheet.iter_rows()))
    assert [c.value for c in rows[0]] == EXPORT_HEADERS
    id_column = EXPORT_HEADERS.index("证件号码")
    exported = {row[id_column].value for row in rows[1:]}
    assert all(row[id_column].data_type == "s" for row in rows[1:])
    expected = {mask_id_number(apps[name].candidate.id_number) for name in EXPECTED[username][0]}
    assert exported == expected


def test_export_respects_the_list_filters(client, apps, reviewers):
    client = _client(client, reviewers, "county_jiangan")
    response = export_post(client, _url("export"), {"scope": "subtree", "review_status": "pending"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row - 2 == 1  # a_at_county (and the footer); tcm_jiangan: other business


def test_export_needs_the_export_permission(client, apps, reviewers, tree):
    from guardian.shortcuts import remove_perm

    unit_b = tree["U420102002"]
    remove_perm("people.export_data", unit_b.reviewer_group, unit_b)
    client = _client(client, reviewers, "unit_b")
    assert client.get(_url("export")).status_code == 403
    assert export_post(client, _url("export")).status_code == 403


def test_sidebar_shows_the_review_menu(client, apps, reviewers):
    html = _client(client, reviewers, "unit_a").get(reverse(CHANGELIST)).content.decode()
    assert "申报管理" in html and "报名材料审核" in html


def test_advance_helper_matches_admin_visibility(client, apps, reviewers):
    # An application reported up to the city is visible to the city, not yet to the province.
    application = advance_to(
        submitted(apps["a_draft"].project, apps["a_draft"].entry_institution), "city"
    )
    client = _client(client, reviewers, "city_wuhan")
    assert client.get(_url("change", application.pk)).status_code == 200
    client.force_login(in_health_business(reviewers["province"]))
    assert client.get(_url("change", application.pk)).status_code == 404


@pytest.mark.parametrize("username", USERS)
def test_confirmation_code_page_shows_only_the_own_institutions_code(
    client, reviewers, tree, username
):
    from tests.tree import REVIEWERS

    html = (
        _client(client, reviewers, username)
        .get(reverse("admin:confirmation_code"))
        .content.decode()
    )
    own = tree[REVIEWERS[username]]
    assert own.confirmation_code in html
    others = [i.confirmation_code for code, i in tree.by_code.items() if code != own.code]
    assert not any(code in html for code in others)


def test_detail_names_the_viewers_own_tier_and_where_the_application_is(
    client, reviewers, tree, health_project
):
    """Issue 12 item 4: the county opening an application it reported saw the city's status
    as 本级 and "not at this tier"; it must see its own (已上报) and where it is now."""
    application = advance_to(submitted(health_project, tree[UNIT_A]), "city")
    page = _client(client, reviewers, "county_jiangan").get(_url("change", application.pk))
    html = page.content.decode()
    assert "本级（江岸区卫生健康局）审核状态：<strong>已上报</strong>" in html
    assert "本级（武汉市卫生健康委员会）" not in html
    assert "当前审核机构：武汉市卫生健康委员会（市州）审核状态：<strong>待审核</strong>" in html
    assert "本级已上报，该申报当前在武汉市卫生健康委员会审核。" in html
    assert "该申报当前不在本级审核" not in html
    # At its own tier the city sees one line, its own, and the decision form.
    client.logout()
    html = _client(client, reviewers, "city_wuhan").get(_url("change", application.pk))
    html = html.content.decode()
    assert "本级（武汉市卫生健康委员会）审核状态：<strong>待审核</strong>" in html
    assert "当前审核机构：" not in html
    assert 'name="decision"' in html
