"""API of the statistics (assessment function 11): each table as JSON.  Counts only, no person:
nothing here is written to the access log (the screens' files go to the print log).
Capability ``run_batch`` (docs/statistics.md)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema

from jumin.accounts.principal import principal_for, require
from jumin.api_base import domain_call
from jumin.core.statistics import Table
from jumin.statistics import queries, services

router = Router(tags=["statistics"])


class RowOut(Schema):
    label: str
    values: list[int]


class TableOut(Schema):
    key: str
    title: str
    subtitle: str
    columns: list[str]
    rows: list[RowOut]
    notes: list[str]


def _out(tables: list[Table]) -> list[TableOut]:
    return [
        TableOut(
            key=t.key,
            title=t.title,
            subtitle=t.subtitle,
            columns=list(t.columns),
            rows=[RowOut(label=label, values=list(values)) for label, values in t.rows],
            notes=list(t.notes),
        )
        for t in tables
    ]


@router.get("/statistics/movements", response=list[TableOut], summary="異動集計表（期間、両端を含む）")
def statistics_movements(request: HttpRequest, start: date | None = None, end: date | None = None) -> list[TableOut]:
    require(request, queries.CAPABILITY)
    principal = principal_for(request)
    return _out(domain_call(lambda: services.build(principal, services.Request("movements", start=start, end=end))))


@router.get(
    "/statistics/population",
    response=list[TableOut],
    summary="人口統計（基準日現在: 町字・丁目別, 各歳, 5歳階級, 国籍別）",
)
def statistics_population(request: HttpRequest, as_of: date | None = None) -> list[TableOut]:
    require(request, queries.CAPABILITY)
    principal = principal_for(request)
    return _out(domain_call(lambda: services.build(principal, services.Request("population", as_of=as_of))))


@router.get(
    "/statistics/survey",
    response=list[TableOut],
    summary="住民基本台帳に基づく人口、人口動態及び世帯数調査（1月1日現在）",
)
def statistics_survey(request: HttpRequest, year: int | None = None) -> list[TableOut]:
    require(request, queries.CAPABILITY)
    principal = principal_for(request)
    return _out(domain_call(lambda: services.build(principal, services.Request("survey", year=year))))
