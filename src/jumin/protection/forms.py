"""Forms of the 支援措置 officer's screens.  Dates are typed like everywhere at the counter
(令和8年4月1日, R8.4.1, 5080401 or 西暦) and shown in 和暦."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from jumin.conf.domain import check_date, era_table
from jumin.core.date_rules import DateKind
from jumin.core.errors import DomainError
from jumin.free_text import JuminForm
from jumin.protection.models import Block, EndReason, MeasureKind, MeasureTransfer, Process
from jumin.protection.services import MeasureInput, OffenderInput, TransferInput


class WarekiDateField(forms.Field):
    """A date typed at the counter, inside the accepted range of ``kind`` (core.date_rules)."""

    def __init__(
        self, label: str, *, required: bool = True, kind: DateKind = DateKind.SUPPORT_MEASURE, **kwargs: Any
    ) -> None:
        self.kind = kind
        super().__init__(
            label=label,
            required=required,
            widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "R8.4.1", "maxlength": "30"}),
            **kwargs,
        )

    def to_python(self, value: Any) -> date | None:
        text = str(value or "").strip()
        if not text:
            return None
        try:
            return check_date(self.kind, era_table().parse(text), label=_short(str(self.label or "")))
        except DomainError as error:
            raise forms.ValidationError(error.message) from error


def _short(label: str) -> str:
    """「終了日（空欄なら開始日から1年）」 -> 「終了日」 for messages."""
    return (label or "日付").split("（", 1)[0]


def _reason(label: str = "理由（記録されます）") -> forms.CharField:
    return forms.CharField(label=label, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class MeasureForm(JuminForm):
    kind = forms.ChoiceField(label="区分", choices=MeasureKind.choices)
    applicant_atena_no = forms.CharField(label="申出者の宛名番号", max_length=20)
    accompanying = forms.CharField(
        label="併せて支援を求める者の宛名番号（空白・改行区切り）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    start_on = WarekiDateField("開始日")
    end_on = WarekiDateField("終了日（空欄なら開始日から1年）", required=False)
    restrict_inspection = forms.BooleanField(label="住民基本台帳の一部の写しの閲覧", required=False, initial=True)
    restrict_copy_current = forms.BooleanField(label="住民票の写し等の交付（現住所）", required=False, initial=True)
    restrict_copy_former = forms.BooleanField(label="除票の写し等の交付（前住所）", required=False, initial=True)
    restrict_fuhyo = forms.BooleanField(label="戸籍の附票の写しの交付（本籍・前本籍）", required=False)
    is_provisional = forms.BooleanField(label="仮支援措置", required=False)
    provisional_start_on = WarekiDateField("仮支援措置の開始日（空欄なら開始日）", required=False)
    first_receiving_municipality = forms.CharField(label="当初受付市区町村", max_length=60, required=False)
    applicant_contact = forms.CharField(label="申出者の連絡先", max_length=200, required=False)
    applicant_destination = forms.CharField(label="転出先（申出書の記載）", max_length=200, required=False)
    offender_name = forms.CharField(label="加害者の氏名", max_length=200, required=False)
    offender_furigana = forms.CharField(label="加害者のフリガナ", max_length=200, required=False)
    offender_birth = forms.CharField(label="加害者の生年月日", max_length=60, required=False)
    offender_sex = forms.ChoiceField(
        label="加害者の性別", choices=[("", "—"), ("1", "男"), ("2", "女")], required=False
    )
    offender_address = forms.CharField(label="加害者の住所", max_length=200, required=False)
    offender_atena_no = forms.CharField(label="加害者の宛名番号（本市に記録がある場合）", max_length=20, required=False)
    offender_notes = forms.CharField(
        label="加害者について（続柄・特徴など）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    remark = forms.CharField(
        label="備考（相談機関等の意見など）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = _reason("受付の内容（記録されます）")

    def measure_input(self) -> MeasureInput:
        d = self.cleaned_data
        offenders = []
        if d["offender_name"].strip() or d["offender_atena_no"].strip():
            offenders.append(
                OffenderInput(
                    name=d["offender_name"],
                    furigana=d["offender_furigana"],
                    birth_text=d["offender_birth"],
                    sex=d["offender_sex"],
                    address=d["offender_address"],
                    atena_no=d["offender_atena_no"],
                    notes=d["offender_notes"],
                )
            )
        return MeasureInput(
            kind=d["kind"],
            applicant_atena_no=d["applicant_atena_no"],
            accompanying=d["accompanying"].split(),
            start_on=d["start_on"],
            end_on=d["end_on"],
            reason=d["reason"],
            offenders=offenders,
            restrict_inspection=d["restrict_inspection"],
            restrict_copy_current=d["restrict_copy_current"],
            restrict_copy_former=d["restrict_copy_former"],
            restrict_fuhyo=d["restrict_fuhyo"],
            is_provisional=d["is_provisional"],
            provisional_start_on=d["provisional_start_on"],
            first_receiving_municipality=d["first_receiving_municipality"],
            applicant_contact=d["applicant_contact"],
            applicant_destination=d["applicant_destination"],
            remark=d["remark"],
        )


class BlockForm(JuminForm):
    scope = forms.ChoiceField(label="対象", choices=Block.Scope.choices)
    target_no = forms.CharField(label="宛名番号・世帯番号", max_length=20)
    process = forms.ChoiceField(label="抑止する処理", choices=Process.choices)
    level = forms.ChoiceField(label="レベル", choices=Block.Level.choices)
    start_on = WarekiDateField("開始日（空欄なら本日）", required=False, kind=DateKind.BLOCK)
    end_on = WarekiDateField("終了日（表示のみ。自動では解除されません）", required=False, kind=DateKind.BLOCK)
    reason = _reason("設定の理由")


class ReasonForm(JuminForm):
    reason = _reason()


class TemporaryReleaseForm(JuminForm):
    reason = _reason("一時解除の理由（審査の結果）")
    minutes = forms.IntegerField(label="一時解除の時間（分）", min_value=1, max_value=24 * 60, required=False)


class EndDateForm(JuminForm):
    end_on = WarekiDateField("新しい終了日")
    reason = _reason()


class TerminateForm(JuminForm):
    end_reason = forms.ChoiceField(label="終了事由", choices=EndReason.choices)
    reason = _reason()


class TransferForm(JuminForm):
    direction = forms.ChoiceField(label="区分", choices=MeasureTransfer.Direction.choices)
    municipality = forms.CharField(label="市区町村", max_length=60)
    municipality_code = forms.CharField(label="市区町村コード", max_length=6, required=False)
    on = WarekiDateField("転送日")
    note = forms.CharField(label="備考", max_length=200, required=False)
    reason = _reason()

    def transfer_input(self) -> TransferInput:
        d = self.cleaned_data
        return TransferInput(d["direction"], d["municipality"], d["on"], d["municipality_code"], d["note"])
