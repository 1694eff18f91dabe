"""Audit report screens and CSV (requires the 監査 capability)."""

from __future__ import annotations

import csv
from datetime import date

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jumin.audit.display import present
from jumin.audit.forms import ReportForm, default_period
from jumin.audit.reports import REPORTS, REPORTS_BY_SLUG, Report
from jumin.audit.services import record_access

PERMISSION = "accounts.view_audit_log"


@require_GET
@permission_required(PERMISSION, raise_exception=True)
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "audit/index.html", {"reports": REPORTS, "period": default_period()})


def _csv(report: Report, slug: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{slug}.csv"'
    response.write("\ufeff")  # BOM: spreadsheet software then reads the Japanese correctly
    writer = csv.writer(response)
    writer.writerow(report.columns)
    writer.writerows(present(report.columns, report.rows))
    return response


@require_GET
@permission_required(PERMISSION, raise_exception=True)
def report(request: HttpRequest, slug: str) -> HttpResponse:
    kind = REPORTS_BY_SLUG.get(slug)
    if kind is None:
        raise Http404
    form = ReportForm(request.GET or None, needs=kind.needs)
    if not form.is_valid():
        return render(request, "audit/report.html", {"kind": kind, "form": form}, status=400 if request.GET else 200)
    start: date = form.cleaned_data["start"]
    end: date = form.cleaned_data["end"]
    result = kind.func(start, end, atena_no=form.cleaned_data["atena_no"], operator=form.cleaned_data["operator"])
    as_csv = request.GET.get("format") == "csv"
    record_access(
        purpose=f"audit.{slug}",
        action="export" if as_csv else "audit",
        persons=sorted(set(result.persons)),
        criteria={"start": start.isoformat(), "end": end.isoformat(), "operator": form.cleaned_data["operator"]},
        result_count=len(result.rows),
    )
    if as_csv:
        return _csv(result, slug)
    rows = present(result.columns, result.rows)
    return render(request, "audit/report.html", {"kind": kind, "form": form, "result": result, "rows": rows})
