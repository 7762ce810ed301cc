"""Repeated failed 身份证（自动核验） (seed 000 §2 C04, issue 12 item 3): attempts are counted per
candidate and shown; after three the pages say so and offer 身份证（人工审核） directly."""

import pytest

from core.errors import ServiceError
from people import services
from people.identity_attempts import TOO_MANY_AUTO_FAILURES, auto_failures
from people.models import IdentityVerification, IdType
from tests.factories import fake_resident_id
from tests.people import test_candidate_site as site

pytestmark = pytest.mark.django_db

media, candidate, other, logged_in = site.media, site.candidate, site.other, site.logged_in


def wrong_number() -> str:
    number = fake_resident_id()
    return number[:17] + ("0" if number[17] != "0" else "1")


def test_failures_are_counted_and_shown(logged_in, candidate):
    site.submit_auto(logged_in, id_number=wrong_number())
    response = site.submit_auto(logged_in, id_number=wrong_number())
    assert "自动核验已失败2次，还可尝试1次（最多3次）" in response.content.decode()
    assert auto_failures(candidate) == 2
    page = logged_in.get(site.IDENTITY).content.decode()
    assert "身份证自动核验已失败2次，还可尝试1次（最多3次）。" in page
    assert f'href="{site.AUTO}"' in page


def test_missing_fields_are_not_a_failed_recognition(logged_in, candidate):
    site.submit_auto(logged_in, front=False, back=False)
    site.submit_auto(logged_in, id_number="")
    assert auto_failures(candidate) == 0


def test_after_three_failures_the_way_is_manual_review(logged_in, candidate):
    for _ in range(3):
        site.submit_auto(logged_in, id_number=wrong_number())
    page = logged_in.get(site.IDENTITY).content.decode()
    assert TOO_MANY_AUTO_FAILURES in page
    assert f'href="{site.MANUAL}?id_type=resident_id">身份证（人工审核）</a>' in page
    assert f'href="{site.AUTO}"' not in page
    # The automatic page itself refuses, even with a good number, and changes nothing.
    response = site.submit_auto(logged_in, id_number=fake_resident_id())
    assert TOO_MANY_AUTO_FAILURES in response.content.decode()
    assert 'name="id_number"' not in response.content.decode()
    candidate.refresh_from_db()
    assert not candidate.is_verified and auto_failures(candidate) == 3
    with pytest.raises(ServiceError, match="不能再自动核验"):
        services.identity_verify_auto(
            actor=candidate.user,
            candidate=candidate,
            name="张三",
            id_number=fake_resident_id(),
            front_image=site.png(),
            back_image=site.png(),
        )
    # 人工审核 opens with 居民身份证 chosen, and goes to the staff queue.
    form = logged_in.get(site.MANUAL + "?id_type=resident_id").context["form"]
    assert form["id_type"].value() == IdType.RESIDENT_ID
    logged_in.post(
        site.MANUAL,
        {
            "id_type": IdType.RESIDENT_ID,
            "name": "张三",
            "id_number": fake_resident_id(),
            "front_image": site.png(),
        },
    )
    assert candidate.verifications.get(status=IdentityVerification.Status.PENDING)


def test_counts_are_per_candidate(client, candidate, other):
    client.force_login(candidate.user)
    for _ in range(3):
        site.submit_auto(client, id_number=wrong_number())
    client.force_login(other.user)
    assert TOO_MANY_AUTO_FAILURES not in client.get(site.IDENTITY).content.decode()
    assert site.submit_auto(client).status_code == 302
    other.refresh_from_db()
    assert other.is_verified
