"""Who is acting, from where: attached to every log row.

A request sets the context in :class:`AuditContextMiddleware`; a batch job or a command
uses :func:`acting_as`.  Code that writes logs never passes these values by hand."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class AuditContext:
    operator_id: int | None = None
    operator: str = ""
    place: str = ""
    terminal: str = ""
    client: str = ""  # a linked system calling the API
    channel: str = "system"  # screen, api, batch, system
    request_id: str = ""
    ip: str = ""


_current: ContextVar[AuditContext] = ContextVar("jumin_audit_context", default=AuditContext())  # noqa: B039


def current() -> AuditContext:
    return _current.get()


@contextmanager
def acting_as(**fields: object) -> Iterator[AuditContext]:
    """Run a block (a batch job, a command) with the given context fields."""
    context = replace(current(), request_id=uuid.uuid4().hex, **fields)  # type: ignore[arg-type]
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def context_for_request(request: HttpRequest) -> AuditContext:
    user = getattr(request, "user", None)
    terminal = getattr(request, "terminal", None)
    authenticated = bool(user is not None and user.is_authenticated)
    return AuditContext(
        operator_id=user.pk if authenticated else None,  # type: ignore[union-attr]
        operator=user.get_username() if authenticated else "",  # type: ignore[union-attr]
        place=terminal.place.code if terminal is not None else "",
        terminal=terminal.code if terminal is not None else "",
        client=getattr(request, "linked_system", "") or "",
        channel="api" if request.path.startswith("/api/") else "screen",
        request_id=uuid.uuid4().hex,
        ip=request.META.get("REMOTE_ADDR", ""),
    )


class AuditContextMiddleware:
    """Sets the audit context for the request (after authentication and terminal binding)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current.set(context_for_request(request))
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        return response


def refresh_from_request(request: HttpRequest) -> None:
    """After login/logout inside a request, make the context name the new operator."""
    _current.set(replace(context_for_request(request), request_id=current().request_id or uuid.uuid4().hex))


def acting_as_client(client: str) -> None:
    """A linked system authenticated during this request: name it in the log rows."""
    _current.set(replace(current(), client=client, channel="api", operator_id=None, operator=""))
