"""Tables of the search app: the 異体字 (variant kanji) table and each operator's search history.

``VariantKanji`` holds symmetric pairs (a, b): a search for a name containing ``a`` also finds
names written with ``b`` (spec 2.1.2, 異体字・正字を包含した検索).  Rows come from the public
``ja-itaiji`` data (``jumin load-variants``) or from staff (``source = staff``, logged).

``SearchHistory`` is the per-operator history of spec 2.1.1: every search is saved
automatically, and can be reused or edited and run again.  Criteria are stored masked: a
住民票コード or 個人番号 is never kept here (only that one was given)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class VariantKanji(models.Model):
    class Source(models.TextChoices):
        PACKAGE = "ja-itaiji", "公開データ（ja-itaiji）"
        STAFF = "staff", "職員登録"

    char = models.CharField("文字", max_length=4)
    variant = models.CharField("異体字", max_length=4)
    source = models.CharField("出典", max_length=12, choices=Source.choices, default=Source.PACKAGE)
    note = models.CharField("備考", max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "異体字"
        constraints = [models.UniqueConstraint(fields=["char", "variant"], name="search_variant_pair")]

    def __str__(self) -> str:
        return f"{self.char}={self.variant}"


class SearchHistory(models.Model):
    """One search of one operator (2.1.1).  ``criteria`` is masked; ``edited_at`` is set when
    the operator edits a saved search (label / criteria) without running it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    screen = models.CharField("画面", max_length=20)
    criteria = models.JSONField("検索条件（マスク済み）", default=dict)
    label = models.CharField("名前", max_length=60, blank=True)
    result_count = models.IntegerField("件数", default=0)
    outcome = models.CharField("結果", max_length=40, blank=True)
    searched_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "検索履歴"
        ordering = ["-searched_at", "-id"]
        indexes = [models.Index(fields=["user", "searched_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.searched_at:%Y-%m-%d %H:%M}"
