"""修改内容 (issue 16 §1): the application as a reviewer returned it (允许修改), and what the
candidate changed since, round by round. review/changes.py is the pure diff; this module
reads the database and the storage.

Files: each one is read once through the storage API for its sha256 and copied to
review-snapshots/<application>/<sha256><ext> (one copy per content and application), so the
old file stays readable after the candidate replaces or deletes it — replacing a TCM
attachment deletes the old file, and a deleted material takes its image along. A later
round reuses what an earlier one hashed and copied: a file under the same stored name is the
same file (stored names are never reused).

Queries: one per kind of row (sections, each material type, case records, teachers,
attachments), whatever the number of rows.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.urls import reverse

from exam import sections as exam_sections
from exam.models import (
    MATERIAL_MODELS,
    Application,
    Attachment,
    CaseRecord,
    ExamKind,
    Recommender,
    Section,
    TierReview,
)
from exam.section_display import display_value, material_fields
from review.changes import (
    PAYLOAD_VERSION,
    SectionChanges,
    diff_payloads,
    payload_files,
)
from review.models import ReturnSnapshot

SNAPSHOT_FOLDER = "review-snapshots"
SNAPSHOT_FILE_KIND = "snapshot"  # the file view's kind for a snapshot's copy (?f=<sha256>)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
# What the payload reads of the application besides its own columns: one query.
PAYLOAD_RELATED = (
    "project",
    "candidate__ethnicity",
    "candidate__political_status",
    "level",
    "specialty",
    "entry_institution",
)
CASE_RECORD_SKIP = {"id", "application", "number"}
HEALTH_DATA_SKIP = {"specialty"}
TITLE_FIELDS = ("school", "title_name", "certificate_no")  # what names a material row


class _Files:
    """Turns stored files into payload entries: sha256 (and, for a snapshot, a kept copy).
    `known`: stored name → entry of the previous snapshot, whose hash and copy are reused."""

    def __init__(self, *, application_id: int, known: dict[str, dict], keep: bool) -> None:
        self.application_id = application_id
        self.known = known
        self.keep = keep

    def _read(self, name: str, storage: Any) -> tuple[str, str]:
        with storage.open(name, "rb") as handle:
            data = handle.read()
        sha = hashlib.sha256(data).hexdigest()
        if not self.keep:
            return sha, ""
        suffix = PurePath(name).suffix.lower()[:8]
        name = f"{SNAPSHOT_FOLDER}/{self.application_id}/{sha}{suffix}"
        if not default_storage.exists(name):
            name = default_storage.save(name, ContentFile(data))
        return sha, name

    def entry(
        self, file: FieldFile, *, slot: str, label: str, kind: str, obj_id: int, content_type=""
    ) -> dict[str, Any] | None:
        if not file or not file.name:
            return None
        name = file.name
        earlier = self.known.get(name)
        if earlier and (earlier.get("copy") or not self.keep):
            sha, kept = earlier["sha256"], earlier.get("copy", "")
        else:
            try:
                sha, kept = self._read(name, file.storage)
            except FileNotFoundError:  # gone from the storage: listed, without content
                sha, kept = "", ""
        lower = name.lower()
        return {
            "slot": slot,
            "label": label,
            "name": name,
            "sha256": sha,
            "copy": kept,
            "kind": kind,
            "id": obj_id,
            "is_image": content_type.startswith("image/")
            if content_type
            else lower.endswith(IMAGE_SUFFIXES),
            "is_pdf": content_type == "application/pdf" if content_type else lower.endswith(".pdf"),
        }


def _text(value: Any) -> str:
    return str(display_value(value, empty=""))


def _data_fields(kind: str, code: str, data: dict) -> tuple[list, list]:
    """A section's data as (fields, lists): list values (学习经历 …) item by item. A health
    section's data is read for its labelled keys only: the rest repeats the material rows
    (compared as records), and 申报类别 is the application's, by name."""
    labels = exam_sections.field_labels(kind, code)
    if kind == ExamKind.HEALTH_QUALIFICATION:
        data = {k: v for k, v in data.items() if k in labels and k not in HEALTH_DATA_SKIP}
    fields, lists = [], []
    for key in [k for k in labels if k in data] + [k for k in data if k not in labels]:
        label, value = labels.get(key, key), data[key]
        if isinstance(value, list):
            item_labels = dict(exam_sections.TCM_ITEM_FIELDS.get(key, []))
            items = [str(display_value([item], item_labels, empty="")) for item in value]
            lists.append([label, items])
        else:
            fields.append([label, _text(value)])
    return fields, lists


def _basic_fields(application: Application) -> list[list[str]]:
    candidate = application.candidate
    fields = [
        ["姓名", candidate.name],
        ["证件类型", candidate.get_id_type_display()],
        ["证件号码", candidate.id_number],
        ["性别", candidate.get_gender_display()],
        ["出生日期", _text(candidate.birth_date)],
        ["民族", _text(candidate.ethnicity)],
        ["政治面貌", _text(candidate.political_status)],
        ["手机号码", candidate.phone],
        ["申报类型", application.project.name],
    ]
    if application.project.kind == ExamKind.TCM_EXPERTISE:
        fields.append(["考生类型", application.get_track_display()])
    else:
        fields += [
            ["申报级别", _text(application.level)],
            ["申报类别", _text(application.specialty)],
            ["学历层级", application.highest_education],
        ]
    fields.append(["申报单位", application.entry_institution.name])
    return fields


def _material_records(application: Application, files: _Files) -> dict[str, list[dict]]:
    records: dict[str, list[dict]] = {}
    for model in MATERIAL_MODELS:
        name = str(model._meta.model_name)
        rows = model._default_manager.filter(application=application).order_by("id")
        if name == "educationrecord":
            rows = rows.select_related("level")  # type: ignore[misc]  # 学历层次 (EducationRecord)
        for row in rows:
            fields = [[label, _text(value)] for label, value in material_fields(row, empty="")]
            what = next(
                (str(getattr(row, n)) for n in TITLE_FIELDS if getattr(row, n, "")),
                next((v for _, v in fields if v), ""),
            )
            image = files.entry(row.image, slot="image", label="证书图片", kind=name, obj_id=row.pk)
            records.setdefault(model.SECTION_CODE, []).append(
                {
                    "key": f"{name}:{row.pk}",
                    "group": model.LABEL,
                    "title": f"{model.LABEL}：{what}" if what else model.LABEL,
                    "fields": fields,
                    "files": [image] if image else [],
                }
            )
    return records


def _case_records(application: Application) -> list[dict]:
    result = []
    for case in CaseRecord.objects.filter(application=application).order_by("number"):
        fields = []
        for f in CaseRecord._meta.concrete_fields:
            if f.name in CASE_RECORD_SKIP:
                continue
            getter = getattr(case, f"get_{f.name}_display", None)
            fields.append(
                [str(f.verbose_name), _text(getter() if getter else getattr(case, f.name))]
            )
        result.append(
            {
                "key": f"case:{case.number}",
                "group": "回顾性中医医术实践资料",
                "title": f"病案{case.number}",
                "fields": fields,
                "files": [],
            }
        )
    return result


def _teachers(application: Application, files: _Files) -> list[dict]:
    result = []
    for rec in Recommender.objects.filter(application=application).select_related("physician"):
        signature = files.entry(
            rec.signature, slot="signature", label="签名", kind="signature", obj_id=rec.pk
        )
        result.append(
            {
                "key": f"{rec.role}:{rec.id_number}",
                "group": rec.get_role_display(),
                "title": f"{rec.get_role_display()}：{rec.name}",
                "fields": [
                    ["姓名", rec.name],
                    ["执业机构", rec.physician.institution_name],
                    ["职称", _text(rec.physician.title)],
                    ["状态", rec.get_status_display()],
                    ["推荐承诺书", "已勾选" if rec.pledge_accepted else "未勾选"],
                    ["评价", rec.evaluation],
                    ["意见", rec.opinion],
                ],
                "files": [signature] if signature else [],
            }
        )
    return result


def _attachments(application: Application, files: _Files) -> dict[str, list[dict]]:
    """Section code → files; the n-th file of one kind (and teacher) is one slot."""
    result: dict[str, list[dict]] = {}
    seen: dict[str, int] = {}
    rows = Attachment.objects.filter(application=application).select_related("recommender")
    for attachment in rows.order_by("section_code", "recommender_id", "kind", "id"):
        owner, label = "", attachment.label
        teacher = attachment.recommender
        if teacher is not None:
            owner, label = f"{teacher.role}:{teacher.id_number}", f"{teacher.name}：{label}"
        place = f"{attachment.section_code}|{owner}|{attachment.kind}"
        seen[place] = seen.get(place, 0) + 1
        entry = files.entry(
            attachment.file,
            slot=f"{place}|{seen[place]}",
            label=label,
            kind="attachment",
            obj_id=attachment.pk,
            content_type=attachment.content_type,
        )
        if entry:
            result.setdefault(attachment.section_code, []).append(entry)
    return result


def build_payload(*, application: Application, files: _Files) -> dict[str, Any]:
    """`application` with PAYLOAD_RELATED loaded."""
    kind = application.project.kind
    by_code = {s.code: s for s in Section.objects.filter(application=application)}
    is_tcm = kind == ExamKind.TCM_EXPERTISE
    materials = {} if is_tcm else _material_records(application, files)
    attachments = _attachments(application, files)
    special = {"expertise": _case_records(application)} if is_tcm else {}
    if is_tcm:
        special["recommendation"] = _teachers(application, files)
    sections = []
    for definition in exam_sections.sections_for(kind, application.track):
        section = by_code.get(definition.code)
        fields, lists = _data_fields(kind, definition.code, section.data if section else {})
        files_here = attachments.pop(definition.code, [])
        if definition.code == "basic":
            own = _basic_fields(application)
            taken = {label for label, _ in own}
            fields = own + [pair for pair in fields if pair[0] not in taken]
            candidate = application.candidate
            photo = files.entry(
                candidate.photo,
                slot="photo",
                label="证件照",
                kind="candidate-photo",
                obj_id=candidate.pk,
            )
            files_here = ([photo] if photo else []) + files_here
        sections.append(
            {
                "code": definition.code,
                "label": definition.label,
                "fields": fields,
                "lists": lists,
                "records": materials.get(definition.code, []) + special.get(definition.code, []),
                "files": files_here,
            }
        )
    for code, rest in attachments.items():  # files of a section the track no longer has
        label = exam_sections.section_label(kind, code)
        sections.append(
            {"code": code, "label": label, "fields": [], "lists": [], "records": [], "files": rest}
        )
    return {"v": PAYLOAD_VERSION, "sections": sections}


def return_snapshot_write(
    *, actor: AbstractBaseUser, application: Application, tier_review: TierReview, remark: str
) -> ReturnSnapshot:
    """允许修改's snapshot, inside review.services.tier_review_decide's transaction (which
    checked the permission, locked the application and logs the decision). Sets
    `application.return_rounds`; the caller saves the application."""
    previous = ReturnSnapshot.objects.filter(application=application).order_by("-round").first()
    known = {f["name"]: f for f in payload_files(previous.payload)} if previous else {}
    loaded = Application.objects.select_related(*PAYLOAD_RELATED).get(pk=application.pk)
    payload = build_payload(
        application=loaded, files=_Files(application_id=application.pk, known=known, keep=True)
    )
    number = max(application.return_rounds, previous.round if previous else 0) + 1
    application.return_rounds = number
    return ReturnSnapshot.objects.create(
        application=application,
        round=number,
        tier=tier_review.tier,
        institution_id=tier_review.institution_id,
        returned_by_id=actor.pk if actor.is_authenticated else None,
        remark=remark,
        payload=payload,
    )


# --- reads for the detail page ---------------------------------------------------------------


def snapshot_file(application: Application, snapshot_id: int, sha256: str) -> FieldFile | None:
    """A snapshot's kept copy, only if that snapshot of this application lists it."""
    snapshot = ReturnSnapshot.objects.filter(application=application, pk=snapshot_id).first()
    if snapshot is None or not sha256:
        return None
    entry = next(
        (f for f in payload_files(snapshot.payload) if f.get("sha256") == sha256 and f["copy"]),
        None,
    )
    if entry is None:
        return None
    # No row of its own: the attachments' file field lends its storage (the default one).
    return FieldFile(None, Attachment._meta.get_field("file"), entry["copy"])  # type: ignore[arg-type]


@dataclass
class ChangeRound:
    snapshot: ReturnSnapshot
    against: str  # what the snapshot is compared with
    changed: list[SectionChanges] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # section labels


@dataclass
class ChangesView:
    rounds: list[ChangeRound]  # newest first
    open_first: bool  # resubmitted since the last return: the page opens on 修改内容


def _file_view_url(application_id: int, kind: str, obj_id: int, sha: str = "") -> str:
    url = reverse("admin:review_reviewapplication_file", args=[application_id, kind, obj_id])
    return f"{url}?f={sha}" if sha else url


def _with_urls(payload: dict, application_id: int, snapshot: ReturnSnapshot | None) -> dict:
    """A copy of the payload whose files carry the permission-checked URL to show them: the
    snapshot's kept copy, or the application's current file."""
    payload = copy.deepcopy(payload)
    for f in payload_files(payload):
        if snapshot is None:
            f["url"] = _file_view_url(application_id, f["kind"], f["id"])
        elif f.get("copy"):
            f["url"] = _file_view_url(application_id, SNAPSHOT_FILE_KIND, snapshot.pk, f["sha256"])
        else:
            f["url"] = ""
    return payload


def _round(snapshot: ReturnSnapshot, old: dict, new: dict, against: str) -> ChangeRound:
    result = ChangeRound(snapshot=snapshot, against=against)
    for section in diff_payloads(old, new):
        if section.changed:
            result.changed.append(section)
        else:
            result.unchanged.append(section.label)
    return result


def application_changes(*, application: Application) -> ChangesView | None:
    """Each 允许修改 round against what came next: the next round's snapshot, and for the
    last one the application as it is now — once resubmitted. None: never returned."""
    if not application.return_rounds:
        return None  # most applications: no query
    snapshots = list(
        ReturnSnapshot.objects.filter(application=application)
        .select_related("institution", "returned_by")
        .order_by("round")
    )
    if not snapshots:
        return None
    pk = application.pk
    rounds = []
    for snapshot, following in zip(snapshots, snapshots[1:], strict=False):
        rounds.append(
            _round(
                snapshot,
                _with_urls(snapshot.payload, pk, snapshot),
                _with_urls(following.payload, pk, following),
                f"第{following.round}次退回时的内容",
            )
        )
    resubmitted = application.status != Application.Status.RETURNED
    if resubmitted:
        last = snapshots[-1]
        known = {f["name"]: f for f in payload_files(last.payload)}
        loaded = Application.objects.select_related(*PAYLOAD_RELATED).get(pk=pk)
        current = build_payload(
            application=loaded, files=_Files(application_id=pk, known=known, keep=False)
        )
        rounds.append(
            _round(
                last,
                _with_urls(last.payload, pk, last),
                _with_urls(current, pk, None),
                "重新提交的内容",
            )
        )
    rounds.reverse()
    return ChangesView(rounds=rounds, open_first=resubmitted)
