"""A 医师库 import changed what the 报考条件 rules read about some physicians: the exam app
(above people) listens and re-evaluates the applications naming them (exam.eligibility.
fact_changes). Sent inside the import's transaction once its rows are saved, never for a
preview, so the results commit, or roll back, with the records."""

from __future__ import annotations

from django.dispatch import Signal

from people.models import Physician

# Sent with actor (the importing user, may be None) and physician_ids (a frozenset).
physicians_changed = Signal()

# What the rules read of a physician (姓名: the results name the teacher).
ELIGIBILITY_FIELDS = ("name", "practice_category", "title", "clinical_start_year")


def eligibility_facts(physician: Physician) -> tuple[object, ...]:
    return tuple(getattr(physician, name) for name in ELIGIBILITY_FIELDS)
