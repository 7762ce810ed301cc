"""Provincial staff change a project's 报考条件 rules: first see what the change would do
(`rule_set_preview`), then save it (`rule_set_update`), which re-evaluates the project's
applications in a background job (exam/eligibility/job_tasks.py).

The preview counts the applications that have been submitted (PREVIEW_STATUSES): a draft, or
one the candidate withdrew, is the candidate's work in progress, whose facts will change
before anyone reviews it. The job re-evaluates every application of the project, drafts
included, so that every stored result names the new rules' version.

Malformed rules are refused with the exam kind's own Chinese message (django ValidationError,
which the admin form shows on the rules field); a refused action (no permission, nothing
changed, someone else saved first) is a ServiceError."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from core.audit import log_action
from core.errors import ServiceError, atomic_or_conflict
from core.jobs.models import Job
from core.jobs.services import job_create
from exam.audit_actions import LOG_ELIGIBILITY_RULES_CHANGED
from exam.eligibility.outcomes import Outcome
from exam.eligibility.registry import EligibilityKind, for_kind
from exam.eligibility.services import CHUNK_SIZE
from exam.models import Application, EligibilityRuleSet
from people.audit_actions import entry_data
from people.models import Institution
from people.permissions import is_provincial_user
from people.tiers import Tier

# The moved applications listed on the preview page (the counts cover all of them).
MOVED_LISTED = 200
PREVIEW_STATUSES = (
    Application.Status.SUBMITTED,
    Application.Status.IN_REVIEW,
    Application.Status.RETURNED,
    Application.Status.APPROVED,
    Application.Status.REJECTED,
)
# The job's subject (Job.subject): the admin model's label, as for exports and imports.
JOB_SUBJECT = "exam.eligibilityruleset"

NOT_ALLOWED = "只有省级管理人员可以修改报考条件规则。"
UNCHANGED = "规则、截止日期和“不符合时禁止提交”都没有变化，没有保存新版本。"
CHANGED_MEANWHILE = (
    "报考条件规则刚刚已被他人修改（现为第 {version} 版），本次没有保存。请重新打开后再修改。"
)


@dataclass(frozen=True)
class MovedApplication:
    id: int
    candidate_name: str
    institution_name: str  # 申报单位
    from_outcome: Outcome | None  # None: the current rules cannot be read
    to_outcome: Outcome


@dataclass
class RuleChangePreview:
    """What the proposed rules would change. `counts[(from, to)]` for the three outcomes
    (from is None only when the current rules cannot be read); `moved` the first
    MOVED_LISTED applications whose outcome changes, `moved_total` all of them."""

    counts: dict[tuple[Outcome | None, Outcome], int] = field(default_factory=dict)
    moved: list[MovedApplication] = field(default_factory=list)
    moved_total: int = 0
    total: int = 0
    current_error: str = ""  # why the current rules cannot be read ("" if they can)

    def rows(self) -> list[tuple[str, list[tuple[int, bool]], int]]:
        """The 3×3 table (a fourth row when the current rules cannot be read): per current
        outcome, its label, (count, whether it is a move) per proposed outcome, the total."""
        sources: list[Outcome | None] = list(Outcome)
        if any(source is None for source, _ in self.counts):
            sources.append(None)
        table = []
        for source in sources:
            cells = [
                (self.counts.get((source, target), 0), source is not None and source != target)
                for target in Outcome
            ]
            label = source.label if source is not None else "当前规则无法判断"
            table.append((str(label), cells, sum(count for count, _ in cells)))
        return table


def rule_set_rules_check(
    *, rule_set: EligibilityRuleSet, rules: Any
) -> tuple[EligibilityKind, Any]:
    """The project's kind and `rules` as it reads them; ValidationError (Chinese) if the kind
    has no rules or refuses them."""
    kind = for_kind(rule_set.project.kind)
    if kind is None:
        raise ValidationError("该考试类型没有报考条件规则。")
    if not isinstance(rules, dict):
        raise ValidationError("规则必须是一个 JSON 对象（以 { 开头，以 } 结尾）。")
    try:
        return kind, kind.parse(rules)
    except ValidationError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # parse's contract is a ValidationError; a kind that slips must not cost a 500.
        raise ValidationError(f"规则格式不正确（{type(exc).__name__}：{exc}）。") from exc


def _chunks(queryset) -> Iterator[list[Application]]:
    """The applications by id, CHUNK_SIZE at a time (keyset: each chunk one query)."""
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).order_by("pk")[:CHUNK_SIZE])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def rule_set_preview(
    *,
    rule_set: EligibilityRuleSet,
    rules: dict[str, Any],
    cutoff_date: datetime.date,
    progress: Callable[[int, int], None] | None = None,
) -> RuleChangePreview:
    """How the submitted applications of the project would move between 符合 / 不符合 /
    需人工核实 from the current rules to `rules` (counted to `cutoff_date`). Reads only,
    CHUNK_SIZE applications' facts at a time (the preview job, exam/eligibility/
    rule_previews.py, runs this); `progress(done, total)` after each chunk. ValidationError
    if `rules` are malformed."""
    kind, proposed = rule_set_rules_check(rule_set=rule_set, rules=rules)
    preview = RuleChangePreview()
    try:
        current = kind.parse(rule_set.rules)
    except (ValidationError, KeyError, TypeError, ValueError, AttributeError) as exc:
        current = None
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        preview.current_error = "；".join(messages) or type(exc).__name__
    for target in Outcome:
        for source in Outcome:
            preview.counts[(source, target)] = 0
    applications = (
        Application.objects.filter(project_id=rule_set.project_id, status__in=PREVIEW_STATUSES)
    ).select_related("candidate", "entry_institution")
    total = applications.count() if progress is not None else 0
    for chunk in _chunks(applications):
        facts = kind.load_facts(chunk)
        for application in chunk:
            fact = facts[application.pk]
            before = (
                kind.evaluate(current, fact, rule_set.cutoff_date).outcome
                if current is not None
                else None
            )
            after = kind.evaluate(proposed, fact, cutoff_date).outcome
            preview.counts[(before, after)] = preview.counts.get((before, after), 0) + 1
            preview.total += 1
            if before == after:
                continue
            preview.moved_total += 1
            if len(preview.moved) < MOVED_LISTED:
                preview.moved.append(
                    MovedApplication(
                        id=application.pk,
                        candidate_name=application.candidate.name,
                        institution_name=application.entry_institution.name,
                        from_outcome=before,
                        to_outcome=after,
                    )
                )
        if progress is not None:
            progress(preview.total, max(total, preview.total))
    return preview


def _province() -> Institution | None:
    return Institution.objects.filter(tier=Tier.PROVINCE).order_by("pk").first()


def rule_set_update(
    *,
    actor: User,
    rule_set: EligibilityRuleSet,
    rules: dict[str, Any],
    cutoff_date: datetime.date,
    blocks_submission: bool,
    base_version: int | None = None,
) -> Job:
    """Save the project's rules as a new version (provincial staff only), log it, and create
    the job that re-evaluates the project, enqueued when this commits. `base_version`: the
    version the change was previewed against; if the rules were saved meanwhile, refused."""
    if not is_provincial_user(actor):
        raise ServiceError(NOT_ALLOWED)
    rule_set_rules_check(rule_set=rule_set, rules=rules)
    with atomic_or_conflict():
        locked = (
            EligibilityRuleSet.objects.select_for_update()
            .select_related("project")
            .get(pk=rule_set.pk)
        )
        if base_version is not None and locked.version != base_version:
            raise ServiceError(CHANGED_MEANWHILE.format(version=locked.version))
        if (locked.rules, locked.cutoff_date, locked.blocks_submission) == (
            rules,
            cutoff_date,
            blocks_submission,
        ):
            raise ServiceError(UNCHANGED)
        old_version = locked.version
        locked.rules = rules
        locked.cutoff_date = cutoff_date
        locked.blocks_submission = blocks_submission
        locked.version = old_version + 1
        locked.updated_by = actor
        locked.save()
        project = locked.project
        blocks = "禁止提交" if blocks_submission else "仅提示"
        province = _province()
        log_action(
            action=LOG_ELIGIBILITY_RULES_CHANGED,
            actor=actor,
            # The province's row: its staff find it in 审核日志 (review/admin/logs.py).
            subject=province,
            data={
                **entry_data(
                    institution=province,
                    remark=(
                        f"{project.name}：报考条件规则第 {old_version} 版 → 第 {locked.version} 版，"
                        f"截止日期 {cutoff_date:%Y-%m-%d}，不符合时{blocks}"
                    ),
                ),
                "project": project.pk,
                "rule_set": locked.pk,
                "old_version": old_version,
                "new_version": locked.version,
                "cutoff_date": cutoff_date.isoformat(),
                "blocks_submission": blocks_submission,
            },
        )
        job = job_create(
            actor=actor,
            kind=Job.Kind.ELIGIBILITY,
            subject=JOB_SUBJECT,
            label=f"重新判断报考条件：{project.name}（第 {locked.version} 版）",
            params={"project": project.pk, "version": locked.version},
            total=Application.objects.filter(project=project).count(),
        )
    rule_set.refresh_from_db()
    return job
