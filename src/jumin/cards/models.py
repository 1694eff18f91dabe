"""Tables of 個人番号カード work.

``DeliveryInfo`` is the 送付先情報ファイル of the assessment (file (3), 67 items): one row per
person to whom J-LIS mails a 個人番号通知書 / 交付申請書.  Items 1–49 and 51–67 are kept in
``items`` (item number as text → value, the table in :mod:`jumin.cards.items`); item 50, the
個人番号, only sealed in ``individual_number_ct`` (AES-GCM, the registry's key and associated
data).  A row is deleted one business day after it was sent (``purge_sent``): nothing is kept,
no backup copy.

``CardEvent`` is the append-only history of card status events (交付, 廃止, 回収, 一時停止,
解除, 返還; assessment system 1 function 13, system 2 function 8).  The current state of a
person's card is derived from it (``card_status_of``); the registry projection is not touched,
because it must stay rebuildable from the register's own history rows.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from jumin.linkage.models import DeliveryState


class DeliveryReason(models.TextChoices):
    BIRTH = "birth", "出生による個人番号の指定"
    NEW_RESIDENT = "new_resident", "住民となった者への個人番号の指定"
    NUMBER_CHANGE = "number_change", "個人番号の指定・変更"
    REQUEST = "request", "申出（交付申請書の再送付等）"


class DeliveryInfo(DeliveryState):
    management_no = models.CharField("送付先管理番号", max_length=30, unique=True)
    atena_no = models.CharField("宛名番号", max_length=20, db_index=True)
    history_no = models.PositiveIntegerField("作成元の履歴番号", null=True, blank=True)
    reason = models.CharField("作成事由", max_length=20, choices=DeliveryReason.choices)
    items = models.JSONField("送付先情報（項目番号→値、50 個人番号を除く）")
    individual_number_ct = models.CharField("個人番号（暗号化）", max_length=120, blank=True)
    built_at = models.DateTimeField("作成日時", default=timezone.now)

    class Meta:
        verbose_name = "送付先情報"
        indexes = [models.Index(fields=["state", "sent_at"], name="cards_delivery_state")]

    def __str__(self) -> str:
        return f"送付先情報 {self.management_no} ({self.state})"


class DeliveryCursor(models.Model):
    """How far the builder has read the registry outbox (``jukinet_cs`` rows, by ``seq``).

    The outbox serials of a destination are reserved under a row lock held to the end of the
    本登録 transaction, so they become visible in order and a watermark misses none."""

    name = models.CharField(max_length=40, unique=True)
    last_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_seq}"


class CardKind(models.TextChoices):
    INDIVIDUAL_NUMBER = "individual_number", "個人番号カード"
    JUKI = "juki", "住民基本台帳カード"


class CardEventKind(models.TextChoices):
    ISSUE = "issue", "交付"
    ABOLISH = "abolish", "廃止"
    COLLECT = "collect", "回収"
    SUSPEND = "suspend", "一時停止"
    RESUME = "resume", "一時停止解除"
    RETURN = "return", "返還"


class CardEventSource(models.TextChoices):
    COUNTER = "counter", "窓口"
    JLIS = "jlis", "個人番号カード管理システム"
    MIGRATION = "migration", "移行"


class CardEvent(models.Model):
    """One card status event; rows are never changed or deleted (DB triggers)."""

    atena_no = models.CharField("宛名番号", max_length=20)
    card_kind = models.CharField(
        "カードの種類", max_length=20, choices=CardKind.choices, default=CardKind.INDIVIDUAL_NUMBER
    )
    event = models.CharField("事象", max_length=10, choices=CardEventKind.choices)
    occurred_on = models.DateField("事象の年月日")
    source = models.CharField("連携元", max_length=10, choices=CardEventSource.choices)
    status_after = models.CharField("事象後の状況", max_length=20)
    note = models.CharField("備考", max_length=200, blank=True)
    operator = models.CharField("操作者", max_length=150, blank=True)
    terminal = models.CharField("操作端末", max_length=20, blank=True)
    recorded_at = models.DateTimeField("記録日時", default=timezone.now)

    class Meta:
        verbose_name = "カード状況の事象"
        indexes = [models.Index(fields=["atena_no", "card_kind", "id"], name="cards_event_person")]

    def __str__(self) -> str:
        return f"{self.atena_no} {self.card_kind} {self.event} {self.occurred_on}"


class CardEventDelivery(DeliveryState):
    """The delivery state of one counter event to the J-LIS card management system (assessment
    system 2 function 8), beside the append-only ``CardEvent``: written in the event's
    transaction, sent in event order by ``send_card_events``."""

    event = models.OneToOneField(CardEvent, on_delete=models.PROTECT, related_name="delivery")

    class Meta:
        verbose_name = "カード事象の送信状況"
        indexes = [models.Index(fields=["state", "event"], name="cards_eventdelivery_queue")]

    def __str__(self) -> str:
        return f"{self.event_id} {self.state}"


class ReceivedCardEvent(models.Model):
    """A card event received from J-LIS, kept once per ``event_id`` (a re-delivery is
    recognised): recorded as a ``CardEvent`` (source ``jlis``) or refused with a code."""

    class State(models.TextChoices):
        RECORDED = "recorded", "記録済"
        REFUSED = "refused", "記録できず"

    event_id = models.CharField("事象番号", max_length=100, unique=True)
    received_at = models.DateTimeField("受信日時", default=timezone.now)
    state = models.CharField("状態", max_length=10, choices=State.choices)
    error_code = models.CharField("エラー", max_length=60, blank=True)
    recorded = models.OneToOneField(
        CardEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="received_from"
    )

    class Meta:
        verbose_name = "受信したカード事象"

    def __str__(self) -> str:
        return f"{self.event_id} {self.state}"
