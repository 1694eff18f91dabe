"""Screens of the 統計 menu: 異動集計表, 人口統計 (with the population pyramid), 住民基本台帳に基づく
人口、人口動態及び世帯数調査.  Thin: parse the form, call :mod:`jumin.statistics.services`, render.
Every file (PDF, CSV, xlsx, PNG) comes from :func:`export`, which writes the print log."""

from __future__ import annotations

from datetime import date
from typing import cast

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from jumin.accounts.principal import principal_for
from jumin.core.errors import DomainError
from jumin.statistics import queries, services
from jumin.statistics.forms import DayForm, MovementForm, SurveyForm

CAPABILITY = queries.CAPABILITY


@require_GET
@permission_required(CAPABILITY, raise_exception=True)
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "statistics/index.html")


def _movement_request(form: MovementForm) -> services.Request:
    month = form.cleaned_data.get("month")
    if isinstance(month, date):
        start, end = services.month_period(month.year, month.month)
    else:
        start, end = cast(date, form.cleaned_data["start"]), cast(date, form.cleaned_data["end"])
    return services.Request("movements", start=start, end=end)


def _show(
    request: HttpRequest, template: str, form: object, built: services.Request | None, extra: dict[str, object]
) -> HttpResponse:
    context: dict[str, object] = {"form": form, **extra}
    if built is not None:
        try:
            context["tables"] = services.build(principal_for(request), built)
            context["query"] = _query(built)
        except DomainError as error:
            context["error"] = error.message
    return render(request, template, context)


def _query(built: services.Request) -> str:
    query = QueryDict(mutable=True)
    for name in ("as_of", "start", "end"):
        value = getattr(built, name)
        if value is not None:
            query[name] = value.isoformat()
    if built.year is not None:
        query["year"] = str(built.year)
    return query.urlencode()


@require_GET
@permission_required(CAPABILITY, raise_exception=True)
def movements(request: HttpRequest) -> HttpResponse:
    form = MovementForm(request.GET or None)
    built = _movement_request(form) if request.GET and form.is_valid() else None
    return _show(request, "statistics/movements.html", form, built, {"report": "movements"})


@require_GET
@permission_required(CAPABILITY, raise_exception=True)
def population(request: HttpRequest) -> HttpResponse:
    form = DayForm(request.GET or None)
    built = None
    if request.GET and form.is_valid():
        built = services.Request("population", as_of=form.cleaned_data["as_of"])
    return _show(request, "statistics/population.html", form, built, {"report": "population"})


@require_GET
@permission_required(CAPABILITY, raise_exception=True)
def survey(request: HttpRequest) -> HttpResponse:
    form = SurveyForm(request.GET or None, initial={"year": str(timezone.localdate().year)})
    built = None
    if request.GET and form.is_valid():
        built = services.Request("survey", year=form.cleaned_data["year"])
    return _show(request, "statistics/survey.html", form, built, {"report": "survey"})


def _date_param(request: HttpRequest, name: str) -> date | None:
    text = request.GET.get(name, "")
    if not text:
        return None
    try:
        return queries.check_day(date.fromisoformat(text[:10]))
    except (ValueError, DomainError):
        return None


@require_GET
@permission_required(CAPABILITY, raise_exception=True)
def pyramid(request: HttpRequest) -> HttpResponse:
    """The pyramid shown on the 人口統計 screen (not a handed-out file: no print log)."""
    as_of = _date_param(request, "as_of")
    if as_of is None:
        return HttpResponse("基準日が正しくありません。", status=400, content_type="text/plain; charset=utf-8")
    return HttpResponse(services.pyramid(principal_for(request), as_of), content_type="image/png")


@require_GET
@permission_required(CAPABILITY, raise_exception=True)
def export(request: HttpRequest, report: str, fmt: str) -> HttpResponse:
    year_text = request.GET.get("year", "")
    built = services.Request(
        report,
        as_of=_date_param(request, "as_of"),
        start=_date_param(request, "start"),
        end=_date_param(request, "end"),
        year=int(year_text) if year_text.isdigit() and len(year_text) == 4 else None,
    )
    try:
        file = services.export(principal_for(request), built, fmt)
    except DomainError as error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.name}"'
    return response
