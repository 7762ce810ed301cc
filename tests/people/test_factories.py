"""The factories' people are old enough for the dates the tests type: CI failed once on a
candidate born in 2003 whose 参加工作时间 2015-07-01 the basic section refused (under 14)."""

from tests.factories import LATEST_BIRTH_YEAR, fake_resident_id


def test_factory_people_are_born_by_the_latest_birth_year():
    years = [int(fake_resident_id()[6:10]) for _ in range(2000)]
    assert max(years) <= LATEST_BIRTH_YEAR
    assert 2015 - max(years) >= 14
    # Still spread over the years, not one fixed person.
    assert len(set(years)) > 20
