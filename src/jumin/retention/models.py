from __future__ import annotations

from django.db import models
from django.utils import timezone


class RetentionRun(models.Model):
    """One rule's run: when, what came of it, and how many records of each kind were deleted
    (the statistics kept of every purge; no personal item)."""

    class Outcome(models.TextChoices):
        DONE = "done", "完了"
        SKIPPED = "skipped", "未実行"
        FAILED = "failed", "エラー"

    rule = models.CharField("規則", max_length=40)
    started_at = models.DateTimeField("開始日時", default=timezone.now)
    finished_at = models.DateTimeField("終了日時", null=True, blank=True)
    outcome = models.CharField("結果", max_length=10, choices=Outcome.choices)
    counts = models.JSONField("消去件数", default=dict, blank=True)
    note = models.CharField("備考", max_length=200, blank=True)

    class Meta:
        verbose_name = "保存期間による消去の実行"
        indexes = [models.Index(fields=["rule", "started_at"], name="retention_run_rule")]

    def __str__(self) -> str:
        return f"{self.rule} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"
