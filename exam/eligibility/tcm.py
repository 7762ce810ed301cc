"""报考条件 of 中医医术确有专长 (ExamKind.TCM_EXPERTISE): the pure evaluation.

The rules and their JSON are in tcm_rules.py, the facts and their loading in tcm_facts.py.
Each enabled rule of the candidate's track gives one result; the other track's rules are
not listed. Years are counted to the 截止日期 (an end date after it counts to it). A fact the
candidate did not give, or a 医师库 field left blank, gives 需人工核实 naming what is
missing."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from exam.eligibility.dates import full_years, month_label
from exam.eligibility.outcomes import Evaluation, Outcome, RuleResult, combine
from exam.eligibility.registry import EligibilityKind, register
from exam.eligibility.tcm_facts import PROJECT_FIELDS, TcmFacts, TeacherFacts, load_facts
from exam.eligibility.tcm_rules import (
    APPRENTICESHIP,
    PRACTICE,
    ApprenticeshipYears,
    PracticeSupervisor,
    PracticeYears,
    RecommenderLoad,
    RecommenderNotSupervisor,
    Recommenders,
    Rule,
    SupervisorApprentices,
    SupervisorQualification,
    TcmRules,
    default_rules,
    parse,
)
from exam.models import ExamKind

ELIGIBLE, INELIGIBLE, MANUAL = Outcome.ELIGIBLE, Outcome.INELIGIBLE, Outcome.MANUAL
Verdict = tuple[Outcome, str]


def _line(outcome: Outcome, text: str) -> Verdict:
    return outcome, f"{text}：{outcome.label}"


def _years_text(what: str, start: datetime.date, end: datetime.date, years: int) -> str:
    return f"{what}满 {years} 年（{month_label(start)} 至 {end.isoformat()}）"


# --- periods --------------------------------------------------------------------------------


def apprenticeship_years(
    rule: ApprenticeshipYears, facts: TcmFacts, cutoff: datetime.date
) -> Verdict:
    start, end = facts.apprenticeship_start, facts.apprenticeship_end
    missing = [
        label
        for label, value in (
            ("跟师学习开始时间", start),
            ("跟师学习结束时间", end),
            ("是否具有出师证书", facts.has_certificate),
        )
        if value is None
    ]
    if missing:
        return _line(MANUAL, f"未填写{'、'.join(missing)}")
    assert start is not None and end is not None
    if end < start:
        return _line(MANUAL, "跟师学习结束时间早于开始时间")
    counted_to = min(end, cutoff)
    years = full_years(start, counted_to)
    if facts.has_certificate:
        needed, prefix = rule.certificate_years, "有出师证书，继续跟师"
    else:
        needed, prefix = rule.years, "师承"
    outcome = ELIGIBLE if years >= needed else INELIGIBLE
    return _line(outcome, f"{_years_text(prefix, start, counted_to, years)}，要求 {needed} 年")


def practice_years(rule: PracticeYears, facts: TcmFacts, cutoff: datetime.date) -> Verdict:
    start = facts.practice_start
    if start is None:
        return _line(MANUAL, "未填写医术实践开始时间")
    if facts.practice_end is None and not facts.practice_ongoing:
        return _line(MANUAL, "医术实践结束时间无法识别")
    if facts.practice_end is not None and facts.practice_end < start:
        return _line(MANUAL, "医术实践结束时间早于开始时间")
    # A start after the 截止日期 is a given fact, not a missing one: 0 years.
    end = cutoff if facts.practice_end is None else min(facts.practice_end, cutoff)
    years = full_years(start, end)
    outcome = ELIGIBLE if years >= rule.years else INELIGIBLE
    return _line(outcome, f"{_years_text('医术实践', start, end, years)}，要求 {rule.years} 年")


def supervisor_needed(facts: TcmFacts) -> bool | None:
    """师承: always; 多年实践: when the practice reaches the project's cut-off (no end date =
    still practising); None when the practice dates do not say."""
    if facts.track == APPRENTICESHIP:
        return True
    if facts.practice_start is None:
        return None
    if facts.practice_end is None:
        return True if facts.practice_ongoing else None
    return facts.practice_end >= facts.supervisor_cutoff


def practice_supervisor(
    rule: PracticeSupervisor, facts: TcmFacts, cutoff: datetime.date
) -> Verdict:
    needed = supervisor_needed(facts)
    day = facts.supervisor_cutoff.isoformat()
    if needed is None:
        return _line(MANUAL, f"医术实践时间不全，无法判断是否在 {day} 及以后，是否需要指导老师")
    if not needed:
        return _line(ELIGIBLE, f"医术实践在 {day} 之前结束，无需指导老师")
    if not facts.supervisors:
        return _line(MANUAL, f"医术实践延续至 {day} 及以后，需指导老师，尚未添加")
    names = "、".join(s.name for s in facts.supervisors)
    return _line(ELIGIBLE, f"医术实践延续至 {day} 及以后，需指导老师，已添加{names}")


# --- the 指导老师 ---------------------------------------------------------------------------


def _no_supervisor(facts: TcmFacts) -> Verdict | None:
    """The verdict of a 指导老师 rule when the application names none."""
    if facts.supervisors:
        return None
    needed = supervisor_needed(facts)
    if needed is False:
        return _line(ELIGIBLE, "无需指导老师")
    if needed is None:
        return _line(MANUAL, "医术实践时间不全，无法判断是否需要指导老师")
    return _line(MANUAL, "尚未添加指导老师")


def _clinical_years(year: int, cutoff: datetime.date) -> tuple[int, int]:
    """Full years of clinical work from a start known only by its year: (fewest, most)."""
    return (
        full_years(datetime.date(year, 12, 31), cutoff),
        full_years(datetime.date(year, 1, 1), cutoff),
    )


def _qualification(
    rule: SupervisorQualification, teacher: TeacherFacts, cutoff: datetime.date
) -> Verdict:
    facts, missing = [], []
    category = teacher.practice_category
    if category:
        facts.append(f"{category}类别")
    else:
        missing.append("执业类别")
    if teacher.title:
        facts.append(teacher.title)
        senior: bool | None = teacher.title in rule.senior_titles
    else:
        missing.append("职称")
        senior = None
    enough: bool | None = None
    if teacher.clinical_start_year is None:
        missing.append("从事临床工作起始年份")
    else:
        fewest, most = _clinical_years(teacher.clinical_start_year, cutoff)
        span = f"{fewest}" if fewest == most else f"{fewest}–{most}"
        facts.append(f"临床工作满 {span} 年（{teacher.clinical_start_year} 年起）")
        if fewest >= rule.clinical_years:
            enough = True
        elif most < rule.clinical_years:
            enough = False
    wrong_category = bool(category) and category != rule.category
    if wrong_category or (senior is False and enough is False):
        outcome = INELIGIBLE
    elif category and (senior or enough):
        outcome = ELIGIBLE
    else:
        outcome = MANUAL
    text = f"指导老师{teacher.name}：{'、'.join(facts) or '医师库无资格信息'}"
    if outcome is MANUAL:
        if missing:
            text += f"，医师库未登记{'、'.join(missing)}"
        elif enough is None and teacher.clinical_start_year is not None:
            text += "，起始年份只有年，无法确定是否已满年限"
    return outcome, text


def supervisor_qualification(
    rule: SupervisorQualification, facts: TcmFacts, cutoff: datetime.date
) -> Verdict:
    none = _no_supervisor(facts)
    if none is not None:
        return none
    verdicts = [_qualification(rule, teacher, cutoff) for teacher in facts.supervisors]
    outcome = combine(v[0] for v in verdicts)
    titles = "/".join(rule.senior_titles)
    wanted = f"要求{rule.category}类别，且临床工作满 {rule.clinical_years} 年或职称为{titles}"
    return _line(outcome, f"{'；'.join(v[1] for v in verdicts)}；{wanted}")


def _places(teachers: tuple[TeacherFacts, ...], limit: int, what: str, role: str) -> Verdict:
    over = [t for t in teachers if t.place > limit]
    shown = over or list(teachers)
    parts = [
        f"{role}{t.name}本项目{what} {t.total} 名（含本申报，按提交先后为第 {t.place} 名）"
        for t in shown
    ]
    outcome = INELIGIBLE if over else ELIGIBLE
    return _line(outcome, f"{'；'.join(parts)}，上限 {limit} 名")


def supervisor_apprentices(
    rule: SupervisorApprentices, facts: TcmFacts, cutoff: datetime.date
) -> Verdict:
    none = _no_supervisor(facts)
    if none is not None:
        return none
    return _places(facts.supervisors, rule.max_apprentices, "带徒", "指导老师")


# --- the 推荐医师 ----------------------------------------------------------------------------


def recommenders(rule: Recommenders, facts: TcmFacts, cutoff: datetime.date) -> Verdict:
    needed = facts.recommenders_required
    named = facts.recommenders
    fitting = [t for t in named if t.practice_category == rule.category]
    unknown = [t for t in named if not t.practice_category]
    other = [t for t in named if t.practice_category and t.practice_category != rule.category]
    wanted = f"要求至少 {needed} 名{rule.category}类别执业医师"
    have = f"推荐医师 {len(named)} 名，其中{rule.category}类别 {len(fitting)} 名"
    if other:
        have += "（" + "、".join(f"{t.name}为{t.practice_category}类别" for t in other) + "）"
    if len(fitting) >= needed:
        return _line(ELIGIBLE, f"{have}，{wanted}")
    if len(fitting) + len(unknown) >= needed:
        names = "、".join(t.name for t in unknown)
        return _line(MANUAL, f"{have}，{names}的执业类别医师库未登记，{wanted}")
    if len(named) < needed:
        return _line(MANUAL, f"{have}，{wanted}，尚未添加齐")
    return _line(INELIGIBLE, f"{have}，{wanted}")


def recommender_not_supervisor(
    rule: RecommenderNotSupervisor, facts: TcmFacts, cutoff: datetime.date
) -> Verdict:
    supervisors = {t.physician_id for t in facts.supervisors}
    both = [t.name for t in facts.recommenders if t.physician_id in supervisors]
    if both:
        return _line(INELIGIBLE, f"{'、'.join(both)}既是指导老师又是推荐医师")
    if not facts.supervisors:
        return _line(ELIGIBLE, "未添加指导老师，推荐医师中没有本人的指导老师")
    return _line(ELIGIBLE, "推荐医师中没有本人的指导老师")


def recommender_load(rule: RecommenderLoad, facts: TcmFacts, cutoff: datetime.date) -> Verdict:
    if not facts.recommenders:
        return _line(MANUAL, "尚未添加推荐医师")
    return _places(facts.recommenders, rule.max_candidates, "推荐考生", "推荐医师")


# --- the evaluation -------------------------------------------------------------------------

CHECKS: dict[type[Rule], Callable[[Any, TcmFacts, datetime.date], Verdict]] = {
    ApprenticeshipYears: apprenticeship_years,
    SupervisorQualification: supervisor_qualification,
    SupervisorApprentices: supervisor_apprentices,
    Recommenders: recommenders,
    RecommenderNotSupervisor: recommender_not_supervisor,
    PracticeYears: practice_years,
    PracticeSupervisor: practice_supervisor,
    RecommenderLoad: recommender_load,
}


def evaluate(rules: TcmRules, facts: TcmFacts, cutoff: datetime.date) -> Evaluation:
    """One result per enabled rule of the candidate's track, in the rule set's order."""
    if facts.track not in (APPRENTICESHIP, PRACTICE):
        outcome, text = _line(MANUAL, "未选择考生类型（师承或多年实践），无法判断报考条件")
        return Evaluation((RuleResult("track", "考生类型", outcome, text),))
    results = []
    for rule in rules.rules:
        if not rule.enabled or facts.track not in rule.tracks:
            continue
        outcome, text = CHECKS[type(rule)](rule, facts, cutoff)
        results.append(RuleResult(rule.code, rule.title, outcome, text))
    return Evaluation(tuple(results))


register(
    ExamKind.TCM_EXPERTISE.value,
    EligibilityKind(
        parse=parse,
        load_facts=load_facts,
        evaluate=evaluate,
        default_rules=default_rules,
        project_fields=PROJECT_FIELDS,
    ),
)
