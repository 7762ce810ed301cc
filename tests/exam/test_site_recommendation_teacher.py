"""推荐信息 (seed 000 §4.3.8), the teacher's side: the QR link (signed, expiring, single use,
revoked by a new one) and the teacher's phone pages (identity by SMS code, pledge, evaluation,
hand-drawn signature). The code's own rules are in test_teacher_identity.py."""

import base64
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from core.errors import ServiceError
from core.models import AuditLogEntry
from exam import recommender_services as rs
from exam.audit_actions import (
    LOG_RECOMMENDER_ADDED,
    LOG_RECOMMENDER_CODE_FAILED,
    LOG_RECOMMENDER_CODE_SENT,
    LOG_RECOMMENDER_IDENTITY_CONFIRMED,
    LOG_RECOMMENDER_INVITED,
    LOG_RECOMMENDER_SIGNED,
)
from exam.models import Recommender
from exam.site.teacher import mask_name
from people.models import SmsMessage
from people.phones import mask_phone
from tests.exam.recommendation_helpers import (
    S,
    Status,
    actions,
    add,
    app_fixture,  # noqa: F401 (a fixture)
    fresh,
    image_bytes,
    invite,
    media_fixture,  # noqa: F401 (a fixture)
    nonce_of,
    sign_through_services,
    signature_png,
)
from tests.factories import PhysicianFactory
from tests.teacher_codes import confirm_identity, outbox_code

pytestmark = pytest.mark.django_db


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def other_code(code: str) -> str:
    """A wrong code: six digits, not `code`."""
    return f"{(int(code) + 1) % 1_000_000:06d}"


# --- QR link and the teacher's steps (services) ------------------------------------------


class TestLink:
    def test_reissue_revokes_the_old_token(self, app):
        teacher = add(app, PhysicianFactory())
        old = invite(teacher)
        assert rs.recommender_from_token(old).is_valid
        assert fresh(teacher).status == Status.INVITED and fresh(teacher).invited_at
        new = invite(teacher)
        assert rs.recommender_from_token(old).state == "revoked"
        assert rs.recommender_from_token(new).is_valid
        assert actions(app) == [LOG_RECOMMENDER_ADDED] + [LOG_RECOMMENDER_INVITED] * 2

    def test_reissue_after_confirmation_asks_for_identity_again(self, app):
        teacher = add(app, PhysicianFactory())
        invite(teacher)
        confirm_identity(teacher)
        invite(teacher)
        assert fresh(teacher).status == Status.INVITED and fresh(teacher).confirmed_at is None

    def test_expired_token(self, app, monkeypatch):
        teacher = add(app, PhysicianFactory())
        token = invite(teacher)
        Recommender.objects.filter(pk=teacher.pk).update(
            invited_at=timezone.now() - datetime.timedelta(days=8)
        )
        assert rs.recommender_from_token(token).state == "expired"
        with pytest.raises(ServiceError, match="二维码已失效，请联系考生重新生成"):
            confirm_identity(teacher)
        # The token's own timestamp expires too.
        token = invite(teacher)
        monkeypatch.setattr(rs, "LINK_MAX_AGE", -1)
        assert rs.recommender_from_token(token).state == "expired"

    def test_forged_or_garbage_token(self, app):
        teacher = add(app, PhysicianFactory())
        invite(teacher)
        assert rs.recommender_from_token("garbage").state == "invalid"
        forged = rs.signing.dumps({"r": teacher.pk, "n": nonce_of(teacher)}, salt="other")
        assert rs.recommender_from_token(forged).state == "invalid"

    def test_signed_teacher_cannot_be_invited_again(self, app):
        teacher = sign_through_services(add(app, PhysicianFactory()))
        with pytest.raises(ServiceError, match="已完成评价和签名"):
            invite(teacher)

    def test_sign_before_identity_is_refused(self, app):
        teacher = add(app, PhysicianFactory())
        invite(teacher)
        with pytest.raises(ServiceError, match="请先完成身份核验"):
            rs.recommender_sign(
                recommender=teacher,
                nonce=nonce_of(teacher),
                pledge_accepted=True,
                evaluation="好",
                opinion="同意",
                signature_png_bytes=signature_png(),
            )

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"pledge_accepted": False}, "请阅读并勾选推荐承诺书"),
            ({"evaluation": "  "}, "请填写对被推荐人的评价和意见"),
            ({"opinion": ""}, "请填写对被推荐人的评价和意见"),
            ({"evaluation": "好" * 2001}, "不超过2000字"),
            ({"signature_png_bytes": b""}, "请在签名框内手写签名"),
            ({"signature_png_bytes": signature_png(ink=False)}, "签名为空"),
            (
                {"signature_png_bytes": signature_png(ink=False, background=(255, 255, 255, 255))},
                "签名为空",
            ),
            ({"signature_png_bytes": b"\x89PNG\r\n\x1a\n" + b"junk" * 30}, "签名图片已损坏"),
            ({"signature_png_bytes": image_bytes("JPEG")}, "签名图片格式不正确"),
            ({"signature_png_bytes": signature_png(size=(4001, 10))}, "尺寸不正确"),
        ],
    )
    def test_sign_refusals_change_nothing(self, app, kwargs, message):
        teacher = add(app, PhysicianFactory())
        invite(teacher)
        nonce = nonce_of(teacher)
        confirm_identity(teacher, nonce)
        arguments = {
            "pledge_accepted": True,
            "evaluation": "医德高尚。",
            "opinion": "同意推荐。",
            "signature_png_bytes": signature_png(),
        } | kwargs
        with pytest.raises(ServiceError, match=message):
            rs.recommender_sign(recommender=teacher, nonce=nonce, **arguments)
        teacher = fresh(teacher)
        assert teacher.status == Status.CONFIRMED and not teacher.signature
        assert teacher.invitation_nonce == nonce

    def test_oversized_signature(self, monkeypatch):
        monkeypatch.setattr(rs, "MAX_SIGNATURE_BYTES", 100)
        assert rs.signature_problem(signature_png()) == "签名图片过大，请清除后重新签名。"

    def test_signing_uses_the_link_up(self, app):
        teacher = sign_through_services(add(app, PhysicianFactory()))
        assert teacher.status == Status.SIGNED and teacher.invitation_nonce == ""
        assert teacher.pledge_accepted and teacher.signed_at and teacher.signature
        with Image.open(teacher.signature.open("rb")) as image:
            assert image.format == "PNG"
        assert actions(app) == [
            LOG_RECOMMENDER_ADDED,
            LOG_RECOMMENDER_INVITED,
            LOG_RECOMMENDER_CODE_SENT,
            LOG_RECOMMENDER_IDENTITY_CONFIRMED,
            LOG_RECOMMENDER_SIGNED,
        ]
        signed_log = AuditLogEntry.objects.get(action=LOG_RECOMMENDER_SIGNED)
        assert signed_log.actor is None and signed_log.to_state == Status.SIGNED

    def test_decode_data_url(self):
        assert rs.decode_data_url(data_url(b"abc")) == b"abc"
        assert rs.decode_data_url("data:image/jpeg;base64,YWJj") == b""
        assert rs.decode_data_url("data:image/png;base64,@@@") == b""

    def test_mask_name(self):
        assert mask_name("张三") == "张*"
        assert mask_name("欧阳明日") == "欧***"
        assert mask_name("") == ""


# --- the teacher's phone pages -----------------------------------------------------------


class TestTeacherPages:
    def test_full_path_with_a_real_png(self, client, app):
        teacher = add(app, PhysicianFactory(name="李时明"), role=S)
        token = invite(teacher)
        start = reverse("recommend:start", args=[token])
        identity = reverse("recommend:identity", args=[token])
        sign = reverse("recommend:sign", args=[token])

        page = client.get(start)
        assert page.status_code == 200
        html = page.content.decode()
        assert app.candidate.name in html and app.project.name in html
        assert "指导老师" in html and "核验须知" in html
        # Signing before identity goes back to identity.
        assert client.get(sign)["Location"] == identity

        phone = teacher.physician.phone
        html = client.get(identity).content.decode()
        assert "李**" in html and mask_phone(phone) in html and "获取验证码" in html
        assert phone not in html
        page = client.post(identity, {"action": "verify", "code": "123456"})
        assert page.status_code == 400 and "请先点击“获取验证码”" in page.content.decode()
        page = client.post(identity, {"action": "send"})
        assert page.status_code == 302 and page["Location"] == identity
        assert "验证码已发送至医师库登记的手机" in client.get(identity).content.decode()
        code = outbox_code(phone)
        page = client.post(identity, {"action": "verify", "code": other_code(code)})
        assert page.status_code == 400
        assert "验证码错误，还可尝试4次。" in page.content.decode()
        page = client.post(identity, {"action": "verify", "code": ""})
        assert "请输入短信验证码。" in page.content.decode()
        page = client.post(identity, {"action": "verify", "code": code})
        assert page.status_code == 302 and page["Location"] == sign
        # Reloading resumes at the right step.
        assert client.get(start)["Location"] == sign
        assert client.get(identity)["Location"] == sign

        page = client.get(sign)
        assert "推荐承诺书" in page.content.decode() and "signature.js" in page.content.decode()

        # Pledge not ticked: nothing signed, what was typed is kept (signature included).
        drawing = data_url(signature_png())
        page = client.post(
            sign, {"evaluation": "医德高尚", "opinion": "同意", "signature": drawing}
        )
        assert page.status_code == 400
        html = page.content.decode()
        assert "请阅读并勾选推荐承诺书。" in html and "医德高尚" in html and drawing in html
        assert fresh(teacher).status == Status.CONFIRMED

        # Empty drawing and a broken data URL are refused.
        page = client.post(
            sign,
            {
                "pledge": "on",
                "evaluation": "好",
                "opinion": "同意",
                "signature": data_url(signature_png(ink=False)),
            },
        )
        assert "签名为空" in page.content.decode()
        page = client.post(
            sign, {"pledge": "on", "evaluation": "好", "opinion": "同意", "signature": "x"}
        )
        assert "请在签名框内手写签名。" in page.content.decode()
        assert fresh(teacher).status == Status.CONFIRMED

        page = client.post(
            sign,
            {
                "pledge": "on",
                "evaluation": "医德高尚，疗效确切。",
                "opinion": "同意推荐。",
                "signature": drawing,
            },
        )
        assert page.status_code == 302 and page["Location"] == reverse("recommend:done")
        teacher = fresh(teacher)
        assert teacher.status == Status.SIGNED
        assert teacher.evaluation == "医德高尚，疗效确切。" and teacher.opinion == "同意推荐。"
        assert teacher.signature.open("rb").read() == signature_png()
        assert "评价已提交" in client.get(reverse("recommend:done")).content.decode()

        # The used link shows that it is done, for every step.
        for url in (start, identity, sign):
            page = client.get(url)
            assert page.status_code == 200 and "评价已提交" in page.content.decode()
        assert client.post(sign, {"pledge": "on"}).status_code == 200
        assert actions(app)[-2:] == [
            LOG_RECOMMENDER_IDENTITY_CONFIRMED,
            LOG_RECOMMENDER_SIGNED,
        ]

    def test_revoked_expired_and_garbage_links_get_a_clear_page(self, client, app):
        teacher = add(app, PhysicianFactory())
        old = invite(teacher)
        invite(teacher)
        page = client.get(reverse("recommend:start", args=[old]))
        assert page.status_code == 410
        assert "二维码已失效，请联系考生重新生成" in page.content.decode()
        for data in ({"action": "send"}, {"action": "verify", "code": "123456"}):
            assert client.post(reverse("recommend:identity", args=[old]), data).status_code == 410
        assert not SmsMessage.objects.exists()
        assert LOG_RECOMMENDER_CODE_FAILED not in actions(app)
        page = client.get(reverse("recommend:start", args=["not-a-token"]))
        assert page.status_code == 404 and "二维码已失效" in page.content.decode()
        token = invite(teacher)
        Recommender.objects.filter(pk=teacher.pk).update(
            invited_at=timezone.now() - datetime.timedelta(days=30)
        )
        assert client.get(reverse("recommend:sign", args=[token])).status_code == 410

    def test_too_many_wrong_codes_on_the_page(self, client, app):
        teacher = add(app, PhysicianFactory())
        token = invite(teacher)
        identity = reverse("recommend:identity", args=[token])
        client.post(identity, {"action": "send"})
        wrong = other_code(outbox_code(teacher.physician.phone))
        for _ in range(4):
            page = client.post(identity, {"action": "verify", "code": wrong})
            assert page.status_code == 400
        page = client.post(identity, {"action": "verify", "code": wrong})
        assert page.status_code == 400
        html = page.content.decode()
        assert "验证码已连续5次输入错误，已失效。请重新获取验证码。" in html
        # The code is void, the link is not: the page offers a new code.
        page = client.get(identity)
        assert page.status_code == 200 and 'id="code-form"' not in page.content.decode()
        assert "获取验证码" in page.content.decode()

    def test_csrf_is_enforced(self, app):
        from django.test import Client

        teacher = add(app, PhysicianFactory())
        token = invite(teacher)
        strict = Client(enforce_csrf_checks=True)
        page = strict.post(reverse("recommend:identity", args=[token]), {"action": "send"})
        assert page.status_code == 403
        assert fresh(teacher).status == Status.INVITED and not SmsMessage.objects.exists()
