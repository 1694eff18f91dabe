from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jumin.accounts.principal import principal_for
from jumin.registry.queries import returned_movements


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The start page; a counter clerk sees the movements returned to her (差戻し) first."""
    return render(request, "web/home.html", {"returned": returned_movements(principal_for(request))})
