"""The 異動 menu screen (F4): choose the kind with one key, then the 世帯番号 or 宛名番号 it needs.
Thin: :mod:`jumin.registry.menu` lists, :func:`jumin.registry.queries.lookup` checks the number."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from jumin.accounts.principal import principal_for
from jumin.core.errors import DomainError
from jumin.registry import menu, queries
from jumin.registry.entry import LOOKUP, PERSON

ENTER = "accounts.enter_movement"


@require_GET
@permission_required(ENTER, raise_exception=True)
def movement_menu(request: HttpRequest) -> HttpResponse:
    chosen = menu.entry_for(request.user, request.GET.get("kind", "")[:40])
    if chosen is None:
        return render(request, "registry/movement_menu.html", {"entries": menu.entries(request.user)})
    screen = chosen.screen
    new = reverse("registry:movement_new", args=[screen.kind])
    if screen.scope == LOOKUP:
        return redirect(new)
    number = request.GET.get("number", "").strip()[:20]
    label = menu.NUMBER_LABELS[screen.scope]
    if number:
        scope = "person" if screen.scope == PERSON else "household"
        try:
            found = queries.lookup(principal_for(request), number, scope)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            return redirect(f"{new}?{urlencode({scope: found})}")
    context = {"chosen": chosen, "number": number, "number_label": label}
    return render(request, "registry/movement_menu_number.html", context)
