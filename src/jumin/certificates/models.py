"""Certificates: 認証者 master (1.3.9), 交付履歴 (1.3.8) and 処分.  The 通番 of the 発行番号
(5.5) is a per-day, per-terminal serial of ``registry.NumberSequence``.

``Issuance`` and ``Disposal`` are append-only (database triggers, as the audit logs): a
交付履歴 cannot be changed or deleted within its retention period (1.3.8 marks deletion X);
``jumin certificates purge`` opens the gate only for rows past the retention period.
A wrongly issued copy is not erased from the history: a ``Disposal`` row records that it
was destroyed (処分), when, by whom and why."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone


class Certifier(models.Model):
    """認証者: 市区町村長 or 職務代理者, with the period in which each certifies (1.3.9).

    The certifier of an issue date is the 職務代理者 whose period covers it, else the
    mayor whose period covers it.  A name is always required (a blank 「○○長 公印」 is X)."""

    class Role(models.TextChoices):
        MAYOR = "mayor", "市区町村長"
        DEPUTY = "deputy", "職務代理者"

    role = models.CharField("区分", max_length=10, choices=Role.choices)
    title = models.CharField("職名", max_length=60, help_text="例: 上尾市長、上尾市副市長（市長職務代理者）")
    name = models.CharField("氏名", max_length=60)
    valid_from = models.DateField("期間（開始）")
    valid_to = models.DateField("期間（終了）", null=True, blank=True)
    seal_text = models.CharField("公印の印文", max_length=20, help_text="例: 上尾市長之印")
    print_seal = models.BooleanField("電子公印を印字する", default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "認証者"
        verbose_name_plural = "認証者"
        ordering = ["valid_from", "id"]

    def __str__(self) -> str:
        return f"{self.title} {self.name}"

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class Issuance(models.Model):
    """交付履歴 (1.3.8): one row per copy issued (each copy has its own 発行番号)."""

    class Route(models.TextChoices):
        SELF = "self", "本人等の請求（住基法12条）"
        AGENT = "agent", "代理人による請求（委任状）"
        PUBLIC_BODY = "public_body", "国・地方公共団体の機関の請求（12条の2）"
        THIRD_PARTY = "third_party", "第三者の申出（12条の3）"

    issue_no = models.CharField("発行番号", max_length=120, unique=True)
    kind = models.CharField("種別", max_length=40)
    layout = models.CharField("様式", max_length=20)
    issued_at = models.DateTimeField("交付年月日時", default=timezone.now, db_index=True)
    place = models.CharField("交付場所", max_length=60, blank=True)
    terminal = models.CharField("端末名", max_length=60, blank=True)
    printer = models.CharField("プリンタ", max_length=20, blank=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    client = models.CharField("連携システム", max_length=60, blank=True)
    route = models.CharField("請求の種別", max_length=20, choices=Route.choices)
    requester_name = models.CharField("請求者（申出者）氏名・名称", max_length=200)
    requester_address = models.CharField("請求者の住所・所在地", max_length=200, blank=True)
    requester_atena_no = models.CharField("請求者の宛名番号", max_length=20, blank=True)
    representative = models.CharField("請求の任に当たる者", max_length=200, blank=True)
    purpose = models.TextField("請求事由・利用目的", blank=True)
    proof = models.TextField("疎明資料", blank=True)
    id_document = models.CharField("本人確認書類", max_length=60, blank=True)
    id_document_note = models.CharField("本人確認の記録", max_length=200, blank=True)
    power_of_attorney = models.BooleanField("委任状", default=False)
    official_use = models.BooleanField("公用", default=False)
    household_no = models.CharField("世帯番号", max_length=20, blank=True)
    persons = models.JSONField("交付対象者（宛名番号）", default=list)
    items = models.JSONField("記載事項", default=dict)
    pages = models.PositiveIntegerField("枚数")
    sha256 = models.CharField("PDFのSHA-256", max_length=64)
    signature = models.CharField("署名（Ed25519）", max_length=120)
    certifier = models.CharField("認証者", max_length=200)
    reissue_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reissues", verbose_name="再交付元"
    )
    protection_alert = models.TextField("抑止アラートを確認して交付した理由", blank=True)
    # the issued content, sealed (certificates/sealing.py): 再交付 reproduces it
    content = models.BinaryField("交付した内容（暗号化）", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "交付履歴"
        verbose_name_plural = "交付履歴"
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.issue_no


class IssuedPerson(models.Model):
    """交付対象者: one row per person on a copy, so that a person's 交付履歴 is one index look-up."""

    issuance = models.ForeignKey(Issuance, on_delete=models.PROTECT, related_name="issued_persons")
    atena_no = models.CharField("宛名番号", max_length=20, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuance", "atena_no"], name="certificates_issued_person")]

    def __str__(self) -> str:
        return f"{self.issuance_id}: {self.atena_no}"


class Disposal(models.Model):
    """処分情報 (1.3.8): a copy issued wrongly and destroyed (or collected)."""

    issuance = models.ForeignKey(Issuance, on_delete=models.PROTECT, related_name="disposals")
    disposed_at = models.DateTimeField("処分日時", default=timezone.now)
    reason = models.TextField("処分の理由")
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "処分情報"
        verbose_name_plural = "処分情報"

    def __str__(self) -> str:
        return f"処分 {self.issuance_id}"
