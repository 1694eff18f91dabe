"""Screens of 本人確認 (個人番号カードの照合) and 本人確認情報検索, mounted at /jukinet/identity/.

Thin: parse, call :mod:`jumin.jukinet.identity_check` / :mod:`jumin.jukinet.identity_search`,
render.  The challenge lives in the operator's session and is used once; the card is read
through the configured card reader (:mod:`jumin.jukinet.card_reader`), never pasted; forms are
POSTed so that a 個人番号 or 住民票コード never appears in a URL."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from jumin.accounts.principal import principal_for
from jumin.core.errors import DomainError
from jumin.free_text import refuse_in_texts
from jumin.jukinet import card_reader, identity_check, identity_search
from jumin.search import criteria as rules
from jumin.search.matching import MODES, PREFIX

T = TypeVar("T")

SESSION_KEY = "jumin_identity_challenge"


@require_http_methods(["GET", "POST"])
@permission_required(identity_check.VIEW, raise_exception=True)
def check(request: HttpRequest) -> HttpResponse:
    principal = principal_for(request)
    result = None
    if request.method == "POST":
        challenge = request.session.pop(SESSION_KEY, "")
        try:
            if not challenge:
                raise DomainError(
                    "identity.challenge_invalid", "照合用データがありません。もう一度読み取ってください。"
                )
            answer = card_reader.reader().read(str(request.POST.get("card", ""))[:40], challenge)
            result = identity_check.verify_card(json.dumps(answer), challenge, by=principal)
        except DomainError as error:
            if error.code == "auth.forbidden":
                raise PermissionDenied(error.message) from error
            messages.error(request, error.message)
    try:
        fresh = identity_check.issue_challenge(by=principal)
    except DomainError as error:
        raise PermissionDenied(error.message) from error
    request.session[SESSION_KEY] = fresh.token
    cards = card_reader.reader().cards()
    return render(request, "jukinet/identity/check.html", {"challenge": fresh, "result": result, "cards": cards})


def run_query(request: HttpRequest, values: dict[str, Any], query: Callable[[], T]) -> T | None:
    """Run a 本人確認情報 query from a POSTed form: free texts checked (the 個人番号 criterion itself
    is exempt), a refusal shown as a message (forbidden: 403), and the numbers typed removed from
    ``values`` so that they are never echoed back into the page."""
    result: T | None = None
    try:
        refuse_in_texts(values)
        result = query()
    except DomainError as error:
        if error.code == "auth.forbidden":
            raise PermissionDenied(error.message) from error
        messages.error(request, error.message)
    for field in ("resident_code", "individual_number"):
        values.pop(field, None)
    return result


def criteria_fields(request: HttpRequest) -> list[tuple[str, str]]:
    principal = principal_for(request)
    fields = []
    for code in ("name", "address", "birth", "resident_code", "individual_number"):
        field = rules.FIELDS[code]
        if not field.needs or principal.sees(field.needs):
            fields.append((code, field.label))
    return fields


@require_http_methods(["GET", "POST"])
@permission_required(identity_search.VIEW, raise_exception=True)
def search(request: HttpRequest) -> HttpResponse:
    values: dict[str, Any] = {}
    mode, superseded, result = PREFIX, False, None
    if request.method == "POST":
        values = {code: request.POST.get(code, "") for code in identity_search.CRITERIA}
        mode = request.POST.get("mode", PREFIX)
        superseded = request.POST.get("superseded") == "1"
        result = run_query(
            request,
            values,
            lambda: identity_search.search_identity(
                principal_for(request), values, mode=mode, include_superseded=superseded
            ),
        )
    context = {
        "fields": criteria_fields(request),
        "values": values,
        "mode": mode,
        "modes": MODES.items(),
        "superseded": superseded,
        "allowed": identity_search.allowed_criteria(),
        "result": result,
    }
    return render(request, "jukinet/identity/search.html", context)
