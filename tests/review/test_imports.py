"""Excel imports through the real admin URLs: 对比库, 医师库, 类别(专业), and the shared
machinery (template, preview counts, Chinese errors with row and column, all-or-nothing,
idempotent re-import, ImportLog, GB18030 CSV, permissions, exports with text ID cells)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse

from core.imports.base import decode_csv
from core.jobs.storage import ImportTempStorage
from core.masking import mask_id_number
from exam.models import Specialty
from people.models import ImportLog, Physician
from review.models import ReferenceRecord
from tests.exports import export_post
from tests.review.import_helpers import (
    admin_url,
    bad_checksum,
    confirm,
    csv_bytes,
    csv_upload,
    header_and_rows,
    import_file,
    preview,
    resident_id,
    sha256,
    workbook_from,
    xlsx_bytes,
    xlsx_upload,
)

pytestmark = pytest.mark.django_db

REFERENCE = "review_referencerecord"
PHYSICIANS = "people_physician"
SPECIALTIES = "exam_specialty"

ID_A = resident_id("42010219900101123")
ID_B = resident_id("42010219850315456")
ID_C = resident_id("42010219920720789")
ID_D = resident_id("42010519880808101")


@pytest.fixture
def province(client, reviewers):
    client.force_login(reviewers["province"])
    return reviewers["province"]


# --- 对比库 -----------------------------------------------------------------------------------

VIOLATION_HEADERS = ["对比库", "证件号码", "姓名", "年度", "来源", "说明", "违纪行为", "处理结果"]


def violation_rows() -> list[list]:
    return [
        VIOLATION_HEADERS,
        ["违纪考生库", ID_A, "张三", 2023, "处理名单", "2023年度携带手机", "携带手机", "成绩无效"],
        ["", ID_B, "李四", "2024", "", "2024年度替考", "替考", "两年内不得报考"],
        [None, ID_C, "王五", 2022, None, None, None, None],
    ]


class TestReferenceLibraryImport:
    def test_good_file_preview_apply_log_and_reimport(self, client, province):
        data = xlsx_bytes(violation_rows())
        result = preview(
            client, REFERENCE, SimpleUploadedFile("违纪.xlsx", data), library="violation"
        )
        assert result.status_code == 200
        assert result.problems == []
        assert result.counts == {"new": 3, "update": 0, "skip": 0, "error": 0}
        page = result.response.content.decode()
        assert "确认导入" in page and "新增" in page and "未变化" in page
        assert not ReferenceRecord.objects.filter(id_number=ID_A).exists()  # preview only

        response = confirm(client, REFERENCE, result)
        assert response.status_code == 302
        records = ReferenceRecord.objects.filter(
            library_id="violation", id_number__in=[ID_A, ID_B, ID_C]
        )
        assert records.count() == 3
        a = records.get(id_number=ID_A)
        assert (a.name, a.year, a.source, a.detail) == (
            "张三",
            2023,
            "处理名单",
            "2023年度携带手机",
        )
        assert a.extra == {"violation": "携带手机", "penalty": "成绩无效"}
        log = ImportLog.objects.get(importer="reference_records", outcome=ImportLog.Outcome.APPLIED)
        assert log.sha256 == sha256(data)
        assert (log.new_count, log.updated_count, log.unchanged_count, log.error_count) == (
            3,
            0,
            0,
            0,
        )
        assert log.actor == province and log.file_name == "违纪.xlsx"
        assert log.institution.code == "420000"

        again = preview(client, REFERENCE, xlsx_upload(violation_rows()), library="violation")
        assert again.counts == {"new": 0, "update": 0, "skip": 3, "error": 0}
        confirm(client, REFERENCE, again)
        assert records.count() == 3
        assert ImportLog.objects.filter(outcome="applied", unchanged_count=3).exists()

        changed = violation_rows()
        changed[1][2] = "张叁"
        changed[2][7] = "三年内不得报考"
        updated = preview(client, REFERENCE, xlsx_upload(changed), library="violation")
        assert updated.counts == {"new": 0, "update": 2, "skip": 1, "error": 0}
        confirm(client, REFERENCE, updated)
        assert records.get(id_number=ID_A).name == "张叁"
        assert records.get(id_number=ID_B).extra["penalty"] == "三年内不得报考"

    def test_gb18030_csv_from_chinese_excel(self, client, province):
        rows = [
            ["证件号码", "姓名", "年度", "说明", "证书编号", "执业地点", "有效期至"],
            [ID_A, "赵六", 2021, "护士注册", "201842001234", "武汉市第一医院", "2028/06/30"],
            [ID_B, "钱七", 2020, "", "201842005678", "宜昌市中心医院", "2027年1月1日"],
        ]
        data = csv_bytes(rows, "gb18030")
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        result = preview(client, REFERENCE, csv_upload(rows), library="nurse_registry")
        assert result.problems == []
        assert result.counts["new"] == 2
        confirm(client, REFERENCE, result)
        record = ReferenceRecord.objects.get(library_id="nurse_registry", id_number=ID_A)
        assert record.name == "赵六"
        assert record.extra == {
            "certificate_no": "201842001234",
            "practice_institution": "武汉市第一医院",
            "valid_until": "2028-06-30",
        }
        log = ImportLog.objects.get(outcome="applied")
        assert log.sha256 == sha256(data)
        # UTF-8 with BOM (Excel's “CSV UTF-8”) reads the same.
        again = preview(
            client, REFERENCE, csv_upload(rows, encoding="utf-8-sig"), library="nurse_registry"
        )
        assert again.counts == {"new": 0, "update": 0, "skip": 2, "error": 0}

    def test_undecodable_csv_is_refused_with_advice(self, client, province):
        data = "证件号码,姓名,年度\r\n".encode("utf-16")
        response = client.post(
            admin_url(REFERENCE, "import"),
            {"import_file": SimpleUploadedFile("u16.csv", data), "library": "violation"},
        )
        errors = response.context["form"].errors["import_file"]
        assert any("另存为" in e and "xlsx" in e for e in errors)
        assert decode_csv("证件号码".encode("gb18030")) == "证件号码"

    def test_every_kind_of_wrong_row_is_reported_and_nothing_written(self, client, province):
        rows = [
            ["证件号码", "姓名", "年度", "说明", "证书编号", "执业地点", "有效期至"],
            [ID_A, "甲", 2021, "", "", "", "2028-06-30"],  # row 2: fine
            [bad_checksum(ID_B), "乙", 2021, "", "", "", ""],  # row 3: checksum
            [float(ID_C[:17] + "0"), "丙", 2021, "", "", "", ""],  # row 4: Excel number
            [ID_D, "", 2021, "", "", "", ""],  # row 5: no name
            [ID_A, "甲", 2021, "", "", "", ""],  # row 6: duplicate of row 2
            [resident_id("42050219800101001"), "丁", 2021, "", "", "", "2023-02-30"],  # row 7
            [resident_id("42050219800101002"), "戊", "明年", "", "", "", ""],  # row 8: year
            [None, None, None, None, None, None, None],  # blank line: ignored
            ["", "己", 2021, "", "", "", ""],  # row 10: no ID number
        ]
        result = preview(client, REFERENCE, xlsx_upload(rows), library="nurse_registry")
        assert not result.can_confirm
        problems = result.problems
        expected = [
            "第 2 行“证件号码”列：文件中第 6 行的证件号码、年度与本行相同，同一记录只能出现一次。",
            "第 3 行“证件号码”列：证件号码“",
            "第 4 行“证件号码”列：证件号码“4.20",
            "第 5 行“姓名”列：姓名不能为空。",
            "第 6 行“证件号码”列：文件中第 2 行的证件号码、年度与本行相同，同一记录只能出现一次。",
            "第 7 行“有效期至”列：日期“2023-02-30”不存在或格式不正确",
            "第 8 行“年度”列：年度“明年”不是数字。",
            "第 10 行“证件号码”列：证件号码不能为空。",
        ]
        for start in expected:
            assert any(p.startswith(start) for p in problems), (start, problems)
        assert any("第 3 行" in p and "校验位" in p for p in problems)
        assert any("第 4 行" in p and "被 Excel 转成了数字" in p for p in problems)
        assert not any("第 9 行" in p for p in problems)
        assert result.counts["error"] == 8
        page = result.response.content.decode()
        assert "不能导入，没有写入任何数据" in page and "confirm-import" not in page
        assert not ReferenceRecord.objects.filter(library_id="nurse_registry").exists()
        log = ImportLog.objects.get()
        assert log.outcome == ImportLog.Outcome.REFUSED and log.error_count == 8

    def test_file_level_errors_unknown_and_missing_columns(self, client, province):
        rows = [["证件号码", "性别", "年度"], [ID_A, "男", 2024]]
        result = preview(client, REFERENCE, xlsx_upload(rows), library="violation")
        assert not result.can_confirm
        assert result.problems[0].startswith("文件：缺少必需的列：姓名。")
        assert any(p.startswith("文件：无法识别的列：性别。") for p in result.problems)
        assert "整个文件" in result.response.content.decode()
        assert ImportLog.objects.get().outcome == "refused"

    def test_library_column_must_match_the_chosen_library(self, client, province):
        rows = [["对比库", "证件号码", "姓名", "年度"], ["资格库", ID_A, "张三", 2024]]
        result = preview(client, REFERENCE, xlsx_upload(rows), library="violation")
        assert result.problems == ["第 2 行“对比库”列：“资格库”与所选对比库“违纪考生库”不一致。"]

    def test_library_is_required(self, client, province):
        rows = [["证件号码", "姓名", "年度"], [ID_A, "张三", 2024]]
        response = client.post(admin_url(REFERENCE, "import"), {"import_file": xlsx_upload(rows)})
        assert "library" in response.context["form"].errors
        assert not ReferenceRecord.objects.filter(id_number=ID_A).exists()

    def test_confirm_is_impossible_with_errors_even_when_posted_directly(self, client, province):
        rows = [
            ["证件号码", "姓名", "年度"],
            [ID_A, "张三", 2024],
            [bad_checksum(ID_B), "李四", 2024],
        ]
        storage = ImportTempStorage(read_mode="rb")
        storage.save(xlsx_bytes(rows))
        response = client.post(
            admin_url(REFERENCE, "process_import"),
            {
                "import_file_name": storage.name,
                "original_file_name": "坏.xlsx",
                "format": "0",
                "resource": "",
                "library": "violation",
            },
        )
        assert response.status_code == 200
        assert any("第 3 行“证件号码”列" in str(p) for p in response.context["problems"])
        assert not ReferenceRecord.objects.filter(id_number__in=[ID_A, ID_B]).exists()
        log = ImportLog.objects.get()
        assert log.outcome == "refused" and log.file_name == "坏.xlsx"

    def test_template_per_library(self, client, province):
        response = client.get(admin_url(REFERENCE, "import_template") + "?library=nurse_registry")
        assert response.status_code == 200
        headers, rows = header_and_rows(response)
        assert headers == [
            "对比库", "证件号码", "证件类型", "姓名", "年度", "来源", "说明",
            "证书编号", "执业地点", "有效期至",
        ]  # fmt: skip
        assert len(rows) == 1
        id_cell = rows[0][1]
        assert id_cell.data_type == "s" and id_cell.number_format == "@"
        assert rows[0][0].value == "护士注册库"
        # The example row imports cleanly (apart from being an example).
        page = client.get(admin_url(REFERENCE, "import")).content.decode()
        assert "下载模板：违纪考生库" in page and "import-template/?library=violation" in page

    def test_export_writes_id_numbers_as_text(self, client, province):
        import_file(client, REFERENCE, xlsx_upload(violation_rows()), library="violation")
        response = export_post(
            client, admin_url(REFERENCE, "export"), {"library__code__exact": "violation"}
        )
        assert response.status_code == 200
        headers, rows = header_and_rows(response)
        assert headers[:7] == ["对比库", "证件号码", "证件类型", "姓名", "年度", "来源", "说明"]
        assert headers[7:] == ["违纪行为", "处理结果"]
        by_id = {r[1].value: r for r in rows}
        masked = mask_id_number(ID_A)
        assert by_id[masked][1].data_type == "s"
        assert by_id[masked][7].value == "携带手机"

    def test_unit_reviewer_may_not_import_reference_data(self, client, reviewers):
        client.force_login(reviewers["unit_a"])
        assert client.get(admin_url(REFERENCE, "import")).status_code == 403
        assert client.get(admin_url(REFERENCE, "import_template")).status_code == 403
        response = client.post(
            admin_url(REFERENCE, "import"),
            {"import_file": xlsx_upload(violation_rows()), "library": "violation"},
        )
        assert response.status_code == 403
        response = client.post(
            admin_url(REFERENCE, "process_import"),
            {"import_file_name": "x", "original_file_name": "x.xlsx", "format": "0"},
        )
        assert response.status_code == 403
        assert client.get(admin_url(REFERENCE, "export")).status_code == 403
        assert export_post(client, admin_url(REFERENCE, "export")).status_code == 403
        assert not ReferenceRecord.objects.filter(id_number=ID_A).exists()
        assert not ImportLog.objects.exists()


# --- 医师库 -----------------------------------------------------------------------------------

PHYSICIAN_HEADERS = [
    "姓名", "身份证号码", "执业机构", "手机号码", "医师资格证书编号", "执业证书编号",
    "执业类别", "执业范围", "职称", "从事临床工作起始年份", "推荐医师", "指导老师",
]  # fmt: skip


def physician_rows() -> list[list]:
    return [
        PHYSICIAN_HEADERS,
        ["陈医生", ID_A, "武汉市第一医院", "13812341234", "200942110420102", "110420100012345", "中医", "中医专业", "主任中医师", 1998, "是", "否"],
        ["林医生", ID_B, "宜昌市中医医院", 13912345678, "", "", "中医", "中医专业", "副主任中医师", "2005", "否", "是"],
        ["周医生", ID_C, "江岸区中医院", "+86 150-0000-1234", "", "", "中医", "", "", "", "是", "是"],
    ]  # fmt: skip


class TestPhysicianImport:
    def test_good_file_apply_and_reimport(self, client, province):
        data = xlsx_bytes(physician_rows())
        result = preview(client, PHYSICIANS, SimpleUploadedFile("医师.xlsx", data))
        assert result.problems == []
        assert result.counts == {"new": 3, "update": 0, "skip": 0, "error": 0}
        confirm(client, PHYSICIANS, result)
        chen = Physician.objects.get(id_number=ID_A)
        assert (chen.name, chen.institution_name, chen.title) == (
            "陈医生",
            "武汉市第一医院",
            "主任中医师",
        )
        assert chen.is_recommender and not chen.is_supervisor
        lin = Physician.objects.get(id_number=ID_B)
        assert lin.is_supervisor and not lin.is_recommender
        # 手机号码: a number cell and "+86 150-0000-1234" are read as the 11 digits.
        assert [chen.phone, lin.phone] == ["13812341234", "13912345678"]
        assert Physician.objects.get(id_number=ID_C).phone == "15000001234"
        log = ImportLog.objects.get(importer="physicians")
        assert log.sha256 == sha256(data) and log.new_count == 3

        again = preview(client, PHYSICIANS, xlsx_upload(physician_rows()))
        assert again.counts == {"new": 0, "update": 0, "skip": 3, "error": 0}

    def test_wrong_rows(self, client, province):
        rows = physician_rows()
        rows[1][1] = bad_checksum(ID_A)  # row 2
        rows[2][1] = int(ID_B[:15] + "000")  # row 3: a number
        rows[3][2] = ""  # row 4: 执业机构 missing
        rows[3][10] = "可能"  # row 4: not 是/否
        phone = "13800000000"
        rows.append(["吴医生", ID_D, "医院", phone, "", "", "", "", "", "", "否", "否"])  # row 5
        rows.append(
            ["吴医生", ID_D, "医院", phone, "", "", "", "", "", "", "否", "否"]
        )  # row 6: twice
        rows.append(
            [
                "郑医生",
                resident_id("42010219900230123"),
                "医院",
                phone,
                "",
                "",
                "",
                "",
                "",
                "",
                "否",
                "否",
            ]
        )  # 7
        result = preview(client, PHYSICIANS, xlsx_upload(rows))
        problems = result.problems
        assert any(
            p.startswith("第 2 行“身份证号码”列：身份证号码“") and "校验位" in p for p in problems
        )
        assert any(
            p.startswith("第 3 行“身份证号码”列：证件号码“") and "文本" in p for p in problems
        )
        assert "第 4 行“执业机构”列：执业机构不能为空。" in problems
        assert "第 4 行“推荐医师”列：“可能”不是“是”或“否”。" in problems
        assert any(p.startswith("第 5 行“身份证号码”列：文件中第 6 行") for p in problems)
        assert any(p.startswith("第 6 行“身份证号码”列：文件中第 5 行") for p in problems)
        assert any(p.startswith("第 7 行“身份证号码”列：") and "出生日期" in p for p in problems)
        assert not result.can_confirm
        assert not Physician.objects.filter(id_number__in=[ID_A, ID_C, ID_D]).exists()

    def test_phone_is_required_and_checked(self, client, province):
        rows = physician_rows()
        rows[1][3] = ""  # row 2: empty
        rows[2][3] = "1381234123"  # row 3: ten digits
        rows[3][3] = "02787654321"  # row 4: a landline
        result = preview(client, PHYSICIANS, xlsx_upload(rows))
        assert (
            "第 2 行“手机号码”列：手机号码不能为空（老师身份核验的短信验证码发到这个号码）。"
            in (result.problems)
        )
        assert "第 3 行“手机号码”列：手机号码“1381234123”不是有效的11位手机号码。" in (
            result.problems
        )
        assert any(p.startswith("第 4 行“手机号码”列：") for p in result.problems)
        assert not result.can_confirm
        # A file without the column at all is refused as a whole.
        without = [[c for i, c in enumerate(row) if i != 3] for row in physician_rows()]
        result = preview(client, PHYSICIANS, xlsx_upload(without))
        assert any("手机号码" in p for p in result.problems) and not result.can_confirm
        assert not Physician.objects.exists()

    def test_failure_midway_rolls_back_everything(self, client, province, monkeypatch):
        result = preview(client, PHYSICIANS, xlsx_upload(physician_rows()))
        assert result.can_confirm
        calls = {"n": 0}
        original_save = Physician.save

        def flaky_save(self, *args, **kwargs):
            calls["n"] += 1
            if calls["n"] == 3:
                raise IntegrityError("disk full")
            return original_save(self, *args, **kwargs)

        monkeypatch.setattr(Physician, "save", flaky_save)
        response = confirm(client, PHYSICIANS, result)
        assert response.status_code == 200
        assert any(
            "第 4 行" in str(p) and "保存失败" in str(p) for p in response.context["problems"]
        )
        assert not Physician.objects.filter(id_number__in=[ID_A, ID_B, ID_C]).exists()
        assert ImportLog.objects.get().outcome == "refused"

    def test_template_and_export(self, client, province):
        headers, rows = header_and_rows(client.get(admin_url(PHYSICIANS, "import_template")))
        assert headers == PHYSICIAN_HEADERS
        assert rows[0][1].data_type == "s" and rows[0][1].number_format == "@"
        import_file(client, PHYSICIANS, xlsx_upload(physician_rows()))
        headers, rows = header_and_rows(export_post(client, admin_url(PHYSICIANS, "export")))
        assert headers == PHYSICIAN_HEADERS
        by_id = {r[1].value: r for r in rows}
        masked = mask_id_number(ID_A)
        assert by_id[masked][1].data_type == "s"
        assert [c.value for c in by_id[masked][9:]] == ["1998", "是", "否"]
        assert by_id[masked][3].value == "138****1234" and by_id[masked][3].data_type == "s"

    def test_unit_reviewer_may_not_import(self, client, reviewers):
        client.force_login(reviewers["unit_a"])
        assert client.get(admin_url(PHYSICIANS, "import")).status_code == 403
        response = client.post(
            admin_url(PHYSICIANS, "import"), {"import_file": xlsx_upload(physician_rows())}
        )
        assert response.status_code == 403
        assert not Physician.objects.filter(id_number=ID_A).exists()


# --- 类别(专业) --------------------------------------------------------------------------------

SPECIALTY_HEADERS = ["申报级别", "专业代码", "专业名称", "年度"]


def specialty_rows() -> list[list]:
    return [
        SPECIALTY_HEADERS,
        ["初级(士)", "102", "中药学(士)", 2026],
        ["2", 204, "助产(师)", 2026],
        ["中级", "399", "测试专业(中级)", "2026"],
    ]


class TestSpecialtyImport:
    def test_good_file_apply_and_reimport(self, client, province):
        before = Specialty.objects.count()
        result = preview(client, SPECIALTIES, xlsx_upload(specialty_rows()))
        assert result.problems == []
        assert result.counts["error"] == 0
        assert result.counts["new"] + result.counts["update"] == 3
        confirm(client, SPECIALTIES, result)
        assert Specialty.objects.get(level_id="2", code="204").name == "助产(师)"
        assert Specialty.objects.get(level_id="3", code="399").source_year == 2026
        assert Specialty.objects.count() == before + result.counts["new"]
        assert ImportLog.objects.get(importer="specialties").outcome == "applied"
        again = preview(client, SPECIALTIES, xlsx_upload(specialty_rows()))
        assert again.counts == {"new": 0, "update": 0, "skip": 3, "error": 0}

    def test_existing_specialty_is_updated_not_duplicated(self, client, province):
        existing = Specialty.objects.filter(level_id="2").first()
        rows = [SPECIALTY_HEADERS, ["初级(师)", existing.code, existing.name + "（新）", 2026]]
        result = preview(client, SPECIALTIES, xlsx_upload(rows))
        assert result.counts == {"new": 0, "update": 1, "skip": 0, "error": 0}
        confirm(client, SPECIALTIES, result)
        existing.refresh_from_db()
        assert existing.name.endswith("（新）") and existing.source_year == 2026

    def test_wrong_rows(self, client, province):
        rows = [
            SPECIALTY_HEADERS,
            ["高级", "401", "某专业", 2026],  # row 2: unknown level
            ["初级(士)", "205", "某专业", 2026],  # row 3: code of another level
            ["中级", "398", "", 2026],  # row 4: no name
            ["中级", "397", "甲", 1800],  # row 5: year out of range
            ["中级", "396", "乙", 2026],  # row 6
            ["3", "396", "乙", 2026],  # row 7: duplicate of row 6 (level by code)
        ]
        result = preview(client, SPECIALTIES, xlsx_upload(rows))
        problems = result.problems
        assert "第 2 行“申报级别”列：未找到申报级别“高级”。" in problems
        assert any(
            p.startswith("第 3 行“专业代码”列：专业代码“205”与申报级别“初级(士)”不符")
            for p in problems
        )
        assert "第 4 行“专业名称”列：专业名称不能为空。" in problems
        assert "第 5 行“年度”列：年度“1800”超出合理范围。" in problems
        assert any(p.startswith("第 6 行“申报级别”列：文件中第 7 行") for p in problems)
        assert any(p.startswith("第 7 行“申报级别”列：文件中第 6 行") for p in problems)
        assert not Specialty.objects.filter(code__in=["396", "397", "398", "401"]).exists()

    def test_template_and_export(self, client, province):
        headers, rows = header_and_rows(client.get(admin_url(SPECIALTIES, "import_template")))
        assert headers == SPECIALTY_HEADERS
        assert rows[0][1].data_type == "s"
        headers, rows = header_and_rows(export_post(client, admin_url(SPECIALTIES, "export")))
        assert headers == SPECIALTY_HEADERS
        assert all(r[1].data_type == "s" for r in rows)
        assert {r[0].value for r in rows} <= {"初级(士)", "初级(师)", "中级"}

    def test_city_reviewer_may_not_import(self, client, reviewers):
        client.force_login(reviewers["city_wuhan"])
        assert client.get(admin_url(SPECIALTIES, "import")).status_code == 403
        assert client.get(admin_url(SPECIALTIES, "import_template")).status_code == 403


# --- 导入日志 -----------------------------------------------------------------------------------


class TestImportLogAdmin:
    def test_province_sees_all_others_their_own(self, client, reviewers):
        ImportLog.objects.create(
            importer="reviewer_accounts", actor=reviewers["county_jiangan"], file_name="江岸.xlsx",
            sha256="a" * 64, outcome="applied",
        )  # fmt: skip
        ImportLog.objects.create(
            importer="physicians", actor=reviewers["province"], file_name="医师.xlsx",
            sha256="b" * 64, outcome="refused", error_count=2,
        )  # fmt: skip
        url = admin_url("people_importlog", "changelist")
        client.force_login(reviewers["province"])
        page = client.get(url).content.decode()
        assert "江岸.xlsx" in page and "医师.xlsx" in page and "医师库" in page
        client.force_login(reviewers["county_jiangan"])
        page = client.get(url).content.decode()
        assert "江岸.xlsx" in page and "医师.xlsx" not in page
        other = ImportLog.objects.get(file_name="医师.xlsx")
        response = client.get(reverse("admin:people_importlog_change", args=[other.pk]))
        assert response.status_code in (302, 403, 404)
        client.force_login(reviewers["unit_c"])
        assert client.get(url).status_code == 200  # unit_c manages its unit: sees its own
        assert "江岸.xlsx" not in client.get(url).content.decode()

    def test_sidebar_links_to_import_log(self, client, reviewers):
        client.force_login(reviewers["province"])
        page = client.get("/admin/").content.decode()
        assert admin_url("people_importlog", "changelist") in page


# --- the shared machinery ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "query", "options"),
    [
        (REFERENCE, "?library=violation", {"library": "violation"}),
        (REFERENCE, "?library=graduate", {"library": "graduate"}),
        (PHYSICIANS, "", {}),
        (SPECIALTIES, "", {}),
        ("people_institution", "", {}),
        ("people_reviewermembership", "", {}),
    ],
)
def test_every_template_imports_cleanly(client, province, model, query, options):
    """The downloaded template, uploaded as it is, previews without a single problem."""
    response = client.get(admin_url(model, "import_template") + query)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    content = response.content
    assert workbook_from(response).sheetnames == ["导入数据", "填写说明"]
    result = preview(client, model, SimpleUploadedFile("模板.xlsx", content), **options)
    assert result.problems == []
    assert result.can_confirm


def test_old_xls_and_other_files_are_refused(client, province):
    for name, message in [
        ("旧.xls", "不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后上传。"),
        ("数据.txt", "只能导入 .xlsx 或 .csv 文件。"),
    ]:
        upload = SimpleUploadedFile(name, b"whatever")
        response = client.post(
            admin_url(PHYSICIANS, "import"), {"import_file": upload, "format": ""}
        )
        assert message in response.context["form"].errors["import_file"]
    broken = SimpleUploadedFile("坏.xlsx", b"not a zip file")
    response = client.post(admin_url(PHYSICIANS, "import"), {"import_file": broken, "format": ""})
    assert any("无法读取该 xlsx 文件" in e for e in response.context["form"].errors["import_file"])


def test_changelists_offer_import_and_export_buttons(client, province):
    for model in (REFERENCE, PHYSICIANS, SPECIALTIES, "people_institution"):
        page = client.get(admin_url(model, "changelist")).content.decode()
        assert admin_url(model, "import") in page and admin_url(model, "export") in page
