"""消息 produced by the review chain and the candidate's submissions: each event exactly
once, in the producer's transaction (a rollback leaves none and enqueues no SMS job)."""

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from core.errors import ServiceError
from exam import services as exam_services
from exam.models import Section, TierReview
from exam.notices import notify_reported
from people.models import Notification, NotificationKind, SmsMessage
from people.notice_services import notices_batched
from review import services as review_services
from tests.builders import advance_to, decide, review_at, submitted, superuser
from tests.review.import_helpers import confirm, preview, xlsx_upload
from tests.review.test_decision_import import COLUMNS, MODEL, _row
from tests.tree import UNIT_A, UNIT_B

K = NotificationKind
pytestmark = pytest.mark.django_db


def kinds(application) -> list[str]:
    return list(
        Notification.objects.filter(application_id=application.pk)
        .order_by("id")
        .values_list("kind", flat=True)
    )


def sms_jobs() -> int:
    return DBTaskResult.objects.filter(task_path__endswith="notice_sms_task").count()


class TestSubmitted:
    def test_submit_tells_the_candidate_once_without_sms(self, tree, health_project):
        application = submitted(health_project, tree[UNIT_A])
        notice = Notification.objects.get(application_id=application.pk)
        assert notice.kind == K.SUBMITTED
        assert notice.candidate_id == application.candidate_id
        assert "已提交" in notice.title and health_project.name in notice.title
        assert notice.link == f"/apply/{application.pk}/"
        assert notice.sms is None

    def test_submitting_again_is_refused_and_adds_nothing(self, tree, health_project):
        application = submitted(health_project, tree[UNIT_A])
        with pytest.raises(ServiceError):
            exam_services.application_submit(
                actor=application.candidate.user, application=application
            )
        assert kinds(application) == [K.SUBMITTED]


class TestDecisions:
    def test_return_says_remark_and_sections_and_goes_by_sms(
        self, tree, health_project, django_capture_on_commit_callbacks
    ):
        application = submitted(health_project, tree[UNIT_A])
        with django_capture_on_commit_callbacks(execute=True):
            review_services.tier_review_decide(
                actor=superuser(),
                tier_review=review_at(application),
                decision="return",
                remark="学历证书照片不清晰",
                locked_sections=["basic"],
            )
        notice = Notification.objects.get(application_id=application.pk, kind=K.RETURNED)
        assert "学历证书照片不清晰" in notice.body
        assert "学历信息" in notice.body  # unlocked: to change
        assert "基础信息" not in notice.body  # accepted and locked
        assert notice.sms.status == SmsMessage.Status.QUEUED
        assert notice.sms.phone == application.candidate.phone
        assert "学历证书照片不清晰" in notice.sms.text
        assert sms_jobs() == 1

    def test_resubmit_is_a_second_submitted_message(self, tree, health_project):
        application = decide(submitted(health_project, tree[UNIT_A]), "return")
        exam_services.application_resubmit(
            actor=application.candidate.user, application=application
        )
        assert kinds(application) == [K.SUBMITTED, K.RETURNED, K.SUBMITTED]
        assert "重新提交" in Notification.objects.filter(kind=K.SUBMITTED).first().title

    def test_reject_carries_the_reason(self, tree, health_project):
        application = submitted(health_project, tree[UNIT_A])
        decide(application, "reject", remark="不符合报考条件")
        notice = Notification.objects.get(application_id=application.pk, kind=K.REJECTED)
        assert "不符合报考条件" in notice.body
        assert notice.sms is not None

    def test_a_lower_tier_approval_is_told_when_reported(self, tree, health_project):
        application = submitted(health_project, tree[UNIT_A])
        decide(application, "approve")
        assert kinds(application) == [K.SUBMITTED]  # may still be taken back
        review_services.institution_report(
            actor=superuser(), institution=tree[UNIT_A], business=None
        )
        notice = Notification.objects.get(application_id=application.pk, kind=K.TIER_APPROVED)
        assert tree[UNIT_A].name in notice.title
        assert tree[UNIT_A].parent.name in notice.body
        assert notice.sms is None

    def test_every_tier_then_final_approval(self, tree, health_project):
        application = advance_to(submitted(health_project, tree[UNIT_A]), "province")
        decide(application, "approve")
        assert kinds(application) == [K.SUBMITTED] + [K.TIER_APPROVED] * 3 + [K.APPROVED]
        final = Notification.objects.get(kind=K.APPROVED)
        assert "终审通过" in final.title
        assert final.sms is not None

    def test_deferral_tells_nothing(self, tree, health_project):
        application = submitted(health_project, tree[UNIT_A])
        decide(application, "defer")
        assert kinds(application) == [K.SUBMITTED]


class TestReportOfMany:
    def test_one_message_each(self, tree, health_project):
        apps = [submitted(health_project, tree[UNIT_A]) for _ in range(4)]
        for application in apps:
            decide(application, "approve")
        baseline = Notification.objects.count()
        review_services.institution_report(
            actor=superuser(), institution=tree[UNIT_A], business=None
        )
        assert Notification.objects.count() == baseline + 4
        assert set(
            Notification.objects.filter(kind=K.TIER_APPROVED).values_list(
                "application_id", flat=True
            )
        ) == {a.pk for a in apps}

    def test_notices_cost_the_same_queries_for_many(
        self, tree, health_project, django_assert_num_queries
    ):

        apps = [submitted(health_project, tree[UNIT_B]) for _ in range(5)]
        reviews = {r.application_id: r.pk for r in TierReview.objects.filter(application__in=apps)}
        assert tree[UNIT_B].parent is not None  # loaded, as institution_report has it
        # the applications, the keys already known, one bulk INSERT
        with django_assert_num_queries(3):
            notify_reported(
                application_ids=[a.pk for a in apps], review_ids=reviews, institution=tree[UNIT_B]
            )
        assert Notification.objects.filter(kind=K.TIER_APPROVED).count() == 5


class TestRollback:
    def test_a_rolled_back_decision_leaves_no_message_and_no_job(self, tree, health_project):
        application = submitted(health_project, tree[UNIT_A])
        before = Notification.objects.count()

        class Abort(Exception):
            pass

        with pytest.raises(Abort), transaction.atomic():
            decide(application, "reject", remark="原因")
            assert Notification.objects.filter(kind=K.REJECTED).count() == 1
            raise Abort
        assert Notification.objects.count() == before
        assert not SmsMessage.objects.exists()
        assert sms_jobs() == 0


class TestSectionsToChange:
    def test_without_a_choice_the_unlocked_sections_are_listed(self, tree, health_project):
        application = submitted(health_project, tree[UNIT_A])
        Section.objects.filter(application=application).exclude(code="education").update(
            status=Section.Status.LOCKED
        )
        decide(application, "return", remark="请补充")
        body = Notification.objects.get(kind=K.RETURNED).body
        assert "需要修改的分项：学历信息" in body


class TestDecisionImport:
    """审核结果导入: every row's decision through the service, the messages written together at
    the end in the file's transaction; the preview (rolled back) leaves none."""

    def test_preview_leaves_none_and_the_import_one_per_row_in_one_insert(
        self, client, reviewers, tree, health_project, django_capture_on_commit_callbacks
    ):

        unit = tree[UNIT_A]
        apps = {d: submitted(health_project, unit) for d in ["return", "reject", "approve"]}
        rows = [
            COLUMNS,
            _row(apps["return"], "允许修改", "请重新上传学历证书。"),
            _row(apps["reject"], "审核不通过", "不符合报考条件。"),
            _row(apps["approve"], "审核通过"),
        ]
        client.force_login(reviewers["unit_a"])
        before = Notification.objects.count()
        result = preview(client, MODEL, xlsx_upload(rows, "审核结果.xlsx"), resource="0")
        assert result.can_confirm
        assert Notification.objects.count() == before
        assert not SmsMessage.objects.exists() and sms_jobs() == 0

        with django_capture_on_commit_callbacks(execute=True):
            confirm(client, MODEL, result)
        assert kinds(apps["return"]) == [K.SUBMITTED, K.RETURNED]
        assert kinds(apps["reject"]) == [K.SUBMITTED, K.REJECTED]
        assert kinds(apps["approve"]) == [K.SUBMITTED]  # a unit's approval: told on 材料上报
        assert SmsMessage.objects.count() == 2
        assert sms_jobs() == 1  # one job for the file's two texts

    def test_batched_notices_are_written_at_the_end(self, tree, health_project):

        apps = [submitted(health_project, tree[UNIT_A]) for _ in range(3)]
        with notices_batched():
            for application in apps:
                decide(application, "defer")  # a decision without a message
                decide(application, "return", remark="请补充")
            created_before_end = Notification.objects.filter(kind=K.RETURNED).count()
        assert created_before_end == 0
        assert Notification.objects.filter(kind=K.RETURNED).count() == 3
