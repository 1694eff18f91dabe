"""Tables of the 申請管理システム (assessment system 6): the applications pulled from the
電子申請機能's 連携サーバ, and the statuses sent back to the resident.

``Application`` keeps the 申請データ as received (``payload``: form and attachments, the
署名用電子証明書 and the signature) with what the import found: the signature check
(``signature``), the 4情報 match against the register (``match``, ``match_reasons``) and the
person found.  ``status`` is the municipality's 処理状況; a 転出届 taken into the register links
its movement (``movement``), whose state the screens show next to it.

``StatusUpdate`` is the queue of statuses for the resident (自治体コメント included), sent by the
one send loop of the linked systems (``jumin.linkage.delivery``).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from jumin.linkage.models import DeliveryState


class Procedure(models.TextChoices):
    MOVE_OUT = "move_out", "転出届"
    MOVE_IN_RESERVATION = "move_in_reservation", "転入予約"


class Status(models.TextChoices):
    RECEIVED = "received", "受付"
    IN_REVIEW = "in_review", "審査中"
    ACCEPTED = "accepted", "受理"
    RETURNED = "returned", "返戻（補正依頼）"
    REJECTED = "rejected", "却下"
    COMPLETED = "completed", "完了"
    WITHDRAWN = "withdrawn", "取下げ"


class SignatureCheck(models.TextChoices):
    VALID = "valid", "署名検証OK"
    TAMPERED = "tampered", "署名不正（改ざん）"
    REVOKED = "revoked", "失効した証明書"
    EXPIRED = "expired", "有効期間外の証明書"
    UNTRUSTED = "untrusted", "信頼できない認証局"
    BAD_FORMAT = "bad_format", "申請データの形式不正"


class Match(models.TextChoices):
    MATCHED = "matched", "一致"
    MISMATCH = "mismatch", "不一致"
    NOT_FOUND = "not_found", "該当者なし"
    NOT_CHECKED = "not_checked", "照合対象外"


class Application(models.Model):
    application_id = models.CharField("申請番号", max_length=40, unique=True)
    procedure = models.CharField("手続", max_length=30, choices=Procedure.choices)
    submitted_at = models.DateTimeField("申請日時", null=True, blank=True)
    received_at = models.DateTimeField("取込日時", default=timezone.now)
    content_sha256 = models.CharField("申請データのハッシュ", max_length=64)
    payload = models.JSONField("申請データ")
    applicant_name = models.CharField("申請者氏名（証明書）", max_length=200, blank=True)
    expected_on = models.DateField("予定日（転出予定日・来庁予定日）", null=True, blank=True)
    signature = models.CharField("署名検証", max_length=20, choices=SignatureCheck.choices)
    match = models.CharField("4情報照合", max_length=20, choices=Match.choices)
    match_reasons = models.JSONField("不一致の理由", default=list, blank=True)
    atena_no = models.CharField("宛名番号（照合結果）", max_length=20, blank=True)
    household_no = models.CharField("世帯番号（照合結果）", max_length=20, blank=True)
    duplicate_of = models.CharField("重複の可能性（先の申請番号）", max_length=40, blank=True)
    status = models.CharField("処理状況", max_length=20, choices=Status.choices, default=Status.RECEIVED)
    comment = models.TextField("自治体コメント", blank=True)
    withdrawn_at = models.DateTimeField("取下げ日時", null=True, blank=True)
    movement = models.ForeignKey(
        "registry.Movement", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="異動"
    )
    updated_at = models.DateTimeField("更新日時", default=timezone.now)

    class Meta:
        verbose_name = "電子申請"
        indexes = [
            models.Index(fields=["status", "procedure"], name="applications_status"),
            models.Index(fields=["received_at"], name="applications_received"),
        ]

    def __str__(self) -> str:
        return f"電子申請 {self.application_id}"


class ImportCursor(models.Model):
    """How far the import has read the 連携サーバ's change sequence."""

    name = models.CharField(max_length=40, unique=True)
    last_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_seq}"


class StatusUpdate(DeliveryState):
    """One status for the resident (the queue back to the 連携サーバ)."""

    update_id = models.CharField("更新番号", max_length=40, unique=True)
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="updates")
    status = models.CharField("処理状況", max_length=20, choices=Status.choices)
    comment = models.TextField("自治体コメント", blank=True)
    created_at = models.DateTimeField("作成日時", default=timezone.now)
    created_by = models.CharField("更新者", max_length=150, blank=True)

    class Meta:
        verbose_name = "処理状況の通知"
        indexes = [models.Index(fields=["state", "id"], name="applications_update_state")]

    def __str__(self) -> str:
        return f"処理状況 {self.update_id} ({self.state})"
