"""Files a candidate has uploaded but not yet attached to anything (暂存文件).

A form with an error is shown again with what was typed; a browser cannot refill a file
input, so a valid file is kept here the moment it arrives and the form carries a signed
reference to it. Saving the section moves it to its material or attachment.
"""

from django.db import models


def staged_upload_path(instance: "StagedUpload", filename: str) -> str:
    return f"staged/{instance.candidate_id}/{filename}"


class StagedUpload(models.Model):
    candidate = models.ForeignKey(
        "people.Candidate",
        verbose_name="考生",
        on_delete=models.CASCADE,
        related_name="staged_uploads",
    )
    file = models.FileField("文件", upload_to=staged_upload_path)
    original_name = models.CharField("原文件名", max_length=255)
    content_type = models.CharField("文件类型", max_length=64)
    size = models.PositiveIntegerField("大小（字节）")
    created_at = models.DateTimeField("上传时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "暂存文件"
        verbose_name_plural = "暂存文件"

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
