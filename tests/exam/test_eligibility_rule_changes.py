"""exam.eligibility.rule_changes: the preview of a rule change (counts and moved applications,
reads only, constant queries per chunk) and saving it (provincial staff only, validated, a
new version, one audit log row, the re-evaluation job enqueued on commit)."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.errors import ServiceError
from core.jobs.models import Job
from core.models import AuditLogEntry
from exam.audit_actions import LOG_ELIGIBILITY_RULES_CHANGED
from exam.eligibility import rule_changes
from exam.eligibility.outcomes import Outcome
from exam.eligibility.rule_changes import rule_set_preview, rule_set_update
from exam.models import Application, EligibilityResult, EligibilityRuleSet
from tests.exam.eligibility_helpers import CUTOFF, UNIT_A, applications

OK, NO, CHECK = Outcome.ELIGIBLE, Outcome.INELIGIBLE, Outcome.MANUAL


def _unchanged(rule_set: EligibilityRuleSet) -> None:
    rule_set.refresh_from_db()
    assert (rule_set.version, rule_set.rules, rule_set.updated_by) == (1, {"max": 3}, None)
    assert not Job.objects.exists()
    assert not AuditLogEntry.objects.filter(action=LOG_ELIGIBILITY_RULES_CHANGED).exists()


@pytest.mark.django_db
def test_preview_counts_the_moves_of_submitted_applications_and_writes_nothing(
    stand_in_kind, health_project, tree
):
    unit = tree[UNIT_A]
    two, three, four, nameless = applications(
        health_project, unit, ["王芳", "李小明", "欧阳娜娜", ""]
    )
    in_review = applications(health_project, unit, ["张三丰"], status=Application.Status.IN_REVIEW)
    # Drafts and withdrawn ones are the candidates' work in progress: not counted.
    applications(health_project, unit, ["赵六六"], status=Application.Status.DRAFT)
    applications(health_project, unit, ["钱七七"], status=Application.Status.WITHDRAWN)

    preview = rule_set_preview(
        rule_set=stand_in_kind, rules={"max": 2}, cutoff_date=datetime.date(2027, 6, 30)
    )

    assert preview.total == 5
    assert preview.current_error == ""
    expected = {(OK, OK): 1, (OK, NO): 2, (NO, NO): 1, (CHECK, CHECK): 1}
    assert {key: n for key, n in preview.counts.items() if n} == expected
    assert len(preview.counts) == 9  # the whole 3×3, zeros included
    assert preview.moved_total == 2
    moved = {
        (m.id, m.candidate_name, m.institution_name, m.from_outcome, m.to_outcome)
        for m in preview.moved
    }
    assert moved == {
        (three.pk, "李小明", unit.name, OK, NO),
        (in_review[0].pk, "张三丰", unit.name, OK, NO),
    }
    rows = preview.rows()
    assert [label for label, _, _ in rows] == ["符合", "不符合", "需人工核实"]
    assert rows[0][1] == [(1, False), (2, True), (0, True)] and rows[0][2] == 3
    # Reads only.
    assert not EligibilityResult.objects.exists()
    _unchanged(stand_in_kind)
    assert {two.pk, four.pk, nameless.pk}.isdisjoint({m.id for m in preview.moved})


@pytest.mark.django_db
def test_preview_lists_at_most_the_first_moved(monkeypatch, stand_in_kind, health_project, tree):
    monkeypatch.setattr(rule_changes, "MOVED_LISTED", 2)
    made = applications(health_project, tree[UNIT_A], ["李小明"] * 3)
    preview = rule_set_preview(rule_set=stand_in_kind, rules={"max": 2}, cutoff_date=CUTOFF)
    assert preview.moved_total == 3
    assert [m.id for m in preview.moved] == [made[0].pk, made[1].pk]


@pytest.mark.django_db
def test_preview_costs_the_same_queries_per_chunk(monkeypatch, stand_in_kind, health_project, tree):
    monkeypatch.setattr(rule_changes, "CHUNK_SIZE", 3)
    made = applications(health_project, tree[UNIT_A], ["王芳"] * 6)

    def queries(count: int) -> int:
        Application.objects.filter(pk__in=[a.pk for a in made[count:]]).update(
            status=Application.Status.DRAFT
        )
        with CaptureQueriesContext(connection) as ctx:
            preview = rule_set_preview(rule_set=stand_in_kind, rules={"max": 2}, cutoff_date=CUTOFF)
        assert preview.total == count
        Application.objects.filter(pk__in=[a.pk for a in made]).update(
            status=Application.Status.SUBMITTED
        )
        return len(ctx.captured_queries)

    none, one, full, two_chunks = queries(0), queries(1), queries(3), queries(6)
    assert one == full  # one chunk: the same queries for 1 or 3 applications
    assert two_chunks - full == full - none  # each chunk adds the same


@pytest.mark.django_db
def test_preview_when_the_current_rules_cannot_be_read(stand_in_kind, health_project, tree):
    EligibilityRuleSet.objects.filter(pk=stand_in_kind.pk).update(rules={})
    stand_in_kind.refresh_from_db()
    applications(health_project, tree[UNIT_A], ["王芳", "欧阳娜娜"])
    preview = rule_set_preview(rule_set=stand_in_kind, rules={"max": 3}, cutoff_date=CUTOFF)
    assert "max" in preview.current_error
    assert {key: n for key, n in preview.counts.items() if n} == {(None, OK): 1, (None, NO): 1}
    assert preview.rows()[-1] == ("当前规则无法判断", [(1, False), (1, False), (0, False)], 2)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "rules, message",
    [
        ({"max": "三"}, "max（姓名最多字数）必须是不小于 0 的整数。"),
        ([3], "规则必须是一个 JSON 对象"),
    ],
)
def test_malformed_rules_are_refused_in_chinese_and_nothing_changes(
    stand_in_kind, reviewers, rules, message
):
    with pytest.raises(ValidationError, match=message):
        rule_set_preview(rule_set=stand_in_kind, rules=rules, cutoff_date=CUTOFF)
    with pytest.raises(ValidationError, match=message):
        rule_set_update(
            actor=reviewers["province"],
            rule_set=stand_in_kind,
            rules=rules,
            cutoff_date=CUTOFF,
            blocks_submission=True,
        )
    _unchanged(stand_in_kind)


@pytest.mark.django_db
@pytest.mark.parametrize("account", ["unit_a", "county_jiangan", "city_wuhan"])
def test_only_provincial_staff_may_change_the_rules(stand_in_kind, reviewers, account):
    with pytest.raises(ServiceError, match="只有省级管理人员可以修改报考条件规则"):
        rule_set_update(
            actor=reviewers[account],
            rule_set=stand_in_kind,
            rules={"max": 5},
            cutoff_date=CUTOFF,
            blocks_submission=False,
        )
    _unchanged(stand_in_kind)


@pytest.mark.django_db
def test_saving_bumps_the_version_logs_once_and_enqueues_the_job_on_commit(
    stand_in_kind, reviewers, health_project, tree, django_capture_on_commit_callbacks
):
    applications(health_project, tree[UNIT_A], ["王芳", "李小明"])
    province = reviewers["province"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = rule_set_update(
            actor=province,
            rule_set=stand_in_kind,
            rules={"max": 2},
            cutoff_date=datetime.date(2027, 6, 30),
            blocks_submission=True,
            base_version=1,
        )
    assert len(callbacks) == 1  # the enqueue waits for the commit
    stand_in_kind.refresh_from_db()
    assert (stand_in_kind.version, stand_in_kind.rules, stand_in_kind.updated_by) == (
        2,
        {"max": 2},
        province,
    )
    assert stand_in_kind.cutoff_date == datetime.date(2027, 6, 30)
    assert stand_in_kind.blocks_submission is True

    job.refresh_from_db()
    assert (job.kind, job.owner, job.status, job.progress_total) == (
        "eligibility",
        province,
        "queued",
        2,
    )
    assert job.params == {"project": health_project.pk, "version": 2}
    assert job.task_id  # handed to the task backend after the commit
    assert job.label == f"重新判断报考条件：{health_project.name}（第 2 版）"

    (entry,) = AuditLogEntry.objects.filter(action=LOG_ELIGIBILITY_RULES_CHANGED)
    assert entry.actor == province and entry.subject == tree["420000"]
    assert entry.data["old_version"] == 1 and entry.data["new_version"] == 2
    assert entry.data["cutoff_date"] == "2027-06-30" and entry.data["blocks_submission"] is True
    assert entry.data["tier"] == "province"
    assert entry.remark == (
        f"{health_project.name}：报考条件规则第 1 版 → 第 2 版，截止日期 2027-06-30，不符合时禁止提交"
    )


@pytest.mark.django_db
def test_unchanged_input_makes_no_version(stand_in_kind, reviewers):
    with pytest.raises(ServiceError, match="没有变化"):
        rule_set_update(
            actor=reviewers["province"],
            rule_set=stand_in_kind,
            rules={"max": 3},
            cutoff_date=CUTOFF,
            blocks_submission=False,
        )
    _unchanged(stand_in_kind)


@pytest.mark.django_db
def test_a_change_saved_meanwhile_refuses_the_older_preview(stand_in_kind, reviewers):
    EligibilityRuleSet.objects.filter(pk=stand_in_kind.pk).update(version=2)
    with pytest.raises(ServiceError, match="刚刚已被他人修改（现为第 2 版）"):
        rule_set_update(
            actor=reviewers["province"],
            rule_set=stand_in_kind,
            rules={"max": 5},
            cutoff_date=CUTOFF,
            blocks_submission=False,
            base_version=1,
        )
    stand_in_kind.refresh_from_db()
    assert (stand_in_kind.version, stand_in_kind.rules) == (2, {"max": 3})
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_with_the_real_health_kind(health_project, tree, reviewers, settings, tmp_path):
    """The same plumbing under 卫生专业技术资格考试's own rules (exam/eligibility/health.py)."""
    from exam.eligibility.job_tasks import eligibility_job_run
    from exam.eligibility.rule_sets import rule_set_ensure

    settings.MEDIA_ROOT = tmp_path  # the job's progress file
    rule_set = rule_set_ensure(project=health_project)
    applications(health_project, tree[UNIT_A], ["王芳", "李小明"])

    same = rule_set_preview(rule_set=rule_set, rules=rule_set.rules, cutoff_date=CUTOFF)
    assert (same.total, same.moved_total, same.current_error) == (2, 0, "")

    broken = json.loads(json.dumps(rule_set.rules))
    broken["levels"]["3"]["本科"]["years"] = -1
    with pytest.raises(ValidationError):
        rule_set_preview(rule_set=rule_set, rules=broken, cutoff_date=CUTOFF)

    changed = json.loads(json.dumps(rule_set.rules))
    changed["levels"]["3"]["本科"]["years"] = 5
    job = rule_set_update(
        actor=reviewers["province"],
        rule_set=rule_set,
        rules=changed,
        cutoff_date=CUTOFF,
        blocks_submission=False,
    )
    eligibility_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert job.counts["created"] + job.counts["updated"] + job.counts["unchanged"] == 2
    assert set(EligibilityResult.objects.values_list("rule_set_version", flat=True)) == {2}
