"""Candidate: identity facts derived from the document number, one account per document."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from stdnum.cn import ric

from people.models import Candidate, IdType

pytestmark = pytest.mark.django_db

User = get_user_model()


def gb11643(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


MALE_1990 = gb11643("42010219900307123")  # 1990-03-07, 17th digit odd


def new_candidate(phone: str, **fields) -> Candidate:
    user = User.objects.create_user(username=phone, password="x")
    return Candidate(user=user, phone=phone, **fields)


class TestClean:
    def test_derives_birth_date_and_gender_from_resident_id(self):
        candidate = new_candidate("13900000001", id_number=MALE_1990.lower())
        candidate.clean()
        assert candidate.birth_date == datetime.date(1990, 3, 7)
        assert candidate.gender == "male"
        assert candidate.id_number == MALE_1990

    def test_normalises_the_number(self):
        number = gb11643("42010219851231002")
        candidate = new_candidate("13900000001", id_number=f"{number[:6]} {number[6:]}")
        candidate.clean()
        assert candidate.id_number == number
        assert candidate.gender == "female"

    def test_matching_birth_date_and_gender_accepted(self):
        candidate = new_candidate(
            "13900000001",
            id_number=MALE_1990,
            birth_date=datetime.date(1990, 3, 7),
            gender="male",
        )
        candidate.clean()
        assert candidate.birth_date == datetime.date(1990, 3, 7)

    def test_mismatching_birth_date_refused(self):
        candidate = new_candidate(
            "13900000001", id_number=MALE_1990, birth_date=datetime.date(1990, 3, 8)
        )
        with pytest.raises(ValidationError) as info:
            candidate.clean()
        assert info.value.message_dict == {"birth_date": ["出生日期与证件号码不一致。"]}

    def test_mismatching_gender_refused(self):
        candidate = new_candidate("13900000001", id_number=MALE_1990, gender="female")
        with pytest.raises(ValidationError) as info:
            candidate.clean()
        assert info.value.message_dict == {"gender": ["性别与证件号码不一致。"]}

    def test_both_mismatches_reported_together(self):
        candidate = new_candidate(
            "13900000001",
            id_number=MALE_1990,
            gender="female",
            birth_date=datetime.date(2000, 1, 1),
        )
        with pytest.raises(ValidationError) as info:
            candidate.clean()
        assert set(info.value.message_dict) == {"birth_date", "gender"}

    def test_bad_number_is_an_id_number_error(self):
        wrong = MALE_1990[:17] + ("0" if MALE_1990[17] != "0" else "1")
        candidate = new_candidate("13900000001", id_number=wrong)
        with pytest.raises(ValidationError) as info:
            candidate.clean()
        assert list(info.value.message_dict) == ["id_number"]
        assert "校验位错误" in info.value.message_dict["id_number"][0]
        assert candidate.birth_date is None and candidate.gender == ""

    def test_residence_permit_derives_facts_too(self):
        number = gb11643("83000019900307124")
        candidate = new_candidate("13900000001", id_type=IdType.RESIDENCE_PERMIT, id_number=number)
        candidate.clean()
        assert (candidate.birth_date, candidate.gender) == (datetime.date(1990, 3, 7), "female")

    def test_passport_tells_nothing_and_keeps_what_was_entered(self):
        candidate = new_candidate(
            "13900000001",
            id_type=IdType.PASSPORT,
            id_number="e12345678",
            birth_date=datetime.date(1970, 5, 1),
            gender="female",
        )
        candidate.clean()
        assert candidate.id_number == "E12345678"
        assert (candidate.birth_date, candidate.gender) == (datetime.date(1970, 5, 1), "female")

    def test_empty_number_is_not_checked(self):
        candidate = new_candidate("13900000001", birth_date=datetime.date(1970, 5, 1))
        candidate.clean()
        assert candidate.id_number == ""
        assert candidate.birth_date == datetime.date(1970, 5, 1)


class TestUniqueDocument:
    def test_same_document_twice_refused_by_the_database(self):
        new_candidate("13900000001", id_number=MALE_1990).save()
        duplicate = new_candidate("13900000002", id_number=MALE_1990)
        with pytest.raises(IntegrityError), transaction.atomic():
            duplicate.save()
        assert Candidate.objects.filter(id_number=MALE_1990).count() == 1

    def test_same_document_twice_refused_by_full_clean(self):
        new_candidate("13900000001", id_number=MALE_1990).save()
        duplicate = new_candidate("13900000002", id_number=MALE_1990)
        with pytest.raises(ValidationError) as info:
            duplicate.full_clean()
        assert list(info.value.message_dict) == ["__all__"]
        assert "candidate_id_document_unique" in info.value.message_dict["__all__"][0]

    def test_same_number_under_another_document_type_allowed(self):
        new_candidate("13900000001", id_type=IdType.TAIWAN_PERMIT, id_number="12345678").save()
        new_candidate("13900000002", id_type=IdType.PASSPORT, id_number="12345678").save()
        assert Candidate.objects.filter(id_number="12345678").count() == 2

    def test_many_candidates_without_a_number(self):
        for phone in ("13900000001", "13900000002", "13900000003"):
            new_candidate(phone).save()
        assert Candidate.objects.filter(id_type=IdType.RESIDENT_ID, id_number="").count() == 3

    def test_phone_is_unique(self):
        new_candidate("13900000001").save()
        other = new_candidate("13900000002")
        other.phone = "13900000001"
        with pytest.raises(IntegrityError), transaction.atomic():
            other.save()
