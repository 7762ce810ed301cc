"""中医医术确有专长's eligibility rules as data: their JSON, its reading and the 2026 rules.

The JSON is {"kind": "tcm_expertise", "year": 2026, "rules": [{"code": …, "enabled": …,
"source": …, <the rule's parameters>}, …]}: a list, because the order is the order a
reviewer reads them in (PostgreSQL's jsonb keeps a list's order, not an object's keys).
Every rule appears once, so a rule is switched off with "enabled": false, never lost to a
misspelt code.

Two numbers are read from the exam project, not from here: how many 推荐医师 an application
needs (ExamProject.apprenticeship_recommenders / practice_recommenders) and from which day
practice needs a 指导老师 (practice_supervisor_cutoff). The candidate site already asks for
teachers by them (exam.recommendation.teachers_required); a second copy in the rules could
let the site accept what the rules refuse."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar

from django.core.exceptions import ValidationError

from exam.models import ExamKind, Track

APPRENTICESHIP = Track.APPRENTICESHIP.value
PRACTICE = Track.PRACTICE.value
BOTH = (APPRENTICESHIP, PRACTICE)

MEASURES = "《中医医术确有专长人员医师资格考核注册管理暂行办法》（国家卫生计生委令第15号，2017）"
HUBEI_GUIDE = "《2026年湖北省中医医术确有专长人员医师资格考核申报指南（考生版）》"


@dataclass(frozen=True)
class Rule:
    code: ClassVar[str]
    title: ClassVar[str]
    tracks: ClassVar[tuple[str, ...]] = BOTH
    enabled: bool
    source: str


@dataclass(frozen=True)
class ApprenticeshipYears(Rule):
    code: ClassVar[str] = "apprenticeship_years"
    title: ClassVar[str] = "师承年限"
    tracks: ClassVar[tuple[str, ...]] = (APPRENTICESHIP,)
    years: int
    certificate_years: int  # with a 传统医学师承出师证书: this many more years suffice


@dataclass(frozen=True)
class SupervisorQualification(Rule):
    code: ClassVar[str] = "supervisor_qualification"
    title: ClassVar[str] = "指导老师资格"
    category: str  # 执业类别 as the 医师库 stores it ("中医")
    clinical_years: int
    senior_titles: tuple[str, ...]  # any of these suffices instead of the years


@dataclass(frozen=True)
class SupervisorApprentices(Rule):
    code: ClassVar[str] = "supervisor_apprentices"
    title: ClassVar[str] = "指导老师带徒人数"
    max_apprentices: int


@dataclass(frozen=True)
class Recommenders(Rule):
    code: ClassVar[str] = "recommenders"
    title: ClassVar[str] = "推荐医师"
    category: str  # how many: the exam project says (see the module's docstring)


@dataclass(frozen=True)
class RecommenderNotSupervisor(Rule):
    code: ClassVar[str] = "recommender_not_supervisor"
    title: ClassVar[str] = "推荐医师不含指导老师"


@dataclass(frozen=True)
class PracticeYears(Rule):
    code: ClassVar[str] = "practice_years"
    title: ClassVar[str] = "医术实践年限"
    tracks: ClassVar[tuple[str, ...]] = (PRACTICE,)
    years: int


@dataclass(frozen=True)
class PracticeSupervisor(Rule):
    code: ClassVar[str] = "practice_supervisor"
    title: ClassVar[str] = "医术实践的指导老师"
    tracks: ClassVar[tuple[str, ...]] = (PRACTICE,)


@dataclass(frozen=True)
class RecommenderLoad(Rule):
    code: ClassVar[str] = "recommender_load"
    title: ClassVar[str] = "推荐医师推荐人数"
    max_candidates: int


RULE_CLASSES: tuple[type[Rule], ...] = (
    ApprenticeshipYears,
    SupervisorQualification,
    SupervisorApprentices,
    Recommenders,
    RecommenderNotSupervisor,
    PracticeYears,
    PracticeSupervisor,
    RecommenderLoad,
)
BY_CODE = {cls.code: cls for cls in RULE_CLASSES}

SENIOR_TITLES = ("主任医师", "主任中医师", "副主任医师", "副主任中医师")


@dataclass(frozen=True)
class TcmRules:
    """The rules in the rule set's order."""

    year: int | None
    rules: tuple[Rule, ...]

    def get(self, cls: type[Rule]) -> Rule:
        return next(rule for rule in self.rules if isinstance(rule, cls))


def default_rules(year: int) -> dict[str, Any]:
    """The rules a new 中医医术确有专长 project starts with, the source beside each."""
    return {
        "kind": ExamKind.TCM_EXPERTISE.value,
        "year": year,
        "rules": [
            {
                "code": ApprenticeshipYears.code,
                "enabled": True,
                "years": 5,
                "certificate_years": 2,
                "source": f"{MEASURES}：以师承方式学习中医的，连续跟师学习中医满五年；"
                f"{HUBEI_GUIDE} 4.3.2.1：具有《传统医学师承出师证书》的，继续跟师学习中医满两年。",
            },
            {
                "code": SupervisorQualification.code,
                "enabled": True,
                "category": "中医",
                "clinical_years": 15,
                "senior_titles": list(SENIOR_TITLES),
                "source": f"{MEASURES}：指导老师应当具有中医类别执业医师资格，从事中医临床工作"
                "十五年以上或者具有中医类副主任医师以上专业技术职务任职资格。",
            },
            {
                "code": SupervisorApprentices.code,
                "enabled": True,
                "max_apprentices": 4,
                "source": f"{MEASURES}：指导老师同时带徒不超过四名。",
            },
            {
                "code": Recommenders.code,
                "enabled": True,
                "category": "中医",
                "source": f"{MEASURES}：由至少两名中医类别执业医师推荐（人数按考试项目的"
                "“推荐医师人数”设置）。",
            },
            {
                "code": RecommenderNotSupervisor.code,
                "enabled": True,
                "source": f"{MEASURES}：推荐医师不包括其指导老师。",
            },
            {
                "code": PracticeYears.code,
                "enabled": True,
                "years": 5,
                "source": f"{MEASURES}：经多年中医医术实践的，从事中医医术实践活动满五年。",
            },
            {
                "code": PracticeSupervisor.code,
                "enabled": True,
                "source": f"{MEASURES}：在中医医师指导下从事中医医术实践活动满五年，或者"
                f"《中华人民共和国中医药法》施行（2017-07-01）前已经从事中医医术实践活动满五年；"
                f"{HUBEI_GUIDE} 4.3.3：实践时间全部或部分在中医药法施行后的，需指导老师一名"
                "（日期按考试项目的“需指导老师的实践起始日”设置）。",
            },
            {
                "code": RecommenderLoad.code,
                "enabled": True,
                "max_candidates": 4,
                "source": "省级中医药主管部门规定：每名推荐医师在同一考核项目中推荐的考生"
                "不超过规定人数（默认 4 名，可按项目调整）。",
            },
        ],
    }


def dump(rules: TcmRules) -> dict[str, Any]:
    """TcmRules → the JSON parse reads (dump(parse(data)) == data for well-formed data)."""
    items = []
    for rule in rules.rules:
        item: dict[str, Any] = {"code": rule.code}
        for f in fields(rule):
            value = getattr(rule, f.name)
            item[f.name] = list(value) if isinstance(value, tuple) else value
        items.append(item)
    data: dict[str, Any] = {"kind": ExamKind.TCM_EXPERTISE.value}
    if rules.year is not None:
        data["year"] = rules.year
    data["rules"] = items
    return data


# --- reading the JSON -------------------------------------------------------------------------

_PARAM_LABELS = {
    "years": "年限",
    "certificate_years": "有出师证书时的年限",
    "clinical_years": "从事临床工作年限",
    "max_apprentices": "带徒人数上限",
    "max_candidates": "推荐人数上限",
    "category": "执业类别",
    "senior_titles": "可代替年限的职称",
}
# parameter → (smallest, largest) for the integers; the texts need only be non-empty
_INT_BOUNDS = {
    "years": (1, 50),
    "certificate_years": (0, 50),
    "clinical_years": (0, 60),
    "max_apprentices": (1, 100),
    "max_candidates": (1, 100),
}
_COMMON = ("code", "enabled", "source")


def _params(cls: type[Rule]) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if f.name not in ("enabled", "source"))


class _Reader:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def rule(self, index: int, item: Any) -> Rule | None:
        where = f"第 {index} 条规则"
        if not isinstance(item, dict):
            self.errors.append(f"{where}应为一个对象（含 code、enabled、source 等键）。")
            return None
        code = item.get("code")
        cls = BY_CODE.get(code) if isinstance(code, str) else None
        if cls is None:
            known = "、".join(BY_CODE)
            self.errors.append(f"{where}的规则代码“{code}”不存在（可用：{known}）。")
            return None
        where = f"{where}（{cls.title}）"
        before = len(self.errors)
        allowed = {*_COMMON, *_params(cls)}
        for key in item:
            if key not in allowed:
                self.errors.append(f"{where}含有不认识的键“{key}”。")
        values: dict[str, Any] = {}
        enabled = item.get("enabled")
        if not isinstance(enabled, bool):
            self.errors.append(f"{where}的“enabled”应为 true 或 false。")
        values["enabled"] = enabled
        source = item.get("source")
        if not isinstance(source, str) or not source.strip():
            self.errors.append(f"{where}缺少依据（source），请写明规则的出处。")
        values["source"] = source
        for name in _params(cls):
            values[name] = self.param(where, name, item.get(name))
        if len(self.errors) > before:
            return None
        return cls(**values)

    def param(self, where: str, name: str, value: Any) -> Any:
        label = f"{where}的“{_PARAM_LABELS[name]}”（{name}）"
        if name in _INT_BOUNDS:
            low, high = _INT_BOUNDS[name]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                self.errors.append(f"{label}应为 {low} 至 {high} 之间的整数，当前为“{value}”。")
            return value
        if name == "senior_titles":
            if (
                not isinstance(value, list)
                or not value
                or not all(isinstance(t, str) and t.strip() for t in value)
            ):
                self.errors.append(f'{label}应为非空的职称列表，如 ["副主任医师"]。')
                return ()
            return tuple(t.strip() for t in value)
        if not isinstance(value, str) or not value.strip():
            self.errors.append(f"{label}不能为空。")
            return value
        return value.strip()


def parse(data: dict[str, Any]) -> TcmRules:
    """The rules JSON → TcmRules; every problem is reported at once, in Chinese."""
    if not isinstance(data, dict):
        raise ValidationError("报考条件规则应为一个 JSON 对象。")
    errors = []
    for key in data:
        if key not in ("kind", "year", "rules"):
            errors.append(f"报考条件规则含有不认识的键“{key}”。")
    if data.get("kind", ExamKind.TCM_EXPERTISE.value) != ExamKind.TCM_EXPERTISE.value:
        errors.append(f"这组规则属于“{data.get('kind')}”，不是中医医术确有专长的规则。")
    year = data.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        errors.append(f"年度（year）应为整数，当前为“{year}”。")
    items = data.get("rules")
    if not isinstance(items, list):
        raise ValidationError([*errors, "缺少规则列表（rules），或它不是列表。"])
    reader = _Reader()
    rules = [reader.rule(n, item) for n, item in enumerate(items, start=1)]
    errors.extend(reader.errors)
    codes = [item.get("code") for item in items if isinstance(item, dict)]
    for cls in RULE_CLASSES:
        count = codes.count(cls.code)
        if count == 0:
            errors.append(f"缺少规则“{cls.title}”（{cls.code}）；不用的规则请设 enabled 为 false。")
        elif count > 1:
            errors.append(f"规则“{cls.title}”（{cls.code}）出现了 {count} 次，只能出现一次。")
    if errors:
        raise ValidationError(errors)
    return TcmRules(year=year, rules=tuple(rule for rule in rules if rule is not None))
