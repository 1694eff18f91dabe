"""The 戸籍の通知・附票連携 screen (/koseki/, menu Shift+F5): the 住民票記載事項通知 received from
the 本籍地 (審査待ち → the approval screen, 取込エラー), our own 戸籍の附票, the 附票記載事項通知 sent,
and 「今すぐ送受信」.  Thin: read :mod:`jumin.koseki.queries`, call :mod:`jumin.koseki.services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from jumin.koseki import queries, services
from jumin.koseki.models import FuhyoNotice, ReceivedKosekiNotice

STATES = dict(ReceivedKosekiNotice.State.choices)


@require_GET
@permission_required("accounts.view_resident", raise_exception=True)
def index(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    if state not in STATES:
        state = ""
    data = queries.overview(by=request.user, state=state)  # type: ignore[arg-type]
    outgoing = [(label, data.outgoing.get(value, 0)) for value, label in FuhyoNotice.State.choices]
    return render(
        request,
        "koseki/index.html",
        {"data": data, "state": state, "states": ReceivedKosekiNotice.State.choices, "outgoing": outgoing},
    )


@require_POST
@permission_required("accounts.run_batch", raise_exception=True)
def sync(request: HttpRequest) -> HttpResponse:
    done = services.run_pass()
    if done.skipped:
        messages.warning(request, done.skipped)
    for error in done.errors:
        messages.error(request, error)
    messages.info(
        request,
        f"附票記載事項通知: 作成 {done.collected} 件（管内 {done.local} 件）・送信 {done.sent} 件・"
        f"送信エラー {done.failed} 件／受信: 附票 {done.fuhyo_received} 件・戸籍の通知 {done.koseki_received} 件"
        f"（審査待ち {done.queued} 件・取込エラー {done.left} 件）",
    )
    return redirect("koseki:index")
