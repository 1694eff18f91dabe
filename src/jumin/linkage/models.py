"""The outbox to linked systems (DESIGN.md §6, docs/linkage.md).

One table for every outbound effect: a 本登録's history rows (``movement``, ``atena_no``,
``history_no``) and a block's set or release (``block``, ``scope``, ``target_no``), written in the
transaction of the decision that caused it.  Ordered per destination by ``seq`` (the serial
``outbox:<destination>`` of ``registry.numbers``), idempotent by key.  No personal data is
copied: the consumer reads the history row or the block at delivery time."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils import timezone


class DeliveryState(models.Model):
    """The delivery state of one row of a queue to a peer (a telegram, a 送付先情報 row, a card
    event): what :func:`jumin.linkage.delivery.deliver` reads and writes, the same for every
    queue, so one loop, one retry policy and one operator screen serve them all."""

    class State(models.TextChoices):
        PENDING = "pending", "未送信"
        SENT = "sent", "送信済"
        FAILED = "failed", "送信エラー"

    state = models.CharField("状態", max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField("送信回数", default=0)
    next_attempt_at = models.DateTimeField("次回送信", null=True, blank=True)
    last_error = models.CharField("最後のエラー", max_length=200, blank=True)
    sent_at = models.DateTimeField("送信日時", null=True, blank=True)

    WAITING = (State.PENDING, State.FAILED)

    class Meta:
        abstract = True

    def is_due(self, now: datetime) -> bool:
        return self.next_attempt_at is None or self.next_attempt_at <= now

    def mark_sent(self, answer: str, now: datetime) -> None:
        """Delivered: ``answer`` is the peer's (``accepted`` / ``already_received``)."""
        self.attempts += 1
        self.state = self.State.SENT
        self.sent_at = now
        self.next_attempt_at = None
        self.last_error = "" if answer == "accepted" else answer[:200]
        self.save(update_fields=["attempts", "state", "sent_at", "next_attempt_at", "last_error"])

    def mark_failed(self, code: str, next_attempt_at: datetime) -> None:
        self.attempts += 1
        self.state = self.State.FAILED
        self.last_error = code[:200]
        self.next_attempt_at = next_attempt_at
        self.save(update_fields=["attempts", "state", "last_error", "next_attempt_at"])


class OutboxMessage(models.Model):
    class Destination(models.TextChoices):
        JUKINET_CS = "jukinet_cs", "住基ネットCS"
        ATENA = "atena", "宛名システム"
        PROVISION_COPY = "provision_copy", "団体内統合宛名（副本）"
        KONBINI = "konbini", "コンビニ交付"
        FUHYO = "fuhyo", "戸籍附票システム"
        IMMIGRATION = "immigration", "出入国在留管理庁"

    class State(models.TextChoices):
        PENDING = "pending", "未送信"
        SENT = "sent", "送信済"
        FAILED = "failed", "送信エラー"

    destination = models.CharField(max_length=20, choices=Destination.choices)
    seq = models.BigIntegerField("送信順")
    idempotency_key = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=40)
    # a 本登録's history row …
    movement = models.ForeignKey(
        "registry.Movement", on_delete=models.PROTECT, related_name="outbox", null=True, blank=True
    )
    atena_no = models.CharField(max_length=20, blank=True)
    history_no = models.PositiveIntegerField(null=True, blank=True)
    # … or a block's set / release
    block = models.ForeignKey(
        "protection.Block", on_delete=models.PROTECT, related_name="outbox", null=True, blank=True
    )
    scope = models.CharField(max_length=10, blank=True)
    target_no = models.CharField(max_length=20, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["destination", "seq"], name="linkage_outbox_order"),
            models.CheckConstraint(
                condition=models.Q(movement__isnull=True) | models.Q(block__isnull=True),
                name="linkage_outbox_one_source",
            ),
        ]
        indexes = [models.Index(fields=["destination", "state", "seq"], name="linkage_outbox_queue")]

    def __str__(self) -> str:
        return f"{self.destination}#{self.seq} {self.kind}"


class UnifiedCharacter(models.Model):
    """One row of the 住基ネット統一文字 conversion table (spec 7.1.1.1, docs/jukinet.md "統一文字"),
    shared by every message to J-LIS (本人確認情報, 転入通知, 転出証明書情報, 送付先情報).

    ``substitute`` empty: ``char`` is in the 統一文字 set (the extension beyond JIS X 0208);
    otherwise ``char`` is sent as ``substitute`` (its 代替文字).  ``source`` ``seed`` rows are the
    shipped seed (``data/unified_characters.csv``), ``official`` rows the operator's load of the
    J-LIS table, which wins over the seed."""

    class Source(models.TextChoices):
        SEED = "seed", "同梱の初期データ"
        OFFICIAL = "official", "運用者が読み込んだ表"

    char = models.CharField("文字", max_length=8, unique=True)
    substitute = models.CharField("代替文字", max_length=1, blank=True)
    source = models.CharField("出典", max_length=10, choices=Source.choices, default=Source.SEED)
    note = models.CharField("備考", max_length=100, blank=True)
    loaded_at = models.DateTimeField("読込日時", default=timezone.now)

    class Meta:
        verbose_name = "住基ネット統一文字変換表"

    def __str__(self) -> str:
        return f"{self.char}→{self.substitute or '（統一文字）'}"
