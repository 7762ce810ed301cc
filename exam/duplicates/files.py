"""查重 of certificate files: the same or a near-identical photo on two candidates.

Every certificate file of an application — a health `Material.image` (each of
MATERIAL_MODELS) and a TCM `Attachment.file` the candidate uploaded — gets a FileFingerprint:
the sha256 of its bytes and, for an image, a 64-bit perceptual hash (ImageHash's `phash`,
after the EXIF orientation is applied, so a photo stored sideways hashes like the upright
one). Not fingerprinted: the identity photo (it is the candidate's, shared by all their
applications, and checked against the person at 现场确认) and the teachers' own proofs and
signatures (one teacher's certificate legitimately appears on every apprentice's
application; the recommenders' list covers teachers).

Matching, against every other candidate's fingerprints (any project):
- the same sha256 → Match(kind=file_same, similarity=100);
- a perceptual hash within NEAR_MAX_DISTANCE bits, and the two pictures the same once
  aligned (image_verify: one school's diplomas hash alike whoever they belong to) →
  Match(kind=file_near, similarity=100·(1 − d/64)). The hash is split into four indexed 16-bit bands; two hashes
  at most 4·(r+1)−1 bits apart have a band within r bits (pigeonhole), so the lookup asks
  for the few band values within BAND_RADIUS of each band and checks the distance on the
  rows it finds.

Items are named like find_file's links ("attachment:12", "educationrecord:5"). Files are
read only through the storage API (they may be in a bucket).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations

import imagehash
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Model, Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django_tasks import task
from PIL import Image, ImageOps

from exam.duplicates.image_verify import same_picture
from exam.duplicates.models import FileFingerprint, Match, MatchKind
from exam.models import MATERIAL_MODELS, Attachment

logger = logging.getLogger(__name__)

NEAR_MAX_DISTANCE = 14  # bits of 64: a re-saved photo cropped by up to 5 % stays within it
BAND_BITS = 16
BAND_RADIUS = NEAR_MAX_DISTANCE // 4  # 4 bands: d ≤ 4·(r+1)−1 = 15 is always found
INLINE_MAX_BYTES = 2 * 1024 * 1024  # larger files are hashed by the job worker
MAX_VERIFIED = 10  # near candidates compared picture to picture (about 0.1 s each)
MAX_MATCHES_PER_ITEM = 50  # a blank form uploaded by hundreds must not flood the list
FILE_KINDS = (MatchKind.FILE_SAME, MatchKind.FILE_NEAR)
CHUNK = 1024 * 1024
MATERIAL_KINDS: dict[str, type[Model]] = {m._meta.model_name: m for m in MATERIAL_MODELS}


@dataclass(frozen=True)
class FileItem:
    ref: str
    label: str
    application_id: int
    candidate_id: int
    file: FieldFile


# --- hashing ---------------------------------------------------------------------------------


def file_hashes(field_file: FieldFile) -> tuple[str, str]:
    """(sha256 hex, perceptual hash hex or "" when the file is not an image)."""
    digest = hashlib.sha256()
    with field_file.storage.open(field_file.name, "rb") as handle:
        head = b""
        while chunk := handle.read(CHUNK):
            head = head or chunk[:8]
            digest.update(chunk)
    if head.startswith(b"%PDF"):
        return digest.hexdigest(), ""
    with field_file.storage.open(field_file.name, "rb") as handle:
        try:
            image = Image.open(handle)
            image.draft("L", (512, 512))  # a JPEG decodes at a reduced scale: fast, same hash
            return digest.hexdigest(), image_phash(image)
        except (OSError, Image.DecompressionBombError, ValueError):
            return digest.hexdigest(), ""


def image_phash(image: Image.Image) -> str:
    """The 64-bit perceptual hash (16 hex digits) of the image as it is meant to be seen."""
    return str(imagehash.phash(ImageOps.exif_transpose(image)))


def phash_bands(phash: str) -> list[int]:
    value = int(phash, 16)
    return [(value >> (BAND_BITS * (3 - i))) & 0xFFFF for i in range(4)]


def _within(radius: int) -> list[int]:
    """Every 16-bit mask of at most `radius` set bits (XOR them onto a band)."""
    masks = [0]
    for bits in range(1, radius + 1):
        masks += [sum(1 << b for b in combo) for combo in combinations(range(BAND_BITS), bits)]
    return masks


_MASKS = _within(BAND_RADIUS)


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def similarity_of(distance: int) -> int:
    return round(100 * (1 - distance / 64))


# --- items -----------------------------------------------------------------------------------


def file_item(obj: Model) -> FileItem | None:
    """The fingerprinted item behind an attachment or material (None: not fingerprinted)."""
    if isinstance(obj, Attachment):
        if obj.recommender_id or not obj.file:
            return None
        ref, label, field_file = f"attachment:{obj.pk}", obj.label, obj.file
    elif type(obj) in MATERIAL_MODELS:
        if not obj.image:
            return None
        ref, label, field_file = f"{obj._meta.model_name}:{obj.pk}", obj.LABEL, obj.image
    else:
        return None
    application = obj.application
    return FileItem(ref, label[:128], application.pk, application.candidate_id, field_file)


def item_ref(obj: Model) -> str:
    name = "attachment" if isinstance(obj, Attachment) else obj._meta.model_name
    return f"{name}:{obj.pk}"


def item_by_ref(ref: str) -> FileItem | None:
    kind, _, pk = ref.partition(":")
    model = Attachment if kind == "attachment" else MATERIAL_KINDS.get(kind)
    if model is None or not pk.isdigit():
        return None
    obj = model.objects.select_related("application").filter(pk=int(pk)).first()
    return file_item(obj) if obj is not None else None


# --- fingerprint and match --------------------------------------------------------------------


def fingerprint_store(item: FileItem) -> FileFingerprint:
    """Hash the item's file, store its fingerprint and replace its matches."""
    sha256, phash = file_hashes(item.file)
    bands = phash_bands(phash) if phash else [None] * 4
    with transaction.atomic():
        fingerprint, _ = FileFingerprint.objects.update_or_create(
            ref=item.ref,
            defaults={
                "application_id": item.application_id,
                "candidate_id": item.candidate_id,
                "label": item.label,
                "file_name": item.file.name[:255],
                "sha256": sha256,
                "phash": phash,
                **{f"band{i}": band for i, band in enumerate(bands)},
            },
        )
        matches_rebuild(fingerprint)
    return fingerprint


def near_candidates(phash: str, *, exclude_candidate: int | None = None):
    """(pk, phash) of the fingerprints that may be within NEAR_MAX_DISTANCE of `phash`: one
    indexed lookup per band (on PostgreSQL an index-only scan each), a row found twice
    listed twice."""
    parts = []
    for i, band in enumerate(phash_bands(phash)):
        rows = FileFingerprint.objects.filter(
            **{f"band{i}__in": sorted({band ^ mask for mask in _MASKS})}
        )
        if exclude_candidate is not None:
            rows = rows.exclude(candidate_id=exclude_candidate)
        parts.append(rows.values_list("pk", "phash").order_by())
    return parts[0].union(*parts[1:], all=True)


def _found(fingerprint: FileFingerprint) -> list[tuple[FileFingerprint, int]]:
    """(other fingerprint, distance) for every other candidate's same or near file."""
    others = FileFingerprint.objects.exclude(candidate_id=fingerprint.candidate_id)
    distances = {
        pk: 0 for pk in others.filter(sha256=fingerprint.sha256).values_list("pk", flat=True)
    }
    if fingerprint.phash:
        # Only (pk, hash) of the band candidates: the distance is checked here, and only the
        # few within it are read whole.
        probe = int(fingerprint.phash, 16)
        near = near_candidates(fingerprint.phash, exclude_candidate=fingerprint.candidate_id)
        for pk, phash in near.iterator(chunk_size=5000):
            if pk not in distances:
                distance = (probe ^ int(phash, 16)).bit_count()
                if distance <= NEAR_MAX_DISTANCE:
                    distances[pk] = distance
    best = sorted(distances.items(), key=lambda pair: (pair[1], pair[0]))[:MAX_MATCHES_PER_ITEM]
    rows = FileFingerprint.objects.only(
        "pk", "ref", "label", "application_id", "phash", "sha256", "file_name"
    ).in_bulk([pk for pk, _ in best])
    found = [(rows[pk], distance) for pk, distance in best if pk in rows]
    return _verified(fingerprint, found)


def _open_image(name: str) -> Image.Image | None:
    try:
        with default_storage.open(name, "rb") as handle:
            image = Image.open(handle)
            image.draft("L", (1600, 1600))
            image.load()
            return image
    except (OSError, Image.DecompressionBombError, ValueError):
        return None


def _verified(
    fingerprint: FileFingerprint, found: list[tuple[FileFingerprint, int]]
) -> list[tuple[FileFingerprint, int]]:
    """Keep a near hash only when the two pictures are the same picture (image_verify): one
    school's diplomas hash alike whoever they belong to. At most MAX_VERIFIED are compared,
    nearest first; the same bytes need no comparison."""
    near = [(other, d) for other, d in found if other.sha256 != fingerprint.sha256]
    if not near:
        return found
    probe = _open_image(fingerprint.file_name)
    kept = {other.pk for other, _ in found if other.sha256 == fingerprint.sha256}
    for other, _ in near[:MAX_VERIFIED] if probe is not None else []:
        image = _open_image(other.file_name)
        if image is not None and same_picture(probe, image):
            kept.add(other.pk)
    return [(other, d) for other, d in found if other.pk in kept]


def _match(fingerprint: FileFingerprint, other: FileFingerprint, distance: int) -> Match:
    same = distance == 0 and other.sha256 == fingerprint.sha256
    first, second = sorted((fingerprint, other), key=lambda f: f.application_id)
    return Match(
        kind=MatchKind.FILE_SAME if same else MatchKind.FILE_NEAR,
        application_id=first.application_id,
        other_application_id=second.application_id,
        ref=first.ref,
        other_ref=second.ref,
        label=first.label,
        other_label=second.label,
        similarity=100 if same else similarity_of(distance),
        detail={} if same else {"distance": distance},
    )


def matches_rebuild(fingerprint: FileFingerprint) -> int:
    """Replace the file matches of one fingerprint; how many it has now."""
    file_matches_drop(fingerprint.ref)
    rows = [
        _match(fingerprint, other, distance)
        for other, distance in _found(fingerprint)
        if other.application_id != fingerprint.application_id
    ]
    Match.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def file_matches_drop(ref: str) -> None:
    Match.objects.filter(Q(ref=ref) | Q(other_ref=ref), kind__in=FILE_KINDS).delete()


def fingerprint_drop(ref: str) -> None:
    """A file deleted or replaced by none: its fingerprint and matches go."""
    FileFingerprint.objects.filter(ref=ref).delete()
    file_matches_drop(ref)


# --- when a file is saved ---------------------------------------------------------------------


def fingerprint_on_commit(obj: Model) -> None:
    """Called by the write services after a file is attached: once the transaction commits,
    fingerprint it (a large file, or any failure, goes to the job worker instead). Never
    raises: the candidate's save must not fail because of 查重."""
    ref = item_ref(obj)
    size = getattr(obj, "size", 0) or 0
    transaction.on_commit(lambda: fingerprint_now_or_later(ref, size=size))


def fingerprint_now_or_later(ref: str, *, size: int = 0) -> None:
    if size <= INLINE_MAX_BYTES:
        try:
            item = item_by_ref(ref)
            if item is None:
                fingerprint_drop(ref)
                return
            if item.file.size <= INLINE_MAX_BYTES:
                fingerprint_store(item)
                return
        except Exception:  # noqa: BLE001 - any failure: the worker tries again
            logger.exception("查重：文件指纹计算失败，转后台任务 %s", ref)
    try:
        fingerprint_file_task.enqueue(ref)
    except Exception:  # noqa: BLE001 - the nightly rebuild catches what is lost here
        logger.exception("查重：无法提交文件指纹任务 %s", ref)


@task()
def fingerprint_file_task(ref: str) -> None:
    item = item_by_ref(ref)
    if item is None:
        fingerprint_drop(ref)
    else:
        fingerprint_store(item)


# --- rebuild --------------------------------------------------------------------------------


def _all_items(batch_size: int) -> Iterator[FileItem]:
    querysets = [
        Attachment.objects.filter(recommender__isnull=True).exclude(file=""),
        *(model.objects.exclude(image="") for model in MATERIAL_MODELS),
    ]
    for queryset in querysets:
        rows = queryset.select_related("application").order_by("pk")
        for obj in rows.iterator(chunk_size=batch_size):
            item = file_item(obj)
            if item is not None:
                yield item


def files_rebuild(*, out=None, batch_size: int = 500) -> dict[str, int]:
    """Re-fingerprint and re-match every certificate file, `batch_size` rows read at a time
    (constant memory); fingerprints of items that no longer exist go. Counts;
    `out(message)` hears the progress (`manage.py duplicates_rebuild`)."""
    say = out or (lambda message: None)
    started = timezone.now()
    counts = {"files": 0, "failed": 0}
    for item in _all_items(batch_size):
        try:
            fingerprint_store(item)
            counts["files"] += 1
        except Exception:  # noqa: BLE001 - one unreadable file must not stop the rebuild
            logger.exception("查重：文件指纹计算失败 %s", item.ref)
            counts["failed"] += 1
        done = counts["files"] + counts["failed"]
        if done % 1000 == 0:
            say(f"  文件 {done}")
    stale = FileFingerprint.objects.filter(computed_at__lt=started).order_by("pk")
    counts["dropped"] = 0
    while refs := list(stale.values_list("ref", flat=True)[:batch_size]):
        for ref in refs:
            fingerprint_drop(ref)
        counts["dropped"] += len(refs)
    counts["matches"] = Match.objects.filter(kind__in=FILE_KINDS).count()
    return counts
