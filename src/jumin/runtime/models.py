"""The record of the worker's runs: one row per run of a scheduled job (docs/operations.md).

A run is written when it starts (``running``) and completed when it ends (``ok`` or
``failed``); a run cut off by a stopped worker stays ``running`` until the next worker that
takes the job's lock marks it ``interrupted``.  ``output`` holds the command's own summary
(counts, no personal data) or the error, with 11- and 12-digit runs masked, cut to
``OUTPUT_LIMIT`` characters."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

OUTPUT_LIMIT = 4000


class JobRun(models.Model):
    class Result(models.TextChoices):
        RUNNING = "running", "実行中"
        OK = "ok", "正常終了"
        FAILED = "failed", "異常終了"
        INTERRUPTED = "interrupted", "中断"

    job = models.CharField("処理", max_length=60)
    worker = models.CharField("ワーカー（ホスト名:プロセス番号）", max_length=120)
    started_at = models.DateTimeField("開始日時", default=timezone.now)
    finished_at = models.DateTimeField("終了日時", null=True, blank=True)
    result = models.CharField("結果", max_length=12, choices=Result.choices, default=Result.RUNNING)
    output = models.TextField("出力", max_length=OUTPUT_LIMIT, blank=True)

    class Meta:
        verbose_name = "定時処理の実行"
        indexes = [models.Index(fields=["job", "-started_at"], name="runtime_jobrun_latest")]

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M:%S} {self.result}"


class KeyFingerprint(models.Model):
    """Which keys the database was written with: HMAC-SHA256 of a fixed text under each key
    that data depends on (``data_key`` seals 個人番号, ``lookup_key`` finds them, ``audit_key``
    chains the logs).  Recorded by the first ready check; a process started with other keys
    (a new server given no keys, so it generated its own) is not ready.  The fingerprint
    reveals nothing of the key (a MAC of a public text)."""

    name = models.CharField("鍵", max_length=40, unique=True)
    fingerprint = models.CharField("指紋", max_length=64)
    recorded_at = models.DateTimeField("記録日時", default=timezone.now)

    class Meta:
        verbose_name = "鍵の指紋"

    def __str__(self) -> str:
        return self.name
