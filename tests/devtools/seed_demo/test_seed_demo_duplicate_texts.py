"""`seed_demo` and 查重 of texts: every TCM text indexed, exactly the two copied 医案 pairs
flagged (one across counties, one within 江岸区), and no honest pair of the template-based
demo texts; the same after the second run."""

import pytest

from devtools.demo.duplicate_texts import JIANGAN, WUCHANG
from exam.duplicates.models import Match, MatchKind, TextFingerprint
from exam.models import Application, CaseRecord
from tests.devtools.seed_demo.seeded import Seeded

pytestmark = pytest.mark.django_db


def test_two_copied_case_records_and_nothing_else(seeded: Seeded) -> None:
    assert seeded.first.text_matches == seeded.second.text_matches == 2
    matches = list(Match.objects.filter(kind=MatchKind.TEXT).order_by("application_id"))
    assert len(matches) == 2
    counties = []
    for match in matches:
        assert match.label.startswith("病案") and match.other_label.startswith("病案")
        assert 80 <= match.similarity < 100
        assert match.detail["passages"]
        pair = Application.objects.filter(
            pk__in=[match.application_id, match.other_application_id]
        ).values_list("entry_institution__code", flat=True)
        counties.append(sorted(pair))
    assert sorted(counties) == sorted([[JIANGAN, WUCHANG], [JIANGAN, JIANGAN]])


def test_every_case_record_is_indexed(seeded: Seeded) -> None:
    indexed = set(TextFingerprint.objects.filter(kind="case").values_list("ref", flat=True))
    assert indexed == {f"case:{pk}" for pk in CaseRecord.objects.values_list("pk", flat=True)}
    assert TextFingerprint.objects.filter(kind="expertise").exists()
    assert TextFingerprint.objects.filter(kind="experience").exists()
