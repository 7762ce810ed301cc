"""卫生专业技术资格考试's eligibility rules as data: the JSON a rule set holds, read into frozen
dataclasses (and refused, in Chinese, when malformed), and the rules a new project starts with.

The JSON:

    {
      "note": "2026年度 …",                          # free text for the staff who edit it
      "relevance": {"major_types": ["medical", "related"], "source": "…"},
      "levels": {                                    # exam.Level codes: 1 初级(士), 2 初级(师), 3 中级
        "3": {
          "中专": {"basis": "practitioner_post", "years": 7, "source": "…"},
          "博士": {"basis": "degree", "source": "…"},
          …                                          # every one of EDUCATIONS
        },
        …
      }
    }

A cell's basis: "work" (years from 参加工作时间), "assistant_post" / "practitioner_post"
(years holding a 初级（士） / 初级（师） 专技职称, from its 取得时间), "degree" (the education
suffices) or "closed" (the level is not open to that education). Levels absent from the JSON
are not open to anyone (an application at one is 需人工核实: the rules say nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from exam.models.materials import MajorType
from exam.reference_data import LEVELS

LEVEL_NAMES: dict[str, str] = {code: name for code, name, _ in LEVELS}

# The table's columns, lowest first: this order is what "highest" means.
EDUCATIONS: tuple[str, ...] = ("中专", "大专", "本科", "硕士", "博士")

WORK = "work"
ASSISTANT_POST = "assistant_post"
PRACTITIONER_POST = "practitioner_post"
DEGREE = "degree"
CLOSED = "closed"
BASIS_LABELS: dict[str, str] = {
    WORK: "从事本专业工作",
    ASSISTANT_POST: "任初级（士）职称",
    PRACTITIONER_POST: "任初级（师）职称",
    DEGREE: "学历即可",
    CLOSED: "不可报考",
}
YEAR_BASES = frozenset({WORK, ASSISTANT_POST, PRACTITIONER_POST})
MAX_YEARS = 60


@dataclass(frozen=True)
class Requirement:
    """One cell of the table: what a level asks of one education."""

    basis: str
    years: int  # 0 for "degree" and "closed"
    source: str


@dataclass(frozen=True)
class Relevance:
    """Which 专业类型 (exam.MajorType values) count as an education in the specialty."""

    major_types: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class HealthRules:
    relevance: Relevance
    # level code → education (one of EDUCATIONS) → requirement
    levels: dict[str, dict[str, Requirement]]
    note: str = ""


def _cell_name(level: str, education: str) -> str:
    return f"{LEVEL_NAMES.get(level, level)} × {education}"


def _parse_requirement(where: str, cell: Any, errors: list[str]) -> Requirement | None:
    if not isinstance(cell, dict):
        errors.append(f"{where}：应为一个对象（含 basis、years、source）。")
        return None
    unknown = sorted(set(cell) - {"basis", "years", "source"})
    if unknown:
        errors.append(f"{where}：未知的项“{'、'.join(unknown)}”。")
    basis = cell.get("basis")
    if basis not in BASIS_LABELS:
        choices = "、".join(f"{code}（{label}）" for code, label in BASIS_LABELS.items())
        errors.append(f"{where}：未知的依据“{basis}”，应为 {choices} 之一。")
        return None
    years = cell.get("years", 0)
    # bool is an int in Python; true/false is never a number of years.
    if not isinstance(years, int) or isinstance(years, bool):
        errors.append(f"{where}：年限应为整数，现为“{years}”。")
        return None
    if basis in YEAR_BASES and not 1 <= years <= MAX_YEARS:
        errors.append(
            f"{where}：年限应为 1 至 {MAX_YEARS} 的整数，现为 {years}"
            "（不要求年限请用 degree：学历即可）。"
        )
        return None
    if basis not in YEAR_BASES and years != 0:
        errors.append(f"{where}：“{BASIS_LABELS[basis]}”不设年限，现为 {years}。")
        return None
    source = cell.get("source")
    if not isinstance(source, str) or not source.strip():
        errors.append(f"{where}：请注明来源（source，文件名称及文号）。")
        return None
    return Requirement(basis=basis, years=years, source=source)


def _parse_relevance(data: Any, errors: list[str]) -> Relevance | None:
    if not isinstance(data, dict):
        errors.append("相关专业（relevance）应为一个对象（含 major_types、source）。")
        return None
    unknown = sorted(set(data) - {"major_types", "source"})
    if unknown:
        errors.append(f"相关专业：未知的项“{'、'.join(unknown)}”。")
    types = data.get("major_types")
    known = {choice.value: choice.label for choice in MajorType}
    if not isinstance(types, list) or not types:
        errors.append('相关专业：major_types 应为非空列表，如 ["medical", "related"]。')
        return None
    bad = [str(t) for t in types if not isinstance(t, str) or t not in known]
    if bad:
        choices = "、".join(f"{code}（{label}）" for code, label in known.items())
        errors.append(f"相关专业：未知的专业类型“{'、'.join(bad)}”，应为 {choices}。")
        return None
    if len(set(types)) != len(types):
        errors.append("相关专业：专业类型重复。")
        return None
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        errors.append("相关专业：请注明来源（source，文件名称及文号）。")
        return None
    return Relevance(major_types=tuple(types), source=source)


def parse(data: Any) -> HealthRules:
    """The rules in `data` (a rule set's JSON), or ValidationError listing every bad cell."""
    if not isinstance(data, dict):
        raise ValidationError("报考条件规则应为一个 JSON 对象。")
    errors: list[str] = []
    unknown = sorted(set(data) - {"note", "relevance", "levels"})
    if unknown:
        errors.append(f"规则中有未知的项“{'、'.join(unknown)}”（应为 note、relevance、levels）。")
    note = data.get("note", "")
    if not isinstance(note, str):
        errors.append("说明（note）应为文字。")
    relevance = _parse_relevance(data.get("relevance"), errors)
    levels_data = data.get("levels")
    levels: dict[str, dict[str, Requirement]] = {}
    if not isinstance(levels_data, dict) or not levels_data:
        errors.append("规则缺少各申报级别的条件（levels）。")
        levels_data = {}
    for level, cells in levels_data.items():
        if level not in LEVEL_NAMES:
            choices = "、".join(f"{code} {name}" for code, name in LEVEL_NAMES.items())
            errors.append(f"未知的申报级别“{level}”，应为 {choices}。")
            continue
        if not isinstance(cells, dict):
            errors.append(
                f"{LEVEL_NAMES[level]}：应为各学历的条件（中专、大专、本科、硕士、博士）。"
            )
            continue
        extra = [str(e) for e in cells if e not in EDUCATIONS]
        if extra:
            errors.append(
                f"{LEVEL_NAMES[level]}：未知的学历“{'、'.join(extra)}”，"
                f"应为 {'、'.join(EDUCATIONS)}。"
            )
        row: dict[str, Requirement] = {}
        for education in EDUCATIONS:
            where = _cell_name(level, education)
            if education not in cells:
                errors.append(f"{where}：缺少此栏（不可报考请写 basis: closed）。")
                continue
            requirement = _parse_requirement(where, cells[education], errors)
            if requirement is not None:
                row[education] = requirement
        levels[level] = row
    if errors:
        raise ValidationError(errors)
    assert relevance is not None and isinstance(note, str)
    return HealthRules(relevance=relevance, levels=levels, note=note)


def dump(rules: HealthRules) -> dict[str, Any]:
    """The JSON of `rules` (parse(dump(r)) == r)."""

    def cell(requirement: Requirement) -> dict[str, Any]:
        data: dict[str, Any] = {"basis": requirement.basis}
        if requirement.basis in YEAR_BASES:
            data["years"] = requirement.years
        data["source"] = requirement.source
        return data

    return {
        "note": rules.note,
        "relevance": {
            "major_types": list(rules.relevance.major_types),
            "source": rules.relevance.source,
        },
        "levels": {
            level: {education: cell(row[education]) for education in EDUCATIONS}
            for level, row in rules.levels.items()
        },
    }


# Sources. What is certain: 卫人发〔2001〕164号 issued 《预防医学、全科医学、药学、护理、其他
# 卫生技术等专业技术资格考试暂行规定》 (临床医学 has its own: 卫人发〔2000〕462号); its 第十条
# asks 中专 or above of every 初级 candidate and its 第十一条 sets the 中级 conditions exactly as
# the 中级 row below (中专 7 years holding a 师 post, 大专 6, 本科 4, 硕士学位 2, 博士学位 none).
# The 士/师 split of 初级 (士: 中专 or 大专 + 1 year of work; 师: 中专 5 years as 士, 大专 3 years,
# 本科 or 硕士 1 year) is the wording of the national 报名条件 republished with each year's
# 考务 notice; it is not in the 暂行规定 itself, and we have not checked it against the 实施办法's
# text. A 博士 is not named for 初级(师); the issue treats it as a 硕士 (1 year).
_REGULATION = (
    "卫人发〔2001〕164号《预防医学、全科医学、药学、护理、其他卫生技术等专业技术资格考试暂行规定》"
)
_INTERMEDIATE = f"{_REGULATION}第十一条"
_JUNIOR = (
    "全国卫生专业技术资格考试报名条件（初级，随年度考务通知发布；依据"
    + _REGULATION
    + "第十条及其实施办法）"
)


def _cell(basis: str, years: int = 0, *, source: str) -> dict[str, Any]:
    data: dict[str, Any] = {"basis": basis}
    if basis in YEAR_BASES:
        data["years"] = years
    data["source"] = source
    return data


def default_rules(year: int) -> dict[str, Any]:
    """The rules a new 卫生专业技术资格考试 project of `year` starts with."""
    closed = f"{_JUNIOR}：初级（士）只限中专、大专学历"
    return {
        "note": f"{year}年度卫生专业技术资格考试报考条件：学历须为相关专业；年限计算至截止日期。",
        "relevance": {
            "major_types": [MajorType.MEDICAL.value, MajorType.RELATED.value],
            "source": f"{_REGULATION}第十条、第十一条：“取得相应专业”学历",
        },
        "levels": {
            "1": {
                "中专": _cell(WORK, 1, source=f"{_JUNIOR}：中专，从事本专业技术工作满1年"),
                "大专": _cell(WORK, 1, source=f"{_JUNIOR}：专科，从事本专业技术工作满1年"),
                "本科": _cell(CLOSED, source=closed),
                "硕士": _cell(CLOSED, source=closed),
                "博士": _cell(CLOSED, source=closed),
            },
            "2": {
                "中专": _cell(
                    ASSISTANT_POST, 5, source=f"{_JUNIOR}：中专，受聘担任药（护、技）士职务满5年"
                ),
                "大专": _cell(WORK, 3, source=f"{_JUNIOR}：专科，从事本专业技术工作满3年"),
                "本科": _cell(WORK, 1, source=f"{_JUNIOR}：本科，从事本专业技术工作满1年"),
                "硕士": _cell(WORK, 1, source=f"{_JUNIOR}：硕士学位，从事本专业技术工作满1年"),
                "博士": _cell(
                    WORK, 1, source=f"{_JUNIOR}：未列博士，按硕士学位（从事本专业技术工作满1年）"
                ),
            },
            "3": {
                "中专": _cell(
                    PRACTITIONER_POST, 7, source=f"{_INTERMEDIATE}（一）：中专，受聘担任师职务满7年"
                ),
                "大专": _cell(
                    PRACTITIONER_POST, 6, source=f"{_INTERMEDIATE}（二）：大专，从事师工作满6年"
                ),
                "本科": _cell(
                    PRACTITIONER_POST, 4, source=f"{_INTERMEDIATE}（三）：本科，从事师工作满4年"
                ),
                "硕士": _cell(
                    PRACTITIONER_POST, 2, source=f"{_INTERMEDIATE}（四）：硕士学位，从事师工作满2年"
                ),
                "博士": _cell(DEGREE, source=f"{_INTERMEDIATE}（五）：取得相应专业博士学位"),
            },
        },
    }
