"""factory-boy factories. Identity numbers are generated checksum-valid and fictitious."""

import datetime
import random

import factory
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from stdnum.cn import ric

from people.id_documents import validate_resident_id
from people.models import Candidate, Physician

_rng = random.Random(20261122)


# The latest birth year a factory person has. Tests type a 参加工作时间 such as 2015-07-01,
# which the basic section refuses for anyone under 14 that year: a person born in 2002 or
# 2003 made those tests fail about one run in twenty.
LATEST_BIRTH_YEAR = 1995
EARLIEST_BIRTH_YEAR = 1965


def fake_resident_id(*, region: str = "420102") -> str:
    """Checksum-valid, with a real region code (江岸区 unless told) that the platform's
    validator accepts for the birth date, born 1965–LATEST_BIRTH_YEAR. The two sequence
    digits after the birth date start with 9, marking the number as generated."""
    first = datetime.date(EARLIEST_BIRTH_YEAR, 1, 1).toordinal()
    last = datetime.date(LATEST_BIRTH_YEAR, 12, 31).toordinal()
    for _ in range(200):
        birth = datetime.date.fromordinal(_rng.randint(first, last))
        body = f"{region}{birth:%Y%m%d}9{_rng.randrange(10)}{_rng.randrange(10)}"
        # `calc_check_digit` expects the whole 18-character number and ignores its last one.
        number = body + ric.calc_check_digit(body + "0")
        try:
            validate_resident_id(number)
        except ValidationError:
            continue
        return number
    raise ValueError(f"region code {region} was not valid for births in the factory's years")


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


class PhysicianFactory(factory.django.DjangoModelFactory):
    """A registry physician who may recommend and supervise (副主任中医师)."""

    class Meta:
        model = Physician

    name = factory.Sequence(lambda n: f"医师{n}")
    id_number = factory.LazyFunction(fake_resident_id)
    institution_name = "武汉市中医医院"
    phone = factory.Sequence(lambda n: f"1385{n % 10_000_000:07d}")
    qualification_no = factory.Sequence(lambda n: f"2005142{n:08d}")
    license_no = factory.Sequence(lambda n: f"1104201{n:08d}")
    practice_category = "中医"
    practice_scope = "中医专业"
    title = "副主任中医师"
    clinical_start_year = 2000
    is_recommender = True
    is_supervisor = True
