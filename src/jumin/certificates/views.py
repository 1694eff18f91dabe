"""Screens of certificate issuance (spec 5.x, 1.3.7–1.3.9, 2.2.2): issue with preview, 交付履歴
with 再交付 and 処分, the 認証者 master, and the public verification page.  Thin: parse, call one
service or query, render."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jumin.accounts.models import Terminal, User
from jumin.accounts.principal import principal_for
from jumin.certificates import content as c
from jumin.certificates import history, services, signing, verification
from jumin.certificates.forms import CertifierForm, HistoryFilterForm, IssueForm, ReasonForm, VerifyForm
from jumin.certificates.models import Certifier
from jumin.conf.domain import era_table
from jumin.core.errors import DomainError
from jumin.core.wareki import parse_date

ISSUE = "accounts.issue_certificate"
MASTER = "accounts.administer_terminals"


def _terminal(request: HttpRequest) -> Terminal | None:
    return cast(Terminal | None, getattr(request, "terminal", None))


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def _refused(error: DomainError) -> None:
    if error.code == "auth.forbidden":
        raise PermissionDenied(error.message) from error


def _verify_page(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("verify"))


@require_http_methods(["GET", "POST"])
@permission_required(ISSUE, raise_exception=True)
def index(request: HttpRequest) -> HttpResponse:
    """交付: POST with ``action=preview`` returns the 見本, ``action=issue`` the copies to print."""
    form = IssueForm(request.POST or None, initial=_prefilled(request))
    if request.method == "POST" and form.is_valid():
        principal = principal_for(request)
        try:
            if request.POST.get("action") == "preview":
                return _pdf(services.preview(principal, form.issue_request(), terminal=_terminal(request)), "preview")
            with signing.served_at(_verify_page(request)):
                issued = services.issue(principal, form.issue_request(), terminal=_terminal(request))
        except DomainError as error:
            _refused(error)
            form.add_error(None, error.message)
        else:
            response = _pdf(services.merged(issued.pdfs), "certificate")
            # ids of the 交付履歴 rows (the 発行番号 itself is not ASCII and stays out of headers)
            response["X-Jumin-Issuances"] = ",".join(str(i.pk) for i in issued.issuances)
            return response
    return render(request, "certificates/index.html", {"form": form})


def _prefilled(request: HttpRequest) -> dict[str, str]:
    """From the person / household screen: ``?person=<宛名番号>&layout=individual|household``."""
    initial = {"atena_no": request.GET.get("person", "")[:20]}
    layout = request.GET.get("layout", "")
    if layout in (c.INDIVIDUAL, c.HOUSEHOLD):
        initial["layout"] = layout
    return initial


@require_GET
@permission_required(ISSUE, raise_exception=True)
def history_view(request: HttpRequest) -> HttpResponse:
    form = HistoryFilterForm(request.GET or None)
    rows: list[Any] = []
    if form.is_valid() and any(form.cleaned_data.values()):
        try:
            rows = history.issuances(principal_for(request), **form.cleaned_data)
        except DomainError as error:
            _refused(error)
            form.add_error(None, error.message)
    return render(request, "certificates/history.html", {"form": form, "rows": rows, "reason_form": ReasonForm()})


@require_POST
@permission_required(ISSUE, raise_exception=True)
def reissue(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    issue_no = history.issue_no_of(pk)
    if form.is_valid():
        try:
            with signing.served_at(_verify_page(request)):
                issued = services.reissue(
                    principal_for(request),
                    issue_no,
                    reason=form.cleaned_data["reason"],
                    terminal=_terminal(request),
                    alert_reason=form.cleaned_data["alert_reason"],
                )
        except DomainError as error:
            _refused(error)
            messages.error(request, error.message)
        else:
            return _pdf(services.merged(issued.pdfs), "certificate")
    else:
        messages.error(request, "再交付の理由を入力してください。")
    return redirect(f"{_history_url()}?issue_no={issue_no}")


@require_POST
@permission_required(ISSUE, raise_exception=True)
def dispose(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    issue_no = history.issue_no_of(pk)
    if form.is_valid():
        try:
            services.dispose(cast(User, request.user), issue_no, reason=form.cleaned_data["reason"])
        except DomainError as error:
            _refused(error)
            messages.error(request, error.message)
        else:
            messages.success(request, f"発行番号 {issue_no} を処分済みとして記録しました。")
    else:
        messages.error(request, "処分の理由を入力してください。")
    return redirect(f"{_history_url()}?issue_no={issue_no}")


def _history_url() -> str:
    return reverse("certificates:history")


@require_http_methods(["GET", "POST"])
@permission_required(MASTER, raise_exception=True)
def certifiers(request: HttpRequest) -> HttpResponse:
    """認証者 (1.3.9): the mayor and the 職務代理者 with their periods; register or end one."""
    form = CertifierForm(request.POST or None) if request.POST.get("action") != "end" else CertifierForm()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "end":
                ended = services.end_certifier(
                    cast(User, request.user), int(request.POST.get("certifier", "0") or 0), _day(request)
                )
                messages.success(request, f"認証者 {ended} の期間を終了しました。")
                return redirect("certificates:certifiers")
            if form.is_valid():
                certifier = services.register_certifier(cast(User, request.user), form.save(commit=False))
                messages.success(request, f"認証者 {certifier} を登録しました。")
                return redirect("certificates:certifiers")
        except DomainError as error:
            _refused(error)
            messages.error(request, error.message)
    return render(request, "certificates/certifiers.html", {"form": form, "rows": Certifier.objects.all()})


def _day(request: HttpRequest) -> date:
    try:
        return parse_date(request.POST.get("last_day", "").strip(), era_table())
    except (DomainError, ValueError) as error:
        raise DomainError("certificate.certifier_period", "終了日を和暦又は西暦で入力してください。") from error


@require_GET
@permission_required(ISSUE, raise_exception=True)
def overflow(request: HttpRequest, pk: int) -> HttpResponse:
    """文字超過リスト of one issued copy (5.8)."""
    try:
        data = services.overflow_list(principal_for(request), history.issue_no_of(pk))
    except DomainError as error:
        _refused(error)
        messages.error(request, error.message)
        return redirect(_history_url())
    return _pdf(data, "overflow")


@login_not_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Public: was this 発行番号 issued, when, is the signature genuine, does the PDF match?
    Never any personal data."""
    form = VerifyForm(request.POST or None, request.FILES or None) if request.method == "POST" else None
    if form is None:
        form = VerifyForm(request.GET or None)
    answer = None
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data.get("document")
        answer = verification.check(
            form.cleaned_data["n"], form.cleaned_data.get("s") or "", upload.read() if upload else None
        )
    context = {"form": form, "answer": answer, "public_key": verification.public_key_text()}
    return render(request, "certificates/verify.html", context)
