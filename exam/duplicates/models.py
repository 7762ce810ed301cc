"""What 查重 found: one row per pair of applications and pair of items (files or texts)."""

from django.db import models


class MatchKind(models.TextChoices):
    FILE_SAME = "file_same", "相同文件"
    FILE_NEAR = "file_near", "相似图片"
    TEXT = "text", "相似文字"


class Match(models.Model):
    """A pair of items on two different candidates' applications that look copied.

    Stored once per pair, with `application_id < other_application_id`; a detail page reads
    the rows on either side. `ref` names the item (e.g. "attachment:12", "case:5") so
    re-fingerprinting an item replaces its rows and nothing else.
    """

    kind = models.CharField("类型", max_length=16, choices=MatchKind.choices)
    application = models.ForeignKey(
        "exam.Application",
        verbose_name="报名",
        on_delete=models.CASCADE,
        related_name="duplicate_matches",
    )
    other_application = models.ForeignKey(
        "exam.Application",
        verbose_name="另一报名",
        on_delete=models.CASCADE,
        related_name="duplicate_matches_other",
    )
    ref = models.CharField("本方条目", max_length=64)
    other_ref = models.CharField("对方条目", max_length=64)
    label = models.CharField("本方条目名称", max_length=128)
    other_label = models.CharField("对方条目名称", max_length=128)
    similarity = models.PositiveSmallIntegerField("相似度（%）")
    detail = models.JSONField("详情", default=dict, blank=True)  # e.g. passages side by side
    found_at = models.DateTimeField("发现时间", auto_now_add=True)

    class Meta:
        verbose_name = "查重结果"
        verbose_name_plural = "查重结果"
        constraints = [
            models.UniqueConstraint(fields=["kind", "ref", "other_ref"], name="dup_match_pair"),
            models.CheckConstraint(
                condition=models.Q(application__lt=models.F("other_application")),
                name="dup_match_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["other_application"], name="dup_match_other"),
            models.Index(fields=["kind", "-similarity"], name="dup_match_kind_sim"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.similarity}%"


class DuplicateSettings(models.Model):
    """A project's 查重 settings (the province sets them on the 考试项目)."""

    project = models.OneToOneField(
        "exam.ExamProject",
        verbose_name="考试项目",
        on_delete=models.CASCADE,
        related_name="duplicate_settings",
    )
    text_threshold = models.PositiveSmallIntegerField(
        "文字相似度阈值（%）",
        default=80,
        help_text="医案、医术专长综述、跟师/实践经历与其他考生的相似度达到此值时标记。",
    )

    class Meta:
        verbose_name = "查重设置"
        verbose_name_plural = "查重设置"

    def __str__(self) -> str:
        return f"{self.project}：{self.text_threshold}%"


class FileFingerprint(models.Model):
    """The content hash of one uploaded certificate file and, for an image, its perceptual
    hash (exam/duplicates/files.py). One row per item (`ref`, e.g. "attachment:12"); the
    four 16-bit bands of the perceptual hash are indexed so a near-duplicate lookup reads a
    few candidate rows, never the whole table."""

    application = models.ForeignKey(
        "exam.Application",
        verbose_name="报名",
        on_delete=models.CASCADE,
        related_name="file_fingerprints",
    )
    candidate_id = models.BigIntegerField(
        "考生", db_index=False
    )  # a candidate's own files never match
    ref = models.CharField("条目", max_length=64, unique=True)
    label = models.CharField("条目名称", max_length=128)
    file_name = models.CharField("文件", max_length=255)
    sha256 = models.CharField("内容哈希", max_length=64, db_index=True)
    phash = models.CharField("感知哈希", max_length=16, blank=True)  # 64 bits, hex; "" for a PDF
    band0 = models.PositiveIntegerField(null=True)
    band1 = models.PositiveIntegerField(null=True)
    band2 = models.PositiveIntegerField(null=True)
    band3 = models.PositiveIntegerField(null=True)
    computed_at = models.DateTimeField("计算时间", auto_now=True)

    class Meta:
        verbose_name = "文件指纹"
        verbose_name_plural = "文件指纹"
        # On PostgreSQL each band's index also carries what the lookup reads (an index-only
        # scan, no table rows); elsewhere `include` is ignored.
        indexes = [
            models.Index(
                fields=[f"band{i}"], include=["id", "phash", "candidate_id"], name=f"dup_fp_band{i}"
            )
            for i in range(4)
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.sha256[:12]}"


class TextKind(models.TextChoices):
    """Texts are compared only with texts of the same kind in the same project."""

    CASE = "case", "医案"
    EXPERTISE = "expertise", "医术专长综述"
    EXPERIENCE = "experience", "跟师/实践经历"


class TextFingerprint(models.Model):
    """The MinHash signature of one text (a 医案 or a narrative section), shared by every web
    and worker machine: exam/duplicates/texts.py writes it when the text is saved."""

    ref = models.CharField("条目", max_length=64, unique=True)  # "case:5", "section:12"
    application = models.ForeignKey(
        "exam.Application", verbose_name="报名", on_delete=models.CASCADE, related_name="+"
    )
    project = models.ForeignKey(
        "exam.ExamProject", verbose_name="考试项目", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField("类型", max_length=16, choices=TextKind.choices)
    label = models.CharField("名称", max_length=128)
    # NUM_PERM unsigned 32-bit minima, little-endian (texts.SIGNATURE_DTYPE).
    signature = models.BinaryField("签名")
    digest = models.CharField("文字摘要", max_length=64)  # unchanged text: nothing to redo
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "文字指纹"
        verbose_name_plural = "文字指纹"
        indexes = [models.Index(fields=["project", "kind"], name="dup_text_project_kind")]

    def __str__(self) -> str:
        return self.ref


class TextBand(models.Model):
    """One LSH band of a fingerprint: two texts sharing a band key are compared. Project,
    kind and application are copied here so a look-up reads this table's index alone."""

    fingerprint = models.ForeignKey(
        TextFingerprint, verbose_name="文字指纹", on_delete=models.CASCADE, related_name="bands"
    )
    project_id = models.BigIntegerField("考试项目")
    application_id = models.BigIntegerField("报名")
    kind = models.CharField("类型", max_length=16, choices=TextKind.choices)
    key = models.BigIntegerField("分段键")  # 64 bits of a hash of (band number, its minima)

    class Meta:
        verbose_name = "文字指纹分段"
        verbose_name_plural = "文字指纹分段"
        indexes = [
            models.Index(fields=["project_id", "kind", "key"], name="dup_band_lookup"),
        ]

    def __str__(self) -> str:
        return f"{self.fingerprint_id}:{self.key}"
