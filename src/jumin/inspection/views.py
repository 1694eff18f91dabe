"""Screens of the 閲覧台帳 (統計・閲覧 menu): 申出の受付 → 審査 (承認/不承認) → 閲覧用リスト and
閲覧の実施 → 閲覧状況の公表.  Thin: parse, call one service or query, render."""

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
from jumin.core.errors import DomainError
from jumin.inspection import outputs, queries, services
from jumin.inspection.forms import DecisionForm, FormatForm, PublicationForm, RequestForm, VisitForm
from jumin.inspection.models import InspectionRequest
from jumin.registry.inspection import ORDERS

RECEIVE, REVIEW = services.RECEIVE, services.REVIEW


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


def _load(request: HttpRequest, request_no: str) -> InspectionRequest:
    try:
        return queries.get_request(principal_for(request), request_no)
    except DomainError as error:
        _forbidden_or(error)
        raise Http404(error.message) from error


def _download(output: outputs.Output) -> HttpResponse:
    response = HttpResponse(output.body, content_type=output.content_type)
    response["Content-Disposition"] = f'attachment; filename="{output.filename}"'
    return response


@require_GET
@_any_permission(*queries.READERS)
def index(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    if state not in InspectionRequest.State.values:
        state = ""
    found = queries.requests(principal_for(request), state=state)[:200]
    context = {
        "found": found,
        "state": state,
        "states": InspectionRequest.State.choices,
        "receives": request.user.has_perm(RECEIVE),
        "last_year": timezone.localdate().year - 1,
    }
    return render(request, "inspection/index.html", context)


@require_http_methods(["GET", "POST"])
@permission_required(RECEIVE, raise_exception=True)
def request_new(request: HttpRequest) -> HttpResponse:
    form = RequestForm(request.POST or None, initial={"requested_on": ""})
    if request.method == "POST" and form.is_valid():
        try:
            created = services.receive_request(form.request_input(), by=_operator(request))
        except DomainError as error:
            _forbidden_or(error)
            form.add_error(None, error.message)
        else:
            messages.success(request, f"閲覧申出 {created.request_no} を受け付けました。審査を待っています。")
            return redirect("inspection:request", created.request_no)
    return render(request, "inspection/request_form.html", {"form": form})


@require_GET
@_any_permission(*queries.READERS)
def request_detail(request: HttpRequest, request_no: str) -> HttpResponse:
    found = _load(request, request_no)
    approved = found.state == InspectionRequest.State.APPROVED
    reviews = request.user.has_perm(REVIEW) and found.state == InspectionRequest.State.RECEIVED
    receives = request.user.has_perm(RECEIVE)
    context = {
        "r": found,
        "towns": queries.towns_of(found),
        "order_label": ORDERS.get(found.list_order, found.list_order),
        "reviews": reviews,
        "offender": reviews and services.offender_named(found),
        "decision_form": DecisionForm(),
        "can_list": approved and receives and found.period_end >= timezone.localdate(),
        "format_form": FormatForm(),
        "visit_form": VisitForm(request=found, initial={"inspected_on": ""}) if approved and receives else None,
        "can_complete": approved and receives,
    }
    return render(request, "inspection/request.html", context)


@require_POST
@permission_required(REVIEW, raise_exception=True)
def request_decide(request: HttpRequest, request_no: str) -> HttpResponse:
    found = _load(request, request_no)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "審査の結果と理由を入力してください。")
        return redirect("inspection:request", found.request_no)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.decide_request(found, approve=approve, reason=form.cleaned_data["reason"], by=_operator(request))
    except DomainError as error:
        _forbidden_or(error)
        messages.error(request, error.message)
    else:
        messages.success(request, "承認しました。" if approve else "不承認としました。")
    return redirect("inspection:request", found.request_no)


@require_POST
@permission_required(RECEIVE, raise_exception=True)
def request_list(request: HttpRequest, request_no: str) -> HttpResponse:
    found = _load(request, request_no)
    form = FormatForm(request.POST)
    if not form.is_valid():
        messages.error(request, "出力の形式を選んでください。")
        return redirect("inspection:request", found.request_no)
    try:
        output = outputs.list_output(principal_for(request), found, form.cleaned_data["format"])
    except DomainError as error:
        _forbidden_or(error)
        messages.error(request, error.message)
        return redirect("inspection:request", found.request_no)
    return _download(output)


@require_POST
@permission_required(RECEIVE, raise_exception=True)
def request_visit(request: HttpRequest, request_no: str) -> HttpResponse:
    found = _load(request, request_no)
    form = VisitForm(request.POST, request=found)
    if form.is_valid():
        try:
            services.record_visit(found, form.visit_input(), by=_operator(request))
        except DomainError as error:
            _forbidden_or(error)
            messages.error(request, error.message)
        else:
            messages.success(request, "閲覧の実施を記録しました。")
    else:
        problems = [
            f"{form.fields[name].label if name in form.fields else ''}: {' '.join(str(e) for e in errors)}"
            for name, errors in form.errors.items()
        ]
        messages.error(request, "記録できません。" + " / ".join(problems))
    return redirect("inspection:request", found.request_no)


@require_POST
@permission_required(RECEIVE, raise_exception=True)
def request_complete(request: HttpRequest, request_no: str) -> HttpResponse:
    found = _load(request, request_no)
    try:
        services.complete_request(found, by=_operator(request))
    except DomainError as error:
        _forbidden_or(error)
        messages.error(request, error.message)
    else:
        messages.success(request, "閲覧終了としました。")
    return redirect("inspection:request", found.request_no)


@require_http_methods(["GET", "POST"])
@_any_permission(*queries.READERS)
def publication(request: HttpRequest) -> HttpResponse:
    """GET: the 公表 of a year on screen; POST: the same as PDF, CSV or xlsx (print-logged)."""
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = PublicationForm(data, initial={"year": timezone.localdate().year - 1})
    found = None
    if form.is_valid():
        year = form.cleaned_data["year"]
        if request.method == "POST":
            format_form = FormatForm(request.POST)
            if format_form.is_valid():
                try:
                    return _download(
                        outputs.publication_output(principal_for(request), year, format_form.cleaned_data["format"])
                    )
                except DomainError as error:
                    _forbidden_or(error)
                    messages.error(request, error.message)
            else:
                messages.error(request, "出力の形式を選んでください。")
        found = queries.publication(principal_for(request), year)
    context = {"form": form, "found": found, "format_form": FormatForm()}
    return render(request, "inspection/publication.html", context)
