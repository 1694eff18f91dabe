"""The screen of 本人確認情報照会 to the 全国サーバ / 都道府県サーバ, at /jukinet/identity/servers/.

Thin: parse, call :func:`jumin.jukinet.server_query.query_server`, render.  The form is POSTed so
that a 個人番号 or 住民票コード never appears in a URL, and the numbers typed are never echoed
back into the page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from jumin.accounts.principal import principal_for
from jumin.jukinet import identity_search, server_query
from jumin.jukinet.identity_views import criteria_fields, run_query


@require_http_methods(["GET", "POST"])
@permission_required(server_query.VIEW, raise_exception=True)
def servers(request: HttpRequest) -> HttpResponse:
    values: dict[str, Any] = {}
    server, result = "national", None
    if request.method == "POST":
        values = {code: request.POST.get(code, "") for code in server_query.CRITERIA}
        server = str(request.POST.get("server", "national"))
        result = run_query(request, values, lambda: server_query.query_server(principal_for(request), server, values))
    context = {
        "fields": criteria_fields(request),
        "values": values,
        "server": server,
        "servers": [(s.code, s.label) for s in server_query.SERVERS.values()],
        "allowed": identity_search.allowed_criteria(),
        "limit": server_query.query_limit(),
        "result": result,
    }
    return render(request, "jukinet/identity/servers.html", context)
