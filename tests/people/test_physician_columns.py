"""医师库's columns for the 中医医术确有专长 rules: 执业类别, 职称, 从事临床工作起始年份.

Good values are stored in the form the rules read; bad ones refuse the whole file with a
Chinese message per cell; blank is allowed (the rules then ask a reviewer)."""

import datetime

import pytest

from people.models import Physician
from tests.review.import_helpers import confirm, preview, resident_id, xlsx_upload
from tests.review.test_imports import PHYSICIAN_HEADERS, PHYSICIANS

pytestmark = pytest.mark.django_db

CATEGORY, TITLE, YEAR = 6, 8, 9
IDS = [resident_id(f"42010219900101{n}12") for n in range(1, 7)]


@pytest.fixture
def province(client, reviewers):
    client.force_login(reviewers["province"])
    return reviewers["province"]


def rows_with(values: list[tuple[object, object, object]]) -> list[list]:
    rows: list[list] = [PHYSICIAN_HEADERS]
    for n, (category, title, year) in enumerate(values):
        row = [
            "医生",
            IDS[n],
            "武汉市中医医院",
            f"1381234{n:04d}",
            "",
            "",
            "",
            "",
            "",
            "",
            "是",
            "否",
        ]
        row[CATEGORY], row[TITLE], row[YEAR] = category, title, year
        rows.append(row)
    return rows


def test_good_values_are_stored_as_the_rules_read_them(client, province):
    rows = rows_with(
        [
            ("中医类别", "副主任中医师", 1998),
            ("中医", "主治医师", "2005年"),
            ("临床", "医师", 2011.0),
            ("", "", ""),  # blank: allowed, the rules then say 需人工核实
        ]
    )
    result = preview(client, PHYSICIANS, xlsx_upload(rows))
    assert result.problems == []
    confirm(client, PHYSICIANS, result)
    stored = {
        p.id_number: (p.practice_category, p.title, p.clinical_start_year)
        for p in Physician.objects.all()
    }
    assert stored == {
        IDS[0]: ("中医", "副主任中医师", 1998),
        IDS[1]: ("中医", "主治医师", 2005),
        IDS[2]: ("临床", "医师", 2011),
        IDS[3]: ("", "", None),
    }


def test_bad_values_refuse_the_file_in_chinese(client, province):
    next_year = datetime.date.today().year + 1
    rows = rows_with(
        [
            ("西医", "主任中医师", 1998),  # row 2
            ("中医", "教授", 1998),  # row 3
            ("中医", "主任中医师", "九八年"),  # row 4
            ("中医", "主任中医师", 1899),  # row 5
            ("中医", "主任中医师", next_year),  # row 6
            ("中医", "主任中医师", 1998.5),  # row 7
        ]
    )
    result = preview(client, PHYSICIANS, xlsx_upload(rows))
    problems = result.problems
    assert (
        "第 2 行“执业类别”列：执业类别“西医”不是可选值（可选：临床、中医、口腔、公共卫生）。"
        in (problems)
    )
    assert any(p.startswith("第 3 行“职称”列：职称“教授”不是可选值") for p in problems)
    column = "从事临床工作起始年份"
    assert f"第 4 行“{column}”列：{column}“九八年”不是年份，请填写如 1998。" in problems
    assert any(p.startswith(f"第 5 行“{column}”列：") and "1940" in p for p in problems)
    assert any(p.startswith(f"第 6 行“{column}”列：") and str(next_year) in p for p in problems)
    assert any(p.startswith(f"第 7 行“{column}”列：") and "不是年份" in p for p in problems)
    assert not result.can_confirm
    assert not Physician.objects.exists()
