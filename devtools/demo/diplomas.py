"""Generated diploma-like certificate images (Pillow: a frame, a title, text lines, a red
seal) for 查重's tests and demo data: the same diploma re-saved and cropped, turned, or a
different one. Every person in them is generated."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(CJK_FONT, size)
    except OSError:  # no CJK font: the layout still differs, which is what the hash sees
        return ImageFont.load_default(size)


def diploma(name: str, number: str, *, school: str = "湖北演示医科大学", portrait: bool = False):
    """A diploma: landscape (one school's layout) or portrait (another's)."""
    width, height = (850, 1200) if portrait else (1200, 850)
    image = Image.new("RGB", (width, height), (250, 246, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle([30, 30, width - 30, height - 30], outline=(150, 30, 30), width=12)
    draw.rectangle([55, 55, width - 55, height - 55], outline=(180, 140, 60), width=4)
    draw.text(
        (width // 2 - 130, 200 if portrait else 120), "毕业证书", font=_font(64), fill=(120, 20, 20)
    )
    body = _font(34)
    y = 420 if portrait else 280
    lines = [
        f"学生 {name}",
        "于二〇一八年七月完成临床医学专业",
        "本科学习，成绩合格，准予毕业。",
        f"证书编号：{number}",
    ]
    for line in lines:
        draw.text((90 if portrait else 120, y), line, font=body, fill=(30, 30, 30))
        y += 70
    cx, cy = (width // 2, height - 300) if portrait else (width - 260, height - 230)
    draw.ellipse([cx - 110, cy - 110, cx + 110, cy + 110], outline=(200, 0, 0), width=8)
    draw.text((cx - 85, cy - 20), school[:6], font=body, fill=(200, 0, 0))
    return image


def jpeg_bytes(image: Image.Image, *, quality: int = 90, exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, **({"exif": exif} if exif else {}))
    return out.getvalue()


def cropped(image: Image.Image, *, left=0.0, top=0.0, right=0.0, bottom=0.0) -> Image.Image:
    """The image with these fractions cut off its edges (a photo framed a little tighter)."""
    width, height = image.size
    return image.crop(
        (
            int(width * left),
            int(height * top),
            width - int(width * right),
            height - int(height * bottom),
        )
    )


def resaved(image: Image.Image, *, quality: int) -> Image.Image:
    return Image.open(io.BytesIO(jpeg_bytes(image, quality=quality)))


def sideways_with_exif(image: Image.Image, *, quality: int = 85) -> bytes:
    """A phone photo stored sideways: the pixels turned 90°, EXIF Orientation 6 (turn it
    back clockwise to view)."""
    turned = image.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    return jpeg_bytes(turned, quality=quality, exif=exif.tobytes())


def png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
