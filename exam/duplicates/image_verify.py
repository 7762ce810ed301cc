"""Is a near perceptual hash really the same picture?

A 64-bit perceptual hash sees the layout, not the writing: two diplomas of one school that
differ only in the graduate's name and number hash alike (0–2 bits apart), while a copy of
one diploma re-saved and cropped by a few per cent is 6–14 bits away. So a near hash is only
a candidate; this module aligns the two pictures (scale from their sizes, shift by phase
correlation) and compares them block by block. Re-saving or cropping changes no block much;
another person's name and number change the blocks they are written in.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter, ImageOps
from scipy import ndimage

WORK_WIDTH = 800  # the first picture is compared at this width
BLOCK = 16  # pixels of a block at that width
MIN_OVERLAP = 0.8  # of the smaller picture: a crop by more than this is not "the same"
# A block's mean difference (in standard deviations of the picture, beyond what a one-pixel
# shift explains) above this is a change. Measured on generated diplomas: re-saved at quality
# 30–60, cropped 2–5 %, halved in size: at most 0.07; one digit of the number changed: 0.23;
# another name: 0.68.
BLOCK_CHANGED = 0.15


def _gray(image: Image.Image) -> Image.Image:
    image = ImageOps.exif_transpose(image)
    image.draft("L", (WORK_WIDTH * 2, WORK_WIDTH * 2))
    return image.convert("L")


def _array(image: Image.Image, width: int, height: int) -> np.ndarray:
    resized = image.resize((max(1, width), max(1, height)), Image.Resampling.BILINEAR)
    return np.asarray(resized.filter(ImageFilter.GaussianBlur(0.8)), dtype=np.float32)


def _shift(a: np.ndarray, b: np.ndarray) -> tuple[int, int, float]:
    """(dy, dx, peak) with a[y, x] ≈ b[y − dy, x − dx], by phase correlation."""
    height, width = max(a.shape[0], b.shape[0]), max(a.shape[1], b.shape[1])
    fa = np.fft.rfft2(a - a.mean(), s=(height, width))
    fb = np.fft.rfft2(b - b.mean(), s=(height, width))
    cross = fa * np.conj(fb)
    cross /= np.abs(cross) + 1e-9
    surface = np.fft.irfft2(cross, s=(height, width))
    dy, dx = np.unravel_index(int(np.argmax(surface)), surface.shape)
    peak = float(surface[dy, dx])
    if dy > height // 2:
        dy -= height
    if dx > width // 2:
        dx -= width
    return int(dy), int(dx), peak


def _outside(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """How far each pixel of a lies outside the range of b's 3×3 neighbourhood."""
    high = ndimage.maximum_filter(b, size=3)
    low = ndimage.minimum_filter(b, size=3)
    return np.maximum(0, np.maximum(a - high, low - a))


def _changed_blocks(a: np.ndarray, b: np.ndarray, dy: int, dx: int) -> int | None:
    """Blocks that differ in the overlap of a and b shifted by (dy, dx); None: too little
    overlap to say."""
    top, left = max(0, dy), max(0, dx)
    bottom = min(a.shape[0], b.shape[0] + dy)
    right = min(a.shape[1], b.shape[1] + dx)
    if bottom - top <= BLOCK or right - left <= BLOCK:
        return None
    smaller = min(a.size, b.size)
    if (bottom - top) * (right - left) < MIN_OVERLAP * smaller:
        return None
    pa = a[top:bottom, left:right]
    pb = b[top - dy : bottom - dy, left - dx : right - dx]
    pa = (pa - pa.mean()) / (pa.std() + 1e-6)
    pb = (pb - pb.mean()) / (pb.std() + 1e-6)
    # Within one pixel: a shift by a fraction of a pixel (a crop not on the working grid)
    # moves every edge a little, a changed name moves strokes by more.
    diff = np.maximum(_outside(pa, pb), _outside(pb, pa))
    rows, cols = diff.shape[0] // BLOCK, diff.shape[1] // BLOCK
    blocks = (
        diff[: rows * BLOCK, : cols * BLOCK].reshape(rows, BLOCK, cols, BLOCK).mean(axis=(1, 3))
    )
    return int((blocks > BLOCK_CHANGED).sum())


def same_picture(first: Image.Image, second: Image.Image) -> bool:
    """True when `second` is `first` re-saved, resized or cropped by a little; False for a
    different picture, however alike its layout."""
    a_img, b_img = _gray(first), _gray(second)
    factor = WORK_WIDTH / a_img.width
    a = _array(a_img, WORK_WIDTH, round(a_img.height * factor))
    # Scale of the second picture's pixels to the first's: the same (a crop keeps the
    # scale), or as their widths or heights say (a resized copy).
    scales = {1.0, a_img.width / b_img.width, a_img.height / b_img.height}
    best: tuple[float, np.ndarray, int, int] | None = None
    for scale in sorted(scales):
        if not 0.2 <= scale <= 5:
            continue
        s = factor * scale
        b = _array(b_img, round(b_img.width * s), round(b_img.height * s))
        dy, dx, peak = _shift(a, b)
        if best is None or peak > best[0]:
            best = (peak, b, dy, dx)
    if best is None:
        return False
    _, b, dy, dx = best
    changed = _changed_blocks(a, b, dy, dx)
    return changed == 0
