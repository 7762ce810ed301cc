"""Changes that alter OTHER applications' 报考条件 re-evaluate them at once, in the same
transaction (exam/eligibility/fact_changes.py): a 中医医术确有专长 application taking, leaving
or moving in its teachers' places (提交, 重新提交, 撤回, 审核不通过, a teacher removed while
退回修改), and a 医师库 import changing what the rules read about a physician."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.jobs.models import Job
from exam import recommender_services
from exam import services as exam_services
from exam.eligibility import fact_changes
from exam.eligibility.job_tasks import eligibility_job_run
from exam.eligibility.outcomes import Outcome
from exam.eligibility.registry import for_kind
from exam.eligibility.services import eligibility_refresh
from exam.models import (
    Application,
    EligibilityResult,
    EligibilityRuleSet,
    ExamProject,
    Recommender,
)
from people.models import Physician
from tests.builders import add_signed_teachers, complete_sections, decide, new_application
from tests.factories import PhysicianFactory
from tests.review.import_helpers import import_file, preview, xlsx_upload
from tests.review.test_imports import PHYSICIAN_HEADERS, PHYSICIANS

pytestmark = pytest.mark.django_db

S = Recommender.Role.SUPERVISOR
ELIGIBLE, INELIGIBLE, MANUAL = Outcome.ELIGIBLE, Outcome.INELIGIBLE, Outcome.MANUAL
JIANGAN = "420102"


@pytest.fixture
def rules(tcm_project) -> EligibilityRuleSet:
    kind = for_kind(tcm_project.kind)
    assert kind is not None
    return EligibilityRuleSet.objects.create(
        project=tcm_project, cutoff_date=datetime.date(2026, 12, 31), rules=kind.default_rules(2026)
    )


def apprentice(project, entry, supervisor: Physician, *, submit: bool = True) -> Application:
    """A 师承 application naming `supervisor` (its 推荐医师 new physicians), submitted."""
    application = new_application(project, entry, track="apprenticeship")
    Section = application.sections.model
    Section.objects.filter(application=application).update(
        data={"filled": True}, status=Section.Status.COMPLETE
    )
    add_signed_teachers(application)
    Recommender.objects.filter(application=application, role=S).update(
        physician=supervisor, name=supervisor.name, id_number=supervisor.id_number
    )
    if submit:
        application = exam_services.application_submit(
            actor=application.candidate.user, application=application
        )
    return application


def apprentices(project, entry, supervisor: Physician, count: int) -> list[Application]:
    return [apprentice(project, entry, supervisor) for _ in range(count)]


def stored(application: Application, code: str) -> Outcome:
    result = EligibilityResult.objects.get(application=application)
    return next(Outcome(r["outcome"]) for r in result.results if r["code"] == code)


def places(applications: list[Application]) -> list[Outcome]:
    return [stored(a, "supervisor_apprentices") for a in applications]


def test_a_withdrawal_gives_the_fifth_apprentice_its_place_at_once(rules, tree, tcm_project):
    teacher = PhysicianFactory()
    five = apprentices(tcm_project, tree[JIANGAN], teacher, 5)
    assert places(five) == [ELIGIBLE] * 4 + [INELIGIBLE]

    exam_services.application_withdraw(actor=five[0].candidate.user, application=five[0])

    assert places(five[1:]) == [ELIGIBLE] * 4
    text = EligibilityResult.objects.get(application=five[4]).results
    assert any("带徒 4 名（含本申报，按提交先后为第 4 名）" in r["explanation"] for r in text)


def test_submitting_a_fifth_tells_the_four_before_it(rules, tree, tcm_project):
    teacher = PhysicianFactory()
    four = apprentices(tcm_project, tree[JIANGAN], teacher, 4)
    fifth = apprentice(tcm_project, tree[JIANGAN], teacher)
    assert places([*four, fifth]) == [ELIGIBLE] * 4 + [INELIGIBLE]
    for application in four:  # the total they are told moved with the fifth
        results = EligibilityResult.objects.get(application=application).results
        assert any("本项目带徒 5 名" in r["explanation"] for r in results)


def test_a_refusal_gives_up_the_place(rules, tree, tcm_project):
    teacher = PhysicianFactory()
    five = apprentices(tcm_project, tree[JIANGAN], teacher, 5)
    decide(five[1], "reject")
    assert places([five[0], *five[2:]]) == [ELIGIBLE] * 4


def test_a_return_keeps_the_place_and_a_resubmission_goes_last(rules, tree, tcm_project):
    teacher = PhysicianFactory()
    five = apprentices(tcm_project, tree[JIANGAN], teacher, 5)
    returned = decide(five[0], "return")
    assert places(five) == [ELIGIBLE] * 4 + [INELIGIBLE]  # 退回修改 still holds its place

    exam_services.application_resubmit(actor=returned.candidate.user, application=returned)

    # A new 提交时间: the first is now the fifth, and the fifth the fourth.
    assert places(five) == [INELIGIBLE] + [ELIGIBLE] * 4


def test_a_returned_application_removing_its_teacher_frees_the_place(rules, tree, tcm_project):
    teacher = PhysicianFactory()
    five = apprentices(tcm_project, tree[JIANGAN], teacher, 5)
    returned = decide(five[0], "return")
    mine = Recommender.objects.get(application=returned, role=S)

    recommender_services.recommender_remove(actor=returned.candidate.user, recommender=mine)

    assert places(five[1:]) == [ELIGIBLE] * 4


def test_a_returned_application_choosing_a_busy_teacher_takes_its_place(rules, tree, tcm_project):
    first = apprentice(tcm_project, tree[JIANGAN], PhysicianFactory())
    busy = PhysicianFactory()
    four = apprentices(tcm_project, tree[JIANGAN], busy, 4)
    returned = decide(first, "return")
    mine = Recommender.objects.get(application=returned, role=S)
    recommender_services.recommender_remove(actor=returned.candidate.user, recommender=mine)

    recommender_services.recommender_add(
        actor=returned.candidate.user,
        application=returned,
        role=S,
        name=busy.name,
        id_number=busy.id_number,
    )

    # Submitted before them, it is the busy teacher's first: the fourth is now the fifth.
    assert places(four) == [ELIGIBLE] * 3 + [INELIGIBLE]


def test_another_teacher_and_another_project_are_left_alone(rules, tree, tcm_project, monkeypatch):
    teacher, other = PhysicianFactory(), PhysicianFactory()
    five = apprentices(tcm_project, tree[JIANGAN], teacher, 5)
    apprentice(tcm_project, tree[JIANGAN], other)
    last_year = ExamProject.objects.get(pk=tcm_project.pk)
    last_year.pk, last_year.year, last_year.name = None, 2025, "2025年中医医术确有专长"
    last_year.save()
    EligibilityRuleSet.objects.create(
        project=last_year, cutoff_date=rules.cutoff_date, rules=rules.rules
    )
    apprentice(last_year, tree[JIANGAN], teacher)
    evaluated: list[int] = []

    def refresh(*, applications):
        evaluated.extend(a.pk for a in applications)
        return eligibility_refresh(applications=applications)

    monkeypatch.setattr(fact_changes, "eligibility_refresh", refresh)
    exam_services.application_withdraw(actor=five[0].candidate.user, application=five[0])

    assert sorted(evaluated) == [a.pk for a in five]  # itself and the four sharing its place
    assert places(five[1:]) == [ELIGIBLE] * 4


def test_the_withdrawal_costs_the_same_queries_for_1_or_10_others(rules, tree, tcm_project):
    few, many = PhysicianFactory(), PhysicianFactory()
    one_other = apprentices(tcm_project, tree[JIANGAN], few, 2)
    ten_others = apprentices(tcm_project, tree[JIANGAN], many, 11)

    def queries(application: Application) -> int:
        with CaptureQueriesContext(connection) as ctx:
            exam_services.application_withdraw(
                actor=application.candidate.user, application=application
            )
        return len(ctx.captured_queries)

    assert queries(one_other[0]) == queries(ten_others[0])
    # and the ten were written: the fifth of eleven moved up to fourth
    assert places(ten_others[1:]) == [ELIGIBLE] * 4 + [INELIGIBLE] * 6


def test_a_health_withdrawal_evaluates_nothing(tree, health_project):
    application = new_application(health_project, tree["U420102001"])
    complete_sections(application)
    application = exam_services.application_submit(
        actor=application.candidate.user, application=application
    )
    assert fact_changes.applications_sharing_places(application=application) == []
    counts = fact_changes.eligibility_refresh_places(application=application)
    assert counts == fact_changes.RefreshCounts()


# --- the 医师库 ------------------------------------------------------------------------------


def registry_row(physician: Physician, **changes) -> list:
    values = {
        "姓名": physician.name,
        "身份证号码": physician.id_number,
        "执业机构": physician.institution_name,
        "手机号码": physician.phone,
        "医师资格证书编号": physician.qualification_no,
        "执业证书编号": physician.license_no,
        "执业类别": physician.practice_category,
        "执业范围": physician.practice_scope,
        "职称": physician.title,
        "从事临床工作起始年份": physician.clinical_start_year or "",
        "推荐医师": "是" if physician.is_recommender else "否",
        "指导老师": "是" if physician.is_supervisor else "否",
        **changes,
    }
    return [values[h] for h in PHYSICIAN_HEADERS]


@pytest.fixture
def province(client, reviewers):
    client.force_login(reviewers["province"])
    return reviewers["province"]


@pytest.fixture
def teachers():
    return {
        "junior": PhysicianFactory(title="主治中医师", clinical_start_year=2015),  # 11 years
        "unknown": PhysicianFactory(title="", clinical_start_year=None),
    }


def qualification(application: Application) -> Outcome:
    return stored(application, "supervisor_qualification")


def test_an_import_raising_the_title_makes_the_supervisor_qualified(
    rules, tree, tcm_project, client, province, teachers
):
    junior = apprentice(tcm_project, tree[JIANGAN], teachers["junior"])
    unknown = apprentice(tcm_project, tree[JIANGAN], teachers["unknown"])
    assert (qualification(junior), qualification(unknown)) == (INELIGIBLE, MANUAL)
    rows = [
        PHYSICIAN_HEADERS,
        registry_row(teachers["junior"], 职称="副主任医师"),
        registry_row(teachers["unknown"], 职称="副主任医师"),
    ]

    result = preview(client, PHYSICIANS, xlsx_upload(rows))
    assert result.problems == []
    assert (qualification(junior), qualification(unknown)) == (INELIGIBLE, MANUAL)  # a preview
    import_file(client, PHYSICIANS, xlsx_upload(rows))

    assert (qualification(junior), qualification(unknown)) == (ELIGIBLE, ELIGIBLE)
    assert not Job.objects.filter(kind=Job.Kind.ELIGIBILITY).exists()


def test_an_import_changing_nothing_the_rules_read_evaluates_nothing(
    rules, tree, tcm_project, client, province, teachers, monkeypatch
):
    apprentice(tcm_project, tree[JIANGAN], teachers["junior"])
    told = []
    monkeypatch.setattr(
        fact_changes, "eligibility_refresh_physicians", lambda **kwargs: told.append(kwargs)
    )
    rows = [PHYSICIAN_HEADERS, registry_row(teachers["junior"], 手机号码="13900001111")]
    import_file(client, PHYSICIANS, xlsx_upload(rows))
    assert Physician.objects.get(pk=teachers["junior"].pk).phone == "13900001111"
    assert told == []

    rows = [PHYSICIAN_HEADERS, registry_row(teachers["junior"], 从事临床工作起始年份=1990)]
    import_file(client, PHYSICIANS, xlsx_upload(rows))
    assert told == [{"actor": province, "physician_ids": frozenset({teachers["junior"].pk})}]


def test_beyond_the_limit_the_import_starts_each_projects_job(
    rules, tree, tcm_project, client, province, teachers, monkeypatch
):
    monkeypatch.setattr(fact_changes, "PHYSICIAN_REFRESH_LIMIT", 1)
    two = apprentices(tcm_project, tree[JIANGAN], teachers["junior"], 2)
    rows = [PHYSICIAN_HEADERS, registry_row(teachers["junior"], 职称="主任中医师")]

    import_file(client, PHYSICIANS, xlsx_upload(rows))

    job = Job.objects.get(kind=Job.Kind.ELIGIBILITY)
    assert (job.owner, job.params["project"]) == (province, tcm_project.pk)
    assert [qualification(a) for a in two] == [INELIGIBLE] * 2  # until the job runs
    eligibility_job_run(job.pk)
    assert [qualification(a) for a in two] == [ELIGIBLE] * 2


def test_the_physicians_refresh_costs_the_same_queries_for_1_or_10(
    rules, tree, tcm_project, teachers
):
    one = apprentices(tcm_project, tree[JIANGAN], teachers["junior"], 1)
    ten = apprentices(tcm_project, tree[JIANGAN], teachers["unknown"], 10)
    Physician.objects.filter(pk__in=[t.pk for t in teachers.values()]).update(title="主任医师")

    def queries(physician: Physician) -> int:
        with CaptureQueriesContext(connection) as ctx:
            fact_changes.eligibility_refresh_physicians(actor=None, physician_ids={physician.pk})
        return len(ctx.captured_queries)

    assert queries(teachers["junior"]) == queries(teachers["unknown"])
    assert [qualification(a) for a in [*one, *ten]] == [ELIGIBLE] * 11
