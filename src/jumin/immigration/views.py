"""The 法務省通知 screen (/immigration/, menu 法務省通知, Shift+F6): the received notices, those
waiting for a review (linked to their 仮登録), the 取込エラー一覧, and 「今すぐ受信・送信」 for the
batch operator.  Thin: parse, call one function, render."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from jumin.accounts.models import User
from jumin.audit.context import acting_as
from jumin.core.errors import DomainError
from jumin.immigration import inbound, outbound, queries

RUN_BATCH = "accounts.run_batch"


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    show = request.GET.get("show", "")
    show = show if show in queries.STATES else ""
    try:
        lines = queries.received_notices(user, show=show)
    except DomainError as error:
        raise PermissionDenied(error.message) from error
    return render(
        request,
        "immigration/index.html",
        {"lines": lines, "show": show, "can_run": user.has_perm(RUN_BATCH)},
    )


@require_POST
def run(request: HttpRequest) -> HttpResponse:
    """One pass both ways: the 法務省通知 kept for us, then the waiting 市町村通知."""
    user = cast(User, request.user)
    if not user.has_perm(RUN_BATCH):
        raise PermissionDenied("この処理を行う権限がありません。")
    with acting_as(channel="batch", operator=f"immigration run ({user.username})"):
        try:
            pulled = inbound.pull_notices()
        except DomainError as error:
            messages.error(request, error.message)
        else:
            if pulled.skipped:
                messages.error(request, pulled.skipped)
            else:
                counts = f"審査待ち {pulled.queued}件・取込エラー {pulled.left}件"
                messages.success(request, f"法務省通知を{pulled.received}件受信しました（{counts}）。")
        sent = outbound.send()
    if sent.skipped:
        messages.error(request, sent.skipped)
    else:
        messages.success(request, f"市町村通知を{sent.sent}件送信しました（送信エラー {sent.failed}件）。")
    return redirect("immigration:index")
