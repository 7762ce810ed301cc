"""The form every TCM section page shares (TcmSectionForm) and its field helpers.

Fields are declared as 保存 needs them; a 暂存 keeps what is valid and, for a malformed value,
the value saved before. A kind that needs several files keeps one Attachment row per file."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from exam.attachment_writes import attachment_add, attachments_remove
from exam.models import Application, Attachment, Section
from exam.site.registry import file_url
from exam.site.sections.pieces import check_pieces
from exam.tcm_lists import Slot
from exam.uploads import (
    JPG,
    PDF,
    PNG,
    StagedUploadsMixin,
    UploadField,
)


def section_attachments(application: Application, code: str) -> dict[str, list[Attachment]]:
    found: dict[str, list[Attachment]] = {}
    for attachment in Attachment.objects.filter(
        application=application, section_code=code, recommender__isnull=True
    ).order_by("id"):
        found.setdefault(attachment.kind, []).append(attachment)
    return found


# --- the form all section pages share -----------------------------------------------------


def date_field(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": f"请填写{label}。",
            "invalid": f"{label}格式不正确，请按“年-月-日”填写。",
        },
        **kwargs,
    )


def text_field(
    label: str, *, max_length: int = 128, required: bool = True, **kwargs
) -> forms.Field:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        error_messages={
            "required": f"请填写{label}。",
            "max_length": f"{label}不能超过{max_length}个字。",
        },
        **kwargs,
    )


def textarea_field(label: str, *, required: bool = True, max_length: int = 5000) -> forms.Field:
    return text_field(
        label,
        max_length=max_length,
        required=required,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


def choice_field(label: str, choices, *, widget=None, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        widget=widget or forms.Select,
        error_messages={"required": f"请选择{label}。", "invalid_choice": f"请选择有效的{label}。"},
    )


def required_error(message: str) -> ValidationError:
    return ValidationError(message, code="required")


class TcmSectionForm(StagedUploadsMixin, forms.Form):
    """Fields are declared as required as they are for 保存; `clean_section` adds conditional
    requirements with code "required". Attachment slots are UploadFields named `file_<kind>`.

    `data_keys` are what is stored in Section.data, in order; `to_data` turns cleaned values
    into JSON values."""

    data_keys: tuple[str, ...] = ()
    all_slots: tuple[Slot, ...] = ()

    def __init__(
        self,
        *args,
        application: Application,
        section: Section,
        removed: set[int] | None = None,
        **kwargs,
    ) -> None:
        self.application = application
        self.section = section
        self.stored = dict(section.data or {})
        if not args and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(self.stored)
        super().__init__(*args, candidate=application.candidate, **kwargs)
        self.existing = section_attachments(application, section.code)
        self.removed = removed or set()
        for slot in self.all_slots:
            self.fields[slot.field] = UploadField(
                label=slot.label,
                required=False,
                kinds=(JPG, PNG) if slot.image_only else (JPG, PNG, PDF),
            )
            field = self.fields[slot.field]
            field.candidate = self.candidate
            field.slot = slot
            # The field stays optional (files already saved count); the mark says it is not.
            field.marked_required = slot in self.required_slots({})
            if slot.help:
                field.help_text = f"{slot.help}{field.help_text}"

    # --- hooks ---------------------------------------------------------------------------

    def initial_from(self, data: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in data.items() if k in self.base_fields and not isinstance(v, list)}

    def active_slots(self, cleaned: dict[str, Any]) -> tuple[Slot, ...]:
        """The slots that belong to the section, given what was typed (a complete save
        removes the files of the others)."""
        return self.all_slots

    def required_slots(self, cleaned: dict[str, Any]) -> tuple[Slot, ...]:
        """The slots that must hold a file, given what was typed."""
        return self.active_slots(cleaned)

    def clean_section(self, cleaned: dict[str, Any]) -> None:
        """Conditional requirements and cross-field rules."""

    def to_data(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        return {key: json_value(cleaned.get(key)) for key in self.data_keys}

    # --- validation ----------------------------------------------------------------------

    def kept(self, slot: Slot) -> list[Attachment]:
        return [a for a in self.existing.get(slot.kind, []) if a.pk not in self.removed]

    def file_count(self, slot: Slot, cleaned: dict[str, Any]) -> int:
        new = 1 if cleaned.get(slot.field) else 0
        if not slot.multiple:
            return 1 if new or self.kept(slot) else 0
        return len(self.kept(slot)) + new

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.clean_section(cleaned)
        for slot in self.required_slots(cleaned):
            if slot.field not in self.errors and not self.file_count(slot, cleaned):
                self.add_error(slot.field, required_error(f"请上传{slot.label}。"))
            elif slot.field not in self.errors:
                check_pieces(self, slot, cleaned)
        return cleaned

    def malformed(self) -> list[str]:
        """Labels of the fields whose error is more than a missing value."""
        labels = []
        for name, errors in self.errors.as_data().items():
            if name == "__all__":
                continue
            if any(e.code != "required" for e in errors):
                labels.append(str(self.fields[name].label))
        return labels

    def draft_data(self) -> dict[str, Any]:
        """What a 暂存 keeps: valid values, empty for missing ones, the stored value for a
        malformed one."""
        errors = self.errors.as_data()
        data = self.to_data(self.cleaned_data)
        bad = {n for n, errs in errors.items() if any(e.code != "required" for e in errs)}
        for key in self.data_keys:
            if key in bad and key in self.stored:
                data[key] = self.stored[key]
        return data

    # --- rows beyond Section.data ----------------------------------------------------------

    def write_files(self, cleaned: dict[str, Any], *, prune: bool) -> None:
        """Remove the files asked for, add the new ones; on a complete save (`prune`) also the
        files of slots no longer needed (e.g. after switching the proof type)."""
        doomed = [a for kind in self.existing.values() for a in kind if a.pk in self.removed]
        if prune:
            active = {s.kind for s in self.active_slots(cleaned)}
            doomed += [
                a
                for slot in self.all_slots
                if slot.kind not in active
                for a in self.existing.get(slot.kind, [])
                if a.pk not in self.removed
            ]
        for slot in self.all_slots:
            value = cleaned.get(slot.field)
            if not value:
                continue
            if not slot.multiple:
                doomed += [a for a in self.kept(slot) if a not in doomed]
            self.add_file(slot, slot.label, value)
        self.remove_files(doomed)

    def add_file(self, slot: Slot, label: str, value: Any) -> Attachment:
        return attachment_add(
            actor=self.candidate.user,
            application=self.application,
            section_code=self.section.code,
            kind=slot.kind,
            label=label,
            upload=value,
        )

    def remove_files(self, doomed: list[Attachment]) -> None:
        if doomed:
            attachments_remove(
                actor=self.candidate.user, application=self.application, attachments=doomed
            )

    def write_extra(self, cleaned: dict[str, Any], *, draft: bool) -> None:
        """Rows of the page beyond attachments (called in the save transaction)."""

    # --- display -------------------------------------------------------------------------

    def slot_files(self, slot: Slot) -> list[dict[str, Any]]:
        return [
            {
                "id": a.pk,
                "label": a.label,
                "url": file_url(self.application, "attachment", a.pk),
                "is_image": a.is_image,
            }
            for a in self.kept(slot)
        ]


def json_value(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None:
        return ""
    return value


def section_order(data: dict[str, Any], code: str) -> dict[str, Any]:
    from exam.sections import TCM_SECTION_FIELDS

    keys = [k for k, _ in TCM_SECTION_FIELDS[code]]
    return {k: data[k] for k in keys if k in data} | {
        k: v for k, v in data.items() if k not in keys
    }
