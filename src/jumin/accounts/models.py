"""Operators (職員), places (本庁・支所・出張所) and terminals (spec 1.3.1)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """An operator.  ``username`` is the 利用者ID typed at login."""

    display_name = models.CharField("氏名", max_length=60)

    class Meta:
        verbose_name = "利用者"
        verbose_name_plural = "利用者"

    def __str__(self) -> str:
        return self.display_name or self.username


class Place(models.Model):
    """An input/issuing place (入力場所): 本庁の課, 支所, 出張所, 証明書発行センター."""

    class Kind(models.TextChoices):
        MAIN = "main", "本庁"
        BRANCH = "branch", "支所"
        OFFICE = "office", "出張所"
        CENTER = "center", "センター"

    code = models.CharField("場所コード", max_length=20, unique=True)
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("種別", max_length=10, choices=Kind.choices)
    sort_order = models.PositiveIntegerField("表示順", default=0)
    is_active = models.BooleanField("有効", default=True)

    class Meta:
        verbose_name = "入力場所"
        verbose_name_plural = "入力場所"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Terminal(models.Model):
    """A registered terminal (入力端末).  A browser becomes this terminal by entering a
    one-time enrollment code; from then on a signed cookie identifies it, and only the
    SHA-256 of the cookie's secret is stored here."""

    code = models.CharField("端末コード", max_length=20, unique=True)
    name = models.CharField("端末名", max_length=60, help_text="発行番号に印字する名称（例: 本庁1）")
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="terminals", verbose_name="入力場所")
    is_active = models.BooleanField("有効", default=True)
    device_secret_hash = models.CharField(max_length=64, blank=True, db_index=True)
    enrollment_code_hash = models.CharField(max_length=64, blank=True, db_index=True)
    enrollment_expires_at = models.DateTimeField(null=True, blank=True)
    enrolled_at = models.DateTimeField("登録日時", null=True, blank=True)

    class Meta:
        verbose_name = "入力端末"
        verbose_name_plural = "入力端末"
        ordering = ["place__sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.place.name} {self.name}"
