"""review 0009: every ReviewLog row is copied into core's audit log with all its fields (and
the reverse copies them back), on whichever database the suite runs."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.builders import new_application
from tests.review.scenario import UNIT_A

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("review", "0008_tierreview_moves_to_exam"), ("core", "0001_audit_log")]
COPIED = [("review", "0009_copy_review_log_to_audit_log")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()  # the state after the previous run
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def test_every_review_log_row_is_copied_with_its_fields(tree, reviewers, health_project):
    application = new_application(health_project, tree[UNIT_A])
    actor = reviewers["county_jiangan"]
    county = tree[UNIT_A].parent
    when = timezone.now() - datetime.timedelta(days=3)
    try:
        old = _migrate(BEFORE)
        ReviewLog = old.get_model("review", "ReviewLog")
        ReviewLog.objects.all().delete()  # new_application's own row, copied back
        full = ReviewLog.objects.create(
            application_id=application.pk,
            institution_id=county.pk,
            tier="county",
            actor_id=actor.pk,
            action="review.returned",
            from_state="pending",
            to_state="returned",
            remark="请补充学历",
            created_at=when,
        )
        about_institution = ReviewLog.objects.create(
            institution_id=county.pk,
            tier="county",
            action="account.renamed",
            from_state="张三",
            to_state="张四",
            created_at=when + datetime.timedelta(minutes=1),
        )
        bare = ReviewLog.objects.create(
            action="job.interrupted",
            remark="导出（任务 7）",
            created_at=when + datetime.timedelta(minutes=2),
        )

        new = _migrate(COPIED)
        AuditLogEntry = new.get_model("core", "AuditLogEntry")
        ContentType = new.get_model("contenttypes", "ContentType")
        application_type = ContentType.objects.get(app_label="exam", model="application")
        institution_type = ContentType.objects.get(app_label="people", model="institution")
        rows = {e.action: e for e in AuditLogEntry.objects.all()}
        assert set(rows) == {full.action, about_institution.action, bare.action}

        copied = rows["review.returned"]
        assert (copied.content_type_id, copied.object_id) == (application_type.pk, application.pk)
        assert (copied.actor_id, copied.created_at) == (actor.pk, when)
        assert copied.data == {
            "institution": county.pk,
            "tier": "county",
            "from_state": "pending",
            "to_state": "returned",
            "remark": "请补充学历",
        }
        copied = rows["account.renamed"]
        assert (copied.content_type_id, copied.object_id) == (institution_type.pk, county.pk)
        assert copied.actor_id is None
        assert copied.created_at == about_institution.created_at
        assert copied.data == {
            "institution": county.pk,
            "tier": "county",
            "from_state": "张三",
            "to_state": "张四",
        }
        copied = rows["job.interrupted"]
        assert (copied.content_type_id, copied.object_id) == (None, None)
        assert copied.data == {"remark": "导出（任务 7）"}

        # Back again: the same rows in ReviewLog, none left in the audit log.
        old = _migrate(BEFORE)
        ReviewLog = old.get_model("review", "ReviewLog")
        fields = (
            "application_id",
            "institution_id",
            "tier",
            "actor_id",
            "action",
            "from_state",
            "to_state",
            "remark",
            "created_at",
        )
        restored = set(ReviewLog.objects.values_list(*fields))
        assert restored == {
            tuple(getattr(row, name) for name in fields) for row in (full, about_institution, bare)
        }
        assert not old.get_model("core", "AuditLogEntry").objects.exists()
    finally:
        _migrate(_latest())
