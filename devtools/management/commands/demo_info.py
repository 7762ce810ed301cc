from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse
from guardian.core import ObjectPermissionChecker

from devtools.demo.plan import DEMO_CANDIDATES, GENERATED_PHONE_PREFIX, SUPERUSER_NAME
from devtools.demo.summary import describe_candidate
from devtools.demo.tree import DEMO_PASSWORD, DEMO_REVIEWERS
from people.models import Candidate, Institution
from people.permissions import Perm
from people.tiers import Tier


def _perm_labels(user: AbstractBaseUser, institution: Institution) -> list[str]:
    """What the account may do on its institution, read from the object permissions."""
    held = set(ObjectPermissionChecker(user).get_perms(institution))
    return [perm.label for perm in Perm if perm.value in held]


MISSING = "（尚未创建，请先运行 python manage.py seed_demo）"


class Command(BaseCommand):
    help = "显示演示环境的访问地址和演示账号（审核账号、考生账号及其当前状态）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="服务器地址（默认 127.0.0.1）")
        parser.add_argument("--port", default=8000, type=int, help="端口（默认 8000）")

    def handle(self, *args, **options) -> None:
        base = f"http://{options['host']}:{options['port']}"
        for line in self.lines(base):
            self.stdout.write(line)

    def lines(self, base: str) -> list[str]:
        users = get_user_model().objects
        out = [
            "湖北卫生人才网 · 考试报名与审核平台（演示环境）",
            "",
            "访问地址",
            f"  考生端首页    {base}/",
            f"  审核管理后台  {base}/admin/",
            "",
            f"审核账号（登录管理后台，密码均为 {DEMO_PASSWORD}）",
        ]
        admin = users.filter(username=SUPERUSER_NAME, is_superuser=True).first()
        role = "超级管理员，拥有全部机构的全部权限" if admin else MISSING
        out.append(f"  {SUPERUSER_NAME:<16}{role}")
        institutions = {
            i.code: i for i in Institution.objects.filter(code__in=DEMO_REVIEWERS.values())
        }
        reviewers = {u.username: u for u in users.filter(username__in=DEMO_REVIEWERS)}
        for username, code in DEMO_REVIEWERS.items():
            institution = institutions.get(code)
            if username not in reviewers or institution is None:
                out.append(f"  {username:<16}{MISSING}")
                continue
            tier = Tier(institution.tier).label
            perms = "、".join(_perm_labels(reviewers[username], institution)) or "无权限"
            out.append(f"  {username:<16}{tier} · {institution.name}（{perms}）")
        out += ["", f"考生账号（用户名、手机号码、当前状态；密码均为 {DEMO_PASSWORD}）"]
        candidates = {
            c.user.username: c
            for c in Candidate.objects.select_related("user").filter(
                user__username__in=DEMO_CANDIDATES
            )
        }
        for username, phone in DEMO_CANDIDATES.items():
            candidate = candidates.get(username)
            state = describe_candidate(candidate) if candidate else MISSING
            out.append(f"  {username:<12}{phone}  {state}")
        generated = Candidate.objects.filter(phone__startswith=GENERATED_PHONE_PREFIX).count()
        if generated:
            out += [
                "",
                f"另有 {generated} 名生成的演示考生，用户名即手机号码"
                f"（{GENERATED_PHONE_PREFIX}0001 起），密码同为 {DEMO_PASSWORD}。",
            ]
        out += [
            "",
            "推荐医师（指导老师）的身份核验短信不会真正发出：用 province 或 admin 登录管理后台，"
            f"在“短信发送记录”（{base}{reverse('admin:people_smsmessage_changelist')}）查看验证码。",
        ]
        out += ["", "以上姓名、身份证号码、手机号码均为程序生成的虚构数据。"]
        return out
