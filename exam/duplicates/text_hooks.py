"""When a candidate saves a 医案 or a narrative section, its 查重 runs once the save has
committed: right away for an ordinary text, in a background task (django-tasks, the
project's worker) for a long one. Nothing here can fail the candidate's save: a failure is
logged, and the next save or `manage.py duplicates_rebuild` indexes the text again."""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django_tasks import task

from exam.duplicates.texts import (
    CASE_FIELDS,
    SECTION_TEXTS,
    case_ref,
    section_ref,
    text_check_safely,
    texts_rematch_project,
)

logger = logging.getLogger(__name__)

# Texts longer than this (characters, all fields) are checked by the worker, not the request.
BACKGROUND_CHARS = 8000


@task()
def text_check_task(ref: str) -> None:
    text_check_safely(ref)


def _enqueue(ref: str) -> None:
    try:
        text_check_task.enqueue(ref)
    except Exception:
        logger.exception("查重：文字 %s 未能加入后台任务", ref)


def _after_commit(ref: str, length: int) -> None:
    run = _enqueue if length > BACKGROUND_CHARS else text_check_safely
    transaction.on_commit(partial(run, ref), robust=True)


def case_record_saved(record) -> None:
    """exam.attachment_writes.case_record_save calls this after saving `record`."""
    length = sum(len(getattr(record, name) or "") for name in CASE_FIELDS)
    _after_commit(case_ref(record.pk), length)


def section_saved(section) -> None:
    """exam.services.section_save calls this after saving `section`."""
    if section.code not in SECTION_TEXTS:
        return
    data = section.data if isinstance(section.data, dict) else {}
    keys = SECTION_TEXTS[section.code][2]
    length = sum(len(v) for k in keys if isinstance(v := data.get(k), str))
    _after_commit(section_ref(section.pk), length)


@task()
def texts_rematch_task(project_id: int) -> None:
    try:
        texts_rematch_project(project_id=project_id)
    except Exception:
        logger.exception("查重：考试项目 %s 未能重新比对文字", project_id)


def rematch_on_commit(project_id: int) -> None:
    """A project's threshold changed: its text matches are found again by the worker."""

    def send() -> None:
        try:
            texts_rematch_task.enqueue(project_id)
        except Exception:
            logger.exception("查重：考试项目 %s 的重新比对未能加入后台任务", project_id)

    transaction.on_commit(send, robust=True)
