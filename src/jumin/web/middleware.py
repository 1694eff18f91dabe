"""Response headers that keep personal data where it belongs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.views.defaults import permission_denied

from jumin.api_types import unstorable
from jumin.core.errors import DomainError
from jumin.protection.inquiry import ALERT, InquiryBlockedError

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


class PrivacyHeadersMiddleware:
    """No inline script or foreign origin (CSP), and no caching of pages seen by a
    logged-in operator: a shared counter terminal must not show the last resident's
    record through the back button or the disk cache.  Every answer of the API carries
    ``no-store`` too, whoever asked (a linked system's answers hold personal data, and an
    error answer must not be replayed from a proxy's cache).  Placed right after
    ``SecurityMiddleware`` so that it also covers the answers of the other middlewares."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (
            user is not None and user.is_authenticated and not request.path.startswith("/static/")
        ):
            response.headers["Cache-Control"] = "no-store"
        return response


class DomainPermissionMiddleware:
    """A query or service that refuses for lack of a capability raises
    ``DomainError("auth.forbidden", …)``; on a screen that is the Japanese 403 page.  A 照会抑止
    (``protection.inquiry.InquiryBlockedError``) is the 照会抑止 page, 403, with the form for the
    reason when the block is an alert."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, InquiryBlockedError):
            return _inquiry_blocked(request, exception)
        if isinstance(exception, DomainError) and exception.code == "auth.forbidden":
            return permission_denied(request, PermissionDenied(exception.message))
        return None


def _inquiry_blocked(request: HttpRequest, error: Any) -> HttpResponse:
    context = {
        "atena_no": error.atena_no,
        "household_no": error.household_no,
        "code": error.code,
        "messages_text": error.decision.messages,
        "alert": error.decision.outcome == ALERT and request.user.is_authenticated,
        "next": request.get_full_path(),
    }
    return render(request, "protection/inquiry_blocked.html", context, status=403)


class UnstorableInputMiddleware:
    """Issue 15: nothing the database cannot store reaches a view.  A NUL, another control
    character or a lone surrogate in the URL, the query string or a form is refused with
    400 (a screen) or a JSON 422 ``request.invalid`` (the API); an API body that is not JSON
    is 400 ``request.malformed``.  PostgreSQL refuses NUL in text and a lone surrogate
    cannot be encoded: both were 500s, on the anonymous 真偽確認 too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = self._refused(request)
        return refused if refused is not None else self.get_response(request)

    def _refused(self, request: HttpRequest) -> HttpResponse | None:
        is_api = request.path.startswith("/api/")

        def invalid(message: str) -> HttpResponse:
            if is_api:
                return JsonResponse(
                    {"code": "request.invalid", "message": message, "detail": []},
                    status=422,
                    json_dumps_params={"ensure_ascii": False},
                )
            return HttpResponseBadRequest(
                f"入力を受け付けられません：{message}".encode(), content_type="text/plain; charset=utf-8"
            )

        found = unstorable(request.path) or unstorable(list(request.GET.lists()))
        if found:
            return invalid(found)
        content_type = request.content_type or ""
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                found = unstorable(list(request.POST.lists()))
                if found:
                    return invalid(found)
            elif is_api and request.body:
                try:
                    body = json.loads(request.body.decode("utf-8"))
                except (ValueError, UnicodeDecodeError, RecursionError):
                    return JsonResponse(
                        {
                            "code": "request.malformed",
                            "message": "リクエストの本文がJSONとして読めません。",
                            "detail": [],
                        },
                        status=400,
                        json_dumps_params={"ensure_ascii": False},
                    )
                found = unstorable(body)
                if found:
                    return invalid(found)
        return None
