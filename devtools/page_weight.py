"""Page weight of a review page: the bytes a browser downloads for its HTML and its <img>s.

`page_weight(client, url)` fetches the page as the logged-in test client, then every image
the page shows, and returns the sum; `full_size=True` counts each thumbnail's original
instead (what the page sent before thumbnails, core/thumbnails.py). Scripts and styles are
the same before and after and left out.

`phone_photo()` is what reviewers receive: a certificate photographed with a phone, 12 MP
JPEG (the demo's certificate drawing, enlarged and given a camera's grain).
"""

import io
import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit, urlunsplit

from django.test import Client
from PIL import Image, ImageChops

from devtools.demo.media import certificate_png

IMG_SRC = re.compile(r'<img[^>]*\ssrc="([^"]+)"')
PHONE_SIZE = (4032, 3024)


@dataclass
class PageWeight:
    html_bytes: int
    image_count: int
    image_bytes: int

    @property
    def total_bytes(self) -> int:
        return self.html_bytes + self.image_bytes


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _original(src: str) -> str:
    parts = urlsplit(src)
    return urlunsplit(parts._replace(query=""))


def page_weight(client: Client, url: str, *, full_size: bool = False) -> PageWeight:
    """What `url` weighs for `client`, images included (each fetched once, as a browser)."""
    response = client.get(url)
    if response.status_code != 200:
        raise ValueError(f"{url}: HTTP {response.status_code}")
    html = _body(response)
    sources = sorted(set(IMG_SRC.findall(html.decode())))
    image_bytes = 0
    for src in sources:
        src = src.replace("&amp;", "&")
        if full_size and "thumb=1" in src:
            src = _original(src)
        image = client.get(src)
        if image.status_code != 200:
            raise ValueError(f"{src}: HTTP {image.status_code}")
        image_bytes += len(_body(image))
    return PageWeight(html_bytes=len(html), image_count=len(sources), image_bytes=image_bytes)


@cache
def phone_photo(quality: int = 85) -> bytes:
    """A 12 MP JPEG of a certificate as a phone takes it (about 3 MB)."""
    drawing = Image.open(io.BytesIO(certificate_png("education", 0))).convert("RGB")
    photo = drawing.resize(PHONE_SIZE, Image.Resampling.BICUBIC)
    grain = Image.effect_noise(PHONE_SIZE, 8).convert("RGB")
    photo = ImageChops.add(photo, grain, scale=1.0, offset=-128)
    out = io.BytesIO()
    photo.save(out, format="JPEG", quality=quality)
    return out.getvalue()
