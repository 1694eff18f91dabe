"""The forms of the statistics screens: dates in 和暦 or 西暦, a month as 「令和8年11月」「R8.11」
「2026-11」."""

from __future__ import annotations

import re
from datetime import date

from django import forms

from jumin.audit.forms import WarekiDateField
from jumin.conf.domain import era_table
from jumin.core.errors import DomainError
from jumin.free_text import JuminForm
from jumin.statistics.queries import check_day


def _in_range(day: date) -> date:
    try:
        return check_day(day)
    except DomainError as error:
        raise forms.ValidationError(error.message) from error


class MonthField(forms.CharField):
    """A month: 「令和8年11月」「R8.11」「2026-11」「2026年11月」; the first day of it."""

    def to_python(self, value: object) -> date | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        gregorian = re.fullmatch(r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*月?", text)
        try:
            if gregorian:
                return _in_range(date(int(gregorian.group(1)), int(gregorian.group(2)), 1))
            candidate = f"{text}1日" if text.endswith("月") else f"{text}.1"
            day = era_table().parse(candidate)
            return _in_range(day.replace(day=1))
        except (DomainError, ValueError) as error:
            raise forms.ValidationError(
                "年月は「令和8年11月」「R8.11」「2026-11」のように入力してください。"
            ) from error


class MovementForm(JuminForm):
    month = MonthField(label="年月（月報）", required=False)
    start = WarekiDateField(label="期間（から）", required=False)
    end = WarekiDateField(label="期間（まで）", required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        month, start, end = data.get("month"), data.get("start"), data.get("end")
        if isinstance(month, date):
            return data
        if not isinstance(start, date) or not isinstance(end, date):
            if not self.errors:
                raise forms.ValidationError("年月、または期間（から・まで）を入力してください。")
            return data
        _in_range(start)
        _in_range(end)
        if end < start:
            raise forms.ValidationError("期間の終わりは始まりより後の日にしてください。")
        return data


class DayForm(JuminForm):
    as_of = WarekiDateField(label="基準日", required=True)

    def clean_as_of(self) -> date:
        value = self.cleaned_data.get("as_of")
        if not isinstance(value, date):
            raise forms.ValidationError("基準日を入力してください。")
        return _in_range(value)


class YearField(forms.CharField):
    """A year: 「令和8年」「R8」「2026」."""

    def to_python(self, value: object) -> int | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip().removesuffix("年")
        if not text:
            return None
        try:
            if re.fullmatch(r"\d{4}", text):
                year = int(text)
            else:
                letter = re.fullmatch(r"[A-Za-z]\d{1,2}", text)
                year = era_table().parse(f"{text}.1.1" if letter else f"{text}年1月1日").year
        except (DomainError, ValueError) as error:
            raise forms.ValidationError("年は「令和8年」「R8」「2026」のように入力してください。") from error
        if not 1901 <= year <= 2200:
            raise forms.ValidationError("年は明治34年（1901年）から2200年までです。")
        return year


class SurveyForm(JuminForm):
    year = YearField(label="調査の年（1月1日現在）")
