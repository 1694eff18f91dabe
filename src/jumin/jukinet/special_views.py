"""特例転入 screens (spec 4.1.1.3): the 特例転入予定者一覧 (the 転出証明書情報 received through CS and
waiting for a 転入), the 送信依頼 to the former municipality when one has not arrived, and the
転入 entry screen of the register pre-filled from a certificate (editable; the normal 仮登録 →
審査・決裁 → 本登録 follows).  Thin: parse, call one service, render."""

from __future__ import annotations

import dataclasses
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jumin.accounts.models import User
from jumin.core.errors import DomainError
from jumin.core.movement_kind import MovementKind
from jumin.free_text import JuminForm
from jumin.jukinet.move_out_certificates import (
    certificates_for_entry,
    enter_special_move_in,
    entry_initial,
    pending_certificates,
    pull_move_out_certificates,
    request_move_out_certificate,
)
from jumin.registry.entry import SCREENS, render_entry
from jumin.registry.models import Movement, Sex

VIEW = "accounts.view_resident"
ENTER = "accounts.enter_movement"
_TEXT = {"autocomplete": "off", "spellcheck": "false"}


class RequestForm(JuminForm):
    """送信依頼: the former municipality and the person (住民票コード, or 氏名・生年月日・性別)."""

    former_municipality_code = forms.CharField(
        label="転出地の市町村コード（6桁）",
        max_length=6,
        widget=forms.TextInput(attrs={**_TEXT, "inputmode": "numeric"}),
    )
    resident_code = forms.CharField(
        label="住民票コード", required=False, widget=forms.TextInput(attrs={**_TEXT, "inputmode": "numeric"})
    )
    name = forms.CharField(label="氏名", required=False, widget=forms.TextInput(attrs=_TEXT))
    birth_text = forms.CharField(
        label="生年月日（転出地の記載どおり）", required=False, widget=forms.TextInput(attrs=_TEXT)
    )
    sex = forms.ChoiceField(label="性別", choices=[("", "—"), *Sex.choices], required=False)


def _operator(request: HttpRequest) -> User:
    return cast(User, request.user)


@require_GET
@permission_required(VIEW, raise_exception=True)
def index(request: HttpRequest) -> HttpResponse:
    found = pending_certificates(by=_operator(request))
    context = {"certificates": found, "request_form": RequestForm(), "may_enter": request.user.has_perm(ENTER)}
    return render(request, "jukinet/special/index.html", context)


@require_POST
@permission_required(ENTER, raise_exception=True)
def send_request(request: HttpRequest) -> HttpResponse:
    form = RequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "転出地の市町村コード（6桁）を入力してください。")
        return redirect("jukinet_special:index")
    try:
        count = request_move_out_certificate(by=_operator(request), **form.cleaned_data)
        pulled = pull_move_out_certificates()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"送信依頼をしました（{count}件）。転出証明書情報を{pulled.received}件受信しました。")
    return redirect("jukinet_special:index")


@require_http_methods(["GET", "POST"])
@permission_required(ENTER, raise_exception=True)
def move_in(request: HttpRequest, pk: int) -> HttpResponse:
    """The register's 転入 entry screen, pre-filled from the certificate (and those of the 世帯員
    moving together); posting it stores the 仮登録 linked to them."""
    operator = _operator(request)
    if not operator.has_perm(VIEW):
        raise PermissionDenied
    try:
        certificates = certificates_for_entry(pk, by=operator)
    except DomainError as error:
        raise Http404(error.message) from error
    first = certificates[0]
    planned = first.planned_move_out_on
    hint = (
        f"特例転入：{first.sender_name or first.sender_code}からの転出証明書情報（{len(certificates)}人、"
        f"転出予定日 {planned.isoformat() if planned else '—'}）から入力しています。"
        "転入日と届出の内容を確かめ、違うところは直してから仮登録してください。個人番号は転出証明書情報から記録します。"
    )
    screen = dataclasses.replace(SCREENS[MovementKind.MOVE_IN], hint=hint)
    posted = request.method == "POST"
    data = request.POST if posted else None
    initial = entry_initial(certificates)
    form = screen.form(data, person=None, sees=operator.sees, initial=None if posted else initial["form"])
    parts: dict[str, Any] = {
        part.name: part.form(data, prefix=part.prefix, **({} if posted else {"initial": initial.get(part.name)}))
        for part in screen.parts
    }

    def enter(entered: dict[str, Any], acknowledged: list[str]) -> Movement:
        return enter_special_move_in([c.pk for c in certificates], entered, by=operator, acknowledged=acknowledged)

    return render_entry(
        request,
        screen,
        label="特例転入",
        form=form,
        parts=parts,
        rows=[],
        household_no="",
        person=None,
        card=None,
        back=reverse("jukinet_special:index"),
        sees_individual_number=False,  # it comes from the certificate, on the server
        enter=enter,
    )
