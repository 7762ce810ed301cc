"""审核日志 in the admin (issue 12 item 6): every place a log row appears speaks Chinese and
local time (Asia/Shanghai), and the append-only log has a read-only detail, no change form."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.audit import log_action, log_state_label
from core.models import AuditLogEntry
from people.audit_actions import LOG_ACCOUNT_PASSWORD_RESET, entry_data
from tests.builders import (
    approve_and_report,
    decide,
    in_health_business,
    submitted,
    superuser,
)
from tests.review.scenario import UNIT_A, UNIT_C


@pytest.fixture
def approved_log(tree, reviewers, health_project):
    """A real decision by unit_a: review.approved, 待审核 → 审核通过."""
    application = submitted(health_project, tree[UNIT_A])
    decide(application, "approve", actor=reviewers["unit_a"], remark="材料齐全")
    return AuditLogEntry.objects.about(application).get(action="review.approved")


def _stamps(log: AuditLogEntry) -> tuple[str, str]:
    """The row's time as shown (local) and as it would read in UTC (never shown)."""
    local = timezone.localtime(log.created_at)
    utc = log.created_at.astimezone(datetime.UTC)
    return f"{local:%Y-%m-%d %H:%M}", f"{utc:%Y-%m-%d %H:%M}"


def test_detail_shows_labels_and_local_time_read_only(client, reviewers, approved_log):
    client.force_login(reviewers["unit_a"])
    url = reverse("admin:core_auditlogentry_change", args=[approved_log.pk])
    html = client.get(url).content.decode()
    local, utc = _stamps(approved_log)
    assert local in html and utc not in html
    assert "review.approved" not in html
    assert "待审核" in html and "审核通过" in html  # 原状态 / 新状态
    assert ">pending<" not in html and ">approved<" not in html
    assert "材料齐全" in html
    assert 'name="remark"' not in html and 'name="_save"' not in html  # no form to change


def test_detail_refuses_a_post_and_changes_nothing(client, reviewers, approved_log):
    client.force_login(reviewers["unit_a"])
    url = reverse("admin:core_auditlogentry_change", args=[approved_log.pk])
    response = client.post(url, {"remark": "改过", "action": "review.rejected"})
    assert response.status_code == 403
    approved_log.refresh_from_db()
    assert (approved_log.remark, approved_log.action) == ("材料齐全", "review.approved")


def test_history_and_list_show_labels_and_local_time(client, reviewers, approved_log):
    client.force_login(reviewers["unit_a"])
    local, utc = _stamps(approved_log)
    history = client.get(reverse("admin:core_auditlogentry_history", args=[approved_log.pk]))
    html = history.content.decode()
    assert f"{local} 审核通过" in html
    assert utc not in html and "review.approved" not in html
    listing = client.get(reverse("admin:core_auditlogentry_changelist")).content.decode()
    # The code appears only as the 操作 filter's option value, never as text.
    assert "审核通过" in listing and ">review.approved<" not in listing
    local_dt = timezone.localtime(approved_log.created_at)
    assert f"{local_dt:%H:%M}" in listing
    assert f"{approved_log.created_at.astimezone(datetime.UTC):%H:%M}" not in listing


@pytest.mark.parametrize(
    "action, state, label",
    [
        ("review.approved", "pending", "待审核"),
        ("review.reported", "reported", "已上报"),
        ("application.submitted", "submitted", "已提交"),
        ("application.payment_changed", "paid", "已缴费"),
        ("section.locked", "locked", "已锁定"),
        ("material.verified", "failed", "核验不通过"),
        ("recommender.signed", "signed", "已签名"),
        ("account.activated", "启用", "启用"),  # stored as words already
        ("institution.confirmation_code_regenerated", "AB12CD", "AB12CD"),
    ],
)
def test_state_labels_by_action_namespace(action, state, label):
    assert log_state_label(action, state) == label


def _subjects(client) -> set:
    response = client.get(reverse("admin:core_auditlogentry_changelist"), {"all": ""})
    assert response.status_code == 200
    return {entry.subject for entry in response.context["cl"].result_list}


def test_a_county_does_not_see_another_countys_rows(client, tree, reviewers, health_project):
    """Scoping: rows about applications the reviewer may review in the current business, and
    rows about the reviewer's own institution; never another county's; the superuser sees
    everything."""
    jiangan, wuchang = tree[UNIT_A].parent, tree[UNIT_C].parent
    ours = submitted(health_project, tree[UNIT_A])
    approve_and_report(ours, actor=reviewers["unit_a"])
    theirs = submitted(health_project, tree[UNIT_C])
    approve_and_report(theirs, actor=reviewers["unit_c"])
    for institution in (jiangan, wuchang):
        log_action(
            action=LOG_ACCOUNT_PASSWORD_RESET,
            actor=None,
            subject=institution,
            data=entry_data(institution=institution, remark="重置密码"),
        )

    client.force_login(in_health_business(reviewers["county_jiangan"]))
    assert _subjects(client) == {ours, jiangan}
    own_row = AuditLogEntry.objects.about(jiangan).get()
    html = client.get(reverse("admin:core_auditlogentry_change", args=[own_row.pk])).content
    assert "重置审核账号密码" in html.decode() and jiangan.name in html.decode()
    other_row = AuditLogEntry.objects.about(wuchang).get()
    response = client.get(reverse("admin:core_auditlogentry_change", args=[other_row.pk]))
    assert response.status_code == 302  # the admin's "does not exist": back to the list
    client.force_login(in_health_business(reviewers["county_wuchang"]))
    assert _subjects(client) == {theirs, wuchang}
    client.force_login(in_health_business(superuser()))
    assert {ours, theirs, jiangan, wuchang} <= _subjects(client)


def test_the_list_searches_by_candidate_and_filters_by_tier(
    client, tree, reviewers, health_project
):
    application = submitted(health_project, tree[UNIT_A])
    decide(application, "approve", actor=reviewers["unit_a"])
    other = submitted(health_project, tree[UNIT_A])
    client.force_login(in_health_business(superuser()))
    url = reverse("admin:core_auditlogentry_changelist")
    for term in (application.candidate.name, application.candidate.id_number[-6:]):
        found = client.get(url, {"q": term, "all": ""}).context["cl"].result_list
        assert {entry.subject for entry in found} == {application}, term
    rows = client.get(url, {"tier": "unit", "action": "review.approved"}).context["cl"].result_list
    assert [entry.subject for entry in rows] == [application]
    assert other.candidate.name != application.candidate.name


def test_a_jobs_rows_show_to_its_owners_colleagues_only(client, tree, reviewers):
    """后台任务中断 / 重新开始 rows are about the job: the owner's institution sees them in the
    log list, another institution does not."""
    from core.jobs.audit_actions import LOG_JOB_INTERRUPTED
    from core.jobs.models import Job

    jobs = {}
    for name in ("county_jiangan", "county_wuchang"):
        jobs[name] = Job.objects.create(
            owner=reviewers[name], kind=Job.Kind.EXPORT, subject="x", label="导出"
        )
        log_action(action=LOG_JOB_INTERRUPTED, actor=None, subject=jobs[name], data={})
    client.force_login(in_health_business(reviewers["county_jiangan"]))
    subjects = _subjects(client)
    assert jobs["county_jiangan"] in subjects and jobs["county_wuchang"] not in subjects
