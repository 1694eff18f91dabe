"""The 宛名連携 feed (spec 7.2.1; docs/number-exchange.md): a department's business system (a
linked system with a grant that allows the feed for its business) reads the 宛名 as a full
extract, page by page in 宛名番号 order, then the changes after an outbox ``seq`` (destination
``atena``: every 本登録's history rows and every block's set or release), page by page.  Each
page is the person's state at reading time; every read is written to the access log.

A department's system gets only the persons linked to its business system (a
``BusinessAtena`` of that business, with its own 宛名番号) and only the items its grant allows
(``feed_items``); a grant for ``juki`` itself reads every person."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from jumin.accounts.models import LinkedSystem
from jumin.audit.services import record_access
from jumin.core.address import full_address
from jumin.core.errors import DomainError
from jumin.integrated_atena.models import FEED_ITEMS, Business, BusinessAtena, BusinessGrant
from jumin.linkage.models import OutboxMessage
from jumin.registry.models import ArchivedResident, PersonRecord, Resident

MAX_PAGE = 1_000


def _allowed(system: LinkedSystem, business: str) -> BusinessGrant:
    grant = (
        BusinessGrant.objects.filter(system=system, business=business, may_read_feed=True).first()
        if business in Business.values
        else None
    )
    if grant is None:
        raise DomainError("auth.forbidden", "この業務の宛名連携を受け取る権限がありません。")
    return grant


def _linked(business: str) -> QuerySet[BusinessAtena] | None:
    """The 住基 links (宛名番号 in ``business_atena_no``) of the persons ``business`` has linked;
    None for 住基 itself (every person)."""
    if business == Business.JUKI:
        return None
    return BusinessAtena.objects.filter(
        business=Business.JUKI,
        integrated_id__in=BusinessAtena.objects.filter(business=business).values("integrated_id"),
    )


def _own_numbers(business: str, numbers: list[str]) -> dict[str, str]:
    """{住基 宛名番号: the business system's own 宛名番号} of ``numbers``."""
    if business == Business.JUKI:
        return {n: n for n in numbers}
    juki = dict(
        BusinessAtena.objects.filter(business=Business.JUKI, business_atena_no__in=numbers).values_list(
            "integrated_id", "business_atena_no"
        )
    )
    return {
        juki[integrated]: own
        for integrated, own in BusinessAtena.objects.filter(
            business=business, integrated_id__in=list(juki)
        ).values_list("integrated_id", "business_atena_no")
    }


def _limit(limit: int) -> int:
    if not 0 < limit <= MAX_PAGE:
        raise DomainError("atena_feed.bad_limit", f"件数は1から{MAX_PAGE}までで指定してください。")
    return limit


def _line(row: PersonRecord, integrated: dict[str, str], own: dict[str, str], items: list[str]) -> dict[str, Any]:
    """The person as the grant allows: the numbers, then only the allowed items."""
    every = {
        "name": row.name,
        "furigana": row.furigana,
        "birth": row.birth_text,
        "sex": row.sex,
        "address": full_address(row.address, row.banchi, row.katagaki),
        "postcode": row.postcode,
        "household_no": row.household_no,
        "head_name": row.head_name,
        "relationship": row.relationship,
        "status": row.status,
    }
    line = {
        "atena_no": row.atena_no,
        "integrated_no": integrated.get(row.atena_no, ""),
        "business_atena_no": own.get(row.atena_no, ""),
    }
    line.update({item: every[item] for item in items if item in FEED_ITEMS})
    return line


def _integrated(numbers: list[str]) -> dict[str, str]:
    return dict(
        BusinessAtena.objects.filter(business=Business.JUKI, business_atena_no__in=numbers).values_list(
            "business_atena_no", "integrated__integrated_no"
        )
    )


def _last_seq() -> int:
    last = (
        OutboxMessage.objects.filter(destination=OutboxMessage.Destination.ATENA)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    return int(last or 0)


def full_extract(system: LinkedSystem, business: str, *, after: str = "", limit: int = 500) -> dict[str, Any]:
    """One page of the full extract: the persons after 宛名番号 ``after``; ``next`` is the
    宛名番号 to ask after (empty at the end) and ``changes_from`` the ``seq`` to read the changes
    after once the extract is complete (taken before the page, so no change falls between)."""
    grant = _allowed(system, business)
    limit = _limit(limit)
    if len(after) > 20 or not (after.isdigit() or after == ""):
        raise DomainError("atena_feed.bad_cursor", "読込位置が正しくありません。")
    changes_from = _last_seq()
    current = Resident.objects.filter(atena_no__gt=after)
    archived = ArchivedResident.objects.filter(atena_no__gt=after)
    linked = _linked(business)
    if linked is not None:
        current = current.filter(atena_no__in=linked.values("business_atena_no"))
        archived = archived.filter(atena_no__in=linked.values("business_atena_no"))
    rows: list[PersonRecord] = [*current.order_by("atena_no")[:limit], *archived.order_by("atena_no")[:limit]]
    rows = sorted(rows, key=lambda r: r.atena_no)[:limit]
    numbers = [r.atena_no for r in rows]
    integrated, own = _integrated(numbers), _own_numbers(business, numbers)
    record_access(purpose="atena_feed.full", persons=numbers, action="extract", result_count=len(numbers))
    return {
        "persons": [_line(r, integrated, own, grant.feed_items) for r in rows],
        "next": numbers[-1] if len(rows) == limit else "",
        "changes_from": changes_from,
    }


def changes(system: LinkedSystem, business: str, *, after: int = 0, limit: int = 500) -> dict[str, Any]:
    """One page of the changes after outbox ``seq`` ``after``: per row the person's current
    state (a history row) or the block's set / release; ``next`` is the ``seq`` to ask after."""
    grant = _allowed(system, business)
    limit = _limit(limit)
    if not 0 <= after < 2**62:
        raise DomainError("atena_feed.bad_cursor", "読込位置が正しくありません。")
    messages = list(
        OutboxMessage.objects.filter(destination=OutboxMessage.Destination.ATENA, seq__gt=after).order_by("seq")[:limit]
    )
    numbers = sorted({m.atena_no for m in messages if m.movement_id is not None})
    blocked_persons = {m.target_no for m in messages if m.movement_id is None and m.scope == "person"}
    linked = _linked(business)
    allowed: set[str] = set()
    households: set[str] = set()
    if linked is not None:  # only the department's own persons, and the blocks of them or their households
        allowed = set(
            linked.filter(business_atena_no__in=[*numbers, *blocked_persons]).values_list(
                "business_atena_no", flat=True
            )
        )
        numbers = [n for n in numbers if n in allowed]
        if "household_no" in grant.feed_items:  # a household block names the household number
            households = set(
                Resident.objects.filter(atena_no__in=linked.values("business_atena_no"))
                .filter(household_no__in=[m.target_no for m in messages if m.scope == "household"])
                .values_list("household_no", flat=True)
            )
    current: dict[str, PersonRecord] = {r.atena_no: r for r in Resident.objects.filter(atena_no__in=numbers)}
    current.update({r.atena_no: r for r in ArchivedResident.objects.filter(atena_no__in=numbers)})
    integrated, own = _integrated(numbers), _own_numbers(business, numbers)
    items: list[dict[str, Any]] = []
    for message in messages:
        if message.movement_id is None:
            if linked is None or (message.target_no in (allowed if message.scope == "person" else households)):
                items.append(
                    {"seq": message.seq, "kind": message.kind, "scope": message.scope, "target_no": message.target_no}
                )
        elif message.atena_no in current:
            person = _line(current[message.atena_no], integrated, own, grant.feed_items)
            items.append({"seq": message.seq, "kind": message.kind, "person": person})
    record_access(purpose="atena_feed.changes", persons=numbers, action="extract", result_count=len(items))
    return {"changes": items, "next": messages[-1].seq if messages else after}
