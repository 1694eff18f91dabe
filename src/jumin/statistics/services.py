"""The statistics reports and their files.  Every file handed out (PDF, CSV, xlsx, the pyramid
PNG) is written to the print log (``record_print``, 10.2) with the report, its date or period
and the format; no person is named (the tables are counts).

Reports:

* ``movements`` — 異動集計表 of a period (a month or any ``start``–``end``);
* ``population`` — 人口統計 as of a day: 町字・丁目別, 各歳別, 5歳階級別, 国籍別;
* ``survey`` — 住民基本台帳に基づく人口、人口動態及び世帯数調査 of 1月1日 of a year;
* ``pyramid`` — the population pyramid (5歳階級) as of a day, PNG only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone

from jumin.accounts.principal import Principal
from jumin.audit.services import record_print
from jumin.core.errors import DomainError
from jumin.core.statistics import Table, survey_reference_day
from jumin.statistics import queries, render, tables

FORMATS = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
}
REPORTS = {
    "movements": "異動集計表",
    "population": "人口統計",
    "survey": "住民基本台帳に基づく人口、人口動態及び世帯数調査",
    "pyramid": "人口ピラミッド",
}


@dataclass(frozen=True)
class Request:
    report: str
    as_of: date | None = None
    start: date | None = None
    end: date | None = None
    year: int | None = None

    @property
    def describe(self) -> str:
        if self.report == "movements" and self.start and self.end:
            return f"{self.start.isoformat()}〜{self.end.isoformat()}"
        if self.report == "survey" and self.year:
            return f"{self.year}年1月1日"
        return self.as_of.isoformat() if self.as_of else ""


@dataclass(frozen=True)
class File:
    name: str
    content_type: str
    content: bytes


def month_period(year: int, month: int) -> tuple[date, date]:
    if not 1 <= month <= 12 or not 1900 <= year <= 2200:
        raise DomainError("statistics.month_invalid", "年月が正しくありません。")
    start = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return start, date.fromordinal(following.toordinal() - 1)


def build(principal: Principal, request: Request) -> list[Table]:
    """The tables of a report (permission-checked)."""
    queries.require_statistics(principal)
    if request.report == "movements":
        if request.start is None or request.end is None:
            raise DomainError("statistics.period_missing", "期間を入力してください。")
        return [tables.movement_table(queries.movement_summary(request.start, request.end))]
    if request.report == "population":
        if request.as_of is None:
            raise DomainError("statistics.day_missing", "基準日を入力してください。")
        return tables.population_tables(queries.population(request.as_of))
    if request.report == "survey":
        if request.year is None or not 1901 <= request.year <= 2200:
            raise DomainError("statistics.year_invalid", "調査の年（1月1日現在の年）を正しく入力してください。")
        return survey(request.year)
    raise DomainError("statistics.report_unknown", "この帳票はありません。")


def survey(year: int) -> list[Table]:
    """Population as of the end of 12月31日 (= 1月1日現在), ages on 1月1日, the year's movements."""
    reference = survey_reference_day(year)
    last_day = date(year - 1, 12, 31)
    pop = queries.population(last_day, age_day=reference)
    dynamics = queries.movement_summary(date(year - 1, 1, 1), last_day)
    return tables.survey_tables(year, pop, dynamics)


def pyramid(principal: Principal, as_of: date) -> bytes:
    queries.require_statistics(principal)
    pop = queries.population(as_of)
    return render.pyramid_png(tables.band_cells(pop), "人口ピラミッド", f"{tables.wareki(as_of)}現在（5歳階級）")


def export(principal: Principal, request: Request, fmt: str) -> File:
    """The report as a file, written to the print log."""
    if fmt not in FORMATS or request.report not in REPORTS:
        raise DomainError("statistics.format_unknown", "出力形式が正しくありません。")
    if (request.report == "pyramid") != (fmt == "png"):
        raise DomainError(
            "statistics.format_unknown", "人口ピラミッドは画像（PNG）、その他の帳票はPDF・CSV・xlsxで出力します。"
        )
    today = timezone.localdate()
    municipality = str(settings.JUMIN_MUNICIPALITY.get("name", ""))
    title = REPORTS[request.report]
    pages: int | None = None
    if fmt == "png":
        if request.as_of is None:
            raise DomainError("statistics.day_missing", "基準日を入力してください。")
        content = pyramid(principal, request.as_of)
        pages = 1
    else:
        built = build(principal, request)
        if fmt == "csv":
            content = render.csv_bytes(built)
        elif fmt == "xlsx":
            content = render.xlsx_bytes(built, municipality, today)
        else:
            content, pages = render.pdf_bytes(built, municipality, tables.wareki(today))
    record_print(
        title=title, mode="file" if fmt != "pdf" else "pdf", document=f"{fmt} {request.describe}"[:60], pages=pages
    )
    stem = f"{request.report}-{request.describe.replace('〜', '_').replace('年1月1日', '')}"
    return File(f"{stem}.{fmt}", FORMATS[fmt], content)
