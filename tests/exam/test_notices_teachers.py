"""消息 about teachers: a teacher has signed; a QR link expired unused (manage.py
notices_check), told once per link however often the check runs."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.errors import ServiceError
from exam import recommender_services as rs
from exam.models import Application, Recommender
from exam.notice_checks import notices_check
from exam.recommender_services import LINK_MAX_AGE
from people.models import Notification, NotificationKind
from tests.exam.recommendation_helpers import (  # noqa: F401 (fixtures)
    add,
    app_fixture,
    invite,
    media_fixture,
    sign_through_services,
    signature_png,
)
from tests.factories import PhysicianFactory

K = NotificationKind
pytestmark = pytest.mark.django_db


def expire(teacher: Recommender, *, days_ago: float = 0.5) -> None:
    """Move the link's generation back so that it expired `days_ago` days ago."""
    age = datetime.timedelta(seconds=LINK_MAX_AGE) + datetime.timedelta(days=days_ago)
    Recommender.objects.filter(pk=teacher.pk).update(invited_at=timezone.now() - age)


def test_a_signature_tells_the_candidate_once(app):
    teacher = sign_through_services(add(app, PhysicianFactory()))
    notice = Notification.objects.get(kind=K.TEACHER_SIGNED)
    assert notice.candidate_id == app.candidate_id
    assert teacher.name in notice.title
    assert notice.link == f"/apply/{app.pk}/section/recommendation/"
    assert notice.sms is None
    # Signing again through the used-up link is refused and tells nothing more.
    with pytest.raises(ServiceError):
        rs.recommender_sign(
            recommender=teacher,
            nonce="used",
            pledge_accepted=True,
            evaluation="再次签名",
            opinion="同意",
            signature_png_bytes=signature_png(),
        )
    assert Notification.objects.filter(application_id=app.pk).count() == 1


class TestLinkExpired:
    def test_told_once_however_often_the_check_runs(self, app):
        teacher = add(app, PhysicianFactory())
        invite(teacher)
        assert notices_check().links_expired == 0  # still live
        expire(teacher)
        assert notices_check().links_expired == 1
        assert notices_check().links_expired == 0
        notice = Notification.objects.get(kind=K.TEACHER_LINK_EXPIRED)
        assert teacher.name in notice.title
        assert "重新生成二维码" in notice.body
        assert notice.sms is not None and notice.sms.phone == app.candidate.phone

    def test_a_new_link_that_expires_is_a_new_message(self, app):
        teacher = add(app, PhysicianFactory())
        invite(teacher)
        expire(teacher, days_ago=2)
        notices_check()
        invite(teacher)  # 重新生成二维码
        expire(teacher)
        notices_check()
        assert Notification.objects.filter(kind=K.TEACHER_LINK_EXPIRED).count() == 2

    def test_signed_or_submitted_or_long_gone_links_are_left_alone(self, app):
        signed = sign_through_services(add(app, PhysicianFactory()))
        expire(signed)
        old = add(app, PhysicianFactory())
        invite(old)
        expire(old, days_ago=60)
        assert notices_check().links_expired == 0

        expire(old)  # recent, but the application went in: nothing to ask of the candidate
        Application.objects.filter(pk=app.pk).update(status=Application.Status.SUBMITTED)
        assert notices_check().links_expired == 0
        Application.objects.filter(pk=app.pk).update(status=Application.Status.DRAFT)
        assert notices_check().links_expired == 1

    def test_the_command_reports_its_counts(self, app):
        teacher = add(app, PhysicianFactory())
        invite(teacher)
        expire(teacher)
        out = StringIO()
        call_command("notices_check", stdout=out)
        assert "二维码过期通知 1 条" in out.getvalue()
        assert Notification.objects.filter(kind=K.TEACHER_LINK_EXPIRED).count() == 1
