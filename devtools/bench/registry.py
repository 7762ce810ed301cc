"""医师库 and 对比库 of the benchmark: generated physicians and reference records, written
in bulk."""

from __future__ import annotations

from collections.abc import Iterator

from devtools.bench.constants import BASE_TIME, BENCH_MARK, BENCH_SOURCE, CHUNK, LIBRARY_WEIGHTS
from devtools.bench.context import Context, Picker, new_resident_id
from devtools.bench.writer import BulkWriter
from devtools.demo.people import generate_name
from people.models import Physician
from review.models import ReferenceRecord


def id_stream(writer: BulkWriter, model, count: int) -> Iterator[int]:
    # Generous blocks: the exact number of rows per table is known only after generating.
    return iter(writer.next_ids(model, count))


def generate_physicians(ctx: Context, count: int) -> None:
    rng = ctx.rng
    ids = ctx.writer.next_ids(Physician, count)
    titles = ("主任医师", "副主任医师", "主治医师", "医师", "主任中医师", "副主任中医师")
    rows = []
    for n, pk in enumerate(ids, start=1):
        male = rng.random() < 0.6
        unit = rng.choice(ctx.units)
        id_number = new_resident_id(ctx, male, (1955, 1985))
        rows.append(
            (
                pk,
                generate_name(rng, male),
                id_number,
                unit.name,
                f"139{n:08d}",  # 手机号码 (no draw from rng: the rest stays as it was)
                f"{BENCH_MARK}{n:010d}",
                f"{rng.randrange(10**14, 10**15)}",
                rng.choice(["临床", "中医", "口腔", "公共卫生"]),
                rng.choice(["内科专业", "外科专业", "中医专业", "全科医学专业"]),
                rng.choice(titles),
                # 从事临床工作起始年份: at 25 (no draw from rng, as for the phone)
                int(id_number[6:10]) + 25,
                rng.random() < 0.7,
                rng.random() < 0.4,
                BASE_TIME,
            )
        )
    ctx.writer.insert(
        Physician,
        [
            "id",
            "name",
            "id_number",
            "institution_name",
            "phone",
            "qualification_no",
            "license_no",
            "practice_category",
            "practice_scope",
            "title",
            "clinical_start_year",
            "is_recommender",
            "is_supervisor",
            "updated_at",
        ],
        rows,
    )


def generate_reference_records(ctx: Context, count: int) -> None:
    """30 % of the records name bench candidates (the list shows their flags), the rest are
    other people. Noise ID numbers are checksum-valid; their region is checked once per
    (region, birth year) instead of per number, which is what makes 500,000 of them cheap."""
    rng = ctx.rng
    libraries = [lib for lib in LIBRARY_WEIGHTS if lib in ctx.libraries] or ctx.libraries
    pick_library = Picker(libraries, [LIBRARY_WEIGHTS.get(lib, 1) for lib in libraries])
    keys: set[tuple[str, str, int]] = set()
    rows = []
    made = 0
    ids = iter(ctx.writer.next_ids(ReferenceRecord, count))
    while made < count:
        library = pick_library(rng)
        year = rng.randint(2018, 2025)
        if ctx.people and rng.random() < 0.3:
            id_number, name = rng.choice(ctx.people)
        else:
            male = rng.random() < 0.5
            name = generate_name(rng, male)
            id_number = new_resident_id(ctx, male, (1965, 2003))
        key = (library, id_number, year)
        if key in keys:
            continue
        keys.add(key)
        rows.append((next(ids), library, id_number, name, year, BENCH_SOURCE, "", {}, BASE_TIME))
        made += 1
        if len(rows) >= CHUNK:
            _write_references(ctx.writer, rows)
            rows = []
    _write_references(ctx.writer, rows)


def _write_references(writer: BulkWriter, rows: list[tuple]) -> None:
    writer.insert(
        ReferenceRecord,
        [
            "id",
            "library_id",
            "id_number",
            "name",
            "year",
            "source",
            "detail",
            "extra",
            "imported_at",
        ],
        rows,
    )
