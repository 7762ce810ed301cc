"""修改内容: what changed between two forms of one application (issue 16 §1). Pure: no
database, no storage; review/snapshots.py builds the payloads and reads the files.

A payload is the application as a reviewer sees it, in labels and display strings, so a
snapshot keeps reading the same after the code or the reference data move on:

    {"v": 1, "sections": [
        {"code": "basic", "label": "基础信息",
         "fields": [[label, value], …],               # one value per label
         "lists": [[label, [item, …]], …],            # 学习经历 …: items compared by content
         "records": [{"key", "group", "title", "fields": [[label, value]], "files": [file]}],
         "files": [file]},
        …]}
    file = {"slot", "label", "name", "sha256", "copy", "kind", "id", "is_image", "is_pdf"}

A record keeps its key across edits (a material's id, a 病案's number, a teacher's role and
ID number); a file keeps its slot (its place: 证书图片 of that record, the n-th file of one
kind in a section), so a new file in the same place is a replacement. Two files are the same
when their stored names are, or else their sha256 (a file uploaded again unchanged).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PAYLOAD_VERSION = 1


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class FileChange:
    label: str
    old: dict[str, Any] | None  # None: added
    new: dict[str, Any] | None  # None: removed

    @property
    def action(self) -> str:
        if self.old is None:
            return "新增"
        if self.new is None:
            return "删除"
        return "更换"


@dataclass
class RecordChange:
    group: str
    title: str
    fields: list[FieldChange] = field(default_factory=list)
    files: list[FileChange] = field(default_factory=list)


@dataclass
class RecordView:
    group: str
    title: str
    fields: list[tuple[str, str]]


@dataclass
class SectionChanges:
    code: str
    label: str
    fields: list[FieldChange] = field(default_factory=list)
    items_added: list[tuple[str, str]] = field(default_factory=list)  # (list label, item)
    items_removed: list[tuple[str, str]] = field(default_factory=list)
    records_added: list[RecordView] = field(default_factory=list)
    records_removed: list[RecordView] = field(default_factory=list)
    records_changed: list[RecordChange] = field(default_factory=list)
    files: list[FileChange] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.fields
            or self.items_added
            or self.items_removed
            or self.records_added
            or self.records_removed
            or self.records_changed
            or self.files
        )

    @property
    def count(self) -> int:
        """How many things changed (the collapsed line's figure)."""
        return (
            len(self.fields)
            + len(self.items_added)
            + len(self.items_removed)
            + len(self.records_added)
            + len(self.records_removed)
            + len(self.records_changed)
            + len(self.files)
        )


def _pairs(items: list[list[Any]] | None) -> dict[str, Any]:
    """[[label, value], …] as a dict, first label wins (labels are unique in practice)."""
    result: dict[str, Any] = {}
    for label, value in items or []:
        result.setdefault(label, value)
    return result


def _ordered_keys(new: dict[str, Any], old: dict[str, Any]) -> list[str]:
    return [*new, *(k for k in old if k not in new)]


def diff_fields(old: list[list[Any]] | None, new: list[list[Any]] | None) -> list[FieldChange]:
    before, after = _pairs(old), _pairs(new)
    return [
        FieldChange(label, str(before.get(label, "")), str(after.get(label, "")))
        for label in _ordered_keys(after, before)
        if str(before.get(label, "")) != str(after.get(label, ""))
    ]


def same_file(old: dict[str, Any], new: dict[str, Any]) -> bool:
    if old.get("name") and old.get("name") == new.get("name"):
        return True
    return bool(old.get("sha256")) and old.get("sha256") == new.get("sha256")


def diff_files(old: list[dict] | None, new: list[dict] | None) -> list[FileChange]:
    before = {f["slot"]: f for f in old or []}
    after = {f["slot"]: f for f in new or []}
    changes = []
    for slot in _ordered_keys(after, before):
        a, b = before.get(slot), after.get(slot)
        if a is not None and b is not None and same_file(a, b):
            continue
        changes.append(FileChange(label=(b or a or {}).get("label", ""), old=a, new=b))
    return changes


def _items_diff(
    old: list[list[Any]] | None, new: list[list[Any]] | None
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """List items (学习经历 …) by content: what is only in the new, only in the old."""
    before, after = _pairs(old), _pairs(new)
    added: list[tuple[str, str]] = []
    removed: list[tuple[str, str]] = []
    for label in _ordered_keys(after, before):
        a, b = list(before.get(label) or []), list(after.get(label) or [])
        for item in b:
            if item in a:
                a.remove(item)
            else:
                added.append((label, item))
        removed.extend((label, item) for item in a)
    return added, removed


def _record_view(record: dict[str, Any]) -> RecordView:
    return RecordView(
        group=record.get("group", ""),
        title=record.get("title", ""),
        fields=[(label, str(value)) for label, value in record.get("fields", [])],
    )


def diff_section(old: dict[str, Any] | None, new: dict[str, Any] | None) -> SectionChanges:
    old, new = old or {}, new or {}
    either = new or old
    changes = SectionChanges(code=either.get("code", ""), label=either.get("label", ""))
    changes.fields = diff_fields(old.get("fields"), new.get("fields"))
    changes.items_added, changes.items_removed = _items_diff(old.get("lists"), new.get("lists"))
    changes.files = diff_files(old.get("files"), new.get("files"))
    before = {r["key"]: r for r in old.get("records", [])}
    after = {r["key"]: r for r in new.get("records", [])}
    for key in _ordered_keys(after, before):
        a, b = before.get(key), after.get(key)
        if a is None and b is not None:
            changes.records_added.append(_record_view(b))
        elif b is None and a is not None:
            changes.records_removed.append(_record_view(a))
        elif a is not None and b is not None:
            record = RecordChange(
                group=b.get("group", ""),
                title=b.get("title", ""),
                fields=diff_fields(a.get("fields"), b.get("fields")),
                files=diff_files(a.get("files"), b.get("files")),
            )
            if record.fields or record.files:
                changes.records_changed.append(record)
    return changes


def diff_payloads(old: dict[str, Any], new: dict[str, Any]) -> list[SectionChanges]:
    """Every section of either payload, in the new one's order, changed or not."""
    before = {s["code"]: s for s in old.get("sections", [])}
    after = {s["code"]: s for s in new.get("sections", [])}
    return [
        diff_section(before.get(code), after.get(code)) for code in _ordered_keys(after, before)
    ]


def payload_files(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Every file of a payload (sections' and records')."""
    files = []
    for section in payload.get("sections", []):
        files.extend(section.get("files", []))
        for record in section.get("records", []):
            files.extend(record.get("files", []))
    return files


def known_hashes(payload: dict[str, Any]) -> dict[str, str]:
    """Stored name → sha256 of a payload's files: a file stored under the same name is the
    same file (stored names are never reused), so it need not be read again."""
    return {f["name"]: f["sha256"] for f in payload_files(payload) if f.get("sha256")}
