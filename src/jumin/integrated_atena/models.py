"""団体内統合宛名 (assessment system 3, spec 7.2): one 団体内統合宛名番号 per person, linking the
宛名番号 of each business system (住基 and the departments) with the person's 4情報 and 個人番号
(as its lookup hash only: the sealed number stays in the register), and who may do what for
which business system (権限管理).  docs/number-exchange.md."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Business(models.TextChoices):
    """The business systems linked to the 団体内統合宛名 (住基 plus two simulated departments)."""

    JUKI = "juki", "住民基本台帳"
    CHILD_ALLOWANCE = "child_allowance", "児童手当"
    HEALTH_CARE = "health_care", "健康管理"


class IntegratedAtena(models.Model):
    integrated_no = models.CharField("団体内統合宛名番号", max_length=15, unique=True)
    individual_number_lookup = models.CharField(max_length=64, blank=True, db_index=True)
    name = models.CharField("氏名", max_length=200)
    birth_text = models.CharField("生年月日", max_length=60)
    sex = models.CharField("性別", max_length=1)
    address = models.CharField("住所", max_length=300)
    created_at = models.DateTimeField("採番日時", default=timezone.now)
    updated_at = models.DateTimeField("更新日時", default=timezone.now)

    class Meta:
        verbose_name = "団体内統合宛名"

    def __str__(self) -> str:
        return self.integrated_no


class BusinessAtena(models.Model):
    """The 宛名番号 of one business system, linked to the person's 団体内統合宛名番号."""

    integrated = models.ForeignKey(IntegratedAtena, on_delete=models.PROTECT, related_name="links")
    business = models.CharField("業務", max_length=20, choices=Business.choices)
    business_atena_no = models.CharField("業務の宛名番号", max_length=20)
    linked_at = models.DateTimeField("紐付け日時", default=timezone.now)

    class Meta:
        verbose_name = "業務宛名の紐付け"
        constraints = [
            models.UniqueConstraint(fields=["business", "business_atena_no"], name="integrated_business_atena"),
            models.UniqueConstraint(fields=["integrated", "business"], name="integrated_one_per_business"),
        ]

    def __str__(self) -> str:
        return f"{self.business}:{self.business_atena_no}"


# The items of a person in the 宛名連携 feed a grant may allow (besides the numbers that identify
# the person: 宛名番号, 団体内統合宛名番号 and the business system's own 宛名番号).
FEED_ITEMS: dict[str, str] = {
    "name": "氏名",
    "furigana": "フリガナ",
    "birth": "生年月日",
    "sex": "性別",
    "address": "住所",
    "postcode": "郵便番号",
    "household_no": "世帯番号",
    "head_name": "世帯主氏名",
    "relationship": "続柄",
    "status": "住民の状態",
}


class BusinessGrant(models.Model):
    """権限管理: what one operator or one linked system may do for one business system — the
    事務 under which it may make a 情報照会, whether it may read the 宛名連携 feed and which
    items of a person the feed gives it (``feed_items``, keys of :data:`FEED_ITEMS`)."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    system = models.ForeignKey(
        "accounts.LinkedSystem", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    business = models.CharField("業務", max_length=20, choices=Business.choices)
    affairs = models.JSONField("照会できる事務", default=list, blank=True)
    may_read_feed = models.BooleanField("宛名連携の受信", default=False)
    feed_items = models.JSONField("宛名連携の項目", default=list, blank=True)
    granted_at = models.DateTimeField("付与日時", default=timezone.now)

    class Meta:
        verbose_name = "業務の権限"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=True, system__isnull=False)
                | models.Q(user__isnull=False, system__isnull=True),
                name="integrated_grant_one_holder",
            ),
            models.UniqueConstraint(fields=["user", "business"], name="integrated_grant_user"),
            models.UniqueConstraint(fields=["system", "business"], name="integrated_grant_system"),
        ]

    def __str__(self) -> str:
        return f"{self.business} {self.affairs}"


class FeedCursor(models.Model):
    """How far one linked system has read the 宛名連携 feed of one business system: the outbox
    ``seq`` it asked changes after (it holds everything up to it).  Rows every reader has passed
    are marked sent (the 連携状況 screen then shows only what some reader still has to take)."""

    system = models.ForeignKey("accounts.LinkedSystem", on_delete=models.CASCADE, related_name="+")
    business = models.CharField("業務", max_length=20, choices=Business.choices)
    seq = models.BigIntegerField("読込済みの送信順", default=0)
    updated_at = models.DateTimeField("更新日時", default=timezone.now)

    class Meta:
        verbose_name = "宛名連携の読込位置"
        constraints = [models.UniqueConstraint(fields=["system", "business"], name="integrated_feed_cursor")]

    def __str__(self) -> str:
        return f"{self.business}@{self.seq}"
