"""学习经历: the records (each with its 学历证书) and the 继续教育经历, added one at a time."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from exam.site.registry import file_url
from exam.site.sections.tcm.base import (
    TcmSectionForm,
    choice_field,
    date_field,
    json_value,
    required_error,
    text_field,
    textarea_field,
)
from exam.tcm_lists import DIPLOMA, EDUCATIONS, NO, YES
from exam.uploads import UploadField


class StudyForm(TcmSectionForm):
    """学习经历 (each with its 学历证书) and 继续教育经历. A new record is added when all its
    fields (and the diploma) are there; records and diplomas pair up in order."""

    data_keys = ("has_study", "records", "no_study_note", "continuing_education")
    all_slots = ()

    has_study = choice_field(
        "是否有学习经历",
        [(YES, "有学习经历"), (NO, "无学习经历")],
        widget=forms.RadioSelect,
    )
    no_study_note = textarea_field("无学习经历说明", required=False, max_length=1000)
    rec_school = text_field("学校", required=False)
    rec_education = choice_field(
        "学历", [("", "请选择")] + [(e, e) for e in EDUCATIONS], required=False
    )
    rec_major = text_field("专业", required=False, max_length=64)
    rec_started_on = date_field("起始时间", required=False)
    rec_ended_on = date_field("结束时间", required=False)
    rec_certificate_no = text_field("学历证书编号", required=False, max_length=64)
    ce_institution = text_field("教育机构", required=False)
    ce_started_on = date_field("起始时间 ", required=False)
    ce_ended_on = date_field("结束时间 ", required=False)
    ce_content = text_field("学习内容", required=False, max_length=255)

    RECORD_FIELDS = ("school", "education", "major", "started_on", "ended_on", "certificate_no")
    CE_FIELDS = ("institution", "started_on", "ended_on", "content")
    CE_REQUIRED = ("institution", "started_on", "content")

    def __init__(self, *args, removed_record=None, removed_ce=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rec_diploma"] = UploadField(label="学历证书", required=False)
        self.fields["rec_diploma"].candidate = self.candidate
        # With its record (after 学历证书编号), not under the 继续教育经历 fields.
        self.order_fields([name for name in self.fields if not name.startswith("ce_")])
        self.removed_record = removed_record
        self.removed_ce = removed_ce
        records = [r for r in self.stored.get("records") or [] if isinstance(r, dict)]
        diplomas = self.existing.get(DIPLOMA.kind, [])
        self.records = [
            (record, diplomas[i] if i < len(diplomas) else None) for i, record in enumerate(records)
        ]
        self.continuing = [
            c for c in self.stored.get("continuing_education") or [] if isinstance(c, dict)
        ]
        self.new_record: dict[str, Any] | None = None
        self.new_ce: dict[str, Any] | None = None

    def initial_from(self, data):
        initial = super().initial_from(data)
        if isinstance(data.get("has_study"), bool):
            initial["has_study"] = YES if data["has_study"] else NO
        return initial

    def kept_records(self):
        return [r for i, r in enumerate(self.records) if i != self.removed_record]

    def kept_continuing(self):
        return [c for i, c in enumerate(self.continuing) if i != self.removed_ce]

    def clean_section(self, cleaned):
        self._new_record(cleaned)
        self._new_ce(cleaned)
        has = cleaned.get("has_study")
        if has == YES:
            count = len(self.kept_records()) + (1 if self.new_record else 0)
            if not count and not self._record_typed(cleaned):
                self.add_error(
                    "rec_school", required_error("请添加至少一条学习经历（含学历证书）。")
                )
            for record, diploma in self.kept_records():
                if diploma is None:
                    self.add_error(
                        None,
                        f"学习经历“{record.get('school', '')}”缺少学历证书，请删除后重新添加。",
                    )
        elif has == NO and not cleaned.get("no_study_note"):
            self.add_error("no_study_note", required_error("无学习经历的，请填写说明。"))

    def _record_typed(self, cleaned) -> bool:
        return any(cleaned.get(f"rec_{k}") for k in self.RECORD_FIELDS) or bool(
            cleaned.get("rec_diploma")
        )

    def _new_record(self, cleaned) -> None:
        if not self._record_typed(cleaned):
            return
        if any(f"rec_{k}" in self.errors for k in self.RECORD_FIELDS):
            return
        missing = False
        for key in self.RECORD_FIELDS:
            if not cleaned.get(f"rec_{key}"):
                label = self.fields[f"rec_{key}"].label
                self.add_error(f"rec_{key}", ValidationError(f"请填写{label}。", code="partial"))
                missing = True
        if not cleaned.get("rec_diploma") and "rec_diploma" not in self.errors:
            self.add_error("rec_diploma", ValidationError("请上传学历证书。", code="partial"))
            missing = True
        start, end = cleaned.get("rec_started_on"), cleaned.get("rec_ended_on")
        if start and end and end < start:
            self.add_error("rec_ended_on", "结束时间不能早于起始时间。")
            missing = True
        if not missing:
            self.new_record = {k: json_value(cleaned[f"rec_{k}"]) for k in self.RECORD_FIELDS}

    def _new_ce(self, cleaned) -> None:
        if not any(cleaned.get(f"ce_{k}") for k in self.CE_FIELDS):
            return
        if any(f"ce_{k}" in self.errors for k in self.CE_FIELDS):
            return
        missing = False
        for key in self.CE_REQUIRED:
            if not cleaned.get(f"ce_{key}"):
                label = self.fields[f"ce_{key}"].label.strip()
                self.add_error(f"ce_{key}", ValidationError(f"请填写{label}。", code="partial"))
                missing = True
        start, end = cleaned.get("ce_started_on"), cleaned.get("ce_ended_on")
        if start and end and end < start:
            self.add_error("ce_ended_on", "结束时间不能早于起始时间。")
            missing = True
        if not missing:
            self.new_ce = {k: json_value(cleaned.get(f"ce_{k}")) for k in self.CE_FIELDS}

    def to_data(self, cleaned):
        has = cleaned.get("has_study")
        # 无学习经历 saved as complete: the records (and their diplomas) go.
        records = [] if has == NO and self.is_valid() else [r for r, _ in self.kept_records()]
        if self.new_record:
            records.append(self.new_record)
        continuing = self.kept_continuing() + ([self.new_ce] if self.new_ce else [])
        data: dict[str, Any] = {
            "has_study": True if has == YES else False if has == NO else "",
            "records": records,
            "no_study_note": cleaned.get("no_study_note") or "",
            "continuing_education": continuing,
        }
        return data

    def draft_data(self):
        data = self.to_data(self.cleaned_data)
        if "has_study" in self.errors and "has_study" in self.stored:
            data["has_study"] = self.stored["has_study"]
        return data

    def write_files(self, cleaned, *, prune):
        doomed = []
        if self.removed_record is not None and self.removed_record < len(self.records):
            diploma = self.records[self.removed_record][1]
            if diploma is not None:
                doomed.append(diploma)
        if prune and cleaned.get("has_study") == NO:
            doomed = [d for _, d in self.records if d is not None]
        if self.new_record:
            label = f"学历证书（{self.new_record['school']}）"
            self.add_file(DIPLOMA, label, cleaned["rec_diploma"])
        self.remove_files(doomed)

    def record_rows(self) -> list[dict[str, Any]]:
        from exam.sections import TCM_ITEM_FIELDS

        labels = dict(TCM_ITEM_FIELDS["records"])
        return [
            {
                "index": i,
                "text": "，".join(f"{labels[k]}：{record.get(k, '')}" for k in labels),
                "diploma": (
                    {
                        "label": diploma.label,
                        "url": file_url(self.application, "attachment", diploma.pk),
                    }
                    if diploma
                    else None
                ),
            }
            for i, (record, diploma) in enumerate(self.records)
        ]

    def ce_rows(self) -> list[dict[str, Any]]:
        from exam.sections import TCM_ITEM_FIELDS

        labels = dict(TCM_ITEM_FIELDS["continuing_education"])
        return [
            {"index": i, "text": "，".join(f"{labels[k]}：{c.get(k, '')}" for k in labels)}
            for i, c in enumerate(self.continuing)
        ]

    def malformed(self):
        labels = []
        for name, errors in self.errors.as_data().items():
            if name == "__all__":
                continue
            if any(e.code not in {"required"} for e in errors):
                labels.append(str(self.fields[name].label).strip())
        return labels
