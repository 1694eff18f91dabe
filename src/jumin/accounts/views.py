"""Login, logout and terminal enrollment.  Thin: parse, call one service, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods

from jumin.accounts.forms import EnrollmentForm, LoginForm
from jumin.accounts.middleware import COOKIE_SALT, SESSION_TERMINAL_KEY
from jumin.accounts.services import enroll_device
from jumin.core.errors import DomainError

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
