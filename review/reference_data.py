"""Loading the reference tables (fixtures/reference/) of every app in one transaction: people's,
exam's and review's 对比库 list."""

from django.db import transaction

from exam.eligibility.rule_sets import rule_sets_ensure_all
from exam.reference_data import load_levels_and_specialties, load_tcm_categories
from people.reference_data import (
    load_divisions,
    load_education_levels,
    load_ethnicities,
    load_political_statuses,
    upsert,
)
from review.models import ReferenceLibrary

# 对比库 (seed 003 §2.3), in the order the review page lists them.
REFERENCE_LIBRARIES = [
    ("qualification", "资格库", "资格", False),
    ("provincial_line", "省线库", "省线", False),
    ("physician_registry", "医师注册库", "医师注册", False),
    ("nurse_registry", "护士注册库", "护士注册", False),
    ("graduate", "本科应届生库", "应届生", False),
    ("history", "历史考生库", "历史考生", False),
    ("violation", "违纪考生库", "违纪", True),
    ("covid_frontline", "抗击新冠肺炎疫情一线人员", "抗疫一线", False),
]


def load_reference_libraries() -> int:
    objects = [
        ReferenceLibrary(code=c, name=n, flag_label=f, needs_attention=a, sort_order=i)
        for i, (c, n, f, a) in enumerate(REFERENCE_LIBRARIES)
    ]
    upsert(
        ReferenceLibrary, objects, ["code"], ["name", "flag_label", "needs_attention", "sort_order"]
    )
    return len(objects)


@transaction.atomic
def load_reference_data() -> dict[str, int]:
    return {
        "行政区划": load_divisions(),
        "民族": load_ethnicities(),
        "政治面貌": load_political_statuses(),
        "学历": load_education_levels(),
        "类别(专业)（部分）": load_levels_and_specialties(),
        "中医考核类别": load_tcm_categories(),
        "对比库": load_reference_libraries(),
        "报考条件（新建）": rule_sets_ensure_all(),
    }
