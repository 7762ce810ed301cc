"""预览报考条件修改 as a background job (exam/eligibility/rule_previews.py and its task in
exam/eligibility/job_tasks.py): it counts the moves of a small project exactly as the preview
does, in chunks with progress, writes nothing but its job row, refuses a rule set saved
since, and only provincial staff start it or save what it previewed."""

import datetime

import pytest

from core.errors import ServiceError
from core.jobs.models import Job
from core.models import AuditLogEntry
from exam.eligibility import rule_changes
from exam.eligibility.job_tasks import rules_preview_job_run
from exam.eligibility.outcomes import Outcome
from exam.eligibility.rule_changes import rule_set_preview
from exam.eligibility.rule_previews import (
    PreviewInput,
    rule_set_preview_result,
    rule_set_preview_save,
    rule_set_preview_start,
)
from exam.models import Application, EligibilityResult, EligibilityRuleSet
from tests.exam.eligibility_helpers import CUTOFF, UNIT_A, applications
from tests.review.private_media import use_private_media

OK, NO, CHECK = Outcome.ELIGIBLE, Outcome.INELIGIBLE, Outcome.MANUAL
NEW_CUTOFF = datetime.date(2027, 6, 30)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    use_private_media(settings, tmp_path)


def _proposed(maximum: int = 2, *, base_version: int = 1) -> PreviewInput:
    return PreviewInput(
        rules={"max": maximum},
        cutoff_date=NEW_CUTOFF,
        blocks_submission=True,
        base_version=base_version,
    )


def _run(job: Job) -> Job:
    rules_preview_job_run(job.pk)
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_the_job_counts_the_known_moves_and_writes_nothing_else(
    monkeypatch, stand_in_kind, health_project, tree, reviewers
):
    monkeypatch.setattr(rule_changes, "CHUNK_SIZE", 2)  # three chunks
    unit = tree[UNIT_A]
    made = applications(health_project, unit, ["王芳", "李小明", "欧阳娜娜", ""])
    made += applications(health_project, unit, ["张三丰"], status=Application.Status.IN_REVIEW)
    applications(health_project, unit, ["赵六六"], status=Application.Status.DRAFT)
    province = reviewers["province"]
    logged = AuditLogEntry.objects.count()

    job = rule_set_preview_start(actor=province, rule_set=stand_in_kind, proposed=_proposed())
    assert (job.kind, job.status, job.owner, job.progress_total) == (
        "rules_preview",
        "queued",
        province,
        5,  # submitted ones only
    )
    assert job.label == f"预览报考条件修改：{health_project.name}（基于第 1 版）"
    job = _run(job)

    assert job.status == Job.Status.DONE, job.message
    assert (job.progress_done, job.progress_total) == (5, 5)
    preview = rule_set_preview_result(job=job)
    # 王芳 2 字 符合→符合; 李小明, 张三丰 3 字 符合→不符合; 欧阳娜娜 不符合→不符合; nameless 需人工核实.
    expected = {(OK, OK): 1, (OK, NO): 2, (NO, NO): 1, (CHECK, CHECK): 1}
    assert {key: n for key, n in preview.counts.items() if n} == expected
    assert (preview.total, preview.moved_total, preview.current_error) == (5, 2, "")
    assert [
        (m.id, m.candidate_name, m.institution_name, m.from_outcome, m.to_outcome)
        for m in preview.moved
    ] == [
        (made[1].pk, "李小明", unit.name, OK, NO),
        (made[4].pk, "张三丰", unit.name, OK, NO),
    ]
    # The same as the preview computed in the request before.
    direct = rule_set_preview(rule_set=stand_in_kind, rules={"max": 2}, cutoff_date=NEW_CUTOFF)
    assert (direct.counts, direct.moved, direct.total) == (
        preview.counts,
        preview.moved,
        preview.total,
    )
    # Nothing written but the job row.
    stand_in_kind.refresh_from_db()
    assert (stand_in_kind.version, stand_in_kind.rules, stand_in_kind.updated_by) == (
        1,
        {"max": 3},
        None,
    )
    assert not EligibilityResult.objects.exists()
    assert AuditLogEntry.objects.count() == logged
    assert list(Job.objects.all()) == [job]


@pytest.mark.django_db
def test_saving_saves_exactly_what_was_previewed(stand_in_kind, health_project, tree, reviewers):
    applications(health_project, tree[UNIT_A], ["王芳"])
    province = reviewers["province"]
    job = _run(rule_set_preview_start(actor=province, rule_set=stand_in_kind, proposed=_proposed()))
    saved = rule_set_preview_save(actor=province, rule_set=stand_in_kind, job_id=job.pk)
    stand_in_kind.refresh_from_db()
    assert (stand_in_kind.version, stand_in_kind.rules) == (2, {"max": 2})
    assert (stand_in_kind.cutoff_date, stand_in_kind.blocks_submission) == (NEW_CUTOFF, True)
    assert (saved.kind, saved.params) == (
        "eligibility",
        {"project": health_project.pk, "version": 2},
    )


@pytest.mark.django_db
def test_a_rule_set_saved_since_the_preview_is_refused(stand_in_kind, reviewers):
    province = reviewers["province"]
    # Started against version 1, saved by someone else before the worker ran it.
    job = rule_set_preview_start(actor=province, rule_set=stand_in_kind, proposed=_proposed())
    EligibilityRuleSet.objects.filter(pk=stand_in_kind.pk).update(version=2)
    job = _run(job)
    assert job.status == Job.Status.FAILED
    assert job.message == "报考条件规则已被他人修改（现为第 2 版），预览未执行。请重新预览。"
    assert job.counts == {}

    # Finished against version 2, saved again since: 确认保存 refused, nothing changed.
    fresh = _run(
        rule_set_preview_start(
            actor=province, rule_set=stand_in_kind, proposed=_proposed(5, base_version=2)
        )
    )
    assert fresh.status == Job.Status.DONE
    EligibilityRuleSet.objects.filter(pk=stand_in_kind.pk).update(version=3)
    with pytest.raises(ServiceError, match="刚刚已被他人修改（现为第 3 版）"):
        rule_set_preview_save(actor=province, rule_set=stand_in_kind, job_id=fresh.pk)
    # Input read from an older version is not even started.
    with pytest.raises(ServiceError, match="刚刚已被他人修改（现为第 3 版）"):
        rule_set_preview_start(actor=province, rule_set=stand_in_kind, proposed=_proposed())
    stand_in_kind.refresh_from_db()
    assert stand_in_kind.rules == {"max": 3}
    assert not Job.objects.filter(kind=Job.Kind.ELIGIBILITY).exists()
    assert Job.objects.count() == 2


@pytest.mark.django_db
def test_unfinished_failed_or_foreign_previews_are_not_saved(stand_in_kind, reviewers):
    province = reviewers["province"]
    job = rule_set_preview_start(actor=province, rule_set=stand_in_kind, proposed=_proposed())
    with pytest.raises(ServiceError, match="预览尚未完成"):
        rule_set_preview_save(actor=province, rule_set=stand_in_kind, job_id=job.pk)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED)
    with pytest.raises(ServiceError, match="预览没有完成，本次没有保存"):
        rule_set_preview_save(actor=province, rule_set=stand_in_kind, job_id=job.pk)
    # Another kind of job, or none at all.
    other = Job.objects.create(owner=province, kind=Job.Kind.EXPORT, subject="x", label="x")
    for job_id in (other.pk, 999_999):
        with pytest.raises(ServiceError, match="没有找到该预览"):
            rule_set_preview_save(actor=province, rule_set=stand_in_kind, job_id=job_id)
    assert EligibilityRuleSet.objects.get().version == 1


@pytest.mark.django_db
def test_a_crash_fails_the_preview_in_chinese(monkeypatch, stand_in_kind, reviewers):
    from exam.eligibility import job_tasks

    def crash(**kwargs):
        raise RuntimeError("内存不足")

    monkeypatch.setattr(job_tasks, "rule_set_preview", crash)
    job = rule_set_preview_start(
        actor=reviewers["province"], rule_set=stand_in_kind, proposed=_proposed()
    )
    job = _run(job)
    assert job.status == Job.Status.FAILED
    assert job.message == "预览中断（RuntimeError：内存不足），没有写入任何数据。"


@pytest.mark.django_db
@pytest.mark.parametrize("account", ["unit_a", "county_jiangan", "city_wuhan"])
def test_only_provincial_staff_start_or_save_a_preview(stand_in_kind, reviewers, account):
    with pytest.raises(ServiceError, match="只有省级管理人员可以修改报考条件规则"):
        rule_set_preview_start(
            actor=reviewers[account], rule_set=stand_in_kind, proposed=_proposed()
        )
    job = _run(
        rule_set_preview_start(
            actor=reviewers["province"], rule_set=stand_in_kind, proposed=_proposed()
        )
    )
    with pytest.raises(ServiceError, match="只有省级管理人员可以修改报考条件规则"):
        rule_set_preview_save(actor=reviewers[account], rule_set=stand_in_kind, job_id=job.pk)
    assert EligibilityRuleSet.objects.get().version == 1 and Job.objects.count() == 1


@pytest.mark.django_db
def test_an_owner_who_lost_the_province_is_refused(stand_in_kind, reviewers):
    from people.models import InstitutionUserObjectPermission

    province = reviewers["province"]
    job = rule_set_preview_start(actor=province, rule_set=stand_in_kind, proposed=_proposed())
    InstitutionUserObjectPermission.objects.filter(user=province).delete()
    province.groups.clear()
    job = _run(job)
    assert job.status == Job.Status.FAILED
    assert job.message == "您已没有修改报考条件规则的权限，任务未执行。"


@pytest.mark.django_db
def test_rules_the_kind_refuses_start_nothing(stand_in_kind, reviewers):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="max（姓名最多字数）"):
        rule_set_preview_start(
            actor=reviewers["province"],
            rule_set=stand_in_kind,
            proposed=PreviewInput(
                rules={"max": "二"}, cutoff_date=CUTOFF, blocks_submission=False, base_version=1
            ),
        )
    assert not Job.objects.exists()
