"""审核结果导入 (the guide's offline review) through the real admin URLs.

A reviewer exports the 报名材料审核 list, fills 审核状态 / 审核备注 and imports the file: every
row goes through `tier_review_decide` as that reviewer; one wrong row writes nothing."""

import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.imports.base import CSV_ENCODING_MESSAGE
from core.masking import mask_id_number
from core.models import AuditLogEntry
from exam.eligibility.outcomes import Outcome
from exam.models import Application, EligibilityResult, TierReview
from exam.models.applications import ReviewStatus
from people.models import ImportLog
from people.services import reviewer_add
from tests.builders import advance_to, decide, new_application, store_eligibility, submitted
from tests.exports import export_post, without_footer
from tests.review.import_helpers import (
    XLSX_TYPE,
    confirm,
    csv_upload,
    header_and_rows,
    preview,
    xlsx_upload,
)
from tests.review.scenario import UNIT_A, UNIT_B

MODEL = "review_reviewapplication"
COLUMNS = ["申报编号", "姓名", "证件号码", "审核状态", "审核备注"]


def _preview(client, upload):
    # `resource` is what the browser's form always sends with the file.
    return preview(client, MODEL, upload, resource="0")


def _row(application, decision, remark="", **overrides):
    row = {
        "申报编号": application.pk,
        "姓名": application.candidate.name,
        "证件号码": application.candidate.id_number,
        "审核状态": decision,
        "审核备注": remark,
        **overrides,
    }
    return [row[c] for c in COLUMNS]


def _snapshot(applications):
    """Everything an import could write for these applications."""
    state = {}
    for application in applications:
        application.refresh_from_db()
        state[application.pk] = (
            application.status,
            application.unit_review_status,
            application.county_review_status,
            sorted(
                TierReview.objects.filter(application=application).values_list(
                    "tier", "status", "remark", "decided_by_id"
                )
            ),
            AuditLogEntry.objects.about(application).count(),
        )
    return state


@pytest.fixture
def unit_a_apps(tree, reviewers, health_project):
    unit = tree[UNIT_A]
    return {
        "approve": submitted(health_project, unit),
        "defer": submitted(health_project, unit),
        "return": submitted(health_project, unit),
        "reject": submitted(health_project, unit),
        "untouched": submitted(health_project, unit),
    }


def _good_rows(apps):
    return [
        COLUMNS,
        _row(apps["approve"], "审核通过"),
        _row(apps["defer"], "暂不审核", "等待学历核验结果"),
        _row(apps["return"], "允许修改", "学历证书照片不清晰，请重新上传。"),
        _row(apps["reject"], "审核不通过", "不符合报考条件。"),
        _row(apps["untouched"], ""),
    ]


# --- the good file ------------------------------------------------------------------------------


def test_good_file_preview_then_apply(client, reviewers, tree, unit_a_apps):
    user = reviewers["unit_a"]
    client.force_login(user)
    before = _snapshot(unit_a_apps.values())

    result = _preview(client, xlsx_upload(_good_rows(unit_a_apps), "审核结果.xlsx"))
    assert result.status_code == 200
    assert result.problems == []
    assert result.counts == {"new": 0, "update": 4, "skip": 1, "error": 0}
    assert result.can_confirm
    # The preview ran the real services and rolled them back: nothing is written yet.
    assert _snapshot(unit_a_apps.values()) == before
    assert not ImportLog.objects.exists()
    html = result.response.content.decode()
    assert "确认导入" in html and "未变化" in html

    response = confirm(client, MODEL, result)
    assert response.status_code == 302
    assert response["Location"] == reverse(f"admin:{MODEL}_changelist")

    expected = {
        "approve": (Application.Status.IN_REVIEW, ReviewStatus.APPROVED, "review.approved"),
        "defer": (Application.Status.IN_REVIEW, ReviewStatus.DEFERRED, "review.deferred"),
        "return": (Application.Status.RETURNED, ReviewStatus.RETURNED, "review.returned"),
        "reject": (Application.Status.REJECTED, ReviewStatus.REJECTED, "review.rejected"),
    }
    remarks = {row[0]: row[4] for row in _good_rows(unit_a_apps)[1:]}
    for key, (status, review_status, action) in expected.items():
        application = unit_a_apps[key]
        application.refresh_from_db()
        assert application.status == status, key
        assert application.unit_review_status == review_status, key
        review = TierReview.objects.get(application=application, tier="unit")
        assert review.decided_by == user and review.remark == remarks[application.pk]
        # One log row per decision, in the importing reviewer's name.
        new_logs = AuditLogEntry.objects.about(application).exclude(
            action__startswith="application."
        )
        assert [(log.action, log.actor_id, log.tier, log.remark) for log in new_logs] == [
            (action, user.pk, "unit", remarks[application.pk])
        ]
    assert _snapshot([unit_a_apps["untouched"]]) == {
        unit_a_apps["untouched"].pk: before[unit_a_apps["untouched"].pk]
    }

    log = ImportLog.objects.get()
    assert (log.importer, log.outcome, log.actor, log.institution) == (
        "review_decisions",
        ImportLog.Outcome.APPLIED,
        user,
        tree[UNIT_A],
    )
    assert (log.new_count, log.updated_count, log.unchanged_count, log.error_count) == (0, 4, 1, 0)
    assert log.file_name == "审核结果.xlsx" and len(log.sha256) == 64


def test_reimporting_the_same_decisions_decides_nothing_twice(client, reviewers, unit_a_apps):
    client.force_login(reviewers["unit_a"])
    confirm(client, MODEL, _preview(client, xlsx_upload(_good_rows(unit_a_apps))))
    after_first = _snapshot(unit_a_apps.values())

    again = _preview(client, xlsx_upload(_good_rows(unit_a_apps)))
    # Decisions this reviewer already recorded, with the same remark: 未变化, not refused.
    assert again.problems == []
    assert again.counts == {"new": 0, "update": 0, "skip": 5, "error": 0}
    assert confirm(client, MODEL, again).status_code == 302
    assert _snapshot(unit_a_apps.values()) == after_first
    assert list(
        ImportLog.objects.order_by("pk").values_list("updated_count", "unchanged_count")
    ) == [
        (4, 1),
        (0, 5),
    ]


def test_an_approval_reported_up_since_is_still_unchanged(client, reviewers, tree, unit_a_apps):
    from review import services

    client.force_login(reviewers["unit_a"])
    rows = [COLUMNS, _row(unit_a_apps["approve"], "审核通过")]
    confirm(client, MODEL, _preview(client, xlsx_upload(rows)))
    services.institution_report(business=None, actor=reviewers["unit_a"], institution=tree[UNIT_A])
    again = _preview(client, xlsx_upload(rows))
    assert again.problems == [] and again.counts["skip"] == 1


def test_the_same_decision_by_a_colleague_is_refused_not_repeated(
    client, reviewers, tree, unit_a_apps
):
    colleague = reviewer_add(institution=tree[UNIT_A], username="unit_a_colleague", password="x")
    decide(unit_a_apps["approve"], "approve", actor=colleague)
    before = _snapshot(unit_a_apps.values())
    client.force_login(reviewers["unit_a"])
    result = _preview(client, xlsx_upload(_good_rows(unit_a_apps)))
    assert result.problems == [
        "第 2 行“审核状态”列：当前审核状态为“审核通过”，不能改为“审核通过”。"
    ]
    assert not result.can_confirm
    assert _snapshot(unit_a_apps.values()) == before


# --- every kind of wrong row ----------------------------------------------------------------------


def test_a_file_with_every_kind_of_wrong_row_writes_nothing(
    client, reviewers, tree, health_project, unit_a_apps
):
    unit_a = tree[UNIT_A]
    draft = new_application(health_project, unit_a)
    at_county = advance_to(submitted(health_project, unit_a), "county")
    decided = decide(submitted(health_project, unit_a), "reject")  # by someone else, final
    other_unit = submitted(health_project, tree[UNIT_B])
    excel_number = submitted(health_project, unit_a)
    wrong_id = submitted(health_project, unit_a)
    wrong_name = submitted(health_project, unit_a)
    stale = submitted(health_project, unit_a)
    everything = [*unit_a_apps.values(), draft, at_county, decided, other_unit, excel_number]
    everything += [wrong_id, wrong_name, stale]
    apps = unit_a_apps
    header = [*COLUMNS, "单位审核状态"]

    def row(application, decision, remark="", seen="待审核", **overrides):
        return [*_row(application, decision, remark, **overrides), seen]

    rows = [
        header,
        row(apps["approve"], "审核通过"),  # 2: fine on its own, but the file fails
        row(other_unit, "审核通过"),  # 3: another unit's candidate
        row(at_county, "审核通过", seen="已上报"),  # 4: no longer at this tier
        row(draft, "审核通过"),  # 5: not submitted
        row(decided, "审核通过", seen="审核不通过"),  # 6: already decided (rejected)
        row(apps["return"], "允许修改"),  # 7: remark missing
        row(apps["reject"], "审核不通过", "  "),  # 8: remark missing (blank)
        row(apps["defer"], "通过"),  # 9: unknown status text
        row(apps["untouched"], "暂不审核"),  # 10: the same application twice …
        row(apps["untouched"], "审核通过"),  # 11: … here again
        [999999, "", "", "审核通过", "", ""],  # 12: no such application
        ["abc", "", "", "审核通过", "", ""],  # 13: not a number
        row(excel_number, "审核通过", **{"证件号码": 4.20102199001011e17}),  # 14: Excel-mangled
        row(wrong_id, "审核通过", **{"证件号码": other_unit.candidate.id_number}),  # 15
        row(wrong_name, "审核通过", **{"姓名": "张冠李戴"}),  # 16: shifted rows
        row(stale, "审核通过"),  # 17: a colleague deferred it after the export
    ]
    decide(stale, "defer")
    before = _snapshot(everything)
    client.force_login(reviewers["unit_a"])

    result = _preview(client, xlsx_upload(rows))
    assert not result.can_confirm
    problems = result.problems
    expected = [
        f"第 3 行“申报编号”列：申报编号“{other_unit.pk}”不存在，或该申报不在您的审核范围内。",
        "第 4 行“审核状态”列：本级已上报，该申报当前在江岸区卫生健康局审核。",
        "第 5 行“审核状态”列：考生尚未提交，不能审核。",
        "第 6 行“审核状态”列：该申报已审核不通过，不能再审核。",
        "第 7 行“审核备注”列：选择“允许修改”时必须填写审核备注。",
        "第 8 行“审核备注”列：选择“审核不通过”时必须填写审核备注。",
        "第 9 行“审核状态”列：“通过”不是可填写的审核状态。请填写审核通过、暂不审核、允许修改、审核不通过之一，不审核的行请留空。",
        "第 10 行“申报编号”列：文件中第 11 行的申报编号与本行相同，同一记录只能出现一次。",
        "第 11 行“申报编号”列：文件中第 10 行的申报编号与本行相同，同一记录只能出现一次。",
        "第 12 行“申报编号”列：申报编号“999999”不存在，或该申报不在您的审核范围内。",
        "第 13 行“申报编号”列：申报编号“abc”不是有效的编号。请不要修改导出文件中的“申报编号”列。",
        "第 14 行“证件号码”列：证件号码“4.20102199001011e+17”被 Excel 转成了数字，末几位已丢失。请把该列设置为“文本”格式后重新填写。",
        f"第 15 行“证件号码”列：证件号码“{other_unit.candidate.id_number}”与申报编号 {wrong_id.pk} 的考生不一致，请核对是否错行。",
        f"第 16 行“姓名”列：姓名“张冠李戴”与申报编号 {wrong_name.pk} 的考生（{wrong_name.candidate.name}）不一致，请核对是否错行。",
        "第 17 行“单位审核状态”列：导出后本级审核状态已由“待审核”变为“暂不审核”（可能已被他人处理或考生已重新提交），本行未导入。请重新导出后再填写。",
    ]
    for message in expected:
        assert message in problems, (message, problems)
    assert len(problems) == len(expected), problems
    assert not any(p.startswith("第 2 行") for p in problems)
    assert result.counts["error"] == 15
    assert _snapshot(everything) == before
    refused = ImportLog.objects.get()
    assert refused.outcome == ImportLog.Outcome.REFUSED and refused.error_count == 15

    # The problem table on the page names row, column and reason.
    html = result.response.content.decode()
    assert "第 7 行" in html and "审核备注" in html and "必须填写审核备注" in html
    assert 'id="confirm-import"' not in html


def test_a_row_failing_while_applying_rolls_back_every_row(client, reviewers, unit_a_apps):
    """Between preview and confirm a colleague decides one row: the confirmed import fails
    on that row and the rows before it are undone too (all or nothing)."""
    client.force_login(reviewers["unit_a"])
    result = _preview(client, xlsx_upload(_good_rows(unit_a_apps)))
    assert result.can_confirm
    decide(unit_a_apps["reject"], "approve")  # someone else, after the preview
    before = _snapshot(unit_a_apps.values())
    response = confirm(client, MODEL, result)
    assert response.status_code == 200
    assert _snapshot(unit_a_apps.values()) == before
    assert "没有写入任何数据" in response.content.decode()
    assert [str(p) for p in response.context["problems"]] == [
        "第 5 行“审核状态”列：当前审核状态为“审核通过”，不能改为“审核不通过”。"
    ]
    assert list(ImportLog.objects.values_list("outcome", flat=True)) == [ImportLog.Outcome.REFUSED]


def test_tcm_approval_at_the_county_needs_onsite_confirmation(client, reviewers, tree, tcm_project):
    application = submitted(tcm_project, tree["420102"], track="apprenticeship")
    client.force_login(reviewers["county_jiangan"])
    rows = [COLUMNS, _row(application, "审核通过")]
    result = _preview(client, xlsx_upload(rows))
    assert result.problems == [
        "第 2 行“审核状态”列：中医医术确有专长申报须先由区县卫健局完成现场确认，才能审核通过。"
    ]


# --- scope and permission --------------------------------------------------------------------------


def test_another_unit_cannot_decide_unit_as_applications(client, reviewers, unit_a_apps):
    before = _snapshot(unit_a_apps.values())
    client.force_login(reviewers["unit_b"])
    result = _preview(client, xlsx_upload(_good_rows(unit_a_apps)))
    assert not result.can_confirm
    decided = [unit_a_apps[k] for k in ("approve", "defer", "return", "reject")]
    assert result.problems == [
        f"第 {n} 行“申报编号”列：申报编号“{a.pk}”不存在，或该申报不在您的审核范围内。"
        for n, a in enumerate(decided, start=2)
    ]
    # The row without a decision is 未变化 whatever it names.
    assert result.counts == {"new": 0, "update": 0, "skip": 1, "error": 4}
    assert _snapshot(unit_a_apps.values()) == before
    log = ImportLog.objects.get()
    assert log.outcome == ImportLog.Outcome.REFUSED and log.actor == reviewers["unit_b"]


def test_the_county_decides_at_its_own_tier(client, reviewers, tree, health_project):
    at_county = advance_to(submitted(health_project, tree[UNIT_A]), "county")
    at_unit = submitted(health_project, tree[UNIT_A])  # the county cannot see it yet
    client.force_login(reviewers["county_jiangan"])
    rows = [COLUMNS, _row(at_county, "审核通过"), _row(at_unit, "审核通过")]
    result = _preview(client, xlsx_upload(rows))
    assert result.problems == [
        f"第 3 行“申报编号”列：申报编号“{at_unit.pk}”不存在，或该申报不在您的审核范围内。"
    ]
    result = _preview(client, xlsx_upload(rows[:2]))
    confirm(client, MODEL, result)
    at_county.refresh_from_db()
    assert at_county.county_review_status == ReviewStatus.APPROVED
    assert at_county.unit_review_status == ReviewStatus.REPORTED


def test_import_pages_need_the_review_permission(client, reviewers, apps):
    url = reverse(f"admin:{MODEL}_import")
    template = reverse(f"admin:{MODEL}_import_template")
    staff = get_user_model().objects.create_user("staff_only", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 403
    assert client.get(template).status_code == 403
    assert client.post(url, {"resource": "0"}).status_code == 403
    client.force_login(apps["a_pending"].candidate.user)
    assert client.get(url).status_code == 302  # candidates are sent to the admin login
    client.force_login(reviewers["unit_a"])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "导入审核结果" in html and "离线审核" in html and "导出本级待审核名单" in html
    changelist = client.get(reverse(f"admin:{MODEL}_changelist")).content.decode()
    assert url in changelist  # the 导入 button beside 导出


def test_template_download(client, reviewers):
    client.force_login(reviewers["unit_a"])
    response = client.get(reverse(f"admin:{MODEL}_import_template"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX_TYPE
    headers, rows = header_and_rows(response)
    assert headers == COLUMNS
    assert rows[0][COLUMNS.index("证件号码")].data_type == "s"


# --- the offline workflow: export, fill in, import -------------------------------------------------


def test_exported_list_filled_in_and_imported_back(client, reviewers, apps):
    from tests.review.test_admin_review import EXPORT_HEADERS

    client.force_login(reviewers["unit_a"])
    response = export_post(client, reverse(f"admin:{MODEL}_export"), {"scope": "subtree"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    assert headers == EXPORT_HEADERS
    assert headers[0] == "申报编号" and headers[-2:] == ["审核状态", "审核备注"]
    col = {name: i for i, name in enumerate(headers)}
    # The 导出人 footer stays in the file that goes back: the import ignores it.
    body = without_footer(list(sheet.iter_rows(min_row=2)))
    assert all(r[col["证件号码"]].data_type == "s" for r in body)
    # Masked by default: the round trip matches on 申报编号, the masked number still checks.
    assert {r[col["证件号码"]].value for r in body} == {
        mask_id_number(apps[k].candidate.id_number)
        for k in ("a_draft", "a_pending", "a_at_county", "a_at_city", "a_at_province")
    }
    assert all(r[col["审核状态"]].value in (None, "") for r in body)
    by_pk = {r[col["申报编号"]].value: r for r in body}
    assert set(by_pk) == {
        apps[k].pk for k in ("a_draft", "a_pending", "a_at_county", "a_at_city", "a_at_province")
    }

    # The reviewer decides the one pending application and leaves the others empty.
    target = by_pk[apps["a_pending"].pk]
    target[col["审核状态"]].value = "允许修改"
    target[col["审核备注"]].value = "请补充专技职称证书。"
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("报名材料审核_已填写.xlsx", buffer.getvalue(), XLSX_TYPE)

    result = _preview(client, upload)
    assert result.problems == []
    assert result.counts == {"new": 0, "update": 1, "skip": 4, "error": 0}
    confirm(client, MODEL, result)
    application = apps["a_pending"]
    application.refresh_from_db()
    assert application.status == Application.Status.RETURNED
    assert (
        TierReview.objects.get(application=application, tier="unit").remark
        == "请补充专技职称证书。"
    )


def _stored_eligibility() -> list[tuple]:
    return list(
        EligibilityResult.objects.order_by("application_id").values_list(
            "application_id", "outcome", "computed_outcome", "override_outcome", "override_remark"
        )
    )


@pytest.mark.parametrize("layout", ["exported", "edited", "without"])
def test_the_eligibility_column_is_read_by_nobody(client, reviewers, apps, layout):
    """报考条件 is information: a file with it (as exported, or with its cells changed) and
    a file exported before the column existed import the same decisions, and no stored
    result changes."""
    from tests.review.test_admin_review import EXPORT_HEADERS

    store_eligibility(apps["a_pending"], Outcome.INELIGIBLE)
    store_eligibility(apps["a_at_county"], Outcome.MANUAL, override=Outcome.ELIGIBLE)
    stored = _stored_eligibility()
    client.force_login(reviewers["unit_a"])
    response = export_post(client, reverse(f"admin:{MODEL}_export"), {"scope": "subtree"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    column = EXPORT_HEADERS.index("报考条件")
    data_rows = without_footer(list(sheet.iter_rows(min_row=2)))
    cells = {r[0].value: r[column].value for r in data_rows}
    assert cells[apps["a_pending"].pk] == "不符合"
    assert cells[apps["a_at_county"].pk] == "符合（人工认定）"
    assert cells[apps["a_draft"].pk] is None  # nothing stored: empty
    if layout == "edited":
        texts = ["符合", "乱填", "", "=1+1", "需人工核实（人工认定）"]
        for row, text in zip(data_rows, texts, strict=True):
            row[column].value = text
    elif layout == "without":
        sheet.delete_cols(column + 1)
        old = [h for h in EXPORT_HEADERS if h != "报考条件"]
        assert [c.value for c in sheet[1]] == old
    headers = [c.value for c in sheet[1]]
    target = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == apps["a_pending"].pk)
    target[headers.index("审核状态")].value = "允许修改"
    target[headers.index("审核备注")].value = "请补充专技职称证书。"
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("报名材料审核_已填写.xlsx", buffer.getvalue(), XLSX_TYPE)

    result = _preview(client, upload)
    assert result.problems == []
    assert result.counts == {"new": 0, "update": 1, "skip": 4, "error": 0}
    confirm(client, MODEL, result)
    apps["a_pending"].refresh_from_db()
    assert apps["a_pending"].status == Application.Status.RETURNED
    assert _stored_eligibility() == stored


def test_gb18030_csv(client, reviewers, unit_a_apps):
    client.force_login(reviewers["unit_a"])
    rows = [COLUMNS, _row(unit_a_apps["return"], "允许修改", "请补充学历证书（原件扫描）。")]
    result = _preview(client, csv_upload(rows, "审核结果.csv", encoding="gb18030"))
    assert result.problems == [] and result.counts["update"] == 1
    confirm(client, MODEL, result)
    review = TierReview.objects.get(application=unit_a_apps["return"], tier="unit")
    assert review.status == ReviewStatus.RETURNED
    assert review.remark == "请补充学历证书（原件扫描）。"


def test_a_csv_in_another_encoding_is_refused_in_chinese(client, reviewers, unit_a_apps):
    client.force_login(reviewers["unit_a"])
    before = _snapshot(unit_a_apps.values())
    rows = [COLUMNS, _row(unit_a_apps["return"], "允许修改", "请补充")]
    response = _preview(client, csv_upload(rows, "审核结果.csv", encoding="utf-16")).response
    assert response.status_code == 200
    assert response.context["form"].errors["import_file"] == [CSV_ENCODING_MESSAGE]
    assert CSV_ENCODING_MESSAGE in response.content.decode()
    assert "confirm_form" not in response.context
    assert _snapshot(unit_a_apps.values()) == before


def test_a_masked_id_number_is_checked_masked(client, reviewers, unit_a_apps):
    """The default export masks 证件号码: the import matches on 申报编号 and compares the
    masked cell with the candidate's masked number, so a shifted row is still caught."""
    client.force_login(reviewers["unit_a"])
    good = unit_a_apps["return"]
    shifted = "110101********0000"  # another region: never this unit's candidate
    rows = [
        COLUMNS,
        _row(good, "允许修改", "请重新上传。", 证件号码=mask_id_number(good.candidate.id_number)),
        _row(unit_a_apps["defer"], "暂不审核", 证件号码=shifted),
    ]
    result = _preview(client, xlsx_upload(rows, "审核结果.xlsx"))
    assert result.problems == [
        f"第 3 行“证件号码”列：证件号码“{shifted}”与申报编号 {unit_a_apps['defer'].pk} "
        "的考生不一致，请核对是否错行。"
    ]
