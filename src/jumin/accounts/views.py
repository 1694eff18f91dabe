"""Login, logout and terminal enrollment.  Thin: parse, call one service, render."""

from __future__ import annotations

from io import BytesIO
from typing import cast

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from jumin.accounts.forms import EnrollmentForm, LoginForm, TotpForm, UnlockForm
from jumin.accounts.mfa import b32_secret, confirmed_totp, has_passkey, has_second_factor
from jumin.accounts.middleware import COOKIE_SALT, SESSION_TERMINAL_KEY, lock_screen, unlock_screen
from jumin.accounts.models import User
from jumin.accounts.services import (
    confirm_totp_enrollment,
    enroll_device,
    register_failed_attempt,
    start_totp_enrollment,
)
from jumin.audit.services import record_auth
from jumin.core.errors import DomainError
from jumin.core.free_text import contains_individual_number

TERMINAL_COOKIE_MAX_AGE = 5 * 365 * 24 * 60 * 60


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        if getattr(request, "terminal", None) is None:
            return redirect("accounts:enroll")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        self.request.session[SESSION_TERMINAL_KEY] = self.request.terminal.pk  # type: ignore[attr-defined]
        return response


class LogoutView(auth_views.LogoutView):
    pass


@login_not_required
@require_http_methods(["GET", "POST"])
def enroll(request: HttpRequest) -> HttpResponse:
    form = EnrollmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            terminal, device_secret = enroll_device(form.cleaned_data["code"])
        except DomainError as error:
            form.add_error("code", error.message)
        else:
            messages.success(request, f"この端末を「{terminal}」として登録しました。")
            response = redirect("accounts:login")
            response.set_signed_cookie(
                settings.JUMIN_TERMINAL_COOKIE,
                device_secret,
                salt=COOKIE_SALT,
                max_age=TERMINAL_COOKIE_MAX_AGE,
                httponly=True,
                samesite="Strict",
                secure=request.is_secure(),
            )
            return response
    return render(request, "accounts/enroll.html", {"form": form}, status=400 if form.errors else 200)


def _operator(request: HttpRequest) -> User:
    """The logged-in operator (every view below is behind LoginRequiredMiddleware)."""
    return cast(User, request.user)


def _next_url(request: HttpRequest, field: str = "next") -> str:
    target = request.POST.get(field) or request.GET.get(field) or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def _failed_second_factor(request: HttpRequest, stage: str) -> HttpResponse | None:
    """Count a failure; when it locks the account, end the session and explain."""
    if register_failed_attempt(request.user.get_username(), stage=stage):
        logout(request)
        messages.error(request, "確認の失敗が続いたため、利用者IDをロックしました。管理者に解除を依頼してください。")
        return redirect("accounts:login")
    return None


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Second step of the login: passkey or authenticator code."""
    user = _operator(request)
    if user.is_verified():
        return redirect(_next_url(request))
    if not has_second_factor(user):
        return redirect(f"/accounts/second-factor/?next={_next_url(request)}")
    device = confirmed_totp(user)
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device is not None and device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            record_auth("second_factor_ok", username=user.get_username(), detail="認証アプリ")
            return redirect(_next_url(request))
        locked = _failed_second_factor(request, "totp")
        if locked is not None:
            return locked
        form.add_error("token", "確認コードが正しくありません。")
    context = {
        "form": form,
        "has_totp": device is not None,
        "has_passkey": has_passkey(user),
        "next": _next_url(request),
    }
    return render(request, "accounts/verify.html", context, status=400 if form.errors else 200)


def _totp_qr(device: TOTPDevice) -> str:
    buffer = BytesIO()
    segno.make(device.config_url, error="m").save(buffer, kind="svg", scale=4, xmldecl=False)
    return buffer.getvalue().decode()


@require_http_methods(["GET", "POST"])
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    """First login of an operator without a second factor: register a passkey or an
    authenticator app.  An operator who already has one must verify with it first."""
    user = _operator(request)
    if has_second_factor(user) and not user.is_verified():
        return redirect(f"/accounts/verify/?next={_next_url(request)}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or start_totp_enrollment(user)
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if confirm_totp_enrollment(device, form.cleaned_data["token"]):
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", "確認コードが正しくありません。認証アプリに表示された最新のコードを入力してください。")
    context = {
        "form": form,
        "qr_svg": _totp_qr(device),
        "secret": b32_secret(device),
        "next": _next_url(request),
    }
    return render(request, "accounts/second_factor_setup.html", context, status=400 if form.errors else 200)


@require_http_methods(["POST"])
def lock(request: HttpRequest) -> HttpResponse:
    """Lock the screen now (the operator leaves the desk, or the idle timer fired)."""
    reason = request.POST.get("reason", "")[:40]
    if not reason or contains_individual_number(reason):  # never a 個人番号 in the auth log
        reason = "操作者による画面ロック"
    lock_screen(request, reason=reason)
    return redirect(f"/accounts/unlock/?next={_next_url(request, 'after_unlock')}")


@require_http_methods(["GET", "POST"])
def unlock(request: HttpRequest) -> HttpResponse:
    form = UnlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _operator(request).check_password(form.cleaned_data["password"]):
            unlock_screen(request)
            return redirect(_next_url(request))
        locked = _failed_second_factor(request, "unlock")
        if locked is not None:
            return locked
        form.add_error("password", "パスワードが正しくありません。")
    return render(
        request, "accounts/unlock.html", {"form": form, "next": _next_url(request)}, status=400 if form.errors else 200
    )
