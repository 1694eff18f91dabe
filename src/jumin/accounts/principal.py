"""Who is asking: an operator at a terminal, or a linked system with an API key.

Queries and API handlers ask the principal, never ``request.user`` directly, so that a
permission or field check means the same thing on screens and on the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from jumin.accounts.models import LinkedSystem, User
from jumin.api_base import PermissionDeniedError


@dataclass(frozen=True)
class Principal:
    user: User | None = None
    system: LinkedSystem | None = None

    def has_perm(self, perm: str) -> bool:
        if self.system is not None:
            return self.system.has_perm(perm)
        return self.user is not None and self.user.has_perm(perm)

    def sees(self, field: str) -> bool:
        if self.system is not None:
            return self.system.sees(field)
        return self.user is not None and self.user.sees(field)

    @property
    def label(self) -> str:
        if self.system is not None:
            return str(self.system)
        return str(self.user) if self.user is not None else ""


def principal_for(request: HttpRequest) -> Principal:
    system = getattr(request, "linked_system", None)
    if system is not None:
        return Principal(system=system)
    user = request.user
    return Principal(user=user if user.is_authenticated else None)


def require(request: HttpRequest, perm: str) -> None:
    """Raise 403 (:class:`~jumin.api_base.PermissionDeniedError`) unless the caller holds
    ``perm`` (``accounts.<capability>``)."""
    if not principal_for(request).has_perm(perm):
        raise PermissionDeniedError(perm)
