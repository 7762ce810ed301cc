"""查重 of texts: a 医案 or a narrative (医术专长综述, 跟师/实践经历) close to another candidate's
in the same project.

A text is normalised (NFKC, lower case, whitespace and punctuation dropped: copying keeps the
characters, not the layout) and cut into character 3-grams; Chinese needs no word
segmentation for that. datasketch turns the set of 3-grams into a MinHash signature of
NUM_PERM minima, stored in TextFingerprint, and cut into BANDS bands of ROWS minima; each band
is one indexed row of TextBand. Two texts share a band key with high probability when their
3-gram sets are similar (Jaccard), so a check reads only the texts sharing a key with the new
one, never every pair. The bands are chosen for LOWEST_THRESHOLD, the lowest threshold a
project may set, so changing a project's threshold re-matches the stored signatures and needs
no re-index. A candidate pair whose estimate comes near the threshold is compared exactly, on
the two 3-gram sets; at or above the project's DuplicateSettings.text_threshold it is a Match
with the longest common passages side by side.

Texts under MIN_CHARS characters are not indexed: short answers ("无", "同上", one line of a
diagnosis) are alike on many honest applications and would only be noise.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH  # type: ignore[import-untyped]
from django.db import connection, transaction
from django.db.models import Case, Count, Max, Q, When

from core.copy_insert import can_copy, copy_insert
from exam.duplicates.models import (
    DuplicateSettings,
    Match,
    MatchKind,
    TextBand,
    TextFingerprint,
    TextKind,
)
from exam.duplicates.passages import common_passages
from exam.models import CaseRecord, Section

logger = logging.getLogger(__name__)

NUM_PERM = 128
SHINGLE = 3
MIN_CHARS = 50
LOWEST_THRESHOLD = 50  # %: the lowest DuplicateSettings.text_threshold accepted
DEFAULT_THRESHOLD = 80
# Pairs whose estimate is this far below the threshold are still compared exactly (the
# estimate's standard error at 128 minima is about 4 points).
ESTIMATE_MARGIN = 10
# A band key shared by more texts than MAX_BUCKET is mostly boilerplate (the same stock
# phrases, e.g. "水煎服，日一剂", holding five minima at once): sharing it makes a pair only with
# MIN_SHARED bands shared in all. A copy shares about 8 of 25 bands at 80 % similarity, so a
# copy ring of any size is still found; two honest texts sharing one stock band are not
# compared, which keeps a check and a rebuild from comparing thousands of pairs.
MAX_BUCKET = 100
MIN_SHARED = 3
SIGNATURE_DTYPE = np.dtype("<u4")

_LSH = MinHashLSH(threshold=LOWEST_THRESHOLD / 100, num_perm=NUM_PERM)
BANDS, ROWS = _LSH.b, _LSH.r

CASE_FIELDS = (
    "chief_complaint",
    "history",
    "syndrome_analysis",
    "diagnosis",
    "treatment",
    "analysis",
)
# Section code → (kind, label, data keys read).
SECTION_TEXTS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "expertise": (
        TextKind.EXPERTISE,
        "医术专长综述",
        ("content", "indications", "safety", "effectiveness", "risks"),
    ),
    "apprenticeship": (TextKind.EXPERIENCE, "跟师学习医术及实践经历", ("experience",)),
    "practice": (TextKind.EXPERIENCE, "医术实践经历", ("experience",)),
}


@dataclass(frozen=True)
class TextItem:
    """One text as it is stored now."""

    ref: str
    application_id: int
    project_id: int
    kind: str
    label: str
    text: str  # as the candidate wrote it, fields joined by new lines


# --- reading the texts -------------------------------------------------------------------


def case_ref(pk: int) -> str:
    return f"case:{pk}"


def section_ref(pk: int) -> str:
    return f"section:{pk}"


def _join(values: Iterable[object]) -> str:
    return "\n".join(str(v).strip() for v in values if isinstance(v, str) and v.strip())


def _case_item(row: tuple) -> TextItem:
    pk, application_id, project_id, number, *fields = row
    return TextItem(
        case_ref(pk), application_id, project_id, TextKind.CASE, f"病案{number}", _join(fields)
    )


def _section_item(row: tuple) -> TextItem | None:
    pk, application_id, project_id, code, data = row
    kind, label, keys = SECTION_TEXTS[code]
    data = data if isinstance(data, dict) else {}
    return TextItem(
        section_ref(pk), application_id, project_id, kind, label, _join(data.get(k) for k in keys)
    )


_CASE_COLUMNS = ("pk", "application_id", "application__project_id", "number", *CASE_FIELDS)
_SECTION_COLUMNS = ("pk", "application_id", "application__project_id", "code", "data")


def case_items(queryset=None, *, chunk_size: int = 1000) -> Iterator[TextItem]:
    rows = (queryset if queryset is not None else CaseRecord.objects.all()).order_by("pk")
    rows = rows.filter(application__personal_data_purged_at=None)  # the purge cleared them
    for row in rows.values_list(*_CASE_COLUMNS).iterator(chunk_size=chunk_size):
        yield _case_item(row)


def section_items(queryset=None, *, chunk_size: int = 1000) -> Iterator[TextItem]:
    rows = (queryset if queryset is not None else Section.objects.all()).filter(
        code__in=list(SECTION_TEXTS), application__personal_data_purged_at=None
    )
    for row in rows.order_by("pk").values_list(*_SECTION_COLUMNS).iterator(chunk_size=chunk_size):
        item = _section_item(row)
        if item is not None:
            yield item


def text_item(ref: str) -> TextItem | None:
    """The text `ref` names as stored now (None: gone, or not a text 查重 reads)."""
    prefix, _, pk = ref.partition(":")
    if not pk.isdigit():
        return None
    if prefix == "case":
        return next(case_items(CaseRecord.objects.filter(pk=int(pk))), None)
    if prefix == "section":
        return next(section_items(Section.objects.filter(pk=int(pk))), None)
    return None


def text_items(refs: Iterable[str]) -> dict[str, TextItem]:
    """The texts of many refs, two queries at most."""
    cases: list[int] = []
    sections: list[int] = []
    for ref in refs:
        prefix, _, pk = ref.partition(":")
        if pk.isdigit():
            (cases if prefix == "case" else sections if prefix == "section" else []).append(int(pk))
    found: dict[str, TextItem] = {}
    if cases:
        found.update((i.ref, i) for i in case_items(CaseRecord.objects.filter(pk__in=cases)))
    if sections:
        found.update((i.ref, i) for i in section_items(Section.objects.filter(pk__in=sections)))
    return found


# --- signatures ----------------------------------------------------------------------------


_NOT_WORD = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """Letters, digits and CJK characters only, lower case: punctuation, spaces and line
    breaks do not make two copies different."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).lower())


def shingles(normalised: str) -> set[str]:
    return {normalised[i : i + SHINGLE] for i in range(len(normalised) - SHINGLE + 1)}


def _constants(name: str, count: int) -> np.ndarray:
    """Fixed odd 64-bit multipliers, the same on every machine and version (the stored
    signatures and band keys must stay comparable)."""
    words = [
        int.from_bytes(hashlib.blake2b(f"{name}:{i}".encode(), digest_size=8).digest(), "little")
        | 1
        for i in range(count)
    ]
    return np.array(words, dtype=np.uint64)


_SHINGLE_MIX = _constants("shingle", 1)[0]
_BAND_MIX = _constants("band", BANDS * ROWS).reshape(BANDS, ROWS)


def shingle_hashes(normalised: str) -> np.ndarray:
    """32-bit hashes of the distinct 3-grams, computed from the code points at once: a
    3-gram is 63 bits exactly (code points < 2**21), mixed down to its high 32 bits."""
    codes = np.frombuffer(normalised.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    if len(codes) < SHINGLE:
        return np.empty(0, dtype=np.uint32)
    exact = (codes[:-2] << np.uint64(42)) ^ (codes[1:-1] << np.uint64(21)) ^ codes[2:]
    return np.unique(((exact * _SHINGLE_MIX) >> np.uint64(32)).astype(np.uint32))


def _identity(value):
    return value


# datasketch's permutations for NUM_PERM (seed 1), drawn once: drawing them costs more than
# hashing a text.
_PERMUTATIONS = MinHash(num_perm=NUM_PERM).permutations


def signature_of(normalised: str) -> np.ndarray:
    minhash = MinHash(
        num_perm=NUM_PERM, hashfunc=_identity, permutations=_PERMUTATIONS, scheme="affine32"
    )
    minhash.update_batch(shingle_hashes(normalised).tolist())
    return minhash.hashvalues.astype(SIGNATURE_DTYPE)


def band_keys(signature: np.ndarray) -> list[int]:
    """One signed 64-bit key per band: each band's minima times fixed odd multipliers of
    its own, summed (wrapping at 64 bits)."""
    bands = signature[: BANDS * ROWS].astype(np.uint64).reshape(BANDS, ROWS)
    return (bands * _BAND_MIX).sum(axis=1, dtype=np.uint64).view(np.int64).tolist()


def estimate(a: np.ndarray, b: np.ndarray) -> float:
    """The Jaccard estimate of two signatures: the share of equal minima."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def text_digest(normalised: str) -> str:
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


# --- matching ------------------------------------------------------------------------------


def project_threshold(project_id: int) -> int:
    value = (
        DuplicateSettings.objects.filter(project_id=project_id)
        .values_list("text_threshold", flat=True)
        .first()
    )
    return DEFAULT_THRESHOLD if value is None else value


def _match_row(a: TextItem, b: TextItem, similarity: int) -> Match:
    """A Match stored with the lower application id first, as Match requires."""
    if a.application_id > b.application_id:
        a, b = b, a
    return Match(
        kind=MatchKind.TEXT,
        application_id=a.application_id,
        other_application_id=b.application_id,
        ref=a.ref,
        other_ref=b.ref,
        label=a.label,
        other_label=b.label,
        similarity=similarity,
        detail={"passages": common_passages(a.text, b.text)},
    )


def _compare(
    item: TextItem, grams: set[str], others: Iterable[TextItem], threshold: int
) -> list[Match]:
    found = []
    for other in others:
        similarity = jaccard(grams, shingles(normalise(other.text)))
        percent = int(similarity * 100 + 0.5)
        if percent >= threshold:
            found.append(_match_row(item, other, percent))
    return found


def matches_save(rows: list[Match]) -> None:
    if rows:
        Match.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["kind", "ref", "other_ref"],
            update_fields=["similarity", "detail", "label", "other_label"],
        )


def _matches_of(ref: str, application_id: int | None):
    """The text matches naming `ref`, found through the two application indexes (an item
    belongs to one application for good)."""
    return Match.objects.filter(
        Q(application_id=application_id, ref=ref)
        | Q(other_application_id=application_id, other_ref=ref),
        kind=MatchKind.TEXT,
    )


def _forget(ref: str, application_id: int | None) -> None:
    _matches_of(ref, application_id).delete()
    TextFingerprint.objects.filter(ref=ref).delete()


def _bands(fingerprint: TextFingerprint, keys: list[int]) -> list[TextBand]:
    return [
        TextBand(
            fingerprint=fingerprint,
            project_id=fingerprint.project_id,
            application_id=fingerprint.application_id,
            kind=fingerprint.kind,
            key=key,
        )
        for key in keys
    ]


def text_check(*, ref: str) -> int:
    """Index the text `ref` names as it is stored now and flag its near-duplicates; returns
    how many other texts it matches. An unchanged text is left as it is; a text removed or
    too short loses its fingerprint and its matches."""
    item = text_item(ref)
    normalised = normalise(item.text) if item is not None else ""
    digest = text_digest(normalised)
    stored = TextFingerprint.objects.filter(ref=ref).values_list("digest", "application_id").first()
    if stored is not None and item is not None and stored[0] == digest:
        return _matches_of(ref, item.application_id).count()
    with transaction.atomic():
        _forget(ref, item.application_id if item is not None else stored and stored[1])
        if item is None or len(normalised) < MIN_CHARS:
            return 0
        grams = shingles(normalised)
        signature = signature_of(normalised)
        keys = band_keys(signature)
        fingerprint = TextFingerprint.objects.create(
            ref=ref,
            application_id=item.application_id,
            project_id=item.project_id,
            kind=item.kind,
            label=item.label,
            signature=signature.tobytes(),
            digest=digest,
        )
        TextBand.objects.bulk_create(_bands(fingerprint, keys))
        threshold = project_threshold(item.project_id)
        bands = TextBand.objects.filter(project_id=item.project_id, kind=item.kind, key__in=keys)
        small = [
            key
            for key, n in bands.values("key").annotate(n=Count("pk")).values_list("key", "n")
            if n <= MAX_BUCKET + 1  # + 1: this text's own row
        ]
        candidates = TextFingerprint.objects.filter(
            pk__in=bands.exclude(application_id=item.application_id)
            .values("fingerprint_id")
            .annotate(
                shared=Count("pk"),
                in_small=Max(Case(When(key__in=small, then=1), default=0)),
            )
            .filter(Q(shared__gte=MIN_SHARED) | Q(in_small=1))
            .values("fingerprint_id")
        ).values_list("ref", "signature")
        close = [
            other_ref
            for other_ref, other_signature in candidates
            if estimate(signature, np.frombuffer(bytes(other_signature), SIGNATURE_DTYPE)) * 100
            >= threshold - ESTIMATE_MARGIN
        ]
        rows = _compare(item, grams, text_items(close).values(), threshold)
        matches_save(rows)
    return len(rows)


def text_check_safely(ref: str) -> None:
    """text_check for a save hook: a failure is logged, never the candidate's problem (the
    next save or `manage.py duplicates_rebuild` indexes the text again)."""
    try:
        text_check(ref=ref)
    except Exception:
        logger.exception("查重：文字 %s 未能建立索引", ref)


# --- a whole project: re-matching and rebuilding ---------------------------------------------


def _pair_candidates(project_id: int) -> Iterator[tuple[int, int]]:
    """Every pair of fingerprints of the project on different applications that shares a
    band key outside the boilerplate buckets, or MIN_SHARED keys in all; lower id first,
    each pair once, streamed from the database."""
    bands = TextBand._meta.db_table
    sql = (
        f"SELECT a.fingerprint_id, b.fingerprint_id FROM {bands} a "
        f"JOIN {bands} b ON b.project_id = a.project_id AND b.kind = a.kind AND b.key = a.key "
        "AND b.fingerprint_id > a.fingerprint_id AND b.application_id <> a.application_id "
        f"LEFT JOIN (SELECT kind, key FROM {bands} WHERE project_id = %s "
        "GROUP BY kind, key HAVING count(*) > %s) big ON big.kind = a.kind AND big.key = a.key "
        "WHERE a.project_id = %s GROUP BY a.fingerprint_id, b.fingerprint_id "
        # MIN_SHARED bands, or one band that is not boilerplate
        "HAVING count(*) >= %s OR count(*) > count(big.key) ORDER BY 1, 2"
    )
    # A server-side cursor on PostgreSQL: the pairs never sit in memory all at once.
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, [project_id, MAX_BUCKET, project_id, MIN_SHARED])
        while chunk := cursor.fetchmany(5000):
            yield from chunk


def _signatures(ids: Iterable[int]) -> dict[int, tuple[str, np.ndarray]]:
    rows = TextFingerprint.objects.filter(pk__in=list(ids)).values_list("pk", "ref", "signature")
    return {pk: (ref, np.frombuffer(bytes(sig), SIGNATURE_DTYPE)) for pk, ref, sig in rows}


def _estimates(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise estimate of two stacks of signatures, in %."""
    return np.count_nonzero(a == b, axis=1) * (100 / NUM_PERM)


def _match_pairs(pairs: list[tuple[int, int]], threshold: int) -> list[Match]:
    signatures = _signatures({i for pair in pairs for i in pair})
    pairs = [(a, b) for a, b in pairs if a in signatures and b in signatures]
    if not pairs:
        return []
    left = np.stack([signatures[a][1] for a, _ in pairs])
    right = np.stack([signatures[b][1] for _, b in pairs])
    near = _estimates(left, right) >= threshold - ESTIMATE_MARGIN
    close = [
        (signatures[a][0], signatures[b][0])
        for (a, b), keep in zip(pairs, near, strict=True)
        if keep
    ]
    items = text_items({ref for pair in close for ref in pair})
    grams = {ref: shingles(normalise(item.text)) for ref, item in items.items()}
    rows = []
    for ref_a, ref_b in close:
        if ref_a in items and ref_b in items:
            percent = int(jaccard(grams[ref_a], grams[ref_b]) * 100 + 0.5)
            if percent >= threshold:
                rows.append(_match_row(items[ref_a], items[ref_b], percent))
    return rows


def texts_rematch_project(*, project_id: int, batch_size: int = 2000) -> int:
    """Flag the project's text matches again from the stored signatures (its threshold
    changed): no text is re-indexed. Returns how many matches there are now."""
    threshold = project_threshold(project_id)
    found = 0
    with transaction.atomic():
        Match.objects.filter(kind=MatchKind.TEXT, application__project_id=project_id).delete()
        batch: list[tuple[int, int]] = []
        for pair in _pair_candidates(project_id):
            batch.append(pair)
            if len(batch) >= batch_size:
                rows = _match_pairs(batch, threshold)
                matches_save(rows)
                found += len(rows)
                batch = []
        if batch:
            rows = _match_pairs(batch, threshold)
            matches_save(rows)
            found += len(rows)
    return found


def _index_batch(items: list[TextItem]) -> int:
    """Fingerprints and bands of a batch of texts none of which is indexed yet."""
    fingerprints, keys = [], []
    for item in items:
        normalised = normalise(item.text)
        if len(normalised) < MIN_CHARS:
            continue
        signature = signature_of(normalised)
        keys.append(band_keys(signature))
        fingerprints.append(
            TextFingerprint(
                ref=item.ref,
                application_id=item.application_id,
                project_id=item.project_id,
                kind=item.kind,
                label=item.label,
                signature=signature.tobytes(),
                digest=text_digest(normalised),
            )
        )
    TextFingerprint.objects.bulk_create(fingerprints)
    rows = (
        (fp.pk, fp.project_id, fp.application_id, fp.kind, key)
        for fp, band_keys_of in zip(fingerprints, keys, strict=True)
        for key in band_keys_of
    )
    if can_copy():  # PostgreSQL: COPY, several times faster than INSERTs for 25 rows a text
        copy_insert(
            TextBand, ["fingerprint_id", "project_id", "application_id", "kind", "key"], rows
        )
    else:
        TextBand.objects.bulk_create(
            [
                TextBand(fingerprint_id=f, project_id=p, application_id=a, kind=k, key=key)
                for f, p, a, k, key in rows
            ],
            batch_size=5000,
        )
    return len(fingerprints)


def _delete_index(project_id: int) -> None:
    """The project's bands and fingerprints, one DELETE each (no rows in memory)."""
    TextBand.objects.filter(project_id=project_id).delete()  # nothing points at a band
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {TextFingerprint._meta.db_table} WHERE project_id = %s", [project_id]
        )


def texts_rebuild(*, out=None, batch_size: int = 1000) -> dict[str, int]:
    """Index every text again from scratch, project by project, then flag the matches:
    `manage.py duplicates_rebuild`. Memory stays flat (batches of `batch_size` texts);
    `out(message)` hears the progress."""
    say = out or (lambda message: None)
    projects = sorted(
        set(CaseRecord.objects.values_list("application__project_id", flat=True).distinct())
        | set(
            Section.objects.filter(code__in=list(SECTION_TEXTS))
            .values_list("application__project_id", flat=True)
            .distinct()
        )
    )
    # Projects whose texts are all gone keep no fingerprints either.
    stale = set(TextFingerprint.objects.values_list("project_id", flat=True).distinct())
    totals = {"texts": 0, "indexed": 0, "matches": 0}
    for project_id in sorted(stale - set(projects)):
        with transaction.atomic():
            Match.objects.filter(kind=MatchKind.TEXT, application__project_id=project_id).delete()
            _delete_index(project_id)
    for project_id in projects:
        with transaction.atomic():
            _delete_index(project_id)
        seen = indexed = 0
        sources = (
            case_items(CaseRecord.objects.filter(application__project_id=project_id)),
            section_items(Section.objects.filter(application__project_id=project_id)),
        )
        for source in sources:
            batch: list[TextItem] = []
            for item in source:
                batch.append(item)
                if len(batch) >= batch_size:
                    with transaction.atomic():
                        indexed += _index_batch(batch)
                    seen += len(batch)
                    batch = []
                    say(f"考试项目 {project_id}：已读 {seen} 份文字，已建索引 {indexed} 份")
            if batch:
                with transaction.atomic():
                    indexed += _index_batch(batch)
                seen += len(batch)
        matches = texts_rematch_project(project_id=project_id)
        say(f"考试项目 {project_id}：共 {seen} 份文字，已建索引 {indexed} 份，相似 {matches} 对")
        totals["texts"] += seen
        totals["indexed"] += indexed
        totals["matches"] += matches
    return totals
