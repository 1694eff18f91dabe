"""Screens of 住基ネット linkage for the batch operator (spec 7.1.1.1): 住基ネット連携状況, the
telegram list with 「今すぐ再送」, CS送信一覧表, CS受信一覧表 and 取込エラー一覧.  Thin: parse, call
one function of :mod:`jumin.jukinet.operator`, render."""

from __future__ import annotations

from datetime import date
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from jumin.accounts.models import User
from jumin.conf.domain import era_table
from jumin.core.errors import DomainError
from jumin.jukinet import operator, resend
from jumin.jukinet.models import Telegram

RUN_BATCH = operator.RUN_BATCH


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _day(request: HttpRequest) -> tuple[date, str]:
    """The day typed in the list's form (和暦 or 西暦), today by default; with an error text."""
    text = request.GET.get("day", "").strip()
    if not text:
        return timezone.localdate(), ""
    try:
        return era_table().parse(text), ""
    except DomainError as error:
        return timezone.localdate(), error.message


def _fail(request: HttpRequest, error: DomainError) -> None:
    if error.code == "auth.forbidden":
        raise PermissionDenied(error.message) from error
    messages.error(request, error.message)


@require_GET
@permission_required(RUN_BATCH, raise_exception=True)
def index(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    state = state if state in Telegram.State.values else ""
    destination = request.GET.get("destination", "")[:60]
    user = _user(request)
    lines = operator.telegrams(user, state=state, destination=destination)
    context = {
        "destinations": operator.destinations(user),
        "telegrams": lines,
        "first_resend": next((line.id for line in lines if line.resendable), None),
        "deliveries": operator.failed_deliveries(user),
        "states": Telegram.State.choices,
        "state": state,
        "destination": destination,
        "views_persons": user.has_perm(operator.VIEW),
        "may_resend": resend.may_resend(user),
        "reasons": resend.reason_choices(),
    }
    return render(request, "jukinet/operator/index.html", context)


@require_POST
@permission_required(RUN_BATCH, raise_exception=True)
def retry(request: HttpRequest, telegram_id: int) -> HttpResponse:
    try:
        telegram = operator.retry_now(_user(request), telegram_id)
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(
            request,
            f"{operator.destination_label(telegram.destination)} の更新順番号 {telegram.seq} を"
            "次回の送信（jumin jukinet send）で再送します。",
        )
    return redirect("jukinet:index")


@require_POST
@permission_required(RUN_BATCH, raise_exception=True)
def resend_with_reason(request: HttpRequest, telegram_id: int) -> HttpResponse:
    """「異動事由を変更して再送」 (jumin.jukinet.resend; needs enter_movement too)."""
    try:
        telegram = resend.resend_with_reason(_user(request), telegram_id, request.POST.get("reason", ""))
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(
            request,
            f"異動事由を変更し、更新順番号 {telegram.seq}（異常時更新順番号 {telegram.body['error_update_seq']}）"
            "として次回の送信（jumin jukinet send）で送ります。",
        )
    return redirect("jukinet:index")


@require_POST
@permission_required(RUN_BATCH, raise_exception=True)
def delivery_retry(request: HttpRequest, delivery_id: int) -> HttpResponse:
    try:
        info = operator.retry_delivery(_user(request), delivery_id)
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(request, f"送付先情報 {info.management_no} を次回の送信（jumin cards send）で再送します。")
    return redirect("jukinet:index")


@require_GET
@permission_required(RUN_BATCH, raise_exception=True)
def sent(request: HttpRequest) -> HttpResponse:
    day, error = _day(request)
    groups = operator.sent_list(_user(request), day)
    return render(
        request,
        "jukinet/operator/sent.html",
        {"day": day, "error": error, "groups": groups, "total": sum(len(g.lines) for g in groups)},
    )


@require_GET
@permission_required(RUN_BATCH, raise_exception=True)
def received(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.has_perm(operator.VIEW):
        raise PermissionDenied("受信一覧には氏名が含まれるため、住民記録の照会の権限が必要です。")
    errors_only = request.GET.get("errors") == "1"
    day, error = _day(request)
    lines = operator.received_list(user, day=None if errors_only else day, errors_only=errors_only)
    return render(
        request,
        "jukinet/operator/received.html",
        {
            "day": day,
            "error": error,
            "lines": lines,
            "errors_only": errors_only,
            "can_assign": user.has_perm(operator.ENTER),
        },
    )


@require_POST
@permission_required(operator.ENTER, raise_exception=True)
def assign(request: HttpRequest, notice_id: int) -> HttpResponse:
    try:
        stored = operator.assign_notice(_user(request), notice_id, request.POST.get("atena_no", ""))
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(
            request, f"転入通知を宛名番号 {stored.atena_no} の除票に記録しました（履歴番号 {stored.history_no}）。"
        )
    return redirect(reverse("jukinet:received") + "?errors=1")
