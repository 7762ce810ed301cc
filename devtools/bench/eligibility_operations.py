"""报考条件 in the benchmark: every application of the health exam project evaluated against
its rules, the evaluator alone (facts already in memory) and facts loaded plus evaluated in
chunks, the re-evaluation job's whole work (results written, then rolled back) and the
preview job's (预览报考条件修改: the submitted applications under the current and the changed
rules; only its job row written, rolled back). Nothing is kept: the project's rule set is read
if it has one, else its kind's rules for its year are used (the jobs' operations create the
rule set inside their rolled-back transaction)."""

from __future__ import annotations

import copy
import datetime
import time
from typing import Any

from core.jobs.models import Job
from devtools.bench.measuring import BenchContext, Operation, rolled_back
from exam.eligibility.job_tasks import rules_preview_job_run
from exam.eligibility.registry import for_kind
from exam.eligibility.rule_previews import PreviewInput, rule_set_preview_start
from exam.eligibility.rule_sets import rule_set_ensure
from exam.eligibility.services import eligibility_refresh_project
from exam.models import Application, EligibilityRuleSet, ExamKind, ExamProject

CHUNK = 2_000  # applications per load_facts call: constant queries per chunk
TARGET_EVALUATE = "≥ 20,000 申报/s（评估器）"
TARGET_JOB = "全部重算 < 60 s（20 万申报，PostgreSQL）"
TARGET_PREVIEW = "后台任务，页面显示进度（20 万申报，PostgreSQL）"


class _Row:
    """What load_facts reads of an application, without building model instances."""

    __slots__ = ("pk", "level_id")

    def __init__(self, pk: int, level_id: str | None) -> None:
        self.pk = pk
        self.level_id = level_id


def _setting(state: dict[str, Any]) -> None:
    """The engine, rules, 截止日期 and applications of the latest health exam project."""
    engine = for_kind(ExamKind.HEALTH_QUALIFICATION)
    assert engine is not None
    project = (
        ExamProject.objects.filter(kind=ExamKind.HEALTH_QUALIFICATION).order_by("-year").first()
    )
    rule_set = EligibilityRuleSet.objects.filter(project=project).first() if project else None
    if rule_set is not None:
        rules, cutoff = engine.parse(rule_set.rules), rule_set.cutoff_date
    else:
        year = project.year if project else datetime.date.today().year
        rules, cutoff = engine.parse(engine.default_rules(year)), datetime.date(year, 12, 31)
    rows = [
        _Row(pk, level)
        for pk, level in Application.objects.filter(project=project)
        .order_by("pk")
        .values_list("pk", "level_id")
    ]
    state.update(engine=engine, rules=rules, cutoff=cutoff, rows=rows)


def eligibility_operations(ctx: BenchContext) -> list[Operation]:
    state: dict[str, Any] = {}

    def setup_with_facts() -> None:
        _setting(state)
        facts: dict[int, Any] = {}
        rows = state["rows"]
        for start in range(0, len(rows), CHUNK):
            facts.update(state["engine"].load_facts(rows[start : start + CHUNK]))
        state["facts"] = list(facts.values())

    def evaluate_only() -> dict[str, Any]:
        evaluate, rules, cutoff = state["engine"].evaluate, state["rules"], state["cutoff"]
        outcomes: dict[str, int] = {}
        started = time.perf_counter()
        for facts in state["facts"]:
            outcome = evaluate(rules, facts, cutoff).outcome
            outcomes[outcome.value] = outcomes.get(outcome.value, 0) + 1
        timed = time.perf_counter() - started
        return {"rows": len(state["facts"]), "timed_s": timed, "outcomes": outcomes}

    def load_and_evaluate() -> dict[str, Any]:
        engine, rules, cutoff, rows = (
            state["engine"],
            state["rules"],
            state["cutoff"],
            state["rows"],
        )
        evaluated = 0
        for start in range(0, len(rows), CHUNK):
            for facts in engine.load_facts(rows[start : start + CHUNK]).values():
                engine.evaluate(rules, facts, cutoff)
                evaluated += 1
        return {"rows": evaluated, "chunk": CHUNK}

    def store_all() -> dict[str, Any]:
        """What the re-evaluation job (exam/eligibility/job_tasks.py) does, rolled back: every
        application of the project evaluated and its result written, CHUNK_SIZE at a time."""

        def work() -> dict[str, Any]:
            project = (
                ExamProject.objects.filter(kind=ExamKind.HEALTH_QUALIFICATION)
                .order_by("-year")
                .first()
            )
            assert project is not None
            # As after a change of the rules: a new version rewrites every stored result
            # (or creates it, on data without results).
            rule_set = rule_set_ensure(project=project)
            rule_set.version += 1
            rule_set.save(update_fields=["version"])
            counts = eligibility_refresh_project(project_id=project.pk)
            done = counts.created + counts.updated + counts.unchanged + counts.skipped
            return {
                "rows": done,
                "created": counts.created,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
            }

        return rolled_back(work)

    def preview_job() -> dict[str, Any]:
        """What 预览 costs (exam/eligibility/rule_previews.py), rolled back: the preview job
        created and run as the worker would, for a change of one value of the rules."""

        def work() -> dict[str, Any]:
            project = (
                ExamProject.objects.filter(kind=ExamKind.HEALTH_QUALIFICATION)
                .order_by("-year")
                .first()
            )
            assert project is not None
            rule_set = rule_set_ensure(project=project)
            rules = copy.deepcopy(rule_set.rules)
            # 本科 → 中级 one year more: some applications move to 不符合.
            rules["levels"]["3"]["本科"]["years"] += 1
            proposed = PreviewInput(
                rules=rules,
                cutoff_date=rule_set.cutoff_date,
                blocks_submission=rule_set.blocks_submission,
                base_version=rule_set.version,
            )
            job = rule_set_preview_start(actor=ctx.user, rule_set=rule_set, proposed=proposed)
            rules_preview_job_run(job.pk)
            job.refresh_from_db()
            assert job.status == Job.Status.DONE, job.message
            return {"rows": job.counts["total"], "moved": job.counts["moved_total"]}

        return rolled_back(work)

    return [
        Operation(
            "eligibility:evaluate",
            "eligibility",
            evaluate_only,
            TARGET_EVALUATE,
            setup=setup_with_facts,
        ),
        Operation(
            "eligibility:load+evaluate",
            "eligibility",
            load_and_evaluate,
            TARGET_JOB,
            heavy=True,
            setup=lambda: _setting(state),
        ),
        Operation("eligibility:job", "eligibility", store_all, TARGET_JOB, heavy=True),
        Operation("eligibility:preview", "eligibility", preview_job, TARGET_PREVIEW, heavy=True),
    ]
