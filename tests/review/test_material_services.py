"""批量核验 (material_verify_batch): scope, remarks, all-or-nothing, one log row per material,
a query count that does not grow with the batch."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.errors import ServiceError
from core.models import AuditLogEntry
from exam.models import EducationRecord, NurseLicense
from review import verification
from review.models import VerifyEducation
from tests.builders import submitted, superuser
from tests.review.materials import education
from tests.review.scenario import UNIT_A

pytestmark = pytest.mark.django_db


def _statuses(records):
    return {
        r.pk: (r.verification_status, r.verification_remark)
        for r in EducationRecord.objects.filter(pk__in=[r.pk for r in records])
    }


def _material_logs():
    return AuditLogEntry.objects.filter(action__startswith="material.")


def test_verify_a_batch_in_scope(materials, reviewers, tree):
    records = [materials["education"][k] for k in ("a_at_county", "a_at_city", "a_at_province")]
    actor = reviewers["county_jiangan"]
    count = verification.material_verify_batch(
        actor=actor,
        model=VerifyEducation,
        material_ids=[r.pk for r in records],
        outcome="verified",
        remark="与学信网一致",
    )
    assert count == 3
    for record in EducationRecord.objects.filter(pk__in=[r.pk for r in records]):
        assert record.verification_status == "verified"
        assert record.verification_remark == "与学信网一致"
        assert record.verified_by == actor and record.verified_at is not None
    logs = list(_material_logs())
    assert len(logs) == 3
    assert {log.object_id for log in logs} == {r.application_id for r in records}
    assert {(log.action, log.from_state, log.to_state) for log in logs} == {
        ("material.verified", "pending", "verified")
    }
    assert {log.remark for log in logs} == {"学历信息（湖北中医药大学）：与学信网一致"}
    # In the name of the county, whichever tier the application has reached since.
    assert {log.institution_id for log in logs} == {tree["420102"].pk}
    assert {log.tier for log in logs} == {"county"}


def test_failing_needs_a_remark(materials, reviewers):
    record = materials["education"]["a_pending"]
    before = _statuses([record])
    for remark in ("", "   "):
        with pytest.raises(ServiceError, match="必须填写核验备注"):
            verification.material_verify_batch(
                actor=reviewers["unit_a"],
                model=EducationRecord,
                material_ids=[record.pk],
                outcome="failed",
                remark=remark,
            )
    assert _statuses([record]) == before and not _material_logs().exists()
    verification.material_verify_batch(
        actor=reviewers["unit_a"],
        model=EducationRecord,
        material_ids=[record.pk],
        outcome="failed",
        remark="毕业证书照片不清晰",
    )
    log = _material_logs().get()
    assert (log.action, log.remark) == (
        "material.failed",
        "学历信息（湖北中医药大学）：毕业证书照片不清晰",
    )


def test_one_material_outside_scope_refuses_the_whole_batch(materials, reviewers):
    inside = [materials["education"][k] for k in ("a_at_county", "a_at_city")]
    outside = materials["education"]["c_at_county"]  # 武昌区: not 江岸区's
    before = _statuses([*inside, outside])
    with pytest.raises(ServiceError, match="1 条不在您的核验范围内"):
        verification.material_verify_batch(
            actor=reviewers["county_jiangan"],
            model=EducationRecord,
            material_ids=[*(r.pk for r in inside), outside.pk],
            outcome="verified",
        )
    assert _statuses([*inside, outside]) == before
    assert not _material_logs().exists()


@pytest.mark.parametrize(
    ("username", "name"),
    [
        ("unit_b", "a_pending"),  # another unit
        ("county_jiangan", "a_pending"),  # not yet reported up to the county
        ("city_yichang", "a_at_city"),  # another city
        ("province", "a_at_city"),  # not yet at the province
    ],
)
def test_outside_scope_is_refused(materials, reviewers, username, name):
    record = materials["education"][name]
    with pytest.raises(ServiceError, match="不在您的核验范围内"):
        verification.material_verify_batch(
            actor=reviewers[username],
            model=EducationRecord,
            material_ids=[record.pk],
            outcome="verified",
        )
    record.refresh_from_db()
    assert record.verification_status == "pending"


def test_verify_permission_is_needed(materials, reviewers, tree):
    from guardian.shortcuts import remove_perm

    unit_a = tree[UNIT_A]
    remove_perm("people.verify_materials", unit_a.reviewer_group, unit_a)
    with pytest.raises(ServiceError, match="不在您的核验范围内"):
        verification.material_verify_batch(
            actor=reviewers["unit_a"],
            model=EducationRecord,
            material_ids=[materials["education"]["a_pending"].pk],
            outcome="verified",
        )


def test_materials_already_in_the_chosen_state_are_left_unchanged(materials, reviewers):
    first, second = materials["education"]["a_pending"], materials["education"]["a_draft"]
    actor = reviewers["unit_a"]
    verification.material_verify_batch(
        actor=actor, model=EducationRecord, material_ids=[first.pk], outcome="verified", remark="甲"
    )
    count = verification.material_verify_batch(
        actor=actor,
        model=EducationRecord,
        material_ids=[first.pk, second.pk],
        outcome="verified",
        remark="乙",
    )
    assert count == 1
    assert _statuses([first, second]) == {
        first.pk: ("verified", "甲"),  # unchanged: earlier remark kept, no second log row
        second.pk: ("verified", "乙"),
    }
    assert _material_logs().about(first.application).count() == 1


def test_a_verdict_can_be_changed_either_way(materials, reviewers):
    record = materials["education"]["a_pending"]
    actor = reviewers["unit_a"]
    for outcome, remark in (("failed", "学校名称有误"), ("verified", "已补正"), ("failed", "再查")):
        assert (
            verification.material_verify_batch(
                actor=actor,
                model=EducationRecord,
                material_ids=[record.pk],
                outcome=outcome,
                remark=remark,
            )
            == 1
        )
    states = [(log.from_state, log.to_state) for log in _material_logs().order_by("id")]
    assert states == [("pending", "failed"), ("failed", "verified"), ("verified", "failed")]


@pytest.mark.parametrize(
    ("ids", "outcome", "message"),
    [
        ([], "verified", "请先选择要核验的材料"),
        (None, "approve", "请选择核验结果"),
        (None, "", "请选择核验结果"),
        ([999_999], "verified", "已不存在"),
        (["x"], "verified", "编号无效"),
    ],
)
def test_bad_requests_are_refused(materials, reviewers, ids, outcome, message):
    ids = [materials["education"]["a_pending"].pk] if ids is None else ids
    with pytest.raises(ServiceError, match=message):
        verification.material_verify_batch(
            actor=reviewers["unit_a"], model=EducationRecord, material_ids=ids, outcome=outcome
        )


def test_remark_length_is_limited(materials, reviewers):
    with pytest.raises(ServiceError, match="255"):
        verification.material_verify_batch(
            actor=reviewers["unit_a"],
            model=EducationRecord,
            material_ids=[materials["education"]["a_pending"].pk],
            outcome="failed",
            remark="长" * 256,
        )


def test_a_concurrent_change_refuses_the_batch(materials, reviewers, monkeypatch):
    """Someone verifies a material between the service's read and its UPDATE: the row count
    check notices, the whole batch rolls back."""
    records = [materials["education"][k] for k in ("a_pending", "a_draft")]
    real_can_proceed = verification.can_proceed

    def meanwhile(transition):
        EducationRecord.objects.filter(pk=records[0].pk).update(verification_status="failed")
        return real_can_proceed(transition)

    monkeypatch.setattr(verification, "can_proceed", meanwhile)
    with pytest.raises(ServiceError, match="刚刚已被他人核验"):
        verification.material_verify_batch(
            actor=reviewers["unit_a"],
            model=EducationRecord,
            material_ids=[r.pk for r in records],
            outcome="verified",
        )
    assert {s for s, _ in _statuses(records).values()} == {"pending"}
    assert not _material_logs().exists()


def test_other_material_types_and_the_superuser(materials):
    nurse = materials["nurse"]["c_at_county"]
    count = verification.material_verify_batch(
        actor=superuser(), model=NurseLicense, material_ids=[nurse.pk], outcome="verified"
    )
    assert count == 1
    log = _material_logs().get()
    assert log.remark == f"护士执业证（{nurse.certificate_no}）" and log.institution_id is None


def test_query_count_does_not_grow_with_the_batch(reviewers, tree, health_project, material_media):
    def batch(n):
        ids = []
        for _ in range(n):
            application = submitted(health_project, tree[UNIT_A])
            ids += [education(application, image=False).pk, education(application).pk]
        with CaptureQueriesContext(connection) as queries:
            count = verification.material_verify_batch(
                actor=reviewers["unit_a"],
                model=EducationRecord,
                material_ids=ids,
                outcome="failed",
                remark="批量",
            )
        assert count == len(ids)
        return len(queries.captured_queries)

    assert batch(3) == batch(40)
