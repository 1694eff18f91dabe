"""Counter screen: record a card status event for a person (交付, 一時停止, 解除, 廃止, 回収,
返還; assessment system 1 function 13).  The event goes to J-LIS with ``jumin cards send``."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from jumin.accounts.models import User
from jumin.accounts.principal import principal_for
from jumin.cards import queries
from jumin.cards.forms import CardEventForm
from jumin.cards.models import CardEventKind, CardEventSource
from jumin.cards.services import ENTER, record_card_event
from jumin.core.errors import DomainError


@require_http_methods(["GET", "POST"])
@permission_required(ENTER, raise_exception=True)
def record_event(request: HttpRequest, atena_no: str) -> HttpResponse:
    form = CardEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = record_card_event(
                atena_no,
                data["event"],
                data["occurred_on"],
                CardEventSource.COUNTER,
                card_kind=data["card_kind"],
                note=data["note"],
                by=cast(User, request.user),
            )
        except DomainError as error:
            if error.code == "auth.forbidden":
                raise PermissionDenied(error.message) from error
            form.add_error(None, error.message)
        else:
            messages.success(request, f"カードの「{CardEventKind(event.event).label}」を記録しました。")
            return redirect("registry:person", atena_no)
    try:
        status = queries.card_status(principal_for(request), atena_no, purpose="cards.record_event")
    except DomainError:
        status = None
    return render(request, "cards/record_event.html", {"form": form, "atena_no": atena_no, "status": status})
