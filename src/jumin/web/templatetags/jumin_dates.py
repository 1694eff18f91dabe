"""Date display: 和暦 everywhere (spec 1.1.9); 西暦 only where the item requires it."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone

from jumin.conf.domain import era_table
from jumin.core.errors import DomainError
from jumin.core.wareki import format_seireki

register = template.Library()


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


@register.filter
def wareki(value: date | datetime | None) -> str:
    """「令和8年11月26日」; empty for None; the 西暦 text if the date precedes 明治6年."""
    if value is None or value == "":
        return ""
    day = _as_date(value)
    try:
        return era_table().format(day)
    except DomainError:
        return format_seireki(day)


@register.filter
def seireki(value: date | datetime | None) -> str:
    """「1970年3月1日」: only for a foreign resident's 生年月日 and 在留期間満了日."""
    if value is None or value == "":
        return ""
    return format_seireki(_as_date(value))


@register.filter
def wareki_datetime(value: datetime | None) -> str:
    """「令和8年11月26日 9時05分」"""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{wareki(local)} {local.hour}時{local.minute:02d}分"
