"""Forms of the 番号連携 screens: the manual answer of a 自動応答不可 request, the 開示請求 desk
and the 権限管理 of the business systems (limits as the columns they fill)."""

from __future__ import annotations

from typing import Any

from django import forms

from jumin.free_text import JuminForm
from jumin.integrated_atena.models import FEED_ITEMS, Business
from jumin.intermediate_server.models import AFFAIR_LABELS
from jumin.intermediate_server.services import MAX_REASON


class ManualAnswerForm(JuminForm):
    decision = forms.ChoiceField(
        label="回答",
        choices=[("provide", "提供する（副本を回答）"), ("withhold", "提供しない")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="理由（提供しない場合は必須）",
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": str(MAX_REASON)}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "withhold" and not str(data.get("reason", "")).strip():
            self.add_error("reason", "提供しない場合は理由を入力してください。")
        return data


class DisclosureForm(JuminForm):
    atena_no = forms.CharField(
        label="宛名番号",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "maxlength": "20"}),
    )

    def clean_atena_no(self) -> str:
        value = str(self.cleaned_data["atena_no"]).strip()
        if not value.isdigit():
            raise forms.ValidationError("宛名番号は数字で入力してください。")
        return value


class GrantForm(JuminForm):
    holder_kind = forms.ChoiceField(
        label="付与先", choices=[("user", "職員（利用者ID）"), ("system", "連携システム（システムコード）")]
    )
    holder = forms.CharField(
        label="利用者ID・システムコード", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    business = forms.ChoiceField(label="業務", choices=Business.choices)
    affairs = forms.MultipleChoiceField(
        label="照会できる事務", required=False, choices=list(AFFAIR_LABELS.items()), widget=forms.CheckboxSelectMultiple
    )
    may_read_feed = forms.BooleanField(label="宛名連携を受け取る", required=False)
    feed_items = forms.MultipleChoiceField(
        label="宛名連携の項目", required=False, choices=list(FEED_ITEMS.items()), widget=forms.CheckboxSelectMultiple
    )
