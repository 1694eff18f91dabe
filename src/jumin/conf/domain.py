"""The domain-core objects configured by settings (era table, check-digit policies)."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from jumin.core.check_digits import RemainderOnePolicy, ResidentCodeFormula
from jumin.core.wareki import EraTable


@cache
def era_table() -> EraTable:
    return EraTable.from_config(settings.JUMIN_ERAS, settings.JUMIN_ERA_ENDS)


def resident_code_formula() -> ResidentCodeFormula:
    return ResidentCodeFormula(settings.JUMIN_RESIDENT_CODE_FORMULA)


def m11_remainder_one_policy() -> RemainderOnePolicy:
    return RemainderOnePolicy(settings.JUMIN_M11_REMAINDER_ONE)


@receiver(setting_changed)
def _reset(setting: str, **kwargs: object) -> None:
    if setting in {"JUMIN_ERAS", "JUMIN_ERA_ENDS"}:
        era_table.cache_clear()
