"""The one upload check (people.uploaded_files): what it refuses and why, that its work is
bounded, that services refuse what bypasses the forms, and that stored files are served
with the type of their content."""

import io
import re
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image

from core.errors import ServiceError
from core.files import download_name, file_response
from people import services
from people.models import IdentityVerification, IdType
from people.uploaded_files import IMAGE_KINDS, MAX_PDF_PAGE_TREE_ENTRIES, check_upload
from tests.hostile_files import (
    html_with_pdf_markers,
    image_bytes,
    pdf_bytes,
    png_claiming,
    truncated_jpeg,
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": "/private-media-not-served/"},
        },
    }
    return tmp_path


def check(content: bytes, **kwargs) -> str:
    return check_upload(ContentFile(content, name="upload"), **kwargs)


def refusal(content: bytes, **kwargs) -> str:
    with pytest.raises(ValidationError) as exc:
        check(content, **kwargs)
    return exc.value.messages[0]


def pdf_from_objects(objects: list[str], trailer: str = "") -> bytes:
    """A PDF written by hand (for structures pypdf's writer would not produce)."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R {trailer}>>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def pdf_with_pages(count: int) -> bytes:
    kids = " ".join(f"{3 + i} 0 R" for i in range(count))
    return pdf_from_objects(
        ["<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {count} >>"]
        + ["<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>"] * count
    )


# --- images ---------------------------------------------------------------------------------


class TestImages:
    def test_the_pixel_limit_is_the_setting_and_is_checked_before_decoding(self, settings):
        settings.UPLOAD_MAX_PIXELS = 100_000
        assert check(image_bytes("PNG", size=(400, 250))) == "image/png"  # exactly 100,000
        assert refusal(image_bytes("JPEG", size=(400, 251))) == (
            "图片像素过多（400×251），最多允许10万像素，请缩小尺寸后重新上传。"
        )
        # A header claiming 2 × 10⁵ pixels with almost no data: refused for its size, not
        # found damaged, so nothing was decoded.
        assert refusal(png_claiming(500, 400)).startswith("图片像素过多（500×400）")

    def test_pillows_own_bomb_error_becomes_the_same_message(self):
        # Above ~179 MP Pillow raises inside Image.open, before the size reaches us.
        assert refusal(png_claiming(20_000, 20_000)) == (
            "图片像素过多，最多允许4000万像素，请缩小尺寸后重新上传。"
        )

    @pytest.mark.parametrize(
        "content",
        [
            truncated_jpeg(),
            image_bytes("PNG")[:-20],  # IEND cut off
            image_bytes("PNG")[:40] + b"\0" * 8 + image_bytes("PNG")[48:],  # IDAT checksum broken
            b"\xff\xd8\xff\xe0" + b"\0" * 200,  # a JPEG marker and nothing else
        ],
        ids=["truncated-jpeg", "truncated-png", "bad-crc-png", "jpeg-marker-only"],
    )
    def test_damaged_images_are_refused(self, content):
        assert refusal(content) == "图片已损坏或不完整，无法打开，请重新选择。"

    @pytest.mark.parametrize(
        ("mode", "fmt", "options"),
        [
            ("RGB", "JPEG", {"progressive": True}),
            ("L", "JPEG", {}),
            ("CMYK", "JPEG", {}),
            ("RGBA", "PNG", {}),
            ("P", "PNG", {}),
            ("I;16", "PNG", {}),
            ("1", "PNG", {}),
        ],
    )
    def test_ordinary_images_of_every_mode_are_accepted(self, mode, fmt, options):
        buffer = io.BytesIO()
        Image.new(mode, (40, 30)).save(buffer, format=fmt, **options)
        assert check(buffer.getvalue()) == f"image/{fmt.lower()}"

    def test_a_phone_jpeg_with_a_second_picture_is_a_jpeg(self):
        """Pillow names JPEGs with a Multi-Picture Format index (many phones) MPO."""
        buffer = io.BytesIO()
        first = Image.new("RGB", (32, 24), (200, 10, 10))
        first.save(buffer, format="MPO", save_all=True, append_images=[first.resize((8, 6))])
        assert Image.open(io.BytesIO(buffer.getvalue())).format == "MPO"
        assert check(buffer.getvalue()) == "image/jpeg"

    def test_other_formats_and_kinds(self):
        assert refusal(image_bytes("GIF")) == "无法识别该文件，只接受JPG、PNG、PDF格式。"
        assert refusal(pdf_bytes(), kinds=IMAGE_KINDS) == "不接受PDF文件，只接受JPG、PNG格式。"
        assert refusal(b"") == "文件是空的，请重新选择。"


# --- PDFs -----------------------------------------------------------------------------------


class TestPdfs:
    def test_a_real_pdf_is_accepted_and_an_html_page_is_not(self):
        assert check(pdf_bytes(pages=3)) == "application/pdf"
        assert refusal(html_with_pdf_markers()) == (
            "PDF文件已损坏或不是真正的PDF，无法打开，请重新导出后上传。"
        )

    def test_a_pdf_without_pages_is_refused(self):
        assert refusal(pdf_bytes(pages=0)) == "PDF文件没有页面，请重新导出后上传。"

    @pytest.mark.parametrize("password", ["secret", ""], ids=["user-password", "permissions-only"])
    def test_encrypted_pdfs_are_refused(self, password):
        assert refusal(pdf_bytes(password=password)) == (
            "PDF文件已加密（设有密码或权限限制），审核人员无法打开，请上传未加密的PDF。"
        )

    def test_an_aes_encrypted_pdf_is_refused_as_encrypted(self):
        """pypdf cannot open AES without the cryptography package (not installed): the
        candidate still learns that the encryption is the problem."""
        hexes = {n: "<" + "00" * n + ">" for n in (16, 32, 48)}
        encrypt = (
            f"<< /Filter /Standard /V 5 /R 6 /Length 256 /O {hexes[48]} /U {hexes[48]} "
            f"/OE {hexes[32]} /UE {hexes[32]} /P -4 /Perms {hexes[16]} >>"
        )
        content = pdf_from_objects(
            [
                "<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>",
                encrypt,
            ],
            trailer=f"/Encrypt 4 0 R /ID [{hexes[16]} {hexes[16]}] ",
        )
        assert refusal(content).startswith("PDF文件已加密")

    def test_the_page_tree_is_bounded(self):
        assert check(pdf_with_pages(MAX_PDF_PAGE_TREE_ENTRIES)) == "application/pdf"
        assert refusal(pdf_with_pages(MAX_PDF_PAGE_TREE_ENTRIES + 1)) == (
            "PDF文件页数过多（最多约2000页）或结构过于复杂，无法检查，请精简或重新导出后上传。"
        )

    def test_a_cyclic_page_tree_is_refused(self):
        content = pdf_from_objects(
            [
                "<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                "<< /Type /Pages /Kids [2 0 R] /Count 1 >>",
            ]
        )
        assert refusal(content).startswith("PDF文件已损坏")

    def test_a_decompression_bomb_stream_is_not_inflated(self):
        """A cross-reference stream that inflates to 30 MB (from 30 KB): pypdf stops at the
        configured 20 MB."""
        compressor = zlib.compressobj(9)
        zeros = b"\0" * (1024 * 1024)
        data = b"".join(compressor.compress(zeros) for _ in range(30)) + compressor.flush()
        head = (
            b"%PDF-1.5\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        )
        xref = (
            f"3 0 obj\n<< /Type /XRef /Size 4 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode "
            f"/Length {len(data)} >>\nstream\n"
        ).encode()
        content = (
            head + xref + data + f"\nendstream\nendobj\nstartxref\n{len(head)}\n%%EOF\n".encode()
        )
        assert refusal(content).startswith("PDF文件页数过多（最多约2000页）或结构过于复杂")


@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    base=st.sampled_from([image_bytes("PNG"), image_bytes("JPEG"), pdf_bytes()]),
    cut=st.integers(min_value=1, max_value=2000),
    flips=st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 255)), max_size=8),
)
def test_mangled_files_give_a_message_or_a_type_never_an_error(base, cut, flips):
    """Whatever the bytes, the check answers with a content type or a Chinese message: an
    exception of any other kind would be an HTTP 500 on the page."""
    content = bytearray(base[: max(cut, 8)])
    for position, value in flips:
        if 8 <= position < len(content):  # keep the signature so the deep checks run
            content[position] = value
    try:
        assert check(bytes(content)) in ("image/png", "image/jpeg", "application/pdf")
    except ValidationError as exc:
        assert re.search(r"[\u4e00-\u9fff]", exc.messages[0])


# --- services refuse what bypasses the forms ----------------------------------------------


@pytest.mark.django_db
class TestIdentityServices:
    def test_manual_request_refuses_a_hostile_photo_and_stores_nothing(self, media):
        candidate = services.candidate_register(phone="13900000001", password="secret-pass-1")
        with pytest.raises(ServiceError, match="图片像素过多"):
            services.identity_request_manual(
                actor=candidate.user,
                candidate=candidate,
                id_type=IdType.PASSPORT,
                name="JOHN SMITH",
                id_number="E12345678",
                front_image=ContentFile(png_claiming(20_000, 20_000), name="front.png"),
            )
        assert not IdentityVerification.objects.exists()
        assert not [p for p in media.rglob("*") if p.is_file()]

    def test_photos_are_named_by_their_content(self):
        candidate = services.candidate_register(phone="13900000001", password="secret-pass-1")
        verification = services.identity_request_manual(
            actor=candidate.user,
            candidate=candidate,
            id_type=IdType.PASSPORT,
            name="JOHN SMITH",
            id_number="E12345678",
            front_image=ContentFile(image_bytes("JPEG"), name="passport.png"),
            back_image=ContentFile(image_bytes("PNG"), name="back.pdf"),
        )
        assert verification.front_image.name.startswith(f"candidates/{candidate.pk}/identity/")
        assert verification.front_image.name.endswith(".jpg")
        assert verification.back_image.name.endswith(".png")


# --- serving --------------------------------------------------------------------------------


class TestFileResponse:
    def stored(self, name: str, content: bytes) -> FieldFile:
        name = default_storage.save(name, ContentFile(content))
        return FieldFile(
            instance=None, field=IdentityVerification._meta.get_field("front_image"), name=name
        )

    def test_a_file_stored_under_the_wrong_extension_is_served_by_its_content(self):
        """Identity photos stored before this check kept the candidate's name."""
        response = file_response(self.stored("candidates/1/identity/back.pdf", image_bytes()))
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"] == 'inline; filename="back.png"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"

    def test_unknown_content_is_only_ever_downloaded(self):
        response = file_response(self.stored("x/page.png", b"<html><script>alert(1)</script>"))
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"] == 'attachment; filename="page.bin"'

    def test_download_names_are_plain(self):
        assert download_name('a/身份证 "正面"\r\n.jpeg', "jpg") == "file.jpg"
        assert download_name("x/front-1a2b3c4d.png", "png") == "front-1a2b3c4d.png"
        assert download_name("x/证件 back(1).png", "png") == "back_1.png"


def test_no_form_field_takes_a_file_without_the_check():
    """The one check for every upload: a form field that takes a file anywhere else would
    bypass it (as the identity photos' own forms.ImageField did). The admin's Excel import
    form belongs to django-import-export and reads .xlsx/.csv, not these kinds."""
    root = Path(__file__).resolve().parents[2]
    allowed = root / "people" / "uploaded_files.py"
    offenders = [
        str(path.relative_to(root))
        for app in ("config", "people", "exam", "review")
        for path in (root / app).rglob("*.py")
        if path != allowed and re.search(r"forms\.(FileField|ImageField)\b", path.read_text())
    ]
    assert offenders == []
