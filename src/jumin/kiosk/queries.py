"""Readers of the コンビニ交付 screen: the day's requests (no personal data: the center's request
id, the kiosk, kind, 通数, fee, outcome and reason code — never the person) and the
reconciliations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count

from jumin.core import kiosk as k
from jumin.kiosk.models import KioskReconciliation, KioskRequest
from jumin.kiosk.services import day_totals

MAX_ROWS = 500


@dataclass(frozen=True)
class Line:
    request_id: str
    received_at: dt.datetime
    kiosk_id: str
    kind: str
    copies: int
    fee: int
    outcome: str
    reason: str


@dataclass(frozen=True)
class DayReport:
    day: dt.date
    copies: int
    fee: int
    refused: int
    by_reason: list[tuple[str, str, int]]
    lines: list[Line]
    reconciliation: KioskReconciliation | None
    recent: list[KioskReconciliation]


def day_report(day: dt.date) -> DayReport:
    rows = KioskRequest.objects.filter(business_date=day).order_by("-received_at", "-id")[:MAX_ROWS]
    reasons = (
        KioskRequest.objects.filter(business_date=day, outcome=KioskRequest.Outcome.REFUSED)
        .values("reason_code")
        .annotate(n=Count("id"))
        .order_by("reason_code")
    )
    totals = day_totals(day)
    return DayReport(
        day=day,
        copies=totals["copies"],
        fee=totals["fee"],
        refused=totals["refused"],
        by_reason=[
            (r["reason_code"], k.REASONS[r["reason_code"]].message if r["reason_code"] in k.REASONS else "", r["n"])
            for r in reasons
        ],
        lines=[
            Line(
                r.request_id,
                r.received_at,
                r.kiosk_id,
                k.KINDS.get(r.kind, r.kind),
                r.copies,
                r.fee,
                KioskRequest.Outcome(r.outcome).label,
                r.reason_code,
            )
            for r in rows
        ],
        reconciliation=KioskReconciliation.objects.filter(business_date=day).first(),
        recent=list(KioskReconciliation.objects.order_by("-business_date")[:10]),
    )
