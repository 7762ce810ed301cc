"""The retention purge (`manage.py purge_personal_data`): for each closed project, delete the
files and anonymise the rows past their retention period (exam/retention.py decides what is;
review/purge_steps.py lists what each kind of data is and how it is cleared).

Kept: every application, section, material, teacher and review row with its statuses,
institutions, level, specialty, tier decisions and times (the statistics), and every audit
log row with its action, actor, time, tier and states (the review log's structure).

One transaction per project; the files are deleted only once it has committed. A crash in
between leaves files no row points to (stored under the application's folder), never a row
pointing to a deleted file: the rows are the record of what was removed, and a page that
still lists a file would fail. A file the storage cannot delete is reported, and the command
exits non-zero, so the operator removes it by hand.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.db import transaction

from core.audit import log_action
from core.models import FileDisplay
from exam import retention
from exam.models import Application, ExamProject
from exam.retention import Period
from people.audit_actions import entry_data
from people.models import Candidate, Institution
from people.tiers import Tier
from review.purge_steps import SCRUB_STEPS, Found, PurgeScope

logger = logging.getLogger(__name__)

LOG_RETENTION_PURGED = "retention.purged"
LOG_LABELS = {LOG_RETENTION_PURGED: "按保存期限清除个人信息"}
THUMBNAILS = "缩略图"
OPEN_PROJECT = "考试项目“{name}”尚未结束（未填写项目结束时间、结束时间在{today}之后或仍是当前项目），不能清除。"


class ProjectOpen(Exception):
    """The project is still open: nothing of it may be purged."""


@dataclass
class ProjectPurge:
    """What one project's purge found (a dry run) or did: per kind, rows and files."""

    project: ExamProject
    found: dict[str, Found] = field(default_factory=dict)
    failed_files: list[str] = field(default_factory=list)

    @property
    def files(self) -> int:
        return sum(len(f.files) for f in self.found.values())

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.found.values())

    @property
    def is_empty(self) -> bool:
        return not self.files and not self.rows

    def counts(self) -> dict[str, dict[str, int]]:
        return {
            label: {"rows": f.rows, "files": len(f.files)}
            for label, f in self.found.items()
            if f.rows or f.files
        }


def purge_scope(
    *, project: ExamProject, today: datetime.date, skip_candidates: frozenset[int] = frozenset()
) -> PurgeScope:
    """What of `project` is past its period on `today` (exam/retention.py's rule). Raises
    ProjectOpen for an open project. `skip_candidates`: people a dry run has already counted
    under an earlier project (a real run finds them done)."""
    if retention.is_open(project, today=today):
        raise ProjectOpen(OPEN_PROJECT.format(name=project.name, today=today.isoformat()))
    applications = tuple(
        retention.applications_past(project, today=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    signature_applications: tuple[int, ...] = ()
    if retention.is_past(project, Period.IDENTITY, today=today):
        # Purged applications have none left; those purged now lose theirs with the teachers.
        signature_applications = tuple(
            Application.objects.filter(project=project, personal_data_purged_at=None)
            .exclude(pk__in=applications)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    of_project = Application.objects.filter(project=project).values("candidate")
    not_anonymised = Candidate.objects.filter(pk__in=of_project).exclude(
        phone__startswith=retention.PURGED_PHONE_PREFIX
    )
    ids = not_anonymised.values("pk")
    to_anonymise = [
        pk
        for pk in retention.candidates_past(ids, Period.APPLICATIONS, today=today)
        if pk not in skip_candidates
    ]
    # The anonymised lose their photos with the rest of their data.
    skip = skip_candidates | set(to_anonymise)
    photos = [
        pk for pk in retention.candidates_past(ids, Period.IDENTITY, today=today) if pk not in skip
    ]
    return PurgeScope(
        project=project,
        today=today,
        application_ids=applications,
        signature_application_ids=signature_applications,
        candidate_ids=tuple(to_anonymise),
        photo_candidate_ids=tuple(photos),
    )


def _thumbnails(names: list[str], execute: bool) -> Found:
    """The thumbnails made of the files that go (core/thumbnails.py), with their rows."""
    rows = FileDisplay.objects.filter(name__in=names)
    thumbnails = list(rows.exclude(thumbnail="").values_list("thumbnail", flat=True))
    found = Found(rows=rows.count(), files=thumbnails)
    if execute:
        rows.delete()
    return found


def _run_steps(scope: PurgeScope, result: ProjectPurge, *, execute: bool) -> None:
    for step in SCRUB_STEPS:
        result.found[step.label] = step.run(scope, execute)
    names = [name for f in result.found.values() for name in f.files]
    result.found[THUMBNAILS] = _thumbnails(names, execute)


def purge_plan(*, projects: list[ExamProject], today: datetime.date) -> list[ProjectPurge]:
    """A dry run over `projects` in order: what the purge would delete and clear, changing
    nothing. A candidate of several projects counts under the first (where a real run would
    anonymise them). Raises ProjectOpen for an open project."""
    results = []
    seen: frozenset[int] = frozenset()
    for project in projects:
        scope = purge_scope(project=project, today=today, skip_candidates=seen)
        seen = seen | set(scope.candidate_ids) | set(scope.photo_candidate_ids)
        result = ProjectPurge(project=project)
        _run_steps(scope, result, execute=False)
        results.append(result)
    return results


def project_purge(*, project: ExamProject, today: datetime.date) -> ProjectPurge:
    """Purge `project`'s personal data past its period on `today`: the rows in one
    transaction with one audit log row (counts per kind), then the files. Raises ProjectOpen
    for an open project; nothing past its period: no change, no log row."""
    result = ProjectPurge(project=project)
    with transaction.atomic():
        locked = ExamProject.objects.select_for_update().get(pk=project.pk)
        scope = purge_scope(project=locked, today=today)
        _run_steps(scope, result, execute=True)
        if result.is_empty:
            return result
        province = Institution.objects.filter(tier=Tier.PROVINCE).order_by("pk").first()
        log_action(
            action=LOG_RETENTION_PURGED,
            actor=None,
            # The province's row, as a project's settings change is: its staff find it in
            # 审核日志 (review/admin/logs.py shows an institution its own rows).
            subject=province,
            data={
                **entry_data(
                    institution=province,
                    remark=f"{locked.name}：删除文件 {result.files} 个，"
                    f"清除或匿名化记录 {result.rows} 条",
                ),
                "project": locked.pk,
                "today": today.isoformat(),
                "applications": len(scope.application_ids),
                "candidates": len(scope.candidate_ids),
                "counts": result.counts(),
            },
        )
        names = sorted({name for f in result.found.values() for name in f.files})
        transaction.on_commit(lambda: result.failed_files.extend(_delete_files(names)))
    return result


def _delete_files(names: list[str]) -> list[str]:
    """Delete each stored name from the default storage (S3 in production); the names that
    could not be deleted."""
    failed = []
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:  # one file's failure must not keep the others
            logger.exception("retention purge could not delete a stored file")
            failed.append(name)
    return failed


def projects_to_purge(*, today: datetime.date) -> list[ExamProject]:
    """The projects the purge looks at without `--project`: every closed one, oldest first."""
    projects = ExamProject.objects.exclude(closed_at=None).order_by("closed_at", "pk")
    return [p for p in projects if not retention.is_open(p, today=today)]
