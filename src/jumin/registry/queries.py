"""Readers of personal data in the register.  Every function checks the capability, masks
the fields of spec 10.4 the caller may not see, and writes the access log (who, which
persons, whether 個人番号/住民票コード were shown).  Provisional data (仮登録) is read only by
callers who may review it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from jumin.accounts.models import Place, Terminal
from jumin.accounts.principal import Principal
from jumin.audit.services import record_access
from jumin.conf.db import FixedRead
from jumin.conf.domain import era_table
from jumin.core.address import full_address, street_address
from jumin.core.errors import DomainError
from jumin.core.movement_kind import KIND_LABELS, MovementKind
from jumin.core.program_items import PENSION_CATEGORIES, PROGRAMS
from jumin.core.reasons import REASONS
from jumin.core.relationship import Member, household_order, parse_relationship, with_manual_order
from jumin.core.uncertain_date import Calendar, parse_uncertain_date
from jumin.core.wareki import format_seireki
from jumin.registry import hooks
from jumin.registry.models import (
    PENDING_STATES,
    ArchivedHistory,
    ArchivedResident,
    Household,
    Memo,
    Movement,
    NationalityKind,
    Resident,
    ResidentHistory,
    Status,
)
from jumin.registry.numbers import open_individual_number
from jumin.registry.ordering import manual_order
from jumin.registry.snapshots import Snapshot, display_name, snapshot_of

MASK = "************"
VIEW = "accounts.view_resident"
REVIEW = "accounts.view_provisional"
ENTER = "accounts.enter_movement"
STATUS_FIELDS = (
    "residence_category",
    "residence_status",
    "period_of_stay",
    "stay_expires_on",
    "residence_card_no",
    "special_permanent_cert_no",
    "landing_period",
)


def _require(principal: Principal, perm: str) -> None:
    if not principal.has_perm(perm):
        raise DomainError("auth.forbidden", "この情報を照会する権限がありません。")


def _wareki(value: date | None) -> str:
    """和暦 (1.1.9); a day before 明治6年 — only in rows written before the date windows of
    issue 14 (届出日 0001-01-01) — in 西暦 rather than an error page."""
    if not value:
        return ""
    try:
        return era_table().format(value)
    except DomainError:
        return format_seireki(value)


@dataclass
class PersonCard:
    """What a screen or the API shows of one person, already masked."""

    atena_no: str
    values: dict[str, Any]
    masked: set[str] = field(default_factory=set)
    individual_number_shown: bool = False
    resident_code_shown: bool = False


def person_card(principal: Principal, record: Resident | ResidentHistory | Snapshot) -> PersonCard:
    """Format one record for display: 和暦 dates (西暦 for a foreign resident's 生年月日 and
    在留期間満了日, spec 1.1.9) and the masks of 10.4."""
    get = _getter(record)
    foreign = get("nationality_kind") == NationalityKind.FOREIGN
    values: dict[str, Any] = {
        "atena_no": get("atena_no"),
        "household_no": get("household_no"),
        "status": get("status"),
        "name": display_name(
            {"surname": get("surname"), "given_name": get("given_name"), "name_alphabet": get("name_alphabet")}
        ),
        "furigana": f"{get('furigana_surname')}\u3000{get('furigana_given_name')}".strip("\u3000"),
        "furigana_status": get("furigana_status"),
        "name_alphabet": get("name_alphabet"),
        "former_surname": get("former_surname"),
        "alias": get("alias"),
        "alias_furigana": get("alias_furigana") or "",
        "alias_furigana_status": get("alias_furigana_status") or "",
        "birth": get("birth_text"),
        "sex": {"1": "男", "2": "女"}.get(str(get("sex")), ""),
        "relationship": get("relationship"),
        "head_name": get("head_name"),
        "is_head": get("is_head"),
        "honseki": _honseki(get),
        "became_resident": get("became_resident_text"),
        # 住所 (1.1.1): 住所 and 番地 as one text; 番地 and 方書 also apart
        "address": street_address(get("address") or "", get("banchi") or ""),
        "banchi": get("banchi") or "",
        "katagaki": get("katagaki"),
        "postcode": get("postcode"),
        "address_set": get("address_set_text"),
        "notified_on": _wareki(_as_date(get("notified_on"))),
        "previous_address": _address_item(get, "previous_address", "previous")
        + ("（未届）" if get("previous_address_unreported") else ""),
        "moved_from_address": _address_item(get, "moved_from_address", "moved_from"),
        "nationality": get("nationality"),
        "foreign_resident_since": get("foreign_resident_since_text"),
        "residence_category": get("residence_category"),
        "residence_status": get("residence_status"),
        "period_of_stay": get("period_of_stay"),
        "stay_expires_on": format_seireki(d) if (d := _as_date(get("stay_expires_on"))) else "",
        "residence_card_no": get("residence_card_no"),
        "special_permanent_cert_no": get("special_permanent_cert_no"),
        "landing_period": get("landing_period"),
        "removal_reason": get("removal_reason"),
        "removed": get("removed_text"),
        "planned_move_out_on": _wareki(_as_date(get("planned_move_out_on"))),
        "destination": _address_item(get, "destination", "destination"),
        "confirmed_destination": _address_item(get, "confirmed_destination", "confirmed_destination"),
        "confirmed_destination_postcode": get("confirmed_destination_postcode") or "",
        "confirmed_move_out_on": _wareki(_as_date(get("confirmed_move_out_on"))),
        "signature_cert_serial": get("signature_cert_serial") or "",
        "auth_cert_serial": get("auth_cert_serial") or "",
        "notes": get("notes"),
        "nationality_kind": get("nationality_kind"),
        "individual_number": "",
        "resident_code": get("resident_code"),
        # 転出予定: the 転出 is recorded but its date has not come (the person still lives here).
        "move_out_pending": bool((planned := _as_date(get("planned_move_out_on"))) and planned > timezone.localdate()),
    }
    if foreign and values["birth"]:
        values["birth"] = seireki_text(values["birth"])
    for key in ("became_resident", "address_set", "removed", "foreign_resident_since"):
        values[key] = wareki_text(values[key])
    if not foreign:
        values["birth"] = wareki_text(values["birth"])
    values["program_items"] = program_item_lines(get("program_items") or {})
    card = PersonCard(str(get("atena_no")), values)
    _mask(principal, card, str(get("individual_number_ct") or ""))
    return card


def program_item_lines(items: dict[str, Any]) -> list[dict[str, str]]:
    """個別事項 (1.1.1) as display lines: 和暦 dates, the 基礎年金番号 kept apart for masking."""
    lines = []
    for program in PROGRAMS:
        values = items.get(program.key)
        if not values:
            continue
        line = {"key": program.key, "label": program.label, "text": _program_text(program.shape, values)}
        if values.get("basic_pension_no"):
            line["basic_pension_no"] = values["basic_pension_no"]
        lines.append(line)
    return lines


def _program_text(shape: str, values: dict[str, Any]) -> str:
    if shape == "registration":
        return "登録あり" if values.get("registered") else "登録なし"
    if shape == "allowance":
        start, end = values.get("start_month") or "", values.get("end_month") or ""
        return f"受給開始 {_month_text(start)}" + (f"　受給終了 {_month_text(end)}" if end else "")
    parts = ["資格あり" if values.get("insured") else "資格なし"]
    if values.get("acquired_on"):
        parts.append(f"取得 {_wareki(_as_date(values['acquired_on']))}")
    if values.get("lost_on"):
        parts.append(f"喪失 {_wareki(_as_date(values['lost_on']))}")
    if values.get("category"):
        parts.append(PENSION_CATEGORIES.get(values["category"], values["category"]))
    if values.get("category_changed_on"):
        parts.append(f"種別変更 {_wareki(_as_date(values['category_changed_on']))}")
    return "　".join(parts)


def _month_text(month: str) -> str:
    if not month:
        return ""
    year, number = month.split("-")
    return _wareki(date(int(year), int(number), 1)).rsplit("月", 1)[0] + "月"


def _address_item(get: Callable[[str], Any], address: str, prefix: str) -> str:
    """An address item with its 番地 and 方書 (転入前住所, 異動前住所, 転出先): the keys are
    absent from snapshots written before they were kept."""
    return full_address(get(address) or "", get(f"{prefix}_banchi") or "", get(f"{prefix}_katagaki") or "")


def record_address(row: Any, prefix: str = "") -> str:
    """An address item of a record on one line — 住所+番地+全角空白+方書; ``prefix``
    ``previous``, ``moved_from``, ``destination`` or ``confirmed_destination`` for the others."""
    address = f"{prefix}_address" if prefix in ("previous", "moved_from") else (prefix or "address")
    banchi = f"{prefix}_banchi" if prefix else "banchi"
    katagaki = f"{prefix}_katagaki" if prefix else "katagaki"
    return full_address(
        getattr(row, address, "") or "", getattr(row, banchi, "") or "", getattr(row, katagaki, "") or ""
    )


def _getter(record: Resident | ResidentHistory | Snapshot) -> Callable[[str], Any]:
    if isinstance(record, dict):
        return record.get

    def attribute(name: str) -> Any:
        return getattr(record, name)

    return attribute


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    return date.fromisoformat(value) if value else None


def wareki_text(text: str | None) -> str:
    """A date item kept as written, shown in 和暦 (1.1.9): an exact date stored in 西暦 (typed
    so before issue 14, 「2026年11月2日」) becomes 「令和8年11月2日」; anything else as written."""
    if not text:
        return ""
    try:
        value = parse_uncertain_date(text, era_table(), calendar=Calendar.WAREKI)
    except DomainError:
        return text
    return value.text


def seireki_text(text: str) -> str:
    """A foreign resident's 生年月日 in 西暦 even when it was written in 和暦."""
    try:
        value = parse_uncertain_date(text, era_table())
    except DomainError:
        return text
    internal = value.internal_date(era_table())
    return format_seireki(internal) if value.era is not None and internal and not value.is_uncertain else text


def _honseki(get: Callable[[str], Any]) -> str:
    kind = get("honseki_kind")
    if kind == "none":
        return "本籍なし"
    if kind == "unknown":
        return "本籍不明"
    head = get("koseki_head")
    return f"{get('honseki')}　筆頭者 {head}" if get("honseki") else ""


def _mask(principal: Principal, card: PersonCard, ciphertext: str) -> None:
    if principal.sees("individual_number") and ciphertext:
        card.values["individual_number"] = open_individual_number(ciphertext, card.atena_no)
        card.individual_number_shown = True
    elif ciphertext:
        card.values["individual_number"] = MASK
        card.masked.add("individual_number")
    if principal.sees("resident_code"):
        card.resident_code_shown = bool(card.values["resident_code"])
    elif card.values["resident_code"]:
        card.values["resident_code"] = MASK
        card.masked.add("resident_code")
    if not principal.sees("honseki") and card.values["honseki"]:
        card.values["honseki"] = MASK
        card.masked.add("honseki")
    if not principal.sees("individual_number"):  # the 基礎年金番号 needs the same care
        for line in card.values.get("program_items") or []:
            if line.get("basic_pension_no"):
                line["basic_pension_no"] = MASK
                card.masked.add("basic_pension_no")
    if not principal.sees("residence_status"):
        for name in STATUS_FIELDS:
            if card.values.get(name):
                card.values[name] = MASK
                card.masked.add(name)


@dataclass
class HistoryLine:
    history_no: int
    reason: str
    category: str
    effective: str
    notified_on: str
    processed_on: str
    movement_no: str
    summary: str


@dataclass
class PersonDetail:
    card: PersonCard
    history: list[HistoryLine]
    household: Household | None
    pending: list[Movement]
    untouched: bool = False  # no satellite has a guard or a mark on the person (hooks.untouched)


def person_detail(principal: Principal, atena_no: str, *, purpose: str = "registry.person") -> PersonDetail:
    """One person with their full 異動履歴 (2.2.1); logged."""
    _require(principal, VIEW)
    return _detail(principal, *_person_rows(atena_no), purpose=purpose)


def person_page(
    principal: Principal, atena_no: str, *, purpose: str = "registry.person"
) -> tuple[PersonDetail, PersonNotes]:
    """What the person screen shows — :func:`person_detail` and :func:`person_notes` — from one
    read of the person's rows; each part logged as on its own.  The inquiry guards (照会抑止)
    are asked before anything is logged or returned — unless the read itself showed that no
    satellite has a guard or a mark on the person (:func:`hooks.untouched`)."""
    _require(principal, VIEW)
    resident, rows = _person_rows(atena_no)
    untouched = hooks.untouched(resident)
    if not untouched:
        hooks.require_inquiry(principal, atena_no, purpose=purpose)
    detail = _detail(principal, resident, rows)
    detail.untouched = untouched
    return detail, _notes(principal, resident, rows)


def _detail(
    principal: Principal, resident: Resident, rows: list[ResidentHistory], *, purpose: str = "registry.person"
) -> PersonDetail:
    atena_no = resident.atena_no
    card = person_card(principal, resident)
    history = [_history_line(row) for row in reversed(rows)]
    pending = (
        list(Movement.objects.filter(state__in=PENDING_STATES, items__atena_no=atena_no).distinct())
        if principal.has_perm(REVIEW)
        else []
    )
    record_access(
        purpose=purpose,
        persons=[atena_no],
        action="view",
        individual_number_shown=card.individual_number_shown,
        resident_code_shown=card.resident_code_shown,
    )
    return PersonDetail(card, history, Household.objects.filter(household_no=resident.household_no).first(), pending)


_PERSON = FixedRead(
    lambda atena_no: (
        Resident.objects.filter(atena_no=atena_no)
        .annotate(
            **hooks.probe_annotations(Resident),
            # most persons have no メモ: the read says so, and the メモ are not asked for (issue 24)
            memo_exists=Exists(Memo.objects.filter(atena_no=OuterRef("atena_no"))),
        )
        .order_by("pk")[:1]
    )
)
# what a history line needs of its 異動 (the number; the kind and days of event_day), read with
# the history row and made into a Movement with only those fields loaded
_MOVEMENT_FIELDS = [
    f for f in Movement._meta.concrete_fields if f.attname in ("movement_no", "kind", "notified_on", "requested_on")
]
_MOVEMENT_LOADED = ["id", *(f.attname for f in _MOVEMENT_FIELDS)]  # Movement.from_db: in field order
_HISTORY = FixedRead(
    lambda atena_no: (
        ResidentHistory.objects.filter(atena_no=atena_no)
        .annotate(**{f"movement_{f.attname}_": F(f"movement__{f.attname}") for f in _MOVEMENT_FIELDS})
        .order_by("history_no")
    )
)


def _with_movement(row: ResidentHistory) -> ResidentHistory:
    """The row's 異動 from the fields read with it; any other field is loaded if asked for."""
    values = [row.movement_id, *(f.to_python(getattr(row, f"movement_{f.attname}_")) for f in _MOVEMENT_FIELDS)]
    row.movement = Movement.from_db(row._state.db, _MOVEMENT_LOADED, values)
    return row


def _person_rows(atena_no: str) -> tuple[Resident, list[ResidentHistory]]:
    """The projection row and the history rows (oldest first, with their 異動) of one person;
    read once by the person screen (:func:`person_page`) — two fixed reads (issue 24)."""
    found = _PERSON(atena_no, variant=(hooks.person_probe.paths, hooks.inquiry_guard.paths, hooks.person_marks.paths))
    if not found:
        raise DomainError("resident.not_found", "その宛名番号の住民はいません。")
    return found[0], [_with_movement(row) for row in _HISTORY(atena_no)]


def _history_line(row: ResidentHistory) -> HistoryLine:
    reason = REASONS.get(row.reason)
    summary = f"{row.address} {row.relationship}" + (f"（{row.removal_reason}）" if row.removal_reason else "")
    return HistoryLine(
        history_no=row.history_no,
        reason=reason.label if reason else row.reason,
        category=row.category,
        effective=row.effective_text,
        notified_on=_wareki(row.notified_on),
        processed_on=_wareki(row.processed_on),
        movement_no=row.movement.movement_no,
        summary=summary,
    )


@dataclass
class HouseholdDetail:
    household: Household
    members: list[PersonCard]
    removed: list[PersonCard]
    leaving: list[PersonCard]  # 転出予定: the 転出 is recorded, the 予定日 has not come (1.1.5)
    manual_order: bool = False  # the 記載順位 was set by hand (5.2)


def household_detail(
    principal: Principal, household_no: str, *, include_removed: bool = False, purpose: str = "registry.household"
) -> HouseholdDetail:
    """A household in the order of 5.2; removed members (転出・死亡) on request (3.3)."""
    _require(principal, VIEW)
    household = Household.objects.filter(household_no=household_no).first()
    if household is None:
        raise DomainError("household.not_found", "その世帯番号の世帯はありません。")
    residents = list(Resident.objects.filter(household_no=household_no))
    current = [r for r in residents if r.status == Status.CURRENT]
    by_hand = manual_order(household_no)
    ordered = with_manual_order(
        household_order(
            Member(
                r.atena_no,
                parse_relationship(r.relationship),
                r.birth_sort,
                is_koseki_head=r.koseki_head == r.name,
                family_of=r.family_of or None,
            )
            for r in current
        ),
        by_hand,
    )
    by_atena = {r.atena_no: r for r in current}
    members = [person_card(principal, by_atena[m.atena_no]) for m in ordered]
    today = timezone.localdate()
    pending = [r for r in residents if r.status == Status.REMOVED and _leaving_after(r, today)]
    leaving = [person_card(principal, r) for r in sorted(pending, key=lambda r: (r.member_order or 0, r.atena_no))]
    gone = [r for r in residents if r.status == Status.REMOVED and r not in pending]
    removed = [person_card(principal, r) for r in gone] if include_removed else []
    cards = members + leaving + removed
    record_access(
        purpose=purpose,
        persons=[c.atena_no for c in cards],
        action="view",
        individual_number_shown=any(c.individual_number_shown for c in cards),
        resident_code_shown=any(c.resident_code_shown for c in cards),
    )
    return HouseholdDetail(household, members, removed, leaving, manual_order=bool(by_hand))


def _leaving_after(resident: Resident, today: date) -> bool:
    """A 転出 whose 予定日 is after today: the person still lives in the household until then."""
    return resident.planned_move_out_on is not None and resident.planned_move_out_on > today


def pending_movements(principal: Principal) -> list[Movement]:
    """The movements in 仮登録, oldest first (no personal data: numbers and kinds only)."""
    _require(principal, REVIEW)
    return list(
        Movement.objects.filter(state=Movement.State.PROVISIONAL)
        .select_related("entered_by")
        .prefetch_related("items")
        .order_by("entered_at")
    )


# -- 審査・決裁 (4.0.8): the queue, the before/after comparison, returned movements ----------------

QUEUE_SORTS: dict[str, tuple[str, str]] = {
    "waited": ("待ち時間の長い順", "entered_at"),
    "newest": ("新しい順", "-entered_at"),
    "kind": ("異動の種類順", "kind"),
    "place": ("入力場所順", "place"),
    "effective": ("異動日順", "effective_sort"),
}
"""The orders the queue offers: key -> (label, field)."""


@dataclass(frozen=True)
class QueueRow:
    """One movement of the approval queue or of a clerk's list of returned movements."""

    movement: Movement
    names: list[str]
    kind_label: str
    effective: str  # 異動日 as recorded (和暦)
    notified: str  # 届出日 (和暦)
    entered_by: str
    place: str  # 入力場所 (name)
    terminal: str  # 入力端末 (name)
    waited: str  # how long it has waited, e.g. 「2時間5分」
    mine: bool  # entered by the reader (who may not approve it)


@dataclass
class ApprovalQueue:
    rows: list[QueueRow]
    kinds: list[tuple[str, str]]  # the kinds waiting: (kind, label)
    places: list[tuple[str, str]]  # the places that entered them: (code, name)
    kind: str = ""
    place: str = ""
    sort: str = "waited"
    returned: int = 0  # movements returned to their clerks, not in the queue
    total: int = 0  # waiting movements that match (every page)
    page: int = 1
    pages: int = 1
    first: int = 0  # the rows shown: the first-th to the last-th of ``total`` (1-based)
    last: int = 0


def waited_text(since: Any, now: Any) -> str:
    """「3日2時間」「2時間5分」「5分」: how long since ``since``."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}日{hours}時間" if hours else f"{days}日"
    if hours:
        return f"{hours}時間{minutes}分"
    return f"{minutes}分"


def _row_maker(principal: Principal, places: dict[str, str], terminals: dict[str, str]) -> Callable[..., QueueRow]:
    now = timezone.now()

    def row(movement: Movement) -> QueueRow:
        items = sorted(movement.items.all(), key=lambda i: i.pk)
        names = list(dict.fromkeys(display_name(i.proposed) or i.atena_no for i in items))
        user = principal.user
        return QueueRow(
            movement=movement,
            names=names,
            kind_label=movement.kind_label,
            effective=wareki_text(movement.effective_text),
            notified=_wareki(movement.notified_on),
            entered_by=str(movement.entered_by),
            place=places.get(movement.place, movement.place),
            terminal=terminals.get(movement.terminal, movement.terminal),
            waited=waited_text(movement.entered_at, now),
            mine=user is not None and movement.entered_by_id == user.pk,
        )

    return row


def _place_names() -> tuple[dict[str, str], dict[str, str]]:
    return (
        dict(Place.objects.values_list("code", "name")),
        dict(Terminal.objects.values_list("code", "name")),
    )


def queue_page_size() -> int:
    return int(getattr(settings, "JUMIN_APPROVAL_QUEUE_PAGE_SIZE", 50))


def approval_queue(
    principal: Principal, *, kind: str = "", place: str = "", sort: str = "waited", page: int = 1
) -> ApprovalQueue:
    """The approval queue (4.0.8): every 仮登録 with the persons' names, the kind, the 異動日 and
    届出日 in 和暦, who entered it where and how long it has waited; filtered by kind and by
    entering office, in one of :data:`QUEUE_SORTS`, a page of ``JUMIN_APPROVAL_QUEUE_PAGE_SIZE``
    at a time (a busy March can leave hundreds waiting).  Reading the names shown is logged."""
    _require(principal, REVIEW)
    waiting = Movement.objects.filter(state=Movement.State.PROVISIONAL)
    kinds = sorted(waiting.order_by().values_list("kind", flat=True).distinct())
    place_codes = sorted(waiting.order_by().values_list("place", flat=True).distinct())
    places, terminals = _place_names()
    sort = sort if sort in QUEUE_SORTS else "waited"
    chosen = waiting.select_related("entered_by").prefetch_related("items")
    if kind:
        chosen = chosen.filter(kind=kind)
    if place:
        chosen = chosen.filter(place=place)
    total, size = chosen.count(), queue_page_size()
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    start = (page - 1) * size
    movements = list(chosen.order_by(QUEUE_SORTS[sort][1], "entered_at", "id")[start : start + size])
    row = _row_maker(principal, places, terminals)
    rows = [row(m) for m in movements]
    persons = sorted({i.atena_no for m in movements for i in m.items.all()})
    if persons:
        record_access(purpose="registry.approvals", persons=persons, action="view")
    return ApprovalQueue(
        rows=rows,
        kinds=[(k, KIND_LABELS.get(k, k)) for k in kinds],
        places=[(code, places.get(code, code) or "（不明）") for code in place_codes],
        kind=kind,
        place=place,
        sort=sort,
        returned=Movement.objects.filter(state=Movement.State.RETURNED).count(),
        total=total,
        page=page,
        pages=pages,
        first=start + 1 if rows else 0,
        last=start + len(rows),
    )


def returned_movements(principal: Principal) -> list[QueueRow]:
    """The movements returned (差戻し) to the reader, newest return first, with the names."""
    user = principal.user
    if user is None or not principal.has_perm(ENTER):
        return []
    movements = list(
        Movement.objects.filter(state=Movement.State.RETURNED, entered_by=user)
        .select_related("entered_by")
        .prefetch_related("items")
        .order_by("-returned_at", "-id")
    )
    places, terminals = _place_names()
    row = _row_maker(principal, places, terminals)
    rows = [row(m) for m in movements]
    persons = sorted({i.atena_no for m in movements for i in m.items.all()})
    if persons:
        record_access(purpose="registry.returned", persons=persons, action="view")
    return rows


@dataclass(frozen=True)
class Change:
    """One item of a person in the before/after comparison."""

    label: str
    before: str
    after: str
    changed: bool


@dataclass
class SheetItem:
    """One person of a movement: the proposed record, the record it was based on (None for a
    new person) and the items compared."""

    proposed: PersonCard
    before: PersonCard | None
    changes: list[Change]
    stale: bool = False  # pending, and the person's record has changed since the 仮登録

    @property
    def changed(self) -> list[Change]:
        return [c for c in self.changes if c.changed]

    @property
    def unchanged(self) -> list[Change]:
        return [c for c in self.changes if not c.changed]


@dataclass
class MovementSheet:
    """確認用帳票 (4.0.9): what a movement will record, person by person, beside the record
    before it (the 審査 compares them)."""

    movement: Movement
    items: list[SheetItem]


COMPARED_ITEMS: tuple[tuple[str, str], ...] = (
    ("name", "氏名"),
    ("furigana", "フリガナ"),
    ("name_alphabet", "氏名（アルファベット）"),
    ("former_surname", "旧氏"),
    ("alias", "通称"),
    ("birth", "生年月日"),
    ("sex", "性別"),
    ("status", "現存区分"),
    ("household_no", "世帯番号"),
    ("head_name", "世帯主"),
    ("relationship", "続柄"),
    ("postcode", "郵便番号"),
    ("address", "住所"),
    ("katagaki", "方書"),
    ("became_resident", "住民となった年月日"),
    ("address_set", "住所を定めた年月日"),
    ("notified_on", "届出日"),
    ("previous_address", "転入前住所"),
    ("moved_from_address", "異動前住所"),
    ("honseki", "本籍・筆頭者"),
    ("nationality", "国籍・地域"),
    ("foreign_resident_since", "外国人住民となった年月日"),
    ("residence_category", "30条の45区分"),
    ("residence_status", "在留資格"),
    ("period_of_stay", "在留期間"),
    ("stay_expires_on", "在留期間の満了の日"),
    ("residence_card_no", "在留カード等の番号"),
    ("special_permanent_cert_no", "特別永住者証明書の番号"),
    ("individual_number", "個人番号"),
    ("resident_code", "住民票コード"),
    ("removal_reason", "消除事由"),
    ("removed", "消除日"),
    ("planned_move_out_on", "転出予定日"),
    ("destination", "転出先（予定）"),
    ("confirmed_destination", "転出先（確定）"),
    ("notes", "備考"),
    ("program_items", "個別事項"),
)
"""The items of the before/after comparison, in the order of the 住民票."""


def _shown(key: str, values: dict[str, Any]) -> str:
    value = values.get(key)
    if key == "status":
        return dict(Status.choices).get(str(value), str(value or ""))
    if key == "program_items":
        return "　".join(f"{line['label']} {line['text']}" for line in value or [])
    return "" if value is None or value is False else str(value)


def compare(proposed: PersonCard, before: PersonCard | None, sealed: tuple[str, str] = ("", "")) -> list[Change]:
    """The items of ``proposed`` beside ``before`` (already masked cards); an item shown on
    neither side is left out.  ``sealed``: the stored 個人番号 ciphertexts (after, before), so
    that a masked number still shows *that* it changes."""
    changes = []
    for key, label in COMPARED_ITEMS:
        after = _shown(key, proposed.values)
        old = _shown(key, before.values) if before is not None else ""
        changed = after != old
        if key == "individual_number" and sealed[0] != sealed[1]:
            changed = True
        if after or old or changed:
            changes.append(Change(label, old, after, changed))
    return changes


def movement_sheet(principal: Principal, movement_no: str) -> MovementSheet:
    movement = Movement.objects.filter(movement_no=movement_no).select_related("entered_by").first()
    if movement is None:
        raise DomainError("movement.not_found", "その異動番号の異動はありません。")
    # Only a 本登録 movement's data is in the register; a provisional or discarded one is seen
    # only by those who may review provisional data.
    _require(principal, VIEW if movement.state == Movement.State.FINAL else REVIEW)
    items = []
    movement_items = list(movement.items.order_by("id"))
    if movement.state == Movement.State.FINAL:
        # A 本登録 movement shows register data: the 照会抑止 of its persons holds here as on
        # the person screen (a pending one is the 決裁 of data not yet in the register).
        for atena_no in dict.fromkeys(i.atena_no for i in movement_items):
            hooks.require_inquiry(principal, atena_no, purpose="registry.movement")
    bases = {
        (row.atena_no, row.history_no): row
        for row in ResidentHistory.objects.filter(
            _any_row([(i.atena_no, i.base_history_no) for i in movement_items if i.base_history_no])
        )
    }
    current = dict(
        Resident.objects.filter(atena_no__in=[i.atena_no for i in movement_items]).values_list("atena_no", "history_no")
    )
    for item in movement_items:
        base = bases.get((item.atena_no, item.base_history_no or 0))
        proposed = person_card(principal, item.proposed)
        before = person_card(principal, base) if base is not None else None
        sealed = (str(item.proposed.get("individual_number_ct") or ""), base.individual_number_ct if base else "")
        stale = movement.pending and base is not None and current.get(item.atena_no) != item.base_history_no
        items.append(SheetItem(proposed, before, compare(proposed, before, sealed), stale))
    record_access(
        purpose="registry.movement",
        persons=[i.atena_no for i in movement_items],
        action="view",
        individual_number_shown=any(
            i.proposed.individual_number_shown or (i.before is not None and i.before.individual_number_shown)
            for i in items
        ),
    )
    return MovementSheet(movement, items)


def _any_row(keys: list[tuple[str, int]]) -> Q:
    query = Q(pk__in=[])
    for atena_no, history_no in keys:
        query |= Q(atena_no=atena_no, history_no=history_no)
    return query


def lookup(principal: Principal, number: str, kind: str = "person") -> str:
    """An exact 宛名番号 (kind "person") or 世帯番号 (kind "household"); returns the number.
    Not logged as a read: nothing is shown until the detail view, which logs."""
    _require(principal, VIEW)
    number = number.strip()
    if kind == "household" and Household.objects.filter(household_no=number).exists():
        return number
    if kind == "person" and Resident.objects.filter(atena_no=number).exists():
        return number
    label = "世帯番号" if kind == "household" else "宛名番号"
    raise DomainError("registry.not_found", f"その{label}は見つかりません。")


def household_members_for_entry(principal: Principal, household_no: str) -> list[Resident]:
    """Current members offered for selection on an entry screen; logged."""
    _require(principal, VIEW)
    members = list(
        Resident.objects.filter(Q(household_no=household_no) & Q(status=Status.CURRENT)).order_by("atena_no")
    )
    if members:
        record_access(purpose="registry.entry", persons=[m.atena_no for m in members], action="view")
    return members


@dataclass
class FoundPerson:
    """A person found by 宛名番号 in the main tables or in the 除票DB (1.1.5: one search covers
    both); ``archived`` says where."""

    card: PersonCard
    history: list[HistoryLine]
    archived: bool


def find_person(principal: Principal, atena_no: str, *, purpose: str = "registry.find_person") -> FoundPerson:
    """One person by 宛名番号, wherever the record is kept (main tables first, then the
    除票DB), with the 異動履歴; logged like ``person_detail``."""
    _require(principal, VIEW)
    atena_no = atena_no.strip()
    resident = Resident.objects.filter(atena_no=atena_no).first()
    archived = resident is None
    if resident is not None:
        card = person_card(principal, resident)
        rows: list[Any] = list(ResidentHistory.objects.filter(atena_no=atena_no).select_related("movement"))
    else:
        old = ArchivedResident.objects.filter(atena_no=atena_no).first()
        if old is None:
            raise DomainError("resident.not_found", "その宛名番号の住民（除票DBを含む）はいません。")
        card = person_card(principal, snapshot_of(old))
        rows = list(ArchivedHistory.objects.filter(atena_no=atena_no).select_related("movement"))
    history = [_history_line(row) for row in sorted(rows, key=lambda r: -r.history_no)]
    record_access(
        purpose=purpose,
        persons=[atena_no],
        action="view",
        individual_number_shown=card.individual_number_shown,
        resident_code_shown=card.resident_code_shown,
    )
    return FoundPerson(card, history, archived)


# -- 統合記載欄 (1.1.14) and メモ (1.1.15) -------------------------------------------------------

MEMO_READERS = ("accounts.enter_movement", "accounts.view_provisional")
_INITIATION_WORDS = {"notification": "届出", "request": "申出"}
_CATEGORY_WORDS = {"add": "記載", "remove": "消除", "amend": "修正"}


@dataclass
class RemarkLine:
    """One line of the 統合記載欄, tied to the history row (異動) it belongs to."""

    history_no: int
    movement_no: str
    text: str


@dataclass
class MemoLine:
    memo_id: int
    text: str
    author: str
    written_at: str
    deleted: bool
    current: bool


@dataclass
class PersonNotes:
    """統合記載欄: A類型 異動履歴 (generated from the history rows), B類型 留意事項 (the remark of
    a 異動, on its row), C類型 備考 (free); and the メモ, for register staff only (``memos`` is
    None for an operator who may not read them)."""

    history_entries: list[RemarkLine]
    remarks: list[RemarkLine]
    notes: str
    memos: list[MemoLine] | None
    memo_history: list[MemoLine]


def event_day(row: ResidentHistory) -> date:
    """The 届出日 (申出日) of the event a history row records.  A row loaded by a batch
    (movement kind ``migration``: 移行, seed-city) carries its own event's 届出日; the batch's
    date is only when it was loaded (spec 1.1.15, 20.1.1)."""
    movement = row.movement
    if movement.kind == MovementKind.MIGRATION:
        return row.notified_on or row.processed_on
    day = movement.requested_on if row.initiation == "request" else movement.notified_on
    return day or row.processed_on


def history_entry(row: ResidentHistory) -> str:
    """A類型: 「令和8年11月20日　東京都千代田区千代田1番1号から転入　令和8年11月26日届出」."""
    reason = REASONS.get(row.reason)
    label = reason.label if reason else row.reason
    if row.reason in ("domestic_move_in", "abroad_move_in") and row.previous_address:
        body = f"{record_address(row, 'previous')}から{label}"
    elif row.reason == "relocation" and row.moved_from_address:
        body = f"{record_address(row, 'moved_from')}から転居"
    elif row.reason in ("domestic_move_out", "abroad_move_out") and row.destination:
        body = f"{record_address(row, 'destination')}へ{label}"
    elif row.corrects_history_no:
        body = f"{label}（履歴{row.corrects_history_no}の誤記）"
    else:
        body = label
    if row.initiation in _INITIATION_WORDS:
        suffix = f"{_wareki(event_day(row))}{_INITIATION_WORDS[row.initiation]}"
    else:
        suffix = f"{_wareki(row.processed_on)}職権{_CATEGORY_WORDS.get(row.category, '')}"
    return "\u3000".join(part for part in (row.effective_text, body, suffix) if part)


def _memo_line(memo: Any, current: bool) -> MemoLine:
    author = memo.author
    written = timezone.localtime(memo.written_at)
    return MemoLine(
        memo_id=memo.pk,
        text=memo.text,
        author=getattr(author, "display_name", "") or author.username,
        written_at=f"{_wareki(written.date())} {written:%H:%M}",
        deleted=memo.deleted,
        current=current,
    )


def person_notes(principal: Principal, atena_no: str, *, purpose: str = "registry.person.notes") -> PersonNotes:
    """The 統合記載欄 and the メモ of one person; logged.  メモ are read only by register staff
    (入力 or 審査); they are never printed (1.1.15)."""
    _require(principal, VIEW)
    return _notes(principal, *_person_rows(atena_no), purpose=purpose)


def _notes(
    principal: Principal, resident: Resident, rows: list[ResidentHistory], *, purpose: str = "registry.person.notes"
) -> PersonNotes:
    atena_no = resident.atena_no
    entries = [RemarkLine(r.history_no, r.movement.movement_no, history_entry(r)) for r in rows]
    remarks = [
        RemarkLine(
            r.history_no,
            r.movement.movement_no,
            f"{REASONS[r.reason].label if r.reason in REASONS else r.reason}（{r.effective_text}）: {r.remark}",
        )
        for r in rows
        if r.remark
    ]
    memos: list[MemoLine] | None = None
    history: list[MemoLine] = []
    if any(principal.has_perm(p) for p in MEMO_READERS):
        versions = _memos(atena_no) if getattr(resident, "memo_exists", True) else []
        replaced = {m.replaces_id for m in versions if m.replaces_id is not None}
        memos = [_memo_line(m, True) for m in versions if m.pk not in replaced and not m.deleted]
        history = [_memo_line(m, m.pk not in replaced and not m.deleted) for m in versions]
    record_access(purpose=purpose, persons=[atena_no], action="view")
    return PersonNotes(entries, remarks, resident.notes, memos, history)


def _memos(atena_no: str) -> list[Memo]:
    return list(Memo.objects.filter(atena_no=atena_no).select_related("author").order_by("-written_at", "-id"))


def resident_for_entry(principal: Principal, atena_no: str) -> Resident:
    """The person a person-scoped entry screen (修正, 失踪, 旧氏, 通称 …) is about; logged."""
    _require(principal, VIEW)
    resident = Resident.objects.filter(atena_no=atena_no).first()
    if resident is None:
        raise DomainError("resident.not_found", "その宛名番号の住民はいません。")
    record_access(purpose="registry.entry", persons=[atena_no], action="view")
    return resident
