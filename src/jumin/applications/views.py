"""Screens of the 申請管理システム (電子申請 menu, Shift+F4): the list with filters and the bulk
処理状況 update with the 自治体コメント, one application per 手続, its attachments, and the
転出 entry pre-filled from an online 転出届.  Thin: parse, call one service or query, render."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jumin.accounts.models import User
from jumin.accounts.principal import principal_for
from jumin.applications import queries, services
from jumin.applications.forms import FilterForm, StatusForm
from jumin.applications.models import Application, Match, Procedure, SignatureCheck, Status
from jumin.audit.services import record_access
from jumin.conf.domain import era_table
from jumin.core.errors import DomainError
from jumin.core.movement_kind import MovementKind
from jumin.jukinet.move_out_certificates import certificates_for_entry, entry_initial
from jumin.registry import hooks
from jumin.registry import queries as registry_queries
from jumin.registry.entry import SCREENS, MemberRow, member_rows, render_entry
from jumin.registry.models import Movement

VIEW, MANAGE = queries.VIEW, services.MANAGE
SAFE_TYPES = {"application/pdf", "image/png", "image/jpeg"}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def _operator(request: HttpRequest) -> User:
    return cast(User, request.user)


def _load(request: HttpRequest, application_id: str) -> Application:
    try:
        return queries.application(principal_for(request), application_id)
    except DomainError as error:
        if error.code == "auth.forbidden":
            raise PermissionDenied(error.message) from error
        raise Http404(error.message) from error


@require_GET
@permission_required(VIEW, raise_exception=True)
def index(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    found = queries.applications(principal_for(request), form.filters() if request.GET else queries.Filters())
    context = {
        "form": form,
        "found": found,
        "status_form": StatusForm(auto_id="bulk_%s"),
        "manages": request.user.has_perm(MANAGE),
        "limit": queries.LIMIT,
    }
    return render(request, "applications/index.html", context)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def bulk_status(request: HttpRequest) -> HttpResponse:
    form = StatusForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("applications:index")
    try:
        result = services.update_statuses(
            request.POST.getlist("ids"),
            form.cleaned_data["status"],
            form.cleaned_data["comment"],
            by=_operator(request),
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("applications:index")
    if result.updated:
        label = Status(form.cleaned_data["status"]).label
        messages.success(request, f"{len(result.updated)}件の処理状況を「{label}」にしました（申請者に通知します）。")
    for application_id, why in result.refused:
        messages.error(request, f"{application_id}：{why}。")
    return redirect("applications:index")


def _form_of(application: Application) -> dict[str, Any]:
    form = application.payload.get("form")
    return form if isinstance(form, dict) else {}


def _attachments_of(application: Application) -> list[Any]:
    found = application.payload.get("attachments")
    return found if isinstance(found, list) else []


def _wareki(value: Any) -> str:
    return era_table().format(value) if value else ""


def _sections(application: Application) -> list[tuple[str, list[tuple[str, str]]]]:
    """The 申請内容 as the screen shows it for each 手続."""
    form = _form_of(application)

    def text(key: str) -> str:
        value = form.get(key)
        return str(value) if isinstance(value, str | int) else ""

    def address(key: str) -> str:
        value = form.get(key)
        if not isinstance(value, dict):
            return ""
        return "　".join(str(value.get(k) or "") for k in ("postcode", "address", "banchi", "katagaki") if value.get(k))

    applicant = [
        ("氏名", text("name")),
        ("生年月日", text("birth")),
        ("性別", text("sex")),
        ("住所", text("address")),
        ("連絡先（電話）", text("phone")),
        ("連絡先（メール）", text("email")),
    ]
    members: list[Any] = form["members"] if isinstance(form.get("members"), list) else []
    people = [
        (f"異動者{n}", f"{m.get('name', '')}（{m.get('relationship', '')}・{m.get('birth', '')}）")
        for n, m in enumerate(members, 1)
        if isinstance(m, dict)
    ]
    if application.procedure == Procedure.MOVE_OUT:
        details = [
            ("転出予定日", text("planned_move_out_on")),
            ("転出先", address("destination")),
            ("転出先の世帯主", text("destination_head")),
            *people,
            ("マイナンバーカードの継続利用", "あり" if form.get("keeps_card") else "なし"),
        ]
        return [("申請者（届出人）", applicant), ("転出届の内容", details)]
    details = [
        ("転入予定日", text("planned_move_in_on")),
        ("来庁予定日", text("visit_on")),
        ("転入先（新住所）", address("new_address")),
        ("転出元の市区町村コード", text("former_municipality_code")),
        *people,
    ]
    return [("申請者", applicant), ("転入予約の内容", details)]


@require_GET
@permission_required(VIEW, raise_exception=True)
def detail(request: HttpRequest, application_id: str) -> HttpResponse:
    application = _load(request, application_id)
    attachments = [
        (index, str(a.get("name", "")), str(a.get("content_type", "")))
        for index, a in enumerate(_attachments_of(application))
        if isinstance(a, dict)
    ]
    may_enter = (
        request.user.has_perm(MANAGE)
        and application.procedure == Procedure.MOVE_OUT
        and application.signature == SignatureCheck.VALID
        and application.match == Match.MATCHED
        and application.status in services.OPEN
        and (application.movement is None or application.movement.state == Movement.State.DISCARDED)
    )
    context = {
        "application": application,
        "sections": _sections(application),
        "attachments": attachments,
        "updates": application.updates.order_by("id"),
        "status_form": StatusForm(auto_id="bulk_%s"),
        "manages": request.user.has_perm(MANAGE) and application.status in services.OPEN,
        "may_enter": may_enter,
        "certificates": (
            queries.certificates_for_reservation(principal_for(request), application)
            if application.procedure == Procedure.MOVE_IN_RESERVATION
            and application.signature == SignatureCheck.VALID
            and application.status in services.OPEN
            and application.movement is None
            else []
        ),
    }
    return render(request, "applications/detail.html", context)


@require_GET
@permission_required(VIEW, raise_exception=True)
def attachment(request: HttpRequest, application_id: str, index: int) -> HttpResponse:
    application = _load(request, application_id)
    attachments = _attachments_of(application)
    if not 0 <= index < len(attachments) or not isinstance(attachments[index], dict):
        raise Http404("添付書類がありません。")
    chosen = attachments[index]
    try:
        data = base64.b64decode(str(chosen.get("data", "")), validate=True)
    except (ValueError, binascii.Error):
        raise Http404("添付書類を読み出せません。") from None
    record_access(
        purpose="電子申請の添付書類",
        persons=[application.atena_no] if application.atena_no else [],
        action="download",
        criteria={"application_id": application_id, "attachment": index},
    )
    content_type = str(chosen.get("content_type", ""))
    response = HttpResponse(
        data, content_type=content_type if content_type in SAFE_TYPES else "application/octet-stream"
    )
    filename = _SAFE_NAME.sub("_", str(chosen.get("name", "")))[:80] or f"attachment-{index}"
    response["Content-Disposition"] = f'attachment; filename="{application_id}-{filename}"'
    return response


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE, raise_exception=True)
def move_out(request: HttpRequest, application_id: str) -> HttpResponse:
    """The register's 転出 entry screen, pre-filled from the online 転出届 (editable; 特例転出,
    so the 転出証明書情報 goes to the new municipality at 本登録); posting it stores the 仮登録
    linked to the application (then 審査・決裁 → 本登録 by another person, as always)."""
    operator = _operator(request)
    application = _load(request, application_id)
    if application.procedure != Procedure.MOVE_OUT or not application.household_no:
        raise Http404("4情報の一致した転出届ではありません。")
    principal = principal_for(request)
    hooks.require_household_inquiry(principal, application.household_no)
    members = registry_queries.household_members_for_entry(principal, application.household_no)
    form_data = application.payload.get("form") or {}
    named = {
        str(m.get("name", "")).replace(" ", "\u3000") for m in form_data.get("members") or [] if isinstance(m, dict)
    }
    screen = dataclasses.replace(
        SCREENS[MovementKind.MOVE_OUT],
        hint=(
            f"電子申請 {application.application_id}（転出届）から入力しています。"
            "異動者・転出先・転出予定日を確かめ、違うところは直してから仮登録してください。"
        ),
    )
    posted = request.method == "POST"
    if posted:
        rows = member_rows(screen, members, request)
    else:
        rows = [
            MemberRow(m.atena_no, m.name, m.relationship, m.atena_no == application.atena_no or m.name in named, "")
            for m in members
        ]
    destination: dict[str, Any] = form_data["destination"] if isinstance(form_data.get("destination"), dict) else {}
    initial = {
        "reason": "domestic_move_out",
        "special_move_out": True,
        "initiation": "notification",
        "effective": _wareki(application.expected_on),
        "notified_on": _wareki(application.submitted_at.date() if application.submitted_at else None),
    }
    data = request.POST if posted else None
    form = screen.form(data, person=None, sees=operator.sees, initial=None if posted else initial)
    keys = ("postcode", "address", "banchi", "katagaki", "address_code")
    address_initial = {k: str(destination.get(k) or "") for k in keys}
    parts = {
        part.name: part.form(data, prefix=part.prefix, **({} if posted else {"initial": address_initial}))
        for part in screen.parts
    }

    def enter(entered: dict[str, Any], acknowledged: list[str]) -> Movement:
        return services.enter_move_out(application.application_id, entered, by=operator, acknowledged=acknowledged)

    return render_entry(
        request,
        screen,
        label="転出（電子申請）",
        form=form,
        parts=parts,
        rows=rows,
        household_no=application.household_no,
        person=None,
        card=None,
        back=reverse("applications:detail", args=[application.application_id]),
        sees_individual_number=False,
        enter=enter,
    )


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE, raise_exception=True)
def move_in(request: HttpRequest, application_id: str, pk: int) -> HttpResponse:
    """The register's 転入 entry screen for a 特例転入, pre-filled from the 転出証明書情報 ``pk``
    received in advance (and those of the 世帯員 moving with it) and from the 転入予約: its 新住所
    and 転入予定日.  Posting it stores the 仮登録 linked to both."""
    operator = _operator(request)
    application = _load(request, application_id)
    if application.procedure != Procedure.MOVE_IN_RESERVATION:
        raise Http404("転入予約ではありません。")
    if pk not in {c.pk for c in queries.certificates_for_reservation(principal_for(request), application)}:
        raise Http404("この転入予約の方の転出証明書情報ではありません。")
    try:
        certificates = certificates_for_entry(pk, by=operator)
    except DomainError as error:
        raise Http404(error.message) from error
    form_data = _form_of(application)
    screen = dataclasses.replace(
        SCREENS[MovementKind.MOVE_IN],
        hint=(
            f"電子申請 {application.application_id}（転入予約）と転出証明書情報（{len(certificates)}人）から"
            "入力しています。転入日・新住所を本人に確かめ、違うところは直してから仮登録してください。"
        ),
    )
    posted = request.method == "POST"
    data = request.POST if posted else None
    initial = entry_initial(certificates)
    new_address = form_data["new_address"] if isinstance(form_data.get("new_address"), dict) else {}
    if new_address:
        keys = ("postcode", "address", "banchi", "katagaki", "address_code")
        initial["address"] = {k: str(new_address.get(k) or "") for k in keys}
    planned = services.parse_date(form_data.get("planned_move_in_on"))
    form_initial = {**initial["form"], "effective": _wareki(planned)}
    form = screen.form(data, person=None, sees=operator.sees, initial=None if posted else form_initial)
    parts: dict[str, Any] = {
        part.name: part.form(data, prefix=part.prefix, **({} if posted else {"initial": initial.get(part.name)}))
        for part in screen.parts
    }

    def enter(entered: dict[str, Any], acknowledged: list[str]) -> Movement:
        ids = [c.pk for c in certificates]
        return services.enter_move_in(application.application_id, ids, entered, by=operator, acknowledged=acknowledged)

    return render_entry(
        request,
        screen,
        label="特例転入（電子申請の転入予約）",
        form=form,
        parts=parts,
        rows=[],
        household_no="",
        person=None,
        card=None,
        back=reverse("applications:detail", args=[application.application_id]),
        sees_individual_number=False,
        enter=enter,
    )
