"""The search (standard spec 2.1.1–2.1.3): the reader of personal data behind /search/ and
/api/v1/search.

A person matches when *one* of their records matches every criterion at once: the current
record, a past history row (past names and addresses, 2.1.3), or a 除票 in the main tables or
in the 除票DB (ArchivedResident / ArchivedHistory).  Criteria must form an allowed combination
(jumin.search.criteria); more than ``JUMIN_SEARCH_MAX_RESULTS`` persons are not shown at all
(「条件を追加して絞り込んでください」), so that a broad look-up cannot copy the register.

Every search writes one access-log row (masked criteria, the 宛名番号 shown, the count) and
one row of the operator's search history (2.1.1).

History rows carry the same kana search keys as the projection (jumin.registry.keys), so a
past name is found by kana, kanji or alphabet through the same indexes as a current one,
with or without a 生年月日 — see docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q

from jumin.accounts.principal import Principal
from jumin.audit.services import record_access
from jumin.core.address import read_address_query
from jumin.core.errors import DomainError
from jumin.protection.inquiry import decisions
from jumin.protection.queries import marks_for, touched
from jumin.registry.models import ArchivedHistory, ArchivedResident, Resident, ResidentHistory, Status
from jumin.registry.numbers import individual_number_lookup
from jumin.registry.queries import PersonCard, person_card
from jumin.registry.snapshots import snapshot_of
from jumin.search import criteria as rules
from jumin.search.matching import EXACT, MODES, PREFIX, NameSpec, birth_date, name_q
from jumin.search.models import SearchHistory

VIEW = "accounts.view_resident"
NAME_FIELDS = ("name", "given_name", "former_surname", "alias")
_NUMBER_COLUMNS = {
    "atena_no": "atena_no",
    "household_no": "household_no",
    "resident_code": "resident_code",
    "residence_card_no": "residence_card_no",
    "special_permanent_cert_no": "special_permanent_cert_no",
}


def max_results() -> int:
    return int(getattr(settings, "JUMIN_SEARCH_MAX_RESULTS", 100))


@dataclass
class Hit:
    card: PersonCard
    archived: bool  # found in the 除票DB
    past: bool  # matched only through a past record (旧氏名・旧住所…)
    marks: list[Any] = field(default_factory=list)
    touched: bool = True  # a measure or a block may touch the person (False: known untouched)


@dataclass
class SearchResult:
    hits: list[Hit]
    count: int
    criteria: dict[str, Any]
    mode: str
    saved: SearchHistory | None = None  # the operator's history row (written with the log row)

    @property
    def history_id(self) -> int | None:
        """The history row's id — once written: inside a request, at the end of it."""
        return self.saved.pk if self.saved is not None else None


def _require(principal: Principal) -> None:
    if not principal.has_perm(VIEW):
        raise DomainError("auth.forbidden", "この情報を照会する権限がありません。")


@dataclass
class _Plan:
    """The parsed criteria: what every table is filtered by."""

    names: list[NameSpec]
    other: Q  # criteria other than names, valid on every person-record table
    numbers: Q | None  # number criteria (current record / 除票DB record only)


def address_q(text: str) -> Q:
    """住所 as counters type it (issue 17): the text as typed, or any reading of it with the 丁目
    normalised and the 番地 compared number by number (「平塚4-7-11」 finds 平塚四丁目7番11号)."""
    found = Q(address__contains=text)
    for reading in read_address_query(text):
        equal, prefixes = reading.banchi_texts()
        numbers = ([Q(banchi__in=equal)] if equal else []) + [Q(banchi__startswith=p) for p in prefixes]
        if not numbers:
            found |= Q(address__contains=reading.place_text())
            continue
        for number in numbers[1:]:
            numbers[0] |= number
        # with a 番地 the 住所 ends with the place: 「平塚」 is not 「平塚四丁目」
        found |= Q(address__endswith=reading.place_text()) & numbers[0]
    return found


def plan_criteria(criteria: Mapping[str, Any], mode: str) -> _Plan:
    names = [NameSpec(f, criteria[f], mode) for f in NAME_FIELDS if f in criteria]
    other = Q()
    if "birth" in criteria:
        other &= Q(birth_sort=birth_date(criteria["birth"]))
    if "address" in criteria:
        other &= address_q(criteria["address"])
    if "address_code" in criteria:
        other &= Q(address_code__startswith=criteria["address_code"])
    if "katagaki" in criteria:
        other &= Q(katagaki__contains=criteria["katagaki"])
    if "sex" in criteria:
        other &= Q(sex={"男": "1", "女": "2"}.get(criteria["sex"], criteria["sex"]))
    if "relationship" in criteria:
        other &= Q(relationship__contains=criteria["relationship"])
    if "removal_reason" in criteria:
        other &= Q(removal_reason__contains=criteria["removal_reason"])
    for name in criteria.get("empty", []):
        other &= Q(**{rules.EMPTY_FIELDS[name][1]: ""})
    numbers: Q | None = None
    for code, column in _NUMBER_COLUMNS.items():
        if code in criteria:
            numbers = (numbers or Q()) & Q(**{column: criteria[code].upper().replace("-", "")})
    if "individual_number" in criteria:
        digits = "".join(ch for ch in criteria["individual_number"] if ch.isdigit())
        numbers = (numbers or Q()) & Q(individual_number_lookup=individual_number_lookup(digits))
    return _Plan(names, other, numbers)


def keyed_q(plan: _Plan) -> Q:
    q = plan.other & (plan.numbers or Q())
    for spec in plan.names:
        q &= name_q(spec)
    return q


def _probe(q: Q) -> tuple[str, tuple[Any, ...]] | None:
    """The SQL of the search over the history table (宛名番号 only: the key indexes include it,
    so a part is an index-only probe), or None when it can match nothing."""
    try:
        sql, params = ResidentHistory.objects.filter(q).values_list("atena_no").query.sql_with_params()
    except EmptyResultSet:
        return None
    return sql, tuple(params)


def _on(sql: str, model: Any) -> str:
    """The same probe over another table of person records.  The criteria name only columns
    every such table has (PersonRecord and the search keys), and the ORM writes the table name
    quoted wherever it appears, so the statement is compiled once for the three tables."""
    qn = connection.ops.quote_name
    return sql.replace(qn(ResidentHistory._meta.db_table), qn(model._meta.db_table))


def _elsewhere(plan: _Plan, include_past: bool, limit: int) -> tuple[set[str], set[str]]:
    """(宛名番号 found in the 除票DB, 宛名番号 found through a past row), in ONE statement:
    the 除票DB projection, the history and the 除票DB history joined by UNION ALL (each part on
    its own index), so that a search costs few round trips to the database.  History rows
    carry the same search keys as the projection, so they take the same criteria — except
    numbers, which find the person's current record only."""
    probe = _probe(keyed_q(plan))
    if probe is None:
        return set(), set()
    sql, params = probe
    parts = [(0, _on(sql, ArchivedResident))]
    if include_past and plan.numbers is None:
        parts += [(1, sql), (2, _on(sql, ArchivedHistory))]
    # the source is a number written into the text, the criteria are parameters
    selects = [f"SELECT {n} AS src, p{n}.atena_no FROM ({text}) p{n}" for n, text in parts]  # noqa: S608  # nosec B608
    cap = (limit + 1) * 20
    with connection.cursor() as cursor:
        cursor.execute(f"{' UNION ALL '.join(selects)} LIMIT {cap}", [p for _ in parts for p in params])
        rows = cursor.fetchall()
    if len(rows) >= cap:
        raise _too_many(limit)
    archived = {atena_no for source, atena_no in rows if source == 0}
    return archived, {atena_no for source, atena_no in rows if source != 0}


def _too_many(limit: int) -> DomainError:
    return DomainError(
        "search.too_many",
        f"該当者が{limit}人を超えました。条件を追加して絞り込んでください（検索結果は表示していません）。",
    )


def search(
    principal: Principal,
    raw: Mapping[str, Any],
    *,
    screen: str = "counter",
    mode: str = PREFIX,
    include_past: bool = True,
    save_history: bool = True,
) -> SearchResult:
    """Run one search; raises DomainError (stable code, Japanese message) when the criteria are
    not allowed, not permitted, or match too many persons."""
    _require(principal)
    criteria = rules.clean(raw)
    mode = mode if mode in MODES else PREFIX
    shown = rules.masked(criteria)
    try:
        rules.check(screen, criteria, principal.sees)
        result = _run(principal, criteria, mode, include_past)
    except DomainError as error:
        if save_history and principal.user is not None and error.code != "auth.forbidden":
            _save(principal, screen, shown, mode, count=0, outcome=error.code)
        if error.code == "search.too_many":
            record_access(purpose=f"search.{screen}", persons=[], action="search", criteria=shown, result_count=0)
        raise
    cards = [h.card for h in result]
    saved = _history_row(principal, screen, shown, mode, count=len(result), outcome="ok") if save_history else None
    record_access(
        purpose=f"search.{screen}",
        persons=[c.atena_no for c in cards],
        action="search",
        criteria={**shown, "_mode": mode},
        result_count=len(cards),
        individual_number_shown=any(c.individual_number_shown for c in cards),
        resident_code_shown=any(c.resident_code_shown for c in cards),
        companion=saved,  # the history row goes with the log row: one statement (issue 24)
    )
    if all(not h.touched for h in result):
        pass  # no measure and no block on anyone found (read with the persons): no mark, nothing hidden
    elif _attach_marks(principal, result):
        # a 照会抑止 is a block, and every block not released for good is marked: only the
        # persons with a block mark can be hidden (the rest need no second look-up; issue 24)
        hide_inquiry_blocked(principal, [h for h in result if _has_block(h)], purpose="protection.inquiry")
    else:
        hide_inquiry_blocked(principal, result, purpose="protection.inquiry")
    return SearchResult(result, len(result), shown, mode, saved)


def _run(principal: Principal, criteria: dict[str, Any], mode: str, include_past: bool) -> list[Hit]:
    plan = plan_criteria(criteria, mode)
    limit = max_results()
    q = keyed_q(plan)
    found = Resident.objects.filter(q).annotate(protection_touched=touched(Resident))
    current = {r.atena_no: r for r in found.order_by("name_key", "atena_no")[: limit + 1]}
    archived_nos, past = _elsewhere(plan, include_past, limit)
    archived_nos -= current.keys()
    past -= current.keys() | archived_nos
    if len(current) + len(archived_nos) + len(past) > limit:
        raise _too_many(limit)
    archived = (
        {r.atena_no: r for r in ArchivedResident.objects.filter(atena_no__in=archived_nos)} if archived_nos else {}
    )
    if "status" in criteria:
        wanted = criteria["status"]
        current = {k: r for k, r in current.items() if r.status == wanted}
        archived = archived if wanted == Status.REMOVED else {}
    extra_current = {r.atena_no: r for r in Resident.objects.filter(atena_no__in=past)} if past else {}
    rest = past - extra_current.keys()
    extra_archived = {r.atena_no: r for r in ArchivedResident.objects.filter(atena_no__in=rest)} if rest else {}
    if "status" in criteria:
        extra_current = {k: r for k, r in extra_current.items() if r.status == criteria["status"]}
        extra_archived = extra_archived if criteria["status"] == Status.REMOVED else {}
    hits = [Hit(person_card(principal, r), False, False, touched=r.protection_touched) for r in current.values()]
    hits += [Hit(person_card(principal, r), False, True) for r in extra_current.values()]
    hits += [Hit(person_card(principal, snapshot_of(r)), True, False) for r in archived.values()]
    hits += [Hit(person_card(principal, snapshot_of(r)), True, True) for r in extra_archived.values()]
    return hits


def _has_block(hit: Hit) -> bool:
    return any(getattr(mark, "kind", "") == "block" for mark in hit.marks)


def _attach_marks(principal: Principal, hits: list[Hit]) -> bool:
    """支援措置・抑止 marks (2.2.4), when the protection app offers them to this operator;
    True when it did (every block on the persons is then among the marks)."""
    if not hits:
        return True
    try:
        marks = marks_for(
            principal,
            [h.card.atena_no for h in hits],
            purpose="search.marks",
            households={h.card.atena_no: str(h.card.values["household_no"]) for h in hits},
        )
    except DomainError:
        return False
    for hit in hits:
        hit.marks = marks.get(hit.card.atena_no, [])
    return True


def hide_inquiry_blocked(principal: Principal, hits: list[Any], *, purpose: str) -> None:
    """照会抑止 (3.1): a person the operator may not look at keeps the row (and its mark) but
    shows nothing except the 宛名番号.  ``hits``: anything with a ``card`` (a PersonCard)."""
    if not hits:
        return
    decided = decisions(
        principal,
        [h.card.atena_no for h in hits],
        {h.card.atena_no: str(h.card.values.get("household_no", "")) for h in hits},
        purpose=purpose,
    )
    for hit in hits:
        decision = decided.get(hit.card.atena_no)
        if decision is not None and not decision.allowed:
            hit.card = PersonCard(
                atena_no=hit.card.atena_no, values={"inquiry_blocked": True}, masked=set(hit.card.values)
            )


def _history_row(
    principal: Principal, screen: str, shown: dict[str, Any], mode: str, *, count: int, outcome: str
) -> SearchHistory | None:
    """Every search is kept in the operator's history automatically (2.1.1), masked."""
    if principal.user is None:
        return None
    criteria = {**shown, "_mode": mode}
    return SearchHistory(user=principal.user, screen=screen, criteria=criteria, result_count=count, outcome=outcome)


def _save(
    principal: Principal, screen: str, shown: dict[str, Any], mode: str, *, count: int, outcome: str
) -> int | None:
    """The history row of a refused search (no log row to go with)."""
    row = _history_row(principal, screen, shown, mode, count=count, outcome=outcome)
    if row is None:
        return None
    row.save(force_insert=True)
    return row.pk


def history(principal: Principal, limit: int = 50) -> list[SearchHistory]:
    """The operator's own past searches, newest first (2.1.1)."""
    if principal.user is None:
        return []
    return list(SearchHistory.objects.filter(user=principal.user)[:limit])


def saved_search(principal: Principal, history_id: int) -> SearchHistory:
    found = SearchHistory.objects.filter(pk=history_id, user=principal.user).first() if principal.user else None
    if found is None:
        raise DomainError("search.history_not_found", "その検索履歴はありません。")
    return found


__all__ = ["EXACT", "PREFIX", "Hit", "SearchResult", "history", "saved_search", "search"]
