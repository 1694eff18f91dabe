"""Request middleware of the audit logs."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from jumin.audit.services import access_log_batch


class AccessLogBatchMiddleware:
    """The reads a request logs are written together when the view has answered, before the
    answer leaves (:func:`jumin.audit.services.access_log_batch`): a screen that logs three
    reads costs one chain step, not three (issue 24)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with access_log_batch():
            return self.get_response(request)
