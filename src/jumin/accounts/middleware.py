"""Binds every request to the enrolled terminal it comes from (spec 1.3.1)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from jumin.accounts.services import terminal_for_device

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
