"""Files that test the upload check: real ones made with Pillow and pypdf, hostile ones made
cheaply by hand (a PNG that claims 20,000 × 20,000 pixels costs 74 bytes)."""

import io
import struct
import zlib

from PIL import Image
from pypdf import PdfWriter


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (8, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 80)).save(buffer, format=fmt)
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims width × height greyscale pixels, with a tiny IDAT: what a
    decompression bomb looks like before anything is decoded."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + _chunk(b"IEND", b"")
    )


def png_of_zeros(width: int, height: int) -> bytes:
    """A complete, valid greyscale PNG of width × height black pixels (10,000 × 10,000 =
    100 MP compresses to about 100 KB)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\0" * (width + 1)  # filter byte + one byte per pixel
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


def truncated_jpeg() -> bytes:
    """A real JPEG cut off before its end: the header opens, the pixels do not."""
    buffer = io.BytesIO()
    Image.effect_noise((64, 48), 64).convert("RGB").save(buffer, format="JPEG")
    whole = buffer.getvalue()
    return whole[: len(whole) // 2]


def html_with_pdf_markers() -> bytes:
    """An HTML page that carries the two strings a naive PDF check looks for."""
    return (
        b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script>"
        b"<p>not a document</p></body></html>\n%%EOF\n"
    )


def pdf_bytes(pages: int = 1, *, password: str | None = None) -> bytes:
    """A real PDF of blank A4 pages; with `password`, RC4-encrypted (pypdf needs no extra
    package for RC4)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if password is not None:
        writer.encrypt(user_password=password, owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
