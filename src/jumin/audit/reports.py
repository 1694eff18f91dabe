"""Audit reports (spec 10.2 標準的な分析; assessment: periodic log review).

Each report is a function (period, filters) -> :class:`Report`: Japanese column names and
rows of plain values, rendered as a screen table and as CSV.  Reading a report is itself
written to the access log by the view."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from jumin.audit.display import action_label, auth_event_label, purpose_label
from jumin.audit.models import AccessedPerson, AccessLog, AuthLog, OperationLog
from jumin.conf.calendar import is_after_hours

MAX_ROWS = 5000


@dataclass
class Report:
    title: str
    columns: list[str]
    rows: list[list[object]] = field(default_factory=list)
    persons: list[str] = field(default_factory=list)  # 宛名番号 shown, for the access log
    truncated: bool = False


def _span(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tz), datetime.combine(end + timedelta(days=1), time.min, tz)


def _local(moment: datetime) -> datetime:
    """A stored moment in local time (shown in 和暦 by :func:`jumin.audit.display.present`)."""
    return timezone.localtime(moment)


def _access_rows(rows: Iterable[AccessLog]) -> tuple[list[list[object]], list[str]]:
    table: list[list[object]] = []
    persons: list[str] = []
    for row in rows:
        table.append(
            [
                _local(row.at),
                row.operator or row.client,
                row.place,
                row.terminal,
                row.purpose,
                row.action,
                " ".join(row.persons),
                "はい" if row.individual_number_shown else "",
            ]
        )
        persons.extend(row.persons)
    return table, persons


ACCESS_COLUMNS = [
    "日時",
    "操作者・連携システム",
    "入力場所",
    "端末",
    "画面・機能",
    "操作",
    "対象者（宛名番号）",
    "個人番号表示",
]


def after_hours(start: date, end: date, **_: str) -> Report:
    """Access to personal data outside opening hours, on weekends, holidays and 年末年始."""
    report = Report("夜間・休日のアクセス", ACCESS_COLUMNS)
    rows = [
        r for r in AccessLog.objects.filter(at__range=_span(start, end)).order_by("at", "id") if is_after_hours(r.at)
    ]
    report.truncated = len(rows) > MAX_ROWS
    report.rows, report.persons = _access_rows(rows[:MAX_ROWS])
    return report


def failed_logins(start: date, end: date, **_: str) -> Report:
    report = Report("ログイン失敗", ["利用者ID（入力）", "失敗回数", "ロック", "最初", "最後"])
    logs = AuthLog.objects.filter(at__range=_span(start, end))
    failures = (
        logs.filter(event="login_failed")
        .values("username")
        .annotate(n=Count("id"), first=Min("at"), last=Max("at"))
        .order_by("-n", "username")
    )
    locked = set(logs.filter(event="locked").values_list("username", flat=True))
    report.rows = [
        [f["username"], f["n"], "ロック" if f["username"] in locked else "", _local(f["first"]), _local(f["last"])]
        for f in failures[:MAX_ROWS]
    ]
    return report


def logins_per_operator(start: date, end: date, **_: str) -> Report:
    report = Report("利用者別ログイン回数", ["利用者ID", "ログイン回数（二要素認証まで完了）", "最初", "最後"])
    rows = (
        AuthLog.objects.filter(at__range=_span(start, end), event="second_factor_ok")
        .values("username")
        .annotate(n=Count("id"), first=Min("at"), last=Max("at"))
        .order_by("-n", "username")
    )
    report.rows = [[r["username"], r["n"], _local(r["first"]), _local(r["last"])] for r in rows[:MAX_ROWS]]
    return report


def mass_lookups(start: date, end: date, **_: str) -> Report:
    """Operators (or systems) who looked at more persons in one day than the threshold."""
    threshold = settings.JUMIN_AUDIT_MASS_LOOKUP_PERSONS_PER_DAY
    report = Report(f"大量照会（1日{threshold}人超）", ["日付", "操作者・連携システム", "照会した人数", "照会回数"])
    per_day: dict[tuple[date, str], set[str]] = defaultdict(set)
    calls: Counter[tuple[date, str]] = Counter()
    for at, who, persons in (
        AccessLog.objects.filter(at__range=_span(start, end))
        .values_list("at", "operator", "persons")
        .iterator(chunk_size=5000)
    ):
        key = (timezone.localtime(at).date(), who)
        per_day[key].update(persons)
        calls[key] += 1
    report.rows = [
        [day, who, len(p), calls[(day, who)]] for (day, who), p in sorted(per_day.items()) if len(p) > threshold
    ]
    return report


def lookups_without_processing(start: date, end: date, **_: str) -> Report:
    """A person's record opened, but no change to that person by the same operator within
    JUMIN_AUDIT_FOLLOW_UP_HOURS — look-ups that may lack a business reason."""
    hours = settings.JUMIN_AUDIT_FOLLOW_UP_HOURS
    report = Report(
        f"処理を伴わない照会（{hours}時間以内に処理なし）", ["日時", "操作者", "画面・機能", "対象者（宛名番号）"]
    )
    views = (
        AccessLog.objects.filter(at__range=_span(start, end), action="view").exclude(operator="").order_by("at", "id")
    )
    for row in views.iterator(chunk_size=2000):
        followed = OperationLog.objects.filter(
            operator=row.operator, target_id__in=row.persons, at__gte=row.at, at__lte=row.at + timedelta(hours=hours)
        ).exists()
        if not followed:
            report.rows.append([_local(row.at), row.operator, row.purpose, " ".join(row.persons)])
            report.persons.extend(row.persons)
            if len(report.rows) >= MAX_ROWS:
                report.truncated = True
                break
    return report


def accesses_to_person(start: date, end: date, *, atena_no: str = "", **_: str) -> Report:
    """Everyone who accessed one resident's record in the period (開示請求への回答)."""
    report = Report(f"宛名番号 {atena_no} へのアクセス", ACCESS_COLUMNS)
    ids = AccessedPerson.objects.filter(atena_no=atena_no, at__range=_span(start, end)).values("access_id")
    report.rows, _persons = _access_rows(AccessLog.objects.filter(id__in=ids).order_by("at", "id")[:MAX_ROWS])
    report.persons = [atena_no]
    return report


def operator_activity(start: date, end: date, *, operator: str = "", **_: str) -> Report:
    """One operator's (or linked system's) reads, writes and logins in the period."""
    report = Report(f"{operator} の操作履歴", ["日時", "種類", "内容", "対象", "入力場所", "端末"])
    span = _span(start, end)
    who = Q(operator=operator) | Q(client=operator)
    entries: list[tuple[datetime, list[object]]] = []
    for a in AccessLog.objects.filter(who, at__range=span)[:MAX_ROWS]:
        entries.append(
            (
                a.at,
                [
                    "照会",
                    f"{purpose_label(a.purpose)} {action_label(a.action)}",
                    " ".join(a.persons),
                    a.place,
                    a.terminal,
                ],
            )
        )
        report.persons.extend(a.persons)
    for o in OperationLog.objects.filter(who, at__range=span)[:MAX_ROWS]:
        entries.append((o.at, ["操作", action_label(o.action), o.target_id, o.place, o.terminal]))
    for u in AuthLog.objects.filter(Q(username=operator) | who, at__range=span)[:MAX_ROWS]:
        entries.append((u.at, ["認証", auth_event_label(u.event), u.detail, u.place, u.terminal]))
    entries.sort(key=lambda e: e[0])
    report.rows = [[_local(at), *values] for at, values in entries[:MAX_ROWS]]
    report.truncated = len(entries) > MAX_ROWS
    return report


@dataclass(frozen=True)
class ReportKind:
    slug: str
    title: str
    func: Callable[..., Report]
    needs: str = ""  # "atena_no" or "operator"


REPORTS = [
    ReportKind("after-hours", "夜間・休日のアクセス", after_hours),
    ReportKind("failed-logins", "ログイン失敗", failed_logins),
    ReportKind("logins", "利用者別ログイン回数", logins_per_operator),
    ReportKind("mass-lookups", "大量照会", mass_lookups),
    ReportKind("no-follow-up", "処理を伴わない照会", lookups_without_processing),
    ReportKind("person", "住民ごとのアクセス（開示請求）", accesses_to_person, needs="atena_no"),
    ReportKind("operator", "操作者ごとの操作履歴", operator_activity, needs="operator"),
]
REPORTS_BY_SLUG = {r.slug: r for r in REPORTS}
