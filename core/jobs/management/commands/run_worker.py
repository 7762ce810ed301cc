"""Run the background-job worker: django-tasks-db's `db_worker` (same options) that
survives a database restart instead of exiting (core/jobs/worker.py), and beats while idle
too so that /health/ can tell a running worker from none (core/jobs/worker_beat.py)."""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from core.jobs.worker import run_resilient
from core.jobs.worker_beat import WorkerBeatThread


class Command(DbWorkerCommand):
    help = "运行后台任务进程（django-tasks-db 的 db_worker；数据库重启后自动重连，不退出）"

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--max-backoff",
            type=float,
            default=30.0,
            help="数据库不可用时两次重试之间最长等待秒数",
        )
        # The autoreloader runs the worker in a thread of a child process, out of reach of
        # the reconnect loop: a service runs without it (pass --reload to develop).
        parser.set_defaults(reload=False)

    # Our one option, then the parent's keyword options passed on as they came.
    def handle(self, *args, max_backoff: float, **options) -> None:  # type: ignore[override]
        with WorkerBeatThread():
            run_resilient(
                lambda: super(Command, self).handle(*args, **options), max_backoff=max_backoff
            )
