"""Request guards: the enrolled terminal (spec 1.3.1), the second factor, the idle lock."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from jumin.accounts.services import terminal_for_device
from jumin.audit.services import record_auth

SESSION_TERMINAL_KEY = "jumin_terminal_id"
COOKIE_SALT = "jumin.terminal"


def read_device_secret(request: HttpRequest) -> str:
    value = request.get_signed_cookie(settings.JUMIN_TERMINAL_COOKIE, default="", salt=COOKIE_SALT)
    return str(value or "")


class TerminalMiddleware:
    """Sets ``request.terminal`` (None for a browser that is not enrolled).

    A login session belongs to the terminal it was opened on: if the cookie and the
    session disagree (the session cookie was carried to another machine, or the
    terminal was disabled) the session ends."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        terminal = terminal_for_device(read_device_secret(request))
        request.terminal = terminal  # type: ignore[attr-defined]
        if request.user.is_authenticated:
            bound = request.session.get(SESSION_TERMINAL_KEY)
            if terminal is None or bound != terminal.pk:
                logout(request)
        return self.get_response(request)


# Paths an operator may reach while the second factor or the screen lock is pending.
_ALWAYS_OPEN = ("/static/", "/accounts/logout/")
_SECOND_FACTOR_PATHS = ("/accounts/verify/", "/accounts/second-factor/", "/accounts/webauthn/")
LAST_SEEN_KEY = "jumin_last_seen"
LOCKED_KEY = "jumin_screen_locked"


def _is_open(path: str, extra: tuple[str, ...]) -> bool:
    return path.startswith(_ALWAYS_OPEN + extra)


class SecondFactorMiddleware:
    """After the password, nothing but the second-factor pages until the operator has
    verified with a passkey or an authenticator code (django-otp's ``is_verified``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.JUMIN_REQUIRE_SECOND_FACTOR
            and user.is_authenticated
            and not user.is_verified()
            and not _is_open(request.path, _SECOND_FACTOR_PATHS)
            and not request.path.startswith("/api/")
        ):
            return redirect(f"{reverse('accounts:verify')}?next={request.get_full_path()}")
        return self.get_response(request)


class IdleLockMiddleware:
    """Locks the screen after ``JUMIN_IDLE_LOCK_MINUTES`` without a request; only the
    unlock page (password or passkey again) and logout stay reachable.  The API answers a
    locked session with 401 ``auth.screen_locked`` instead of a redirect to the unlock page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated or _is_open(request.path, ("/accounts/unlock/", "/accounts/lock/")):
            return self.get_response(request)
        session = request.session
        now = time.time()
        idle = now - float(session.get(LAST_SEEN_KEY, now))
        if not session.get(LOCKED_KEY) and idle >= settings.JUMIN_IDLE_LOCK_MINUTES * 60:
            lock_screen(request, reason="無操作")
        if session.get(LOCKED_KEY):
            if request.path.startswith("/api/"):  # a program, not a screen: no redirect to a page
                return JsonResponse(
                    {
                        "code": "auth.screen_locked",
                        "message": "画面がロックされています。パスワードでロックを解除してください。",
                    },
                    status=401,
                    json_dumps_params={"ensure_ascii": False},
                )
            return redirect(f"{reverse('accounts:unlock')}?next={request.get_full_path()}")
        if idle >= _last_seen_resolution():  # not every request: each write is a session UPDATE
            session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def _last_seen_resolution() -> float:
    """How stale the stored last request may be (seconds): a 10th of the lock time, at most
    ``JUMIN_IDLE_LOCK_RESOLUTION_SECONDS``.  The screen then locks up to that much *early*, never
    late, and a clerk's steady work does not rewrite the session on every page (issue 24)."""
    return min(float(settings.JUMIN_IDLE_LOCK_RESOLUTION_SECONDS), settings.JUMIN_IDLE_LOCK_MINUTES * 6)


def lock_screen(request: HttpRequest, *, reason: str) -> None:
    request.session[LOCKED_KEY] = True
    record_auth("screen_locked", username=request.user.get_username(), detail=reason)


def unlock_screen(request: HttpRequest) -> None:
    request.session[LOCKED_KEY] = False
    request.session[LAST_SEEN_KEY] = time.time()
    record_auth("screen_unlocked", username=request.user.get_username())


class ScreenLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Django's login-required default for every screen.  The API (/api/) is left to its own
    authentication, which always requires a linked-system key or a verified session."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
