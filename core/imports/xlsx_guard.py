"""Checks an uploaded .xlsx before python-calamine reads it.

calamine builds a dense grid from a sheet's first to its last cell with a value (32 bytes a
cell) and copies a shared string into every cell that refers to it, so a few kilobytes can
ask for any amount of memory: a value in A1 and one in XFD1048576 make a 549 GB grid (a Rust
abort that no Python code can catch), 10,000 cells naming one 32,000-character shared string
320 MB. A sheet's declared <dimension> can say anything, and calamine tells the real extent
only after it has built the grid. So the package is read here first, streaming:

- the file: an OLE2 file (.xls, or a workbook with an opening password) or anything else
  that is not a zip is refused by name, and so are .ods / .xlsb packages (calamine reads
  those too, without these checks); at most MAX_PARTS parts, only stored or deflated;
- every part is decompressed here and the file refused as soon as the real uncompressed
  total (not the sizes the zip declares) passes `max_unpacked`;
- the shared strings: at most `max_cells` of them; the length of each is kept;
- the workbook, its relationships and the styles: at most so many sheets, names,
  relationships and number formats (calamine keeps an object for each);
- every worksheet (a part with <sheetData>): no cell with a value beyond the import's
  columns or rows, at most `max_cells` cells, and at most `max_shared_text` bytes of text
  copied from the shared strings.

Worksheets written the usual way (`<c r="B2" s="1" t="s">`: Excel, WPS, LibreOffice,
openpyxl, xlsxwriter …) are checked with a few regular expressions over the bytes (~0.5 s
for a million cells); any other form is parsed with expat, following calamine's rules for
cells and rows without `r`.
"""

from __future__ import annotations

import copy
import re
import xml.parsers.expat
import zipfile
import zlib
from array import array
from collections.abc import Iterator
from functools import lru_cache
from io import BytesIO
from typing import Any

from openpyxl.utils.cell import get_column_letter

from core.imports.limits import XLSX_UNREADABLE_MESSAGE, ImportFileError, ReadLimits

NOT_XLSX_MESSAGE = (
    "无法读取该 xlsx 文件：它不是 Excel 工作簿，可能是把其他文件的扩展名改成了 .xlsx。"
    "请在 Excel 中打开它，选择“文件 → 另存为 → Excel 工作簿(*.xlsx)”后再上传。"
)
OLE_MESSAGE = (
    "无法读取该 xlsx 文件：它是旧版 Excel 文件（.xls），或是设置了打开密码的工作簿。"
    "请在 Excel 中取消密码，并选择“文件 → 另存为 → Excel 工作簿(*.xlsx)”后再上传。"
)
OTHER_FORMAT_MESSAGE = (
    "无法读取该 xlsx 文件：它是其他格式的表格（如 .ods 或 .xlsb）。"
    "请选择“另存为 → Excel 工作簿(*.xlsx)”后再上传。"
)
TOO_MANY_PARTS_MESSAGE = (
    "无法读取该 xlsx 文件：它包含的部件过多，不是正常的 Excel 工作簿。"
    "请在 Excel 中另存为新的 .xlsx 文件后再上传。"
)

STRUCTURE_MESSAGE = (
    "无法读取该 xlsx 文件：它的工作表、名称或数字格式多得异常，不是正常的 Excel 工作簿。"
    "请把数据复制到新的工作簿，另存为 .xlsx 后再上传。"
)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_PARTS = 2000  # a workbook has a dozen; each costs memory before anything is checked
CHUNK = 1 << 20
UTF16_STARTS = (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")
MAX_TAIL = 1 << 20  # no real tag or text node runs this long without a "<"


def _elements(name: str) -> re.Pattern[bytes]:
    return re.compile(rb"<(?:[^\s/>:<]*:)?" + name.encode() + rb"[\s/>]")


# Parts that calamine reads into one object per element (a sheet's name and path, a
# relationship, a defined name, a number format: 100-700 bytes of memory for 50 bytes of
# XML; a list of a million sheets took 427 MB): at most so many of each, far more than a
# workbook to import has.
_COUNTED = {
    "workbook.xml": ((_elements("sheet"), 1000), (_elements("definedName"), 10_000)),
    "workbook.xml.rels": ((_elements("Relationship"), 10_000),),
    "styles.xml": ((_elements("numFmt"), 10_000),),
}


class _NotPlain(Exception):
    """The part is not written the usual way: parse it with expat instead."""


# --- the package ----------------------------------------------------------------------------


def check_xlsx(data: bytes, limits: ReadLimits) -> None:
    """Raise ImportFileError (Chinese) unless python-calamine can read `data` as an xlsx
    within `limits`."""
    if len(data) > limits.max_bytes:
        raise ImportFileError(limits.size_message(len(data)))
    if data[:8] == OLE_MAGIC:
        raise ImportFileError(OLE_MESSAGE)
    # Each central directory entry becomes a ZipInfo before anything else can be checked.
    if data.count(b"PK\x01\x02") > MAX_PARTS:
        raise ImportFileError(TOO_MANY_PARTS_MESSAGE)
    try:
        book = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ImportFileError(NOT_XLSX_MESSAGE) from exc
    with book:
        _Package(book, limits).check()


def _part_name(info: zipfile.ZipInfo) -> str:
    # As calamine looks parts up: case-insensitive, either slash.
    return info.filename.replace("\\", "/").lower()


class _Package:
    def __init__(self, book: zipfile.ZipFile, limits: ReadLimits) -> None:
        self.book = book
        self.limits = limits
        self.unpacked = 0
        self.shared = _SharedStrings()

    def check(self) -> None:
        infos = self.book.infolist()
        if len(infos) > MAX_PARTS:
            raise ImportFileError(TOO_MANY_PARTS_MESSAGE)
        names = [_part_name(i) for i in infos]
        # calamine opens these as OpenDocument or xlsb when the xlsx reading fails.
        if any(n in ("mimetype", "content.xml") or n.endswith(".bin.rels") for n in names):
            raise ImportFileError(OTHER_FORMAT_MESSAGE)
        if any(n.endswith("workbook.bin") for n in names):
            raise ImportFileError(OTHER_FORMAT_MESSAGE)
        for info in infos:
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ImportFileError(XLSX_UNREADABLE_MESSAGE)
            if info.flag_bits & 0x1:  # a zip-level password
                raise ImportFileError(XLSX_UNREADABLE_MESSAGE)
        if sum(i.file_size for i in infos) > self.limits.max_unpacked:
            raise ImportFileError(self.limits.unpacked_message())
        # The shared strings first: the worksheets' checks need their lengths.
        shared = [
            i
            for i, n in zip(infos, names, strict=True)
            if n.rpartition("/")[2] == "sharedstrings.xml"
        ]
        if len(shared) > 1:
            raise ImportFileError(XLSX_UNREADABLE_MESSAGE)
        for info in shared:
            self.shared.read(self, info)
        for info, name in zip(infos, names, strict=True):
            if info in shared:
                continue
            counted = _COUNTED.get(name.rpartition("/")[2])
            if counted:
                self.count_elements(info, counted)
            _Sheet(self).scan(info)

    def count_elements(self, info: zipfile.ZipInfo, counted) -> None:
        """At most so many of the elements calamine keeps one object for."""
        found = [0] * len(counted)
        for body in _complete_tags(self.stream(info), b"<"):
            for i, (pattern, limit) in enumerate(counted):
                found[i] += len(pattern.findall(body))
                if found[i] > limit:
                    raise ImportFileError(STRUCTURE_MESSAGE)
        self.unpacked -= info.file_size  # measured again by the scan that follows

    def stream(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """The part's bytes as they really decompress, counted against `max_unpacked` as
        they come. Reading goes on past the size the zip declares (a lying part is
        measured, not believed)."""
        room = self.limits.max_unpacked - self.unpacked
        probe = copy.copy(info)
        # Past anything read below: zipfile checks the CRC when it reaches file_size, which
        # a bomb's first bytes would fail before the limit could be named.
        probe.file_size = room + CHUNK + 1
        total = 0
        try:
            with self.book.open(probe) as part:
                while chunk := part.read(CHUNK):
                    total += len(chunk)
                    self.unpacked += len(chunk)
                    if total > room:
                        raise ImportFileError(self.limits.unpacked_message())
                    yield chunk
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError) as exc:
            raise ImportFileError(XLSX_UNREADABLE_MESSAGE) from exc
        if total != info.file_size:
            raise ImportFileError(XLSX_UNREADABLE_MESSAGE)

    def retry(self, info: zipfile.ZipInfo, first, second) -> None:
        """`first(info)`; if the part is not in the usual form, `second(info)`, reading
        the part again (counted once)."""
        before = self.unpacked
        try:
            first(info)
        except _NotPlain:
            self.unpacked = before
            second(info)


def _plain(chunk: bytes) -> bytes:
    # UTF-16 (which calamine decodes) would hide every tag from the byte patterns below;
    # no XML 1.0 document contains a NUL character.
    if b"\x00" in chunk:
        raise ImportFileError(XLSX_UNREADABLE_MESSAGE)
    return chunk


def _complete_tags(chunks: Iterator[bytes], cut_at: bytes) -> Iterator[bytes]:
    """The text in pieces of whole tags: each chunk is cut before its last `cut_at` and the
    rest carried over to the next one."""
    tail = b""
    for chunk in chunks:
        buffer = tail + _plain(chunk)
        cut = buffer.rfind(cut_at)
        if cut <= 0:
            tail = buffer
        else:
            tail = buffer[cut:]
            yield buffer[:cut]
        if len(tail) > MAX_TAIL:
            raise ImportFileError(XLSX_UNREADABLE_MESSAGE)
    if tail:
        yield tail


def _from_sheet_data(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks from the one holding "sheetData" on (calamine reads cells only after
    <sheetData>); nothing for a part that is not a worksheet (an image, the styles …)."""
    last = b""
    for index, chunk in enumerate(chunks):
        if index == 0 and chunk.startswith(UTF16_STARTS):
            # Any part in UTF-16 (calamine decodes it) would hide "sheetData" and every
            # tag from the byte patterns here.
            raise ImportFileError(XLSX_UNREADABLE_MESSAGE)
        window = last + chunk
        if b"sheetData" in window:
            yield window
            yield from chunks
            return
        last = chunk[-16:]


def _parser(start, end, text=None) -> xml.parsers.expat.XMLParserType:
    parser = xml.parsers.expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text

    def doctype(*args) -> None:
        # OOXML has no DTD; entity declarations are what XML bombs are made of.
        raise ImportFileError(XLSX_UNREADABLE_MESSAGE)

    parser.StartDoctypeDeclHandler = doctype
    return parser


def _feed(parser: xml.parsers.expat.XMLParserType, chunks: Iterator[bytes]) -> None:
    try:
        # In pieces of whole tags: expat would hold a tag of any length in memory.
        for body in _complete_tags(chunks, b"<"):
            parser.Parse(body, False)
        parser.Parse(b"", True)
    except xml.parsers.expat.ExpatError as exc:
        raise ImportFileError(XLSX_UNREADABLE_MESSAGE) from exc


def _local(name: str) -> str:
    # quick-xml's local name (what calamine compares): what follows the first colon.
    prefix, colon, rest = name.partition(":")
    return rest if colon else prefix


# --- shared strings -----------------------------------------------------------------------

_SI_START = re.compile(rb"<si>")
_SI_NOT_PLAIN = re.compile(rb"<[^\s/>:<]*:si[\s/>]|<si[\s/]")


class _SharedStrings:
    """An upper bound of each shared string's length in bytes (of the text calamine takes
    from its <t> elements): the bytes of its <si> less the markup every string has."""

    def __init__(self) -> None:
        self.lengths = array("I")
        self.longest = 0

    def read(self, package: _Package, info: zipfile.ZipInfo) -> None:
        def parsed(info: zipfile.ZipInfo) -> None:
            self.lengths = array("I")
            self._parsed(package, info)

        package.retry(info, lambda info: self._plain(package, info), parsed)
        self.longest = max(self.lengths, default=0)

    def _check_count(self, limits: ReadLimits) -> None:
        if len(self.lengths) > limits.max_cells:
            raise ImportFileError(limits.cells_message())

    def _plain(self, package: _Package, info: zipfile.ZipInfo) -> None:
        for body in _complete_tags(package.stream(info), b"<si"):
            if _SI_NOT_PLAIN.search(body):
                raise _NotPlain
            # A piece starts at a <si> (the first one: at the <sst> header) and holds at
            # least <t></t></si> (12 bytes) besides its text.
            self.lengths.extend(max(0, len(p) - 12) for p in _SI_START.split(body)[1:])
            self._check_count(package.limits)

    def _parsed(self, package: _Package, info: zipfile.ZipInfo) -> None:
        starts: list[int] = []

        def start(name: str, attrs: dict) -> None:
            if _local(name) == "si":
                starts.append(parser.CurrentByteIndex)

        def end(name: str) -> None:
            if _local(name) == "si" and starts:
                self.lengths.append(parser.CurrentByteIndex - starts.pop())
                self._check_count(package.limits)

        parser = _parser(start, end)
        _feed(parser, package.stream(info))

    def cost(self, index: int) -> int:
        return self.lengths[index] if 0 <= index < len(self.lengths) else self.longest


# --- worksheets ---------------------------------------------------------------------------

# A cell tag written the usual way: `<c r="B2"`, then only s/t/cm/vm/ph attributes.
_PLAIN_ATTRIBUTES = rb'(?: (?:s|t|cm|vm|ph)="[^"<>]*")*'
_PLAIN_CELL = re.compile(rb'<c r="[A-Z]{1,3}[1-9][0-9]{0,6}"' + _PLAIN_ATTRIBUTES + rb"/?>")
# A cell tag with a namespace prefix (<x:c>): calamine compares local names.
_PREFIXED_CELL = re.compile(rb"<[^\s/>:<]*:c[\s/>]")
_SHARED_REF = re.compile(rb' t="s"(?: (?:s|cm|vm|ph)="[^"<>]*")*><v>([0-9]{1,9})</v>')
_REF = re.compile(r"([A-Za-z]*)([0-9]+)")


def _numbers_up_to(top: int) -> str:
    """A regular expression for the numbers 1..top written without leading zeros."""
    digits = str(top)
    options = [rf"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        low = 1 if i == 0 else 0
        if int(digit) > low:
            rest = len(digits) - i - 1
            options.append(
                f"{digits[:i]}[{low}-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else "")
            )
    options.append(digits)
    return "|".join(options)


def _columns_up_to(top: int) -> str:
    """A regular expression for the column letters A..(column `top`)."""
    if top > 702:  # three letters: not worth a compact form
        return "|".join(get_column_letter(i) for i in range(top, 0, -1))
    options = [f"[A-{get_column_letter(min(top, 26))}]"]
    if top > 26:
        first, last = divmod(top - 27, 26)  # AA is 27
        if first:
            options.append(f"[A-{chr(64 + first)}][A-Z]")
        options.append(f"{chr(65 + first)}[A-{chr(65 + last)}]")
    return "|".join(options)


# Per process: a pattern compiled from two numbers (the limits), the same in every process.
@lru_cache(maxsize=16)
def _unusual_cell(max_columns: int, max_rows: int) -> re.Pattern[bytes]:
    """A cell tag that is not written the usual way, whose reference lies outside
    A1 : (last column)(header + max_rows), or that closes itself (no value: a border, a
    colour): one pass over the bytes finds them all."""
    inside = f"(?:{_columns_up_to(max_columns)})(?:{_numbers_up_to(max_rows + 1)})"
    return re.compile(
        rb"<c(?:[\t\n\r\f\v/>]| (?!r=\"" + inside.encode() + rb'"' + _PLAIN_ATTRIBUTES + rb">))"
    )


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _position(reference: str) -> tuple[int, int]:
    """(row, column), 1-based, as calamine reads an `r`; column 0 when it has none."""
    match = _REF.fullmatch(reference)
    if match is None or int(match[2]) == 0:
        raise ImportFileError(XLSX_UNREADABLE_MESSAGE)  # calamine refuses it too
    return int(match[2]), _column_number(match[1])


class _Sheet:
    """Checks one part as a worksheet once its <sheetData> appears (other parts: only
    measured). `cells` counts the cells with a value, the ones calamine keeps."""

    def __init__(self, package: _Package) -> None:
        self.package = package
        self.limits = package.limits
        self.cells = 0
        self.shared_text = 0

    def scan(self, info: zipfile.ZipInfo) -> None:
        def parsed(info: zipfile.ZipInfo) -> None:
            self.cells = self.shared_text = 0
            self._parsed(info)

        self.package.retry(info, self._plain, parsed)

    def _outside(self, row: int, column: int) -> None:
        if column > self.limits.max_columns:
            raise ImportFileError(self.limits.column_message(column))
        if row > self.limits.max_rows + 1:
            raise ImportFileError(self.limits.row_message(row))

    def _add(self, cells: int, shared_text: int) -> None:
        self.cells += cells
        self.shared_text += shared_text
        if self.cells > self.limits.max_cells:
            raise ImportFileError(self.limits.cells_message())
        if self.shared_text > self.limits.max_shared_text:
            raise ImportFileError(self.limits.shared_text_message())

    # --- the usual form: regular expressions over the bytes -------------------------------

    def _plain(self, info: zipfile.ZipInfo) -> None:
        unusual = _unusual_cell(self.limits.max_columns, self.limits.max_rows)
        # Each cell naming the longest shared string, at the most cells: still within the
        # limit? Then the strings each cell names need not be counted.
        strings = self.package.shared
        exact = strings.longest * self.limits.max_cells > self.limits.max_shared_text
        chunks = _from_sheet_data(self.package.stream(info))
        for body in _complete_tags(chunks, b"<"):
            if b":c" in body and _PREFIXED_CELL.search(body):
                raise _NotPlain
            empty = 0
            for match in unusual.finditer(body):
                tag = _PLAIN_CELL.match(body, match.start())
                if tag is None:
                    raise _NotPlain
                if body[tag.end() - 2] == ord("/") or body.startswith(b"</c>", tag.end()):
                    empty += 1  # no value: calamine keeps no such cell
                    continue
                # A plain tag with a value outside the limits.
                reference = body[match.start() + 6 : body.index(b'"', match.start() + 6)]
                self._outside(*_position(reference.decode()))
            shared = body.count(b' t="s"') if exact else 0
            text = 0
            if shared:
                indexes = list(map(int, _SHARED_REF.findall(body)))
                try:
                    text = sum(map(strings.lengths.__getitem__, indexes))
                except IndexError:
                    text = sum(map(strings.cost, indexes))
                # A t="s" cell written otherwise (<f> before <v> …): the longest string.
                text += (shared - len(indexes)) * strings.longest
            self._add(body.count(b"<c ") - empty, text)

    # --- anything else: parsed as calamine does ---------------------------------------------

    def _parsed(self, info: zipfile.ZipInfo) -> None:
        state: dict[str, Any] = {"data": False, "row": 1, "column": 1, "cell": None}
        value: list[str] = []

        def start(name: str, attrs: dict) -> None:
            local = _local(name)
            cell = state["cell"]
            if cell is not None:
                cell[2] = True  # a child element: calamine reads a value
                if local == "v" and cell[3]:
                    value.clear()
                    state["value"] = True
                return
            if not state["data"]:
                state["data"] = local == "sheetData"
            elif local == "row":
                if "r" in attrs:
                    state["row"] = _position(attrs["r"])[0]
            elif local == "c":
                row, column = state["row"], state["column"]
                if "r" in attrs:
                    row, column = _position(attrs["r"])
                    if column == 0:
                        raise ImportFileError(XLSX_UNREADABLE_MESSAGE)
                    state["column"] = column
                # [row, column, has a value, shared string]
                state["cell"] = [row, column, False, attrs.get("t") == "s"]

        def end(name: str) -> None:
            local = _local(name)
            cell = state["cell"]
            if cell is not None:
                if local == "v":
                    state["value"] = False
                elif local == "c":
                    row, column, has_value, shared = cell
                    if has_value:
                        self._outside(row, column)
                        text = 0
                        if shared:
                            index = "".join(value).strip()
                            costs = self.package.shared
                            text = costs.cost(int(index)) if index.isdigit() else costs.longest
                        self._add(1, text)
                    state["cell"] = None
                    state["column"] += 1
                return
            if state["data"]:
                if local == "row":
                    state["row"] += 1
                    state["column"] = 1
                elif local == "sheetData":
                    state["data"] = False

        def text(data: str) -> None:
            if state.get("value"):
                value.append(data)

        _feed(_parser(start, end, text), self.package.stream(info))
