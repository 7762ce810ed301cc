"""core.imports.xlsx_guard: the package and sheet checks that run before python-calamine.

A worksheet written the usual way is checked with regular expressions; any other way of
writing the same cells (a namespace prefix, cells without `r`, quotes holding ">" …) is
parsed with expat by calamine's rules. Both must find the cell calamine would keep."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
import xlsxwriter
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.utils.cell import get_column_letter

from core.imports.files import read_xlsx_rows
from core.imports.limits import ImportFileError, ReadLimits
from core.imports.xlsx_guard import _columns_up_to, _numbers_up_to, check_xlsx
from core.xlsx import write_workbook
from tests.review import hostile_files as hostile
from tests.review.hostile_files import row, shared_strings, text_cell, workbook

LIMITS = ReadLimits(
    max_bytes=20 << 20,
    max_rows=1000,
    max_columns=5,
    max_cells=50_000,
    max_unpacked=8 << 20,
    max_shared_text=1 << 20,
)
HEAD = row(1, text_cell("A1", "证件号码"), text_cell("B1", "姓名"))


def refused(data: bytes, limits: ReadLimits = LIMITS) -> str:
    with pytest.raises(ImportFileError) as caught:
        check_xlsx(data, limits)
    return str(caught.value)


# --- the number and column patterns --------------------------------------------------------


@given(top=st.integers(1, 2_000_000), number=st.integers(0, 3_000_000))
def test_numbers_up_to(top, number):
    pattern = re.compile(_numbers_up_to(top))
    assert bool(pattern.fullmatch(str(number))) == (1 <= number <= top)
    assert not pattern.fullmatch("0" + str(number))  # calamine's own form has no zeros


@pytest.mark.parametrize("top", [1, 5, 26, 27, 30, 52, 53, 100, 702])
def test_columns_up_to(top):
    pattern = re.compile(_columns_up_to(top))
    for column in range(1, 800):
        assert bool(pattern.fullmatch(get_column_letter(column))) == (column <= top), column


# --- the usual form ------------------------------------------------------------------------


def test_cells_inside_the_limits_pass_and_read():
    body = HEAD + row(1001, text_cell("E1001", "x"))
    data = workbook(body)
    check_xlsx(data, LIMITS)
    rows = read_xlsx_rows(data, LIMITS)
    assert len(rows) == 1001 and rows[-1] == [None, None, None, None, "x"]


@pytest.mark.parametrize(
    "cell, message",
    [
        (text_cell("F2", "x"), "文件第 F 列有内容，超过了本导入允许的 5 列（A–E 列）"),
        (text_cell("A1002", "x"), "文件第 1002 行有内容，超过了导入文件的上限：表头加 1,000 行"),
        (b'<c r="XFD1048576"><v>1</v></c>', "第 XFD 列有内容"),
        (b'<c r="XFD1048576" t="b"><v>1</v></c>', "第 XFD 列有内容"),
        (b'<c r="A1048576"><f>1+1</f></c>', "第 1048576 行有内容"),
    ],
)
def test_a_value_outside_is_refused(cell, message):
    assert message in refused(workbook(HEAD + row(2, cell)))


@pytest.mark.parametrize(
    "cell",
    [b'<c r="XFD1048576" s="1"/>', b'<c r="XFD1048576" s="1"></c>'],
)
def test_a_formatted_empty_cell_outside_is_no_value(cell):
    # calamine keeps no such cell: Excel writes them for borders and colours.
    data = workbook(HEAD + row(1048576, cell))
    check_xlsx(data, LIMITS)
    assert read_xlsx_rows(data, LIMITS) == [["证件号码", "姓名"]]


def test_too_many_cells():
    cells = (row(n, text_cell(f"A{n}", "x")) for n in range(1, 1001))
    limits = ReadLimits(**{**LIMITS.__dict__, "max_cells": 999})
    assert "超过 999 个" in refused(workbook(b"".join(cells)), limits)


def test_formatted_empty_cells_are_not_counted():
    # calamine keeps only cells with a value; a bordered block of 2,500 empty cells is no
    # reason to refuse a file below 999 cells.
    limits = ReadLimits(**{**LIMITS.__dict__, "max_cells": 999})
    letters = (b"A", b"B", b"C", b"D", b"E")
    styled = (row(n, *(b'<c r="%s%d" s="1"/>' % (c, n) for c in letters)) for n in range(3, 503))
    data = workbook(HEAD + row(2, text_cell("A2", "x")) + b"".join(styled))
    check_xlsx(data, limits)
    assert read_xlsx_rows(data, limits) == [["证件号码", "姓名"], ["x", None]]


def test_shared_strings_counted_and_their_copies_measured():
    many = shared_strings(str(i) for i in range(60_000))
    assert "超过 50,000 个" in refused(workbook(HEAD, shared=many))
    long = shared_strings(["x" * 40_000, "y"])
    cells = b"".join(row(n, hostile.shared_cell(f"A{n}", 0)) for n in range(2, 30))
    assert "文字合计超过 1 MB" in refused(workbook(cells, shared=long))
    # The same cells naming the short string are fine.
    cells = b"".join(row(n, hostile.shared_cell(f"A{n}", 1)) for n in range(2, 30))
    check_xlsx(workbook(cells, shared=long), LIMITS)


# --- other ways of writing the same cells: parsed ------------------------------------------


def _sheet(xml: bytes) -> bytes:
    return workbook(xml, head=b"", tail=b"")


PREFIXED = (
    b'<?xml version="1.0"?><x:worksheet '
    b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
    b'<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c>'
    b'<x:c r="XFD1"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>'
)


def _rows(*rows: bytes) -> bytes:
    return hostile.SHEET_HEAD + b"".join(rows) + hostile.SHEET_TAIL


@pytest.mark.parametrize(
    "xml, message",
    [
        (PREFIXED, "第 XFD 列有内容"),
        # No r: the row's r, then one column after another (calamine's rule).
        (_rows(b'<row r="1048576"><c t="inlineStr"><is><t>x</t></is></c></row>'), "第 1048576 行"),
        (_rows(b'<row r="2">' + b"<c><v>1</v></c>" * 6 + b"</row>"), "第 F 列有内容"),
        (_rows(b'<row r="2"><c r="C2"/>' + b"<c><v>1</v></c>" * 3 + b"</row>"), "第 F 列有内容"),
        # r after another attribute, lower case, a tab: the same cell.
        (_rows(b'<row r="2"><c s="1" r="XFD2"><v>1</v></c></row>'), "第 XFD 列有内容"),
        (_rows(b'<row r="2"><c r="xfd2"><v>1</v></c></row>'), "第 XFD 列有内容"),
        (_rows(b'<row r="2"><c\tr="XFD2"><v>1</v></c></row>'), "第 XFD 列有内容"),
        # A ">" inside a quoted value: the tag ends later than the first ">".
        (_rows(b'<row r="2"><c r="XFD2" s="1/>"><v>1</v></c></row>'), "第 XFD 列有内容"),
    ],
    ids=["prefix", "row r only", "six without r", "after C2", "r second", "lower", "tab", ">"],
)
def test_unusual_forms_are_parsed(xml, message):
    assert message in refused(_sheet(xml))


def test_unusual_forms_inside_the_limits_pass():
    xml = PREFIXED.replace(b"XFD1", b"B1")
    data = _sheet(xml)
    check_xlsx(data, LIMITS)
    assert read_xlsx_rows(data, LIMITS) == [["a", 1]]


@pytest.mark.parametrize(
    "xml",
    [
        # Two r attributes: calamine may take the second.
        _rows(b'<row r="2"><c r="A2" r="XFD2"><v>1</v></c></row>'),
        # A DTD in a sheet parsed with expat: its entities are never expanded.
        PREFIXED.replace(b"?>", b'?><!DOCTYPE x:worksheet [<!ENTITY a "aaaa">]>', 1),
        # UTF-16, which calamine decodes and byte patterns cannot see.
        _rows(b'<row r="2"><c r="XFD2"><v>1</v></c></row>')
        .decode()
        .replace('encoding="UTF-8"', 'encoding="UTF-16"')
        .encode("utf-16"),
    ],
    ids=["two r", "doctype", "utf-16"],
)
def test_unreadable_forms_are_refused(xml):
    assert "无法读取该 xlsx 文件" in refused(_sheet(xml))


def test_prefixed_shared_strings_are_parsed():
    shared = (
        b'<?xml version="1.0"?><x:sst xmlns:x="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><x:si><x:t>' + b"x" * 40_000 + b"</x:t></x:si></x:sst>"
    )
    cells = b"".join(row(n, hostile.shared_cell(f"A{n}", 0)) for n in range(2, 30))
    assert "文字合计超过 1 MB" in refused(workbook(cells, shared=shared))


def test_every_worksheet_is_checked():
    # Only the first sheet is read, but which part is first is calamine's business.
    second = hostile.SHEET_HEAD + row(2, text_cell("XFD2", "x")) + hostile.SHEET_TAIL
    data = workbook(HEAD, extra={"xl/worksheets/sheet2.xml": second})
    assert "第 XFD 列有内容" in refused(data)


def test_other_parts_are_not_taken_for_sheets():
    image = bytes(range(256)) * 4000 + b"<c r=" + bytes(1000)  # NULs, "<c" …
    data = workbook(HEAD, extra={"xl/media/image1.png": image})
    check_xlsx(data, LIMITS)


# --- files real writers make pass, and read as before ---------------------------------------


def _openpyxl_file() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["证件号码", "姓名", "年度"])
    sheet.append(["420102199001011236", "张三", 2024])
    sheet["E3"].border = openpyxl.styles.Border(left=openpyxl.styles.Side(style="thin"))
    book.create_sheet("说明").append(["只读第一张表"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsxwriter_file(options: dict) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, options)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["证件号码", "姓名", "年度"])
    sheet.write_row(1, 0, ["420102199001011236", "张三", 2024])
    book.close()
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        _openpyxl_file(),
        _xlsxwriter_file({}),
        _xlsxwriter_file({"constant_memory": True}),
        write_workbook(
            ["证件号码", "姓名", "年度"],
            [["420102199001011236", "张三", 2024]],
            text_columns=("证件号码",),
            notes=[("证件号码", "必填")],
        ),
    ],
    ids=["openpyxl", "xlsxwriter shared strings", "xlsxwriter inline", "our template"],
)
def test_real_files_pass(data):
    check_xlsx(data, LIMITS)
    rows = read_xlsx_rows(data, LIMITS)
    assert [r[:3] for r in rows[:2]] == [
        ["证件号码", "姓名", "年度"],
        ["420102199001011236", "张三", 2024],
    ]


def test_a_workbook_part_in_utf16_is_refused():
    # Its <sheet> elements would be invisible to the count (calamine decodes UTF-16).
    utf16 = hostile.WORKBOOK.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    data = workbook(HEAD, workbook_xml=utf16.encode("utf-16"))
    assert "无法读取该 xlsx 文件" in refused(data)


def test_too_many_sheets_names_or_formats():
    sheets = b'<sheet name="S" sheetId="2" r:id="rId1"/>' * 1001
    data = workbook(
        HEAD, workbook_xml=hostile.WORKBOOK.replace(b"</sheets>", sheets + b"</sheets>")
    )
    assert "工作表、名称或数字格式多得异常" in refused(data)
