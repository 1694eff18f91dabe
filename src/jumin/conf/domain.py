"""The domain-core objects configured by settings (era table, check-digit policies)."""

from __future__ import annotations

from datetime import date
from functools import cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone

from jumin.core.check_digits import RemainderOnePolicy, ResidentCodeFormula
from jumin.core.date_rules import DateKind, Window, windows_from_config
from jumin.core.date_rules import check_date as _check_date
from jumin.core.wareki import EraTable


@cache
def era_table() -> EraTable:
    return EraTable.from_config(settings.JUMIN_ERAS, settings.JUMIN_ERA_ENDS)


@cache
def date_windows() -> dict[DateKind, Window]:
    return windows_from_config(settings.JUMIN_DATE_WINDOWS)


def check_date(kind: DateKind, day: date, *, label: str | None = None) -> date:
    """``day`` when it lies in the configured window of ``kind`` (today = the local date);
    else DomainError ``date.too_early`` / ``date.too_late``."""
    return _check_date(kind, day, timezone.localdate(), date_windows(), label=label)


def resident_code_formula() -> ResidentCodeFormula:
    return ResidentCodeFormula(settings.JUMIN_RESIDENT_CODE_FORMULA)


def m11_remainder_one_policy() -> RemainderOnePolicy:
    return RemainderOnePolicy(settings.JUMIN_M11_REMAINDER_ONE)


@receiver(setting_changed)
def _reset(setting: str, **kwargs: object) -> None:
    if setting in {"JUMIN_ERAS", "JUMIN_ERA_ENDS"}:
        era_table.cache_clear()
    if setting == "JUMIN_DATE_WINDOWS":
        date_windows.cache_clear()
