"""load_facts of 中医医术确有专长: the facts of many applications in a constant number of
queries, and who holds a 指导老师's or 推荐医师's place (submitted ones, in 提交时间 order;
not drafts, withdrawn or refused applications)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exam import services as exam_services
from exam.eligibility.outcomes import Outcome
from exam.eligibility.registry import for_kind
from exam.models import Application, Recommender, Section
from tests.builders import decide, new_application, submitted
from tests.factories import PhysicianFactory

pytestmark = pytest.mark.django_db

R, S = Recommender.Role.RECOMMENDER, Recommender.Role.SUPERVISOR
KIND = for_kind("tcm_expertise")
assert KIND is not None


def name_teachers(application: Application, supervisor, recommenders) -> None:
    """The application's teachers become these registry physicians (replacing any)."""
    Recommender.objects.filter(application=application).delete()
    for role, physician in [(S, supervisor), *((R, p) for p in recommenders)]:
        Recommender.objects.create(
            application=application,
            role=role,
            physician=physician,
            name=physician.name,
            id_number=physician.id_number,
        )


def write_section(application: Application, code: str, **data) -> None:
    Section.objects.filter(application=application, code=code).update(data=data)


@pytest.fixture(name="people")
def people_fixture():
    return {
        "supervisor": PhysicianFactory(
            name="王老师",
            title="主治中医师",
            clinical_start_year=2005,
            practice_category="中医类别",
        ),
        "blank": PhysicianFactory(
            name="赵医生", practice_category="", title="", clinical_start_year=None
        ),
        "recommender": PhysicianFactory(name="张医生"),
    }


def test_places_follow_submission_and_skip_drafts_withdrawn_and_refused(tree, tcm_project, people):
    entry = tree["420102"]
    sup, blank, rec = people["supervisor"], people["blank"], people["recommender"]
    holding = []
    for _ in range(5):
        application = submitted(tcm_project, entry, track="apprenticeship")
        name_teachers(application, sup, [rec, blank])
        holding.append(application)
    withdrawn = submitted(tcm_project, entry, track="apprenticeship")
    name_teachers(withdrawn, sup, [rec, blank])
    exam_services.application_withdraw(actor=withdrawn.candidate.user, application=withdrawn)
    refused = decide(submitted(tcm_project, entry, track="apprenticeship"), "reject")
    name_teachers(refused, sup, [rec, blank])
    draft = new_application(tcm_project, entry, track="apprenticeship")
    name_teachers(draft, sup, [rec, blank])
    write_section(
        draft,
        "apprenticeship",
        started_on="2019-03-01",
        ended_on="2026-12-31",
        has_certificate=False,
    )
    assert refused.status == Application.Status.REJECTED

    applications = Application.objects.filter(project=tcm_project).order_by("id")
    facts = KIND.load_facts(list(applications))

    places = [(facts[a.pk].supervisors[0].place, facts[a.pk].supervisors[0].total) for a in holding]
    assert places == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    for outsider in (withdrawn, refused, draft):  # each would come sixth
        assert (
            facts[outsider.pk].supervisors[0].place,
            facts[outsider.pk].supervisors[0].total,
        ) == (6, 6)

    mine = facts[draft.pk]
    assert (
        mine.track,
        mine.apprenticeship_start,
        mine.apprenticeship_end,
        mine.has_certificate,
    ) == (
        "apprenticeship",
        datetime.date(2019, 3, 1),
        datetime.date(2026, 12, 31),
        False,
    )
    teacher = mine.supervisors[0]
    assert (
        teacher.name,
        teacher.practice_category,
        teacher.title,
        teacher.clinical_start_year,
    ) == (
        "王老师",
        "中医",  # "中医类别" as the rules read it
        "主治中医师",
        2005,
    )
    assert [t.name for t in mine.recommenders] == ["张医生", "赵医生"]
    assert mine.recommenders_required == tcm_project.apprenticeship_recommenders
    assert mine.supervisor_cutoff == tcm_project.practice_supervisor_cutoff

    rules = KIND.parse(KIND.default_rules(2026))
    cutoff = datetime.date(2026, 12, 31)

    def outcome(application, code):
        return {
            r.code: r.outcome for r in KIND.evaluate(rules, facts[application.pk], cutoff).results
        }[code]

    assert outcome(holding[3], "supervisor_apprentices") == Outcome.ELIGIBLE
    assert outcome(holding[4], "supervisor_apprentices") == Outcome.INELIGIBLE
    assert outcome(draft, "apprenticeship_years") == Outcome.ELIGIBLE
    assert (
        outcome(draft, "supervisor_qualification") == Outcome.ELIGIBLE
    )  # 21 years of clinical work
    assert outcome(draft, "recommenders") == Outcome.MANUAL  # 赵医生's category is blank


def test_practice_dates_and_an_ongoing_practice(tree, tcm_project, people):
    application = new_application(tcm_project, tree["420102"], track="practice")
    write_section(application, "practice", started_on="2012-05-01", ended_on="")
    facts = KIND.load_facts([application])[application.pk]
    assert (facts.practice_start, facts.practice_end, facts.practice_ongoing) == (
        datetime.date(2012, 5, 1),
        None,
        True,
    )
    assert facts.supervisors == () and facts.recommenders == ()
    assert facts.recommenders_required == tcm_project.practice_recommenders


def test_the_same_queries_for_one_and_for_twenty_applications(tree, tcm_project, people):
    applications = []
    for n in range(20):
        application = new_application(tcm_project, tree["420102"], track="apprenticeship")
        name_teachers(
            application, people["supervisor"], [people["recommender"], PhysicianFactory()]
        )
        write_section(application, "apprenticeship", started_on=f"20{n + 1:02d}-01-01")
        applications.append(application)
    counts = []
    for batch in (applications[:1], applications):
        with CaptureQueriesContext(connection) as queries:
            facts = KIND.load_facts(batch)
        assert len(facts) == len(batch)
        counts.append(len(queries))
    assert counts == [4, 4]
    assert KIND.load_facts([]) == {}
