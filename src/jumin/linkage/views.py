"""The 連携状況 screen (/linkage/): every queue to a linked system on one page, with
「今すぐ再送」.  Thin: read :mod:`jumin.linkage.queues`, call :mod:`jumin.linkage.services`."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from jumin.accounts.models import User
from jumin.core.errors import DomainError
from jumin.linkage import queues, services

RUN_BATCH = services.RUN_BATCH


@require_GET
@permission_required(RUN_BATCH, raise_exception=True)
def index(request: HttpRequest) -> HttpResponse:
    lines = [line for queue in queues.registered() for line in queue.lines()]
    first_retry = next((i for i, line in enumerate(lines) if line.retryable), -1)  # gets Alt+S
    return render(request, "linkage/index.html", {"lines": lines, "first_retry": first_retry})


@require_POST
@permission_required(RUN_BATCH, raise_exception=True)
def retry(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("queue", "")[:60]
    key = request.POST.get("key", "")[:60]
    try:
        retried = services.retry_now(cast(User, request.user), name, key)
    except DomainError as error:
        if error.code == "auth.forbidden":
            raise PermissionDenied(error.message) from error
        messages.error(request, error.message)
        return redirect("linkage:index")
    outcome = retried.sent
    text = (
        f"{retried.label}：送信エラー {retried.rows} 件を再送しました"
        f"（送信 {outcome.sent} 件、エラー {outcome.failed} 件）。"
    )
    if outcome.skipped:
        messages.warning(request, f"{text}{outcome.skipped}")
    elif outcome.failed:
        messages.warning(request, text)
    else:
        messages.success(request, text)
    return redirect("linkage:index")
