"""factory-boy factories. Identity numbers are generated checksum-valid and fictitious."""

import random

import factory
from django.contrib.auth import get_user_model

from people.models import Candidate, Physician
from review.demo_data import fake_resident_id as demo_fake_resident_id

_rng = random.Random(20261122)


# The latest birth year a factory person has. Tests type a 参加工作时间 such as 2015-07-01,
# which the basic section refuses for anyone under 14 that year: a person born in 2002 or
# 2003 (the demo range ends in 2003) made those tests fail about one run in twenty.
LATEST_BIRTH_YEAR = 1995


def fake_resident_id() -> str:
    """Checksum-valid, real region code, sequence digits starting with 9 (see review.demo_data),
    for a person born no later than LATEST_BIRTH_YEAR."""
    while True:
        number = demo_fake_resident_id(rng=_rng)
        if int(number[6:10]) <= LATEST_BIRTH_YEAR:
            return number


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
    is_recommender = True
    is_supervisor = True
