"""The 証明書発行サーバ's own data (docs/kiosk.md): what the kiosk service may know, built only
from 本登録 (the KONBINI outbox rows), and what it did (交付履歴 of the kiosk, reconciliation)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class KioskCursor(models.Model):
    """How far the KONBINI outbox has been read (one row)."""

    name = models.CharField(max_length=40, unique=True)
    last_seq = models.BigIntegerField(default=0)
    synced_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name}#{self.last_seq}"


class KioskResident(models.Model):
    """One person as the kiosk service sees them: the newest 本登録 history row's state."""

    atena_no = models.CharField("宛名番号", max_length=20, unique=True)
    household_no = models.CharField("世帯番号", max_length=20)
    history_no = models.PositiveIntegerField("履歴番号")
    individual_number_lookup = models.CharField(max_length=64, blank=True)
    auth_cert_serial = models.CharField("利用者証明用電子証明書シリアル番号", max_length=40, blank=True)
    removed = models.BooleanField("除票", default=False)
    moving_out = models.BooleanField("転出予定", default=False)
    synced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["household_no"], name="kiosk_resident_household"),
            models.Index(fields=["individual_number_lookup"], name="kiosk_resident_number"),
            models.Index(fields=["auth_cert_serial"], name="kiosk_resident_cert"),
        ]

    def __str__(self) -> str:
        return f"kiosk resident {self.pk}"  # no personal data


class KioskBlock(models.Model):
    """A 支援措置 or 交付抑止 (a block of 証明書発行) as the kiosk service holds it."""

    block_id = models.BigIntegerField(unique=True)
    scope = models.CharField(max_length=10)
    target_no = models.CharField(max_length=20)
    support_measure = models.BooleanField("支援措置", default=False)
    active = models.BooleanField(default=True)
    synced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["target_no", "active"], name="kiosk_block_target")]

    def __str__(self) -> str:
        return f"kiosk block {self.block_id}"


class KioskRequest(models.Model):
    """One request of the 証明書交付センター: issued or refused (with the code the kiosk shows)."""

    class Outcome(models.TextChoices):
        ISSUED = "issued", "交付"
        REFUSED = "refused", "拒否"

    request_id = models.CharField("センターの受付番号", max_length=40, unique=True)
    kiosk_id = models.CharField("端末", max_length=40)
    received_at = models.DateTimeField("受付日時", default=timezone.now)
    business_date = models.DateField("業務日")
    kind = models.CharField("証明書の種類", max_length=20)
    layout = models.CharField("様式", max_length=20, blank=True)
    copies = models.PositiveIntegerField("通数", default=0)
    fee = models.PositiveIntegerField("手数料", default=0)
    outcome = models.CharField("結果", max_length=10, choices=Outcome.choices)
    reason_code = models.CharField("拒否理由コード", max_length=10, blank=True)
    atena_no = models.CharField("宛名番号", max_length=20, blank=True)
    issue_nos = models.JSONField("発行番号", default=list, blank=True)

    class Meta:
        indexes = [models.Index(fields=["business_date", "outcome"], name="kiosk_request_day")]

    def __str__(self) -> str:
        return f"{self.request_id} {self.outcome} {self.reason_code}"


class KioskReconciliation(models.Model):
    """The daily reconciliation of counts and fees with the center."""

    business_date = models.DateField("業務日", unique=True)
    our_copies = models.PositiveIntegerField("交付通数（当方）")
    our_fee = models.PositiveIntegerField("手数料（当方）")
    center_copies = models.PositiveIntegerField("交付通数（センター）")
    center_fee = models.PositiveIntegerField("手数料（センター）")
    differences = models.JSONField("差異（受付番号）", default=list, blank=True)
    matched = models.BooleanField("一致")
    checked_at = models.DateTimeField("照合日時", default=timezone.now)

    def __str__(self) -> str:
        return f"{self.business_date} {'一致' if self.matched else '差異あり'}"
