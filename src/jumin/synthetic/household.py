"""One household from drafts: when everyone came, what happened since, who they are.

Timeline rules (day ordinals; ``t`` is today):

* The household was formed on F by its first member (the *leader*): moved in from
  elsewhere (転入), or — for about a fifth of Japanese heads — grew up in the city and
  moved out of their parents' home on F (出生 at the parents' address, then 転居).
  A household with children was formed before the first child was born here.
* A child born after its mother came is born here (出生); one born before came with her.
* A spouse came with the leader, or later by marriage (before their first child).  The
  head's parents, a 子の妻, 同居人 come on their own dates after F.
* The household may have moved once inside the city (転居 on R, from an old address).
* A late head died on D (in the last five years); the survivor became head (世帯主変更).
* A household that left as a whole did so on X (last three years), after every event.

The 転入前住所 is shared by members who came together (same ``group``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

import jumin.synthetic.composition as comp
import jumin.synthetic.foreign as fgn
import jumin.synthetic.foreign_data as fd
from jumin.core.relationship import Relationship
from jumin.core.uncertain_date import Pattern, UncertainDate
from jumin.core.wareki import EraTable
from jumin.synthetic.addresses import Homes
from jumin.synthetic.composition import Member
from jumin.synthetic.koseki import KosekiAssigner
from jumin.synthetic.model import (
    City,
    EventKind,
    ForeignCategory,
    ForeignDetails,
    HistoryEvent,
    NationalityKind,
    Removal,
    RemovalKind,
    Sex,
    SyntheticAddress,
    SyntheticHousehold,
    SyntheticPerson,
)
from jumin.synthetic.names import NamePicker
from jumin.synthetic.numbers import RandomNumbers, SerialNumbers
from jumin.synthetic.places import OutsidePlaces, honseki_street
from jumin.synthetic.sampling import pick

YEAR = 365.2425
ADULT = int(18 * YEAR)
ENROLLMENT_ORDINAL = fgn.ENROLLMENT_DAY.toordinal()
_ABROAD_FOR_JAPANESE = ("アメリカ合衆国", "中国", "シンガポール", "タイ", "英国", "ドイツ", "オーストラリア")
_FLAT_SHARE = {1: 0.6, 2: 0.33, 3: 0.25, 4: 0.18}
_JAPANESE_TENURE = comp.Bins(((0, 3, 25), (3, 10, 27), (10, 20, 20), (20, 35, 18), (35, 60, 10))).sampler()
_FOREIGN_TENURE = comp.Bins(((0, 1, 25), (1, 3, 30), (3, 8, 25), (8, 20, 15), (20, 40, 5))).sampler()
_UNCERTAIN_PATTERNS = (Pattern.MONTH_DAY_UNKNOWN, Pattern.DAY_UNKNOWN, Pattern.YEAR_ABOUT, Pattern.ESTIMATED_MONTH)
_SETTLED_STATUSES = frozenset({fd.SPECIAL_PERMANENT, fd.PERMANENT, fd.SPOUSE_OF_JAPANESE, fd.LONG_TERM})
_PARSED_NAMES = {
    n.name: tuple(tuple(tuple(entry.split(":")) for entry in pool) for pool in (n.surnames, n.male, n.female))
    for n in fd.NATIONALITIES
}
_EVENT_RANK = {kind: rank for rank, kind in enumerate(EventKind)}
_JAPANESE, _FOREIGN = NationalityKind.JAPANESE, NationalityKind.FOREIGN

Name = tuple[str, str, str, str, str | None]  # surname, given, their kana, kanji name of a foreigner


@dataclass(slots=True)
class Tools:
    """What every household of one city draws on (one seeded ``rng`` for all)."""

    rng: random.Random
    today: date
    city: City
    names: NamePicker
    outside: OutsidePlaces
    homes: Homes
    atena: SerialNumbers
    household_nos: SerialNumbers
    numbers: RandomNumbers
    eras: EraTable

    def between(self, low: int, high: int) -> int:
        """A day ordinal in [low, high] (``low`` when the range is empty)."""
        if high <= low:
            return low
        return low + int(self.rng.random() * (high - low + 1))

    def honseki(self) -> str:
        """A 本籍: in this city for about 3 in 10 households, elsewhere otherwise."""
        rng = self.rng
        if rng.random() < 0.3:
            town = pick(rng, self.city.towns)
            return f"{self.city.prefecture}{self.city.name}{town.name}{honseki_street(rng, town.chome_count)}"
        return self.outside.honseki(rng)

    def given_name(self, sex: Sex, birth_ordinal: int) -> tuple[str, str]:
        return self.names.given(self.rng, sex, int(birth_ordinal / YEAR) + 1)


class HouseholdBuilder:
    """Builds one household (see the module docstring for the timeline rules)."""

    def __init__(self, tools: Tools, drafts: list[Member], dissolve: RemovalKind | None) -> None:
        self.tools = tools
        self.rng = tools.rng
        self.drafts = drafts
        self.dissolve = dissolve
        self.t = t = tools.today.toordinal()
        self.births = [t - int(m.age * YEAR) for m in drafts]
        self.uncertain: dict[int, UncertainDate] = {}
        self.prev: dict[int, tuple[EventKind, str]] = {}
        self.parents_home: tuple[SyntheticAddress, str] | None = None
        self.parents_since = 0
        self.relocated_on: int | None = None
        self.died_on: int | None = None
        self.leaving: Removal | None = None
        self.notices: dict[int, date] = {}
        self.end = t
        self.has_died = any(m.died for m in drafts)
        self.any_foreign = any(m.foreign for m in drafts)
        self.leader = next(i for i, m in enumerate(drafts) if m.anchor == -1)

    def build(self) -> SyntheticHousehold:
        tools, rng, drafts = self.tools, self.rng, self.drafts
        self._uncertain_births()
        self._formation()
        if self.dissolve is not None:
            low = max(drafts[self.leader].arrival + 1, max(self.births) + 1, self.t - 3 * 365)
            self.end = tools.between(min(low, self.t), self.t)
        self._arrivals()
        if self.has_died and self.dissolve is None:
            low = max(max(m.arrival for m in drafts) + 1, self.t - 5 * 365)
            self.died_on = tools.between(min(low, self.t), self.t)
        first = min(m.arrival for m in drafts)
        if rng.random() < (0.18 if self.any_foreign else 0.22) and first + 60 < self.end:
            self.relocated_on = tools.between(first + 30, self.end - 1)
            self.old_address = tools.homes.somewhere(rng)
        self.address = self._home()
        self.household_no = tools.household_nos.issue()
        return self._assemble()

    # -- timeline ---------------------------------------------------------------------

    def _uncertain_births(self) -> None:
        """A few of the oldest Japanese residents have a birth date written as 不詳."""
        for index, member in enumerate(self.drafts):
            if member.age < 98 or member.foreign or self.rng.random() >= 0.25:
                continue
            eras = self.tools.eras
            wareki = eras.to_wareki(date.fromordinal(self.births[index]))
            pattern = pick(self.rng, _UNCERTAIN_PATTERNS)
            month = wareki.month if pattern in (Pattern.DAY_UNKNOWN, Pattern.ESTIMATED_MONTH) else None
            value = UncertainDate(pattern, wareki.era, wareki.year, month).validate(eras)
            internal = value.internal_date(eras)
            assert internal is not None
            self.uncertain[index] = value
            self.births[index] = internal.toordinal()

    def _formation(self) -> None:
        """F and the leader's origin: grew up here (``local``) or moved in (``move``)."""
        leader = self.leader
        member = self.drafts[leader]
        rng, t = self.rng, self.t
        birth = self.births[leader]
        local_chance = 0.6 if member.status == fd.SPECIAL_PERMANENT else 0.0 if member.foreign else 0.22
        if rng.random() < local_chance:
            kids = [
                self.births[i] for i, m in enumerate(self.drafts) if m.rel is comp.CHILD or m.rel is comp.GRANDCHILD
            ]
            high = min(t, *kids) if kids else t
            low = birth + int(20 * YEAR)
            if low <= high:
                member.arrival = self.tools.between(low, high)
                member.origin = "local"
                return
        tenure = (_FOREIGN_TENURE if member.foreign else _JAPANESE_TENURE)(rng)
        arrival = max(t - int(tenure * YEAR), birth + ADULT)
        if self.has_died:
            arrival = min(arrival, t - 400)
        member.arrival = min(arrival, t)
        member.origin = "move"
        member.group = leader

    def _arrivals(self) -> None:
        drafts, leader = self.drafts, self.leader
        formed = drafts[leader].arrival
        end = self.end
        for index, member in enumerate(drafts):  # members who came on their own first
            if member.anchor == -1 and index != leader:
                self._own_arrival(index, member, formed)
                member.arrival = min(member.arrival, end)
        for index, member in enumerate(drafts):  # then those who came with someone
            if member.anchor != -1:
                self._anchored_arrival(index, member, drafts[member.anchor])
                member.arrival = min(member.arrival, end)

    def _before_first_child(self, index: int) -> int:
        """The birth of the first child who came with member ``index`` (or ``end``)."""
        births = [self.births[i] for i, m in enumerate(self.drafts) if m.anchor == index]
        return min(births) if births else self.end

    def _own_arrival(self, index: int, member: Member, formed: int) -> None:
        """The head's parents, 子の妻, 同居人 and partners come on their own dates."""
        tools = self.tools
        adult = self.births[index] + ADULT
        rel = member.rel
        if rel is comp.FATHER or rel is comp.MOTHER:
            arrival = formed if self.rng.random() < 0.3 else tools.between(formed, self.end)
            member.arrival = max(arrival, adult)
            if self.drafts[self.leader].origin == "local":
                member.origin = "local_parent"
            elif member.arrival == formed:
                member.origin, member.group = "move", self.leader
            else:
                member.origin, member.group = "move", index
            return
        if rel is comp.CHILD_WIFE:
            low = max(formed, adult, self.births[member.family_of] + int(22 * YEAR))
            member.arrival = tools.between(low, min(self.end, self._before_first_child(index)))
        else:
            member.arrival = tools.between(max(formed, adult), self.end)
        member.origin, member.group = "move", index

    def _anchored_arrival(self, index: int, member: Member, anchor: Member) -> None:
        """Children come with (or are born to) their mother; spouses with or after the head."""
        birth = self.births[index]
        came = anchor.arrival
        rel = member.rel
        if rel is comp.CHILD or rel is comp.GRANDCHILD:
            if birth >= came:
                member.arrival, member.origin = birth, "birth"
            else:
                member.arrival, member.group = came, anchor.group
                member.origin = "move" if anchor.origin == "move" else "local"
            return
        adult = birth + ADULT
        if member.rel_before is not None or rel is comp.WIFE or rel is comp.HUSBAND:
            low, high = max(came, adult), min(self.end, self._before_first_child(index))
            if self.dissolve is None and low < high and self.rng.random() < 0.3:
                member.arrival, member.origin, member.group = self.tools.between(low, high), "move", index
                return
            member.arrival = low
            together = low == came and anchor.origin == "move"
            member.origin, member.group = "move", anchor.group if together else index
            return
        # siblings, and a mother who came with the father
        member.arrival = max(came, adult)
        member.origin = "move" if anchor.origin == "birth" else anchor.origin
        member.group = anchor.group

    def _home(self) -> SyntheticAddress:
        homes, rng = self.tools.homes, self.rng
        foreign = all(m.foreign for m in self.drafts)
        share = 0.85 if foreign else _FLAT_SHARE.get(comp.current_size(self.drafts), 0.08)
        if rng.random() >= share:
            return homes.house(rng)
        return homes.somewhere(rng) if self.dissolve is not None else homes.flat(rng)

    # -- persons ----------------------------------------------------------------------

    def _assemble(self) -> SyntheticHousehold:
        tools, drafts = self.tools, self.drafts
        atena = [tools.atena.issue() for _ in drafts]
        categories = self._foreign_categories() if self.any_foreign else {}
        names = self._names()
        koseki = KosekiAssigner(tools, drafts, self.births, names).assign()
        members: list[SyntheticPerson] = []
        removed: list[SyntheticPerson] = []
        for index in range(len(drafts)):
            person = self._person(index, atena, names[index], koseki[index], categories.get(index))
            (members if person.removal is None else removed).append(person)
        return SyntheticHousehold(self.household_no, self.address, tuple(members), tuple(removed))

    def _foreign_categories(self) -> dict[int, ForeignCategory]:
        categories = {}
        for index, member in enumerate(self.drafts):
            if member.foreign:
                category = fgn.category_for(member, self.rng, self.t - self.births[index])
                if category is ForeignCategory.TRANSITIONAL_NATIONALITY_LOSS:
                    member.nationality = fgn.nationality_loss_country(self.rng)
                categories[index] = category
        return categories

    def _names(self) -> list[Name]:
        """Japanese members share the family surname (unless ``own_surname``); foreign
        members take their nationality's names, children their father's surname."""
        tools, rng = self.tools, self.rng
        family = tools.names.surname(rng)
        head_surname: tuple[str, ...] = ()
        result: list[Name] = []
        for index, member in enumerate(self.drafts):
            if not member.foreign:
                own = tools.names.surname(rng) if member.own_surname else family
                given_kanji, given_kana = tools.given_name(member.sex, self.births[index])
                result.append((own[0], given_kanji, own[1], given_kana, None))
                continue
            assert member.nationality is not None
            surnames, male, female = _PARSED_NAMES[member.nationality.name]
            if index == 0 or member.own_surname or not head_surname:
                surname = pick(rng, surnames)
                head_surname = head_surname or surname
            else:
                surname = head_surname
            given = pick(rng, male if member.sex is Sex.MALE else female)
            kanji = f"{surname[2]}\u3000{given[2]}" if len(surname) == 3 and len(given) == 3 else None
            result.append((surname[0], given[0], surname[1], given[1].replace(" ", "\u3000"), kanji))
        return result

    def _person(
        self,
        index: int,
        atena: list[str],
        name: Name,
        koseki: tuple[str | None, str | None],
        category: ForeignCategory | None,
    ) -> SyntheticPerson:
        member = self.drafts[index]
        removal = self._removal(index, member)
        limit = self.t if removal is None else removal.effective_on.toordinal()
        events, became, address_set, previous = self._events(index, member, limit)
        foreign: ForeignDetails | None = None
        if category is not None:
            events, foreign = self._foreign(index, name, events, became, category)
        individual_number, resident_code = self.tools.numbers.person()
        birth_date = date.fromordinal(self.births[index])
        return SyntheticPerson(
            atena_no=atena[index],
            household_no=self.household_no,
            nationality_kind=_JAPANESE if foreign is None else _FOREIGN,
            surname=name[0],
            given_name=name[1],
            surname_kana=name[2],
            given_name_kana=name[3],
            sex=member.sex,
            birth=self.uncertain.get(index, birth_date) if self.uncertain else birth_date,
            birth_date=birth_date,
            relationship=member.rel,
            honseki=koseki[0],
            koseki_head=koseki[1],
            became_resident_on=date.fromordinal(became),
            address_set_on=date.fromordinal(address_set),
            previous_address=previous,
            individual_number=individual_number,
            resident_code=resident_code,
            foreign=foreign,
            events=events,
            removal=removal,
            family_of=atena[member.family_of] if member.family_of >= 0 else None,
        )

    def _removal(self, index: int, member: Member) -> Removal | None:
        """死亡 or 転出; a household that left as a whole shares one (one 届出, one 転出先)."""
        if self.dissolve is not None:
            if self.leaving is None:
                latest = max(m.arrival for m in self.drafts)
                self.leaving = self._new_removal(self.dissolve, self.end, latest, member)
            return self.leaving
        if member.died:
            assert self.died_on is not None
            return self._new_removal(RemovalKind.DEATH, self.died_on, member.arrival, member)
        if member.moved_out:
            t = self.t
            low = max(member.arrival + 1, self.births[index] + ADULT, t - 3 * 365)
            return self._new_removal(RemovalKind.MOVE_OUT, self.tools.between(min(low, t), t), member.arrival, member)
        return None

    def _new_removal(self, kind: RemovalKind, day: int, arrived: int, member: Member) -> Removal:
        """A death is notified within 7 days; a 転出届 up to 14 days before the move."""
        rng = self.rng
        if kind is RemovalKind.DEATH:
            notified = min(self.t, day + int(rng.random() * 7))
            return Removal(kind, date.fromordinal(day), date.fromordinal(notified))
        notified = max(arrived, day - int(rng.random() * 15))
        if member.foreign and member.nationality is not None and rng.random() < 0.5:
            destination = member.nationality.country or member.nationality.name
        else:
            destination = self.tools.outside.address(rng)
        return Removal(kind, date.fromordinal(day), date.fromordinal(notified), destination)

    # -- events -----------------------------------------------------------------------

    def _previous(self, member: Member) -> tuple[EventKind, str]:
        """The 転入前住所 of the member's arrival group (shared by those who came together)."""
        found = self.prev.get(member.group)
        if found is None:
            found = self.prev[member.group] = self._new_previous(member)
        return found

    def _new_previous(self, member: Member) -> tuple[EventKind, str]:
        rng = self.rng
        if member.foreign and member.nationality is not None:
            settled = member.status in _SETTLED_STATUSES
            if rng.random() < (0.3 if settled else 0.75):
                return EventKind.MOVE_IN_FROM_ABROAD, member.nationality.country or member.nationality.name
        elif rng.random() < 0.01:
            return EventKind.MOVE_IN_FROM_ABROAD, pick(rng, _ABROAD_FOR_JAPANESE)
        return EventKind.MOVE_IN, self.tools.outside.address(rng)

    def _parents(self) -> tuple[SyntheticAddress, str]:
        """The home (and 世帯番号) of the parents of a head who grew up in the city."""
        if self.parents_home is None:
            self.parents_home = (self.tools.homes.somewhere(self.rng), self.tools.household_nos.issue())
        return self.parents_home

    def _events(self, index: int, member: Member, limit: int) -> tuple[tuple[HistoryEvent, ...], int, int, str | None]:
        """(events up to ``limit``, became resident, address set, 転入前住所)."""
        arrival, birth, origin = member.arrival, self.births[index], member.origin
        t, random_ = self.t, self.rng.random
        fromordinal = date.fromordinal
        previous: str | None = None
        if origin == "birth":
            became = address_set = birth
            events = [self._event(EventKind.BIRTH, birth, member, None)]
        elif origin == "move":
            kind, previous = self._previous(member)
            became = address_set = arrival
            events = [self._event(kind, arrival, member, previous)]
        else:
            home, parents_no = self._parents()
            if origin == "local":
                became = birth
                rel: Relationship = comp.CHILD
                kind, first_previous = EventKind.BIRTH, None
            else:  # the head's parents lived in the city before the head was born
                became = self._parents_since(birth)
                kind, previous = self._previous(member)
                rel, first_previous = comp.HEAD if member.sex is Sex.MALE else comp.WIFE, previous
            notified = fromordinal(min(t, became + int(random_() * 14)))
            first = HistoryEvent(kind, fromordinal(became), notified, home, rel, parents_no, first_previous)
            events = [first, self._event(EventKind.RELOCATION, arrival, member, None)]
            address_set = arrival
        relocated = self.relocated_on
        if relocated is not None and arrival < relocated <= limit:
            events.append(self._event(EventKind.RELOCATION, relocated, member, None))
            address_set = relocated
        died = self.died_on
        if died is not None and not member.died and arrival < died <= limit:
            events.append(self._event(EventKind.HEAD_CHANGE, died, member, None, 7))
        if len(events) > 1:
            events.sort(key=_event_order)
        return tuple(events), became, address_set, previous

    def _parents_since(self, birth: int) -> int:
        """When the head's parents came to the city: before the head was born."""
        if not self.parents_since:
            head_born = self.births[self.leader]
            low = max(birth + int(20 * YEAR), head_born - int(8 * YEAR))
            self.parents_since = self.tools.between(min(low, head_born), head_born)
        return self.parents_since

    def _event(self, kind: EventKind, day: int, member: Member, previous: str | None, spread: int = 14) -> HistoryEvent:
        relocated, died = self.relocated_on, self.died_on
        address = self.old_address if relocated is not None and day < relocated else self.address
        rel = member.rel_before if member.rel_before is not None and died is not None and day < died else member.rel
        notified = self.notices.get(day)
        if notified is None:  # those who move together are notified together
            notified = self.notices[day] = date.fromordinal(min(self.t, day + int(self.rng.random() * spread)))
        return HistoryEvent(kind, date.fromordinal(day), notified, address, rel, self.household_no, previous)

    # -- foreign residents ------------------------------------------------------------

    def _foreign(
        self, index: int, name: Name, events: tuple[HistoryEvent, ...], became: int, category: ForeignCategory
    ) -> tuple[tuple[HistoryEvent, ...], ForeignDetails]:
        """A foreign record starts on 2012-07-09 at the earliest, or on a 国籍喪失."""
        member = self.drafts[index]
        if category is ForeignCategory.TRANSITIONAL_NATIONALITY_LOSS:
            since = self.tools.between(max(self.t - 59, events[-1].effective_on.toordinal()), self.t)
            events = self._starting(events, since, EventKind.NATIONALITY_LOSS)
        elif became < ENROLLMENT_ORDINAL:
            since = ENROLLMENT_ORDINAL
            events = self._starting(events, since, EventKind.FOREIGN_ENROLLMENT)
        else:
            since = became
        return events, self._foreign_details(index, member, name, category, since)

    def _starting(self, events: tuple[HistoryEvent, ...], day: int, kind: EventKind) -> tuple[HistoryEvent, ...]:
        """The events from ``day`` on, opened by a ``kind`` event in the state of that day."""
        on = date.fromordinal(day)
        before = [e for e in events if e.effective_on <= on]
        state = before[-1] if before else events[0]
        notified = on if kind is EventKind.FOREIGN_ENROLLMENT else date.fromordinal(min(self.t, day + 14))
        start = HistoryEvent(kind, on, notified, state.address, state.relationship, state.household_no)
        return (start, *(e for e in events if e.effective_on > on))

    def _foreign_details(
        self, index: int, member: Member, name: Name, category: ForeignCategory, since: int
    ) -> ForeignDetails:
        rng, today = self.rng, self.tools.today
        assert member.nationality is not None
        status = period = card = None
        expires: date | None = None
        start = date.fromordinal(max(since, self.births[index]))
        if category is ForeignCategory.MID_LONG_TERM:
            status = member.status if member.status in fd.PERIODS else fd.PERMANENT
            assert status is not None
            granted = fgn.status_period(rng, status)
            if granted is None:
                period = "無期限"
            else:
                years, months = granted
                period = fgn.period_text(years, months)
                expires = fgn.current_period(rng, years * 12 + months, today, start)
            card = self.tools.numbers.card(rng)
        elif category is ForeignCategory.SPECIAL_PERMANENT:
            card = self.tools.numbers.card(rng)
        elif category is ForeignCategory.TEMPORARY_REFUGE or category is ForeignCategory.PROVISIONAL_STAY:
            months = fgn.permit_months(rng, category)
            period = fgn.period_text(0, months)
            expires = fgn.current_period(rng, months, today, start)
        alias, alias_kana = self._alias(index, member, category)
        return ForeignDetails(
            nationality=member.nationality.name,
            alphabet_name=f"{name[0]} {name[1]}",
            kanji_name=name[4],
            alias=alias,
            alias_kana=alias_kana,
            category=category,
            status=status,
            period=period,
            expires_on=expires,
            card_no=card,
            became_foreign_resident_on=date.fromordinal(since),
        )

    def _alias(self, index: int, member: Member, category: ForeignCategory) -> tuple[str | None, str | None]:
        """通称: common among 特別永住者 and 韓国・朝鮮 nationals, rarer among others."""
        assert member.nationality is not None
        share = member.nationality.alias_share
        if category is ForeignCategory.SPECIAL_PERMANENT:
            share = max(share, 0.6)
        if member.age < 15 or self.rng.random() >= share:
            return None, None
        surname = self.tools.names.surname(self.rng)
        given = self.tools.given_name(member.sex, self.births[index])
        return f"{surname[0]}\u3000{given[0]}", f"{surname[1]}\u3000{given[1]}"


def _event_order(event: HistoryEvent) -> tuple[date, int]:
    return (event.effective_on, _EVENT_RANK[event.kind])
