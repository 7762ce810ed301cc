"""The 对比库 import's bulk path (ReferenceRecordResource.import_rows): a number of queries
that does not grow with the file, updates and 未变化 as before, the same Chinese errors with
Excel rows and columns, and nothing written when one row is wrong."""

import datetime
import io

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.imports.base import ImportProblem, PlatformXLSX, result_counts
from review.imports import reference_records
from review.imports.reference_records import ReferenceRecordResource, lookup_chunk_size
from review.models import ReferenceLibrary, ReferenceRecord
from tests.review.import_helpers import bad_checksum, resident_id, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADERS = ["证件号码", "姓名", "年度", "来源", "说明", "违纪行为", "处理结果"]


def numbers(count: int, start: int = 0) -> list[str]:
    # 17-digit bodies 420102 + a birth date from 1990-01-01 + a running sequence (1,000 per
    # day) → checksum-valid IDs.
    first = datetime.date(1990, 1, 1)
    return [
        resident_id(f"420102{first + datetime.timedelta(days=n // 1000):%Y%m%d}{n % 1000:03d}")
        for n in range(start, start + count)
    ]


def rows_for(ids: list[str], name: str = "张三", year: int = 2024) -> list[list]:
    return [HEADERS, *([i, name, year, "名单", "", "携带手机", "成绩无效"] for i in ids)]


def run(rows: list[list], *, dry_run: bool, library: str = "violation"):
    dataset = PlatformXLSX().create_dataset(xlsx_bytes(rows))
    resource = ReferenceRecordResource(
        options={"library": ReferenceLibrary.objects.get(code=library)}
    )
    return resource.import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )


def count_queries(rows: list[list], *, dry_run: bool) -> int:
    with CaptureQueriesContext(connection) as queries:
        result = run(rows, dry_run=dry_run)
    assert not result.has_errors() and not result.has_validation_errors(), result.problems
    return len(queries)


# SQLite takes 999 parameters per statement, so Django splits a bulk INSERT / UPDATE of
# more than ~120 rows there; the written runs compare 10 and 100 rows (PostgreSQL: any size).
@pytest.mark.parametrize(("dry_run", "large_size"), [(True, 200), (False, 100)])
def test_query_count_does_not_grow_with_the_rows(reference_data, dry_run, large_size):
    small = count_queries(rows_for(numbers(10)), dry_run=dry_run)
    large = count_queries(rows_for(numbers(large_size, start=300)), dry_run=dry_run)
    assert small == large
    assert large <= 8  # savepoints, the one lookup of existing records, the bulk INSERT


def test_query_count_with_updates_does_not_grow_either(reference_data):
    library = ReferenceLibrary.objects.get(code="violation")
    ids = numbers(40)
    ReferenceRecord.objects.bulk_create(
        ReferenceRecord(library=library, id_number=i, name="旧名", year=2024) for i in ids
    )
    small = count_queries(rows_for(ids[:10]), dry_run=False)
    large = count_queries(rows_for(ids[10:]), dry_run=False)
    assert small == large
    assert ReferenceRecord.objects.filter(id_number__in=ids, name="张三").count() == 40


def test_the_lookup_is_one_query_per_chunk_of_id_numbers(reference_data, monkeypatch):
    # PostgreSQL looks up 100,000 numbers a query, more than a file may hold: a small chunk
    # there keeps the file under the row limit and still needs two queries.
    monkeypatch.setattr("review.imports.reference_bulk.ARRAY_LOOKUP_CHUNK", 500)
    with CaptureQueriesContext(connection) as queries:
        run(rows_for(numbers(lookup_chunk_size("default") + 5)), dry_run=True)
    # (PostgreSQL's COPY path also moves the id sequence past the table's max: not a lookup.)
    lookups = [
        q
        for q in queries
        if "review_referencerecord" in q["sql"]
        and "SELECT" in q["sql"]
        and "setval" not in q["sql"]
    ]
    assert len(lookups) == 2


def test_new_update_and_unchanged_are_counted_and_written(reference_data):
    library = ReferenceLibrary.objects.get(code="violation")
    a, b, c = numbers(3)
    ReferenceRecord.objects.create(
        library=library,
        id_number=a,
        name="张三",
        year=2024,
        source="名单",
        extra={"violation": "携带手机", "penalty": "成绩无效"},
    )
    ReferenceRecord.objects.create(library=library, id_number=b, name="旧名", year=2024)
    # The same person in another year and another library is another record.
    ReferenceRecord.objects.create(library=library, id_number=c, name="王五", year=2023)
    rows = rows_for([a, b, c])
    preview = run(rows, dry_run=True)
    assert result_counts(preview) == {"new": 1, "update": 1, "skip": 1, "error": 0}
    assert [r.import_type for r in preview.rows] == ["skip", "update", "new"]
    assert ReferenceRecord.objects.get(id_number=b).name == "旧名"  # dry run: nothing kept
    assert not ReferenceRecord.objects.filter(id_number=c, year=2024).exists()
    # The preview's cells are made on demand and show the new values.
    assert "张三" in "".join(str(cell) for cell in preview.rows[0].diff)
    assert c in "".join(str(cell) for cell in preview.rows[2].diff)

    applied = run(rows, dry_run=False)
    assert result_counts(applied) == {"new": 1, "update": 1, "skip": 1, "error": 0}
    updated = ReferenceRecord.objects.get(id_number=b)
    assert (updated.name, updated.source, updated.extra) == (
        "张三",
        "名单",
        {"violation": "携带手机", "penalty": "成绩无效"},
    )
    assert ReferenceRecord.objects.filter(id_number=c).count() == 2
    # The new record (COPY on PostgreSQL, bulk_create elsewhere) has every column.
    created = ReferenceRecord.objects.get(id_number=c, year=2024)
    assert (created.library, created.name, created.source, created.detail) == (
        library,
        "张三",
        "名单",
        "",
    )
    assert created.extra == {"violation": "携带手机", "penalty": "成绩无效"}
    assert created.imported_at is not None and created.pk
    # Importing the same file again changes nothing.
    again = run(rows, dry_run=False)
    assert result_counts(again) == {"new": 0, "update": 0, "skip": 3, "error": 0}


def test_a_key_taken_by_another_import_meanwhile_refuses_the_file(reference_data, monkeypatch):
    """The unique key is checked in memory against the records loaded up front; a record
    written by someone else after that is caught by the database at the write, and the
    file is refused with nothing kept."""
    library = ReferenceLibrary.objects.get(code="violation")
    ids = numbers(3)
    original = ReferenceRecordResource._existing_records

    def then_someone_else_writes(self, dataset, headers):
        found = original(self, dataset, headers)
        ReferenceRecord.objects.create(library=library, id_number=ids[1], name="抢先", year=2024)
        return found

    monkeypatch.setattr(ReferenceRecordResource, "_existing_records", then_someone_else_writes)
    result = run(rows_for(ids), dry_run=False)
    assert result.has_errors()
    assert "数据库中已有与本文件相同的记录" in str(result.problems[0])
    assert not ReferenceRecord.objects.filter(id_number__in=[ids[0], ids[2]]).exists()


def test_an_error_in_row_n_is_reported_with_row_and_column_and_nothing_is_written(
    reference_data,
):
    ids = numbers(5)
    rows = rows_for(ids)
    rows[4][0] = bad_checksum(ids[3])  # Excel row 5
    rows[2][1] = ""  # Excel row 3: 姓名 empty
    rows[5][2] = 1900  # Excel row 6: 年度 out of range
    for dry_run in (True, False):
        result = run(rows, dry_run=dry_run)
        assert result_counts(result)["error"] == 3
        problems = result.problems
        assert [(p.row, p.column) for p in problems] == [(3, "姓名"), (5, "证件号码"), (6, "年度")]
        assert str(problems[0]) == "第 3 行“姓名”列：姓名不能为空。"
        assert str(problems[1]).startswith(f"第 5 行“证件号码”列：证件号码“{rows[4][0]}”无效：")
        assert str(problems[2]) == "第 6 行“年度”列：年度“1900”超出合理范围。"
        assert not ReferenceRecord.objects.filter(id_number__in=ids).exists()


def test_duplicates_in_the_file_and_long_values_keep_their_messages(reference_data):
    a, b = numbers(2)
    rows = rows_for([a, b, a])
    rows[2][3] = "来" * 129  # 来源 longer than the model allows (128)
    result = run(rows, dry_run=True)
    problems = result.problems
    assert (
        ImportProblem(
            2, "证件号码", "文件中第 4 行的证件号码、年度与本行相同，同一记录只能出现一次。"
        )
        in problems
    )
    assert (
        ImportProblem(
            4, "证件号码", "文件中第 2 行的证件号码、年度与本行相同，同一记录只能出现一次。"
        )
        in problems
    )
    long_value = [p for p in problems if p.row == 3]
    assert len(long_value) == 1 and long_value[0].column == "来源"
    assert "128" in long_value[0].message


def test_a_database_error_while_writing_refuses_the_whole_file(reference_data, monkeypatch):
    ids = numbers(3)

    def refuse(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ReferenceRecord.objects, "bulk_create", refuse)
    monkeypatch.setattr(reference_records, "copy_insert", refuse)  # PostgreSQL's path
    result = run(rows_for(ids), dry_run=False)
    assert result.has_errors()
    assert any("RuntimeError" in p.message and p.row is None for p in result.problems)
    assert not ReferenceRecord.objects.filter(id_number__in=ids).exists()


def test_template_file_round_trip_reads_text_ids(reference_data):
    # The import reads what the export/template writes: ID numbers as text cells.
    data = io.BytesIO(xlsx_bytes(rows_for(numbers(1))))
    dataset = PlatformXLSX().create_dataset(data.getvalue())
    assert isinstance(dataset[0][0], str) and len(dataset[0][0]) == 18


def test_one_bad_row_among_many_writes_nothing(reference_data, monkeypatch):
    """Batches of good rows are written before the bad row is reached; the file is refused
    and they are rolled back with it."""
    monkeypatch.setattr(reference_records, "BATCH_SIZE", 50)
    ids = numbers(400, start=2000)
    rows = rows_for(ids)
    rows[301][0] = bad_checksum(ids[300])  # Excel row 302, after six written batches
    result = run(rows, dry_run=False)
    assert result_counts(result) == {"new": 399, "update": 0, "skip": 0, "error": 1}
    assert [(p.row, p.column) for p in result.problems] == [(302, "证件号码")]
    assert "校验位" in result.problems[0].message
    assert not ReferenceRecord.objects.filter(id_number__in=ids).exists()


def mixed_rows() -> tuple[list[list], list[str]]:
    """Rows the fast reader takes and rows it leaves to the full path, good and bad."""
    library = ReferenceLibrary.objects.get(code="violation")
    ids = numbers(30, start=5000)
    ReferenceRecord.objects.create(library=library, id_number=ids[0], name="旧名", year=2024)
    ReferenceRecord.objects.create(
        library=library,
        id_number=ids[1],
        name="张三",
        year=2024,
        source="名单",
        extra={"violation": "携带手机", "penalty": "成绩无效"},
    )
    headers = [*HEADERS, "对比库", "证件类型"]
    base = [None, "张三", 2024, "名单", None, "携带手机", "成绩无效", None, None]
    cells = {
        0: {},  # existing: update
        1: {},  # existing, same values: 未变化
        2: {},  # new, the common form
        3: {"id": ids[3].lower()[:-1] + "x" if ids[3].endswith("X") else " " + ids[3]},
        4: {7: library.name, 8: "居民身份证"},  # named library and type
        5: {7: "另一个库"},
        6: {8: "护照", "id": "E12345678"},
        7: {"id": bad_checksum(ids[7])},
        8: {1: "  李四  ", 3: "  来源  ", 4: "说明"},
        9: {1: "   "},
        10: {2: "2024"},
        11: {2: 1900},
        12: {3: "来" * 129},
        13: {"id": ids[2]},  # same key as row 2 of the data: duplicate
        14: {2: None},
        15: {5: 12345},
        16: {"id": "420102199001011236", 2: 2023},
        17: {"id": 420102199001011236},
        18: {4: "说" * 255, 6: "   "},
    }
    rows = [headers]
    for i, number in enumerate(ids[:19]):
        row = list(base)
        row[0] = number
        for column, value in cells[i].items():
            row[0 if column == "id" else column] = value
        rows.append(row)
    return rows, ids


@pytest.mark.parametrize("dry_run", [True, False])
def test_the_fast_reader_gives_the_same_results_as_the_full_path(reference_data, dry_run):
    """The same file through the import with FastRows and with every row on the full path:
    the same counts, problems (row, column, message), row types and records."""

    def outcome(fast: bool):
        with transaction.atomic():
            rows, ids = mixed_rows()
            original = ReferenceRecordResource._fast_rows
            ReferenceRecordResource._fast_rows = original if fast else lambda self, h: None
            try:
                result = run(rows, dry_run=dry_run)
            finally:
                ReferenceRecordResource._fast_rows = original
            records = sorted(
                ReferenceRecord.objects.filter(library_id="violation").values_list(
                    "id_number", "name", "year", "source", "detail", "extra"
                )
            )
            transaction.set_rollback(True)
        problems = [(p.row, p.column, p.message) for p in result.problems]
        diffs = [[str(c) for c in r.diff or []] for r in result.rows]
        types = [r.import_type for r in result.rows]
        return result_counts(result), problems, types, diffs, records

    fast, full = outcome(fast=True), outcome(fast=False)
    assert fast == full
    assert fast[0]["error"] >= 8 and fast[0]["update"] == 1 and fast[0]["skip"] == 1
