"""The four review tiers, bottom to top. Everything that needs tier order reads it here."""

from django.db import models


class Tier(models.TextChoices):
    UNIT = "unit", "单位"
    COUNTY = "county", "区县"
    CITY = "city", "市州"
    PROVINCE = "province", "省级"


# Bottom to top: the order applications travel when they are reported up.
TIER_ORDER: tuple[str, ...] = (Tier.UNIT, Tier.COUNTY, Tier.CITY, Tier.PROVINCE)

# Which tiers an institution of a tier may hang under (a unit may be 市直 or 省直).
ALLOWED_PARENT_TIERS: dict[str, tuple[str, ...]] = {
    Tier.PROVINCE: (),
    Tier.CITY: (Tier.PROVINCE,),
    Tier.COUNTY: (Tier.CITY,),
    Tier.UNIT: (Tier.COUNTY, Tier.CITY, Tier.PROVINCE),
}


def tier_index(tier: str) -> int:
    return TIER_ORDER.index(tier)


def tiers_below(tier: str) -> tuple[str, ...]:
    return TIER_ORDER[: tier_index(tier)]
