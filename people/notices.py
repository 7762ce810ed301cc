"""消息: the one table of what each kind of message says and whether it also goes by SMS.

Producers (the services where a state changes) describe an event as a `Notice`; this module
turns it into words, `people.notice_services.notices_create` stores it (and its SMS) in the
producer's transaction. The words are filled from `Notice.params` (str.format names).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from people.models import NotificationKind

K = NotificationKind

SMS_SIGNATURE = "【湖北卫生人才网】"
SMS_MAX_CHARS = 300  # a long remark is cut; the whole text is in 消息


@dataclass(frozen=True)
class KindRule:
    title: str
    body: str
    sms: bool  # also sent by SMS to the candidate's phone


KINDS: dict[str, KindRule] = {
    K.SUBMITTED: KindRule(
        title="“{subject}”已{verb}",
        body="您的申报已于{when}{verb}，正在等待{institution}审核。审核结果将通过消息通知您。",
        sms=False,
    ),
    K.RETURNED: KindRule(
        title="“{subject}”被退回修改",
        body="{institution}退回了您的申报，请按意见修改后重新提交。\n审核意见：{remark}\n需要修改的分项：{sections}",
        sms=True,
    ),
    K.REJECTED: KindRule(
        title="“{subject}”审核不通过",
        body="{institution}审核不通过。\n原因：{remark}",
        sms=True,
    ),
    K.TIER_APPROVED: KindRule(
        title="“{subject}”已通过{institution}审核",
        body="您的申报已通过{institution}审核，并已上报至{parent}继续审核。",
        sms=False,
    ),
    K.APPROVED: KindRule(
        title="“{subject}”终审通过",
        body="您的申报已通过{institution}终审。请留意后续现场确认与缴费安排。",
        sms=True,
    ),
    K.IDENTITY_DECIDED: KindRule(
        title="实名认证{outcome}",
        body="您提交的实名认证申请（{id_type}）{outcome}。{reason}",
        sms=True,
    ),
    K.TEACHER_SIGNED: KindRule(
        title="{teacher}已完成推荐签名",
        body="{teacher}已完成对“{subject}”的评价和签名。",
        sms=False,
    ),
    K.TEACHER_LINK_EXPIRED: KindRule(
        title="{teacher}的二维码已过期",
        body="您为{teacher}生成的二维码已过期，老师尚未签名。"
        "请在“{subject}”的推荐信息中重新生成二维码并发给老师。",
        sms=True,
    ),
}


@dataclass(frozen=True)
class Notice:
    """One event for one candidate. `key` names the event (see Notification.dedupe_key):
    the same key twice is one message."""

    candidate_id: int
    kind: str
    key: str
    params: dict[str, str] = field(default_factory=dict)
    application_id: int | None = None
    subject: str = ""
    link: str = ""

    def words(self) -> tuple[str, str]:
        rule = KINDS[self.kind]
        values = {"subject": self.subject, **self.params}
        return rule.title.format(**values)[:128], rule.body.format(**values)

    @property
    def goes_by_sms(self) -> bool:
        return KINDS[self.kind].sms


def sms_text(title: str, body: str) -> str:
    text = f"{SMS_SIGNATURE}{title}。{body.replace(chr(10), ' ')} 详情请登录考生端查看“消息”。"
    return text if len(text) <= SMS_MAX_CHARS else text[: SMS_MAX_CHARS - 1] + "…"
