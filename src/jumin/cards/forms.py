"""The counter form of a card status event (交付, 一時停止, 解除, 廃止, 回収, 返還)."""

from __future__ import annotations

from datetime import date

from django import forms

from jumin.cards.models import CardEventKind, CardKind
from jumin.conf.domain import check_date, era_table
from jumin.core.date_rules import DateKind
from jumin.core.errors import DomainError
from jumin.free_text import JuminForm


class WarekiDateField(forms.CharField):
    """A date typed in 和暦 or 西暦 (「令和8年11月1日」「R8.11.1」「2026-11-01」)."""

    def to_python(self, value: object) -> date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return check_date(DateKind.CARD_EVENT, era_table().parse(text), label="事象の年月日")
        except DomainError as error:
            raise forms.ValidationError(error.message) from error


class CardEventForm(JuminForm):
    card_kind = forms.ChoiceField(label="カードの種類", choices=CardKind.choices, initial=CardKind.INDIVIDUAL_NUMBER)
    event = forms.ChoiceField(label="事象", choices=CardEventKind.choices)
    occurred_on = WarekiDateField(label="事象の年月日（和暦可: R8.11.1）", required=True)
    note = forms.CharField(label="備考", required=False, max_length=200)
