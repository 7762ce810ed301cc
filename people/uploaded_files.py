"""Uploaded files: the one check every upload passes, and the one way stored files are served.

Everything a candidate or a teacher sends (identity photos, certificates, TCM attachments,
teachers' proofs, the canvas signature) goes through `check_upload`, which decides what a
file is from its bytes (JPEG, PNG, PDF), never from its name, and then proves it:

- images: the pixel count is read from the header and checked against
  `settings.UPLOAD_MAX_PIXELS` before anything is decoded (a 389 KB PNG can claim
  20,000 × 20,000 pixels, 1.2 GB once decoded in RGB); then Pillow verifies and decodes it,
  so damaged and truncated files are refused too;
- PDFs: pypdf must open the file and find at least one page, with its resource limits
  tightened (only the cross-reference and object streams are ever decompressed, never the
  page contents); encrypted PDFs are refused because reviewers could not open them.

Files are stored under a name whose extension is the detected type (`stored_name`), and
`core.files.file_response` serves them with the type of their content (identity photos, exam
materials and signatures alike).
"""

import logging
import uuid
from typing import IO, Any

import pypdf
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from PIL import Image

from core.files import CONTENT_TYPES, JPG, PDF, PNG, sniff

logger = logging.getLogger(__name__)

MB = 1024 * 1024
MAX_IMAGE_BYTES = 5 * MB
MAX_PDF_BYTES = 10 * MB

ALL_KINDS = (JPG, PNG, PDF)
IMAGE_KINDS = (JPG, PNG)
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
KIND_LABELS = {JPG: "JPG", PNG: "PNG", PDF: "PDF"}
# Phones often save JPEGs with a second, smaller picture (Multi-Picture Format): Pillow calls
# those MPO, but they are JPEG files every viewer shows.
PILLOW_FORMATS = {JPG: {"JPEG", "MPO"}, PNG: {"PNG"}}

# pypdf's limits while checking a PDF: a 10 MB candidate document needs far less than its
# defaults (75 MB per decompressed stream, 100,000 page-tree entries). Counting pages costs
# about 0.25 ms a page, so the page tree bounds the work to about half a second.
MAX_PDF_PAGE_TREE_ENTRIES = 2_000  # pages plus the page tree's inner nodes
PDF_LIMITS = {
    "zlib_maximum_output_length": 20 * MB,
    "lzw_maximum_output_length": 20 * MB,
    "run_length_maximum_output_length": 20 * MB,
    "array_based_stream_maximum_output_length": 20 * MB,
    "stream_decoding_work_maximum_length": 40 * MB,
    "page_tree_maximum_entries": MAX_PDF_PAGE_TREE_ENTRIES,
    "page_tree_maximum_page_entries": 50 * MAX_PDF_PAGE_TREE_ENTRIES,
}


def kinds_text(kinds: tuple[str, ...]) -> str:
    return "、".join(KIND_LABELS[k] for k in kinds)


def check_upload(
    upload: Any,
    *,
    kinds: tuple[str, ...] = ALL_KINDS,
    max_image_bytes: int = MAX_IMAGE_BYTES,
    max_pdf_bytes: int = MAX_PDF_BYTES,
) -> str:
    """The content type of an uploaded file (a Django File), or a ValidationError whose
    message says in Chinese what is wrong and what the limit is."""
    if not upload.size:
        raise ValidationError("文件是空的，请重新选择。")
    upload.seek(0)
    kind = sniff(upload.read(2048))
    if kind is None:
        raise ValidationError(f"无法识别该文件，只接受{kinds_text(kinds)}格式。")
    if kind not in kinds:
        raise ValidationError(f"不接受{KIND_LABELS[kind]}文件，只接受{kinds_text(kinds)}格式。")
    limit = max_pdf_bytes if kind == PDF else max_image_bytes
    if upload.size > limit:
        what = "PDF文件" if kind == PDF else "图片"
        raise ValidationError(f"{what}不能超过{limit // MB} MB，请压缩后重新上传。")
    upload.seek(0)
    if kind == PDF:
        _check_pdf(upload)
    else:
        _check_image(upload, kind)
    upload.seek(0)
    return CONTENT_TYPES[kind]


def _pixels_message(size: tuple[int, int] | None = None) -> str:
    found = f"（{size[0]}×{size[1]}）" if size else ""
    limit = settings.UPLOAD_MAX_PIXELS // 10_000
    return f"图片像素过多{found}，最多允许{limit}万像素，请缩小尺寸后重新上传。"


def _check_image(upload: IO[bytes], kind: str) -> None:
    try:
        # Image.open reads only the header. Pillow itself raises DecompressionBombError above
        # twice its own limit (~179 MP) and warns above it; ours is lower and checked here.
        with Image.open(upload) as image:
            width, height = image.size
            if width * height > settings.UPLOAD_MAX_PIXELS:
                raise ValidationError(_pixels_message(image.size))
            if image.format not in PILLOW_FORMATS[kind]:
                raise ValidationError("图片格式与内容不符，请重新选择。")
            image.verify()  # PNG: every chunk's checksum; cheap, decodes nothing
        upload.seek(0)
        with Image.open(upload) as image:
            if kind == JPG:
                # Decoding at 1/8 scale still reads every byte of the scan (a truncated file
                # fails the same way) with 1/64 of the memory.
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Raised by Image.open before the size is known to us. The warning arrives as an
        # exception when warnings are errors (python -W error).
        raise ValidationError(_pixels_message()) from exc
    except Exception as exc:
        # Pillow parsing hostile bytes raises many kinds (OSError, SyntaxError, ValueError,
        # struct.error, IndexError, …); each means the same to the candidate.
        raise ValidationError("图片已损坏或不完整，无法打开，请重新选择。") from exc


PDF_ENCRYPTED = "PDF文件已加密（设有密码或权限限制），审核人员无法打开，请上传未加密的PDF。"


def _check_pdf(upload: IO[bytes]) -> None:
    try:
        with pypdf.apply_configuration(**PDF_LIMITS):
            # strict=False: scanner apps write PDFs with small cross-reference errors that
            # every viewer repairs; pypdf repairs them too. A file that is not a PDF still
            # fails: it has no catalogue and no pages.
            reader = pypdf.PdfReader(upload, strict=False)
            if reader.is_encrypted:
                raise ValidationError(PDF_ENCRYPTED)
            pages = len(reader.pages)  # walks the page tree; no content stream is decoded
    except ValidationError:
        raise
    except (pypdf.errors.FileNotDecryptedError, pypdf.errors.DependencyError) as exc:
        # DependencyError: an AES-encrypted file, which pypdf cannot even open without the
        # cryptography package (page contents, where other dependencies would matter, are
        # never decoded here).
        raise ValidationError(PDF_ENCRYPTED) from exc
    except Exception as exc:
        if _caused_by(exc, pypdf.errors.LimitReachedError):
            raise ValidationError(
                f"PDF文件页数过多（最多约{MAX_PDF_PAGE_TREE_ENTRIES}页）或结构过于复杂，"
                "无法检查，请精简或重新导出后上传。"
            ) from exc
        # As for images: a hostile file makes pypdf raise anything (PdfReadError, KeyError,
        # ValueError, RecursionError, …); each means the file cannot be opened.
        logger.info("PDF refused: %s: %s", type(exc).__name__, exc)
        raise ValidationError("PDF文件已损坏或不是真正的PDF，无法打开，请重新导出后上传。") from exc
    if pages < 1:
        raise ValidationError("PDF文件没有页面，请重新导出后上传。")


def pdf_page_count(handle: IO[bytes]) -> int:
    """Pages of a PDF that passed the upload check (within the same limits)."""
    with pypdf.apply_configuration(**PDF_LIMITS):
        return len(pypdf.PdfReader(handle, strict=False).pages)


def _caused_by(exc: BaseException | None, kind: type[BaseException]) -> bool:
    """Whether `exc` or an exception it was raised from is a `kind` (pypdf wraps a limit
    reached while reading the trailer in a PdfReadError)."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, kind):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def stored_name(content_type: str, *, stem: str) -> str:
    """`<stem>-<random>.<extension of the detected type>`: never the candidate's name."""
    return f"{stem}-{uuid.uuid4().hex[:8]}{EXTENSIONS[content_type]}"


def checked_file(
    upload: Any,
    *,
    stem: str,
    kinds: tuple[str, ...] = ALL_KINDS,
    max_image_bytes: int = MAX_IMAGE_BYTES,
    max_pdf_bytes: int = MAX_PDF_BYTES,
) -> File:
    """The upload, checked, as a File to assign to a model's file field, named by its type."""
    content_type = check_upload(
        upload, kinds=kinds, max_image_bytes=max_image_bytes, max_pdf_bytes=max_pdf_bytes
    )
    return File(upload, name=stored_name(content_type, stem=stem))


# --- form field ----------------------------------------------------------------------------


class CheckedFileField(forms.FileField):
    """A JPG/PNG/PDF file (or a subset) that passed `check_upload`; the cleaned upload
    carries `detected_content_type`."""

    def __init__(
        self,
        *,
        kinds: tuple[str, ...] = ALL_KINDS,
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
        kwargs.setdefault("help_text", f"{kinds_text(kinds)}格式，{'，'.join(limits)}。")
        messages = kwargs.setdefault("error_messages", {})
        messages.setdefault("required", "请上传文件。")
        messages.setdefault("empty", "文件是空的，请重新选择。")
        messages.setdefault("invalid", "没有收到文件，请重新选择。")
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", ",".join(sorted({CONTENT_TYPES[k] for k in kinds})))

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        upload.detected_content_type = check_upload(
            upload,
            kinds=self.kinds,
            max_image_bytes=self.max_image_bytes,
            max_pdf_bytes=self.max_pdf_bytes,
        )
        return upload
