"""Hostile import files, written by hand (the XML and the zip), small on disk.

`workbook(...)` is a minimal but complete xlsx package (what Excel writes, without styles);
the other builders make the shapes that used to take a worker down."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    b"</Types>"
)
PACKAGE_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    b"</Relationships>"
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    b"</Relationships>"
)
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<dimension ref="A1"/><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"


def text_cell(reference: str, text: str) -> bytes:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def number_cell(reference: str, number: int) -> bytes:
    return f'<c r="{reference}"><v>{number}</v></c>'.encode()


def shared_cell(reference: str, index: int) -> bytes:
    return f'<c r="{reference}" t="s"><v>{index}</v></c>'.encode()


def row(number: int, *cells: bytes) -> bytes:
    return f'<row r="{number}">'.encode() + b"".join(cells) + b"</row>"


def shared_strings(strings: Iterable[str]) -> bytes:
    items = b"".join(f"<si><t>{s}</t></si>".encode() for s in strings)
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + items
        + b"</sst>"
    )


def workbook(
    sheet_data: bytes | Iterable[bytes],
    *,
    shared: bytes | None = None,
    head: bytes = SHEET_HEAD,
    tail: bytes = SHEET_TAIL,
    extra: dict[str, bytes] | None = None,
    workbook_xml: bytes = WORKBOOK,
) -> bytes:
    """An xlsx package whose first sheet holds `sheet_data` (the rows, as bytes or pieces
    written one after another: a sheet of hundreds of MB never sits in memory)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", PACKAGE_RELS)
        book.writestr("xl/workbook.xml", workbook_xml)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        if shared is not None:
            book.writestr("xl/sharedStrings.xml", shared)
        with book.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write(head)
            pieces = [sheet_data] if isinstance(sheet_data, bytes) else sheet_data
            for piece in pieces:
                part.write(piece)
            part.write(tail)
        for name, content in (extra or {}).items():
            book.writestr(name, content)
    return buffer.getvalue()


HEADER = row(1, text_cell("A1", "证件号码"), text_cell("B1", "姓名"))


def far_cell() -> bytes:
    """The reported file: headers, and one value at XFD1048576 (calamine's grid from A1:
    1,048,576 × 16,384 cells × 32 bytes = 549,755,813,888 bytes)."""
    return workbook(HEADER + row(1048576, text_cell("XFD1048576", "x")))


def sparse(rows: int = 50_000, columns: int = 1_000) -> bytes:
    """rows × columns of empty cells: a value in A1 and one in the far corner."""
    from openpyxl.utils.cell import get_column_letter

    corner = f"{get_column_letter(columns)}{rows}"
    return workbook(row(1, text_cell("A1", "证件号码")) + row(rows, text_cell(corner, "x")))


def shared_string_copies(cells: int = 10_000, length: int = 32_000) -> bytes:
    """`cells` cells naming one shared string of `length` characters: calamine copies it
    into each (10,000 × 32,000 = 320 MB from a 30 KB file)."""
    rows = (row(n, shared_cell(f"A{n}", 0)) for n in range(1, cells + 1))
    return workbook(b"".join(rows), shared=shared_strings(["x" * length]))


def zip_bomb(unpacked_mb: int = 200) -> bytes:
    """A sheet that decompresses to `unpacked_mb` MB (empty rows between two rows)."""
    pad = b"<row/>" * (1024 * 1024 // 6)
    pieces = [HEADER, *(pad for _ in range(unpacked_mb)), row(2, text_cell("A2", "x"))]
    return workbook(pieces)


def many_sheets(count: int = 1_000_000) -> bytes:
    """A workbook listing `count` sheets: calamine and python-calamine keep a name, a path
    and metadata for each (629 MB for 1.4 million, from 7 MB)."""
    sheets = b"".join(
        b'<sheet name="S%d" sheetId="%d" r:id="rId1"/>' % (i, i) for i in range(1, count + 1)
    )
    return workbook(HEADER, workbook_xml=WORKBOOK.replace(b"<sheets>", b"<sheets>" + sheets))


def lying_sizes(data: bytes, name: str, declared: int) -> bytes:
    """`data` with part `name`'s uncompressed size (local header and central directory)
    set to `declared`: a reader that trusts the zip directory believes it."""
    data = bytearray(data)
    encoded = name.encode()
    local = data.find(b"PK\x03\x04")
    while local >= 0:
        name_length = struct.unpack_from("<H", data, local + 26)[0]
        if bytes(data[local + 30 : local + 30 + name_length]) == encoded:
            struct.pack_into("<I", data, local + 22, declared)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + name_length]) == encoded:
            struct.pack_into("<I", data, central + 24, declared)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)
