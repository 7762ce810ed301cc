"""Generated files for the demo data: certificate-like images, multi-page PDFs, ID photos and
signatures, drawn with Pillow.

Nothing here draws text (a CJK font may be missing on the machine): bars stand in for lines of
print, so a picture reads as "a scanned certificate" without claiming any content. Everything is
deterministic: the same style and variant give the same bytes, and the images shared by many
materials are generated once per process and cached.
"""

import io
import math
import random
from functools import cache

from PIL import Image, ImageDraw

PNG = "image/png"
PDF = "application/pdf"
CERTIFICATE_SIZE = (480, 320)
VARIANTS = 6  # layouts per style; the demo data picks one per file

# style → (paper, border, accent): the colours of each kind of certificate.
STYLES: dict[str, tuple[tuple[int, int, int], ...]] = {
    "education": ((250, 246, 236), (150, 30, 35), (196, 160, 80)),
    "title": ((244, 248, 252), (30, 70, 140), (120, 150, 200)),
    "physician_qualification": ((248, 244, 236), (120, 40, 30), (200, 140, 60)),
    "physician_license": ((240, 248, 242), (30, 110, 70), (120, 180, 140)),
    "nurse_license": ((245, 242, 250), (90, 60, 140), (170, 150, 210)),
    "supplementary": ((250, 250, 246), (90, 90, 90), (170, 170, 160)),
    "tcm": ((252, 244, 232), (140, 60, 20), (210, 150, 70)),
    "document": ((255, 255, 255), (60, 60, 60), (150, 150, 150)),
}
SEAL_RED = (205, 40, 40)
INK_GREY = (95, 95, 95)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _text_bars(
    draw: ImageDraw.ImageDraw,
    rng: random.Random,
    box: tuple[int, int, int, int],
    *,
    rows: int,
    height: int = 7,
    colour: tuple[int, int, int] = INK_GREY,
) -> None:
    """Rows of grey bars of varying length: "lines of print" without any font."""
    left, top, right, bottom = box
    step = (bottom - top) // max(rows, 1)
    for row in range(rows):
        y = top + row * step
        x = left
        # A label and its value: two bars with a gap, like "毕业学校：XXXX".
        label = rng.randint(30, 60)
        draw.rectangle([x, y, x + label, y + height], fill=colour)
        x += label + rng.randint(8, 16)
        value = rng.randint(40, max(41, right - x))
        draw.rectangle([x, y, min(right, x + value), y + height], fill=(150, 150, 150))


@cache
def certificate_png(style: str, variant: int) -> bytes:
    """A 480×320 "scanned certificate": border, title band, photo box, print, a red seal."""
    rng = random.Random(f"certificate:{style}:{variant}")
    paper, border, accent = STYLES[style]
    width, height = CERTIFICATE_SIZE
    image = Image.new("RGB", CERTIFICATE_SIZE, paper)
    draw = ImageDraw.Draw(image)
    draw.rectangle([5, 5, width - 6, height - 6], outline=border, width=6)
    draw.rectangle([17, 17, width - 18, height - 18], outline=accent, width=2)
    # Title band, centred; some layouts put an emblem above it.
    band = rng.randint(120, 180)
    if variant % 2:
        draw.ellipse([width // 2 - 14, 26, width // 2 + 14, 54], outline=border, width=3)
        top = 62
    else:
        top = 34
    draw.rectangle([(width - band) // 2, top, (width + band) // 2, top + 14], fill=border)
    # Photo box on the left or the right.
    photo_left = 36 if variant % 3 else width - 36 - 80
    draw.rectangle([photo_left, 100, photo_left + 80, 206], fill=(214, 224, 236), outline=accent)
    draw.ellipse([photo_left + 24, 118, photo_left + 56, 156], fill=(170, 180, 195))
    draw.rectangle([photo_left + 14, 162, photo_left + 66, 206], fill=(90, 100, 120))
    text_left = 140 if photo_left < width // 2 else 40
    text_right = width - 40 if photo_left < width // 2 else width - 140
    _text_bars(draw, rng, (text_left, 104, text_right, 236), rows=rng.randint(5, 7))
    # Date and issuer bottom right, under a red seal.
    cx, cy = width - rng.randint(90, 120), height - rng.randint(62, 74)
    draw.ellipse([cx - 34, cy - 34, cx + 34, cy + 34], outline=SEAL_RED, width=4)
    draw.regular_polygon((cx, cy, 11), 5, fill=SEAL_RED)
    draw.rectangle([cx - 60, height - 42, cx + 40, height - 35], fill=INK_GREY)
    # A faint scan shadow along one edge.
    draw.rectangle([0, 0, 3, height], fill=(225, 225, 225))
    return _png(image)


def _pdf_circle(cx: float, cy: float, r: float) -> str:
    """A circle as four Bézier curves (PDF has no circle operator)."""
    k = 0.5523 * r
    return (
        f"{cx + r:.1f} {cy:.1f} m "
        f"{cx + r:.1f} {cy + k:.1f} {cx + k:.1f} {cy + r:.1f} {cx:.1f} {cy + r:.1f} c "
        f"{cx - k:.1f} {cy + r:.1f} {cx - r:.1f} {cy + k:.1f} {cx - r:.1f} {cy:.1f} c "
        f"{cx - r:.1f} {cy - k:.1f} {cx - k:.1f} {cy - r:.1f} {cx:.1f} {cy - r:.1f} c "
        f"{cx + k:.1f} {cy - r:.1f} {cx + r:.1f} {cy - k:.1f} {cx + r:.1f} {cy:.1f} c S"
    )


def _pdf_page(style: str, rng: random.Random, number: int) -> str:
    """The content stream of one A4 page: a title bar, "lines of print", a seal on page one."""
    _paper, border, accent = STYLES[style]
    ops = []
    top = 842 - 72
    if number == 0:
        r, g, b = (c / 255 for c in border)
        ops.append(f"{r:.2f} {g:.2f} {b:.2f} rg 210 {top - 14} 175 16 re f")
        top -= 48
    ops.append("0.45 g")
    y = top
    for row in range(rng.randint(26, 40)):
        if y < 110:
            break
        indent = 96 if row == 0 or rng.random() < 0.12 else 72
        length = rng.randint(300, 450) if rng.random() > 0.15 else rng.randint(80, 260)
        ops.append(f"{indent} {y} {length} 7 re f")
        y -= 18
    if number == 0 and style != "document":
        ops.append(f"0.80 0.16 0.16 RG 2.5 w {_pdf_circle(440, 150, 40)}")
    r, g, b = (c / 255 for c in accent)
    ops.append(f"{r:.2f} {g:.2f} {b:.2f} rg 287 40 21 6 re f")  # page number
    return "\n".join(ops)


def _pdf(streams: list[str]) -> bytes:
    """A minimal, valid PDF 1.4 file: one A4 page per content stream, offsets computed."""
    pages = len(streams)
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids ["
        + " ".join(f"{3 + 2 * i} 0 R" for i in range(pages))
        + f"] /Count {pages} >>",
    ]
    for i, stream in enumerate(streams):
        objects.append(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << >> /Contents {4 + 2 * i} 0 R >>"
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("ascii")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode("ascii")
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode("ascii")
    return bytes(out)


@cache
def document_pdf(style: str, variant: int, pages: int = 1) -> bytes:
    """A small valid PDF of `pages` A4 pages of "typed text" (notes, contracts, proofs),
    written by hand: vector bars, no fonts, about 1 KB a page."""
    rng = random.Random(f"document:{style}:{variant}:{pages}")
    return _pdf([_pdf_page(style, rng, n) for n in range(pages)])


@cache
def id_photo_png(variant: int) -> bytes:
    """证件照: a 240×320 head-and-shoulders silhouette on a blue or white background."""
    rng = random.Random(f"photo:{variant}")
    background = (67, 142, 219) if variant % 2 == 0 else (248, 248, 248)
    image = Image.new("RGB", (240, 320), background)
    draw = ImageDraw.Draw(image)
    skin = rng.choice([(236, 204, 176), (224, 188, 156), (214, 176, 140)])
    hair = rng.choice([(30, 26, 24), (48, 38, 32), (70, 60, 56)])
    clothes = rng.choice([(40, 50, 70), (230, 230, 235), (90, 30, 40), (30, 30, 30)])
    draw.ellipse([42, 216, 198, 380], fill=clothes)  # shoulders
    draw.rectangle([104, 176, 136, 230], fill=skin)  # neck
    draw.ellipse([74, 64, 166, 190], fill=skin)  # face
    draw.chord([70, 52, 170, 150], 180, 360, fill=hair)  # hair
    return _png(image)


def signature_png(seed: str) -> bytes:
    """电子签名: two to four pen strokes on a transparent 360×140 canvas (one per signer)."""
    rng = random.Random(f"signature:{seed}")
    image = Image.new("RGBA", (360, 140), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    ink = rng.choice([(20, 20, 20, 255), (20, 30, 90, 255)])
    x = rng.randint(20, 50)
    for _ in range(rng.randint(2, 4)):
        # One stroke: a wave whose amplitude and frequency vary, drifting to the right.
        length = rng.randint(50, 110)
        amplitude = rng.uniform(12, 34)
        frequency = rng.uniform(1.0, 3.0)
        phase = rng.uniform(0, math.pi)
        base = rng.randint(55, 85)
        points = []
        for step in range(24):
            t = step / 23
            points.append(
                (
                    x + t * length + 6 * math.sin(t * 9 + phase),
                    base + amplitude * math.sin(t * frequency * math.pi + phase),
                )
            )
        draw.line(points, fill=ink, width=rng.randint(3, 4), joint="curve")
        x += length + rng.randint(-10, 20)
        if x > 300:
            break
    # The closing flourish under the name.
    y = rng.randint(100, 118)
    draw.line([(30, y), (x * 0.6, y + 6), (min(x, 340), y - 4)], fill=ink, width=2)
    return _png(image)
