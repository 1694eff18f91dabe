"""The readers of the 閲覧台帳.

* The 申出 themselves hold no resident's data (the 申出者 and 閲覧者 are outsiders at the
  counter): the list and the detail need ``issue_certificate`` or ``review_inspection``.
* :func:`inspection_list` reads residents — the 4情報 of the chosen 町字 — through
  :func:`jumin.registry.inspection.extract` (permission ``issue_certificate``, protected and
  blocked persons left out, access log with the 申出番号).  It is refused unless the 申出 is
  approved and its period has not ended (an approved request is needed for every list).
* :func:`publication` — the 閲覧状況の公表 of one year (法11条3項, 11条の2第12項, 省令):
  申出者の氏名 (法人はその名称と代表者), 利用目的の概要, 閲覧の年月日, 閲覧に係る住民の範囲,
  from the 閲覧 that took place that year; no resident is read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from jumin.accounts.principal import Principal
from jumin.addresses.models import Town
from jumin.conf.domain import era_table
from jumin.core.errors import DomainError
from jumin.core.wareki import format_era_year
from jumin.inspection.models import Basis, InspectionRequest, InspectionVisit, Purpose
from jumin.registry import inspection as extracts

RECEIVE = "accounts.issue_certificate"
REVIEW = "accounts.review_inspection"
READERS = (RECEIVE, REVIEW)
PUBLIC_CRIMINAL_PURPOSE = "犯罪捜査等のため"


def _require_any(principal: Principal) -> None:
    if not any(principal.has_perm(p) for p in READERS):
        raise DomainError("auth.forbidden", "閲覧台帳を見る権限がありません。")


def requests(principal: Principal, *, state: str = "") -> QuerySet[InspectionRequest]:
    _require_any(principal)
    found = InspectionRequest.objects.select_related("received_by", "decided_by").prefetch_related("inspectors")
    if state:
        found = found.filter(state=state)
    return found


def get_request(principal: Principal, request_no: str) -> InspectionRequest:
    _require_any(principal)
    try:
        return requests(principal).prefetch_related("visits").get(request_no=request_no.strip()[:20])
    except InspectionRequest.DoesNotExist as error:
        raise DomainError("inspection.not_found", "該当する閲覧申出がありません。") from error


def towns_of(request: InspectionRequest) -> list[Town]:
    return list(Town.objects.filter(oaza_code__in=request.oaza_codes).order_by("kana", "name"))


def inspection_list(principal: Principal, request: InspectionRequest) -> extracts.InspectionExtract:
    """The 閲覧用リスト of an approved 申出 (its 町字, its order and seed); access-logged."""
    if not principal.has_perm(RECEIVE):
        raise DomainError("auth.forbidden", "閲覧用リストを作成する権限がありません。")
    if request.state != InspectionRequest.State.APPROVED:
        raise DomainError("inspection.not_approved", "閲覧用リストは承認された申出についてだけ作成できます。")
    if request.period_end < timezone.localdate():
        raise DomainError("inspection.period_over", "閲覧期間が過ぎています。")
    return extracts.extract(
        principal,
        request.oaza_codes,
        seed=request.list_seed,
        purpose="inspection.list",
        order=request.list_order,
        criteria={"request_no": request.request_no},
        log_print=False,
    )


@dataclass(frozen=True)
class PublicationRow:
    basis: str
    requester: str
    purpose_summary: str
    dates: list[str]
    scope: str
    persons: int
    request_no: str


@dataclass(frozen=True)
class Publication:
    year: int
    year_label: str
    state_rows: list[PublicationRow]
    private_rows: list[PublicationRow]

    @property
    def rows(self) -> list[PublicationRow]:
        return [*self.state_rows, *self.private_rows]


def year_label(year: int) -> str:
    """「令和8年（2026年）」: the era of the year's last day (令和元年 for 2019)."""
    day = era_table().to_wareki(date(year, 12, 31))
    return f"{day.era}{format_era_year(day.year)}（{year}年）"


def publication(principal: Principal, year: int) -> Publication:
    """The 閲覧状況の公表 of ``year`` (暦年), 11条 and 11条の2 apart, by first date of 閲覧."""
    _require_any(principal)
    if not 1900 <= year <= 9998:
        raise DomainError("inspection.year", "年を正しく入力してください。")
    table = era_table()
    visits = (
        InspectionVisit.objects.filter(inspected_on__year=year)
        .select_related("request")
        .order_by("inspected_on", "request__request_no", "id")
    )
    grouped: dict[int, list[InspectionVisit]] = {}
    for visit in visits:
        grouped.setdefault(visit.request_id, []).append(visit)
    rows: list[PublicationRow] = []
    for found in grouped.values():
        request = found[0].request
        names: list[str] = []
        for visit in found:
            names += [n for n in visit.town_names if n not in names]
        summary = request.purpose_summary
        if request.purpose_category == Purpose.CRIMINAL:
            summary = PUBLIC_CRIMINAL_PURPOSE  # the purpose of 犯罪捜査等 is not published in detail
        rows.append(
            PublicationRow(
                basis=request.basis,
                requester=request.summary_name,
                purpose_summary=summary,
                dates=list(dict.fromkeys(table.format(v.inspected_on) for v in found)),
                scope="、".join(names) + "に住所を有する者",
                persons=sum(v.persons for v in found),
                request_no=request.request_no,
            )
        )
    return Publication(
        year=year,
        year_label=year_label(year),
        state_rows=[r for r in rows if r.basis == Basis.STATE],
        private_rows=[r for r in rows if r.basis == Basis.PRIVATE],
    )
