"""查重 in the demo: one pair of the same diploma photo and one re-saved, cropped copy, each
between 江岸区 and 武昌区, seen whole by the province and 武汉市, by each county one side."""

import pytest
from django.contrib.auth import get_user_model

from exam.duplicates.models import FileFingerprint, Match, MatchKind
from review.selectors import application_list
from tests.devtools.seed_demo.seeded import Seeded

# As in the package's other modules: ordered with them, while the seeded data is there.
pytestmark = pytest.mark.django_db

User = get_user_model()


def test_two_pairs_planted_once(seeded: Seeded) -> None:
    assert seeded.first.duplicate_pairs_created == 2
    assert seeded.second.duplicate_pairs_created == 0
    assert FileFingerprint.objects.count() == 4
    kinds = sorted(Match.objects.exclude(kind=MatchKind.TEXT).values_list("kind", flat=True))
    assert kinds == sorted([MatchKind.FILE_SAME, MatchKind.FILE_NEAR])
    for fingerprint in FileFingerprint.objects.all():
        assert fingerprint.phash  # images, hashed from the stored file


def test_scopes_see_both_or_one_side(seeded: Seeded) -> None:
    for match in Match.objects.exclude(kind=MatchKind.TEXT):
        pair = {match.application_id, match.other_application_id}
        for username, expected in (
            ("province", 2),
            ("city_wuhan", 2),
            ("county_jiangan", 1),
            ("county_wuchang", 1),
        ):
            user = User.objects.get(username=username)
            seen = application_list(user=user, business=None).filter(pk__in=pair).count()
            assert seen == expected, (username, match.kind)
