"""Uploads of the candidate site: recognised by content, size-limited, kept across errors.

- `inspect_upload` decides what a file is from its bytes (JPEG, PNG, PDF), never from its
  name, and checks images with Pillow.
- `UploadField` is a form field that does this; with `StagedUploadsMixin` a valid file is
  stored at once as a `StagedUpload` and the re-rendered form carries a signed reference to
  it, so a mistake in another field never costs the candidate their upload.
- `attach_upload` moves a staged file onto a model's file field when the section is saved.

Everything is stored under MEDIA_ROOT, which no URL serves; views stream files after
checking who asks.
"""

import os
import uuid
from typing import Any

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from PIL import Image, UnidentifiedImageError

from exam.models import StagedUpload
from people.models import Candidate

MB = 1024 * 1024
MAX_IMAGE_BYTES = 5 * MB
MAX_PDF_BYTES = 10 * MB

JPG, PNG, PDF = "jpg", "png", "pdf"
CONTENT_TYPES = {JPG: "image/jpeg", PNG: "image/png", PDF: "application/pdf"}
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
KIND_LABELS = {JPG: "JPG", PNG: "PNG", PDF: "PDF"}

STAGED_SALT = "exam.staged-upload"
# A staged reference stays usable for a day: long enough for a long form, short enough that
# an old page cannot pick up files after the nightly clean-up.
STAGED_MAX_AGE = 24 * 60 * 60


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return JPG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    # The PDF header may follow a little junk; readers accept it within the first 1 KB.
    if b"%PDF-" in head[:1024]:
        return PDF
    return None


def _allowed_text(kinds: tuple[str, ...]) -> str:
    return "、".join(KIND_LABELS[k] for k in kinds)


def inspect_upload(
    upload: Any,
    *,
    kinds: tuple[str, ...] = (JPG, PNG, PDF),
    max_image_bytes: int = MAX_IMAGE_BYTES,
    max_pdf_bytes: int = MAX_PDF_BYTES,
) -> str:
    """The content type of an uploaded file, or a ValidationError in Chinese."""
    if not upload.size:
        raise ValidationError("文件是空的，请重新选择。")
    upload.seek(0)
    head = upload.read(2048)
    kind = _sniff(head)
    if kind is None or kind not in kinds:
        raise ValidationError(f"无法识别该文件，只接受{_allowed_text(kinds)}格式。")
    limit = max_pdf_bytes if kind == PDF else max_image_bytes
    if upload.size > limit:
        what = "PDF文件" if kind == PDF else "图片"
        raise ValidationError(f"{what}不能超过{limit // MB} MB，请压缩后重新上传。")
    if kind == PDF:
        upload.seek(max(0, upload.size - 2048))
        if b"%%EOF" not in upload.read():
            raise ValidationError("PDF文件不完整，请重新导出后上传。")
    else:
        upload.seek(0)
        try:
            with Image.open(upload) as image:
                image.verify()
                expected = "JPEG" if kind == JPG else "PNG"
                if image.format != expected:
                    raise ValidationError("图片格式与内容不符，请重新选择。")
        except (UnidentifiedImageError, OSError, SyntaxError) as exc:
            raise ValidationError("图片已损坏或无法打开，请重新选择。") from exc
    upload.seek(0)
    return CONTENT_TYPES[kind]


# --- staging -------------------------------------------------------------------------------


def stage_upload(*, candidate: Candidate, upload: UploadedFile, content_type: str) -> StagedUpload:
    staged = StagedUpload(
        candidate=candidate,
        original_name=os.path.basename(upload.name or "")[:255] or "文件",
        content_type=content_type,
        size=upload.size,
    )
    staged.file.save(f"{uuid.uuid4().hex}{EXTENSIONS[content_type]}", upload, save=False)
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
        ext = EXTENSIONS.get(value.content_type, "")
        with value.file.open("rb") as handle:
            field_file.save(f"{stem}-{uuid.uuid4().hex[:8]}{ext}", handle, save=False)
        value.file.delete(save=False)
        value.delete()
        return True
    return False


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


class UploadField(forms.FileField):
    """A JPG/PNG/PDF file (or a subset), recognised by its content, within the size limits."""

    widget = StagedFileInput

    def __init__(
        self,
        *,
        kinds: tuple[str, ...] = (JPG, PNG, PDF),
        max_image_bytes: int = MAX_IMAGE_BYTES,
        max_pdf_bytes: int = MAX_PDF_BYTES,
        **kwargs,
    ) -> None:
        self.kinds = kinds
        self.max_image_bytes = max_image_bytes
        self.max_pdf_bytes = max_pdf_bytes
        limits = []
        if JPG in kinds or PNG in kinds:
            limits.append(f"图片不超过{max_image_bytes // MB} MB")
        if PDF in kinds:
            limits.append(f"PDF不超过{max_pdf_bytes // MB} MB")
        kwargs.setdefault("help_text", f"{_allowed_text(kinds)}格式，{'，'.join(limits)}。")
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault("required", "请上传文件。")
        super().__init__(**kwargs)
        self.candidate: Candidate | None = None
        accept = sorted({CONTENT_TYPES[k] for k in kinds})
        self.widget.attrs.setdefault("accept", ",".join(accept))

    def to_python(self, data):
        if isinstance(data, StagedUpload):
            return data
        if isinstance(data, StagedToken):
            staged = staged_from_token(data, self.candidate) if self.candidate else None
            if staged is None:
                raise ValidationError("之前上传的文件已失效，请重新选择。")
            return staged
        upload = super().to_python(data)
        if upload is None:
            return None
        upload.detected_content_type = inspect_upload(
            upload,
            kinds=self.kinds,
            max_image_bytes=self.max_image_bytes,
            max_pdf_bytes=self.max_pdf_bytes,
        )
        return upload

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
