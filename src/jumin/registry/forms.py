"""Entry forms of the movements.  Forms only collect text; the planners validate and
explain (so a form and the API give the same Japanese messages)."""

from __future__ import annotations

from typing import Any

from django import forms

from jumin.registry.models import HonsekiKind, NationalityKind, ResidenceCategory, Sex

TEXT = {"autocomplete": "off"}


def _text(label: str, *, required: bool = False, **attrs: str) -> forms.CharField:
    return forms.CharField(label=label, required=required, widget=forms.TextInput(attrs={**TEXT, **attrs}))


class PersonForm(forms.Form):
    surname = _text("氏")
    given_name = _text("名")
    furigana_surname = _text("氏の振り仮名（カタカナ）")
    furigana_given_name = _text("名の振り仮名（カタカナ）")
    furigana_confirmed = forms.BooleanField(label="振り仮名は戸籍で確認済み", required=False)
    birth = _text("生年月日", placeholder="S55.4.1 / 昭和55年4月1日")
    sex = forms.ChoiceField(label="性別", choices=[("", "—"), *Sex.choices], required=False)
    relationship = _text("続柄", list="relationships")
    nationality_kind = forms.ChoiceField(
        label="住民種別", choices=NationalityKind.choices, required=False, initial=NationalityKind.JAPANESE
    )
    honseki_kind = forms.ChoiceField(
        label="本籍の区分", choices=HonsekiKind.choices, required=False, initial=HonsekiKind.ADDRESS
    )
    honseki = _text("本籍")
    koseki_head = _text("筆頭者")
    individual_number = _text("個人番号", inputmode="numeric")
    resident_code = _text("住民票コード（転出証明書の記載）", inputmode="numeric")
    name_alphabet = _text("氏名（アルファベット）")
    nationality = _text("国籍・地域")
    residence_category = forms.ChoiceField(
        label="30条の45区分", choices=[("", "—"), *ResidenceCategory.choices], required=False
    )
    residence_status = _text("在留資格")
    period_of_stay = _text("在留期間")
    stay_expires_on = _text("在留期間の満了の日", placeholder="2029-03-31")
    residence_card_no = _text("在留カード等の番号")
    special_permanent_cert_no = _text("特別永住者証明書の番号")

    def data_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


PersonFormSet = forms.formset_factory(PersonForm, extra=4, max_num=8)


class AddressFields(forms.Form):
    postcode = forms.CharField(
        label="郵便番号（7桁）",
        required=False,
        widget=forms.TextInput(attrs={**TEXT, "inputmode": "numeric", "data-postcode-lookup": "1"}),
    )
    address = _text("住所")
    banchi = _text("番地")
    katagaki = _text("方書")
    address_code = _text("住所コード（11桁）", inputmode="numeric")

    def data_dict(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.cleaned_data.items() if v}


class MovementBasics(forms.Form):
    effective = _text("異動日", placeholder="R8.11.26")
    notified_on = _text("届出日（空欄は今日）", placeholder="R8.11.26")
    initiation = forms.ChoiceField(
        label="届出区分",
        choices=[("notification", "届出"), ("ex_officio", "職権"), ("request", "申出による職権")],
        required=False,
    )


class MoveInForm(MovementBasics):
    reason = forms.ChoiceField(
        label="異動事由", choices=[("domestic_move_in", "国内転入"), ("abroad_move_in", "国外転入等")]
    )
    household_mode = forms.ChoiceField(label="世帯", choices=[("new", "新しい世帯"), ("join", "既存の世帯に入る")])
    household_no = _text("入る世帯の世帯番号")
    previous_unreported = forms.BooleanField(label="転入前住所は未届（最終登録住所地と異なる）", required=False)


class MoveOutForm(MovementBasics):
    reason = forms.ChoiceField(
        label="異動事由", choices=[("domestic_move_out", "国内転出"), ("abroad_move_out", "国外転出")]
    )


class RelocationForm(MovementBasics):
    destination_mode = forms.ChoiceField(
        label="転居先の世帯",
        choices=[("same", "世帯ごと（全員）"), ("new", "新しい世帯"), ("join", "転居先の既存の世帯に入る")],
    )
    household_no = _text("入る世帯の世帯番号")


class BirthForm(MovementBasics):
    household_no = _text("出生子が入る世帯の世帯番号", required=True)
