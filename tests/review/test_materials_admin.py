"""专项信息 through the test client: the six lists, their scope per demo account, filters,
批量核验 of a selection and of a whole filtered list, exports, images, query counts."""

import io
import re
from urllib.parse import urlencode

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from guardian.shortcuts import remove_perm

from core.masking import mask_id_number
from core.models import AuditLogEntry
from exam.models import EducationRecord
from review.models import ReferenceLibrary, ReferenceRecord
from tests.builders import in_health_business, new_application, submitted
from tests.exports import export_post, without_footer
from tests.review.materials import COLLEGE_APPS, PNG, education
from tests.review.scenario import EXPECTED_HEALTH as EXPECTED
from tests.review.scenario import UNIT_A, UNIT_B

USERS = sorted(EXPECTED)
LISTS = [
    "verifyeducation",
    "verifynurselicense",
    "verifyphysicianlicense",
    "verifyphysicianqualification",
    "verifytitle",
    "verifysupplementary",
]
EDUCATION = "verifyeducation"


def _url(name, view="changelist", *args):
    return reverse(f"admin:review_{name}_{view}", args=args)


def _login(client, reviewers, username):
    client.force_login(in_health_business(reviewers[username]))
    return client


def _messages(response):
    return " ".join(str(m) for m in response.wsgi_request._messages)


def _rows(response):
    return response.context["cl"].result_list


def _names(response, records):
    by_pk = {r.pk: name for name, r in records.items()}
    return {by_pk[r.pk] for r in _rows(response)}


# --- lists and scope ---------------------------------------------------------------------------


@pytest.mark.parametrize("username", USERS)
def test_each_account_sees_the_materials_of_its_scope(client, materials, reviewers, username):
    client = _login(client, reviewers, username)
    subtree, direct = EXPECTED[username]
    for name in LISTS:
        assert client.get(_url(name)).status_code == 200, name
    # Default 数据层级 here: 下级所有.
    response = client.get(_url(EDUCATION), {"all": ""})
    assert _names(response, materials["education"]) == subtree
    response = client.get(_url(EDUCATION), {"scope": "direct", "all": ""})
    assert _names(response, materials["education"]) == direct
    response = client.get(_url("verifynurselicense"), {"all": ""})
    assert _names(response, materials["nurse"]) == subtree & set(materials["nurse"])


def test_columns_show_the_guides_fields(client, materials, reviewers):
    from django.contrib.admin.utils import label_for_field

    response = _login(client, reviewers, "county_jiangan").get(_url(EDUCATION))
    cl = response.context["cl"]
    headers = [str(label_for_field(name, cl.model, cl.model_admin)) for name in cl.list_display]
    assert headers[1:] == [
        "姓名 / 证件号码",
        "材料状态",
        "缴费状态",
        "申报级别 / 类别(专业)",
        "证书图片",
        "核验状态",
        "核验备注",
        "材料信息",
    ]
    html = response.content.decode()
    for label in (
        "学历层次",
        "毕业时间",
        "毕业学校",
        "学历认证报告编号",
        "学习形式",
        "专业类型",
        "学制",
        "入学时间",
        "所学专业",
        "毕业证号",
    ):
        assert f"<dt>{label}</dt>" in html, label
    record = materials["education"]["a_at_county"]
    candidate = record.application.candidate
    assert candidate.name in html and candidate.id_number in html
    # The name opens the application's detail page.
    detail = reverse("admin:review_reviewapplication_change", args=[record.application_id])
    assert f'href="{detail}#materials" title="查看申报">{candidate.name}</a>' in html
    assert "待核验" in html and "待缴费" in html and "湖北中医药大学" in html and "5年" in html
    # 材料状态: the county's own 审核状态 (待审核 for the one at the county, 已上报 above).
    status = {r.pk: r.material_status for r in _rows(response)}
    assert status[record.pk] == "待审核"
    assert status[materials["education"]["a_at_city"].pk] == "已上报"
    # Tabs between the six lists, the current one marked.
    assert 'class="mv-active" aria-current="page">学历信息' in html
    for label in ("护士执业证", "医师执业证", "医师资格证", "专技职称", "补充信息"):
        assert f">{label}</a>" in html


def test_filters(client, materials, reviewers):
    client = _login(client, reviewers, "county_jiangan")
    records = materials["education"]

    def names(**params):
        return _names(client.get(_url(EDUCATION), {**params, "all": ""}), records)

    everything = EXPECTED["county_jiangan"][0]
    assert names() == everything
    assert names(education="本科") == everything - COLLEGE_APPS
    assert names(education="大专") == everything & COLLEGE_APPS
    assert names(graduated="2018") == everything & COLLEGE_APPS
    assert names(enrolled="2010") == everything and names(enrolled="2011") == set()
    assert names(school="中医药") == everything and names(school="武汉大学") == set()
    assert names(major_type="medical") == everything and names(major_type="related") == set()
    assert names(review_status="pending") == {"a_at_county"}  # 当前业务: the health exam
    assert names(review_status="reported") == {"a_at_city", "a_at_province"}
    assert names(verification="verified") == set()
    candidate = records["a_at_city"].application.candidate
    assert names(name=candidate.name) == {"a_at_city"}
    assert names(id_number=candidate.id_number[:14]) >= {"a_at_city"}
    response = client.get(_url(EDUCATION))
    years = next(f for f in response.context["cl"].filter_specs if f.parameter_name == "graduated")
    # The years on record, latest first, from MIN/MAX over the table (no scan of the scope):
    # a year in between without records is offered and lists nothing.
    assert [value for value, _ in years.lookup_choices] == ["2018", "2017", "2016", "2015"]
    assert names(graduated="2016") == set()
    titles = [str(f.title) for f in response.context["cl"].filter_specs]
    assert titles[:8] == [
        "核验状态",
        "学历层级",
        "专业类型",
        "入学时间",
        "毕业学校",
        "毕业时间",
        "数据层级",
        "区县审核状态",
    ]
    # The other lists have no 学历-specific filters.
    response = client.get(_url("verifynurselicense"))
    titles = [str(f.title) for f in response.context["cl"].filter_specs]
    assert "毕业学校" not in titles and "核验状态" in titles and "学历层级" in titles


def test_read_only_and_needs_the_verify_permission(client, materials, reviewers, tree):
    client = _login(client, reviewers, "unit_b")
    record = materials["education"]["b_pending"]
    assert client.get(_url(EDUCATION, "add")).status_code == 403
    assert client.post(_url(EDUCATION, "delete", record.pk)).status_code in (403, 404)
    # The row leads to the application's detail page (证明材料).
    response = client.get(_url(EDUCATION, "change", record.pk))
    assert response.status_code == 302
    assert response["Location"].endswith(f"/{record.application_id}/change/#materials")
    assert (
        client.get(_url(EDUCATION, "change", materials["education"]["a_pending"].pk)).status_code
        == 404
    )
    html = client.get(_url(EDUCATION)).content.decode()
    assert "专项信息" in html
    unit_b = tree[UNIT_B]
    remove_perm("people.verify_materials", unit_b.reviewer_group, unit_b)
    client.force_login(in_health_business(reviewers["unit_b"]))  # a fresh request: nothing cached
    assert client.get(_url(EDUCATION)).status_code == 403
    html = client.get(reverse("admin:review_reviewapplication_changelist")).content.decode()
    assert "报名材料审核" in html and "专项信息" not in html


def test_staff_without_institution_permissions_get_403(client, materials):
    user = get_user_model().objects.create_user("staff_only", password="x", is_staff=True)
    client.force_login(in_health_business(user))
    for name in LISTS:
        assert client.get(_url(name)).status_code == 403


# --- images -----------------------------------------------------------------------------------


def test_thumbnails_and_the_private_image_view(client, materials, reviewers):
    client = _login(client, reviewers, "unit_a")
    response = client.get(_url(EDUCATION), {"all": ""})
    html = response.content.decode()
    with_image = materials["education"]["a_pending"]
    image_url = _url(EDUCATION, "image", with_image.pk)
    assert f'<img src="{image_url}?thumb=1"' in html  # the thumbnail (core.thumbnails)
    assert "$dispatch(&#x27;mv-lightbox&#x27;" in html or "$dispatch('mv-lightbox'" in html
    assert 'class="rv-lightbox"' in html
    # The draft's 学历信息 has no image.
    assert "暂无图片" in html
    assert _url(EDUCATION, "image", materials["education"]["a_draft"].pk) not in html
    response = client.get(image_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert "no-store" in response["Cache-Control"]
    assert (
        client.get(_url(EDUCATION, "image", materials["education"]["a_draft"].pk)).status_code
        == 404
    )
    # Someone else's image: not served, whichever list it is asked through.
    other = materials["education"]["b_pending"]
    assert client.get(_url(EDUCATION, "image", other.pk)).status_code == 404
    nurse = materials["nurse"]["c_at_county"]
    assert client.get(_url("verifynurselicense", "image", nurse.pk)).status_code == 404


# --- 批量核验 ----------------------------------------------------------------------------------


def _selection_post(client, url, ids, **extra):
    return client.post(
        url, {"action": "verify_selected", "_selected_action": ids, **extra}, follow=True
    )


def test_batch_verification_of_a_selection(client, materials, reviewers):
    client = _login(client, reviewers, "unit_a")
    chosen = [materials["education"][k] for k in ("a_pending", "a_at_county")]
    ids = [r.pk for r in chosen]
    url = _url(EDUCATION) + "?scope=subtree"
    # First the confirmation page: how many, choose 核验通过 / 核验不通过 and a remark.
    page = _selection_post(client, url, ids)
    assert page.status_code == 200
    assert page.context["count"] == 2 and page.context["mode"] == "selected"
    html = page.content.decode()
    assert "核验通过" in html and "核验不通过" in html and 'name="remark"' in html
    assert not EducationRecord.objects.exclude(verification_status="pending").exists()
    # Confirmed.
    response = _selection_post(
        client, url, ids, outcome="failed", remark="证书与学信网不符", verify_confirm="1"
    )
    assert "已批量核验 2 条学历信息：核验不通过" in _messages(response)
    assert response.redirect_chain[-1][0] == url
    assert set(
        EducationRecord.objects.filter(pk__in=ids).values_list(
            "verification_status", "verification_remark"
        )
    ) == {("failed", "证书与学信网不符")}
    assert EducationRecord.objects.filter(verification_status="failed").count() == 2
    logs = AuditLogEntry.objects.filter(action="material.failed")
    assert sorted(logs.values_list("object_id", flat=True)) == sorted(
        r.application_id for r in chosen
    )


def test_failing_a_selection_without_remark_is_refused(client, materials, reviewers):
    client = _login(client, reviewers, "unit_a")
    ids = [materials["education"]["a_pending"].pk]
    response = _selection_post(
        client, _url(EDUCATION), ids, outcome="failed", remark=" ", verify_confirm="1"
    )
    assert "必须填写核验备注" in _messages(response)
    assert response.context["count"] == 1  # the form again, to add the remark
    assert not EducationRecord.objects.exclude(verification_status="pending").exists()
    assert not AuditLogEntry.objects.filter(action__startswith="material.").exists()


def test_a_selection_reaching_outside_the_scope_is_refused_whole(client, materials, reviewers):
    client = _login(client, reviewers, "county_jiangan")
    ids = [materials["education"][k].pk for k in ("a_at_county", "c_at_county")]
    response = _selection_post(client, _url(EDUCATION), ids, outcome="verified", verify_confirm="1")
    assert "1 条不在您的核验范围内，未核验任何材料" in _messages(response)
    assert not EducationRecord.objects.exclude(verification_status="pending").exists()


def test_select_across_verifies_every_filtered_row(client, materials, reviewers):
    client = _login(client, reviewers, "county_jiangan")
    url = _url(EDUCATION) + "?" + urlencode({"education": "本科"})
    one = materials["education"]["a_at_county"].pk
    response = _selection_post(
        client, url, [one], select_across="1", outcome="verified", verify_confirm="1"
    )
    expected = EXPECTED["county_jiangan"][0] - COLLEGE_APPS
    assert f"已批量核验 {len(expected)} 条" in _messages(response)
    verified = set(
        EducationRecord.objects.filter(verification_status="verified").values_list("pk", flat=True)
    )
    assert verified == {materials["education"][k].pk for k in expected}


def test_verify_everything_the_filters_match(client, materials, reviewers):
    """county_jiangan verifies all 学历 of its subtree with 学历层级=本科, in one go."""
    client = _login(client, reviewers, "county_jiangan")
    query = urlencode({"education": "本科"})
    # The button above the list carries the list's filters.
    html = client.get(_url(EDUCATION) + "?" + query).content.decode()
    button = _url(EDUCATION, "verify_all") + "?" + query
    assert f'href="{button}"' in html
    page = client.get(button)
    expected = EXPECTED["county_jiangan"][0] - COLLEGE_APPS
    assert page.status_code == 200 and page.context["count"] == len(expected)
    assert ("学历层级", "本科") in page.context["filters"]
    assert ("数据层级", "下级所有") in page.context["filters"]
    assert not EducationRecord.objects.exclude(verification_status="pending").exists()
    response = client.post(
        button,
        {
            "outcome": "verified",
            "remark": "学信网核验一致",
            "expected_count": len(expected),
            "verify_confirm": "1",
        },
        follow=True,
    )
    assert f"已批量核验 {len(expected)} 条学历信息：核验通过" in _messages(response)
    assert response.redirect_chain[-1][0] == _url(EDUCATION) + "?" + query
    records = materials["education"]
    by_status = dict(EducationRecord.objects.values_list("pk", "verification_status"))
    for name, record in records.items():
        assert by_status[record.pk] == ("verified" if name in expected else "pending"), name
    assert AuditLogEntry.objects.filter(action="material.verified").count() == len(expected)
    # Again: nothing left to change, said so.
    response = client.post(
        button,
        {"outcome": "verified", "expected_count": len(expected), "verify_confirm": "1"},
        follow=True,
    )
    assert f"另有 {len(expected)} 条原已是“核验通过”，未改动" in _messages(response)
    assert AuditLogEntry.objects.filter(action="material.verified").count() == len(expected)


def test_verify_all_refuses_when_the_count_changed(
    client, materials, reviewers, tree, health_project
):
    client = _login(client, reviewers, "unit_a")
    button = _url(EDUCATION, "verify_all")
    count = client.get(button).context["count"]
    education(new_application(health_project, tree[UNIT_A]))
    response = client.post(
        button, {"outcome": "verified", "expected_count": count, "verify_confirm": "1"}
    )
    assert f"已由 {count} 条变为 {count + 1} 条" in _messages(response)
    assert response.context["count"] == count + 1
    assert not EducationRecord.objects.exclude(verification_status="pending").exists()


def test_verify_all_with_nothing_matching(client, materials, reviewers):
    client = _login(client, reviewers, "unit_b")
    page = client.get(_url(EDUCATION, "verify_all"), {"education": "研究生"})
    assert page.context["count"] == 0 and "没有符合条件的学历信息" in page.content.decode()


def test_verify_all_needs_the_verify_permission(client, materials, reviewers, tree):
    unit_b = tree[UNIT_B]
    remove_perm("people.verify_materials", unit_b.reviewer_group, unit_b)
    client = _login(client, reviewers, "unit_b")
    assert client.get(_url(EDUCATION, "verify_all")).status_code == 403
    assert client.post(_url(EDUCATION, "verify_all"), {"outcome": "verified"}).status_code == 403


def test_other_lists_verify_their_own_material(client, materials, reviewers):
    client = _login(client, reviewers, "unit_a")
    nurse = materials["nurse"]["a_pending"]
    response = _selection_post(
        client, _url("verifynurselicense"), [nurse.pk], outcome="verified", verify_confirm="1"
    )
    assert "已批量核验 1 条护士执业证" in _messages(response)
    nurse.refresh_from_db()
    assert nurse.verification_status == "verified"
    assert not EducationRecord.objects.exclude(verification_status="pending").exists()
    log = AuditLogEntry.objects.get(action="material.verified")
    assert log.remark == f"护士执业证（{nurse.certificate_no}）"


# --- query counts -----------------------------------------------------------------------------


def test_list_query_count_does_not_grow_with_rows(
    client, reviewers, tree, health_project, material_media
):
    client = _login(client, reviewers, "unit_a")
    client.get(reverse("admin:index"))  # the session's first request resolves 当前业务

    def page_queries(expected_rows):
        for name in (EDUCATION, "verifynurselicense"):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(_url(name), {"all": ""})
            assert len(_rows(response)) == (expected_rows if name == EDUCATION else 0)
            yield len(queries.captured_queries)

    def add(n):
        for i in range(n):
            education(submitted(health_project, tree[UNIT_A]), graduated=2000 + i % 7)

    add(10)
    ten = list(page_queries(10))
    add(40)
    fifty = list(page_queries(50))
    assert ten == fifty, (ten, fifty)
    print("专项信息 list queries (学历信息, 护士执业证) for 10 and 50 rows:", ten, fifty)


def test_review_list_flags_cost_a_constant_number_of_queries(
    client, reviewers, tree, health_project
):
    """对比库 flags on the review list: one query for the whole page, however many match."""
    client = _login(client, reviewers, "unit_a")
    client.get(reverse("admin:index"))  # the session's first request resolves 当前业务
    libraries = list(ReferenceLibrary.objects.all())
    assert len(libraries) >= 3

    def add(n):
        for _ in range(n):
            application = submitted(health_project, tree[UNIT_A])
            number = application.candidate.id_number
            for year, library in enumerate(libraries[:3], start=2020):
                ReferenceRecord.objects.create(
                    library=library, id_number=number, name="某某", year=year
                )

    def queries(rows):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("admin:review_reviewapplication_changelist"), {"all": ""})
        results = _rows(response)
        assert len(results) == rows and all(len(a.flags) == 3 for a in results)
        return len(captured.captured_queries)

    add(10)
    ten = queries(10)
    add(40)
    fifty = queries(50)
    assert ten == fifty
    print("review list queries with 对比库 matches for 10 and 50 rows:", ten, fifty)


# --- export -----------------------------------------------------------------------------------

EDUCATION_EXPORT_HEADERS = [
    "姓名",
    "证件类型",
    "证件号码",
    "提交状态",
    "材料状态",
    "缴费状态",
    "申报级别",
    "类别(专业)",
    "申报单位",
    "报考条件",  # the 学历 is one of the facts it is judged on
    "学历层次",
    "毕业时间",
    "毕业学校",
    "学历认证报告编号",
    "学习形式",
    "专业类型",
    "学制",
    "入学时间",
    "所学专业",
    "毕业证号",
    "核验状态",
    "核验备注",
    "核验时间",
]


def _job_rows(book):
    return without_footer(list(book.active.iter_rows()))


def _sheet(response):
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows())
    return without_footer(rows)


@pytest.mark.parametrize("username", USERS)
def test_export_holds_only_rows_in_scope_with_text_ids(client, materials, reviewers, username):
    client = _login(client, reviewers, username)
    response = export_post(client, _url(EDUCATION, "export"))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "attachment" in disposition and ".xlsx" in disposition
    assert re.search(r"%E5%AD%A6%E5%8E%86%E4%BF%A1%E6%81%AF", disposition)  # 学历信息
    rows = _sheet(response)
    assert [c.value for c in rows[0]] == EDUCATION_EXPORT_HEADERS
    id_col = EDUCATION_EXPORT_HEADERS.index("证件号码")
    diploma_col = EDUCATION_EXPORT_HEADERS.index("毕业证号")
    assert all(row[id_col].data_type == "s" for row in rows[1:])
    assert all(row[diploma_col].data_type == "s" for row in rows[1:])
    expected = {
        mask_id_number(materials["education"][name].application.candidate.id_number)
        for name in EXPECTED[username][0]
    }
    assert {row[id_col].value for row in rows[1:]} == expected


def test_export_follows_the_filters_and_other_lists(client, materials, reviewers):
    client = _login(client, reviewers, "county_jiangan")
    rows = _sheet(export_post(client, _url(EDUCATION, "export"), {"education": "大专"}))
    assert len(rows) - 1 == len(EXPECTED["county_jiangan"][0] & COLLEGE_APPS)
    record = materials["education"]["a_at_city"]
    values = dict(zip([c.value for c in rows[0]], [c.value for c in rows[1]], strict=True))
    assert values["学历层次"] == "大学专科教育" and values["学制"] == "5年"
    assert values["毕业时间"] == "2018-06-30"
    assert values["证件号码"] == mask_id_number(record.application.candidate.id_number)
    assert values["材料状态"] == "已上报" and values["核验状态"] == "待核验"
    rows = _sheet(export_post(client, _url("verifynurselicense", "export")))
    headers = [c.value for c in rows[0]]
    assert headers[9:13] == ["证书编号", "执业地点", "发证日期", "有效期至"]
    assert len(rows) - 1 == 1  # a_at_county's; a_pending is still at the unit


def test_export_needs_the_export_permission(client, materials, reviewers, tree):
    unit_b = tree[UNIT_B]
    remove_perm("people.export_data", unit_b.reviewer_group, unit_b)
    client = _login(client, reviewers, "unit_b")
    assert client.get(_url(EDUCATION)).status_code == 200
    assert client.get(_url(EDUCATION, "export")).status_code == 403
    assert export_post(client, _url(EDUCATION, "export")).status_code == 403


def test_export_is_the_intersection_with_the_export_scope(client, materials, reviewers, tree):
    """核验 on the county, 导出 only on 江岸区演示第一医院: only that unit's rows leave."""
    from guardian.shortcuts import assign_perm

    county = tree["420102"]
    remove_perm("people.export_data", county.reviewer_group, county)
    user = reviewers["county_jiangan"]
    assign_perm("people.export_data", user, tree[UNIT_A])
    client = _login(client, reviewers, "county_jiangan")
    rows = _sheet(export_post(client, _url(EDUCATION, "export")))
    id_col = EDUCATION_EXPORT_HEADERS.index("证件号码")
    # unit A sees a_* at every tier; the county's list also has tcm_jiangan (not unit A's).
    expected = {
        mask_id_number(materials["education"][n].application.candidate.id_number)
        for n in EXPECTED["county_jiangan"][0] & EXPECTED["unit_a"][0]
    }
    assert {row[id_col].value for row in rows[1:]} == expected


def test_a_large_export_becomes_a_job_with_the_same_rows(
    client, materials, reviewers, settings, tmp_path, django_capture_on_commit_callbacks
):
    from core.jobs.models import Job
    from review.job_tasks import export_job_run

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": "/not-served/"},
        },
    }
    client = _login(client, reviewers, "province")
    direct = [
        [c.value for c in row] for row in _sheet(export_post(client, _url(EDUCATION, "export")))
    ]
    assert len(direct) > 2

    settings.JOB_THRESHOLD_ROWS = 1
    with django_capture_on_commit_callbacks():
        response = export_post(client, _url(EDUCATION, "export"))
    job = Job.objects.get()
    assert response.status_code == 302 and str(job.pk) in response["Location"]
    assert job.subject == "review.verifyeducation" and job.progress_total == len(direct) - 1
    export_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    book = openpyxl.load_workbook(job.result_file.open("rb"))
    assert [[c.value for c in row] for row in _job_rows(book)] == direct
