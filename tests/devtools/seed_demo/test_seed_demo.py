"""`seed_demo` and `demo_info`: the demo data covers every state at every tier, is built
through the services, and a second run changes nothing. What the seeded applications
contain (materials, TCM sections, comparison libraries, files) is in test_seed_demo_content.py."""

import datetime
import io
import random

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone
from stdnum.cn import ric

from core.models import AuditLogEntry
from devtools.demo.people import fake_resident_id
from devtools.demo.plan import DEMO_CANDIDATES, SUPERUSER_NAME, TOTAL_CANDIDATES
from devtools.demo.tree import DEMO_PASSWORD, DEMO_REVIEWERS
from exam.audit_actions import (
    LOG_APPLICATION_CREATED,
    LOG_APPLICATION_RESUBMITTED,
    LOG_APPLICATION_WITHDRAWN,
)
from exam.models import (
    Application,
    ExamKind,
    ExamProject,
    PaymentStatus,
    Section,
    TierReview,
    Track,
)
from exam.models.applications import ReviewStatus
from exam.sections import required_codes
from people.models import Candidate, IdType
from people.models.candidates import validate_id_document
from people.tiers import TIER_ORDER, Tier
from review import workflow
from tests.devtools.seed_demo.seeded import Seeded

# The mark also makes pytest-django create the test database for this module.
pytestmark = pytest.mark.django_db

S = ReviewStatus
AppStatus = Application.Status


def test_first_run_creates_the_demo_data(seeded: Seeded) -> None:
    assert seeded.first.candidates_created == TOTAL_CANDIDATES
    assert seeded.first.applications_created == TOTAL_CANDIDATES - 1  # candidate4 has none
    assert seeded.first.superuser_created
    assert len(seeded.first.projects_created) == 2
    assert Candidate.objects.count() == TOTAL_CANDIDATES
    assert Application.objects.count() == TOTAL_CANDIDATES - 1


def test_second_run_changes_nothing(seeded: Seeded) -> None:
    assert seeded.second.candidates_created == 0
    assert seeded.second.applications_created == 0
    assert seeded.second.candidates_skipped == TOTAL_CANDIDATES
    assert not seeded.second.superuser_created
    assert seeded.second.projects_created == []
    assert seeded.second.physicians_created == 0
    assert seeded.second.reference_records_created == 0
    assert seeded.counts_second == seeded.counts_first
    assert seeded.files_second == seeded.files_first


def test_projects_are_open_now(seeded: Seeded) -> None:
    projects = ExamProject.objects.filter(year=2026)
    assert {p.kind for p in projects} == set(ExamKind.values)
    assert all(p.is_registration_open(timezone.now()) for p in projects)


def test_every_application_status_appears(seeded: Seeded) -> None:
    assert set(Application.objects.values_list("status", flat=True)) == set(AppStatus.values)


def test_every_review_status_appears(seeded: Seeded) -> None:
    assert set(TierReview.objects.values_list("status", flat=True)) == set(S.values)


def test_every_tier_has_applications_under_review(seeded: Seeded) -> None:
    under_review = Application.objects.filter(
        status__in=[AppStatus.SUBMITTED, AppStatus.IN_REVIEW, AppStatus.RETURNED]
    )
    for tier in TIER_ORDER:
        assert under_review.filter(current_tier=tier).exists(), tier


@pytest.mark.parametrize(
    ("tier", "status"),
    [
        (Tier.UNIT, S.PENDING),
        (Tier.UNIT, S.DEFERRED),
        (Tier.UNIT, S.RETURNED),
        (Tier.UNIT, S.REJECTED),
        (Tier.UNIT, S.APPROVED),  # approved, not yet reported
        (Tier.COUNTY, S.PENDING),  # reported up to the county
        (Tier.COUNTY, S.RETURNED),
        (Tier.COUNTY, S.REJECTED),
        (Tier.CITY, S.PENDING),  # approved at the county and reported to the city
        (Tier.CITY, S.RETURNED),
        (Tier.CITY, S.REJECTED),
        (Tier.PROVINCE, S.PENDING),
        (Tier.PROVINCE, S.APPROVED),
    ],
)
def test_states_the_demo_needs_are_present(seeded: Seeded, tier: str, status: str) -> None:
    assert Application.objects.filter(
        current_tier=tier, **{f"{tier}_review_status": status}
    ).exists()


def test_applications_mirror_their_tier_reviews(seeded: Seeded) -> None:
    mirrored = {(r.application_id, r.tier): r.status for r in TierReview.objects.all()}
    for application in Application.objects.all():
        for tier in TIER_ORDER:
            expected = mirrored.get((application.pk, tier), "")
            assert application.review_status_at(tier) == expected, (application.pk, tier)


def test_final_states_match_the_top_tier(seeded: Seeded) -> None:
    approved = Application.objects.filter(status=AppStatus.APPROVED)
    assert approved.exists()
    assert not approved.exclude(province_review_status=S.APPROVED).exists()
    rejected = Application.objects.filter(status=AppStatus.REJECTED)
    for application in rejected:
        assert application.review_status_at(application.current_tier) == S.REJECTED


def test_every_change_is_in_the_review_log(seeded: Seeded) -> None:
    logs = AuditLogEntry.objects
    assert logs.filter(action=LOG_APPLICATION_CREATED).count() == (Application.objects.count())
    assert logs.filter(action=workflow.LOG_REVIEW_REPORTED).count() == (
        TierReview.objects.filter(status=S.REPORTED).count()
    )
    assert logs.filter(action=workflow.LOG_SECTION_LOCKED).count() == (
        Section.objects.filter(status=Section.Status.LOCKED).count()
    )
    resubmitted = logs.filter(action=LOG_APPLICATION_RESUBMITTED)
    assert resubmitted.exists()
    assert logs.filter(action=workflow.LOG_REVIEW_REOPENED).exists()
    assert logs.filter(action=LOG_APPLICATION_WITHDRAWN).exists()
    assert not logs.filter(actor__isnull=True).exists()


def test_returned_applications_keep_locked_sections(seeded: Seeded) -> None:
    returned = Application.objects.filter(status=AppStatus.RETURNED)
    for tier in (Tier.UNIT, Tier.COUNTY):
        at_tier = returned.filter(current_tier=tier)
        assert at_tier.filter(sections__status=Section.Status.LOCKED).exists(), tier
    for application in returned:
        statuses = set(application.sections.values_list("status", flat=True))
        assert Section.Status.COMPLETE in statuses  # something left to correct


def test_submitted_applications_have_their_required_sections(seeded: Seeded) -> None:
    for application in Application.objects.exclude(status=AppStatus.DRAFT).select_related(
        "project"
    ):
        done = set(
            application.sections.exclude(status=Section.Status.INCOMPLETE).values_list(
                "code", flat=True
            )
        )
        assert required_codes(application.project.kind, application.track) <= done


def test_tcm_applications_approved_at_county_were_confirmed_onsite(seeded: Seeded) -> None:
    passed_county = Application.objects.filter(
        project__kind=ExamKind.TCM_EXPERTISE,
        county_review_status__in=[S.APPROVED, S.REPORTED],
    )
    assert passed_county.exists()
    assert not passed_county.filter(onsite_confirmed_at__isnull=True).exists()


def test_payment_states(seeded: Seeded) -> None:
    counts = seeded.counts_first["payment"]
    submitted = Application.objects.exclude(status__in=[AppStatus.DRAFT, AppStatus.WITHDRAWN])
    assert 0.3 * submitted.count() <= counts[PaymentStatus.PAID] <= 0.7 * submitted.count()
    assert counts[PaymentStatus.REFUNDED] > 0
    assert not Application.objects.filter(
        status__in=[AppStatus.DRAFT, AppStatus.WITHDRAWN]
    ).exclude(payment_status=PaymentStatus.UNPAID)


def test_candidate_id_numbers_are_valid_and_marked_generated(seeded: Seeded) -> None:
    numbers = []
    for candidate in Candidate.objects.all():
        assert candidate.identity_status == Candidate.IdentityStatus.VERIFIED
        facts = validate_id_document(IdType.RESIDENT_ID, candidate.id_number)
        assert facts.birth_date == candidate.birth_date
        assert facts.gender == candidate.gender
        assert candidate.id_number[14] == "9"
        assert candidate.id_number.startswith("42")
        assert 1965 <= candidate.birth_date.year <= 2003
        assert 2 <= len(candidate.name) <= 4
        numbers.append(candidate.id_number)
    assert len(set(numbers)) == len(numbers)


def test_named_candidates(seeded: Seeded) -> None:
    def application_of(username: str) -> Application:
        return Application.objects.select_related("entry_institution").get(
            candidate__user__username=username
        )

    c1 = application_of("candidate1")
    assert c1.status == AppStatus.DRAFT
    assert c1.entry_institution.code == DEMO_REVIEWERS["unit_a"]
    assert c1.sections.filter(code="education", status=Section.Status.INCOMPLETE).exists()

    c2 = application_of("candidate2")
    assert (c2.status, c2.current_tier, c2.unit_review_status) == (
        AppStatus.SUBMITTED,
        Tier.UNIT,
        S.PENDING,
    )
    assert c2.entry_institution.code == DEMO_REVIEWERS["unit_a"]

    c3 = application_of("candidate3")
    assert (c3.status, c3.unit_review_status) == (AppStatus.RETURNED, S.RETURNED)
    assert c3.entry_institution.code == DEMO_REVIEWERS["unit_a"]
    assert c3.sections.filter(status=Section.Status.LOCKED).exists()

    c4 = Candidate.objects.get(user__username="candidate4")
    assert c4.is_verified
    assert not c4.applications.exists()

    c5 = application_of("candidate5")
    assert (c5.status, c5.track) == (AppStatus.SUBMITTED, Track.PRACTICE)
    assert c5.entry_institution.code == DEMO_REVIEWERS["county_jiangan"]

    phones = dict(
        Candidate.objects.filter(user__username__in=DEMO_CANDIDATES).values_list(
            "user__username", "phone"
        )
    )
    assert phones == DEMO_CANDIDATES


def test_demo_accounts_log_in(seeded: Seeded) -> None:
    usernames = [SUPERUSER_NAME, *DEMO_REVIEWERS, *DEMO_CANDIDATES]
    for username in usernames:
        assert Client().login(request=HttpRequest(), username=username, password=DEMO_PASSWORD), (
            username
        )
    assert get_user_model().objects.get(username=SUPERUSER_NAME).is_superuser


def test_generated_candidates_log_in_with_their_phone_number(seeded: Seeded) -> None:
    candidate = Candidate.objects.exclude(user__username__in=DEMO_CANDIDATES).first()
    assert candidate.user.username == candidate.phone
    assert Client().login(request=HttpRequest(), username=candidate.phone, password=DEMO_PASSWORD)


def test_demo_info_lists_urls_accounts_and_states(seeded: Seeded) -> None:
    out = io.StringIO()
    call_command("demo_info", "--host", "192.0.2.10", "--port", "8080", stdout=out)
    text = out.getvalue()
    assert "http://192.0.2.10:8080/" in text
    assert "http://192.0.2.10:8080/admin/" in text
    for username in [SUPERUSER_NAME, *DEMO_REVIEWERS, *DEMO_CANDIDATES]:
        assert username in text
    for phone in DEMO_CANDIDATES.values():
        assert phone in text
    assert DEMO_PASSWORD in text
    c3 = Candidate.objects.get(user__username="candidate3")
    line = next(line for line in text.splitlines() if "candidate3" in line)
    assert c3.name in line
    assert "允许修改" in line
    line = next(line for line in text.splitlines() if "candidate4" in line)
    assert "尚未报名" in line


def test_seed_demo_command_prints_a_summary(seeded: Seeded) -> None:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert f"已存在而跳过的演示考生 {TOTAL_CANDIDATES} 人" in text
    for label in AppStatus.labels:
        assert label in text


def test_fake_resident_id_is_valid_and_marked_generated() -> None:
    rng = random.Random(1)
    birth = datetime.date(1992, 5, 17)
    for male in (True, False):
        number = fake_resident_id(region="420106", birth=birth, male=male, rng=rng)
        facts = validate_id_document(IdType.RESIDENT_ID, number)
        assert (facts.birth_date, facts.gender) == (birth, "male" if male else "female")
        assert number[14] == "9"
    for _ in range(50):
        number = fake_resident_id(rng=rng)
        assert ric.calc_check_digit(number) == number[17]
        birth = validate_id_document(IdType.RESIDENT_ID, number).birth_date
        assert 1965 <= birth.year <= 2003
