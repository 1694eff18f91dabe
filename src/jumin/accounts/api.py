"""API: who am I."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from jumin.accounts.principal import principal_for
from jumin.audit.context import current

router = Router(tags=["session"])


class SessionOut(Schema):
    kind: str
    name: str
    capabilities: list[str]
    place: str
    terminal: str
    client: str


@router.get("/session", response=SessionOut, summary="認証された呼び出し元と、その権限")
def session(request: HttpRequest) -> SessionOut:
    principal = principal_for(request)
    context = current()
    if principal.system is not None:
        capabilities = sorted(principal.system.capability_names())
        kind = "system"
    else:
        assert principal.user is not None
        capabilities = sorted(p for p in principal.user.get_all_permissions() if p.startswith("accounts."))
        kind = "operator"
    return SessionOut(
        kind=kind,
        name=principal.label,
        capabilities=capabilities,
        place=context.place,
        terminal=context.terminal,
        client=context.client,
    )
