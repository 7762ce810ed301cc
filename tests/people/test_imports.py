"""Excel imports of 机构 (provincial staff) and 审核账号 (institution administrators, own
subtree only), through the real admin URLs."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from guardian.shortcuts import get_perms

from core.models import AuditLogEntry
from people.models import ImportLog, Institution, ReviewerMembership
from people.permissions import Perm
from people.selectors import user_perms_on
from people.services import DEFAULT_GROUP_PERMS, reviewer_add
from tests.exports import export_post
from tests.review.import_helpers import (
    admin_url,
    confirm,
    credit_code,
    csv_upload,
    header_and_rows,
    import_file,
    preview,
    sha256,
    xlsx_bytes,
    xlsx_upload,
)

pytestmark = pytest.mark.django_db
User = get_user_model()

INSTITUTIONS = "people_institution"
ACCOUNTS = "people_reviewermembership"

# --- 机构 ---------------------------------------------------------------------------------

INSTITUTION_HEADERS = [
    "机构编码",
    "机构名称",
    "层级",
    "上级机构编码",
    "行政区划代码",
    "统一社会信用代码",
]
CREDIT = credit_code("12420000MB1234567")


def institution_rows() -> list[list]:
    return [
        INSTITUTION_HEADERS,
        # The child comes before its parent (row 3): the import orders them itself.
        ["U429901001", "测试县示例医院", "单位", "429901", "", CREDIT],
        ["429901", "测试县卫生健康局", "区县", "420100", "", ""],
        ["U420100950", "武汉市测试市直医院", "单位", "420100", "420100", ""],
        ["U420000950", "湖北省测试省直医院", "单位", 420000, None, None],
        ["420102", "江岸区卫生健康局（更名）", "区县", "420100", "420102", ""],
    ]


class TestInstitutionImport:
    def test_good_file_builds_the_tree_with_groups_and_perms(self, client, reviewers):
        client.force_login(reviewers["province"])
        data = xlsx_bytes(institution_rows())
        result = preview(client, INSTITUTIONS, SimpleUploadedFile("机构.xlsx", data))
        assert result.problems == []
        assert result.counts == {"new": 4, "update": 1, "skip": 0, "error": 0}
        assert not Institution.objects.filter(code="429901").exists()
        response = confirm(client, INSTITUTIONS, result)
        assert response.status_code == 302

        unit = Institution.objects.get(code="U429901001")
        assert unit.path == "/420000/420100/429901/U429901001/"
        assert unit.parent.code == "429901" and unit.tier == "unit"
        assert unit.credit_code == CREDIT
        assert unit.reviewer_group is not None
        assert set(get_perms(unit.reviewer_group, unit)) == {p.value for p in DEFAULT_GROUP_PERMS}
        assert Institution.objects.get(code="U420000950").parent.code == "420000"
        jiangan = Institution.objects.get(code="420102")
        assert jiangan.name == "江岸区卫生健康局（更名）"
        assert jiangan.path == "/420000/420100/420102/"
        log = ImportLog.objects.get(importer="institutions")
        assert log.sha256 == sha256(data) and (log.new_count, log.updated_count) == (4, 1)

        again = preview(client, INSTITUTIONS, xlsx_upload(institution_rows()))
        assert again.counts == {"new": 0, "update": 0, "skip": 5, "error": 0}

    def test_wrong_rows(self, client, reviewers):
        client.force_login(reviewers["province"])
        rows = [
            INSTITUTION_HEADERS,
            ["T001", "甲", "乡镇", "420102", "", ""],  # row 2: tier
            ["T002", "乙", "单位", "U420102001", "", ""],  # row 3: a unit under a unit
            ["T003", "丙", "单位", "999999", "", ""],  # row 4: unknown parent
            ["T004", "丁", "单位", "420102", "", "91420100MA4K123456"],  # row 5: credit code
            ["T005", "", "单位", "420102", "", ""],  # row 6: no name
            ["T006", "戊", "单位", "420102", "", ""],  # row 7
            ["T006", "戊", "单位", "420102", "", ""],  # row 8: duplicate of row 7
            ["420102", "江岸区卫生健康局", "单位", "420100", "", ""],  # row 9: tier change
            ["T009", "己", "区县", "420000", "", ""],  # row 10: county under the province
            ["T010", "庚", "单位", "420102", "123456", ""],  # row 11: unknown division
        ]
        result = preview(client, INSTITUTIONS, xlsx_upload(rows))
        problems = result.problems
        assert "第 2 行“层级”列：“乡镇”不是可选值（可选：单位、区县、市州、省级）。" in problems
        assert "第 3 行“上级机构编码”列：单位的上级机构只能是区县、市州、省级。" in problems
        assert "第 4 行“上级机构编码”列：未找到上级机构编码“999999”。" in problems
        assert (
            "第 5 行“统一社会信用代码”列：统一社会信用代码无效（18位，末位为校验码）。" in problems
        )
        assert "第 6 行“机构名称”列：机构名称不能为空。" in problems
        assert any(p.startswith("第 7 行“机构编码”列：文件中第 8 行") for p in problems)
        assert any(p.startswith("第 8 行“机构编码”列：文件中第 7 行") for p in problems)
        assert any(
            p.startswith("第 9 行“层级”列：已有机构“江岸区卫生健康局”的层级是区县")
            for p in problems
        )
        assert "第 10 行“上级机构编码”列：区县的上级机构只能是市州。" in problems
        assert "第 11 行“行政区划代码”列：未找到行政区划代码“123456”。" in problems
        assert not result.can_confirm
        assert not Institution.objects.filter(code__startswith="T0").exists()
        assert Institution.objects.get(code="420102").tier == "county"

    def test_only_provincial_staff_import_institutions(self, client, reviewers):
        client.force_login(reviewers["city_wuhan"])
        assert client.get(admin_url(INSTITUTIONS, "import")).status_code == 403
        response = client.post(
            admin_url(INSTITUTIONS, "import"),
            {"import_file": xlsx_upload(institution_rows()), "format": ""},
        )
        assert response.status_code == 403
        assert not Institution.objects.filter(code="429901").exists()

    def test_template_and_scoped_export(self, client, reviewers):
        client.force_login(reviewers["province"])
        headers, rows = header_and_rows(client.get(admin_url(INSTITUTIONS, "import_template")))
        assert headers == INSTITUTION_HEADERS
        assert rows[0][0].data_type == "s" and rows[0][0].number_format == "@"
        client.force_login(reviewers["city_wuhan"])
        headers, rows = header_and_rows(export_post(client, admin_url(INSTITUTIONS, "export")))
        assert headers == INSTITUTION_HEADERS
        codes = {r[0].value for r in rows}
        assert {"420100", "420102", "U420102001"} <= codes
        assert "420500" not in codes and "420000" not in codes
        assert all(r[0].data_type == "s" for r in rows)
        wuhan = next(r for r in rows if r[0].value == "420102")
        assert [c.value for c in wuhan[2:4]] == ["区县", "420100"]


# --- 审核账号 --------------------------------------------------------------------------------

ACCOUNT_HEADERS = ["账号", "姓名", "所属机构编码", "所属机构", "初始密码", "权限"]
PASSWORD = "Jiangan-2026-strong"


def account_rows() -> list[list]:
    return [
        ACCOUNT_HEADERS,
        ["jiangan_li", "李审核", "U420102001", "江岸区演示第一医院", PASSWORD, "审核,上报"],
        ["jiangan_wang", "王审核", 420102, "", PASSWORD, "审核，上报、核验,导出,管理"],
        ["unit_b", "二院管理员", "U420102002", "", "", "管理"],
    ]


class TestAccountImport:
    def test_administrator_imports_into_own_subtree(self, client, reviewers):
        client.force_login(reviewers["county_jiangan"])
        data = xlsx_bytes(account_rows())
        result = preview(client, ACCOUNTS, SimpleUploadedFile("账号.xlsx", data))
        assert result.problems == []
        assert result.counts == {"new": 2, "update": 1, "skip": 0, "error": 0}
        assert PASSWORD not in result.response.content.decode()
        assert not User.objects.filter(username="jiangan_li").exists()
        confirm(client, ACCOUNTS, result)

        li = User.objects.get(username="jiangan_li")
        assert li.check_password(PASSWORD) and li.first_name == "李审核" and li.is_staff
        assert li.reviewer_membership.institution.code == "U420102001"
        assert user_perms_on(li, li.reviewer_membership.institution) == {Perm.REVIEW, Perm.REPORT}
        assert li.groups.filter(pk=li.reviewer_membership.institution.reviewer_group_id).exists()
        wang = User.objects.get(username="jiangan_wang")
        assert user_perms_on(wang, wang.reviewer_membership.institution) == set(Perm) - {
            Perm.EXPORT_FULL_ID
        }
        unit_b = User.objects.get(username="unit_b")
        assert unit_b.first_name == "二院管理员"
        assert user_perms_on(unit_b, unit_b.reviewer_membership.institution) == {Perm.MANAGE}
        assert AuditLogEntry.objects.filter(action="account.created").count() == 2
        assert AuditLogEntry.objects.filter(action="account.renamed").count() == 1

        log = ImportLog.objects.get(importer="reviewer_accounts")
        assert log.sha256 == sha256(data) and log.institution.code == "420102"
        assert (log.new_count, log.updated_count) == (2, 1)
        for record in (*ImportLog.objects.values(), *AuditLogEntry.objects.values()):
            assert not any(PASSWORD in str(value) for value in record.values())

        again = preview(client, ACCOUNTS, xlsx_upload(account_rows()))
        assert again.counts == {"new": 0, "update": 0, "skip": 3, "error": 0}
        assert User.objects.get(username="jiangan_li").check_password(PASSWORD)

    def test_wrong_rows(self, client, reviewers):
        client.force_login(reviewers["county_jiangan"])
        rows = [
            ACCOUNT_HEADERS,
            ["wc_new", "武昌新", "U420106001", "", PASSWORD, ""],  # row 2: outside the subtree
            ["unit_c", "改名", "U420106001", "", "", ""],  # row 3: someone else's account
            ["weak_pw", "弱密码", "U420102001", "", "12345678", ""],  # row 4: password
            ["bad_perm", "权限错", "U420102001", "", PASSWORD, "审核,超级"],  # row 5
            ["no_pw", "无密码", "U420102001", "", "", ""],  # row 6: new without password
            ["twice", "甲", "U420102001", "", PASSWORD, ""],  # row 7
            ["TWICE", "乙", "U420102001", "", PASSWORD, ""],  # row 8: same account
            ["nowhere", "丙", "NOPE", "", PASSWORD, ""],  # row 9: unknown institution
            ["unit_a", "一院", "U420102002", "", "", "管理"],  # row 10: moving an account
            ["", "丁", "U420102001", "", PASSWORD, ""],  # row 11: no account name
            ["province", "省", "420000", "", "", ""],  # row 12: an account above
        ]
        result = preview(client, ACCOUNTS, xlsx_upload(rows))
        problems = result.problems
        assert (
            "第 2 行“所属机构编码”列：“武昌区演示中医医院”不在您的管理范围内："
            "只能导入本机构及其下级机构的账号。"
        ) in problems
        assert "第 3 行“账号”列：账号“unit_c”已存在，且不属于您管理的机构，不能导入。" in problems
        assert any(p.startswith("第 4 行“初始密码”列：初始密码不符合规则：") for p in problems)
        assert (
            "第 5 行“权限”列：未知的权限：超级（可选：审核、上报、核验、导出、管理、导出完整证件号码，用逗号分隔）。"
            in problems
        )
        assert "第 6 行“初始密码”列：新账号必须填写初始密码。" in problems
        assert any(p.startswith("第 7 行“账号”列：文件中第 8 行") for p in problems)
        assert any(p.startswith("第 8 行“账号”列：文件中第 7 行") for p in problems)
        assert "第 9 行“所属机构编码”列：未找到机构编码“NOPE”。" in problems
        assert any(
            p.startswith("第 10 行“所属机构编码”列：账号“unit_a”属于“江岸区演示第一医院”")
            for p in problems
        )
        assert "第 11 行“账号”列：账号不能为空。" in problems
        assert (
            "第 12 行“账号”列：账号“province”已存在，且不属于您管理的机构，不能导入。" in problems
        )
        assert not any("12345678" in p or PASSWORD in p for p in problems)
        assert not result.can_confirm
        assert not User.objects.filter(
            username__in=["wc_new", "weak_pw", "twice", "bad_perm"]
        ).exists()
        assert User.objects.get(username="unit_c").first_name == ""
        assert ImportLog.objects.get().outcome == "refused"

    def test_county_cannot_import_into_another_county(self, client, reviewers):
        client.force_login(reviewers["county_wuchang"])
        rows = [ACCOUNT_HEADERS, ["ja_x", "越权", "420102", "", PASSWORD, "审核"]]
        result = preview(client, ACCOUNTS, xlsx_upload(rows))
        assert result.problems == [
            "第 2 行“所属机构编码”列：“江岸区卫生健康局”不在您的管理范围内："
            "只能导入本机构及其下级机构的账号。"
        ]
        assert not result.can_confirm
        assert not User.objects.filter(username="ja_x").exists()

    def test_gb18030_csv(self, client, reviewers):
        client.force_login(reviewers["unit_a"])
        rows = [
            ["账号", "姓名", "所属机构编码", "初始密码", "权限"],
            ["yiyuan_zhao", "赵审核", "U420102001", PASSWORD, "审核、核验"],
        ]
        result = preview(client, ACCOUNTS, csv_upload(rows))
        assert result.counts == {"new": 1, "update": 0, "skip": 0, "error": 0}
        confirm(client, ACCOUNTS, result)
        zhao = User.objects.get(username="yiyuan_zhao")
        assert zhao.first_name == "赵审核"
        assert user_perms_on(zhao, zhao.reviewer_membership.institution) == {
            Perm.REVIEW,
            Perm.VERIFY,
        }

    def test_own_permissions_cannot_be_changed(self, client, reviewers):
        client.force_login(reviewers["county_jiangan"])
        rows = [ACCOUNT_HEADERS, ["county_jiangan", "江岸管理员", "420102", "", "", "审核"]]
        result = preview(client, ACCOUNTS, xlsx_upload(rows))
        assert result.problems == ["第 2 行“权限”列：不能修改自己的权限，请联系上级机构的管理员。"]

    def test_account_without_manage_gets_403(self, client, reviewers):
        plain = reviewer_add(
            institution=Institution.objects.get(code="U420102001"),
            username="plain_reviewer",
            password=PASSWORD,
        )
        client.force_login(plain)
        assert client.get(admin_url(ACCOUNTS, "import")).status_code == 403
        assert client.get(admin_url(ACCOUNTS, "import_template")).status_code == 403
        response = client.post(
            admin_url(ACCOUNTS, "import"),
            {"import_file": xlsx_upload(account_rows()), "format": ""},
        )
        assert response.status_code == 403
        assert not User.objects.filter(username="jiangan_li").exists()

    def test_template_and_scoped_export(self, client, reviewers):
        client.force_login(reviewers["county_jiangan"])
        headers, rows = header_and_rows(client.get(admin_url(ACCOUNTS, "import_template")))
        assert headers == ACCOUNT_HEADERS
        assert rows[0][2].value == "420102" and rows[0][2].data_type == "s"
        import_file(client, ACCOUNTS, xlsx_upload(account_rows()))
        headers, rows = header_and_rows(export_post(client, admin_url(ACCOUNTS, "export")))
        assert headers == ACCOUNT_HEADERS
        by_name = {r[0].value: r for r in rows}
        assert {"county_jiangan", "unit_a", "unit_b", "jiangan_li"} <= set(by_name)
        assert "unit_c" not in by_name and "province" not in by_name
        assert by_name["jiangan_li"][5].value == "审核,上报"
        assert all(not r[4].value for r in rows)  # never a password
        assert by_name["unit_a"][2].data_type == "s"

    def test_memberships_unchanged_after_refused_apply(self, client, reviewers):
        client.force_login(reviewers["county_jiangan"])
        before = ReviewerMembership.objects.count()
        rows = account_rows()
        rows.append(["x1", "甲", "U420106001", "", PASSWORD, ""])
        result = preview(client, ACCOUNTS, xlsx_upload(rows))
        assert not result.can_confirm
        assert ReviewerMembership.objects.count() == before
