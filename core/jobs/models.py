"""A background job: one large export or import, or another long task (re-evaluating a
project's 报考条件, previewing a change of its rules), asked for by one user."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Job(models.Model):
    class Kind(models.TextChoices):
        EXPORT = "export", "导出"
        IMPORT = "import", "导入"
        ELIGIBILITY = "eligibility", "重新判断报考条件"
        RULES_PREVIEW = "rules_preview", "预览报考条件修改"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提交人", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    # Which export or import (or other task's subject): the admin model's label
    # ("review.reviewapplication").
    subject = models.CharField("对象", max_length=100)
    label = models.CharField("任务", max_length=200)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    phase = models.CharField("阶段", max_length=32, blank=True)
    progress_done = models.PositiveIntegerField("已处理", default=0)
    progress_total = models.PositiveIntegerField("总数", default=0)
    # What the task needs to redo the request's work: filter query string, upload path,
    # import format and options. Never the rows themselves.
    params = models.JSONField("参数", default=dict, blank=True)
    result_file = models.FileField("结果文件", upload_to="jobs/%Y/%m/", blank=True, max_length=255)
    result_name = models.CharField("下载文件名", max_length=255, blank=True)
    # An import's new/update/skip; a re-evaluation's created/updated/unchanged; a rules
    # preview's 3×3 moves and the ids of the first moved applications.
    counts = models.JSONField("统计", default=dict, blank=True)
    # A failed import: [{"row": 5, "column": "证件号码", "message": "…"}]
    errors = models.JSONField("错误", default=list, blank=True)
    message = models.TextField("说明", blank=True)
    task_id = models.CharField("任务编号", max_length=64, blank=True)
    created_at = models.DateTimeField("提交时间", default=timezone.now, db_index=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    updated_at = models.DateTimeField("最近更新", default=timezone.now)
    # The running task's sign of life (a thread beats every JOB_HEARTBEAT_SECONDS): older
    # than JOB_DEAD_AFTER_SECONDS means its worker died (services.jobs_fail_dead).
    heartbeat_at = models.DateTimeField("心跳时间", null=True, blank=True)
    # Failed because its worker or the database went away, not because of its input: it
    # can be started again (重新开始) with the same parameters.
    interrupted = models.BooleanField("已中断", default=False)
    retry_of = models.ForeignKey(
        "self",
        verbose_name="重新开始自",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="retries",
    )
    expires_at = models.DateTimeField("过期时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "我的任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="job_owner_recent")]

    def __str__(self) -> str:
        return self.label

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def verb(self) -> str:
        """What the job does, in the messages about it ("导出中断：…")."""
        return JOB_VERBS.get(self.kind, self.get_kind_display())

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


JOB_VERBS: dict[str, str] = {
    Job.Kind.EXPORT: "导出",
    Job.Kind.IMPORT: "导入",
    Job.Kind.ELIGIBILITY: "重新判断",
    Job.Kind.RULES_PREVIEW: "预览",
}

# The job's status badge on the list and on the job's page.
JOB_STATUS_COLOURS: dict[str, str] = {
    Job.Status.QUEUED: "info",
    Job.Status.RUNNING: "warning",
    Job.Status.DONE: "success",
    Job.Status.FAILED: "danger",
}


class WorkerBeat(models.Model):
    """One running `manage.py run_worker` process's sign of life, busy or idle: a thread
    of the process updates its row every JOB_HEARTBEAT_SECONDS (core/jobs/worker_beat.py).
    /health/ reports the worker down when no row is fresher than JOB_DEAD_AFTER_SECONDS."""

    worker = models.CharField("进程", max_length=255, unique=True)  # host:pid
    beat_at = models.DateTimeField("心跳时间", db_index=True)

    class Meta:
        verbose_name = "后台任务进程心跳"
        verbose_name_plural = "后台任务进程心跳"

    def __str__(self) -> str:
        return self.worker
