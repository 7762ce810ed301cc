"""报考条件 of 中医医术确有专长: each rule at its boundaries, missing facts, the rules JSON.

Pure: the facts are built here, no database (load_facts has its own test in
test_eligibility_tcm_facts.py)."""

from __future__ import annotations

import copy
import dataclasses
import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given
from hypothesis import strategies as st

from exam.eligibility.outcomes import Outcome
from exam.eligibility.registry import for_kind
from exam.eligibility.tcm import evaluate
from exam.eligibility.tcm_facts import TcmFacts, TeacherFacts
from exam.eligibility.tcm_rules import default_rules, dump, parse

D = datetime.date
CUTOFF = D(2026, 12, 31)
RULES = parse(default_rules(2026))
ELIGIBLE, INELIGIBLE, MANUAL = Outcome.ELIGIBLE, Outcome.INELIGIBLE, Outcome.MANUAL
WORSE = {ELIGIBLE: 0, MANUAL: 1, INELIGIBLE: 2}


def teacher(pid: int, name: str = "", **changes) -> TeacherFacts:
    values = {
        "physician_id": pid,
        "name": name or f"医师{pid}",
        "practice_category": "中医",
        "title": "副主任中医师",
        "clinical_start_year": 2000,
        "total": 1,
        "place": 1,
    }
    return TeacherFacts(**{**values, **changes})


def facts(**changes) -> TcmFacts:
    values = {
        "application_id": 1,
        "track": "apprenticeship",
        "apprenticeship_start": D(2019, 3, 1),
        "apprenticeship_end": D(2027, 2, 28),
        "has_certificate": False,
        "practice_start": None,
        "practice_end": None,
        "practice_ongoing": True,
        "supervisors": (teacher(100, "王老师"),),
        "recommenders": (teacher(1, "张医生"), teacher(2, "李医生")),
        "recommenders_required": 2,
        "supervisor_cutoff": D(2017, 7, 1),
    }
    return TcmFacts(**{**values, **changes})


def practice(**changes) -> TcmFacts:
    values = {
        "track": "practice",
        "apprenticeship_start": None,
        "apprenticeship_end": None,
        "has_certificate": None,
        "practice_start": D(2010, 5, 1),
        "practice_end": None,
        "practice_ongoing": True,
    }
    return facts(**{**values, **changes})


def result(code: str, f: TcmFacts, cutoff: datetime.date = CUTOFF, rules=RULES):
    found = {r.code: r for r in evaluate(rules, f, cutoff).results}
    return found[code]


def with_rule(code: str, **params):
    data = default_rules(2026)
    for item in data["rules"]:
        if item["code"] == code:
            item.update(params)
    return parse(data)


# --- 师承年限 -------------------------------------------------------------------------------


def test_the_example_explanation():
    r = result("apprenticeship_years", facts())
    assert (r.outcome, r.explanation) == (
        ELIGIBLE,
        "师承满 7 年（2019-03 至 2026-12-31），要求 5 年：符合",
    )
    assert r.title == "师承年限"


@pytest.mark.parametrize(
    ("start", "cutoff", "outcome"),
    [
        (D(2021, 12, 31), CUTOFF, ELIGIBLE),  # exactly five years
        (D(2022, 1, 1), CUTOFF, INELIGIBLE),  # a day less
        (D(2020, 2, 29), D(2025, 2, 28), ELIGIBLE),  # leap day: its anniversary is 28 Feb
        (D(2020, 2, 29), D(2025, 2, 27), INELIGIBLE),
    ],
)
def test_apprenticeship_five_years_boundary(start, cutoff, outcome):
    f = facts(apprenticeship_start=start, apprenticeship_end=D(2030, 1, 1))
    assert result("apprenticeship_years", f, cutoff).outcome == outcome


def test_apprenticeship_end_before_the_cutoff_counts_to_the_end():
    f = facts(apprenticeship_start=D(2020, 7, 1), apprenticeship_end=D(2025, 6, 30))
    r = result("apprenticeship_years", f)
    assert r.outcome == INELIGIBLE
    assert r.explanation == "师承满 4 年（2020-07 至 2025-06-30），要求 5 年：不符合"


@pytest.mark.parametrize(
    ("start", "outcome"), [(D(2024, 12, 31), ELIGIBLE), (D(2025, 1, 1), INELIGIBLE)]
)
def test_certificate_plus_two_years(start, outcome):
    f = facts(has_certificate=True, apprenticeship_start=start)
    r = result("apprenticeship_years", f)
    assert r.outcome == outcome
    assert r.explanation.startswith("有出师证书，继续跟师满")
    assert "要求 2 年" in r.explanation


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        ({"apprenticeship_start": None}, "跟师学习开始时间"),
        ({"apprenticeship_end": None}, "跟师学习结束时间"),
        ({"has_certificate": None}, "是否具有出师证书"),
    ],
)
def test_apprenticeship_facts_not_given_are_manual(changes, missing):
    r = result("apprenticeship_years", facts(**changes))
    assert r.outcome == MANUAL and missing in r.explanation
    assert r.explanation.endswith("：需人工核实")


# --- 指导老师资格 ------------------------------------------------------------------------------


def supervisor_result(cutoff=CUTOFF, **changes):
    return result(
        "supervisor_qualification", facts(supervisors=(teacher(100, "王老师", **changes),)), cutoff
    )


@pytest.mark.parametrize(
    ("year", "outcome"),
    [(2011, ELIGIBLE), (2012, INELIGIBLE)],  # 15 full years to 2026-12-31, then 14
)
def test_fifteen_years_of_clinical_work(year, outcome):
    r = supervisor_result(title="主治中医师", clinical_start_year=year)
    assert r.outcome == outcome


def test_a_year_only_start_is_manual_when_the_month_would_decide():
    # Started in 2011: by 2026-06-30 that is 14 or 15 full years, depending on the month.
    r = supervisor_result(D(2026, 6, 30), title="主治中医师", clinical_start_year=2011)
    assert r.outcome == MANUAL and "14–15" in r.explanation


def test_a_senior_title_suffices_without_the_years():
    r = supervisor_result(title="副主任医师", clinical_start_year=2020)
    assert r.outcome == ELIGIBLE
    assert r.explanation.startswith("指导老师王老师：中医类别、副主任医师、临床工作满 6 年")


@pytest.mark.parametrize(
    ("changes", "outcome", "words"),
    [
        ({"practice_category": "临床"}, INELIGIBLE, "临床类别"),
        ({"practice_category": ""}, MANUAL, "医师库未登记执业类别"),
        ({"title": "", "clinical_start_year": None}, MANUAL, "职称、从事临床工作起始年份"),
        ({"title": "主治中医师", "clinical_start_year": None}, MANUAL, "从事临床工作起始年份"),
        ({"title": "", "clinical_start_year": 2020}, MANUAL, "医师库未登记职称"),
        # both ways to qualify fail: the category does not matter any more
        (
            {"practice_category": "", "title": "主治中医师", "clinical_start_year": 2020},
            INELIGIBLE,
            "",
        ),
    ],
)
def test_supervisor_registry_facts(changes, outcome, words):
    r = supervisor_result(**changes)
    assert r.outcome == outcome and words in r.explanation


def test_no_supervisor_yet_is_manual():
    r = result("supervisor_qualification", facts(supervisors=()))
    assert (r.outcome, r.explanation) == (MANUAL, "尚未添加指导老师：需人工核实")


# --- 带徒人数 / 推荐人数 ------------------------------------------------------------------------


@pytest.mark.parametrize(("place", "outcome"), [(4, ELIGIBLE), (5, INELIGIBLE)])
def test_at_most_four_apprentices(place, outcome):
    f = facts(supervisors=(teacher(100, "王老师", total=5, place=place),))
    r = result("supervisor_apprentices", f)
    assert r.outcome == outcome
    assert f"王老师本项目带徒 5 名（含本申报，按提交先后为第 {place} 名）" in r.explanation


@pytest.mark.parametrize("limit", [1, 2, 4])
def test_a_recommender_recommends_at_most_n(limit):
    rules = with_rule("recommender_load", max_candidates=limit)
    within = facts(recommenders=(teacher(1, total=limit, place=limit), teacher(2)))
    over = facts(recommenders=(teacher(1, total=limit + 1, place=limit + 1), teacher(2)))
    assert result("recommender_load", within, rules=rules).outcome == ELIGIBLE
    r = result("recommender_load", over, rules=rules)
    assert r.outcome == INELIGIBLE and f"上限 {limit} 名" in r.explanation


# --- 推荐医师 ------------------------------------------------------------------------------------


def test_the_supervisor_may_not_recommend():
    f = facts(recommenders=(teacher(1), teacher(100, "王老师")))
    r = result("recommender_not_supervisor", f)
    assert (r.outcome, r.explanation) == (INELIGIBLE, "王老师既是指导老师又是推荐医师：不符合")
    assert result("recommender_not_supervisor", facts()).outcome == ELIGIBLE


@pytest.mark.parametrize(
    ("recommenders", "required", "outcome"),
    [
        ((teacher(1), teacher(2)), 2, ELIGIBLE),
        ((teacher(1), teacher(2)), 3, MANUAL),  # the project asks for three: one still to add
        ((teacher(1),), 2, MANUAL),
        ((teacher(1), teacher(2, practice_category="")), 2, MANUAL),
        ((teacher(1), teacher(2, practice_category="临床")), 2, INELIGIBLE),
    ],
)
def test_recommenders_count_and_category(recommenders, required, outcome):
    f = facts(recommenders=recommenders, recommenders_required=required)
    assert result("recommenders", f).outcome == outcome


# --- 多年实践 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "outcome"), [(D(2021, 12, 31), ELIGIBLE), (D(2022, 1, 1), INELIGIBLE)]
)
def test_practice_five_years(start, outcome):
    r = result("practice_years", practice(practice_start=start))
    assert r.outcome == outcome


@pytest.mark.parametrize(
    ("end", "needed"),
    [(D(2017, 6, 30), False), (D(2017, 7, 1), True), (None, True)],  # None: still practising
)
def test_the_2017_07_01_cutoff_on_both_sides(end, needed):
    f = practice(practice_start=D(2009, 1, 1), practice_end=end, practice_ongoing=end is None)
    without = result("practice_supervisor", dataclasses.replace(f, supervisors=()))
    assert without.outcome == (MANUAL if needed else ELIGIBLE)
    assert result("practice_supervisor", f).outcome == ELIGIBLE
    qualification = result("supervisor_qualification", dataclasses.replace(f, supervisors=()))
    assert qualification.outcome == (MANUAL if needed else ELIGIBLE)


def test_practice_facts_not_given_are_manual():
    f = practice(practice_start=None)
    assert result("practice_years", f).outcome == MANUAL
    assert result("practice_supervisor", f).outcome == MANUAL
    unreadable = practice(practice_end=None, practice_ongoing=False)
    assert result("practice_years", unreadable).outcome == MANUAL


# --- the evaluation as a whole ----------------------------------------------------------------


def test_each_track_gets_its_own_rules_in_order():
    codes = [r.code for r in evaluate(RULES, facts(), CUTOFF).results]
    assert codes == [
        "apprenticeship_years",
        "supervisor_qualification",
        "supervisor_apprentices",
        "recommenders",
        "recommender_not_supervisor",
        "recommender_load",
    ]
    codes = [r.code for r in evaluate(RULES, practice(), CUTOFF).results]
    assert "apprenticeship_years" not in codes and "practice_years" in codes
    assert evaluate(RULES, facts(), CUTOFF).outcome == ELIGIBLE


def test_a_disabled_rule_gives_no_result_and_no_track_is_manual():
    rules = with_rule("recommender_load", enabled=False)
    assert "recommender_load" not in [r.code for r in evaluate(rules, facts(), CUTOFF).results]
    evaluation = evaluate(RULES, facts(track=""), CUTOFF)
    assert [r.code for r in evaluation.results] == ["track"]
    assert evaluation.outcome == MANUAL


def test_registered_for_the_tcm_kind():
    kind = for_kind("tcm_expertise")
    assert kind is not None and kind.evaluate is evaluate
    assert kind.default_rules(2026) == default_rules(2026)


@given(
    start=st.dates(D(1990, 1, 1), D(2026, 12, 31)),
    earlier=st.integers(0, 4000),
    certificate=st.booleans(),
    cutoff=st.dates(D(2020, 1, 1), D(2030, 12, 31)),
)
# a start after the 截止日期 is 0 years (不符合), not a missing fact
@example(start=D(2021, 1, 1), earlier=1, certificate=False, cutoff=D(2020, 12, 31))
def test_more_years_never_worsen_the_outcome(start, earlier, certificate, cutoff):
    longer = start - datetime.timedelta(days=earlier)
    for make in (
        lambda s: facts(apprenticeship_start=s, has_certificate=certificate),
        lambda s: practice(practice_start=s),
    ):
        before = evaluate(RULES, make(start), cutoff).outcome
        after = evaluate(RULES, make(longer), cutoff).outcome
        assert WORSE[after] <= WORSE[before]


@given(
    year=st.integers(1950, 2026),
    earlier=st.integers(0, 30),
    title=st.sampled_from(["", "主治中医师", "主任中医师"]),
)
def test_more_clinical_years_never_worsen_the_supervisor(year, earlier, title):
    before = supervisor_result(D(2026, 6, 30), title=title, clinical_start_year=year).outcome
    after = supervisor_result(
        D(2026, 6, 30), title=title, clinical_start_year=year - earlier
    ).outcome
    assert WORSE[after] <= WORSE[before]


# --- the rules JSON ------------------------------------------------------------------------------


@given(st.integers(2000, 2100))
def test_default_rules_round_trip(year):
    data = default_rules(year)
    assert dump(parse(data)) == data
    assert parse(json.loads(json.dumps(data))) == parse(data)
    assert all(item["source"] for item in data["rules"])


def broken(change) -> dict:
    data = copy.deepcopy(default_rules(2026))
    change(data)
    return data


def rule_item(data: dict, code: str) -> dict:
    return next(item for item in data["rules"] if item["code"] == code)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "报考条件规则应为一个 JSON 对象。"),
        ({"kind": "tcm_expertise"}, "缺少规则列表（rules），或它不是列表。"),
        (broken(lambda d: d.update(kind="health_qualification")), "不是中医医术确有专长的规则"),
        (broken(lambda d: d.update(extra=1)), "报考条件规则含有不认识的键“extra”。"),
        (broken(lambda d: d["rules"].append({"code": "nope"})), "规则代码“nope”不存在"),
        (broken(lambda d: d["rules"].append("x")), "第 9 条规则应为一个对象"),
        (broken(lambda d: d["rules"].pop(0)), "缺少规则“师承年限”（apprenticeship_years）"),
        (
            broken(lambda d: d["rules"].append(d["rules"][0])),
            "规则“师承年限”（apprenticeship_years）出现了 2 次",
        ),
        (
            broken(lambda d: rule_item(d, "apprenticeship_years").update(years=True)),
            "第 1 条规则（师承年限）的“年限”（years）应为 1 至 50 之间的整数，当前为“True”。",
        ),
        (
            broken(lambda d: rule_item(d, "practice_years").update(years=-1)),
            "应为 1 至 50 之间的整数",
        ),
        (
            broken(lambda d: rule_item(d, "recommender_load").update(max_candidates="4")),
            "“推荐人数上限”",
        ),
        (broken(lambda d: rule_item(d, "recommenders").update(source=" ")), "缺少依据（source）"),
        (
            broken(lambda d: rule_item(d, "recommenders").update(enabled="是")),
            "“enabled”应为 true 或 false",
        ),
        (broken(lambda d: rule_item(d, "recommenders").update(limit=3)), "含有不认识的键“limit”"),
        (
            broken(lambda d: rule_item(d, "supervisor_qualification").update(senior_titles=[])),
            "应为非空的职称列表",
        ),
        (
            broken(lambda d: rule_item(d, "supervisor_qualification").update(category="")),
            "“执业类别”（category）不能为空",
        ),
    ],
)
def test_malformed_rules_are_refused_in_chinese(data, message):
    with pytest.raises(ValidationError) as caught:
        parse(data)
    assert any(message in m for m in caught.value.messages), caught.value.messages
