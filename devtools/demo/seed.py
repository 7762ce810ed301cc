"""Demo data for `manage.py seed_demo`: the review tree, reviewer accounts, the 2026 projects
and about 300 generated candidates whose applications sit in every state at every tier.

Everything is deterministic (fixed seeds) and idempotent: a candidate whose phone number or
username already exists is skipped, so a second run changes nothing. Every state change goes
through the services, acting as the user who would really make it (the candidate, the demo
reviewer of the institution, or the superuser `admin` where the institution has no demo
account), so every audit log row is a real one.

Names and resident ID numbers are generated: the names are drawn from common surnames and given
names, the ID numbers are checksum-valid with real Hubei region codes and a sequence number
starting with 9, which marks them as generated here.

The applications have content: health-exam 证明材料 (学历, 职称, 资格证, 执业证, 补充信息)
with generated certificate images and some 核验 decisions; TCM section data (keys documented in
exam.sections.TCM_SECTION_FIELDS), five case records, the attachments of the track, and
推荐医师/指导老师 drawn from ~60 generated physicians in 医师库. 对比库 records match some
candidates, plus people who are not candidates. Generated files (devtools/demo/media.py) are
saved through the default storage (MEDIA_ROOT, or the bucket), with stable names.

This module runs the seed; the plan, the contents, the actors and the libraries are the
package's other modules (devtools/demo/__init__.py lists them).
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from devtools.demo.actors import Player
from devtools.demo.duplicate_files import ensure_duplicate_pairs
from devtools.demo.duplicate_texts import ensure_duplicate_examples
from devtools.demo.plan import (
    PROJECT_NAMES,
    PROJECT_YEAR,
    SUPERUSER_NAME,
    WINDOW_CLOSES_DAYS_AFTER,
    WINDOW_OPENS_DAYS_BEFORE,
    CandidatePlan,
    World,
    build_plan,
    demo_filter,
)
from devtools.demo.registry import ensure_physicians, ensure_reference_records
from devtools.demo.tree import DEMO_PASSWORD, DEMO_REVIEWERS, build_demo_tree, ensure_demo_reviewers
from exam.eligibility.rule_sets import rule_sets_ensure_all
from exam.models import ExamProject, Level, Specialty
from people.models import Candidate, Division, EducationLevel, IdentityVerification
from review.models import ReferenceLibrary

User = get_user_model()


# --- the seed -----------------------------------------------------------------------------


@dataclass
class SeedResult:
    projects_created: list[str] = field(default_factory=list)
    superuser_created: bool = False
    candidates_created: int = 0
    candidates_skipped: int = 0
    applications_created: int = 0
    physicians_created: int = 0
    reference_records_created: int = 0
    duplicate_pairs_created: int = 0
    text_matches: int = 0  # 查重: near-duplicate texts after the index is built


class DemoDataError(Exception):
    """The database is not ready for the demo data (message in Chinese)."""


def ensure_projects(result: SeedResult) -> dict[str, ExamProject]:
    """The two 2026 projects; the registration window is set at first creation only."""
    today = timezone.localdate()
    opens = timezone.make_aware(
        datetime.datetime.combine(
            today - datetime.timedelta(days=WINDOW_OPENS_DAYS_BEFORE), datetime.time(8, 0)
        )
    )
    closes = timezone.make_aware(
        datetime.datetime.combine(
            today + datetime.timedelta(days=WINDOW_CLOSES_DAYS_AFTER), datetime.time(17, 0)
        )
    )
    projects = {}
    for kind, name in PROJECT_NAMES.items():
        project = ExamProject.objects.filter(kind=kind, year=PROJECT_YEAR).first()
        if project is None:
            project = ExamProject.objects.create(
                kind=kind,
                year=PROJECT_YEAR,
                name=name,
                registration_opens_at=opens,
                registration_closes_at=closes,
            )
            result.projects_created.append(name)
        projects[kind] = project
    # 报考条件: each project's rules, before any demo candidate submits (the result is
    # stored at submission).
    rule_sets_ensure_all()
    return projects


def ensure_superuser(result: SeedResult) -> AbstractBaseUser:
    user = User.objects.filter(username=SUPERUSER_NAME).first()
    if user is None:
        user = User.objects.create_superuser(
            username=SUPERUSER_NAME, email="", password=DEMO_PASSWORD
        )
        result.superuser_created = True
    return user


def _load_world(result: SeedResult) -> World:
    if (
        not Division.objects.filter(code="420000").exists()
        or not Level.objects.exists()
        or not ReferenceLibrary.objects.exists()
    ):
        raise DemoDataError("尚未载入参考数据，请先运行 python manage.py load_reference_data。")
    tree = build_demo_tree()
    reviewers = ensure_demo_reviewers(tree)
    admin = ensure_superuser(result)
    projects = ensure_projects(result)
    regions = list(
        Division.objects.filter(level=Division.Level.COUNTY, code__startswith="42")
        .order_by("code")
        .values_list("code", flat=True)
    )
    specialties: dict[str, list[tuple[int, str]]] = {}
    rows = Specialty.objects.filter(is_active=True).order_by("level_id", "code")
    for level_id, pk, name in rows.values_list("level_id", "pk", "name"):
        specialties.setdefault(level_id, []).append((pk, name))
    return World(
        tree=tree,
        reviewers=reviewers,
        admin=admin,
        projects=projects,
        regions=regions,
        specialties=specialties,
        password_hash=make_password(DEMO_PASSWORD),
        taken_ids=set(
            Candidate.objects.exclude(demo_filter())
            .exclude(id_number="")
            .values_list("id_number", flat=True)
        ),
        reviewer_by_code={code: reviewers[name] for name, code in DEMO_REVIEWERS.items()},
        education_labels=dict(
            EducationLevel.objects.filter(kind=EducationLevel.Kind.CATEGORY)
            .exclude(exam_label="")
            .values_list("code", "exam_label")
        ),
        division_names=dict(
            Division.objects.filter(code__startswith="42").values_list("code", "name")
        ),
    )


def _create_candidate(world: World, plan: CandidatePlan) -> Candidate:
    """A verified candidate: the same fields a successful 身份证（自动核验） fills in."""
    user = User.objects.create(username=plan.username, password=world.password_hash)
    candidate = Candidate(
        user=user,
        phone=plan.phone,
        name=plan.name,
        id_number=plan.id_number,
        ethnicity_id=plan.ethnicity_code,
        political_status_id=plan.political_code,
        identity_status=Candidate.IdentityStatus.VERIFIED,
    )
    candidate.clean()  # gender and birth date from the ID number
    candidate.save()
    IdentityVerification.objects.create(
        candidate=candidate,
        method=IdentityVerification.Method.AUTO,
        id_type=candidate.id_type,
        name=candidate.name,
        id_number=candidate.id_number,
        status=IdentityVerification.Status.VERIFIED,
        reason="自动核验通过（演示数据，未附证件照片）",
        decided_at=timezone.now(),
    )
    return candidate


def _exists(plan: CandidatePlan) -> bool:
    return (
        Candidate.objects.filter(phone=plan.phone).exists()
        or User.objects.filter(username=plan.username).exists()
    )


def _check_window(world: World) -> None:
    for project in world.projects.values():
        if not project.is_registration_open():
            raise DemoDataError(
                f"“{project.name}”不在报名时间内，无法生成演示申报。"
                "请在管理后台调整报名时间，或使用新的数据库。"
            )


@transaction.atomic
def seed_demo() -> SeedResult:
    """Create whatever demo data is missing; existing demo candidates are left alone."""
    result = SeedResult()
    world = _load_world(result)
    plans = build_plan(world)
    result.physicians_created = ensure_physicians(
        world, {plan.id_number for plan in plans} | world.taken_ids
    )
    missing = [plan for plan in plans if not _exists(plan)]
    result.candidates_skipped = len(plans) - len(missing)
    if missing:
        _check_window(world)
    for plan in missing:
        with transaction.atomic():
            candidate = _create_candidate(world, plan)
            result.candidates_created += 1
            if plan.kind is None:
                continue
            player = Player(world, plan, candidate)
            if plan.script:
                player.play_script(plan.script)
            else:
                player.play_scenario(plan.scenario)
                player.settle_payment()
            player.verify_materials()
            result.applications_created += 1
    result.reference_records_created = ensure_reference_records(world, plans)
    result.duplicate_pairs_created = ensure_duplicate_pairs()  # 查重: two copied diplomas
    result.text_matches = ensure_duplicate_examples()["matches"]
    return result
