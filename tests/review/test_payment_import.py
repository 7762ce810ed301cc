"""缴费状态导入 (provincial staff) through the real admin URLs: every row goes through
`application_set_payment`; one wrong row writes nothing; a re-import is 未变化."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.imports.base import CSV_ENCODING_MESSAGE
from core.masking import mask_id_number
from core.models import AuditLogEntry
from exam.models import PaymentStatus
from people.models import ImportLog
from review import services
from tests.builders import advance_to, submitted, superuser, work_in
from tests.exports import export_post, grant_full_id
from tests.review.import_helpers import (
    XLSX_TYPE,
    bad_checksum,
    confirm,
    csv_upload,
    header_and_rows,
    preview,
    resident_id,
    xlsx_upload,
)
from tests.review.scenario import UNIT_A

MODEL = "review_paymentapplication"
COLUMNS = ["姓名", "证件号码", "考试项目", "缴费状态"]
PAYMENT_LOG = "application.payment_changed"


def _preview(client, upload):
    return preview(client, MODEL, upload, resource="0")


def _row(application, status, **overrides):
    row = {
        "姓名": application.candidate.name,
        "证件号码": application.candidate.id_number,
        "考试项目": application.project.name,
        "缴费状态": status,
        **overrides,
    }
    return [row[c] for c in COLUMNS]


def _set(application, status):
    return services.application_set_payment(
        actor=superuser(), application=application, status=status
    )


def _snapshot(applications):
    state = {}
    for application in applications:
        application.refresh_from_db()
        state[application.pk] = (
            application.payment_status,
            AuditLogEntry.objects.about(application).filter(action=PAYMENT_LOG).count(),
        )
    return state


@pytest.fixture
def at_province(tree, reviewers, health_project):
    """Five applications reported up to the province, in different payment states."""
    unit = tree[UNIT_A]
    apps = {key: advance_to(submitted(health_project, unit), "province") for key in range(5)}
    _set(apps[1], PaymentStatus.PAID)
    _set(apps[2], PaymentStatus.PAID)
    return {
        "unpaid": apps[0],
        "paid": apps[1],
        "paid_to_refund": apps[2],
        "unpaid_2": apps[3],
        "unpaid_3": apps[4],
    }


def _good_rows(apps):
    return [
        COLUMNS,
        _row(apps["unpaid"], "已缴费"),  # 待缴费 → 已缴费
        _row(apps["paid_to_refund"], "已退费"),  # 已缴费 → 已退费
        _row(apps["paid"], "已缴费"),  # already paid: 未变化
        _row(apps["unpaid_2"], "待缴费"),  # still unpaid: 未变化
    ]


def test_good_file_preview_then_apply(client, reviewers, tree, at_province):
    user = reviewers["province"]
    client.force_login(user)
    before = _snapshot(at_province.values())

    result = _preview(client, xlsx_upload(_good_rows(at_province), "缴费名单.xlsx"))
    assert result.problems == []
    assert result.counts == {"new": 0, "update": 2, "skip": 2, "error": 0}
    assert _snapshot(at_province.values()) == before  # the preview wrote nothing

    response = confirm(client, MODEL, result)
    assert response.status_code == 302
    assert response["Location"] == reverse(f"admin:{MODEL}_changelist")
    after = _snapshot(at_province.values())
    assert after[at_province["unpaid"].pk] == (PaymentStatus.PAID, 1)
    assert after[at_province["paid_to_refund"].pk] == (PaymentStatus.REFUNDED, 2)
    for key in ("paid", "unpaid_2", "unpaid_3"):
        assert after[at_province[key].pk] == before[at_province[key].pk], key
    log = AuditLogEntry.objects.about(at_province["unpaid"]).filter(action=PAYMENT_LOG).get()
    assert (log.actor, log.from_state, log.to_state) == (user, "unpaid", "paid")
    assert log.institution_id == tree["420000"].pk

    imported = ImportLog.objects.get()
    assert (imported.importer, imported.outcome, imported.actor) == (
        "payments",
        ImportLog.Outcome.APPLIED,
        user,
    )
    assert (imported.updated_count, imported.unchanged_count, imported.error_count) == (2, 2, 0)
    assert imported.file_name == "缴费名单.xlsx"


def test_reimport_is_unchanged(client, reviewers, at_province):
    client.force_login(reviewers["province"])
    confirm(client, MODEL, _preview(client, xlsx_upload(_good_rows(at_province))))
    after_first = _snapshot(at_province.values())
    again = _preview(client, xlsx_upload(_good_rows(at_province)))
    assert again.problems == []
    assert again.counts == {"new": 0, "update": 0, "skip": 4, "error": 0}
    confirm(client, MODEL, again)
    assert _snapshot(at_province.values()) == after_first


def test_a_file_with_every_kind_of_wrong_row_writes_nothing(
    client, reviewers, tree, health_project, tcm_project, at_province
):
    not_at_province = submitted(health_project, tree[UNIT_A])
    more = [advance_to(submitted(health_project, tree[UNIT_A]), "province") for _ in range(3)]
    unknown = resident_id("42010219900101991")  # checksum-valid, nobody has it
    malformed = bad_checksum(at_province["unpaid_3"].candidate.id_number)
    apps = at_province
    rows = [
        COLUMNS,
        _row(apps["unpaid"], "已缴费"),  # 2: fine on its own, but the file fails
        _row(apps["unpaid_2"], "已退费"),  # 3: 待缴费 → 已退费 is not allowed
        _row(apps["paid"], "待缴费"),  # 4: cannot go back to 待缴费
        _row(apps["unpaid_3"], "已缴费", **{"证件号码": unknown}),  # 5: no such candidate
        _row(apps["unpaid_3"], "已缴费", **{"证件号码": malformed}),  # 6: bad checksum
        _row(apps["unpaid_3"], "已缴费", **{"证件号码": 4.20102199001011e17}),  # 7: Excel
        _row(apps["unpaid_3"], "已缴费", **{"证件号码": "4.20102199001011E+17"}),  # 8: Excel
        _row(apps["paid_to_refund"], "已退费"),  # 9: the same application twice …
        _row(apps["paid_to_refund"], "已退费"),  # 10: … here again
        _row(more[0], "已付款"),  # 11: unknown status
        _row(apps["unpaid_3"], "已缴费", **{"考试项目": "2025年卫生专业技术资格考试"}),  # 12
        _row(not_at_province, "已缴费"),  # 13: not reported up to the province yet
        _row(more[1], "已缴费", **{"姓名": "张冠李戴"}),  # 14: name mismatch
        _row(more[2], ""),  # 15: status missing
        _row(apps["unpaid_3"], "已缴费", **{"考试项目": tcm_project.name}),  # 16: other project
    ]
    everything = [*apps.values(), not_at_province, *more]
    before = _snapshot(everything)
    client.force_login(work_in(reviewers["province"], health_project))

    result = _preview(client, xlsx_upload(rows))
    assert not result.can_confirm
    problems = result.problems
    project = health_project.name
    id_3 = apps["unpaid_3"].candidate.id_number
    expected = [
        "第 3 行“缴费状态”列：缴费状态为“待缴费”，不能改为“已退费”。",
        "第 4 行“缴费状态”列：缴费状态为“已缴费”，不能改回“待缴费”。",
        f"第 5 行“证件号码”列：未找到证件号码为“{unknown}”的考生在“{project}”中的申报（或该申报尚未上报至省级）。",
        f"第 6 行“证件号码”列：证件号码“{malformed}”无效：居民身份证号码校验位错误，请逐位核对。",
        "第 7 行“证件号码”列：证件号码“4.20102199001011e+17”被 Excel 转成了数字，末几位已丢失。请把该列设置为“文本”格式后重新填写。",
        "第 8 行“证件号码”列：证件号码“4.20102199001011E+17”被 Excel 转成了数字，末几位已丢失。请把该列设置为“文本”格式后重新填写。",
        "第 9 行“证件号码”列：文件中第 10 行的证件号码、考试项目与本行相同，同一记录只能出现一次。",
        "第 10 行“证件号码”列：文件中第 9 行的证件号码、考试项目与本行相同，同一记录只能出现一次。",
        "第 11 行“缴费状态”列：“已付款”不是可填写的缴费状态，请填写“已缴费”或“已退费”。",
        f"第 13 行“证件号码”列：未找到证件号码为“{not_at_province.candidate.id_number}”的考生在“{project}”中的申报（或该申报尚未上报至省级）。",
        f"第 14 行“姓名”列：姓名“张冠李戴”与证件号码对应的考生（{more[1].candidate.name}）不一致。",
        "第 15 行“缴费状态”列：缴费状态不能为空，请填写“已缴费”或“已退费”。",
        f"第 16 行“证件号码”列：未找到证件号码为“{id_3}”的考生在“{tcm_project.name}”中的申报（或该申报尚未上报至省级）。",
    ]
    for message in expected:
        assert message in problems, (message, problems)
    row_12 = [p for p in problems if p.startswith("第 12 行")]
    assert len(row_12) == 1 and row_12[0].startswith(
        "第 12 行“考试项目”列：未找到考试项目“2025年卫生专业技术资格考试”。请填写考试项目名称，如"
    )
    assert project in row_12[0]
    assert len(problems) == len(expected) + 1, "\n".join(problems)
    assert not any(p.startswith("第 2 行") for p in problems)
    assert _snapshot(everything) == before
    refused = ImportLog.objects.get()
    assert refused.outcome == ImportLog.Outcome.REFUSED and refused.error_count == 14


def test_project_by_year_and_kind(client, reviewers, at_province):
    client.force_login(reviewers["province"])
    rows = [
        COLUMNS,
        _row(at_province["unpaid"], "已缴费", **{"考试项目": "2026 年 卫生专业技术资格考试"}),
    ]
    result = _preview(client, xlsx_upload(rows))
    assert result.problems == [] and result.counts["update"] == 1


def test_only_provincial_staff(client, reviewers, at_province):
    urls = [
        reverse(f"admin:{MODEL}_changelist"),
        reverse(f"admin:{MODEL}_import"),
        reverse(f"admin:{MODEL}_import_template"),
        reverse(f"admin:{MODEL}_export"),
    ]
    before = _snapshot(at_province.values())
    for username in ("unit_a", "county_jiangan", "city_wuhan"):
        client.force_login(reviewers[username])
        for url in urls:
            assert client.get(url).status_code == 403, (username, url)
        response = client.post(
            reverse(f"admin:{MODEL}_import"),
            {"resource": "0", "import_file": xlsx_upload(_good_rows(at_province))},
        )
        assert response.status_code == 403
        response = client.post(
            reverse(f"admin:{MODEL}_process_import"),
            {"import_file_name": "x", "original_file_name": "x.xlsx", "format": "0"},
        )
        assert response.status_code == 403
        html = client.get(reverse("admin:review_reviewapplication_changelist")).content.decode()
        assert reverse(f"admin:{MODEL}_changelist") not in html  # not in the sidebar
    assert _snapshot(at_province.values()) == before
    assert not ImportLog.objects.exists()

    client.force_login(reviewers["province"])
    page = client.get(reverse(f"admin:{MODEL}_changelist"), {"payment": "paid"})
    assert page.status_code == 200
    assert {a.pk for a in page.context["cl"].result_list} == {
        at_province["paid"].pk,
        at_province["paid_to_refund"].pk,
    }
    html = page.content.decode()
    assert "缴费状态" in html and reverse(f"admin:{MODEL}_import") in html
    assert "导入缴费状态" in client.get(reverse(f"admin:{MODEL}_import")).content.decode()


def test_export_round_trip(client, reviewers, at_province):
    """The payment import matches on 证件号码: its round trip needs the full numbers, which
    a holder of 导出完整证件号码 asks for; by default the export is masked."""
    client.force_login(reviewers["province"])
    id_column = COLUMNS.index("证件号码")
    masked = export_post(client, reverse(f"admin:{MODEL}_export"))
    assert {r[id_column].value for r in header_and_rows(masked)[1]} == {
        mask_id_number(a.candidate.id_number) for a in at_province.values()
    }
    grant_full_id(reviewers["province"])
    response = export_post(client, reverse(f"admin:{MODEL}_export"), full_id=True)
    assert response.status_code == 200 and ".xlsx" in response["Content-Disposition"]
    headers, rows = header_and_rows(response)
    assert headers == COLUMNS
    assert {r[id_column].value for r in rows} == {
        a.candidate.id_number for a in at_province.values()
    }
    assert all(r[id_column].data_type == "s" for r in rows)
    # The exported list imported back unchanged: every row 未变化 (待缴费 included).
    result = _preview(
        client, SimpleUploadedFile("缴费状态.xlsx", response.content, content_type=XLSX_TYPE)
    )
    assert result.problems == []
    assert result.counts == {"new": 0, "update": 0, "skip": 5, "error": 0}


def test_template(client, reviewers):
    client.force_login(reviewers["province"])
    response = client.get(reverse(f"admin:{MODEL}_import_template"))
    assert response.status_code == 200
    headers, rows = header_and_rows(response)
    assert headers == COLUMNS
    assert rows[0][COLUMNS.index("证件号码")].data_type == "s"
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert "填写说明" in book.sheetnames


def test_gb18030_csv(client, reviewers, at_province):
    client.force_login(reviewers["province"])
    rows = [COLUMNS, _row(at_province["unpaid"], "已缴费")]
    result = _preview(client, csv_upload(rows, "缴费.csv", encoding="gb18030"))
    assert result.problems == [] and result.counts["update"] == 1
    confirm(client, MODEL, result)
    at_province["unpaid"].refresh_from_db()
    assert at_province["unpaid"].payment_status == PaymentStatus.PAID


def test_a_csv_in_another_encoding_is_refused(client, reviewers, at_province):
    client.force_login(reviewers["province"])
    rows = [COLUMNS, _row(at_province["unpaid"], "已缴费")]
    response = _preview(client, csv_upload(rows, "缴费.csv", encoding="utf-16")).response
    assert response.context["form"].errors["import_file"] == [CSV_ENCODING_MESSAGE]
    at_province["unpaid"].refresh_from_db()
    assert at_province["unpaid"].payment_status == PaymentStatus.UNPAID
