"""Forms of the certificate screens (Japanese labels; the services decide every rule)."""

from __future__ import annotations

from typing import Any

from django import forms

from jumin.audit.forms import WarekiDateField
from jumin.certificates import content as c
from jumin.certificates.models import Certifier, Issuance
from jumin.certificates.services import ID_DOCUMENTS, KINDS, MAX_COPIES, IssueRequest
from jumin.core import certificates as rules
from jumin.free_text import JuminForm, JuminModelForm

# dates are typed as everywhere at the counter: 令和8年4月1日, R8.4.1, 5080401 or 西暦
DATE_INPUT = forms.TextInput(attrs={"autocomplete": "off", "placeholder": "R8.4.1", "maxlength": "30"})
ITEM_CHOICES = [(key, rules.ITEM_LABELS[key]) for key in rules.OPTIONAL_ITEMS]
CERTIFIED_CHOICES = [
    ("former_surname", "旧氏"),
    ("alias", "通称"),
    ("birth", "生年月日"),
    ("sex", "性別"),
    ("relationship", "続柄"),
    ("head_name", "世帯主"),
    ("became_resident", "住民となった年月日"),
    ("address_set", "住所を定めた年月日"),
    ("notified_on", "届出日"),
    ("previous_address", "転入前住所"),
    ("moved_from_address", "異動前住所"),
    ("honseki", "本籍・筆頭者"),
    ("nationality", "国籍・地域"),
    ("residence_status", "在留資格"),
    ("program_items", "個別事項（国民健康保険・後期高齢者医療・介護保険・国民年金・児童手当）"),
]


class IssueForm(JuminForm):
    atena_no = forms.CharField(label="宛名番号（証明する方）", max_length=20)
    kind = forms.ChoiceField(label="証明書の種類", choices=[(k, c.KIND_TITLES[k]) for k in KINDS], initial=c.COPY)
    layout = forms.ChoiceField(
        label="様式",
        choices=[(c.HOUSEHOLD, "世帯連記式"), (c.INDIVIDUAL, "個人票")],
        initial=c.HOUSEHOLD,
    )
    members = forms.CharField(
        label="記載する世帯員（宛名番号、空欄は世帯全員）",
        required=False,
        max_length=400,
        help_text="世帯の一部だけを記載するときに、宛名番号を空白か読点で区切って入力します。",
    )
    route = forms.ChoiceField(label="請求の種別", choices=Issuance.Route.choices, initial=rules.SELF)
    requester_name = forms.CharField(label="請求者（申出者）の氏名・名称", max_length=200)
    requester_atena_no = forms.CharField(label="請求者の宛名番号（本人等・委任者）", required=False, max_length=20)
    requester_address = forms.CharField(label="請求者の住所・所在地", required=False, max_length=200)
    representative = forms.CharField(label="請求の任に当たる者（機関・法人）", required=False, max_length=200)
    purpose = forms.CharField(
        label="請求事由・利用目的（根拠法令）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    proof = forms.CharField(label="疎明資料", required=False, max_length=400)
    id_document = forms.ChoiceField(
        label="本人確認書類", required=False, choices=[("", "（選択）"), *ID_DOCUMENTS.items()]
    )
    id_document_note = forms.CharField(label="本人確認の記録（書類の番号は記録しない）", required=False, max_length=200)
    power_of_attorney = forms.BooleanField(label="委任状を確認した", required=False)
    items = forms.MultipleChoiceField(
        label="記載する事項（特別の請求があるときだけ）",
        required=False,
        choices=ITEM_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    certified_items = forms.MultipleChoiceField(
        label="記載事項証明書で証明する事項",
        required=False,
        choices=CERTIFIED_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    with_history = forms.BooleanField(label="異動履歴を記載する（個人票）", required=False)
    record_no = forms.IntegerField(
        label="除票の番号（除票の写し: 1が最も古い住民票、空欄は最新の除票）", min_value=1, required=False
    )
    with_furigana = forms.BooleanField(label="氏名の振り仮名を記載する", required=False)
    official_use = forms.BooleanField(label="公用", required=False)
    copies = forms.IntegerField(label="通数", min_value=1, max_value=MAX_COPIES, initial=1)
    printer = forms.IntegerField(label="プリンタ番号", min_value=1, max_value=999, required=False)
    alert_reason = forms.CharField(label="抑止（アラート）を確認して交付する理由", required=False, max_length=400)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the cursor starts where the clerk types first: the person, or (already filled in
        # from the person / household screen) the kind of certificate
        first = "kind" if not self.is_bound and self.initial.get("atena_no") else "atena_no"
        self.fields[first].widget.attrs["autofocus"] = True

    def issue_request(self) -> IssueRequest:
        data = self.cleaned_data
        members = tuple(m for m in data["members"].replace("、", " ").replace(",", " ").split() if m)
        return IssueRequest(
            kind=data["kind"],
            atena_no=data["atena_no"].strip(),
            route=data["route"],
            requester_name=data["requester_name"],
            layout=data["layout"],
            members=members,
            requester_address=data["requester_address"],
            requester_atena_no=data["requester_atena_no"],
            representative=data["representative"],
            purpose=data["purpose"],
            proof=data["proof"],
            id_document=data["id_document"] or "",
            id_document_note=data["id_document_note"],
            power_of_attorney=data["power_of_attorney"],
            items=tuple(data["items"]),
            certified_items=tuple(data["certified_items"]),
            with_history=data["with_history"],
            with_furigana=data["with_furigana"],
            official_use=data["official_use"],
            copies=data["copies"],
            alert_reason=data["alert_reason"],
            printer=data["printer"],
            record_no=data["record_no"],
        )


class HistoryFilterForm(JuminForm):
    atena_no = forms.CharField(label="宛名番号", required=False, max_length=20)
    issue_no = forms.CharField(label="発行番号", required=False, max_length=120)
    issued_on = WarekiDateField(label="交付日", required=False, widget=DATE_INPUT)


class ReasonForm(JuminForm):
    reason = forms.CharField(label="理由", max_length=400)
    alert_reason = forms.CharField(label="抑止（アラート）を確認して交付する理由", required=False, max_length=400)


class CertifierForm(JuminModelForm):
    valid_from = WarekiDateField(label="期間（開始）", widget=DATE_INPUT)
    valid_to = WarekiDateField(label="期間（終了・空欄は定めなし）", required=False, widget=DATE_INPUT)

    class Meta:
        model = Certifier
        fields = ["role", "title", "name", "valid_from", "valid_to", "seal_text", "print_seal"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data: dict[str, Any] = self.cleaned_data
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", "期間の終了は開始より後の日にしてください。")
        return data


MAX_VERIFY_UPLOAD = 10 * 1024 * 1024  # a copy is a few hundred kB; the page is public


class VerifyForm(JuminForm):
    n = forms.CharField(label="発行番号", max_length=120)
    s = forms.CharField(label="署名（QRコードの s=）", required=False, max_length=120)
    document = forms.FileField(label="交付されたPDF（任意）", required=False)

    def clean_document(self) -> Any:
        document = self.cleaned_data.get("document")
        if document and document.size > MAX_VERIFY_UPLOAD:
            raise forms.ValidationError("PDFが大きすぎます（10MBまで）。交付されたPDFをそのまま選んでください。")
        return document
