"""The コンビニ交付 screen (/kiosk/): the day's 交付履歴 of the kiosks, the refusals by reason
code and the reconciliation with the center.  Thin: read :mod:`jumin.kiosk.queries`, call
:func:`jumin.kiosk.services.reconcile`."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from jumin.core.errors import DomainError
from jumin.kiosk import queries, services

RUN_BATCH = "accounts.run_batch"


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10]) if text else timezone.localdate()
    except ValueError:
        return None


@require_GET
@permission_required(RUN_BATCH, raise_exception=True)
def index(request: HttpRequest) -> HttpResponse:
    day = _day(request.GET.get("date", ""))
    if day is None:
        messages.error(request, "日付は 2026-12-01 の形で入力してください。")
        day = timezone.localdate()
    report = queries.day_report(day)
    return render(request, "kiosk/index.html", {"report": report, "day_text": day.isoformat()})


@require_POST
@permission_required(RUN_BATCH, raise_exception=True)
def reconcile(request: HttpRequest) -> HttpResponse:
    day = _day(request.POST.get("date", ""))
    if day is None:
        messages.error(request, "日付は 2026-12-01 の形で入力してください。")
        return redirect("kiosk:index")
    try:
        row = services.reconcile(day)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if row.matched:
            messages.success(
                request, f"証明書交付センターの日計と一致しました（{row.our_copies} 通・{row.our_fee} 円）。"
            )
        else:
            messages.warning(request, f"証明書交付センターの日計と差異があります（{len(row.differences)} 件）。")
    return redirect(f"{reverse('kiosk:index')}?date={day.isoformat()}")
