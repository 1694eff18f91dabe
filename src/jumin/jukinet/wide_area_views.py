"""広域交付 at our counter (住基法12条の4; ``/jukinet/wide-area/``, menu 「広域交付」 Shift+F5): a
resident of another municipality shows the 個人番号カード, the clerk reads it (the card reader of
本人確認), chooses 本人/世帯全員 and the items, and one key sends the request over 住基ネット to the
住所地; an answered copy comes back as the PDF to print, a refusal as its reason.  Below: the
広域交付 送信/受信一覧表.  Thin: parse, call :mod:`jumin.jukinet.wide_area`, render."""

from __future__ import annotations

import json
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from jumin.accounts.models import Terminal
from jumin.accounts.principal import principal_for
from jumin.certificates import services as certificates
from jumin.certificates import signing as certificate_signing
from jumin.core import certificates as rules
from jumin.core import wide_area as w
from jumin.core.errors import DomainError
from jumin.free_text import JuminForm
from jumin.jukinet import card_reader, identity_check, wide_area

SESSION_KEY = "jumin_wide_area_challenge"
_TEXT = {"autocomplete": "off", "spellcheck": "false"}


class WideAreaForm(JuminForm):
    residence_code = forms.CharField(
        label="住所地の団体コード（6桁・空欄ならカードの住所から）",
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={**_TEXT, "inputmode": "numeric"}),
    )
    layout = forms.ChoiceField(label="様式", choices=list(w.LAYOUTS.items()), initial=w.INDIVIDUAL)
    items = forms.MultipleChoiceField(
        label="記載を請求する事項（本籍・筆頭者は記載できません）",
        choices=[(i, rules.ITEM_LABELS[i]) for i in w.CHOOSABLE_ITEMS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    copies = forms.IntegerField(label="通数", min_value=1, max_value=w.MAX_COPIES, initial=1)


def _pdf(data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="wide-area.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@permission_required((wide_area.ISSUE, identity_check.VIEW), raise_exception=True)
def index(request: HttpRequest) -> HttpResponse:
    principal = principal_for(request)
    form = WideAreaForm(request.POST or None)
    refusal: dict[str, str] | None = None
    if request.method == "POST" and form.is_valid():
        challenge = request.session.pop(SESSION_KEY, "")
        data = form.cleaned_data
        ask = wide_area.CounterAsk(data["residence_code"], data["layout"], tuple(data["items"]), data["copies"])
        try:
            if not challenge:
                raise DomainError(
                    "identity.challenge_invalid", "照合用データがありません。もう一度読み取ってください。"
                )
            slot = str(request.POST.get("card", ""))[:40]
            presented = json.dumps(card_reader.reader().read(slot, challenge))
            with certificate_signing.served_at(request.build_absolute_uri(reverse("verify"))):
                result = wide_area.request_copy(
                    principal,
                    presented,
                    challenge,
                    ask,
                    terminal=cast(Terminal | None, getattr(request, "terminal", None)),
                )
        except DomainError as error:
            if error.code == "auth.forbidden":
                raise PermissionDenied(error.message) from error
            form.add_error(None, error.message)
        else:
            if result.issued is not None:
                response = _pdf(certificates.merged(result.issued.pdfs))
                response["X-Jumin-Issuances"] = ",".join(str(i.pk) for i in result.issued.issuances)
                return response
            refusal = {"code": result.reason_code, "message": result.message, "residence": result.residence_name}
    try:
        fresh = identity_check.issue_challenge(by=principal)
    except DomainError as error:
        raise PermissionDenied(error.message) from error
    request.session[SESSION_KEY] = fresh.token
    context: dict[str, Any] = {
        "form": form,
        "refusal": refusal,
        "cards": card_reader.reader().cards(),
        "exchanges": wide_area.exchanges(principal, limit=50),
        "fee": wide_area.fee_per_copy(),
    }
    return render(request, "jukinet/wide_area/index.html", context)
