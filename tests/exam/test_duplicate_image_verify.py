"""The picture-to-picture check behind a near perceptual hash (exam/duplicates/image_verify)."""

import io

import pytest
from PIL import Image

from devtools.demo.diplomas import cropped, diploma, jpeg_bytes, resaved
from exam.duplicates.image_verify import same_picture

ORIGINAL = diploma("张三", "10486120180512")


def _jpeg(image: Image.Image, quality: int = 75) -> Image.Image:
    return Image.open(io.BytesIO(jpeg_bytes(image, quality=quality)))


@pytest.mark.parametrize(
    "copy",
    [
        resaved(ORIGINAL, quality=30),
        cropped(resaved(ORIGINAL, quality=60), left=0.03, top=0.03),
        cropped(ORIGINAL, left=0.02, top=0.02, right=0.02, bottom=0.02),
        ORIGINAL.resize((600, 425)),
        cropped(ORIGINAL.resize((600, 425)), left=0.03),
    ],
    ids=["quality 30", "3 % off two edges", "2 % off every edge", "halved", "halved, cropped"],
)
def test_copies_are_the_same_picture(copy):
    assert same_picture(_jpeg(ORIGINAL), _jpeg(copy))


@pytest.mark.parametrize(
    "other",
    [
        diploma("李四", "10486120180513"),
        diploma("张三", "10486120180513"),  # one digit of the number
        diploma("王五", "20001120190001", school="江汉演示医学院"),
        diploma("张三", "10486120180512", portrait=True),
    ],
    ids=["another name", "one digit", "another school", "another layout"],
)
def test_other_diplomas_are_not(other):
    assert not same_picture(_jpeg(ORIGINAL), _jpeg(other))
