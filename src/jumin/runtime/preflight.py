"""What ``jumin serve`` and ``jumin worker`` check before they start: a production installation
that breaks a rule does not start (docs/operations.md, "Production runtime").

* DEBUG is off.
* Every Django system check passes, the deployment checks included (``check --deploy``), and
  no deployment check warns — except ``security.W008`` (no redirect to HTTPS) when the
  operator has said ``JUMIN_SSL_REDIRECT=0`` because a TLS proxy in front does it.
* jumin's own production rules (jumin.E001 second factor, jumin.E002 https to national
  systems) — the same ones ``jumin.wsgi`` enforces."""

from __future__ import annotations

import os

from django.conf import settings
from django.core import checks

from jumin.conf.checks import production_errors

# Warnings the operator may accept by an explicit setting: id → (environment variable, value).
ACCEPTED = {"security.W008": ("JUMIN_SSL_REDIRECT", "0")}


def problems() -> list[str]:
    """Every reason not to start, one line each ("id: message"); empty when all is well."""
    found: list[str] = []
    if settings.DEBUG:
        found.append("DEBUG: 本番では DEBUG を有効にできません（DJANGO_SETTINGS_MODULE=jumin.settings.production）。")
    messages = checks.run_checks(include_deployment_checks=True)
    seen = set()
    for message in [*messages, *production_errors()]:
        if message.level < checks.WARNING or message.id in seen:
            continue
        seen.add(message.id)
        accepted = ACCEPTED.get(message.id or "")
        if accepted and os.environ.get(accepted[0]) == accepted[1]:
            continue
        found.append(f"{message.id}: {message.msg}")
    return found
