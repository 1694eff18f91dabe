"""Screens of 番号連携 (menu 番号連携, Shift+F6; docs/number-exchange.md): the 自動応答不可 queue
and its manual answer (支援措置責任者), the 開示請求 desk with the 情報提供等記録 as a PDF
(print-logged), and the 権限管理 of the business systems (システム管理者).  Thin: parse, call one
service or query, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import permission_required, user_passes_test
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jumin.accounts.models import LinkedSystem, User
from jumin.accounts.principal import principal_for
from jumin.audit.services import record_print
from jumin.core.errors import DomainError
from jumin.integrated_atena import services as atena_services
from jumin.integrated_atena.models import FEED_ITEMS, BusinessGrant
from jumin.intermediate_server import outputs, queries, services
from jumin.intermediate_server.forms import DisclosureForm, GrantForm, ManualAnswerForm
from jumin.intermediate_server.models import AFFAIR_LABELS, ITEM_LABELS

ADMINISTER = atena_services.ADMINISTER
MENU_PERMISSIONS = (queries.MANUAL, queries.DISCLOSE, ADMINISTER)


def _any_permission(*perms: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def check(user: Any) -> bool:
        if not any(user.has_perm(p) for p in perms):
            raise PermissionDenied
        return True

    return user_passes_test(check)


def _operator(request: HttpRequest) -> User:
    return cast(User, request.user)


@require_GET
@_any_permission(*MENU_PERMISSIONS)
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "manual": user.has_perm(queries.MANUAL),
        "disclose": user.has_perm(queries.DISCLOSE),
        "administer": user.has_perm(ADMINISTER),
    }
    return render(request, "intermediate_server/index.html", context)


# -- 自動応答不可 ---------------------------------------------------------------------------------


@require_GET
@permission_required(queries.MANUAL, raise_exception=True)
def deferred(request: HttpRequest) -> HttpResponse:
    rows = queries.deferred_requests(principal_for(request))
    for row in rows:
        row["affair_label"] = AFFAIR_LABELS.get(row["affair"], row["affair"])
    return render(request, "intermediate_server/deferred.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@permission_required(queries.MANUAL, raise_exception=True)
def deferred_answer(request: HttpRequest, inquiry_id: str) -> HttpResponse:
    try:
        found = queries.deferred_request(principal_for(request), inquiry_id)
    except DomainError as error:
        raise Http404(error.message) from error
    form = ManualAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        provide = form.cleaned_data["decision"] == "provide"
        try:
            record = services.answer_manually(
                inquiry_id, provide=provide, by=_operator(request), reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            sent = "送信しました" if record.answer_sent else "次回の定時処理で送信します"
            messages.success(
                request, f"照会 {record.inquiry_id} に「{record.get_outcome_display()}」で回答し、{sent}。"
            )
            return redirect("number_exchange:deferred")
    context = {
        "found": found,
        "record": found.record,
        "affair": AFFAIR_LABELS.get(found.record.affair, found.record.affair),
        "item": ITEM_LABELS.get(found.record.item, found.record.item),
        "form": form,
    }
    return render(request, "intermediate_server/deferred_answer.html", context)


# -- 開示請求 ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required(queries.DISCLOSE, raise_exception=True)
def disclosure(request: HttpRequest) -> HttpResponse:
    """The 宛名番号 travels in the POST body, never in the URL."""
    form = DisclosureForm(request.POST or None)
    found = None
    if request.method == "POST" and form.is_valid():
        try:
            found = queries.disclosure_of(principal_for(request), form.cleaned_data["atena_no"])
        except DomainError as error:
            form.add_error("atena_no", error.message)
    rows = [
        {
            "record": r,
            "affair": AFFAIR_LABELS.get(r.affair, r.affair),
            "item": ITEM_LABELS.get(r.item, r.item),
        }
        for r in (found.records if found else [])
    ]
    return render(request, "intermediate_server/disclosure.html", {"form": form, "found": found, "rows": rows})


@require_POST
@permission_required(queries.DISCLOSE, raise_exception=True)
def disclosure_pdf(request: HttpRequest) -> HttpResponse:
    form = DisclosureForm(request.POST)
    if not form.is_valid():
        messages.error(request, "宛名番号を入力してください。")
        return redirect("number_exchange:disclosure")
    try:
        found = queries.disclosure_of(principal_for(request), form.cleaned_data["atena_no"])
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("number_exchange:disclosure")
    body, pages = outputs.disclosure_pdf(found)
    record_print(title=outputs.TITLE, mode="file", persons=[found.atena_no], pages=pages)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="kaiji_{timezone.localdate():%Y%m%d}.pdf"'
    return response


# -- 権限管理 ---------------------------------------------------------------------------------------


def _holder(kind: str, code: str) -> dict[str, Any]:
    if kind == "user":
        user = User.objects.filter(username=code, is_active=True).first()
        if user is None:
            raise DomainError("integrated_atena.unknown_holder", "その利用者IDの職員は登録されていません。")
        return {"user": user}
    system = LinkedSystem.objects.filter(code=code).first()
    if system is None:
        raise DomainError("integrated_atena.unknown_holder", "そのシステムコードの連携システムは登録されていません。")
    return {"system": system}


@require_http_methods(["GET", "POST"])
@permission_required(ADMINISTER, raise_exception=True)
def grants(request: HttpRequest) -> HttpResponse:
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            atena_services.grant(
                data["business"],
                affairs=data["affairs"],
                may_read_feed=data["may_read_feed"],
                feed_items=data["feed_items"],
                by=_operator(request),
                **_holder(data["holder_kind"], data["holder"].strip()),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "権限を登録しました。")
            return redirect("number_exchange:grants")
    rows = [
        {
            "grant": g,
            "holder": (
                f"職員 {g.user.username}（{g.user.display_name}）"
                if g.user is not None
                else f"連携システム {g.system.code}（{g.system.name}）"
                if g.system is not None
                else "—"
            ),
            "affairs": "、".join(AFFAIR_LABELS.get(a, a) for a in g.affairs) or "—",
            "items": "、".join(FEED_ITEMS.get(i, i) for i in g.feed_items) if g.may_read_feed else "—",
        }
        for g in BusinessGrant.objects.select_related("user", "system").order_by("business", "id")
    ]
    return render(request, "intermediate_server/grants.html", {"form": form, "rows": rows})


@require_POST
@permission_required(ADMINISTER, raise_exception=True)
def revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    try:
        atena_services.revoke(grant_id, by=_operator(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "権限を取り消しました。")
    return redirect("number_exchange:grants")
