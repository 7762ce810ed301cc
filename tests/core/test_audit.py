"""The audit log (core.AuditLogEntry, core/audit.py): writing rows, the append-only guards and
the registry of action codes each app fills with its own labels."""

import pytest
from django.contrib.contenttypes.models import ContentType

from core import audit
from core.audit import audit_entry, log_action, log_action_label, log_actions, log_state_label
from core.jobs import audit_actions as job_actions
from core.models import AuditLogEntry
from exam import audit_actions as exam_actions
from people import audit_actions as people_actions
from people.audit_actions import entry_data
from review import workflow
from tests.builders import new_application
from tests.review.scenario import UNIT_A

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(tree, health_project):
    return new_application(health_project, tree[UNIT_A])


def test_log_action_writes_subject_actor_and_payload(application, reviewers, tree):
    actor = reviewers["unit_a"]
    entry = log_action(
        action="review.approved",
        actor=actor,
        subject=application,
        data=entry_data(
            institution=tree[UNIT_A], from_state="pending", to_state="approved", remark="齐全"
        ),
    )
    stored = AuditLogEntry.objects.get(pk=entry.pk)
    assert (stored.action, stored.actor, stored.subject) == ("review.approved", actor, application)
    assert stored.data == {
        "institution": tree[UNIT_A].pk,
        "tier": "unit",  # the institution's own tier when none is given
        "from_state": "pending",
        "to_state": "approved",
        "remark": "齐全",
    }
    assert stored.created_at is not None
    assert list(AuditLogEntry.objects.about(application).filter(action="review.approved")) == [
        stored
    ]


def test_an_empty_payload_value_is_left_out_and_reads_as_empty(tree):
    entry = log_action(
        action="account.password_reset",
        actor=None,
        subject=tree[UNIT_A],
        data=entry_data(institution=tree[UNIT_A], remark="重置"),
    )
    entry.refresh_from_db()
    assert "from_state" not in entry.data and "to_state" not in entry.data
    assert (entry.from_state, entry.to_state, entry.remark) == ("", "", "重置")
    assert entry.institution_id == tree[UNIT_A].pk


def test_an_anonymous_actor_and_no_subject_are_stored_as_none():
    from django.contrib.auth.models import AnonymousUser

    entry = log_action(action="job.interrupted", actor=AnonymousUser())
    entry.refresh_from_db()
    assert (entry.actor, entry.content_type, entry.object_id, entry.data) == (None, None, None, {})


def test_a_proxy_subject_is_logged_as_its_concrete_model(application):
    from review.models import ReviewApplication

    proxy = ReviewApplication.objects.get(pk=application.pk)
    log_action(action="review.approved", actor=None, subject=proxy)
    entry = AuditLogEntry.objects.about(application).get(action="review.approved")
    assert entry.content_type == ContentType.objects.get_for_model(application)


def test_log_actions_writes_a_batch_in_one_insert(application, django_assert_num_queries):
    ContentType.objects.get_for_model(application)  # cached, as in any running process
    entries = [
        audit_entry(action="review.reported", actor=None, subject=application, data={"n": n})
        for n in range(3)
    ]
    with django_assert_num_queries(1):
        assert log_actions(entries) == 3
    reported = AuditLogEntry.objects.about(application).filter(action="review.reported")
    assert sorted(e.data["n"] for e in reported) == [0, 1, 2]


def test_rows_cannot_be_changed_or_deleted(application):
    entry = log_action(action="review.approved", actor=None, subject=application)
    entry.data = {"remark": "改过"}
    with pytest.raises(TypeError, match="只能追加"):
        entry.save()
    with pytest.raises(TypeError, match="只能追加"):
        entry.delete()
    with pytest.raises(TypeError, match="只能追加"):
        AuditLogEntry.objects.filter(pk=entry.pk).update(action="review.rejected")
    with pytest.raises(TypeError, match="只能追加"):
        AuditLogEntry.objects.filter(pk=entry.pk).delete()
    entry = AuditLogEntry.objects.get(pk=entry.pk)
    assert (entry.action, entry.data) == ("review.approved", {})


def test_an_unregistered_code_reads_as_itself():
    assert log_action_label("nobody.registered_this") == "nobody.registered_this"
    assert log_state_label("nobody.registered_this", "pending") == "pending"


def _codes(module) -> set[str]:
    return {
        value
        for name, value in vars(module).items()
        if name.startswith("LOG_") and isinstance(value, str)
    }


@pytest.mark.parametrize(
    "module", [people_actions, exam_actions, job_actions, workflow], ids=lambda m: m.__name__
)
def test_every_apps_codes_have_labels(module):
    codes = _codes(module)
    assert codes
    registered = audit.registered_actions()
    missing = {code for code in codes if code not in registered}
    assert not missing
    assert all(registered[code] != code for code in codes)


def test_the_decisions_are_registered_with_their_own_labels():
    for decision in workflow.DECISIONS.values():
        assert log_action_label(decision.log_action) == decision.label


def test_the_labels_users_know_are_unchanged():
    assert log_action_label("application.created") == "绑定单位，创建申报"
    assert log_action_label("institution.confirmation_code_regenerated") == "重新生成本单位确认码"
    assert log_action_label("job.restarted") == "重新开始后台任务"
    assert log_action_label("review.reported") == "材料上报"
    assert log_action_label("review.approved") == "审核通过"


def test_a_code_registered_twice_with_another_label_is_refused():
    with pytest.raises(ValueError, match="registered twice"):
        audit.register_actions({"review.approved": "别的说法"})
    audit.register_actions({"review.approved": "审核通过"})  # the same again is harmless
    assert log_action_label("review.approved") == "审核通过"
