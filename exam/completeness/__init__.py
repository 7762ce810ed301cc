"""Whether a section is complete: the rules of each section family, in one place.

`exam.services.section_save` asks here after the section's rows are written, inside its
transaction; the candidate's pages only say whether the candidate chose 暂存 (a draft is
never complete), never that a section is complete. Rules read what is stored: Section.data
and the rows the section owns (materials, attachments, case records, teachers)."""

from typing import Any

from exam.completeness import health, tcm
from exam.models import Application, ExamKind

_RULES = {ExamKind.HEALTH_QUALIFICATION: health.RULES, ExamKind.TCM_EXPERTISE: tcm.RULES}


def section_is_complete(*, application: Application, code: str, data: dict[str, Any]) -> bool:
    """A section with no rule is never complete (every section of sections.py has one)."""
    rule = _RULES.get(application.project.kind, {}).get(code)
    return bool(rule and rule(application, data or {}))
