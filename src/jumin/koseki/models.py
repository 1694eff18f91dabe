"""戸籍の附票 linkage (spec 7.2.4) and the 本籍地's notices (住基法9条2項): docs/koseki.md.

* :class:`FuhyoNotice` — a 附票記載事項通知 we send to a 本籍地 (one ordered stream per 本籍地,
  a :class:`~jumin.linkage.models.DeliveryState` row sent by the one send loop), or recorded
  directly in our own 附票 when the 本籍 is ours (管内本籍: ``destination`` = our code, sent at once).
* :class:`FuhyoRecord` / :class:`FuhyoEntry` — our own 戸籍の附票 (the 附票 of the persons whose
  本籍 is ours): the current 住所 and its history, from our own 本登録 and from the notices of
  other municipalities.
* :class:`ReceivedKosekiNotice` — a 住民票記載事項通知 from the 本籍地 (戸籍 changes), entered as a
  reviewed 仮登録 of a 職権修正.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from jumin.linkage.models import DeliveryState


class FuhyoCursor(models.Model):
    """How far the FUHYO outbox has been read (one row)."""

    name = models.CharField(max_length=40, unique=True)
    last_seq = models.BigIntegerField(default=0)
    synced_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name}#{self.last_seq}"


class FuhyoNotice(DeliveryState):
    """One 附票記載事項通知 of one 本登録 history row to the 本籍地 ``destination`` (団体コード)."""

    destination = models.CharField("本籍地（団体コード）", max_length=6)
    seq = models.BigIntegerField("更新順番号")
    idempotency_key = models.CharField(max_length=80, unique=True)
    kind = models.CharField("通知の種類", max_length=20)
    atena_no = models.CharField("宛名番号", max_length=20)
    history_no = models.PositiveIntegerField("履歴番号")
    local = models.BooleanField("管内本籍", default=False)
    body = models.JSONField("通知の内容")
    created_at = models.DateTimeField("作成日時", default=timezone.now)

    class Meta:
        verbose_name = "附票記載事項通知"
        constraints = [models.UniqueConstraint(fields=["destination", "seq"], name="koseki_fuhyo_order")]
        indexes = [models.Index(fields=["state", "destination", "seq"], name="koseki_fuhyo_queue")]

    def __str__(self) -> str:
        return f"{self.destination}#{self.seq} {self.kind}"


class FuhyoRecord(models.Model):
    """The 戸籍の附票 of one person whose 本籍 is ours: the 住所 as last notified."""

    person_key = models.CharField("附票の個人キー", max_length=120, unique=True)
    honseki = models.CharField("本籍", max_length=200)
    koseki_head = models.CharField("筆頭者", max_length=100, blank=True)
    name = models.CharField("氏名", max_length=200)
    birth_text = models.CharField("生年月日", max_length=60)
    sex = models.CharField("性別", max_length=1, blank=True)
    address = models.CharField("住所", max_length=300, blank=True)
    address_set_text = models.CharField("住所を定めた年月日", max_length=60, blank=True)
    municipality_code = models.CharField("住所地（団体コード）", max_length=6, blank=True)
    abroad = models.BooleanField("国外転出", default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "戸籍の附票"

    def __str__(self) -> str:
        return self.person_key


class FuhyoEntry(models.Model):
    """One 記載 of a 附票 (its history): what one notice recorded, once per ``notice_id``."""

    record = models.ForeignKey(FuhyoRecord, on_delete=models.PROTECT, related_name="entries")
    notice_id = models.CharField("通知番号", max_length=100, unique=True)
    kind = models.CharField("通知の種類", max_length=20)
    address = models.CharField("住所", max_length=300, blank=True)
    address_set_text = models.CharField("住所を定めた年月日", max_length=60, blank=True)
    municipality_code = models.CharField("通知元（団体コード）", max_length=6, blank=True)
    recorded_at = models.DateTimeField("記録日時", default=timezone.now)

    class Meta:
        verbose_name = "戸籍の附票の記載"

    def __str__(self) -> str:
        return self.notice_id


class ReceivedKosekiNotice(models.Model):
    """A 住民票記載事項通知 (住基法9条2項) received from the 本籍地, kept once per ``notice_id``:
    entered as a 仮登録 of a 職権修正 that waits for a person's check (``queued``), applied once
    approved, or left for the staff (``unmatched`` / ``invalid``; a discarded 仮登録 returns here)."""

    class State(models.TextChoices):
        QUEUED = "queued", "審査待ち"
        APPLIED = "applied", "反映済"
        UNMATCHED = "unmatched", "該当者なし・取込エラー"
        INVALID = "invalid", "形式誤り"

    notice_id = models.CharField("通知番号", max_length=100, unique=True)
    sender_code = models.CharField("通知元（本籍地）", max_length=6, blank=True)
    event = models.CharField("戸籍の届出・事件", max_length=40, blank=True)
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
        verbose_name = "受信した住民票記載事項通知"
        indexes = [models.Index(fields=["state", "received_at"], name="koseki_notice_state")]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.state}"
