from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.utils import timezone

from jumin.conf.domain import era_table, m11_remainder_one_policy
from jumin.core.check_digits import validate_m11
from jumin.core.errors import DomainError
from jumin.free_text import JuminForm


class WarekiDateField(forms.CharField):
    """A date typed in 和暦 or 西暦 (「令和8年11月1日」「R8.11.1」「2026-11-01」「5081101」)."""

    def to_python(self, value: object) -> date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return era_table().parse(text)
        except DomainError as error:
            raise forms.ValidationError(error.message) from error


class ReportForm(JuminForm):
    start = WarekiDateField(label="期間（から）", required=True)
    end = WarekiDateField(label="期間（まで）", required=True)
    atena_no = forms.CharField(label="宛名番号", required=False, max_length=20)
    operator = forms.CharField(label="操作者ID・連携システムコード", required=False, max_length=150)

    def __init__(self, *args: object, needs: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.needs = needs

    def clean_atena_no(self) -> str:
        """A 宛名番号 (M11 check digit, configured width) — never any other number."""
        value = str(self.cleaned_data.get("atena_no") or "").strip()
        if not value:
            return ""
        if len(value) != settings.JUMIN_ATENA_NO_DIGITS:
            raise forms.ValidationError(f"宛名番号は{settings.JUMIN_ATENA_NO_DIGITS}桁の数字です。")
        try:
            return validate_m11(value, m11_remainder_one_policy())
        except DomainError as error:
            raise forms.ValidationError(error.message) from error

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, date) and isinstance(end, date) and end < start:
            raise forms.ValidationError("期間の終わりは始まりより後の日にしてください。")
        if self.needs and not data.get(self.needs):
            label = self.fields[self.needs].label
            self.add_error(self.needs, f"{label}を入力してください。")
        return data


def default_period() -> dict[str, str]:
    today = timezone.localdate()
    return {"start": (today - timedelta(days=30)).isoformat(), "end": today.isoformat()}
