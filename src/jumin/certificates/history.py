"""Reader of the 交付履歴 (1.3.8, 2.2.2): who was issued what, when, where, with which
発行番号 — and whether a copy was later re-issued or destroyed.  Reading it is reading
personal data (the requester, the persons): capability-checked and access-logged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.http import Http404
from django.utils import timezone

from jumin.accounts.principal import Principal
from jumin.audit.services import record_access
from jumin.certificates.content import KIND_TITLES
from jumin.certificates.models import Issuance
from jumin.conf.domain import era_table
from jumin.core.errors import DomainError

ISSUE = "accounts.issue_certificate"
LIMIT = 200


@dataclass
class IssuanceLine:
    pk: int
    issue_no: str
    kind: str
    layout: str
    issued_at: str
    place: str
    terminal: str
    operator: str
    route: str
    requester_name: str
    persons: list[str]
    pages: int
    official_use: bool
    reissue_of: str
    disposed: str  # "" or 「令和…　理由」
    sha256: str
    overflow: bool = False  # 文字溢れ (5.8): a 文字超過リスト can be printed


def _line(row: Issuance) -> IssuanceLine:
    at = timezone.localtime(row.issued_at)
    disposal = next(iter(row.disposals.all()), None)
    disposed = ""
    if disposal is not None:
        disposed = f"{era_table().format(timezone.localtime(disposal.disposed_at).date())}　{disposal.reason}"
    return IssuanceLine(
        pk=row.pk,
        issue_no=row.issue_no,
        kind=KIND_TITLES.get(row.kind, row.kind),
        layout="世帯連記式" if row.layout == "household" else "個人票",
        issued_at=f"{era_table().format(at.date())} {at:%H:%M}",
        place=row.place,
        terminal=row.terminal or row.client,
        operator=(row.operator.username if row.operator else row.client),
        route=row.get_route_display(),
        requester_name=row.requester_name,
        persons=list(row.persons),
        pages=row.pages,
        official_use=row.official_use,
        reissue_of=row.reissue_of.issue_no if row.reissue_of else "",
        disposed=disposed,
        sha256=row.sha256,
        overflow=bool((row.items or {}).get("overflow")),
    )


def issuances(
    principal: Principal, *, atena_no: str = "", issue_no: str = "", issued_on: date | None = None
) -> list[IssuanceLine]:
    """The 交付履歴 of one person (宛名番号), one copy (発行番号) or one day, newest first."""
    if not principal.has_perm(ISSUE):
        raise DomainError("auth.forbidden", "交付履歴を照会する権限がありません。")
    rows = Issuance.objects.select_related("operator", "reissue_of").prefetch_related("disposals")
    if not (atena_no or issue_no or issued_on):
        raise DomainError("certificate.history_criteria", "宛名番号・発行番号・交付日のいずれかを入力してください。")
    if atena_no:
        rows = rows.filter(issued_persons__atena_no=atena_no.strip())
    if issue_no:
        rows = rows.filter(issue_no=issue_no.strip())
    if issued_on:
        rows = rows.filter(issued_at__date=issued_on)
    lines = [_line(r) for r in rows[:LIMIT]]
    record_access(
        purpose="certificates.history",
        persons=sorted({p for line in lines for p in line.persons}),
        action="view",
        criteria={"atena_no": bool(atena_no), "issue_no": bool(issue_no), "issued_on": str(issued_on or "")},
    )
    return lines


def issue_no_of(pk: int) -> str:
    row = Issuance.objects.filter(pk=pk).values_list("issue_no", flat=True).first()
    if row is None:
        raise Http404("その交付履歴はありません。")
    return str(row)
