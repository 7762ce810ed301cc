"""The audit log's job.* codes: background jobs the system or a reviewer interrupted or
restarted."""

from core.audit import register_actions

LOG_JOB_INTERRUPTED = "job.interrupted"
LOG_JOB_RESTARTED = "job.restarted"

LABELS: dict[str, str] = {
    LOG_JOB_INTERRUPTED: "后台任务中断",
    LOG_JOB_RESTARTED: "重新开始后台任务",
}


def register() -> None:
    register_actions(LABELS)
