"""报考条件 of 卫生专业技术资格考试: every cell of the table at its boundary, the 研究生 reading,
missing facts, relevance, leap days; properties over the evaluator and the rules' JSON."""

import copy
import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exam.eligibility.dates import anniversary
from exam.eligibility.health import Education, HealthFacts, Title, evaluate
from exam.eligibility.health_rules import (
    BASIS_LABELS,
    EDUCATIONS,
    YEAR_BASES,
    default_rules,
    dump,
    parse,
)
from exam.eligibility.outcomes import Outcome

CUTOFF = datetime.date(2026, 12, 31)
RULES = parse(default_rules(2026))
OK, NO, MANUAL = Outcome.ELIGIBLE, Outcome.INELIGIBLE, Outcome.MANUAL
GRADUATED = datetime.date(2010, 6, 30)
TITLE_OF_BASIS = {"assistant_post": "junior_assistant", "practitioner_post": "junior"}


def facts(
    level="3",
    label="本科",
    major_type="medical",
    *,
    work=None,
    titles=(),
    educations=None,
) -> HealthFacts:
    if educations is None:
        educations = (Education(label, major_type, GRADUATED),)
    return HealthFacts(
        level=level,
        educations=tuple(educations),
        work_started_on=work,
        titles=tuple(Title(level_, day) for level_, day in titles),
    )


def years_rule(evaluation):
    return evaluation.results[1]


def started(years: int) -> datetime.date:
    """The latest start that is exactly `years` full years before the cutoff."""
    return anniversary(CUTOFF, -years)


def starting(basis: str, start: datetime.date) -> dict:
    """The facts that put `start` where `basis` reads it."""
    if basis == "work":
        return {"work": start}
    return {"titles": [(TITLE_OF_BASIS[basis], start)]}


# Cells a 中专, 大专 or 本科 record is checked against directly.
YEAR_CELLS = [
    (level, education, cell["basis"], cell["years"])
    for level, row in default_rules(2026)["levels"].items()
    for education, cell in row.items()
    if cell["basis"] in YEAR_BASES and education in ("中专", "大专", "本科")
]


def test_the_table_is_the_issues():
    table = {
        level: {education: (cell["basis"], cell.get("years", 0)) for education, cell in row.items()}
        for level, row in default_rules(2026)["levels"].items()
    }
    work, assistant, practitioner = "work", "assistant_post", "practitioner_post"
    closed = ("closed", 0)
    assert table == {
        "1": {"中专": (work, 1), "大专": (work, 1), "本科": closed, "硕士": closed, "博士": closed},
        "2": {
            "中专": (assistant, 5),
            "大专": (work, 3),
            "本科": (work, 1),
            "硕士": (work, 1),
            "博士": (work, 1),
        },
        "3": {
            "中专": (practitioner, 7),
            "大专": (practitioner, 6),
            "本科": (practitioner, 4),
            "硕士": (practitioner, 2),
            "博士": ("degree", 0),
        },
    }
    for row in default_rules(2026)["levels"].values():
        assert all("卫人发〔2001〕164号" in cell["source"] for cell in row.values())


@pytest.mark.parametrize(("level", "education", "basis", "years"), YEAR_CELLS)
def test_every_cell_at_its_boundary(level, education, basis, years):
    exactly = started(years)
    result = years_rule(
        evaluate(RULES, facts(level, education, **starting(basis, exactly)), CUTOFF)
    )
    assert result.outcome == OK, result.explanation
    assert f"满 {years} 年" in result.explanation
    assert result.explanation.startswith(f"{education}，")
    a_day_less = exactly + datetime.timedelta(days=1)
    result = years_rule(
        evaluate(RULES, facts(level, education, **starting(basis, a_day_less)), CUTOFF)
    )
    assert result.outcome == NO, result.explanation
    assert result.explanation.endswith("（差 1 年）：不符合")


def test_the_explanation_reads_as_the_issue_shows():
    result = years_rule(evaluate(RULES, facts("2", "本科", work=datetime.date(2025, 7, 1)), CUTOFF))
    assert (
        result.explanation == "本科，工作满 1 年（2025-07 至 2026-12-31），初级(师)要求 1 年：符合"
    )
    result = years_rule(evaluate(RULES, facts("2", "大专", work=datetime.date(2024, 7, 1)), CUTOFF))
    assert result.explanation == (
        "大专，工作满 2 年（2024-07 至 2026-12-31），初级(师)要求 3 年（差 1 年）：不符合"
    )
    title = [("junior", datetime.date(2022, 7, 1))]
    result = years_rule(evaluate(RULES, facts("3", "本科", titles=title), CUTOFF))
    assert result.explanation == (
        "本科，任初级（师）职称满 4 年（2022-07 至 2026-12-31），中级要求 4 年：符合"
    )


@pytest.mark.parametrize("education", ["本科", "研究生"])
def test_closed_cells(education):
    result = years_rule(evaluate(RULES, facts("1", education, work=started(10)), CUTOFF))
    assert result.outcome == NO
    assert result.explanation == f"{education}，不能报考初级(士)：不符合"


def test_a_degree_that_suffices_needs_no_years():
    data = default_rules(2026)
    data["levels"]["3"]["本科"] = {"basis": "degree", "source": "省级文件"}
    result = years_rule(evaluate(parse(data), facts("3", "本科"), CUTOFF))
    assert result.outcome == OK
    assert result.explanation == "本科，可直接报考中级，不要求年限：符合"


def test_a_graduate_is_read_as_a_master():
    title = [("junior", started(2))]
    result = years_rule(evaluate(RULES, facts("3", "研究生", titles=title), CUTOFF))
    assert result.outcome == OK
    assert result.explanation.startswith("研究生（按硕士），任初级（师）职称满 2 年")


def test_a_graduate_who_passes_only_as_a_doctor_is_for_the_reviewer():
    title = [("junior", started(2) + datetime.timedelta(days=1))]
    result = years_rule(evaluate(RULES, facts("3", "研究生", titles=title), CUTOFF))
    assert result.outcome == MANUAL
    assert "研究生未区分硕士、博士" in result.explanation
    assert "按博士，可直接报考中级" in result.explanation
    assert "请核实学位" in result.explanation
    # Without a 师 title the 硕士 reading cannot be counted; a 博士 would still pass.
    result = years_rule(evaluate(RULES, facts("3", "研究生"), CUTOFF))
    assert result.outcome == MANUAL
    assert "未填写初级（师）职称的取得时间" in result.explanation


def test_a_graduate_failing_both_readings_is_ineligible():
    # 初级(师): 硕士 and 博士 both ask 1 year of work.
    result = years_rule(
        evaluate(RULES, facts("2", "研究生", work=started(1) + datetime.timedelta(days=1)), CUTOFF)
    )
    assert result.outcome == NO
    assert result.explanation.startswith("研究生，工作满 0 年")
    data = default_rules(2026)
    data["levels"]["2"]["博士"] = {"basis": "work", "years": 2, "source": "测试"}
    result = years_rule(evaluate(parse(data), facts("2", "研究生", work=started(0)), CUTOFF))
    assert result.outcome == NO
    assert "按硕士" in result.explanation and "按博士" in result.explanation


def test_missing_facts_are_for_the_reviewer():
    no_education = evaluate(RULES, facts(educations=()), CUTOFF)
    assert [r.outcome for r in no_education.results] == [MANUAL, MANUAL]
    assert "未填写学历信息" in no_education.results[0].explanation
    assert "未填写学历信息" in no_education.results[1].explanation

    no_work = years_rule(evaluate(RULES, facts("2", "大专"), CUTOFF))
    assert no_work.outcome == MANUAL
    assert no_work.explanation.startswith("大专，未填写参加工作时间")

    no_title = years_rule(evaluate(RULES, facts("2", "中专", work=started(20)), CUTOFF))
    assert no_title.outcome == MANUAL
    assert "未填写初级（士）职称的取得时间" in no_title.explanation
    # A title at another level is not the post the rule counts.
    other = years_rule(
        evaluate(RULES, facts("3", "本科", titles=[("junior_assistant", started(20))]), CUTOFF)
    )
    assert other.outcome == MANUAL

    no_level = years_rule(evaluate(RULES, facts(None), CUTOFF))
    assert no_level.outcome == MANUAL and "未选择申报级别" in no_level.explanation
    data = default_rules(2026)
    del data["levels"]["1"]
    not_in_rules = years_rule(evaluate(parse(data), facts("1", "大专", work=started(3)), CUTOFF))
    assert not_in_rules.outcome == MANUAL and "未规定初级(士)" in not_in_rules.explanation


def test_an_education_the_exam_does_not_name_is_for_the_reviewer():
    result = years_rule(evaluate(RULES, facts("2", ""), CUTOFF))
    assert result.outcome == MANUAL


def test_non_relevant_education_is_ignored():
    educations = [
        Education("研究生", "non_medical", GRADUATED),
        Education("大专", "medical", GRADUATED),
    ]
    passing = evaluate(RULES, facts("2", educations=educations, work=started(3)), CUTOFF)
    assert [r.outcome for r in passing.results] == [OK, OK]
    assert years_rule(passing).explanation.startswith("大专，")
    short = evaluate(RULES, facts("2", educations=educations, work=started(2)), CUTOFF)
    assert years_rule(short).outcome == NO

    only_other = evaluate(RULES, facts("2", "本科", "non_medical", work=started(5)), CUTOFF)
    assert [r.outcome for r in only_other.results] == [NO, NO]
    assert only_other.results[0].explanation == (
        "所填学历均为非医学类专业，报考条件要求医学类或相关医学类专业：不符合"
    )


def test_which_major_types_count_is_data():
    related = facts("2", "本科", "related", work=started(1))
    assert evaluate(RULES, related, CUTOFF).outcome == OK
    data = default_rules(2026)
    data["relevance"]["major_types"] = ["medical"]
    assert evaluate(parse(data), related, CUTOFF).outcome == NO


def test_the_highest_relevant_education_decides():
    # 中专 and 本科 for 初级(士): the 本科 decides, and the level is closed to it.
    both = [Education("中专", "medical", GRADUATED), Education("本科", "medical", GRADUATED)]
    result = years_rule(evaluate(RULES, facts("1", educations=both, work=started(5)), CUTOFF))
    assert result.outcome == NO and result.explanation.startswith("本科，")
    # 中专 and 大专 for 初级(师): the 大专 needs 3 years of work, the 中专 a 士 title.
    lower = [Education("大专", "medical", GRADUATED), Education("中专", "medical", GRADUATED)]
    result = years_rule(evaluate(RULES, facts("2", educations=lower, work=started(3)), CUTOFF))
    assert result.outcome == OK and result.explanation.startswith("大专，")


def test_an_education_after_the_cutoff_is_not_yet_held():
    later = datetime.date(2027, 6, 30)
    educations = [Education("本科", "medical", later), Education("大专", "medical", GRADUATED)]
    result = years_rule(evaluate(RULES, facts("2", educations=educations, work=started(2)), CUTOFF))
    assert result.explanation.startswith("大专，") and result.outcome == NO
    result = years_rule(
        evaluate(RULES, facts("2", educations=educations[:1], work=started(2)), CUTOFF)
    )
    assert result.outcome == NO and "晚于截止日期" in result.explanation


def test_a_leap_day_start():
    leap = datetime.date(2020, 2, 29)
    on_28th = years_rule(evaluate(RULES, facts("2", "大专", work=leap), datetime.date(2023, 2, 28)))
    assert on_28th.outcome == OK
    on_27th = years_rule(evaluate(RULES, facts("2", "大专", work=leap), datetime.date(2023, 2, 27)))
    assert on_27th.outcome == NO


def test_the_earliest_title_at_the_level_counts():
    titles = [("junior", started(1)), ("junior", started(4)), ("intermediate", started(9))]
    result = years_rule(evaluate(RULES, facts("3", "本科", titles=titles), CUTOFF))
    assert result.outcome == OK and "满 4 年" in result.explanation


# Properties.

SEVERITY = {OK: 0, MANUAL: 1, NO: 2}
DAYS = st.dates(min_value=datetime.date(1980, 1, 1), max_value=datetime.date(2027, 12, 31))
LABELS = st.sampled_from(["中专", "大专", "本科", "研究生", ""])
MAJOR_TYPES = st.sampled_from(["medical", "related", "non_medical"])
TITLE_LEVELS = st.sampled_from(["junior_assistant", "junior", "intermediate"])


@st.composite
def any_facts(draw) -> HealthFacts:
    educations = draw(st.lists(st.builds(Education, LABELS, MAJOR_TYPES, DAYS), max_size=3))
    titles = draw(st.lists(st.builds(Title, TITLE_LEVELS, DAYS), max_size=3))
    return HealthFacts(
        level=draw(st.sampled_from(["1", "2", "3", None])),
        educations=tuple(educations),
        work_started_on=draw(st.none() | DAYS),
        titles=tuple(titles),
    )


def earlier(day, by):
    return day - datetime.timedelta(days=by) if day else day


@settings(max_examples=300)
@given(any_facts(), st.integers(min_value=0, max_value=4000))
def test_more_years_never_worsen_the_outcome(base, days):
    more = HealthFacts(
        level=base.level,
        educations=base.educations,
        work_started_on=earlier(base.work_started_on, days),
        titles=tuple(Title(t.level, earlier(t.issued_on, days)) for t in base.titles),
    )
    before, after = evaluate(RULES, base, CUTOFF), evaluate(RULES, more, CUTOFF)
    assert SEVERITY[after.outcome] <= SEVERITY[before.outcome]
    for was, now in zip(before.results, after.results, strict=True):
        assert SEVERITY[now.outcome] <= SEVERITY[was.outcome], (was, now)


@given(st.integers(min_value=2000, max_value=2100))
def test_the_default_rules_round_trip(year):
    assert dump(parse(default_rules(year))) == default_rules(year)


SOURCES = st.text(min_size=1, max_size=12).filter(str.strip)


@st.composite
def any_cell(draw) -> dict:
    basis = draw(st.sampled_from(sorted(BASIS_LABELS)))
    cell: dict = {"basis": basis}
    if basis in YEAR_BASES:
        cell["years"] = draw(st.integers(min_value=1, max_value=60))
    cell["source"] = draw(SOURCES)
    return cell


@st.composite
def any_rules(draw) -> dict:
    levels = draw(st.lists(st.sampled_from(["1", "2", "3"]), min_size=1, max_size=3, unique=True))
    major_types = draw(
        st.lists(MAJOR_TYPES, min_size=1, max_size=3, unique=True),
    )
    return {
        "note": draw(st.text(max_size=10)),
        "relevance": {"major_types": major_types, "source": draw(SOURCES)},
        "levels": {level: {e: draw(any_cell()) for e in EDUCATIONS} for level in levels},
    }


@given(any_rules())
def test_valid_rules_round_trip(data):
    assert dump(parse(data)) == data


def refusal(data) -> str:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        parse(data)
    return " ".join(caught.value.messages)


def with_cell(level, education, cell) -> dict:
    data = copy.deepcopy(default_rules(2026))
    data["levels"][level][education] = cell
    return data


def test_parse_refuses_malformed_rules():
    assert "JSON 对象" in refusal([])
    data = default_rules(2026)
    data["levels"]["4"] = data["levels"]["3"]
    assert "未知的申报级别“4”" in refusal(data)
    message = refusal(with_cell("3", "本科", {"basis": "work", "years": -1, "source": "x"}))
    assert "中级 × 本科：年限应为 1 至 60 的整数，现为 -1" in message
    message = refusal(with_cell("2", "大专", {"basis": "years", "years": 3, "source": "x"}))
    assert "初级(师) × 大专：未知的依据“years”" in message
    message = refusal(with_cell("2", "大专", {"basis": "work", "years": "3", "source": "x"}))
    assert "初级(师) × 大专：年限应为整数" in message
    message = refusal(with_cell("2", "大专", {"basis": "work", "years": True, "source": "x"}))
    assert "年限应为整数" in message
    message = refusal(with_cell("2", "大专", {"basis": "degree", "years": 2, "source": "x"}))
    assert "“学历即可”不设年限" in message
    assert "请注明来源" in refusal(with_cell("1", "中专", {"basis": "work", "years": 1}))
    assert "应为一个对象" in refusal(with_cell("1", "中专", "1 work"))
    data = default_rules(2026)
    del data["levels"]["2"]["博士"]
    assert "初级(师) × 博士：缺少此栏" in refusal(data)
    data = default_rules(2026)
    data["levels"]["2"]["学士"] = data["levels"]["2"]["本科"]
    assert "未知的学历“学士”" in refusal(data)
    data = default_rules(2026)
    data["relevance"]["major_types"] = ["medical", "engineering"]
    assert "未知的专业类型“engineering”" in refusal(data)
    data = default_rules(2026)
    data["levels"] = []
    assert "缺少各申报级别的条件" in refusal(data)
    data = default_rules(2026)
    data["extra"] = 1
    assert "未知的项“extra”" in refusal(data)


def test_parse_lists_every_bad_cell_at_once():
    data = with_cell("3", "本科", {"basis": "work", "years": 0, "source": "x"})
    data["levels"]["1"]["中专"] = {"basis": "nope", "source": "x"}
    message = refusal(data)
    assert "中级 × 本科" in message and "初级(士) × 中专" in message
