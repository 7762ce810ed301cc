"""卫生专业技术资格考试: an application's facts and their pure evaluation against the rules
(health_rules.py reads the rules).

Education. EducationRecord.level is a GB/T 4658 category whose exam_label is 中专, 大专, 本科
or 研究生: there is no 硕士/博士 split. A 研究生 is checked against the 硕士 cell; if that
fails (or cannot be decided) where the 博士 cell would pass, the result is 需人工核实 and says
so: the reviewer reads the degree, we never guess it. "Highest" follows the table's columns
(中专 < 大专 < 本科 < 研究生), among the educations of a relevant 专业类型 obtained by the
截止日期; the highest one alone decides (as the issue's table does: a 本科 holder is not
checked as a 中专 for 初级(士)).

Years are full years (dates.full_years) from 参加工作时间 (SupplementaryInfo) or from the
earliest 取得时间 of a 专技职称 at the post's level, to the 截止日期. A fact the candidate did
not give (no education, no 参加工作时间, no title at the level a post rule needs) is
需人工核实, with a sentence naming it."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from exam.eligibility.dates import full_years, month_label
from exam.eligibility.health_rules import (
    ASSISTANT_POST,
    CLOSED,
    DEGREE,
    LEVEL_NAMES,
    PRACTITIONER_POST,
    WORK,
    HealthRules,
    Requirement,
    default_rules,
    parse,
)
from exam.eligibility.outcomes import Evaluation, Outcome, RuleResult
from exam.eligibility.registry import EligibilityKind, register
from exam.models.materials import (
    EducationRecord,
    MajorType,
    SupplementaryInfo,
    TitleCertificate,
)
from exam.models.projects import ExamKind

GRADUATE = "研究生"
# exam_label → its rank among the table's columns (研究生 ranks as 硕士, its first reading).
EDUCATION_RANK = {"中专": 0, "大专": 1, "本科": 2, GRADUATE: 3}
POST_TITLE_LEVELS = {
    ASSISTANT_POST: TitleCertificate.TitleLevel.JUNIOR_ASSISTANT.value,
    PRACTITIONER_POST: TitleCertificate.TitleLevel.JUNIOR.value,
}
MAJOR_TYPE_LABELS = {choice.value: choice.label for choice in MajorType}

RELEVANCE = ("relevance", "专业类型")
EDUCATION_YEARS = ("education_years", "学历与年限")


@dataclass(frozen=True)
class Education:
    label: str  # exam_label: 中专/大专/本科/研究生, "" for a category the exam does not name
    major_type: str
    graduated_on: datetime.date


@dataclass(frozen=True)
class Title:
    level: str  # TitleCertificate.TitleLevel value
    issued_on: datetime.date


@dataclass(frozen=True)
class HealthFacts:
    """What the rules read of one application. Every education is kept, relevant or not:
    which 专业类型 count is the rules' business, so a rule change re-reads the same facts."""

    level: str | None  # exam.Level code
    educations: tuple[Education, ...] = ()
    work_started_on: datetime.date | None = None
    titles: tuple[Title, ...] = ()


def load_facts(applications: Sequence[Any]) -> dict[int, HealthFacts]:
    """Facts of `applications` (objects with pk and level_id), in three queries however many:
    callers pass chunks (the bench: 2,000)."""
    ids = [a.pk for a in applications]
    educations: dict[int, list[Education]] = {pk: [] for pk in ids}
    # order_by(): the records' default order is not needed, facts are sorted below.
    for app_id, label, major_type, graduated in (
        EducationRecord.objects.filter(application_id__in=ids)
        .order_by()
        .values_list("application_id", "level__exam_label", "major_type", "graduation_date")
    ):
        educations[app_id].append(Education(label or "", major_type, graduated))
    titles: dict[int, list[Title]] = {pk: [] for pk in ids}
    for app_id, level, issued in TitleCertificate.objects.filter(
        application_id__in=ids
    ).values_list("application_id", "title_level", "issued_on"):
        titles[app_id].append(Title(level, issued))
    # One 补充信息 per application; the candidate page reads the first, so do we.
    work_started: dict[int, datetime.date | None] = {}
    for app_id, started in (
        SupplementaryInfo.objects.filter(application_id__in=ids)
        .order_by("-pk")
        .values_list("application_id", "work_started_on")
    ):
        work_started[app_id] = started
    return {
        a.pk: HealthFacts(
            level=a.level_id,
            educations=tuple(sorted(educations[a.pk], key=_education_order)),
            work_started_on=work_started.get(a.pk),
            titles=tuple(sorted(titles[a.pk], key=lambda t: (t.level, t.issued_on))),
        )
        for a in applications
    }


def _education_order(education: Education) -> tuple[int, datetime.date, str]:
    return (EDUCATION_RANK.get(education.label, -1), education.graduated_on, education.major_type)


def _highest(educations: Sequence[Education]) -> Education | None:
    counted = [e for e in educations if e.label in EDUCATION_RANK]
    return max(counted, key=_education_order) if counted else None


def _span(start: datetime.date, cutoff: datetime.date) -> str:
    return f"（{month_label(start)} 至 {cutoff.isoformat()}）"


def _check_cell(
    level_name: str, requirement: Requirement, facts: HealthFacts, cutoff: datetime.date
) -> tuple[Outcome, str]:
    """One cell against the facts: the outcome and its sentence (the caller names the
    education before it)."""
    if requirement.basis == CLOSED:
        return Outcome.INELIGIBLE, f"不能报考{level_name}"
    if requirement.basis == DEGREE:
        return Outcome.ELIGIBLE, f"可直接报考{level_name}，不要求年限"
    if requirement.basis == WORK:
        start = facts.work_started_on
        what = "工作"
        if start is None:
            return Outcome.MANUAL, f"未填写参加工作时间，无法计算{level_name}要求的工作年限"
    else:
        title_level = POST_TITLE_LEVELS[requirement.basis]
        label = TitleCertificate.TitleLevel(title_level).label
        dates = [t.issued_on for t in facts.titles if t.level == title_level]
        what = f"任{label}职称"
        if not dates:
            return (
                Outcome.MANUAL,
                f"未填写{label}职称的取得时间，无法计算{level_name}要求的任职年限",
            )
        start = min(dates)
    years = full_years(start, cutoff)
    counted = f"{what}满 {years} 年{_span(start, cutoff)}，{level_name}要求 {requirement.years} 年"
    if years >= requirement.years:
        return Outcome.ELIGIBLE, counted
    return Outcome.INELIGIBLE, f"{counted}（差 {requirement.years - years} 年）"


def _with_outcome(outcome: Outcome, sentence: str) -> str:
    return f"{sentence}：{outcome.label}"


def _education_years(
    rules: HealthRules, facts: HealthFacts, relevant: Sequence[Education], cutoff
) -> RuleResult:
    code, title = EDUCATION_YEARS
    level_name = LEVEL_NAMES.get(facts.level or "", facts.level or "")
    row = rules.levels.get(facts.level) if facts.level else None
    if facts.level is None:
        return RuleResult(code, title, Outcome.MANUAL, "未选择申报级别，无法核对学历与年限")
    if row is None:
        return RuleResult(
            code, title, Outcome.MANUAL, f"本项目的报考条件未规定{level_name}，请人工核实"
        )
    if not facts.educations:
        return RuleResult(code, title, Outcome.MANUAL, "未填写学历信息，无法核对学历与年限")
    if not relevant:
        return RuleResult(
            code, title, Outcome.INELIGIBLE, f"没有相关专业的学历，不能报考{level_name}"
        )
    # An education graduated after the 截止日期 is not yet held on it.
    held = [e for e in relevant if e.graduated_on <= cutoff]
    if not held:
        return RuleResult(
            code,
            title,
            Outcome.INELIGIBLE,
            f"相关专业学历的毕业时间均晚于截止日期 {cutoff.isoformat()}，不能报考{level_name}",
        )
    highest = _highest(held)
    if highest is None:
        return RuleResult(
            code,
            title,
            Outcome.MANUAL,
            "相关专业的学历不属于中专、大专、本科、研究生，无法对应报考条件，请人工核实",
        )
    if highest.label != GRADUATE:
        outcome, sentence = _check_cell(level_name, row[highest.label], facts, cutoff)
        return RuleResult(
            code, title, outcome, _with_outcome(outcome, f"{highest.label}，{sentence}")
        )
    # 研究生: read as 硕士; where only a 博士 would pass, the degree decides: a reviewer's call.
    master, master_text = _check_cell(level_name, row["硕士"], facts, cutoff)
    if master == Outcome.ELIGIBLE:
        return RuleResult(
            code, title, master, _with_outcome(master, f"研究生（按硕士），{master_text}")
        )
    doctor, doctor_text = _check_cell(level_name, row["博士"], facts, cutoff)
    if doctor == Outcome.INELIGIBLE and master == Outcome.INELIGIBLE:
        if master_text == doctor_text:
            sentence = f"研究生，{master_text}"
        else:
            sentence = f"研究生：按硕士，{master_text}；按博士，{doctor_text}"
        return RuleResult(code, title, master, _with_outcome(master, sentence))
    if doctor == Outcome.ELIGIBLE:
        sentence = (
            f"研究生未区分硕士、博士：按硕士，{master_text}；按博士，{doctor_text}，请核实学位"
        )
    else:
        sentence = f"研究生未区分硕士、博士：按硕士，{master_text}；按博士，{doctor_text}"
    return RuleResult(code, title, Outcome.MANUAL, _with_outcome(Outcome.MANUAL, sentence))


def _relevance(rules: HealthRules, facts: HealthFacts, relevant: Sequence[Education]) -> RuleResult:
    code, title = RELEVANCE
    wanted = "或".join(MAJOR_TYPE_LABELS[t] for t in rules.relevance.major_types)
    if not facts.educations:
        return RuleResult(code, title, Outcome.MANUAL, "未填写学历信息，无法核对专业类型")
    if not relevant:
        given = "、".join(dict.fromkeys(MAJOR_TYPE_LABELS[e.major_type] for e in facts.educations))
        return RuleResult(
            code,
            title,
            Outcome.INELIGIBLE,
            f"所填学历均为{given}专业，报考条件要求{wanted}专业：{Outcome.INELIGIBLE.label}",
        )
    shown = _highest(relevant) or relevant[-1]
    name = shown.label or "学历"
    return RuleResult(
        code,
        title,
        Outcome.ELIGIBLE,
        f"{name}为{MAJOR_TYPE_LABELS[shown.major_type]}专业，报考条件要求{wanted}专业："
        f"{Outcome.ELIGIBLE.label}",
    )


def evaluate(rules: HealthRules, facts: HealthFacts, cutoff: datetime.date) -> Evaluation:
    """The application's result per rule: 专业类型, then 学历与年限. Pure."""
    relevant = [e for e in facts.educations if e.major_type in rules.relevance.major_types]
    return Evaluation(
        (
            _relevance(rules, facts, relevant),
            _education_years(rules, facts, relevant, cutoff),
        )
    )


register(
    ExamKind.HEALTH_QUALIFICATION,
    EligibilityKind(
        parse=parse, load_facts=load_facts, evaluate=evaluate, default_rules=default_rules
    ),
)
