"""Generated people for the demo data: names drawn from common surnames and given names,
resident ID numbers checksum-valid with real Hubei region codes and a sequence number
starting with 9, which marks them as generated here."""

import datetime
import random

from django.core.exceptions import ValidationError
from stdnum.cn import ric

from people.id_documents import validate_resident_id

# --- generated people -------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡"
    "贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷"
    "钱汤尹黎易常武贺龚文涂喻柯舒鲁向覃肖"
)
# The most common surnames come first and are drawn more often.
SURNAME_WEIGHTS = [max(1, 40 - i) for i in range(len(SURNAMES))]
GIVEN_MALE = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林洋阳博文志国建晨诚东峰海亮松毅春"
)
GIVEN_FEMALE = "芳娜敏静丽艳娟霞燕玲婷雪琳倩颖洁慧莉欣梅琴兰萍红晶丹蕾璐佳悦怡雯瑶婧诗思雨梦琪欢月"


def make_resident_id(region: str, birth: datetime.date, male: bool, rng: random.Random) -> str:
    sequence = f"9{rng.randrange(10)}"
    sex_digit = rng.choice("13579" if male else "02468")
    body = f"{region}{birth:%Y%m%d}{sequence}{sex_digit}"
    # `calc_check_digit` expects the whole 18-character number and ignores its last character.
    return body + ric.calc_check_digit(body + "0")


def is_valid_resident_id(number: str) -> bool:
    try:
        validate_resident_id(number)
    except ValidationError:
        return False
    return True


def fake_resident_id(
    *,
    region: str = "420102",
    birth: datetime.date | None = None,
    male: bool | None = None,
    rng: random.Random | None = None,
) -> str:
    """A checksum-valid resident ID number with a real region code, for demo data and tests.

    The two sequence digits after the birth date start with 9, which marks the number as
    generated here. Without `birth`, a birth date in 1965–2003 is drawn for which the platform's
    validator accepts the region code; a given `birth` is used as it is.
    """
    rng = rng or random.Random()
    male = rng.random() < 0.5 if male is None else male
    if birth is not None:
        return make_resident_id(region, birth, male, rng)
    for _ in range(200):
        number = make_resident_id(region, random_birth(rng, 1965, 2003), male, rng)
        if is_valid_resident_id(number):
            return number
    raise ValueError(f"region code {region} was not valid for births in 1965–2003")


def generate_resident_id(
    *,
    rng: random.Random,
    regions: list[str],
    birth: datetime.date,
    male: bool,
    preferred_region: str | None = None,
) -> str:
    """A generated resident ID that passes `validate_resident_id`: the region is retried
    until one is accepted for the birth year (codes abolished before the birth are not)."""
    tries = ([preferred_region] if preferred_region else []) + [
        rng.choice(regions) for _ in range(50)
    ]
    for region in tries:
        number = make_resident_id(region, birth, male, rng)
        if is_valid_resident_id(number):
            return number
    raise RuntimeError(f"no region code is valid for births in {birth.year}")


def generate_name(rng: random.Random, male: bool) -> str:
    surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
    pool = GIVEN_MALE if male else GIVEN_FEMALE
    size = 1 if rng.random() < 0.35 else 2
    return surname + "".join(rng.choice(pool) for _ in range(size))


def random_birth(rng: random.Random, first_year: int, last_year: int) -> datetime.date:
    start = datetime.date(first_year, 1, 1)
    days = (datetime.date(last_year, 12, 31) - start).days
    return start + datetime.timedelta(days=rng.randrange(days + 1))
