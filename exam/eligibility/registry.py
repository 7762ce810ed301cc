"""What each exam kind provides to the eligibility engine, read in one place.

An exam kind registers an `EligibilityKind`: how its rules are read from the rule set's JSON
(and refused, in Chinese, when malformed), how an application's facts are gathered for many
applications at once, the pure evaluation of facts against rules, and the rules a new
project of that kind starts with. Services, screens, imports and the bench ask here."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from exam.eligibility.outcomes import Evaluation


@dataclass(frozen=True)
class EligibilityKind:
    # rules JSON → the kind's rules object; raises django ValidationError (Chinese) if invalid
    parse: Callable[[dict[str, Any]], Any]
    # applications (of one project) → {application id: the kind's facts}, constant queries
    load_facts: Callable[[Sequence[Any]], dict[int, Any]]
    # (rules, facts, 截止日期) → Evaluation; pure: no database, no clock
    evaluate: Callable[[Any, Any, datetime.date], Evaluation]
    # exam year → the rules JSON a new project of this kind starts with, sources beside each rule
    default_rules: Callable[[int], dict[str, Any]]
    # the ExamProject fields load_facts reads: changing one on 考试项目 re-evaluates the project
    project_fields: tuple[str, ...] = ()


_KINDS: dict[str, EligibilityKind] = {}


def register(kind: str, implementation: EligibilityKind) -> None:
    _KINDS[kind] = implementation


def for_kind(kind: str) -> EligibilityKind | None:
    """The engine of an exam kind (ExamKind value), or None if that kind has no rules."""
    _load()
    return _KINDS.get(kind)


def _load() -> None:
    # Each kind registers itself when its module is imported; importing them here keeps the
    # registry complete whoever asks first.
    from exam.eligibility import kinds  # noqa: F401
