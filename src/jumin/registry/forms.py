"""Entry forms of the movements.  Forms only collect text; the planners validate and
explain (so a form and the API give the same Japanese messages).

Every movement form is an :class:`EntryForm`: ``planner_data`` turns what was entered into
the dict its planner takes (the same shape as the API's), given the extra fieldsets of the
screen (``parts``).  Screens are wired to forms in ``views.SCREENS``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms

from jumin.core.wareki import format_wareki
from jumin.free_text import JuminForm
from jumin.registry.models import FuriganaStatus, HonsekiKind, NationalityKind, ResidenceCategory, Resident, Sex

TEXT = {"autocomplete": "off"}


# No register column holding a typed text is longer (住所・氏名 200); each column's own limit is
# checked when the movement is planned (registry/planning/limits.py, issue 15).
LONGEST_TEXT = 200


def _text(label: str, *, required: bool = False, max_length: int = LONGEST_TEXT, **attrs: str) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=forms.TextInput(attrs={**TEXT, **attrs})
    )


class PersonForm(JuminForm):
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

_REENTRY_HELP = "再転入の除票の宛名番号（前に住んでいた方）"


class MoveInPersonForm(PersonForm):
    """One person of a 転入: also 再転入 (4.1.1.2) and a child born before the 転入 (4.1.0.1)."""

    reentry_of = _text(_REENTRY_HELP, inputmode="numeric")
    born_before_move_in = forms.BooleanField(label="転入前に出生（出生届と一緒の転入届）", required=False)

    def data_dict(self) -> dict[str, Any]:
        """With 再転入 the items left at their defaults come from the 除票 (planning._reentry)."""
        data = super().data_dict()
        if data.get("reentry_of"):
            data = {
                k: v
                for k, v in data.items()
                if v is not False and not (k in ("nationality_kind", "honseki_kind") and v == self.fields[k].initial)
            }
        return data


MoveInPersonFormSet = forms.formset_factory(MoveInPersonForm, extra=4, max_num=8)

# 法30条の45 の区分 of a 30条の46転入 / 30条の47届出 (planning.foreign.ARTICLE_CATEGORIES).
_ARTICLE_CATEGORIES = [
    (c.value, c.label)
    for c in (
        ResidenceCategory.MID_LONG_TERM,
        ResidenceCategory.SPECIAL_PERMANENT,
        ResidenceCategory.TEMPORARY_REFUGE,
        ResidenceCategory.PROVISIONAL_STAY,
    )
]


class ArticlePersonForm(JuminForm):
    """One foreigner of a 法第30条の46転入 / 法第30条の47届出 (4.5.1, 4.5.2)."""

    name_alphabet = _text("氏名（アルファベット）")
    surname = _text("氏（漢字・任意）")
    given_name = _text("名（漢字・任意）")
    furigana_surname = _text("氏の振り仮名（カタカナ）")
    furigana_given_name = _text("名の振り仮名（カタカナ）")
    birth = _text("生年月日（西暦）", placeholder="1995-03-01")
    sex = forms.ChoiceField(label="性別", choices=[("", "—"), *Sex.choices], required=False)
    relationship = _text("続柄", list="relationships")
    nationality = _text("国籍・地域")
    residence_category = forms.ChoiceField(
        label="30条の45区分", choices=[("", "—"), *_ARTICLE_CATEGORIES], required=False
    )
    residence_status = _text("在留資格")
    period_of_stay = _text("在留期間")
    stay_expires_on = _text("在留期間の満了の日", placeholder="2029-03-31")
    residence_card_no = _text("在留カード等の番号")
    special_permanent_cert_no = _text("特別永住者証明書の番号")
    landing_period = _text("上陸期間・仮滞在期間（一時庇護・仮滞在）")
    landing_permit_move_in = forms.BooleanField(
        label="上陸許可証（旅券）による転入（在留カードは後日）", required=False
    )
    individual_number = _text("個人番号", inputmode="numeric")
    resident_code = _text("住民票コード（転出証明書の記載）", inputmode="numeric")
    reentry_of = _text(_REENTRY_HELP, inputmode="numeric")

    def data_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None, False)}


ArticlePersonFormSet = forms.formset_factory(ArticlePersonForm, extra=2, max_num=8)


class AddressFields(JuminForm):
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


def _filled(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in ("", None, False)}


class EntryForm(JuminForm):
    """A movement's own fields.  ``person`` is the resident a person-scoped screen is about
    (None elsewhere); ``sees`` tells which masked items (10.4) the operator may see."""

    remark_label = "留意事項（統合記載欄 B類型・任意）"

    def __init__(
        self,
        data: Any = None,
        *,
        person: Resident | None = None,
        sees: Callable[[str], bool] = lambda _field: True,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        self.person = person
        self.sees = sees
        self.adapt()
        # 留意事項 (1.1.14 B類型) of the movement, last on every screen; views pass it as "remark".
        self.fields["remark"] = forms.CharField(
            label=self.remark_label, required=False, widget=forms.Textarea(attrs={"rows": 2, **TEXT})
        )
        first = next(iter(self.fields.values()), None)
        if first is not None:
            first.widget.attrs["autofocus"] = True  # keyboard first: the screen opens in its first item

    def adapt(self) -> None:
        """Fit the fields to the person (hook)."""

    def planner_data(self, parts: dict[str, Any]) -> dict[str, Any]:
        return _filled(self.cleaned_data)


class MovementBasics(EntryForm):
    effective = _text("異動日", placeholder="R8.11.26")
    notified_on = _text("届出日（空欄は今日）", placeholder="R8.11.26")
    initiation = forms.ChoiceField(
        label="届出区分",
        choices=[("notification", "届出"), ("ex_officio", "職権"), ("request", "申出による職権")],
        required=False,
    )

    def planner_data(self, parts: dict[str, Any]) -> dict[str, Any]:
        basics = _filled(self.cleaned_data)
        return {k: basics[k] for k in ("effective", "notified_on", "initiation", "reason") if k in basics}


class MoveInForm(MovementBasics):
    reason = forms.ChoiceField(
        label="異動事由", choices=[("domestic_move_in", "国内転入"), ("abroad_move_in", "国外転入等")]
    )
    household_mode = forms.ChoiceField(label="世帯", choices=[("new", "新しい世帯"), ("join", "既存の世帯に入る")])
    household_no = _text("入る世帯の世帯番号")
    previous_unreported = forms.BooleanField(label="転入前住所は未届（最終登録住所地と異なる）", required=False)
    last_registered = _text("最終登録住所地（未届転入のとき、住民票があった住所）")

    def planner_data(self, parts: dict[str, Any]) -> dict[str, Any]:
        data = super().planner_data(parts)
        basics = _filled(self.cleaned_data)
        data["household"] = {
            "mode": basics.get("household_mode", "new"),
            "household_no": basics.get("household_no", ""),
        }
        data["address"] = parts["address"].data_dict()
        data["previous_address"] = {
            **parts["previous"].data_dict(),
            "unreported": basics.get("previous_unreported"),
            "last_registered": basics.get("last_registered", ""),
        }
        data["persons"] = _persons(parts["persons"])
        return data


def _persons(formset: Any) -> list[dict[str, Any]]:
    return [f.data_dict() for f in formset if f.has_changed() and f.data_dict()]


# -- 法第30条の46転入・法第30条の47届出 (4.5.1, 4.5.2) --------------------------------------------


class ArticleMoveInForm(MovementBasics):
    """法第30条の46転入: a foreigner from abroad (転入前住所 optional, a foreign one as text)."""

    effective = _text("転入日（住民となった日）", placeholder="R8.11.26")
    household_mode = forms.ChoiceField(label="世帯", choices=[("new", "新しい世帯"), ("join", "既存の世帯に入る")])
    household_no = _text("入る世帯の世帯番号")

    def planner_data(self, parts: dict[str, Any]) -> dict[str, Any]:
        data = super().planner_data(parts)
        basics = _filled(self.cleaned_data)
        data["household"] = {
            "mode": basics.get("household_mode", "new"),
            "household_no": basics.get("household_no", ""),
        }
        data["address"] = parts["address"].data_dict()
        data["previous_address"] = parts["previous"].data_dict()
        data["persons"] = _persons(parts["persons"])
        return data


class ArticleDeclarationForm(ArticleMoveInForm):
    """法第30条の47届出: a foreigner living here who newly became 中長期在留者等."""

    effective = _text("中長期在留者等となった日（異動日）", placeholder="R8.11.26")
    address_set = _text("住所を定めた年月日（空欄は異動日）", placeholder="R8.4.1")

    def planner_data(self, parts: dict[str, Any]) -> dict[str, Any]:
        address_set = self.cleaned_data.get("address_set", "").strip()
        return {**super().planner_data(parts), **({"address_set": address_set} if address_set else {})}


class MoveOutForm(MovementBasics):
    reason = forms.ChoiceField(
        label="異動事由", choices=[("domestic_move_out", "国内転出"), ("abroad_move_out", "国外転出")]
    )
    special_move_out = forms.BooleanField(label="特例転出（個人番号カード等による・法24条の2）", required=False)

    def planner_data(self, parts: dict[str, Any]) -> dict[str, Any]:
        data = {**super().planner_data(parts), "destination": parts["address"].data_dict()}
        if self.cleaned_data.get("special_move_out"):
            data["special_move_out"] = True
        return data


class RelocationForm(MovementBasics):
    destination_mode = forms.ChoiceField(
        label="転居先の世帯",
        choices=[("same", "世帯ごと（全員）"), ("new", "新しい世帯"), ("join", "転居先の既存の世帯に入る")],
    )
    household_no = _text("入る世帯の世帯番号")

    def planner_data(self, parts: dict[str, Any]) -> dict[str, Any]:
        basics = _filled(self.cleaned_data)
        return {
            **super().planner_data(parts),
            "destination": {
                "mode": basics.get("destination_mode"),
                "household_no": basics.get("household_no", ""),
                "address": parts["address"].data_dict(),
            },
        }


class BirthForm(MovementBasics):
    household_no = _text("出生子が入る世帯の世帯番号", required=True)

    def planner_data(self, parts: dict[str, Any]) -> dict[str, Any]:
        return {
            **super().planner_data(parts),
            "household_no": self.cleaned_data.get("household_no", ""),
            "person": parts["child"].data_dict(),
        }


# -- 世帯合併・世帯変更・世帯主変更 (4.1.4) ----------------------------------------------------------


class HouseholdMergeForm(MovementBasics):
    """世帯合併: this household joins another at the same address."""

    into_household_no = _text("合併先の世帯番号", inputmode="numeric")

    def planner_data(self, parts: dict[str, Any]) -> dict[str, Any]:
        return {**super().planner_data(parts), "into_household_no": self.cleaned_data["into_household_no"].strip()}


class HouseholdChangeForm(MovementBasics):
    """世帯変更: the chosen members move into another household at the same address."""

    into_household_no = _text("移る先の世帯番号", inputmode="numeric")

    def planner_data(self, parts: dict[str, Any]) -> dict[str, Any]:
        return {**super().planner_data(parts), "into_household_no": self.cleaned_data["into_household_no"].strip()}


# -- one person's items: 修正 (4.2.3), 失踪 (4.2.2.2), 旧氏・通称 (1.1.7) --------------------------

# The items a correction may change, each with the masked item (10.4) that hides it.
_JAPANESE_ONLY = ("honseki_kind", "honseki", "koseki_head")
_FOREIGN_ONLY = (
    "name_alphabet",
    "nationality",
    "residence_category",
    "residence_status",
    "period_of_stay",
    "stay_expires_on",
    "residence_card_no",
    "special_permanent_cert_no",
)
_MASKED_BY = {
    "honseki_kind": "honseki",
    "honseki": "honseki",
    "koseki_head": "honseki",
    **dict.fromkeys(
        (
            "residence_category",
            "residence_status",
            "period_of_stay",
            "stay_expires_on",
            "residence_card_no",
            "special_permanent_cert_no",
        ),
        "residence_status",
    ),
}
_ADDRESS_ITEMS = ("postcode", "address", "banchi", "katagaki", "address_code")
_CONTROL = ("correction", "effective", "notified_on", "corrects", "remark")


class CorrectionForm(EntryForm):
    """職権修正・軽微な修正・誤記修正 of one person.  The form shows the current items; the
    items changed on it are the correction.  住所 may change only by a 軽微な修正 (4.2.3.2)."""

    correction = forms.ChoiceField(
        label="修正の種類",
        choices=[("ex_officio", "職権修正"), ("minor", "軽微な修正"), ("clerical", "誤記修正")],
    )
    effective = _text("修正の日（空欄可）", placeholder="R8.11.26")
    notified_on = _text("戸籍の届出・通知の日（空欄は今日）", placeholder="R8.11.26")
    corrects = forms.IntegerField(label="誤記のある履歴番号（誤記修正、空欄は最新）", required=False, min_value=1)
    surname = _text("氏")
    given_name = _text("名")
    furigana_surname = _text("氏の振り仮名（カタカナ）")
    furigana_given_name = _text("名の振り仮名（カタカナ）")
    furigana_confirmed = forms.BooleanField(label="振り仮名は戸籍で確認済み", required=False)
    name_alphabet = _text("氏名（アルファベット）")
    birth = _text("生年月日")
    sex = forms.ChoiceField(label="性別", choices=Sex.choices, required=False)
    honseki_kind = forms.ChoiceField(label="本籍の区分", choices=HonsekiKind.choices, required=False)
    honseki = _text("本籍")
    koseki_head = _text("筆頭者")
    nationality = _text("国籍・地域")
    residence_category = forms.ChoiceField(
        label="30条の45区分", choices=[("", "—"), *ResidenceCategory.choices], required=False
    )
    residence_status = _text("在留資格")
    period_of_stay = _text("在留期間")
    stay_expires_on = _text("在留期間の満了の日")
    residence_card_no = _text("在留カード等の番号")
    special_permanent_cert_no = _text("特別永住者証明書の番号")
    notes = forms.CharField(
        label="備考（統合記載欄 C類型）", required=False, widget=forms.Textarea(attrs={"rows": 2, **TEXT})
    )
    postcode = _text("郵便番号（軽微な修正のみ）", inputmode="numeric")
    address = _text("住所（軽微な修正のみ）")
    banchi = _text("番地（軽微な修正のみ）")
    katagaki = _text("方書（軽微な修正のみ）")
    address_code = _text("住所コード（軽微な修正のみ）", inputmode="numeric")

    def adapt(self) -> None:
        person = self.person
        foreign = person is not None and person.nationality_kind == NationalityKind.FOREIGN
        for name in list(self.fields):
            hidden_by = _MASKED_BY.get(name)
            if (
                (name in _JAPANESE_ONLY and foreign)
                or (name in _FOREIGN_ONLY and not foreign)
                or (hidden_by and not self.sees(hidden_by))
            ):
                del self.fields[name]
        if person is not None:
            self.initial = {**self.current(person), **self.initial}

    def current(self, person: Resident) -> dict[str, Any]:
        """The person's items as the form shows them."""
        values: dict[str, Any] = {
            name: getattr(person, name) for name in self.fields if name not in _CONTROL and hasattr(person, name)
        }
        values["birth"] = person.birth_text
        values["furigana_confirmed"] = person.furigana_status == FuriganaStatus.CONFIRMED
        expires = person.stay_expires_on
        values["stay_expires_on"] = expires.isoformat() if isinstance(expires, date) else ""
        return {k: v for k, v in values.items() if k in self.fields}

    def changes(self) -> dict[str, Any]:
        before = self.current(self.person) if self.person is not None else {}
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in _CONTROL and value != before.get(name, "" if name != "furigana_confirmed" else False)
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("correction") != "minor" and any(k in _ADDRESS_ITEMS for k in self.changes()):
            raise forms.ValidationError("住所は軽微な修正（住居表示の実施、地番変更など）でだけ修正できます。")
        return cleaned

    def planner_data(self, parts: dict[str, Any]) -> dict[str, Any]:
        control = _filled({k: self.cleaned_data.get(k) for k in _CONTROL})
        return {**control, "changes": self.changes()}


class DisappearanceForm(EntryForm):
    """失踪 (4.2.2.2): 職権消除 on the notice of a 失踪宣告."""

    effective = _text("失踪宣告により死亡とみなされる日", placeholder="R8.11.26")
    notified_on = _text("通知の日（空欄は今日）", placeholder="R8.11.26")


class ExOfficioRemovalForm(EntryForm):
    """職権消除 (4.2.0.1): persons who no longer live here, found by a 実態調査, 転出先 often unknown."""

    effective = _text("消除の事由が生じた日（住所を失った日。「令和8年10月頃」など不詳も可）", placeholder="R8.11.26")
    notified_on = _text("職権で処理する日（空欄は今日）", placeholder="R8.11.26")
    grounds = forms.CharField(
        label="職権消除の理由（実態調査の結果。職権記録書に記載）",
        widget=forms.Textarea(attrs={"rows": 2, **TEXT}),
    )
    destination_unknown = forms.BooleanField(label="転出先は不明", required=False, initial=True)

    def planner_data(self, parts: dict[str, Any]) -> dict[str, Any]:
        return {**super().planner_data(parts), "destination": parts["address"].data_dict()}


class FormerSurnameForm(EntryForm):
    """旧氏の記載・変更・削除 on 請求 (1.1.7), with its 振り仮名."""

    action = forms.ChoiceField(
        label="請求の内容", choices=[("record", "旧氏の記載"), ("change", "旧氏の変更"), ("delete", "旧氏の削除")]
    )
    former_surname = _text("旧氏")
    former_surname_furigana = _text("旧氏の振り仮名（カタカナ）")
    notified_on = _text("請求日（空欄は今日）", placeholder="R8.11.26")

    def adapt(self) -> None:
        if self.person is not None and self.person.former_surname:
            self.initial.setdefault("action", "change")


class AliasForm(EntryForm):
    """通称の記載・削除 on 申出 (1.1.7, 外国人住民)."""

    action = forms.ChoiceField(label="申出の内容", choices=[("record", "通称の記載"), ("delete", "通称の削除")])
    alias = _text("通称")
    alias_furigana = _text("通称の振り仮名")
    alias_furigana_confirmed = forms.BooleanField(label="通称の振り仮名を確認済み", required=False)
    notified_on = _text("申出日（空欄は今日）", placeholder="R8.11.26")

    def adapt(self) -> None:
        if self.person is not None and self.person.alias:
            self.initial.setdefault("action", "delete")


# -- 帰化・国籍取得・国籍喪失 (4.5.3–4.5.5) ---------------------------------------------------------


def _one_person(form: EntryForm, control: tuple[str, ...]) -> dict[str, Any]:
    """The planners of planning.foreign take ``persons: [{atena_no, entered items}]``."""
    entered = _filled(form.cleaned_data)
    data = {k: entered.pop(k) for k in control if k in entered}
    entered.pop("remark", None)
    person = form.person
    data["persons"] = [{"atena_no": person.atena_no if person is not None else "", **entered}]
    return data


class NaturalizationForm(EntryForm):
    """帰化 (4.5.3): a Japanese 住民票 for a foreign resident.  氏名・振り仮名 and 本籍・筆頭者
    are entered; everything else is carried over (生年月日 converted to 和暦)."""

    effective_label = "帰化の日"
    effective = _text("帰化の日", placeholder="R8.11.26")
    notified_on = _text("戸籍の届出・通知の日（空欄は今日）", placeholder="R8.11.26")
    surname = _text("氏（戸籍のとおり）")
    given_name = _text("名（戸籍のとおり）")
    furigana_surname = _text("氏の振り仮名（カタカナ）")
    furigana_given_name = _text("名の振り仮名（カタカナ）")
    furigana_confirmed = forms.BooleanField(label="振り仮名は戸籍で確認済み", required=False)
    honseki_kind = forms.ChoiceField(
        label="本籍の区分", choices=HonsekiKind.choices, required=False, initial=HonsekiKind.ADDRESS
    )
    honseki = _text("本籍")
    koseki_head = _text("筆頭者")
    birth = _text("生年月日（和暦、空欄は今の生年月日を和暦に換算）", placeholder="H7.3.1")

    def adapt(self) -> None:
        self.fields["effective"].label = self.effective_label
        if self.person is not None:
            current = {k: getattr(self.person, k) for k in ("surname", "given_name")}
            current.update({k: getattr(self.person, k) for k in ("furigana_surname", "furigana_given_name")})
            self.initial = {**{k: v for k, v in current.items() if v}, **self.initial}

    def planner_data(self, parts: dict[str, Any]) -> dict[str, Any]:
        return _one_person(self, ("effective", "notified_on"))


class NationalityAcquisitionForm(NaturalizationForm):
    """国籍取得 (4.5.4, 国籍法3条・17条): as 帰化."""

    effective_label = "国籍取得の日"


class NationalityLossForm(EntryForm):
    """国籍喪失 (4.5.5): a foreign 住民票 for a Japanese resident; 国籍・地域 and the 法30条の45
    区分 with its items are entered (国籍喪失による経過滞在者 unless a status was granted)."""

    effective = _text("国籍喪失の日", placeholder="R8.11.26")
    notified_on = _text("戸籍の届出・通知の日（空欄は今日）", placeholder="R8.11.26")
    nationality = _text("国籍・地域")
    residence_category = forms.ChoiceField(
        label="30条の45区分",
        choices=[
            (ResidenceCategory.TRANSITIONAL_LOSS.value, ResidenceCategory.TRANSITIONAL_LOSS.label),
            *_ARTICLE_CATEGORIES,
        ],
        initial=ResidenceCategory.TRANSITIONAL_LOSS,
    )
    residence_status = _text("在留資格")
    period_of_stay = _text("在留期間")
    stay_expires_on = _text("在留期間の満了の日", placeholder="2029-03-31")
    residence_card_no = _text("在留カード等の番号")
    special_permanent_cert_no = _text("特別永住者証明書の番号")
    landing_period = _text("上陸期間・仮滞在期間（一時庇護・仮滞在）")
    name_alphabet = _text("氏名（アルファベット）")
    surname = _text("氏（漢字）")
    given_name = _text("名（漢字）")
    furigana_surname = _text("氏の振り仮名（カタカナ）")
    furigana_given_name = _text("名の振り仮名（カタカナ）")
    birth = _text("生年月日（西暦、空欄は今の生年月日を西暦に換算）", placeholder="1980-04-01")

    def adapt(self) -> None:
        if self.person is not None:
            current = {k: getattr(self.person, k) for k in ("surname", "given_name")}
            current.update({k: getattr(self.person, k) for k in ("furigana_surname", "furigana_given_name")})
            self.initial = {**{k: v for k, v in current.items() if v}, **self.initial}

    def planner_data(self, parts: dict[str, Any]) -> dict[str, Any]:
        return _one_person(self, ("effective", "notified_on"))


# -- 住民票コード・個人番号 (4.3, 4.4), 改製 (1.1.4) ----------------------------------------------------


class ResidentCodeForm(EntryForm):
    """住民票コードの変更請求・職権記載: the new code is drawn from the spare stock at 本登録."""

    action = forms.ChoiceField(
        label="処理の種類",
        choices=[("change_request", "住民票コードの変更請求"), ("ex_officio_record", "住民票コードの職権記載")],
    )
    notified_on = _text("請求日・職権で処理する日（空欄は今日）", placeholder="R8.11.26")
    effective = _text("異動日（空欄は請求日・処理日）", placeholder="R8.11.26")
    notifier = _text("請求者（変更請求のとき）")

    def adapt(self) -> None:
        if self.person is not None:
            self.initial.setdefault("action", "change_request" if self.person.resident_code else "ex_officio_record")


class IndividualNumberForm(EntryForm):
    """個人番号の職権記載（生成要求）・変更請求・職権修正（変更要求）: the number comes from J-LIS
    when the movement is entered and shows on the 確認用帳票."""

    action = forms.ChoiceField(
        label="処理の種類",
        choices=[
            ("ex_officio_record", "個人番号の職権記載（指定）"),
            ("change_request", "個人番号の変更請求"),
            ("ex_officio_correction", "個人番号の職権修正"),
        ],
    )
    notified_on = _text("請求日・職権で処理する日（空欄は今日）", placeholder="R8.11.26")
    effective = _text("異動日（空欄は請求日・処理日）", placeholder="R8.11.26")
    notifier = _text("請求者（変更請求のとき）")

    def adapt(self) -> None:
        if self.person is not None:
            recorded = bool(self.person.individual_number_ct)
            self.initial.setdefault("action", "change_request" if recorded else "ex_officio_record")


_RECORDED = [("", "記載なし"), ("yes", "あり"), ("no", "なし")]
_COVERAGE = (
    ("nhi", "国民健康保険"),
    ("late_elderly", "後期高齢者医療"),
    ("long_term_care", "介護保険"),
    ("pension", "国民年金"),
)


class ProgramItemsForm(EntryForm):
    """個別事項の記載・修正 (1.1.1; 法7条9号〜11号の2), 職権 on the notice of the department that
    runs the program.  Every program shows what is recorded; 「記載なし」 removes a program's
    record.  The 基礎年金番号 is shown and entered only by an operator who may see 個人番号;
    for anyone else it is kept as recorded."""

    notifier = _text("通知した課（例: 保険年金課）")
    notified_on = _text("通知日（空欄は今日）", placeholder="R8.11.26")
    elector_registered = forms.ChoiceField(label="選挙人名簿登録", choices=_RECORDED, required=False)

    def adapt(self) -> None:
        for key, label in _COVERAGE:
            self.fields[f"{key}_insured"] = forms.ChoiceField(label=f"{label} 資格", choices=_RECORDED, required=False)
            self.fields[f"{key}_acquired_on"] = _text(f"{label} 資格取得日", placeholder="R6.4.1")
            self.fields[f"{key}_lost_on"] = _text(f"{label} 資格喪失日", placeholder="R8.3.31")
        self.fields["pension_category"] = forms.ChoiceField(
            label="国民年金 種別",
            choices=[("", "—"), ("1", "第1号被保険者"), ("3", "第3号被保険者"), ("voluntary", "任意加入被保険者")],
            required=False,
        )
        self.fields["pension_category_changed_on"] = _text("国民年金 種別変更日", placeholder="R8.4.1")
        if self.sees("individual_number"):
            self.fields["pension_basic_pension_no"] = _text("基礎年金番号（10桁）", inputmode="numeric")
        self.fields["child_allowance_start_month"] = _text("児童手当 受給開始年月", placeholder="2024-04")
        self.fields["child_allowance_end_month"] = _text("児童手当 受給終了年月", placeholder="2026-03")
        if self.person is not None:
            for name, value in _program_initial(self.person.program_items or {}).items():
                if name in self.fields:
                    self.initial.setdefault(name, value)

    def planner_data(self, parts: dict[str, Any]) -> dict[str, Any]:
        entered = self.cleaned_data
        recorded = dict(self.person.program_items or {}) if self.person is not None else {}
        items: dict[str, Any] = {}
        flag = entered.get("elector_registered") or ""
        items["elector"] = {"registered": flag == "yes"} if flag else None
        for key, _label in _COVERAGE:
            values = {n: entered.get(f"{key}_{n}") or "" for n in ("acquired_on", "lost_on")}
            insured = entered.get(f"{key}_insured") or ""
            if key == "pension":
                values["category"] = entered.get("pension_category") or ""
                values["category_changed_on"] = entered.get("pension_category_changed_on") or ""
                kept = (recorded.get("pension") or {}).get("basic_pension_no", "")
                values["basic_pension_no"] = entered.get("pension_basic_pension_no", kept) or ""
            items[key] = {"insured": insured == "yes", **values} if insured or any(values.values()) else None
        months = {n: entered.get(f"child_allowance_{n}") or "" for n in ("start_month", "end_month")}
        items["child_allowance"] = months if any(months.values()) else None
        data = {k: entered[k] for k in ("notifier", "notified_on") if entered.get(k)}
        data["program_items"] = items
        return data


def _program_initial(items: dict[str, Any]) -> dict[str, str]:
    """The recorded 個別事項 as the form's initial values (dates in 和暦)."""

    def day(value: Any) -> str:
        return format_wareki(date.fromisoformat(value)) if value else ""

    initial: dict[str, str] = {}
    if "elector" in items:
        initial["elector_registered"] = "yes" if items["elector"].get("registered") else "no"
    for key, _label in _COVERAGE:
        values = items.get(key)
        if not values:
            continue
        initial[f"{key}_insured"] = "yes" if values.get("insured") else "no"
        initial[f"{key}_acquired_on"] = day(values.get("acquired_on"))
        initial[f"{key}_lost_on"] = day(values.get("lost_on"))
        if key == "pension":
            initial["pension_category"] = values.get("category", "")
            initial["pension_category_changed_on"] = day(values.get("category_changed_on"))
            initial["pension_basic_pension_no"] = values.get("basic_pension_no", "")
    allowance = items.get("child_allowance") or {}
    initial["child_allowance_start_month"] = allowance.get("start_month", "")
    initial["child_allowance_end_month"] = allowance.get("end_month", "")
    return initial


class RebuildForm(EntryForm):
    """改製 (1.1.4): the record becomes a 除票 (改製原住民票) and a new record is written."""

    remark_label = "改製の理由（留意事項）"
    effective = _text("改製日（空欄は今日）", placeholder="R8.11.26")

    def planner_data(self, parts: dict[str, Any]) -> dict[str, Any]:
        data = _filled(self.cleaned_data)
        if self.person is not None:
            data["atena_nos"] = [self.person.atena_no]
        return data


# -- メモ (1.1.15) ------------------------------------------------------------------------------


class MemoForm(JuminForm):
    text = forms.CharField(
        label="メモ（証明書には印字されません）",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "data-shortcut": "Alt+N", **TEXT}),
        error_messages={"required": "メモを入力してください。", "max_length": "メモは2000字以内です。"},
    )


class ReturnForm(JuminForm):
    """差戻し: what the entering clerk should correct (free text; no 個人番号)."""

    comment = forms.CharField(
        label="差戻しの理由（直してほしい点）",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, **TEXT}),
        error_messages={
            "required": "差戻しの理由（直してほしい点）を入力してください。",
            "max_length": "差戻しの理由は1000字以内です。",
        },
    )
