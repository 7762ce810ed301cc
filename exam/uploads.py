"""Uploads of the candidate site: checked by the one upload check, kept across errors.

- `UploadField` is a form field that runs `people.uploaded_files.check_upload` (the file is
  recognised by its content, never its name, and proven: images decoded within the pixel
  limit, PDFs opened by pypdf). With `StagedUploadsMixin` a valid file is stored at once as
  a `StagedUpload` and the re-rendered form carries a signed reference to it, so a mistake
  in another field never costs the candidate their upload.
- `attach_upload` moves a staged file onto a model's file field when the section is saved.

Everything is stored through the default storage (the private media folder, or a private
bucket), which no URL serves; views stream files after checking who asks
(`core.files.file_response`).
"""

import os
from typing import Any

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.urls import reverse

from core.thumbnails import thumbnails_forget
from exam.models import StagedUpload
from people.models import Candidate
from people.uploaded_files import (  # noqa: F401  (JPG, PNG, PDF: the kinds the sections name)
    JPG,
    PDF,
    PNG,
    CheckedFileField,
    stored_name,
)

STAGED_SALT = "exam.staged-upload"
# A staged reference stays usable for a day: long enough for a long form, short enough that
# an old page cannot pick up files after the nightly clean-up.
STAGED_MAX_AGE = 24 * 60 * 60


# --- staging -------------------------------------------------------------------------------


def stage_upload(*, candidate: Candidate, upload: UploadedFile, content_type: str) -> StagedUpload:
    staged = StagedUpload(
        candidate=candidate,
        original_name=os.path.basename(upload.name or "")[:255] or "文件",
        content_type=content_type,
        size=upload.size,
    )
    staged.file.save(stored_name(content_type, stem="staged"), upload, save=False)
    staged.save()
    return staged


def staged_token(staged: StagedUpload) -> str:
    return signing.dumps(staged.pk, salt=STAGED_SALT)


def staged_from_token(token: str, candidate: Candidate) -> StagedUpload | None:
    try:
        pk = signing.loads(token, salt=STAGED_SALT, max_age=STAGED_MAX_AGE)
    except signing.BadSignature:
        return None
    return StagedUpload.objects.filter(pk=pk, candidate=candidate).first()


def staged_url(staged: StagedUpload) -> str:
    return reverse("apply:staged_file", args=[staged_token(staged)])


def attach_upload(field_file: FieldFile, value: Any, *, stem: str) -> bool:
    """Put a form's cleaned upload on a model's file field (the caller saves the instance).

    `value` is what UploadField cleaned: a StagedUpload (new file), the field's current file
    (unchanged) or None. Returns True when the field changed.
    """
    if isinstance(value, StagedUpload):
        with value.file.open("rb") as handle:
            field_file.save(stored_name(value.content_type, stem=stem), handle, save=False)
        delete_files_on_commit([value.file])
        value.delete()
        return True
    return False


def delete_files_on_commit(files: list[Any]) -> None:
    """Remove stored files once the transaction that dropped their rows commits: a rollback
    brings the rows back, and their files must still be there."""
    names = [(f.storage, f.name) for f in files if f]

    def delete() -> None:
        for storage, name in names:
            storage.delete(name)
        thumbnails_forget(files=names)  # and their thumbnails (core/thumbnails.py)

    transaction.on_commit(delete)


def content_type_of(value: Any) -> str:
    return value.content_type if isinstance(value, StagedUpload) else ""


# --- form field and widget -----------------------------------------------------------------


class StagedToken(str):
    """The hidden `<name>__staged` value: a signed reference to an earlier upload."""


class StagedFileInput(forms.FileInput):
    template_name = "exam/site/widgets/staged_file.html"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs)
        self.current: tuple[str, str] | None = None  # (name, url) of the saved file
        self.staged: tuple[str, str, str] | None = None  # (token, name, url) of a staged one

    def value_from_datadict(self, data, files, name):
        upload = files.get(name)
        if upload:
            return upload
        token = data.get(f"{name}__staged")
        return StagedToken(token) if token else None

    def value_omitted_from_data(self, data, files, name) -> bool:
        return name not in files and f"{name}__staged" not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["current"] = self.current
        context["widget"]["staged"] = self.staged
        return context


class UploadField(CheckedFileField):
    """A checked JPG/PNG/PDF file (or a subset) that can also be a staged one."""

    widget = StagedFileInput

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.candidate: Candidate | None = None

    def to_python(self, data):
        if isinstance(data, StagedUpload):
            return data
        if isinstance(data, StagedToken):
            staged = staged_from_token(data, self.candidate) if self.candidate else None
            if staged is None:
                raise ValidationError("之前上传的文件已失效，请重新选择。")
            return staged
        return super().to_python(data)

    def bound_data(self, data, initial):
        return initial if data in (None, forms.fields.FILE_INPUT_CONTRADICTION) else data

    def has_changed(self, initial, data) -> bool:
        return data is not None


class StagedUploadsMixin:
    """For forms with UploadFields: pass `candidate=` (and `current_files={name: (label,
    url)}` for files already saved). Valid new files are staged during validation."""

    def __init__(
        self,
        *args,
        candidate: Candidate,
        current_files: dict[str, tuple[str, str]] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.candidate = candidate
        for name, field in self.fields.items():
            if isinstance(field, UploadField):
                field.candidate = candidate
                if current_files and name in current_files:
                    field.widget.current = current_files[name]

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound:
            return
        for name, field in self.fields.items():
            if not isinstance(field, UploadField):
                continue
            value = self.cleaned_data.get(name)
            if isinstance(value, UploadedFile):
                value = stage_upload(
                    candidate=self.candidate,
                    upload=value,
                    content_type=value.detected_content_type,
                )
                self.cleaned_data[name] = value
            if isinstance(value, StagedUpload):
                field.widget.staged = (staged_token(value), value.original_name, staged_url(value))
