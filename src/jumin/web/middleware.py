"""Response headers that keep personal data where it belongs."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
    ``DomainError("auth.forbidden", …)``; on a screen that is the Japanese 403 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.core.exceptions import PermissionDenied
        from django.views.defaults import permission_denied

        from jumin.core.errors import DomainError

        if isinstance(exception, DomainError) and exception.code == "auth.forbidden":
            return permission_denied(request, PermissionDenied(exception.message))
        return None
