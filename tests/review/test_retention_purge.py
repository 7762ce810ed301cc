"""manage.py purge_personal_data (review/purge.py, exam/retention.py): a dry run changes
nothing and counts exactly; a real run deletes the files from the storage and anonymises the
rows past their period, keeps the statistics and the audit log's rows, logs one row per
project; an open project is refused; a candidate with a recent application elsewhere is kept;
ID photos and signatures go by the shorter period; a second run finds nothing."""

import datetime
from collections import Counter
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from core.models import AuditLogEntry, FileDisplay
from exam import services as exam_services
from exam.duplicates.models import FileFingerprint, TextFingerprint
from exam.duplicates.texts import texts_rebuild
from exam.eligibility.rule_sets import rule_set_ensure
from exam.eligibility.services import eligibility_refresh, eligibility_refresh_project
from exam.models import (
    Application,
    Attachment,
    CaseRecord,
    EducationRecord,
    EligibilityResult,
    ExamProject,
    Recommender,
    Section,
    TierReview,
)
from exam.retention import PURGED_NAME, PURGED_TEXT
from people.models import (
    Candidate,
    IdentityVerification,
    Notification,
    NotificationKind,
    SmsMessage,
)
from review.models import ReturnSnapshot
from review.purge import LOG_RETENTION_PURGED, project_purge, purge_plan
from tests.builders import decide, new_application, submitted
from tests.factories import PhysicianFactory
from tests.review.materials import PNG, education
from tests.review.scenario import UNIT_A, UNIT_B
from tests.storage import is_stored, stored_files, use_test_storage

JIANGAN = "420102"


@pytest.fixture
def media(settings, tmp_path):
    return use_test_storage(settings, tmp_path)


def _close(project: ExamProject) -> datetime.date:
    """End the project the day after its registration closed; returns that day."""
    project.closed_at = project.registration_closes_at + datetime.timedelta(days=1)
    project.is_active = False
    project.full_clean()
    project.save()
    return timezone.localdate(project.closed_at)


def _files_of(application: Application) -> None:
    """A photo, a 实名认证 image, a material image, an attachment, a teacher's signature and
    a case record on the application (and its candidate)."""
    candidate = application.candidate
    candidate.photo = ContentFile(PNG, name="photo.png")
    candidate.save()
    IdentityVerification.objects.create(
        candidate=candidate,
        method="manual",
        id_type="resident_id",
        name=candidate.name,
        id_number=candidate.id_number,
        front_image=ContentFile(PNG, name="front.png"),
    )
    education(application)
    Attachment.objects.create(
        application=application,
        section_code="supplementary",
        kind="other",
        label="其他证明",
        file=ContentFile(PNG, name="proof.png"),
        content_type="image/png",
        size=len(PNG),
    )
    physician = PhysicianFactory()
    Recommender.objects.create(
        application=application,
        role="recommender",
        physician=physician,
        name=physician.name,
        id_number=physician.id_number,
        evaluation="医德良好。",
        signature=ContentFile(PNG, name="sign.png"),
    )
    CaseRecord.objects.create(
        application=application,
        number=1,
        patient_name="王某",
        patient_gender="male",
        patient_age=40,
        address="武汉市江岸区",
        phone="13900000000",
        chief_complaint="头痛三日",
        history="无",
        syndrome_analysis="风寒",
        diagnosis="头痛",
        treatment="川芎茶调散",
        analysis="疗效好",
    )


@pytest.fixture
def ended(media, tree, reviewers, health_project):
    """Two applications of the health project, one with every kind of file and returned
    with a remark (a snapshot with copies), one approved at the unit; the project ended."""
    first = submitted(health_project, tree[UNIT_A])
    _files_of(first)
    first = decide(first, "return", actor=reviewers["unit_a"], remark="张三的毕业证号有误")
    FileFingerprint.objects.create(
        application=first,
        candidate_id=first.candidate_id,
        ref="attachment:1",
        label="其他证明",
        file_name="x.png",
        sha256="0" * 64,
    )
    # A thumbnail made of the attachment (core/thumbnails.py).
    attachment = Attachment.objects.get(application=first)
    thumb = default_storage.save("thumbnails/t.webp", ContentFile(b"webp"))
    FileDisplay.objects.create(name=attachment.file.name, thumbnail=thumb)
    second = decide(submitted(health_project, tree[UNIT_B]), "approve", actor=reviewers["unit_b"])
    closed = _close(health_project)
    return health_project, closed, first, second


def _run(*args: str) -> str:
    out = StringIO()
    call_command("purge_personal_data", *args, stdout=out)
    return out.getvalue()


def _day(day: datetime.date) -> str:
    return f"--today={day.isoformat()}"


def _after_all(closed: datetime.date) -> datetime.date:
    return closed.replace(year=closed.year + 3)


def _statistics(project: ExamProject) -> dict:
    apps = Application.objects.filter(project=project)
    return {
        "status": Counter(apps.values_list("status", flat=True)),
        "specialty": Counter(apps.values_list("specialty", flat=True)),
        "unit": Counter(apps.values_list("unit", flat=True)),
        "tiers": list(
            TierReview.objects.filter(application__project=project)
            .values("tier", "status", "institution")
            .annotate(n=Count("id"))
            .order_by("tier", "status", "institution")
        ),
        "materials": Counter(
            EducationRecord.objects.filter(application__project=project).values_list(
                "verification_status", flat=True
            )
        ),
        "sections": Counter(
            Section.objects.filter(application__project=project).values_list("status", flat=True)
        ),
    }


def _audit_shape() -> list[tuple]:
    rows = AuditLogEntry.objects.exclude(action=LOG_RETENTION_PURGED).order_by("pk")
    return [
        (r.pk, r.action, r.actor_id, r.created_at, r.content_type_id, r.object_id, sorted(r.data))
        for r in rows
    ]


@pytest.mark.django_db
def test_a_dry_run_changes_nothing_and_counts_exactly(ended, django_capture_on_commit_callbacks):
    project, closed, first, second = ended
    files_before = stored_files()
    with django_capture_on_commit_callbacks(execute=True):
        out = _run(_day(_after_all(closed)))
    assert f"{project.name}（编号 {project.pk}，{closed} 结束" in out
    assert "老师签名" not in out  # purged with the teachers, counted there
    assert "证明材料：文件 1 个，记录 1 条" in out
    assert "附件：文件 1 个，记录 1 条" in out
    assert "医案：文件 0 个，记录 1 条" in out
    # The teacher and its signature.
    assert "推荐医师/指导老师：文件 1 个，记录 1 条" in out
    assert "退回修改快照：文件 1 个，记录 1 条" in out
    assert "查重指纹：文件 0 个，记录 1 条" in out
    assert "缩略图：文件 1 个，记录 1 条" in out
    # Two candidates, one 实名认证 attempt, the photo and the attempt's image.
    assert "考生：文件 2 个，记录 3 条" in out
    assert "试运行，未做任何修改" in out
    assert stored_files() == files_before
    first.candidate.refresh_from_db()
    assert first.candidate.photo and first.candidate.name != PURGED_NAME
    assert not Application.objects.exclude(personal_data_purged_at=None).exists()
    assert not AuditLogEntry.objects.filter(action=LOG_RETENTION_PURGED).exists()


@pytest.mark.django_db
def test_a_real_run_deletes_the_files_and_anonymises_keeping_statistics_and_the_log(
    ended, django_capture_on_commit_callbacks
):
    project, closed, first, second = ended
    names = [
        first.candidate.photo.name,
        IdentityVerification.objects.get(candidate=first.candidate).front_image.name,
        EducationRecord.objects.get(application=first).image.name,
        Attachment.objects.get(application=first).file.name,
        Recommender.objects.get(application=first).signature.name,
        "thumbnails/t.webp",
    ]
    [copy] = [
        f["copy"]
        for s in ReturnSnapshot.objects.get(application=first).payload["sections"]
        for r in s.get("records", [])
        for f in r["files"]
    ]
    names.append(copy)
    assert all(is_stored(name) for name in names)
    statistics = _statistics(project)
    audit = _audit_shape()
    with django_capture_on_commit_callbacks(execute=True):
        out = _run(_day(_after_all(closed)), "--execute")
    assert "合计" in out and "试运行" not in out
    # 4 of them 消息和短信: two 申报已提交, the 退回修改 and its SMS.
    assert "  消息和短信：文件 0 个，记录 4 条\n" in out
    assert out.endswith("已执行：删除文件 7 个，清除或匿名化记录 32 条。\n")
    assert [n for n in names if is_stored(n)] == []
    assert _statistics(project) == statistics
    assert _audit_shape() == audit  # every row, with its keys
    remarks = [
        e.remark
        for e in AuditLogEntry.objects.filter(object_id=first.pk, action__startswith="review.")
    ]
    assert remarks and set(remarks) == {PURGED_TEXT}
    assert not AuditLogEntry.objects.filter(data__icontains="张三").exists()

    candidate = Candidate.objects.select_related("user").get(pk=first.candidate_id)
    assert (candidate.name, candidate.id_number, candidate.photo.name) == (PURGED_NAME, "", "")
    assert candidate.phone.startswith("purged-") and not candidate.user.is_active
    assert not candidate.user.has_usable_password()
    attempt = IdentityVerification.objects.get(candidate=candidate)
    assert (attempt.name, attempt.id_number, attempt.front_image.name) == ("", "", "")
    assert not Section.objects.filter(application=first).exclude(data={}).exists()
    record = EducationRecord.objects.get(application=first)
    assert (record.school, record.diploma_no, record.image.name) == ("", "", "")
    assert not Attachment.objects.filter(application=first).exists()
    case = CaseRecord.objects.get(application=first)
    assert (case.patient_name, case.phone, case.chief_complaint) == ("", "", "")
    teacher = Recommender.objects.get(application=first)
    assert (teacher.name, teacher.id_number, teacher.evaluation) == ("", "", "")
    snapshot = ReturnSnapshot.objects.get(application=first)
    assert snapshot.payload == {"purged": True} and snapshot.remark == PURGED_TEXT
    assert (snapshot.round, snapshot.tier) == (1, "unit")
    assert TierReview.objects.get(application=first, tier="unit").remark == PURGED_TEXT
    assert not FileFingerprint.objects.exists() and not FileDisplay.objects.exists()
    assert Application.objects.filter(project=project, personal_data_purged_at=None).count() == 0

    (entry,) = AuditLogEntry.objects.filter(action=LOG_RETENTION_PURGED)
    assert entry.subject.tier == "province" and entry.actor is None
    assert entry.data["project"] == project.pk
    assert entry.data["applications"] == 2 and entry.data["candidates"] == 2
    assert entry.data["counts"]["附件"] == {"rows": 1, "files": 1}
    # The return's 消息 and its SMS carried the remark: cleared, the event itself kept.
    notice = Notification.objects.get(application_id=first.pk, kind=NotificationKind.RETURNED)
    assert notice.body == PURGED_TEXT and notice.title
    assert (notice.sms.phone, notice.sms.text) == ("", PURGED_TEXT)
    assert not Notification.objects.filter(body__contains="毕业证号").exists()
    assert not SmsMessage.objects.filter(text__contains="毕业证号").exists()


@pytest.mark.django_db
def test_a_second_run_finds_nothing(ended, django_capture_on_commit_callbacks):
    project, closed, *_ = ended
    with django_capture_on_commit_callbacks(execute=True):
        _run(_day(_after_all(closed)), "--execute")
    files = stored_files()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = _run(_day(_after_all(closed)), "--execute")
        dry = _run(_day(_after_all(closed)))
    assert callbacks == []
    assert "没有到期的个人信息" in again and "没有到期的个人信息" in dry
    assert stored_files() == files
    assert AuditLogEntry.objects.filter(action=LOG_RETENTION_PURGED).count() == 1


@pytest.mark.django_db
def test_an_open_project_is_refused(ended, health_project, tcm_project):
    project, closed, first, _ = ended
    with pytest.raises(CommandError, match="尚未结束"):
        _run(f"--project={tcm_project.pk}", _day(_after_all(closed)), "--execute")
    # Without --project it is left out; a project whose end is after --today is open too.
    out = _run(_day(_after_all(closed)))
    assert tcm_project.name not in out and project.name in out
    with pytest.raises(CommandError, match="尚未结束"):
        _run(f"--project={project.pk}", _day(closed - datetime.timedelta(days=1)))
    with pytest.raises(CommandError, match="没有编号为 999999 的考试项目"):
        _run("--project=999999")
    with pytest.raises(CommandError, match="格式不正确"):
        _run("--today=2029-13-01")


@pytest.mark.django_db
def test_nothing_is_due_before_the_period_ends(ended, django_capture_on_commit_callbacks):
    project, closed, first, _ = ended
    with django_capture_on_commit_callbacks(execute=True):
        out = _run(_day(closed + datetime.timedelta(days=30)), "--execute")
    assert "没有到期的个人信息" in out
    first.candidate.refresh_from_db()
    assert is_stored(first.candidate.photo.name)


@pytest.mark.django_db
def test_id_photos_and_signatures_go_by_the_shorter_period(
    ended, django_capture_on_commit_callbacks
):
    project, closed, first, second = ended
    photo = first.candidate.photo.name
    signature = Recommender.objects.get(application=first).signature.name
    image = EducationRecord.objects.get(application=first).image.name
    one_year = closed.replace(year=closed.year + 1)
    with django_capture_on_commit_callbacks(execute=True):
        out = _run(_day(one_year), "--execute")
    assert "老师签名：文件 1 个，记录 1 条" in out
    assert "证件照和实名认证图片：文件 2 个，记录 2 条" in out
    assert not is_stored(photo) and not is_stored(signature)
    assert is_stored(image)  # the application itself is kept 3 years
    first.candidate.refresh_from_db()
    assert first.candidate.name != PURGED_NAME and first.candidate.id_number
    assert not Application.objects.exclude(personal_data_purged_at=None).exists()
    teacher = Recommender.objects.get(application=first)
    assert teacher.name and not teacher.signature


@pytest.mark.django_db
def test_a_candidate_with_a_recent_application_elsewhere_is_kept(
    ended, tree, tcm_project, django_capture_on_commit_callbacks
):
    project, closed, first, second = ended
    new_application(tcm_project, tree[JIANGAN], candidate=first.candidate)
    with django_capture_on_commit_callbacks(execute=True):
        out = _run(_day(_after_all(closed)), "--execute")
    assert "考生：文件 0 个，记录 1 条" in out  # the other candidate only (no photo)
    first.candidate.refresh_from_db()
    assert first.candidate.name != PURGED_NAME and is_stored(first.candidate.photo.name)
    second.candidate.refresh_from_db()
    assert second.candidate.name == PURGED_NAME
    # Their application of the ended project is purged all the same.
    first.refresh_from_db()
    assert first.personal_data_purged_at is not None
    assert not Attachment.objects.filter(application=first).exists()


@pytest.mark.django_db
def test_the_nightly_jobs_leave_a_purged_application_as_it_was(
    ended, django_capture_on_commit_callbacks
):
    """eligibility_refresh and the 查重 text rebuild skip what the purge cleared: its stored
    报考条件 stays (a statistic), no fingerprint comes back."""
    project, closed, first, _ = ended
    rule_set_ensure(project=project)
    eligibility_refresh(applications=[first])
    before = EligibilityResult.objects.get(application=first).outcome
    first.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        _run(_day(_after_all(closed)), "--execute")
    counts = eligibility_refresh_project(project_id=project.pk)
    assert (counts.created, counts.updated) == (0, 0)
    assert EligibilityResult.objects.get(application=first).outcome == before
    assert Application.objects.get(pk=first.pk).eligibility_outcome == first.eligibility_outcome
    texts_rebuild()
    assert not TextFingerprint.objects.filter(application__project=project).exists()


@pytest.mark.django_db
def test_a_purged_application_still_opens_for_its_reviewer(
    ended, reviewers, client, django_capture_on_commit_callbacks
):
    """The detail page (with its 修改内容 tab of a returned application) shows what is left:
    no name, no file, no error."""
    project, closed, first, _ = ended
    name = first.candidate.name
    with django_capture_on_commit_callbacks(execute=True):
        _run(_day(_after_all(closed)), "--execute")
    user = reviewers["unit_a"]
    # An ended project is no 当前业务 any more (none to choose here); its details still open.
    client.force_login(user)
    response = client.get(reverse("admin:review_reviewapplication_change", args=[first.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert PURGED_NAME in page and name not in page
    assert "个人信息已于" in page  # the head says when


@pytest.mark.django_db
def test_a_kept_candidate_still_opens_their_purged_application(
    ended, tree, tcm_project, client, django_capture_on_commit_callbacks
):
    project, closed, first, _ = ended
    new_application(tcm_project, tree[JIANGAN], candidate=first.candidate)
    with django_capture_on_commit_callbacks(execute=True):
        _run(_day(_after_all(closed)), "--execute")
    client.force_login(first.candidate.user)
    for view in ("apply:home", "apply:overview", "apply:detail", "apply:progress"):
        args = [] if view == "apply:home" else [first.pk]
        response = client.get(reverse(view, args=args))
        assert response.status_code == 200, view
        assert "张三的毕业证号有误" not in response.content.decode()


@pytest.mark.django_db
def test_the_dry_run_counts_what_the_real_run_does(ended, django_capture_on_commit_callbacks):
    project, closed, *_ = ended
    today = _after_all(closed)
    (plan,) = purge_plan(projects=[project], today=today)
    with django_capture_on_commit_callbacks(execute=True):
        done = project_purge(project=project, today=today)
    assert plan.counts() == done.counts() and plan.files == done.files == 7
    assert done.failed_files == []


class _Refusing:
    """The default storage, except that deleting `stuck` fails (a bucket unavailable)."""

    def __init__(self, stuck: str) -> None:
        self.stuck = stuck

    def delete(self, name: str) -> None:
        if name == self.stuck:
            raise OSError("storage unavailable")
        default_storage.delete(name)


@pytest.mark.django_db(transaction=True)
def test_a_file_the_storage_refuses_is_named_and_the_command_fails(ended, monkeypatch):
    """Real commits here: the files go right after each project's transaction, as in
    production, and a refused one fails the command after the others are deleted."""
    project, closed, first, _ = ended
    stuck = Attachment.objects.get(application=first).file.name
    image = EducationRecord.objects.get(application=first).image.name
    monkeypatch.setattr("review.purge.default_storage", _Refusing(stuck))
    with pytest.raises(CommandError, match=f"1 个文件未能删除.*{stuck}"):
        _run(_day(_after_all(closed)), "--execute")
    assert Application.objects.filter(project=project, personal_data_purged_at=None).count() == 0
    assert is_stored(stuck) and not is_stored(image)


@pytest.mark.django_db
def test_a_candidate_of_two_ended_projects_is_counted_once(
    ended, tree, tcm_project, django_capture_on_commit_callbacks
):
    project, closed, first, _ = ended
    new_application(tcm_project, tree[JIANGAN], candidate=first.candidate)
    _close(tcm_project)
    today = _after_all(closed)
    plans = purge_plan(projects=[project, tcm_project], today=today)
    assert [p.found["考生"].rows for p in plans] == [3, 0]  # 2 people, 1 attempt; then none
    with django_capture_on_commit_callbacks(execute=True):
        done = [project_purge(project=p, today=today) for p in (project, tcm_project)]
    assert [p.counts() for p in plans] == [d.counts() for d in done]
    assert AuditLogEntry.objects.filter(action=LOG_RETENTION_PURGED).count() == 2


@pytest.mark.django_db
def test_a_copy_two_return_rounds_share_is_counted_once(
    media, tree, reviewers, health_project, django_capture_on_commit_callbacks
):
    application = submitted(health_project, tree[UNIT_A])
    education(application)
    for _ in range(2):
        application = decide(application, "return", actor=reviewers["unit_a"], remark="请修改")
        exam_services.application_resubmit(
            actor=application.candidate.user, application=application
        )
    copies = {
        f["copy"]
        for s in ReturnSnapshot.objects.filter(application=application)
        for section in s.payload["sections"]
        for r in section.get("records", [])
        for f in r["files"]
    }
    assert len(copies) == 1
    closed = _close(health_project)
    out = _run(_day(_after_all(closed)))
    assert "退回修改快照：文件 1 个，记录 2 条" in out
    with django_capture_on_commit_callbacks(execute=True):
        _run(_day(_after_all(closed)), "--execute")
    assert not is_stored(copies.pop())


@pytest.mark.django_db
def test_the_province_finds_the_purge_in_the_audit_log(
    ended, reviewers, client, django_capture_on_commit_callbacks
):
    project, closed, *_ = ended
    with django_capture_on_commit_callbacks(execute=True):
        _run(_day(_after_all(closed)), "--execute")
    (entry,) = AuditLogEntry.objects.filter(action=LOG_RETENTION_PURGED)
    client.force_login(reviewers["province"])
    listing = client.get(reverse("admin:core_auditlogentry_changelist"))
    assert listing.status_code == 200 and "按保存期限清除个人信息" in listing.content.decode()
    detail = client.get(reverse("admin:core_auditlogentry_change", args=[entry.pk]))
    assert detail.status_code == 200 and f"{project.name}：删除文件 7 个" in detail.content.decode()


@pytest.mark.django_db
def test_with_no_ended_project_there_is_nothing_to_do(health_project, tcm_project):
    assert _run() == "没有已结束的考试项目，无需清除。\n"
    assert _run("--execute") == "没有已结束的考试项目，无需清除。\n"
    assert not AuditLogEntry.objects.filter(action=LOG_RETENTION_PURGED).exists()
