"""Forms of the 申請管理 screens: the filters of the list and the bulk 処理状況 update."""

from __future__ import annotations

from django import forms

from jumin.applications.models import Match, Procedure, SignatureCheck, Status
from jumin.applications.queries import Filters
from jumin.applications.services import MAX_COMMENT, SETTABLE
from jumin.core.date_rules import DateKind
from jumin.free_text import JuminForm
from jumin.protection.forms import WarekiDateField


def _any(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", "すべて"), *choices]


class FilterForm(JuminForm):
    procedure = forms.ChoiceField(label="手続", choices=_any(Procedure.choices), required=False)
    status = forms.ChoiceField(label="処理状況", choices=_any(Status.choices), required=False)
    signature = forms.ChoiceField(label="署名検証", choices=_any(SignatureCheck.choices), required=False)
    match = forms.ChoiceField(label="4情報照合", choices=_any(Match.choices), required=False)
    received_from = WarekiDateField("取込日（から）", required=False, kind=DateKind.NOTIFIED)
    received_to = WarekiDateField("取込日（まで）", required=False, kind=DateKind.NOTIFIED)
    expected_to = WarekiDateField("予定日（まで）", required=False, kind=DateKind.PLANNED_MOVE_OUT)

    def filters(self) -> Filters:
        data = self.cleaned_data if self.is_valid() else {}
        return Filters(
            procedure=data.get("procedure") or "",
            status=data.get("status") or "",
            signature=data.get("signature") or "",
            match=data.get("match") or "",
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
            expected_to=data.get("expected_to"),
        )


class StatusForm(JuminForm):
    status = forms.ChoiceField(label="新しい処理状況", choices=[(s.value, s.label) for s in Status if s in SETTABLE])
    comment = forms.CharField(
        label="自治体コメント（申請者に通知します）",
        max_length=MAX_COMMENT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
