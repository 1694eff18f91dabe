"""Rows of the register made from the synthetic city (``jumin seed-city``), without the ORM.

One :class:`~jumin.synthetic.SyntheticHousehold` becomes

* one ``ResidentHistory`` row per :class:`~jumin.synthetic.HistoryEvent` of each person
  (履歴番号 1..n) plus one for a :class:`~jumin.synthetic.Removal` (除票);
* one ``Resident`` row per person: their last history row (the projection);
* one ``Household`` row, as ``refresh_household`` would leave it.

Rows are tuples in the column order given by the caller, already encoded for the target:
COPY text for PostgreSQL (:data:`COPY_TEXT`) or Python values for SQLite
(:data:`PYTHON_VALUES`).  Encoding once per person and per address, not per row, and
reading a row out of one dict with :func:`operator.itemgetter`, keeps this part of a
million-resident seed to a few seconds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

from django.db import models

from jumin.core.kana import search_key
from jumin.core.reasons import REASONS
from jumin.core.relationship import Kind
from jumin.core.uncertain_date import UncertainDate
from jumin.core.wareki import EraTable
from jumin.registry.models import (
    FuriganaStatus,
    HonsekiKind,
    Initiation,
    ResidenceCategory,
    Sex,
    Status,
)
from jumin.registry.numbers import NumberSealer
from jumin.synthetic import (
    EventKind,
    ForeignCategory,
    HistoryEvent,
    NationalityKind,
    RemovalKind,
    SyntheticAddress,
    SyntheticHousehold,
    SyntheticPerson,
)
from jumin.synthetic import Sex as SyntheticSex
from jumin.synthetic.places import CHOME

Row = tuple[Any, ...]


def copy_text(value: str) -> str:
    """A value in PostgreSQL's COPY text format (backslash, tab and line breaks escaped)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


@dataclass(frozen=True)
class Encoding:
    """How a value is written for the target database."""

    true: Any
    false: Any
    null: Any
    text: Callable[[str], Any]
    integer: Callable[[int], Any]
    moment: Callable[[datetime], Any]


COPY_TEXT = Encoding(true="t", false="f", null="\\N", text=copy_text, integer=str, moment=datetime.isoformat)
PYTHON_VALUES = Encoding(true=True, false=False, null=None, text=str, integer=int, moment=datetime.isoformat)

# 異動事由 and 届出区分 of each kind of event (jumin.core.reasons).  A 世帯主変更 is by 職権
# when one member is left (4.0.4), otherwise it is notified.
_NOTIFIED, _EX_OFFICIO = Initiation.NOTIFICATION.value, Initiation.EX_OFFICIO.value
EVENT_REASONS: dict[EventKind, tuple[str, str]] = {
    EventKind.BIRTH: ("birth", _EX_OFFICIO),
    EventKind.MOVE_IN: ("domestic_move_in", _NOTIFIED),
    EventKind.MOVE_IN_FROM_ABROAD: ("abroad_move_in", _NOTIFIED),
    EventKind.RELOCATION: ("relocation", _NOTIFIED),
    EventKind.HEAD_CHANGE: ("head_change", _NOTIFIED),
    EventKind.FOREIGN_ENROLLMENT: ("ex_officio_add", _EX_OFFICIO),
    EventKind.NATIONALITY_LOSS: ("nationality_loss_add", _EX_OFFICIO),
}
_CATEGORY = {code: reason.category.value for code, reason in REASONS.items()}
_LABEL = {code: reason.label for code, reason in REASONS.items()}
_SEX = {SyntheticSex.MALE: Sex.MALE.value, SyntheticSex.FEMALE: Sex.FEMALE.value}
_CATEGORIES = {
    ForeignCategory.MID_LONG_TERM: ResidenceCategory.MID_LONG_TERM.value,
    ForeignCategory.SPECIAL_PERMANENT: ResidenceCategory.SPECIAL_PERMANENT.value,
    ForeignCategory.TEMPORARY_REFUGE: ResidenceCategory.TEMPORARY_REFUGE.value,
    ForeignCategory.PROVISIONAL_STAY: ResidenceCategory.PROVISIONAL_STAY.value,
    ForeignCategory.TRANSITIONAL_BIRTH: ResidenceCategory.TRANSITIONAL_BIRTH.value,
    ForeignCategory.TRANSITIONAL_NATIONALITY_LOSS: ResidenceCategory.TRANSITIONAL_LOSS.value,
}
_LANDING = frozenset({ForeignCategory.TEMPORARY_REFUGE, ForeignCategory.PROVISIONAL_STAY})
# A 転出先 in Japan starts with its 都道府県; anything else is a country (国外転出).
_PREFECTURE = re.compile(r"^(?:北海道|東京都|京都府|大阪府|.{2,3}県)")
_ADDRESS_EVENTS = frozenset(kind for kind in EventKind if kind.changes_address)
_FIRST_EVENTS_WITHOUT_MOVE_IN = frozenset({EventKind.FOREIGN_ENROLLMENT, EventKind.NATIONALITY_LOSS})
# Plain values of the enum members used per row (an enum attribute costs a descriptor call).
_HEAD, _RELOCATION, _HEAD_CHANGE = Kind.HEAD, EventKind.RELOCATION, EventKind.HEAD_CHANGE
_REMOVED = Status.REMOVED.value
_NATIONALITY = {kind: kind.value for kind in NationalityKind}
_CONFIRMED, _NOT_RECORDED = FuriganaStatus.CONFIRMED.value, FuriganaStatus.NOT_RECORDED.value
_HONSEKI, _HONSEKI_UNKNOWN = HonsekiKind.ADDRESS.value, HonsekiKind.UNKNOWN.value


def encoded_defaults(model: type[models.Model], columns: Sequence[str], enc: Encoding) -> dict[str, Any]:
    """Each column's model default, encoded."""
    by_column = {f.column: f for f in model._meta.concrete_fields}
    return {column: encode_value(by_column[column].get_default(), enc) for column in columns}


def encode_value(value: Any, enc: Encoding) -> Any:
    if value is None:
        return enc.null
    if isinstance(value, bool):
        return enc.true if value else enc.false
    if isinstance(value, int):
        return enc.integer(value)
    if isinstance(value, str):
        return enc.text(value)
    if isinstance(value, datetime):
        return enc.moment(value)
    if isinstance(value, date):
        return value.isoformat()
    return enc.text(json.dumps(value))


@lru_cache(maxsize=65_536)
def _key(kana: str) -> str:
    return search_key(kana)


def name_keys(surname_kana: str, given_kana: str) -> tuple[str, str]:
    """(search_key of the full furigana, of the given name), as ``registry.keys`` derives them.

    The key of 「氏　名」 is the key of 氏 followed by the key of 名, except where a rule of
    jumin.core.kana looks across the space (a 名 that starts with ウ or a small kana): then the
    whole name is keyed."""
    given = _key(given_kana)
    full = f"{surname_kana}\u3000{given_kana}".strip("\u3000")
    if given_kana[:1] in _CROSSING:
        return search_key(full), given
    return _key(surname_kana) + given, given


_CROSSING = frozenset("ウうｳァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゕゖｧｨｩｪｫｯｬｭｮ")


@dataclass
class SeedStats:
    """What a seed wrote, and the highest serials it used (for the number sequences)."""

    residents: int = 0
    removed: int = 0
    households: int = 0
    inactive_households: int = 0
    history_rows: int = 0
    max_atena_serial: int = 0
    max_household_serial: int = 0


@dataclass
class HouseholdRows:
    history: list[Row] = field(default_factory=list)
    residents: list[Row] = field(default_factory=list)
    households: list[Row] = field(default_factory=list)


@dataclass
class _Work:
    """What the rows of one household are built with."""

    timeline: _Timeline
    history: list[Row] = field(default_factory=list)
    addresses: dict[int, dict[str, Any]] = field(default_factory=dict)  # by id() of a SyntheticAddress
    last_address: dict[str, dict[str, Any]] = field(default_factory=dict)  # 世帯番号 → its last current row's


@dataclass(frozen=True)
class Columns:
    history: Sequence[str]
    resident: Sequence[str]
    household: Sequence[str]


class RowBuilder:
    """Turns households of the synthetic city into encoded rows (see the module docstring)."""

    def __init__(
        self,
        *,
        enc: Encoding,
        columns: Columns,
        history_defaults: Mapping[str, Any],
        eras: EraTable,
        movement_id: int,
        now: datetime,
        address_codes: Mapping[str, str],
        first_household_id: int,
    ) -> None:
        self.enc = enc
        self.eras = eras
        self.sealer = NumberSealer()
        self.address_codes = address_codes
        self.stats = SeedStats()
        self._next_household_id = first_household_id
        self._history: Callable[[Mapping[str, Any]], Row] = itemgetter(*columns.history)
        self._resident: Callable[[Mapping[str, Any]], Row] = itemgetter(*columns.resident)
        self._household: Callable[[Mapping[str, Any]], Row] = itemgetter(*columns.household)
        moment = enc.moment(now)
        self._base = dict(history_defaults)
        self._base.update(movement_id=enc.integer(movement_id), recorded_at=moment, updated_at=moment)
        self._numbers = [enc.integer(n) for n in range(64)]
        self._wareki_cache: dict[date, str] = {}
        self._seireki_cache: dict[date, str] = {}
        self._iso_cache: dict[date, str] = {}
        self._empty = enc.text("")

    # -- encoded values -------------------------------------------------------------------

    def _iso(self, day: date | None) -> Any:
        if day is None:
            return self.enc.null
        text = self._iso_cache.get(day)
        if text is None:
            text = self._iso_cache[day] = day.isoformat()
        return text

    def _wareki(self, day: date) -> Any:
        text = self._wareki_cache.get(day)
        if text is None:
            text = self._wareki_cache[day] = self.enc.text(UncertainDate.exact(day, self.eras).text)
        return text

    def _birth(self, person: SyntheticPerson, foreign: bool) -> tuple[Any, Any]:
        """生年月日 as written (和暦; 西暦 for a foreign resident) and its internal date."""
        birth = person.birth
        if isinstance(birth, UncertainDate):
            return self.enc.text(birth.text), self._iso(birth.internal_date(self.eras))
        if foreign:
            text = self._seireki_cache.get(birth)
            if text is None:
                text = self._seireki_cache[birth] = self.enc.text(UncertainDate.exact(birth, seireki=True).text)
            return text, self._iso(birth)
        return self._wareki(birth), self._iso(birth)

    def _number(self, value: int) -> Any:
        return self._numbers[value] if value < len(self._numbers) else self.enc.integer(value)

    def _address(self, address: SyntheticAddress) -> dict[str, Any]:
        text = self.enc.text
        town = address.town
        chome = address.chome
        banchi = address.street.removeprefix(CHOME[chome]) if chome else address.street
        oaza = self.address_codes.get(town.name, "")
        code = f"{oaza}{chome or 0:03d}" if oaza else ""
        # 住所: 都道府県・市区町村・町字・丁目; the 番地 in its own column (1.1.1)
        town_text = f"{address.prefecture}{address.city}{town.name}{CHOME[chome] if chome else ''}"
        return {
            "address": text(town_text),
            "banchi": text(banchi),
            "katagaki": text(address.katagaki or ""),
            "postcode": text(town.postcode),
            "address_code": text(code),
        }

    # -- one household ----------------------------------------------------------------------

    def household(self, household: SyntheticHousehold) -> HouseholdRows:
        """The rows of one household: history, projection, and a ``Household`` row for every
        世帯番号 its history names (the household itself and, for a head who grew up in the
        city, the parents' former household, which has no current member)."""
        persons = (*household.members, *household.removed_members)
        work = _Work(_Timeline(persons, self._display_name))
        finals: list[dict[str, Any]] = []
        for person in persons:
            state = self._person(person, work)
            finals.append(state)
            self.stats.max_atena_serial = max(self.stats.max_atena_serial, int(person.atena_no) // 10)
        ids = {number: self._next_household_id + offset for offset, number in enumerate(work.last_address)}
        self._next_household_id += len(ids)
        self.stats.max_household_serial = max(self.stats.max_household_serial, *(int(n) // 10 for n in ids))
        result = HouseholdRows(history=work.history)
        for state in finals:
            state["household_id"] = self.enc.integer(ids[state["_household_no"]])
            result.residents.append(self._resident(state))
        current = [s for s in finals if s["status"] != _REMOVED]
        for number, household_id in ids.items():
            members = [s for s in current if s["_household_no"] == number]
            result.households.append(self._household_row(number, household_id, members, work.last_address[number]))
        self._count(household, result)
        return result

    def _count(self, household: SyntheticHousehold, rows: HouseholdRows) -> None:
        stats = self.stats
        stats.residents += len(household.members)
        stats.removed += len(household.removed_members)
        stats.households += len(rows.households)
        stats.inactive_households += len(rows.households) - bool(household.members)
        stats.history_rows += len(rows.history)

    def _household_row(
        self, household_no: str, household_id: int, members: list[dict[str, Any]], last_address: dict[str, Any]
    ) -> Row:
        """As ``services.refresh_household`` leaves it: head = a current member with is_head;
        address of the head (or of the first member by 宛名番号), or — no current member — the
        address of the household's last current history row."""
        enc = self.enc
        members.sort(key=itemgetter("atena_no"))
        head = next((s for s in members if s["is_head"] == enc.true), None)
        anchor = head or (members[0] if members else last_address)
        values: dict[str, Any] = {
            "id": enc.integer(household_id),
            "household_no": enc.text(household_no),
            "head_atena_no": head["atena_no"] if head else self._empty,
            "head_name": head["_name"] if head else self._empty,
            "is_active": enc.true if members else enc.false,
        }
        values.update({key: anchor[key] for key in ("address", "address_code", "postcode", "banchi", "katagaki")})
        return self._household(values)

    def _cached_address(self, address: SyntheticAddress, work: _Work) -> dict[str, Any]:
        found = work.addresses.get(id(address))
        if found is None:
            found = work.addresses[id(address)] = self._address(address)
        return found

    def _display_name(self, person: SyntheticPerson) -> str:
        """氏名 as ``Resident.name`` shows it: 「氏　名」, else the alphabet name."""
        if person.foreign is None:
            return f"{person.surname}\u3000{person.given_name}"
        return person.foreign.kanji_name or person.foreign.alphabet_name

    # -- one person -------------------------------------------------------------------------

    def _person(self, person: SyntheticPerson, work: _Work) -> dict[str, Any]:
        """Appends the person's history rows to ``work``; returns the last state (= projection)."""
        enc = self.enc
        state = dict(self._base)
        state.update(self._static(person))
        events = person.events
        address_set = person.address_set_on
        if address_set > events[0].effective_on:
            address_set = person.became_resident_on
        previous = person.previous_address if events[0].kind in _FIRST_EVENTS_WITHOUT_MOVE_IN else None
        state["previous_address"] = enc.text(previous or "")
        name = state["_name"]
        history_row, out, timeline = self._history, work.history, work.timeline
        for number, event in enumerate(events, start=1):
            if event.kind is _RELOCATION and number > 1:
                state["moved_from_address"] = state["address"]
                state["moved_from_banchi"] = state["banchi"]
                state["moved_from_katagaki"] = state["katagaki"]
            address = self._cached_address(event.address, work)
            state.update(address)
            work.last_address[event.household_no] = address
            if event.kind in _ADDRESS_EVENTS:
                address_set = event.effective_on
            if event.previous_address is not None:
                state["previous_address"] = enc.text(event.previous_address)
            head = event.relationship.kind is _HEAD
            state.update(
                history_no=self._number(number),
                household_no=event.household_no,  # digits, and 続柄 from a fixed vocabulary: no escaping
                relationship=event.relationship.text,
                is_head=enc.true if head else enc.false,
                head_name=name if head else timeline.head_name(event.household_no, event.effective_on, enc.text),
                address_set_text=self._wareki(address_set),
                address_set_sort=self._iso(address_set),
            )
            self._event_metadata(state, event, timeline)
            out.append(history_row(state))
        state["_household_no"] = events[-1].household_no
        if person.removal is not None:
            self._removal(state, person, len(events) + 1)
            out.append(history_row(state))
        return state

    def _event_metadata(self, state: dict[str, Any], event: HistoryEvent, timeline: _Timeline) -> None:
        reason, initiation = EVENT_REASONS[event.kind]
        if event.kind is _HEAD_CHANGE and timeline.alone_after_death(event.effective_on):
            initiation = _EX_OFFICIO
        notified = self._iso(event.notified_on)
        state.update(
            reason=reason,
            category=_CATEGORY[reason],
            initiation=initiation,
            effective_text=self._wareki(event.effective_on),
            effective_sort=self._iso(event.effective_on),
            notified_on=notified,
            processed_on=notified,
        )

    def _removal(self, state: dict[str, Any], person: SyntheticPerson, number: int) -> None:
        """消除: 死亡 (職権) or 転出 (届出; 国外 when the 転出先 is not in Japan)."""
        removal = person.removal
        assert removal is not None
        enc = self.enc
        moving = removal.kind is RemovalKind.MOVE_OUT
        destination = removal.destination or ""
        if not moving:
            reason, initiation = "death", _EX_OFFICIO
        else:
            abroad = not _PREFECTURE.match(destination)
            reason, initiation = ("abroad_move_out" if abroad else "domestic_move_out"), _NOTIFIED
        effective = self._iso(removal.effective_on)
        notified = self._iso(removal.notified_on)
        state.update(
            history_no=self._number(number),
            status=_REMOVED,
            removal_reason=enc.text(_LABEL[reason]),
            removed_text=self._wareki(removal.effective_on),
            removed_sort=effective,
            planned_move_out_on=effective if moving else enc.null,
            destination=enc.text(destination),
            reason=reason,
            category=_CATEGORY[reason],
            initiation=initiation,
            effective_text=self._wareki(removal.effective_on),
            effective_sort=effective,
            notified_on=notified,
            processed_on=notified,
        )

    def _static(self, person: SyntheticPerson) -> dict[str, Any]:
        """The items that do not change between a person's history rows."""
        enc = self.enc
        text = enc.text
        foreign = person.foreign is not None
        birth_text, birth_sort = self._birth(person, foreign)
        ciphertext, lookup = self.sealer.seal(person.individual_number, person.atena_no)
        name_key, given_key = name_keys(person.surname_kana, person.given_name_kana)
        values = {
            "_name": text(self._display_name(person)),
            "atena_no": text(person.atena_no),
            "nationality_kind": _NATIONALITY[person.nationality_kind],
            "surname": text(person.surname),
            "given_name": text(person.given_name),
            "furigana_surname": text(person.surname_kana),
            "furigana_given_name": text(person.given_name_kana),
            "furigana_status": _CONFIRMED,
            # the keys of every row, history included (a synthetic person keeps one name)
            "name_key": text(name_key),
            "given_name_key": text(given_key),
            "birth_text": birth_text,
            "birth_sort": birth_sort,
            "sex": _SEX[person.sex],
            "family_of": text(person.family_of or ""),
            "became_resident_text": self._wareki(person.became_resident_on),
            "became_resident_sort": self._iso(person.became_resident_on),
            "individual_number_ct": ciphertext,
            "individual_number_lookup": lookup,
            "resident_code": person.resident_code,
        }
        if person.foreign is None:
            values.update(
                honseki_kind=_HONSEKI if person.honseki else _HONSEKI_UNKNOWN,
                honseki=text(person.honseki or ""),
                koseki_head=text(person.koseki_head or ""),
            )
        else:
            values.update(self._foreign(person))
        return values

    def _foreign(self, person: SyntheticPerson) -> dict[str, Any]:
        """法30条の45 items; 氏名 is the alphabet name (and the 漢字氏名 where there is one);
        the katakana reading is kept for search, marked as not a recorded 振り仮名."""
        details = person.foreign
        assert details is not None
        text = self.enc.text
        surname, _, given = (details.kanji_name or "").partition("\u3000")
        landing = details.category in _LANDING
        since = details.became_foreign_resident_on
        return {
            "surname": text(surname),
            "given_name": text(given),
            "name_alphabet": text(details.alphabet_name),
            "furigana_status": _NOT_RECORDED,
            "alias": text(details.alias or ""),
            "alias_furigana": text(details.alias_kana or ""),
            "nationality": text(details.nationality),
            "foreign_resident_since_text": self._wareki(since),
            "foreign_resident_since_sort": self._iso(since),
            "residence_category": _CATEGORIES[details.category],
            "residence_status": text(details.status or ""),
            "period_of_stay": text("" if landing else details.period or ""),
            "landing_period": text(details.period or "" if landing else ""),
            "stay_expires_on": self._iso(details.expires_on),
            "residence_card_no": text(
                details.card_no or "" if details.category is ForeignCategory.MID_LONG_TERM else ""
            ),
            "special_permanent_cert_no": text(
                details.card_no or "" if details.category is ForeignCategory.SPECIAL_PERMANENT else ""
            ),
        }


class _Timeline:
    """Who headed a household on a given day, from the events of the persons of one
    synthetic household (their parents' household, not in the output, has no known head
    except a parent who lives here now)."""

    __slots__ = ("_deaths", "_people")

    def __init__(self, persons: Sequence[SyntheticPerson], display_name: Callable[[SyntheticPerson], str]) -> None:
        self._people = [
            (
                tuple((e.effective_on, e.household_no, e.relationship.kind is _HEAD) for e in p.events),
                p.removal.effective_on if p.removal is not None else None,
                display_name(p),
            )
            for p in persons
        ]
        self._deaths: dict[date, int] = {}
        for person in persons:
            for event in person.events:
                if event.kind is _HEAD_CHANGE:
                    self._deaths[event.effective_on] = self._deaths.get(event.effective_on, 0) + 1

    def head_name(self, household_no: str, day: date, encode: Callable[[str], Any]) -> Any:
        for states, removed_on, name in self._people:
            if removed_on is not None and removed_on <= day:
                continue
            current = None
            for on, number, head in states:
                if on > day:
                    break
                current = (number, head)
            if current is not None and current[1] and current[0] == household_no:
                return encode(name)
        return encode("")

    def alone_after_death(self, day: date) -> bool:
        """Only one member is left when the head died on ``day`` (4.0.4: head by 職権)."""
        return self._deaths.get(day, 0) == 1
