"""Application.eligibility_outcome, the copy of what counts that the review list filters on,
equals the stored result's outcome (empty: no result) after every write: a refresh that
creates, rewrites (a changed result is deleted and inserted again) or keeps results, the
project's refresh and its job (and its rollback), manage.py eligibility_refresh, the
override and its revocation, and migration exam 0012 for the results stored before it."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from core.jobs.models import Job
from exam.eligibility import services as eligibility_services
from exam.eligibility.job_tasks import eligibility_job_run
from exam.eligibility.outcomes import Outcome
from exam.eligibility.rule_changes import rule_set_update
from exam.eligibility.services import eligibility_refresh, eligibility_refresh_project
from exam.models import Application, EligibilityResult
from review.eligibility import eligibility_override, eligibility_override_revoke
from tests.builders import submitted
from tests.exam.eligibility_helpers import CUTOFF, UNIT_A, applications, name_candidate
from tests.review.private_media import use_private_media

YES, NO, CHECK = Outcome.ELIGIBLE, Outcome.INELIGIBLE, Outcome.MANUAL


def _copies() -> dict[int, str]:
    """Every application's copy; asserted equal to its stored result's outcome."""
    copies = dict(Application.objects.values_list("pk", "eligibility_outcome"))
    stored = dict(EligibilityResult.objects.values_list("application_id", "outcome"))
    assert copies == {pk: stored.get(pk, "") for pk in copies}
    return copies


@pytest.fixture
def three(stand_in_kind, health_project, tree):
    """Judged by name length (at most 3 characters): 符合, 不符合, 需人工核实 (no name)."""
    return applications(health_project, tree[UNIT_A], ["王芳", "欧阳娜娜", ""])


@pytest.mark.django_db
def test_a_refresh_copies_what_it_creates_rewrites_and_keeps(stand_in_kind, three):
    short, long, blank = three
    assert set(_copies().values()) == {""}  # not judged yet

    eligibility_refresh(applications=three)
    assert _copies() == {short.pk: YES, long.pk: NO, blank.pk: CHECK}
    assert [a.eligibility_outcome for a in three] == [YES, NO, CHECK]  # the caller's instances too

    name_candidate(short, "欧阳王芳")  # the facts change: the result is rewritten
    name_candidate(blank, "李四")
    assert eligibility_refresh(applications=three).updated == 2
    assert _copies() == {short.pk: NO, long.pk: NO, blank.pk: YES}

    stand_in_kind.rules, stand_in_kind.version = {"max": 4}, 2  # the rules change
    stand_in_kind.save()
    eligibility_refresh(applications=three)
    assert _copies() == {short.pk: YES, long.pk: YES, blank.pk: YES}

    # A copy gone astray is repaired by the next refresh, even of unchanged results.
    Application.objects.filter(pk=long.pk).update(eligibility_outcome="")
    assert eligibility_refresh(applications=three).unchanged == 3
    assert _copies()[long.pk] == YES


@pytest.mark.django_db
def test_an_override_and_its_revocation_are_copied_and_a_refresh_keeps_the_override(
    stand_in_kind, health_project, tree, reviewers
):
    application = name_candidate(submitted(health_project, tree[UNIT_A]), "欧阳娜娜")
    eligibility_refresh(applications=[application])
    assert _copies()[application.pk] == NO

    unit_a = reviewers["unit_a"]
    eligibility_override(actor=unit_a, application=application, outcome=YES, remark="复姓")
    assert _copies()[application.pk] == YES

    name_candidate(application, "欧阳娜娜娜")  # the engine's result is rewritten
    assert eligibility_refresh(applications=[application]).updated == 1
    assert _copies()[application.pk] == YES  # the override still counts

    eligibility_override_revoke(actor=unit_a, application=application)
    assert _copies()[application.pk] == NO


@pytest.mark.django_db
def test_the_projects_refresh_and_the_command_copy_every_application(
    monkeypatch, stand_in_kind, health_project, three
):
    monkeypatch.setattr(eligibility_services, "CHUNK_SIZE", 2)  # two chunks
    eligibility_refresh_project(project_id=health_project.pk)
    assert sorted(_copies().values()) == [YES, NO, CHECK]

    Application.objects.update(eligibility_outcome="")  # as seed_bench leaves them
    call_command("eligibility_refresh", project=[health_project.pk], stdout=io.StringIO())
    assert sorted(_copies().values()) == [YES, NO, CHECK]


@pytest.mark.django_db
def test_the_rule_change_job_copies_and_its_rollback_restores(
    monkeypatch, settings, tmp_path, stand_in_kind, three, reviewers
):
    use_private_media(settings, tmp_path)  # the job's progress file on SQLite
    eligibility_refresh(applications=three)
    before = _copies()

    def change(maximum: int) -> Job:
        return rule_set_update(
            actor=reviewers["province"],
            rule_set=stand_in_kind,
            rules={"max": maximum},
            cutoff_date=CUTOFF,
            blocks_submission=False,
        )

    job = change(4)

    def crash(*, applications):
        eligibility_refresh(applications=applications)
        raise RuntimeError("磁盘已满")

    with monkeypatch.context() as patched:
        patched.setattr(eligibility_services, "eligibility_refresh", crash)
        eligibility_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert _copies() == before  # rolled back with the results

    job = change(5)
    eligibility_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    short, long, blank = three
    assert _copies() == {short.pk: YES, long.pk: YES, blank.pk: CHECK}


BEFORE = [("exam", "0011_eligibility_result")]
COPIED = [("exam", "0012_application_eligibility_outcome")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_the_migration_copies_the_stored_results(health_project, tree):
    made = applications(health_project, tree[UNIT_A], ["王芳", "李四", "张三", "赵六"])
    try:
        old = _migrate(BEFORE)
        Result = old.get_model("exam", "EligibilityResult")
        for application, outcome in zip(made, [YES, NO, CHECK], strict=False):  # the 4th: none
            Result.objects.create(
                application_id=application.pk,
                outcome=outcome,
                computed_outcome=YES,
                results=[],
                rule_set_version=1,
                evaluated_at=timezone.now(),
            )
        _migrate(COPIED)
        assert _copies() == dict(zip([a.pk for a in made], [YES, NO, CHECK, ""], strict=True))
    finally:
        _migrate(_latest())
