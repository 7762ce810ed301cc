"""消息's SMS: recorded with the message, enqueued only after commit, delivered by the job
worker once (a second run, or a second worker, sends nothing), retried with a delay after a
failure up to MAX_ATTEMPTS; and the identity decision's message."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.errors import ServiceError
from people import services
from people.models import Notification, NotificationKind, SmsMessage
from people.notice_services import notices_create
from people.notice_tasks import (
    MAX_ATTEMPTS,
    notice_sms_deliver,
    notice_sms_requeue,
    notice_sms_task,
)
from people.notices import Notice
from people.sms.backends import SmsBackend, SmsDeliveryError
from tests.people.test_identity import media, request_manual  # noqa: F401 (fixture)

K = NotificationKind
User = get_user_model()
Status = SmsMessage.Status
pytestmark = pytest.mark.django_db


class Counting(SmsBackend):
    sent: list[tuple[str, str]] = []

    def deliver(self, *, phone: str, text: str) -> None:
        Counting.sent.append((phone, text))


class Down(SmsBackend):
    def deliver(self, *, phone: str, text: str) -> None:
        raise SmsDeliveryError("网关超时")


class Broken(SmsBackend):
    def deliver(self, *, phone: str, text: str) -> None:
        raise RuntimeError("bug")


@pytest.fixture
def candidate():
    return services.candidate_register(phone="13900000001", password="secret-123")


@pytest.fixture
def staff():
    user = User.objects.create_user(username="identity-staff", password="x", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="people", codename="change_identityverification"
        )
    )
    return User.objects.get(pk=user.pk)


@pytest.fixture
def counting(settings):
    Counting.sent = []
    settings.SMS_BACKEND = f"{__name__}.Counting"
    return Counting.sent


def jobs() -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(task_path__endswith="notice_sms_task").order_by("enqueued_at")
    )


def rejected_notice(candidate, key="k1") -> Notice:
    return Notice(
        candidate_id=candidate.pk,
        kind=K.REJECTED,
        key=key,
        params={"institution": "江岸区演示第一医院", "remark": "材料不全"},
        application_id=1,
        subject="2026年卫生专业技术资格考试",
    )


def make(candidate, django_capture_on_commit_callbacks, **kwargs) -> SmsMessage:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notices_create(notices=[rejected_notice(candidate, **kwargs)])
    assert len(callbacks) == 1
    return Notification.objects.get(dedupe_key=kwargs.get("key", "k1")).sms


class TestDelivery:
    def test_queued_at_commit_then_sent_once(
        self, candidate, counting, django_capture_on_commit_callbacks
    ):
        sms = make(candidate, django_capture_on_commit_callbacks)
        assert sms.status == Status.QUEUED and counting == []
        (job,) = jobs()
        assert job.args_kwargs["args"] == [[sms.pk]]

        notice_sms_task.call([sms.pk])
        notice_sms_task.call([sms.pk])  # the same job twice (two workers, a re-run)
        assert counting == [("13900000001", sms.text)]
        sms.refresh_from_db()
        assert (sms.status, sms.attempts, sms.error) == (Status.SENT, 1, "")
        assert sms.sent_at is not None
        assert "材料不全" in sms.text and sms.text.startswith("【湖北卫生人才网】")

    def test_a_claimed_message_is_not_sent_by_another_worker(
        self, candidate, counting, django_capture_on_commit_callbacks
    ):
        sms = make(candidate, django_capture_on_commit_callbacks)
        SmsMessage.objects.filter(pk=sms.pk).update(status=Status.SENDING, attempts=1)
        assert notice_sms_deliver(sms_id=sms.pk) == "skipped"
        assert counting == []

    def test_the_same_event_twice_is_one_message_and_one_sms(
        self, candidate, counting, django_capture_on_commit_callbacks
    ):
        make(candidate, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            assert notices_create(notices=[rejected_notice(candidate)]) == []
        assert callbacks == []
        assert Notification.objects.count() == 1 and SmsMessage.objects.count() == 1

    def test_a_failure_is_recorded_and_retried_later(
        self, candidate, settings, django_capture_on_commit_callbacks
    ):
        sms = make(candidate, django_capture_on_commit_callbacks)
        settings.SMS_BACKEND = f"{__name__}.Down"
        assert notice_sms_deliver(sms_id=sms.pk) == Status.FAILED
        sms.refresh_from_db()
        assert (sms.status, sms.attempts, sms.error) == (Status.FAILED, 1, "网关超时")
        first, retry = jobs()
        assert retry.args_kwargs["args"] == [[sms.pk]]
        assert retry.run_after > first.enqueued_at  # not at once: after a delay

        Counting.sent = []
        settings.SMS_BACKEND = f"{__name__}.Counting"
        assert notice_sms_deliver(sms_id=sms.pk) == Status.SENT
        assert notice_sms_deliver(sms_id=sms.pk) == "skipped"
        assert len(Counting.sent) == 1
        sms.refresh_from_db()
        assert (sms.status, sms.attempts, sms.error) == (Status.SENT, 2, "")

    def test_retries_stop_after_the_last_attempt(
        self, candidate, settings, django_capture_on_commit_callbacks
    ):
        sms = make(candidate, django_capture_on_commit_callbacks)
        settings.SMS_BACKEND = f"{__name__}.Broken"
        for _ in range(MAX_ATTEMPTS):
            assert notice_sms_deliver(sms_id=sms.pk) == Status.FAILED
        assert notice_sms_deliver(sms_id=sms.pk) == "skipped"
        sms.refresh_from_db()
        assert (sms.status, sms.attempts, sms.error) == (
            Status.FAILED,
            MAX_ATTEMPTS,
            "RuntimeError",
        )
        assert (
            len(jobs()) == MAX_ATTEMPTS
        )  # the first, then a retry after each failure but the last

    def test_the_teacher_code_is_never_taken_by_the_task(self, counting):
        from people.sms import send_sms

        code = send_sms(phone="13812341234", text="核验码123456", purpose="teacher_code")
        assert notice_sms_deliver(sms_id=code.pk) == "skipped"
        assert counting == []


class TestIdentityDecided:
    def test_approval_is_told_once(self, candidate, staff, django_capture_on_commit_callbacks):
        verification = request_manual(candidate)
        with django_capture_on_commit_callbacks(execute=True):
            services.identity_decide(actor=staff, verification=verification, approve=True)
        notice = Notification.objects.get(candidate=candidate)
        assert notice.kind == K.IDENTITY_DECIDED
        assert notice.title == "实名认证已通过"
        assert notice.link == "/account/identity/"
        assert notice.sms.phone == candidate.phone
        assert len(jobs()) == 1
        with pytest.raises(ServiceError):  # deciding it again is refused: still one message
            services.identity_decide(
                actor=staff, verification=verification, approve=False, reason="x"
            )
        assert Notification.objects.filter(candidate=candidate).count() == 1

    def test_rejection_carries_the_reason(self, candidate, staff):
        verification = request_manual(candidate)
        services.identity_decide(
            actor=staff, verification=verification, approve=False, reason="照片模糊"
        )
        notice = Notification.objects.get(candidate=candidate)
        assert notice.title == "实名认证未通过"
        assert "照片模糊" in notice.body


def run_ready_jobs() -> int:
    """What the worker does with each ready job: import its task by path, call it with the
    stored arguments (django_tasks_db's run_task without its process loop)."""
    ready = list(DBTaskResult.objects.ready().filter(task_path__endswith="notice_sms_task"))
    for row in ready:
        row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
    return len(ready)


def test_the_stored_job_delivers_it_once(candidate, counting, django_capture_on_commit_callbacks):
    sms = make(candidate, django_capture_on_commit_callbacks)
    assert run_ready_jobs() == 1
    assert run_ready_jobs() == 1  # the same job again: nothing more is sent
    sms.refresh_from_db()
    assert sms.status == Status.SENT
    assert counting == [("13900000001", sms.text)]


def test_a_retry_is_not_ready_before_its_delay(
    candidate, settings, django_capture_on_commit_callbacks
):
    sms = make(candidate, django_capture_on_commit_callbacks)
    settings.SMS_BACKEND = f"{__name__}.Down"
    assert run_ready_jobs() == 1
    assert run_ready_jobs() == 1  # only the first job (run again): the retries wait their delay
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == (Status.FAILED, 2)


def test_lost_records_are_enqueued_again(candidate, django_capture_on_commit_callbacks):
    queued = make(candidate, django_capture_on_commit_callbacks, key="q")
    failed = make(candidate, django_capture_on_commit_callbacks, key="f")
    done = make(candidate, django_capture_on_commit_callbacks, key="d")
    given_up = make(candidate, django_capture_on_commit_callbacks, key="g")
    SmsMessage.objects.filter(pk=failed.pk).update(status=Status.FAILED, attempts=2)
    SmsMessage.objects.filter(pk=done.pk).update(status=Status.SENT, attempts=1)
    SmsMessage.objects.filter(pk=given_up.pk).update(status=Status.FAILED, attempts=MAX_ATTEMPTS)
    fifteen = datetime.timedelta(minutes=15)
    assert notice_sms_requeue(older_than=fifteen) == 0  # all fresh: their jobs are coming

    SmsMessage.objects.update(created_at=timezone.now() - datetime.timedelta(hours=1))
    before = len(jobs())
    assert notice_sms_requeue(older_than=fifteen) == 1  # the queued one; the retries may run
    assert jobs()[-1].args_kwargs["args"] == [[queued.pk]]

    SmsMessage.objects.update(created_at=timezone.now() - datetime.timedelta(hours=4))
    assert notice_sms_requeue(older_than=fifteen) == 2  # and the failed one with tries left
    assert jobs()[-1].args_kwargs["args"] == [[queued.pk, failed.pk]]
    assert len(jobs()) == before + 2
