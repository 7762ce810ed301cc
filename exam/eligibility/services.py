"""Keeping each application's stored 报考条件 in step with its facts and its project's rules.

`eligibility_refresh` evaluates a batch of applications and writes what changed, in one
transaction: a result is created where there was none, rewritten where the engine's results
or the rules' version changed, and left alone otherwise. A reviewer's override stays: it is
a judgement about the application, and the screen shows it next to what the engine now says
(`computed_outcome`). Applications of a project without a rule set, or of a kind without
rules, get no result. The engine's results are derived data, recomputed at will, so they are
not written to the audit log; a reviewer's override (a decision) is.

What counts (`outcome`) is copied onto the application (`Application.eligibility_outcome`,
the list's filter) in the same transaction: here for every application evaluated, so a
refresh also repairs a copy that went astray, and by the override and its revocation
(review/eligibility.py) through `eligibility_outcome_copy`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from exam.eligibility.outcomes import Evaluation
from exam.eligibility.registry import for_kind
from exam.models import Application, EligibilityResult, EligibilityRuleSet

CHUNK_SIZE = 2000  # applications per evaluation: a constant number of queries each


@dataclass(frozen=True)
class RefreshCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # no rule set, or a kind without rules


def eligibility_evaluate(*, applications: Sequence[Application]) -> dict[int, Evaluation]:
    """{application id: Evaluation} for applications whose project has rules; reads only."""
    evaluations: dict[int, Evaluation] = {}
    by_project: dict[int, list[Application]] = defaultdict(list)
    for application in applications:
        by_project[application.project_id].append(application)
    rule_sets = {
        rule_set.project_id: rule_set
        for rule_set in EligibilityRuleSet.objects.filter(project_id__in=by_project).select_related(
            "project"
        )
    }
    for project_id, members in by_project.items():
        rule_set = rule_sets.get(project_id)
        kind = for_kind(rule_set.project.kind) if rule_set else None
        if rule_set is None or kind is None:
            continue
        rules = kind.parse(rule_set.rules)
        facts = kind.load_facts(members)
        for application in members:
            evaluations[application.pk] = kind.evaluate(
                rules, facts[application.pk], rule_set.cutoff_date
            )
    return evaluations


def eligibility_outcome_copy(*, outcomes: dict[int, str]) -> None:
    """Write {application id: outcome} onto the applications' `eligibility_outcome`: one
    UPDATE whatever the outcomes, touching only the rows whose copy differs (a refresh that
    changes nothing locks no application row)."""
    by_outcome: dict[str, list[int]] = defaultdict(list)
    for application_id, outcome in outcomes.items():
        by_outcome[outcome].append(application_id)
    if not by_outcome:
        return
    differs, whens = Q(), []
    for outcome, ids in by_outcome.items():
        differs |= Q(pk__in=ids) & ~Q(eligibility_outcome=outcome)
        whens.append(When(pk__in=ids, then=Value(outcome)))
    Application.objects.filter(differs).update(
        eligibility_outcome=Case(*whens, default=F("eligibility_outcome"))
    )


def _versions(application_ids: Iterable[int]) -> dict[int, int]:
    return dict(
        Application.objects.filter(pk__in=list(application_ids)).values_list(
            "pk", "project__rule_set__version"
        )
    )


@transaction.atomic
def eligibility_refresh(
    *, applications: Sequence[Application], _retry: bool = True
) -> RefreshCounts:
    """Evaluate `applications` and store their results (see the module's note)."""
    evaluations = eligibility_evaluate(applications=applications)
    versions = _versions(evaluations)
    existing = {
        result.application_id: result
        for result in EligibilityResult.objects.select_for_update().filter(
            application_id__in=list(evaluations)
        )
    }
    now = timezone.now()
    created, updated, unchanged = [], [], 0
    outcomes: dict[int, str] = {}  # what counts, for the applications' copy
    for application_id, evaluation in evaluations.items():
        computed = evaluation.outcome.value
        results = evaluation.as_list()
        version = versions[application_id]
        result = existing.get(application_id)
        outcomes[application_id] = (result.override_outcome if result else "") or computed
        if result is None:
            created.append(
                EligibilityResult(
                    application_id=application_id,
                    outcome=computed,
                    computed_outcome=computed,
                    results=results,
                    rule_set_version=version,
                    evaluated_at=now,
                )
            )
            continue
        if (result.computed_outcome, result.results, result.rule_set_version) == (
            computed,
            results,
            version,
        ):
            unchanged += 1
            continue
        result.computed_outcome = computed
        result.outcome = result.override_outcome or computed
        result.results = results
        result.rule_set_version = version
        result.evaluated_at = now
        updated.append(result)
    if (created or updated) and _retry:
        # A result found missing may have been rewritten meanwhile by a transaction this one
        # waited for (a project's re-evaluation deletes and inserts its rows again: the rows
        # locked above were skipped as deleted). The insert then meets the committed row;
        # undo this write and read again, once.
        try:
            with transaction.atomic():
                _write(updated, created)
        except IntegrityError:
            return eligibility_refresh(applications=applications, _retry=False)
    else:
        _write(updated, created)
    eligibility_outcome_copy(outcomes=outcomes)
    for application in applications:  # the caller's instances agree with their rows
        if application.pk in outcomes:
            application.eligibility_outcome = outcomes[application.pk]
    return RefreshCounts(
        created=len(created),
        updated=len(updated),
        unchanged=unchanged,
        skipped=len(applications) - len(evaluations),
    )


def _write(updated: list[EligibilityResult], created: list[EligibilityResult]) -> None:
    # A changed result is written again as a whole row (same id, override kept): Django's
    # bulk_update builds a CASE per field and row, 4.5 times slower for a whole project.
    EligibilityResult.objects.filter(pk__in=[result.pk for result in updated]).delete()
    EligibilityResult.objects.bulk_create([*updated, *created], batch_size=1000)


@transaction.atomic
def eligibility_refresh_project(
    *, project_id: int, progress: Callable[[int, int], None] | None = None
) -> RefreshCounts:
    """Every application of the project evaluated again and stored, CHUNK_SIZE at a time, in
    ONE transaction (all or nothing): the re-evaluation job, `manage.py eligibility_refresh`
    and the bench run this. `progress(done, total)` is called after each chunk. Applications
    whose personal data the retention purge removed keep their last result (nothing is left to
    judge them by)."""
    applications = Application.objects.filter(project_id=project_id, personal_data_purged_at=None)
    total = applications.count()
    created = updated = unchanged = skipped = done = last = 0
    while chunk := list(applications.filter(pk__gt=last).order_by("pk")[:CHUNK_SIZE]):
        counts = eligibility_refresh(applications=chunk)
        created += counts.created
        updated += counts.updated
        unchanged += counts.unchanged
        skipped += counts.skipped
        done, last = done + len(chunk), chunk[-1].pk
        if progress is not None:
            progress(done, max(total, done))
    return RefreshCounts(created=created, updated=updated, unchanged=unchanged, skipped=skipped)
