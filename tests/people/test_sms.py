"""people.sms: send_sms records every message (短信发送记录) and hands it to the backend of
settings.SMS_BACKEND after commit; the admin page for provincial staff; phone rules."""

import logging

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse

from people.models import Physician, SmsMessage
from people.phones import mask_phone, normalize_mobile
from people.sms import send_sms
from people.sms.backends import ConsoleBackend, OutboxBackend, SmsBackend, SmsDeliveryError
from tests.builders import superuser

pytestmark = pytest.mark.django_db

TEXT = "【湖北卫生人才网】您的身份核验码为246810，10分钟内有效。"


class Gateway(SmsBackend):
    """A gateway-like backend (keeps_text False) that records what it was given."""

    delivered: list[tuple[str, str]] = []

    def deliver(self, *, phone: str, text: str) -> None:
        Gateway.delivered.append((phone, text))


class Refusing(SmsBackend):
    def deliver(self, *, phone: str, text: str) -> None:
        raise SmsDeliveryError("号码已停机")


class Crashing(SmsBackend):
    def deliver(self, *, phone: str, text: str) -> None:
        raise ConnectionResetError("reset by peer")


def send(**kwargs) -> SmsMessage:
    return send_sms(
        **{"phone": "13812341234", "text": TEXT, "purpose": "teacher_code", "secret": "246810"}
        | kwargs
    )


def fresh(message: SmsMessage) -> SmsMessage:
    return SmsMessage.objects.get(pk=message.pk)


def test_outbox_keeps_the_whole_text_and_marks_it_sent_on_commit(
    settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "people.sms.backends.OutboxBackend"
    with django_capture_on_commit_callbacks(execute=True):
        message = send(phone="138 1234-1234")
        assert fresh(message).status == SmsMessage.Status.QUEUED  # not before commit
    message = fresh(message)
    assert (message.phone, message.text) == ("13812341234", TEXT)
    assert message.status == SmsMessage.Status.SENT and message.sent_at
    assert message.backend == "people.sms.backends.OutboxBackend"


def test_a_gateway_gets_the_text_the_record_masks_the_secret(
    settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = f"{__name__}.Gateway"
    Gateway.delivered.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message = send()
    assert Gateway.delivered == [("13812341234", TEXT)]
    assert fresh(message).text == TEXT.replace("246810", "******")
    assert "246810" not in fresh(message).text


@pytest.mark.parametrize(
    ("backend", "error"), [("Refusing", "号码已停机"), ("Crashing", "ConnectionResetError")]
)
def test_failures_are_recorded_not_raised(
    settings, django_capture_on_commit_callbacks, backend, error
):
    settings.SMS_BACKEND = f"{__name__}.{backend}"
    with django_capture_on_commit_callbacks(execute=True):
        message = send()
    message = fresh(message)
    assert message.status == SmsMessage.Status.FAILED and message.error == error
    assert message.sent_at is None


def test_nothing_is_sent_when_the_transaction_rolls_back(
    settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = f"{__name__}.Gateway"
    Gateway.delivered.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                send()
                raise RuntimeError("the service refused")
        except RuntimeError:
            pass
    assert callbacks == [] and Gateway.delivered == []
    assert not SmsMessage.objects.exists()


def test_console_backend_logs_the_text(settings, caplog, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "people.sms.backends.ConsoleBackend"
    with (
        caplog.at_level(logging.INFO, logger="people.sms"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        send()
    assert TEXT in caplog.text and "13812341234" in caplog.text
    assert ConsoleBackend.keeps_text and OutboxBackend.keeps_text and not SmsBackend.keeps_text


@pytest.mark.parametrize("phone", ["", "1381234123", "23812341234", "138123412345", "abc"])
def test_an_invalid_phone_is_refused_and_nothing_recorded(phone):
    with pytest.raises(ValidationError, match="不是有效的11位手机号码"):
        send(phone=phone)
    assert not SmsMessage.objects.exists()


def test_phone_rules():
    assert normalize_mobile("+86 150-0000-1234") == "15000001234"
    assert normalize_mobile(13912345678.0) == "13912345678"
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("") == "" and mask_phone("123") == "***"


# --- 短信发送记录 in the admin ----------------------------------------------------------------

LIST = reverse("admin:people_smsmessage_changelist")


def client_for(user) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


@pytest.fixture
def message(db):
    return SmsMessage.objects.create(
        phone="13812341234", text=TEXT, purpose="teacher_code", backend="outbox"
    )


def test_provincial_staff_read_the_outbox_with_phones_masked(tree, reviewers, message):
    client = client_for(reviewers["province"])
    html = client.get(LIST).content.decode()
    assert "短信发送记录" in html and TEXT in html and "138****1234" in html
    assert "13812341234" not in html
    detail = client.get(reverse("admin:people_smsmessage_change", args=[message.pk]))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "138****1234" in html and "13812341234" not in html
    # Searching by the full number finds it; the sidebar links the page.
    assert TEXT in client.get(LIST, {"q": "13812341234"}).content.decode()
    assert LIST in client.get("/admin/").content.decode()


def test_the_outbox_is_read_only(tree, reviewers, message):
    client = client_for(reviewers["province"])
    assert client.get(reverse("admin:people_smsmessage_add")).status_code == 403
    change = reverse("admin:people_smsmessage_change", args=[message.pk])
    assert client.post(change, {"text": "改"}).status_code == 403
    delete = reverse("admin:people_smsmessage_delete", args=[message.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert SmsMessage.objects.get().text == TEXT


def test_the_superuser_sees_full_numbers(message):
    client = client_for(superuser())
    assert "13812341234" in client.get(LIST).content.decode()


@pytest.mark.parametrize("username", ["unit_a", "county_jiangan", "city_wuhan"])
def test_other_reviewers_get_403(tree, reviewers, message, username):
    client = client_for(reviewers[username])
    assert client.get(LIST).status_code == 403
    assert LIST not in client.get("/admin/").content.decode()


def test_the_physician_registry_shows_phones_masked(tree, reviewers):
    physician = Physician.objects.create(
        name="演示医师",
        id_number="420102197001019997",
        institution_name="江岸区演示第一医院",
        phone="13912345678",
    )
    client = client_for(reviewers["province"])
    html = client.get(reverse("admin:people_physician_changelist")).content.decode()
    assert "139****5678" in html and "13912345678" not in html
    detail = client.get(reverse("admin:people_physician_change", args=[physician.pk]))
    assert "139****5678" in detail.content.decode()
    assert "13912345678" not in detail.content.decode()
    full = client_for(superuser()).get(reverse("admin:people_physician_changelist"))
    assert "13912345678" in full.content.decode()
