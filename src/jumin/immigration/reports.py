"""The month's figures for the 出入国在留管理庁 定期報告 (spec 6.1, 中長期在留者住居地届出等事務に
関する定期報告): counts only, no personal data.

The official form's layout is not public; what is counted here is what the register knows of
the 住居地届出等事務 of a month (by 異動日): the 住居地届出 of 中長期在留者 and 特別永住者 — 法30条
の46転入, 法30条の47届出, and the 転入届・転居届 that count as 住居地届出 (入管法19条の9第3項) —, the
records removed, and the 市町村通知 sent and 法務省通知 received in the month."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count
from django.utils import timezone

from jumin.core.movement_kind import MovementKind
from jumin.core.reasons import REASONS
from jumin.immigration.models import ReceivedNotice, SentNotice
from jumin.registry.models import NationalityKind, ResidenceCategory, ResidentHistory

CATEGORIES = (ResidenceCategory.MID_LONG_TERM, ResidenceCategory.SPECIAL_PERMANENT)
ADDRESS_NOTIFICATIONS = {
    MovementKind.ARTICLE_30_46: "法第30条の46転入",
    MovementKind.ARTICLE_30_47: "法第30条の47届出",
    MovementKind.MOVE_IN: "転入届（住居地届出とみなすもの）",
    MovementKind.RELOCATION: "転居届（住居地届出とみなすもの）",
}
REMOVALS = ("domestic_move_out", "abroad_move_out", "death", "ex_officio_remove", "naturalization_remove")


@dataclass
class Report:
    month: date  # the first day
    by_category: dict[str, dict[str, int]] = field(default_factory=dict)  # 区分 -> 届出の種類 -> 件数
    removed: dict[str, dict[str, int]] = field(default_factory=dict)  # 区分 -> 消除事由 -> 件数
    sent: dict[str, int] = field(default_factory=dict)  # 市町村通知の種類 -> 件数
    received: dict[str, int] = field(default_factory=dict)  # 法務省通知の種類 -> 件数


def _bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1)


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def periodic_report(month: date) -> Report:
    """The figures of the month containing ``month``."""
    first, after = _bounds(month)
    report = Report(first)
    rows = ResidentHistory.objects.filter(
        nationality_kind=NationalityKind.FOREIGN,
        residence_category__in=CATEGORIES,
        effective_sort__gte=first,
        effective_sort__lt=after,
    )
    labels = dict(ResidenceCategory.choices)
    for row in rows.values("residence_category", "movement__kind").annotate(n=Count("pk")).order_by():
        kind = row["movement__kind"]
        if kind in ADDRESS_NOTIFICATIONS:
            entry = report.by_category.setdefault(labels[row["residence_category"]], {})
            entry[ADDRESS_NOTIFICATIONS[kind]] = entry.get(ADDRESS_NOTIFICATIONS[kind], 0) + row["n"]
    for row in (
        rows.filter(reason__in=REMOVALS).values("residence_category", "reason").annotate(n=Count("pk")).order_by()
    ):
        entry = report.removed.setdefault(labels[row["residence_category"]], {})
        entry[REASONS[row["reason"]].label] = row["n"]
    start, end = _moment(first), _moment(after)
    kinds = dict(SentNotice.Kind.choices)
    for row in (
        SentNotice.objects.filter(sent_at__gte=start, sent_at__lt=end, state=SentNotice.State.SENT)
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        report.sent[kinds[row["kind"]]] = row["n"]
    received = dict(ReceivedNotice.Kind.choices)
    for row in (
        ReceivedNotice.objects.filter(received_at__gte=start, received_at__lt=end)
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        report.received[received.get(row["kind"], "（形式誤り）")] = row["n"]
    return report


def lines(report: Report) -> list[str]:
    """The report as text lines (``jumin immigration report``)."""
    out = [f"中長期在留者住居地届出等事務に関する定期報告（{report.month.year}年{report.month.month}月分）"]
    for title, table in (("住居地届出", report.by_category), ("住民票の消除", report.removed)):
        for category, counts in sorted(table.items()):
            out += [f"{title}\t{category}\t{name}\t{n}" for name, n in sorted(counts.items())]
    out += [f"市町村通知\t{name}\t{n}" for name, n in sorted(report.sent.items())]
    out += [f"法務省通知\t{name}\t{n}" for name, n in sorted(report.received.items())]
    return out
