"""出入国在留管理庁 (法務大臣) notices both ways (住基法30条の50, 入管法61条の8の2; docs/immigration.md).

:class:`SentNotice` is one 市町村通知 to 出入国在留管理庁, built from an outbox row of the
``immigration`` destination and delivered in ``seq`` order by the one send loop of
``jumin.linkage.delivery``.  :class:`ReceivedNotice` is one 法務省通知 received from it, kept
once per ``notice_id`` with what became of it (a 仮登録 waiting for a person's check, applied,
or left on the 取込エラー一覧)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from jumin.linkage.models import DeliveryState


class SentNotice(DeliveryState):
    """One 市町村通知 (a foreign resident's 住居地・4情報 changed or the record removed)."""

    class Kind(models.TextChoices):
        RECORD = "record", "記載"
        ADDRESS = "address", "住居地の変更"
        IDENTITY = "identity", "氏名・生年月日・性別・国籍等の変更"
        REMOVE = "remove", "消除"

    seq = models.BigIntegerField("通知順", unique=True)
    idempotency_key = models.CharField(max_length=80, unique=True)
    kind = models.CharField("通知の種類", max_length=10, choices=Kind.choices)
    atena_no = models.CharField("宛名番号", max_length=20)
    history_no = models.PositiveIntegerField("履歴番号")
    body = models.JSONField("通知の内容")
    created_at = models.DateTimeField("作成日時", default=timezone.now)

    class Meta:
        verbose_name = "市町村通知（出入国在留管理庁）"
        indexes = [models.Index(fields=["state", "seq"], name="immigration_sent_queue")]

    def __str__(self) -> str:
        return f"市町村通知 {self.seq} {self.state}"


class ReceivedNotice(models.Model):
    """One 法務省通知 (住基法30条の50) received from 出入国在留管理庁."""

    class Kind(models.TextChoices):
        STATUS = "status", "在留資格・在留期間の変更"
        CARD = "card", "在留カード等の番号の変更"
        IDENTITY = "identity", "氏名・国籍等の変更"
        DEPARTURE = "departure", "出国"
        EXPIRY = "expiry", "在留期間の経過"

    class State(models.TextChoices):
        QUEUED = "queued", "審査待ち"
        APPLIED = "applied", "反映済"
        UNMATCHED = "unmatched", "該当者なし"
        INVALID = "invalid", "形式誤り"

    notice_id = models.CharField("通知番号", max_length=100, unique=True)
    kind = models.CharField("通知の種類", max_length=10, choices=Kind.choices, blank=True)
    received_at = models.DateTimeField("受信日時", default=timezone.now)
    state = models.CharField("状態", max_length=10, choices=State.choices)
    error_code = models.CharField("エラー", max_length=60, blank=True)
    atena_no = models.CharField("宛名番号", max_length=20, blank=True)
    history_no = models.PositiveIntegerField("記録した履歴番号", null=True, blank=True)
    movement = models.ForeignKey(
        "registry.Movement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="記録する異動（仮登録）",
    )
    payload = models.JSONField("通知の内容")

    class Meta:
        verbose_name = "受信した法務省通知"
        indexes = [models.Index(fields=["state", "received_at"], name="immigration_received_state")]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.state}"
