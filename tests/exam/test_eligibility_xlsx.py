"""报考条件 as xlsx (exam/eligibility/rule_xlsx.py and the admin's 导出 Excel / 导入 Excel):
the export reads back exactly as the rule set for both kinds' real rules; an import shows the
same 预览 and saves nothing before 确认保存; hostile or edited-wrong files are refused in
Chinese naming the row; nobody but provincial staff opens either view."""

import datetime
import io
import json
from urllib.parse import unquote

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from core.jobs.models import Job
from core.xlsx import write_workbook
from exam.eligibility.job_tasks import rules_preview_job_run
from exam.eligibility.rule_sets import rule_set_ensure
from exam.eligibility.rule_xlsx import rule_set_xlsx_export, rule_set_xlsx_read
from exam.models import EligibilityRuleSet
from tests.exports import export_post
from tests.review.private_media import use_private_media


def _url(name: str, rule_set) -> str:
    return reverse(f"admin:exam_eligibilityruleset_{name}", args=[rule_set.pk])


def _rows(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _edited(data: bytes, edit) -> bytes:
    """The exported sheet's rows, changed by `edit(rows)`, written again."""
    rows = _rows(data)
    edit(rows)
    return write_workbook(rows[0], rows[1:])


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    # The preview job's progress and heartbeat files (SQLite) go to the private media folder.
    use_private_media(settings, tmp_path)


@pytest.fixture
def province_client(client, reviewers):
    client.force_login(reviewers["province"])
    return client


@pytest.fixture(params=["health_project", "tcm_project"])
def rule_set(request):
    return rule_set_ensure(project=request.getfixturevalue(request.param))


@pytest.mark.django_db
def test_the_export_reads_back_as_the_rule_set(rule_set):
    rule_set.blocks_submission = True
    rule_set.save()
    data = rule_set_xlsx_export(rule_set=rule_set)
    rows = _rows(data)
    assert rows[0][:3] == ["路径", "值", "来源"]
    assert rows[1][0] == "截止日期" and rows[2][:2] == ["不符合时禁止提交", "是"]
    read = rule_set_xlsx_read(rule_set=rule_set, data=data)
    assert read.rules == rule_set.rules
    assert json.dumps(read.rules, ensure_ascii=False) == json.dumps(
        rule_set.rules, ensure_ascii=False
    )  # the keys in their order too
    assert (read.cutoff_date, read.blocks_submission) == (datetime.date(2026, 12, 31), True)


@pytest.mark.django_db
def test_a_readable_path_per_value_with_its_source(health_project):
    rule_set = rule_set_ensure(project=health_project)
    rows = {row[0]: row for row in _rows(rule_set_xlsx_export(rule_set=rule_set))[1:]}
    assert rows["levels.3.本科.years"][1] == 4
    assert "第十一条（三）" in rows["levels.3.本科.years"][2]
    assert rows["relevance.major_types.0"][1] == "medical"


@pytest.mark.django_db
def test_an_edited_value_is_read(tcm_project):
    rule_set = rule_set_ensure(project=tcm_project)

    def edit(rows):
        for row in rows:
            if row[0] == "rules.0.years":
                row[1] = "6"  # typed into a text cell: still a whole number
            if row[0] == "rules.0.enabled":
                row[1] = False
            if row[0] == "截止日期":
                row[1] = "2027-06-30"

    read = rule_set_xlsx_read(
        rule_set=rule_set, data=_edited(rule_set_xlsx_export(rule_set=rule_set), edit)
    )
    assert read.rules["rules"][0]["years"] == 6 and read.rules["rules"][0]["enabled"] is False
    assert read.cutoff_date == datetime.date(2027, 6, 30)
    assert read.rules["rules"][1:] == rule_set.rules["rules"][1:]


def _wrong_type(rows):
    next(row for row in rows if row[0] == "levels.3.本科.years")[1] = "四年"


def _missing(rows):
    rows.remove(next(row for row in rows if row[0] == "levels.2.大专.years"))


def _unknown(rows):
    rows.append(["levels.1.本科.years", 2, None])


def _no_cutoff(rows):
    next(row for row in rows if row[0] == "截止日期")[1] = "明年"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_wrong_type, "（levels.3.本科.years）：值应为整数，现为“四年”"),
        (_missing, "文件缺少 1 行：levels.2.大专.years"),
        (_unknown, "路径“levels.1.本科.years”不是本规则中的项"),
        (_no_cutoff, "（截止日期）：应为日期，如 2026-12-31，现为“明年”"),
    ],
)
def test_a_wrongly_edited_sheet_is_refused_naming_the_row(health_project, edit, message):
    rule_set = rule_set_ensure(project=health_project)
    data = _edited(rule_set_xlsx_export(rule_set=rule_set), edit)
    with pytest.raises(ValidationError) as refused:
        rule_set_xlsx_read(rule_set=rule_set, data=data)
    assert message in refused.value.messages[0]
    if edit is not _missing:
        assert refused.value.messages[0].startswith("第 ")


@pytest.mark.django_db
def test_export_and_import_in_the_admin_show_the_preview(province_client, health_project):
    rule_set = rule_set_ensure(project=health_project)
    page = province_client.get(_url("change", rule_set)).content.decode()
    assert _url("export", rule_set) in page and 'id="rule_set_import"' in page

    form = province_client.get(_url("export", rule_set))
    assert form.status_code == 200 and 'id="export-form"' in form.content.decode()
    export = export_post(province_client, _url("export", rule_set))
    assert export.status_code == 200
    # The stamped file (its 导出人 footer included) goes back through the import below.
    assert _rows(export.content)[-1][0].startswith("导出人：")
    assert "2026年卫生专业技术资格考试报考条件（第1版）.xlsx" in unquote(
        export["Content-Disposition"]
    )

    def edit(rows):
        next(row for row in rows if row[0] == "levels.3.本科.years")[1] = 5

    upload = io.BytesIO(_edited(export.content, edit))
    upload.name = "报考条件.xlsx"
    started = province_client.post(_url("import", rule_set), {"file": upload})
    # The same preview job as the form's input.
    job = Job.objects.get()
    preview_url = reverse("admin:exam_eligibilityruleset_preview", args=[rule_set.pk, job.pk])
    assert started.status_code == 302 and started["Location"] == preview_url
    assert job.kind == Job.Kind.RULES_PREVIEW
    assert job.params["rules"]["levels"]["3"]["本科"]["years"] == 5
    assert job.params["base_version"] == 1
    rules_preview_job_run(job.pk)
    html = province_client.get(preview_url).content.decode()
    assert 'id="preview-counts"' in html and "规则：第 1 版 → 已修改" in html
    assert f'action="{preview_url}"' in html  # 确认保存 goes the usual way
    rule_set.refresh_from_db()
    assert rule_set.version == 1 and Job.objects.count() == 1  # nothing saved yet

    saved = province_client.post(preview_url, {"_save": "1"})
    assert saved.status_code == 302
    rule_set.refresh_from_db()
    assert rule_set.version == 2 and rule_set.rules["levels"]["3"]["本科"]["years"] == 5


def _export_edited(edit):
    return lambda rule_set: _edited(rule_set_xlsx_export(rule_set=rule_set), edit)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (lambda _: b"%PDF-1.4 not a workbook", "它不是 Excel 工作簿"),
        (
            lambda _: write_workbook(["姓名", "身份证号"], [["王芳", "1"]]),
            "第 1 行应为表头“路径、值、来源”",
        ),
        (_export_edited(_wrong_type), "值应为整数，现为“四年”"),
        (_export_edited(_missing), "文件缺少 1 行：levels.2.大专.years"),
        (_export_edited(_unknown), "路径“levels.1.本科.years”不是本规则中的项"),
    ],
)
def test_a_hostile_upload_is_refused_in_chinese(province_client, health_project, content, message):
    rule_set = rule_set_ensure(project=health_project)
    upload = io.BytesIO(content(rule_set))
    upload.name = "报考条件.xlsx"
    page = province_client.post(_url("import", rule_set), {"file": upload})
    assert page.status_code == 302 and page.url == _url("change", rule_set)
    shown = [str(m) for m in get_messages(page.wsgi_request)]
    assert len(shown) == 1 and shown[0].startswith("导入失败：") and message in shown[0]
    assert message in province_client.get(page.url).content.decode()  # shown on the page
    rule_set.refresh_from_db()
    assert rule_set.version == 1 and not Job.objects.exists()


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    province_client, health_project, settings
):
    settings.IMPORT_MAX_UPLOAD_MB = 0
    rule_set = rule_set_ensure(project=health_project)
    upload = io.BytesIO(rule_set_xlsx_export(rule_set=rule_set))
    upload.name = "报考条件.xlsx"
    page = province_client.post(_url("import", rule_set), {"file": upload})
    shown = [str(m) for m in get_messages(page.wsgi_request)]
    assert page.status_code == 302 and len(shown) == 1 and "超过了导入文件的上限" in shown[0]
    assert EligibilityRuleSet.objects.get().version == 1 and not Job.objects.exists()


@pytest.mark.django_db
def test_rules_the_kind_refuses_come_back_to_the_form(province_client, health_project):
    rule_set = rule_set_ensure(project=health_project)

    def edit(rows):
        next(row for row in rows if row[0] == "levels.3.本科.years")[1] = -3

    upload = io.BytesIO(_edited(rule_set_xlsx_export(rule_set=rule_set), edit))
    upload.name = "报考条件.xlsx"
    page = province_client.post(_url("import", rule_set), {"file": upload})
    assert page.status_code == 200 and 'id="rule_set_form"' in page.content.decode()
    assert "导入失败：" in page.content.decode()
    shown = [str(m) for m in get_messages(page.wsgi_request)]
    assert len(shown) == 1 and shown[0].startswith("导入失败：")
    assert EligibilityRuleSet.objects.get().version == 1 and not Job.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("account", ["unit_a", "county_jiangan", "city_wuhan"])
def test_others_are_refused(client, reviewers, health_project, account):
    rule_set = rule_set_ensure(project=health_project)
    client.force_login(reviewers[account])
    assert client.get(_url("export", rule_set)).status_code == 403
    assert export_post(client, _url("export", rule_set)).status_code == 403
    upload = io.BytesIO(rule_set_xlsx_export(rule_set=rule_set))
    upload.name = "报考条件.xlsx"
    assert client.post(_url("import", rule_set), {"file": upload}).status_code == 403
    assert EligibilityRuleSet.objects.get().version == 1 and not Job.objects.exists()
