"""The notices of a movement as PDF (jumin.registry.notices, notice_pdf): GET
/registry/movements/<異動番号>/notice/<kind>.pdf.  Thin: check the capability, read, render,
write the print log."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.decorators import user_passes_test
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jumin.accounts.principal import principal_for
from jumin.core.errors import DomainError
from jumin.registry import notice_pdf, notices

# What each refusal answers with (a page in Japanese, with the link back to the movement).
_STATUS = {"movement.not_found": 404, "notice.not_applicable": 404, "notice.protected": 409}


def _may_ask(user: Any) -> bool:
    """403 before anything is looked up unless the operator may read notices at all."""
    if any(user.has_perm(p) for p in notices.READERS):
        return True
    raise PermissionDenied


@require_GET
@user_passes_test(_may_ask)
def notice(request: HttpRequest, movement_no: str, kind: str) -> HttpResponse:
    try:
        found = notices.read_notice(principal_for(request), movement_no, kind)
    except DomainError as error:
        if error.code == "auth.forbidden":
            raise PermissionDenied(error.message) from error
        if error.code not in _STATUS:
            raise
        status = _STATUS[error.code]
        context = {
            "message": error.message,
            "movement_no": movement_no,
            "found": error.code != "movement.not_found",
            "status": status,
        }
        return render(request, "registry/notice_unavailable.html", context, status=status)
    rendered = notice_pdf.render(found)
    notices.log_print(found, rendered.pages)
    response = HttpResponse(rendered.data, content_type="application/pdf")
    name = re.sub(r"[^0-9A-Za-z-]", "_", f"{found.kind.value}_{movement_no}")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
