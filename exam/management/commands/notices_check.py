"""消息 that no request produces: a teacher's QR link expired without being used (told to the
candidate once per link), and 消息 SMS whose job was lost (enqueued again). Hourly, by
deploy/systemd/hbwsrc-notices-check.timer."""

from django.core.management.base import BaseCommand

from exam.notice_checks import notices_check


class Command(BaseCommand):
    help = "消息检查：老师二维码过期未使用时通知考生；重新提交未发出的消息短信。"

    def handle(self, *args, **options) -> None:
        counts = notices_check()
        self.stdout.write(
            f"二维码过期通知 {counts.links_expired} 条，重新提交短信 {counts.sms_requeued} 条"
        )
