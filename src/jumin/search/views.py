"""Search screens (standard spec 2.1.1–2.1.3): the search form with results, the operator's
search history (reuse / edit), the 異体字 table (staff entries).  Thin: parse, call one query or
service, render.  The form is POSTed: criteria (possibly a 個人番号) never appear in a URL."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from jumin.accounts.principal import principal_for
from jumin.core.errors import DomainError
from jumin.free_text import refuse_in_texts
from jumin.search import criteria as rules
from jumin.search import queries, services
from jumin.search.matching import MODES, PREFIX
from jumin.search.models import VariantKanji

VIEW = queries.VIEW
TEXT_FIELDS = [code for code, f in rules.FIELDS.items() if code not in ("sex", "status", "empty")]


def _raw(data: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {code: data.get(code, "") for code in rules.FIELDS if code != "empty"}
    raw["empty"] = data.getlist("empty") if hasattr(data, "getlist") else data.get("empty", [])
    return raw


def _form_context(request: HttpRequest, values: dict[str, Any], mode: str, screen: str, past: bool) -> dict[str, Any]:
    principal = principal_for(request)
    fields = [
        (code, f.label)
        for code, f in rules.FIELDS.items()
        if code in TEXT_FIELDS and (not f.needs or principal.sees(f.needs))
    ]
    empties = [(k, v[0]) for k, v in rules.EMPTY_FIELDS.items() if not v[2] or principal.sees(v[2])]
    return {
        "fields": fields,
        "values": values,
        "empties": empties,
        "mode": mode,
        "modes": MODES.items(),
        "screen": screen,
        "screens": [(k, s.label, rules.describe(s)) for k, s in rules.SCREENS.items() if k != "api"],
        "past": past,
        "history": queries.history(principal, 20),
    }


@require_http_methods(["GET", "POST"])
@permission_required(VIEW, raise_exception=True)
def index(request: HttpRequest) -> HttpResponse:
    values: dict[str, Any] = {}
    mode, screen, past = PREFIX, "counter", True
    result = None
    if request.method == "GET" and request.GET.get("from"):
        try:
            saved = queries.saved_search(principal_for(request), int(request.GET["from"]))
        except (DomainError, ValueError):
            messages.error(request, "その検索履歴はありません。")
        else:
            values = {k: v for k, v in saved.criteria.items() if not k.startswith("_")}
            for code, field in rules.FIELDS.items():
                if field.needs and code in values:
                    values.pop(code)  # masked: the number must be typed again
                    messages.info(request, f"{field.label}は履歴に保存していません。もう一度入力してください。")
            mode = saved.criteria.get("_mode", PREFIX)
            screen = saved.screen if saved.screen in rules.SCREENS else "counter"
    if request.method == "POST":
        values = _raw(request.POST)
        mode = request.POST.get("mode", PREFIX)
        screen = request.POST.get("screen", "counter")
        screen = screen if screen in rules.SCREENS and screen != "api" else "counter"
        past = request.POST.get("past") == "1"
        try:
            refuse_in_texts(values)  # a 個人番号 only in its own criterion (kept in the search history)
            result = queries.search(principal_for(request), values, screen=screen, mode=mode, include_past=past)
        except DomainError as error:
            if error.code == "auth.forbidden":
                raise PermissionDenied(error.message) from error
            messages.error(request, error.message)
    context = _form_context(request, values, mode, screen, past)
    context["result"] = result
    context["focus_results"] = bool(result and result.hits)  # the first hit has the focus: Enter opens it
    context["marks"] = {h.card.atena_no: h.marks for h in result.hits} if result else {}
    return render(request, "search/index.html", context)


@require_http_methods(["GET", "POST"])
@permission_required(VIEW, raise_exception=True)
def history_edit(request: HttpRequest, history_id: int) -> HttpResponse:
    principal = principal_for(request)
    try:
        saved = queries.saved_search(principal, history_id)
    except DomainError as error:
        raise PermissionDenied(error.message) from error
    if request.method == "POST":
        try:
            refuse_in_texts({"label": request.POST.get("label", ""), **_raw(request.POST)})
            services.edit_history(
                principal,
                history_id,
                label=request.POST.get("label", ""),
                raw=_raw(request.POST),
                mode=request.POST.get("mode", PREFIX),
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "検索履歴を保存しました。")
            return redirect(f"/search/?from={history_id}")
    values = {k: v for k, v in saved.criteria.items() if not k.startswith("_")}
    context = _form_context(request, values, saved.criteria.get("_mode", PREFIX), saved.screen, True)
    context["saved"] = saved
    return render(request, "search/history_edit.html", context)


@require_http_methods(["GET", "POST"])
@permission_required(VIEW, raise_exception=True)
def variant_list(request: HttpRequest) -> HttpResponse:
    principal = principal_for(request)
    if request.method == "POST":
        try:
            refuse_in_texts({"note": request.POST.get("note", "")})
            services.add_variant(
                principal, request.POST.get("char", ""), request.POST.get("variant", ""), request.POST.get("note", "")
            )
        except DomainError as error:
            if error.code == "auth.forbidden":
                raise PermissionDenied(error.message) from error
            messages.error(request, error.message)
        else:
            messages.success(request, "異体字を登録しました。")
            return redirect("search:variants")
    char = request.GET.get("char", "").strip()[:1]
    rows = VariantKanji.objects.filter(char=char) if char else VariantKanji.objects.filter(source="staff")
    context = {
        "char": char,
        "rows": list(rows.select_related("added_by").order_by("char", "variant")[:200]),
        "total": VariantKanji.objects.count(),
        "can_add": principal.has_perm(services.MAINTAIN_VARIANTS),
    }
    return render(request, "search/variants.html", context)


__all__ = ["history_edit", "index", "variant_list"]
