"""factory-boy factories. Identity numbers are generated checksum-valid and fictitious."""

import datetime
import random

import factory
from django.contrib.auth import get_user_model
from stdnum.cn import ric

from people.models import Candidate

_rng = random.Random(20261122)


def fake_resident_id(
    *,
    region: str = "420102",
    birth: datetime.date | None = None,
    male: bool | None = None,
    rng: random.Random = _rng,
) -> str:
    """A checksum-valid resident ID with a real region code. The sequence numbers start
    with 9, which marks them as generated here."""
    # Born 1990–2003: stdnum also checks that the region code existed in the birth year.
    birth = birth or datetime.date(1990, 1, 1) + datetime.timedelta(days=rng.randrange(5000))
    male = rng.random() < 0.5 if male is None else male
    seq = f"9{rng.randrange(10)}"
    sex_digit = rng.choice("13579" if male else "02468")
    body = f"{region}{birth:%Y%m%d}{seq}{sex_digit}"
    return body + ric.calc_check_digit(body + "0")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("demo12345")


class CandidateFactory(factory.django.DjangoModelFactory):
    """A candidate whose real-name verification has succeeded."""

    class Meta:
        model = Candidate
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    name = factory.Sequence(lambda n: f"考生{n}")
    id_number = factory.LazyFunction(fake_resident_id)
    identity_status = Candidate.IdentityStatus.VERIFIED

    @factory.post_generation
    def derive_identity(obj, create, extracted, **kwargs):  # noqa: N805 - factory-boy API
        obj.clean()
        if create:
            obj.save()
