"""Forms of the 閲覧台帳 screens.  Dates are typed like everywhere at the counter (令和8年4月1日,
R8.4.1, 西暦) and shown in 和暦."""

from __future__ import annotations

from typing import Any

from django import forms

from jumin.addresses.models import Town
from jumin.conf.domain import era_table
from jumin.core.date_rules import DateKind
from jumin.core.errors import DomainError
from jumin.free_text import JuminForm
from jumin.inspection.models import Basis, IdDocument, InspectionRequest, Purpose, RequesterKind
from jumin.inspection.outputs import FORMAT_LABELS
from jumin.inspection.services import MAX_INSPECTORS, InspectorInput, RequestInput, VisitInput
from jumin.protection.forms import WarekiDateField
from jumin.registry.inspection import ORDERS, RANDOM

INSPECTOR_ROWS = 3
assert INSPECTOR_ROWS <= MAX_INSPECTORS


def _town_choices() -> list[tuple[str, str]]:
    return [(t.oaza_code, t.name) for t in Town.objects.filter(is_active=True).order_by("kana", "name")]


class RequestForm(JuminForm):
    """申出の受付: 申出書 (or 請求書) の記載事項."""

    basis = forms.ChoiceField(label="根拠", choices=Basis.choices)
    requester_kind = forms.ChoiceField(label="申出者の区分", choices=RequesterKind.choices)
    requester_name = forms.CharField(label="申出者の氏名（法人・機関はその名称）", max_length=200)
    requester_representative = forms.CharField(label="代表者・請求の任に当たる者の氏名", max_length=200, required=False)
    requester_address = forms.CharField(label="申出者の住所（所在地）", max_length=300)
    requester_contact = forms.CharField(label="連絡先", max_length=100, required=False)
    purpose_category = forms.ChoiceField(label="目的の区分", choices=Purpose.choices)
    purpose = forms.CharField(label="利用目的", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    purpose_summary = forms.CharField(label="利用目的の概要（公表します）", max_length=200)
    towns = forms.MultipleChoiceField(label="閲覧する町字", widget=forms.CheckboxSelectMultiple, choices=_town_choices)
    requested_on = WarekiDateField("申出日", kind=DateKind.NOTIFIED)
    period_start = WarekiDateField("閲覧期間（開始）", kind=DateKind.BLOCK)
    period_end = WarekiDateField("閲覧期間（終了）", kind=DateKind.BLOCK)
    list_order = forms.ChoiceField(label="閲覧用リストの並び順", choices=list(ORDERS.items()), initial=RANDOM)
    pledged = forms.BooleanField(
        label="閲覧事項を利用目的以外に利用せず、第三者に提供しない旨の誓約を受けた", required=False
    )
    handling = forms.CharField(
        label="閲覧事項の管理の方法・廃棄の方法",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, INSPECTOR_ROWS + 1):
            self.fields[f"inspector_name_{n}"] = forms.CharField(
                label=f"閲覧者{n} 氏名", max_length=100, required=n == 1
            )
            self.fields[f"inspector_address_{n}"] = forms.CharField(
                label=f"閲覧者{n} 住所", max_length=300, required=False
            )
            self.fields[f"inspector_document_{n}"] = forms.ChoiceField(
                label=f"閲覧者{n} 本人確認書類", choices=[("", "—"), *IdDocument.choices], required=False
            )

    def request_input(self) -> RequestInput:
        d = self.cleaned_data
        inspectors = [
            InspectorInput(
                name=d[f"inspector_name_{n}"],
                id_document=d[f"inspector_document_{n}"],
                address=d[f"inspector_address_{n}"],
            )
            for n in range(1, INSPECTOR_ROWS + 1)
            if d.get(f"inspector_name_{n}", "").strip()
        ]
        return RequestInput(
            basis=d["basis"],
            requester_kind=d["requester_kind"],
            requester_name=d["requester_name"],
            requester_representative=d["requester_representative"],
            requester_address=d["requester_address"],
            requester_contact=d["requester_contact"],
            purpose_category=d["purpose_category"],
            purpose=d["purpose"],
            purpose_summary=d["purpose_summary"],
            oaza_codes=list(d["towns"]),
            requested_on=d["requested_on"],
            period_start=d["period_start"],
            period_end=d["period_end"],
            inspectors=inspectors,
            pledged=d["pledged"],
            handling=d["handling"],
            list_order=d["list_order"],
        )


class DecisionForm(JuminForm):
    decision = forms.ChoiceField(label="審査の結果", choices=[("approve", "承認"), ("refuse", "不承認")])
    reason = forms.CharField(label="理由（記録されます）", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class VisitForm(JuminForm):
    inspected_on = WarekiDateField("閲覧の年月日", kind=DateKind.NOTIFIED)
    towns = forms.MultipleChoiceField(label="閲覧した町字", widget=forms.CheckboxSelectMultiple, choices=())
    persons = forms.IntegerField(label="閲覧した人数", min_value=0, max_value=10_000_000)
    inspectors = forms.MultipleChoiceField(label="閲覧した者", widget=forms.CheckboxSelectMultiple, choices=())
    identity_checked = forms.BooleanField(label="閲覧者の本人確認書類を確認した", required=False)
    note = forms.CharField(label="備考", max_length=500, required=False)

    def __init__(self, *args: Any, request: InspectionRequest | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if request is None:  # the inventory of text fields (tests) builds every form bare
            return
        towns = Town.objects.filter(oaza_code__in=request.oaza_codes).order_by("kana", "name")
        self.fields["towns"].choices = [(t.oaza_code, t.name) for t in towns]  # type: ignore[attr-defined]
        names = [i.name for i in request.inspectors.all()]
        self.fields["inspectors"].choices = [(n, n) for n in names]  # type: ignore[attr-defined]

    def visit_input(self) -> VisitInput:
        d = self.cleaned_data
        return VisitInput(
            inspected_on=d["inspected_on"],
            oaza_codes=list(d["towns"]),
            persons=d["persons"],
            inspectors=list(d["inspectors"]),
            identity_checked=d["identity_checked"],
            note=d["note"],
        )


def _era_year(text: str) -> int:
    """「令和8」「R8」 → 2026: the year of its last day, or of its first for an era that ended
    within it (平成31年)."""
    latin = text[:1].isascii()
    for month, day in ((12, 31), (1, 1)):
        try:
            return era_table().parse(f"{text}.{month}.{day}" if latin else f"{text}年{month}月{day}日").year
        except DomainError:
            continue
    raise forms.ValidationError("年は「令和8年」「R8」又は「2026」のように入力してください。")


class YearField(forms.Field):
    """A year typed as 「令和8年」「R8」「令和元年」 or 「2026」: the 西暦 year."""

    def to_python(self, value: Any) -> int | None:
        text = str(value or "").strip()[:10].removesuffix("年").replace("元", "1")
        if not text:
            return None
        year = int(text) if text.isdigit() and len(text) == 4 else _era_year(text)
        if not 1900 <= year <= 9998:
            raise forms.ValidationError("年を正しく入力してください。")
        return year


class PublicationForm(JuminForm):
    year = YearField(
        label="年（令和8年・R8・2026 など）", widget=forms.TextInput(attrs={"maxlength": "10", "autocomplete": "off"})
    )


class FormatForm(JuminForm):
    format = forms.ChoiceField(label="形式", choices=list(FORMAT_LABELS.items()))
