"""core.masking: the one rule for ID numbers and phones, and the stamped xlsx (core.xlsx)
that the import readers read back without its footer."""

import datetime
import io

import openpyxl
from hypothesis import given
from hypothesis import strategies as st

from core.imports.files import count_xlsx_rows, read_xlsx_rows
from core.imports.limits import ReadLimits
from core.masking import (
    MASK_ID,
    MASK_PHONE,
    MAX_VISIBLE_ID_CHARS,
    mask_id_number,
    mask_phone,
    mask_value,
)
from core.xlsx import ExportStamp, RowsExporter, is_export_footer, write_xlsx

ID_CHARS = st.text(alphabet="0123456789XABCDEFGHJKLMNPQRSTUVWYZ", max_size=40)


def test_resident_id_and_phone():
    assert mask_id_number("420102199003071234") == "420102********1234"
    assert mask_id_number("42010219900307123X") == "420102********123X"
    assert mask_id_number("E12345678") == "E1*****78"  # a passport: 2 + 2
    assert mask_id_number("H1234") == "H***4"
    assert mask_id_number("AB") == "**" and mask_id_number("") == ""
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("123") == "***" and mask_phone("") == ""
    # Excel's number for a phone, and empty cells stay empty.
    assert mask_value(MASK_PHONE, 13812341234.0) == "138****1234"
    assert mask_value(MASK_ID, None) is None and mask_value(MASK_ID, "") == ""


@given(ID_CHARS)
def test_an_id_mask_keeps_the_length_and_never_shows_more_than_ten_characters(number):
    masked = mask_id_number(number)
    assert len(masked) == len(number)
    shown = [c for c, original in zip(masked, number, strict=True) if c != "*"]
    assert len(shown) <= MAX_VISIBLE_ID_CHARS
    # Something is always hidden; of 8 characters or more, at least 4.
    assert masked.count("*") >= (1 if number else 0)
    assert masked.count("*") >= 4 or len(number) < 8
    # What is shown is the number's own characters, in place.
    assert all(c in ("*", o) for c, o in zip(masked, number, strict=True))


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_a_phone_mask_shows_only_the_first_three_and_last_four(phone):
    masked = mask_phone(phone)
    assert masked == phone[:3] + "****" + phone[-4:]
    assert phone[3:7] not in masked[3:7]  # the middle four never leak


STAMP = ExportStamp(
    exporter="unit_a（王五）",
    institution="江岸区演示第一医院",
    at=datetime.datetime(2026, 12, 4, 8, 30, tzinfo=datetime.UTC),
    purpose='=HYPERLINK("http://evil.example/","点我")',
)


def _stamped(full_id: bool) -> bytes:
    exporter = RowsExporter(
        ["姓名", "证件号码", "手机号码"],
        [["张三", "420102199003071234", "13812341234"], ["李四", "E12345678", ""]],
        text_columns=("证件号码", "手机号码"),
        masked_columns={"证件号码": MASK_ID, "手机号码": MASK_PHONE},
    )
    exporter.full_id = full_id
    exporter.stamp = STAMP
    buffer = io.BytesIO()
    assert write_xlsx(exporter, buffer) == 2
    return buffer.getvalue()


def test_masked_by_default_with_properties_and_footer():
    data = _stamped(full_id=False)
    book = openpyxl.load_workbook(io.BytesIO(data))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[1] == ("张三", "420102********1234", "138****1234")
    assert rows[2] == ("李四", "E1*****78", None)
    footer = rows[3][0]
    assert footer == (
        "导出人：unit_a（王五），江岸区演示第一医院 导出时间：2026-12-04 16:30:00 "
        '导出用途：=HYPERLINK("http://evil.example/","点我")'
    )
    assert book.active.cell(4, 1).data_type == "s"  # text, never a formula
    props = book.properties
    assert props.creator == "unit_a（王五）"
    assert props.subject == STAMP.purpose and props.title == "Sheet1"
    assert props.keywords == f"导出用途：{STAMP.purpose}"
    assert props.description == footer


def test_full_values_only_when_the_exporter_says_so():
    rows = list(
        openpyxl.load_workbook(io.BytesIO(_stamped(full_id=True))).active.iter_rows(
            values_only=True
        )
    )
    assert rows[1] == ("张三", "420102199003071234", "13812341234")


def test_the_import_readers_drop_the_footer_row():
    data = _stamped(full_id=False)
    rows = read_xlsx_rows(data)
    assert [r[0] for r in rows] == ["姓名", "张三", "李四"]
    assert count_xlsx_rows(data, ReadLimits.from_settings()) == 2
    assert is_export_footer([STAMP.footer_text(), None, ""])
    assert not is_export_footer([STAMP.footer_text(), "x"])  # a data cell beside it: data
    assert not is_export_footer(["导出", None])
