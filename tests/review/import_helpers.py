"""Helpers for the Excel import tests: files made in the test, the admin's import steps."""

import csv
import hashlib
import io
from dataclasses import dataclass

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from stdnum.cn import ric, uscc

from core.xlsx import is_export_footer

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def resident_id(body17: str) -> str:
    """A checksum-valid resident ID number from its first 17 digits."""
    return body17 + ric.calc_check_digit(body17 + "0")


def bad_checksum(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


def credit_code(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


def xlsx_bytes(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_upload(rows: list[list], name: str = "导入.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx_bytes(rows), content_type=XLSX_TYPE)


def csv_bytes(rows: list[list], encoding: str = "gb18030") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def csv_upload(rows: list[list], name: str = "导入.csv", encoding: str = "gb18030"):
    return SimpleUploadedFile(name, csv_bytes(rows, encoding), content_type="text/csv")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Preview:
    response: object

    @property
    def status_code(self) -> int:
        return self.response.status_code

    @property
    def context(self):
        return self.response.context

    @property
    def counts(self) -> dict:
        return self.context["counts"]

    @property
    def problems(self) -> list[str]:
        return [str(p) for p in self.context["problems"]]

    @property
    def confirm_data(self) -> dict:
        form = self.context["confirm_form"]
        data = {}
        for name in form.fields:
            value = form[name].value()
            data[name] = "" if value is None else value
        return data

    @property
    def can_confirm(self) -> bool:
        try:
            return bool(self.context["confirm_form"])
        except KeyError:
            return False


def admin_url(model: str, view: str) -> str:
    """`model` as "app_model", e.g. "review_referencerecord"."""
    return reverse(f"admin:{model}_{view}")


def preview(client, model: str, upload, **options) -> Preview:
    # A browser always posts the (empty) format select along with the file.
    response = client.post(
        admin_url(model, "import"), {"import_file": upload, "format": "", **options}
    )
    return Preview(response)


def confirm(client, model: str, result: Preview):
    assert result.can_confirm, result.problems
    return client.post(admin_url(model, "process_import"), result.confirm_data)


def import_file(client, model: str, upload, **options):
    """Preview, then confirm: the response of the confirm step."""
    result = preview(client, model, upload, **options)
    assert result.status_code == 200
    return confirm(client, model, result)


def workbook_from(response) -> openpyxl.Workbook:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return openpyxl.load_workbook(io.BytesIO(content))


def header_and_rows(response) -> tuple[list, list[list]]:
    """A template's or an export's header and rows (an export's 导出人 footer left out)."""
    sheet = workbook_from(response).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows()]
    if len(rows) > 1 and is_export_footer([c.value for c in rows[-1]]):
        rows.pop()
    return [c.value for c in rows[0]], rows[1:]
