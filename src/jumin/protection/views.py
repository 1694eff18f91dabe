"""Screens of the 支援措置責任者 (spec 3.1, 3.4, 9.2): measures, their periods and decisions,
blocks and the list of blocked persons.  Thin: parse, call one service or query, render."""

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

from jumin.accounts.models import User
from jumin.accounts.principal import principal_for
from jumin.audit.services import record_print
from jumin.core.errors import DomainError
from jumin.protection import inquiry, pdf, queries, services
from jumin.protection.forms import (
    BlockForm,
    EndDateForm,
    MeasureForm,
    ReasonForm,
    TemporaryReleaseForm,
    TerminateForm,
    TransferForm,
)
from jumin.protection.models import Block, SupportMeasure

MANAGE = services.MANAGE
SET, RELEASE, TEMPORARY = services.SET, services.RELEASE, services.TEMPORARY


def _any_permission(*perms: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def check(user: Any) -> bool:
        if any(user.has_perm(p) for p in perms):
            return True
        raise PermissionDenied

    return cast(Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]], user_passes_test(check))


def _operator(request: HttpRequest) -> User:
    return cast(User, request.user)


def _forbidden_or(error: DomainError) -> None:
    if error.code == "auth.forbidden":
        raise PermissionDenied(error.message) from error


@require_GET
@_any_permission(*queries.BLOCK_READERS)
def index(request: HttpRequest) -> HttpResponse:
    number = request.GET.get("person", "").strip()
    if number:
        return redirect("protection:person", number)
    principal = principal_for(request)
    manages = principal.has_perm(MANAGE)
    context = {
        "manages": manages,
        "ending": queries.measures(principal, ending_soon=True, purpose="protection.ending_soon") if manages else [],
        "active": queries.measures(principal) if manages else [],
    }
    return render(request, "protection/index.html", context)


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE, raise_exception=True)
def measure_new(request: HttpRequest) -> HttpResponse:
    form = MeasureForm(request.POST or None, initial={"applicant_atena_no": request.GET.get("person", "")})
    if request.method == "POST" and form.is_valid():
        try:
            measure = services.create_measure(form.measure_input(), by=_operator(request))
        except DomainError as error:
            _forbidden_or(error)
            form.add_error(None, error.message)
        else:
            messages.success(request, f"支援措置 {measure.measure_no} を登録し、抑止を設定しました。")
            return redirect("protection:measure", measure.measure_no)
    return render(request, "protection/measure_form.html", {"form": form})


@require_GET
@permission_required(MANAGE, raise_exception=True)
def measure(request: HttpRequest, measure_no: str) -> HttpResponse:
    try:
        detail = queries.measure_detail(principal_for(request), measure_no)
    except DomainError as error:
        _forbidden_or(error)
        raise Http404(error.message) from error
    context = {
        "detail": detail,
        "m": detail.measure,
        "active": detail.measure.state == SupportMeasure.State.ACTIVE,
        "reason_form": ReasonForm(),
        "end_date_form": EndDateForm(),
        "terminate_form": TerminateForm(),
        "transfer_form": TransferForm(),
        "temporary_form": TemporaryReleaseForm(),
    }
    return render(request, "protection/measure.html", context)


MEASURE_ACTIONS: dict[str, tuple[type[Any], Callable[[SupportMeasure, Any, User], Any], str]] = {
    "extend": (
        ReasonForm,
        lambda m, d, by: services.extend_measure(m, by=by, reason=d["reason"]),
        "支援措置の期間を延長しました。",
    ),
    "end-date": (
        EndDateForm,
        lambda m, d, by: services.change_end_date(m, d["end_on"], by=by, reason=d["reason"]),
        "終了日を変更しました。",
    ),
    "confirm": (
        ReasonForm,
        lambda m, d, by: services.confirm_measure(m, by=by, reason=d["reason"]),
        "仮支援措置を支援措置にしました。",
    ),
    "terminate": (
        TerminateForm,
        lambda m, d, by: services.terminate_measure(m, d["end_reason"], by=by, reason=d["reason"]),
        "支援措置を終了し、抑止を解除しました。",
    ),
}


@require_POST
@permission_required(MANAGE, raise_exception=True)
def measure_action(request: HttpRequest, measure_no: str, action: str) -> HttpResponse:
    found = SupportMeasure.objects.filter(measure_no=measure_no).first()
    if found is None or (action not in MEASURE_ACTIONS and action != "transfer"):
        raise Http404("その支援措置はありません。")
    form: Any
    if action == "transfer":
        form = TransferForm(request.POST)
        if form.is_valid():
            try:
                services.add_transfer(
                    found, form.transfer_input(), by=_operator(request), reason=form.cleaned_data["reason"]
                )
            except DomainError as error:
                _forbidden_or(error)
                messages.error(request, error.message)
            else:
                messages.success(request, "転送情報を記録しました。")
            return redirect("protection:measure", measure_no)
    else:
        form_class, call, done = MEASURE_ACTIONS[action]
        form = form_class(request.POST)
        if form.is_valid():
            try:
                call(found, form.cleaned_data, _operator(request))
            except DomainError as error:
                _forbidden_or(error)
                messages.error(request, error.message)
            else:
                messages.success(request, done)
            return redirect("protection:measure", measure_no)
    for field_errors in form.errors.values():
        for message in field_errors:
            messages.error(request, message)
    return redirect("protection:measure", measure_no)


@require_GET
@_any_permission(*queries.BLOCK_READERS)
def blocks(request: HttpRequest) -> HttpResponse:
    include_released = request.GET.get("released") == "1"
    lines = queries.blocked_persons(principal_for(request), include_released=include_released)
    return render(
        request,
        "protection/blocks.html",
        {"lines": lines, "include_released": include_released, "temporary_form": TemporaryReleaseForm()},
    )


@require_http_methods(["GET", "POST"])
@permission_required(SET, raise_exception=True)
def block_new(request: HttpRequest) -> HttpResponse:
    initial = {"target_no": request.GET.get("target", ""), "scope": request.GET.get("scope", "person")}
    form = BlockForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            block = services.set_block(
                scope=d["scope"],
                target_no=d["target_no"],
                process=d["process"],
                level=d["level"],
                reason=d["reason"],
                start_on=d["start_on"],
                end_on=d["end_on"],
                by=_operator(request),
            )
        except DomainError as error:
            _forbidden_or(error)
            form.add_error(None, error.message)
        else:
            messages.success(request, f"抑止を設定しました（{block}）。")
            return redirect("protection:blocks")
    return render(request, "protection/block_form.html", {"form": form})


@require_POST
@_any_permission(RELEASE, TEMPORARY)
def block_action(request: HttpRequest, block_id: int, action: str) -> HttpResponse:
    block = Block.objects.filter(pk=block_id).first()
    if block is None or action not in ("release", "temporary", "restore"):
        raise Http404("その抑止はありません。")
    form: Any = TemporaryReleaseForm(request.POST) if action == "temporary" else ReasonForm(request.POST)
    if action == "restore" or form.is_valid():
        by = _operator(request)
        try:
            if action == "release":
                services.release_block(block, by=by, reason=form.cleaned_data["reason"])
                messages.success(request, "抑止を解除しました。")
            elif action == "temporary":
                services.temporarily_release_block(
                    block, by=by, reason=form.cleaned_data["reason"], minutes=form.cleaned_data["minutes"]
                )
                messages.success(request, "抑止を一時解除しました。時間が過ぎると自動で元に戻ります。")
            else:
                services.end_temporary_release(block, by=by)
                messages.success(request, "一時解除を終了しました。")
        except DomainError as error:
            _forbidden_or(error)
            messages.error(request, error.message)
    else:
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, message)
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/protection/") else "protection:blocks")


@require_GET
@_any_permission(*queries.BLOCK_READERS)
def person(request: HttpRequest, atena_no: str) -> HttpResponse:
    try:
        found = queries.person_protection(principal_for(request), atena_no)
    except DomainError as error:
        _forbidden_or(error)
        raise Http404(error.message) from error
    return render(
        request,
        "protection/person.html",
        {"p": found, "temporary_form": TemporaryReleaseForm(), "reason_form": ReasonForm()},
    )


@require_POST
@permission_required(MANAGE, raise_exception=True)
def end_notices(request: HttpRequest) -> HttpResponse:
    """支援措置期間終了通知 (3.4, 20.5.1) for the measures chosen in the list of those ending
    soon, as one PDF; written to the print log."""
    try:
        notices = queries.end_notices(principal_for(request), request.POST.getlist("measure_nos"))
    except DomainError as error:
        _forbidden_or(error)
        messages.error(request, error.message)
        return redirect("protection:index")
    body = pdf.end_notices_pdf(notices, today=timezone.localdate())
    record_print(
        title=pdf.TITLE,
        mode="file",
        document=" ".join(n.measure.measure_no for n in notices)[:60],
        persons=[n.measure.applicant_atena_no for n in notices],
        pages=len(notices),
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="shien_end_{timezone.localdate():%Y%m%d}.pdf"'
    return response


@require_POST
@permission_required("accounts.view_resident", raise_exception=True)
def inquiry_alert(request: HttpRequest) -> HttpResponse:
    """The form of the 照会抑止 page: the operator records why they look at a person under an
    alert-level 照会 block (3.1); it holds 30 minutes, then the page asks again."""
    atena_no = request.POST.get("atena_no", "").strip()
    household_no = request.POST.get("household_no", "").strip()
    back = request.POST.get("next", "")
    if not back.startswith("/registry/"):  # only back to a registry screen (no open redirect)
        back = f"/registry/person/{atena_no}/" if atena_no else f"/registry/household/{household_no}/"
    try:
        inquiry.give_alert_reason(
            principal_for(request), atena_no, request.POST.get("reason", ""), household_no=household_no
        )
    except DomainError as error:
        _forbidden_or(error)
        messages.error(request, error.message)
    else:
        messages.success(request, "照会の理由を記録しました（30分間有効）。")
    return redirect(back)
