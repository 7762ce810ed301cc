"""The job worker's own heartbeat (core/jobs/worker_beat.py): written while idle, removed
when the worker stops, and what /health/ calls "the worker is alive"."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from core.jobs.models import Job, WorkerBeat
from core.jobs.worker_beat import WorkerBeatThread, worker_alive, worker_beat_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_fresh_beat_is_alive_a_stale_one_is_not(settings):
    now = timezone.now()
    assert worker_alive(now=now) is False  # no worker ever
    worker_beat_record(name="host:1", now=now - timedelta(seconds=10))
    assert worker_alive(now=now) is True
    later = now + timedelta(seconds=settings.JOB_DEAD_AFTER_SECONDS)
    assert worker_alive(now=later) is False


def test_a_running_job_that_still_beats_speaks_for_its_worker(settings):
    now = timezone.now()
    job = Job.objects.create(
        owner=UserFactory(),
        kind=Job.Kind.EXPORT,
        subject="review.reviewapplication",
        label="导出",
        status=Job.Status.RUNNING,
        started_at=now - timedelta(minutes=10),
        updated_at=now - timedelta(minutes=10),
        heartbeat_at=now - timedelta(seconds=5),
    )
    assert worker_alive(now=now) is True
    job.heartbeat_at = now - timedelta(seconds=settings.JOB_DEAD_AFTER_SECONDS + 1)
    job.save()
    assert worker_alive(now=now) is False


@pytest.mark.django_db(transaction=True)
def test_the_thread_beats_while_idle_and_removes_its_row_when_stopped():
    WorkerBeat.objects.create(worker="gone:1", beat_at=timezone.now() - timedelta(days=2))
    with WorkerBeatThread(every=0.05) as beating:
        deadline = time.monotonic() + 10
        beats = set()
        while len(beats) < 3 and time.monotonic() < deadline:
            row = WorkerBeat.objects.filter(worker=beating.name).first()
            if row is not None:
                beats.add(row.beat_at)
            time.sleep(0.02)
        assert len(beats) >= 3, "the idle worker beat again and again"
        assert worker_alive()
    assert not WorkerBeat.objects.filter(worker=beating.name).exists()
    # A worker gone for more than a day is forgotten when another starts.
    assert not WorkerBeat.objects.filter(worker="gone:1").exists()
