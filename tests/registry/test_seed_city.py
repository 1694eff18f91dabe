"""``jumin seed-city``: the synthetic city loaded into the register (history rows, projection,
households, sealed 個人番号, spare codes, number sequences), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from datetime import date
from io import StringIO
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError

from jumin.accounts.models import User
from jumin.addresses.models import Town
from jumin.addresses.services import import_towns, update_town
from jumin.audit.models import OperationLog
from jumin.bench.seed_bench import seed_city_scenario
from jumin.bench_harness import Context
from jumin.conf.domain import resident_code_formula
from jumin.core.check_digits import (
    individual_number_check_digit,
    is_valid_individual_number,
    validate_m11,
    validate_resident_code,
)
from jumin.core.errors import DomainError
from jumin.core.kana import search_key
from jumin.core.reasons import REASONS
from jumin.registry.models import (
    Household,
    Movement,
    MovementItem,
    NumberSequence,
    Resident,
    ResidentHistory,
    SpareResidentCode,
    Status,
)
from jumin.registry.numbers import (
    NumberSealer,
    individual_number_lookup,
    open_individual_number,
    seal_individual_number,
)
from jumin.registry.seed_rows import name_keys
from jumin.registry.seeding import (
    SEED_USERNAME,
    TODAY,
    RegisterNotEmptyError,
    fill_chome_counts,
    generator_options,
    seed_city,
    synthetic_city,
)
from jumin.registry.services import rebuild_projection
from jumin.registry.snapshots import snapshot_of
from jumin.synthetic import SyntheticPerson, generate_city, iter_persons
from tests.registry.conftest import final, move_in_data, person

pytestmark = pytest.mark.django_db

RESIDENTS = 300
SEED = 7
DIGIT_RUN = re.compile(r"[0-9]{12,}")


@pytest.fixture
def city() -> dict[str, SyntheticPerson]:
    """Seed the register; return the generator's persons by 宛名番号 (the expected values)."""
    seed_city(RESIDENTS, seed=SEED)
    households = generate_city(RESIDENTS, seed=SEED, today=TODAY, city=synthetic_city(), options=generator_options())
    return {p.atena_no: p for p in iter_persons(households)}


def test_exactly_n_current_residents_with_valid_unique_numbers(city: dict[str, SyntheticPerson]) -> None:
    current = Resident.objects.filter(status=Status.CURRENT)
    assert current.count() == RESIDENTS
    assert Resident.objects.count() == len(city) > RESIDENTS  # 除票 on top
    formula = resident_code_formula()
    codes = list(Resident.objects.values_list("resident_code", flat=True))
    assert len(set(codes)) == len(codes)
    for resident in Resident.objects.all():
        validate_m11(resident.atena_no)
        validate_m11(resident.household_no, label="世帯番号")
        validate_resident_code(resident.resident_code, formula)
    cards = [c for c in Resident.objects.values_list("residence_card_no", flat=True) if c]
    assert cards and len(set(cards)) == len(cards)
    assert not set(codes) & set(SpareResidentCode.objects.values_list("code", flat=True))


def test_history_rows_end_in_the_projection(city: dict[str, SyntheticPerson]) -> None:
    movement = Movement.objects.get()
    assert (movement.kind, movement.reason, movement.state, movement.initiation) == (
        "migration",
        "ex_officio_add",
        Movement.State.FINAL,
        "ex_officio",
    )
    seeder = User.objects.get(username=SEED_USERNAME)
    assert movement.entered_by == seeder and not seeder.is_active and not seeder.has_usable_password()
    rows: dict[str, list[ResidentHistory]] = defaultdict(list)
    for row in ResidentHistory.objects.order_by("atena_no", "history_no"):
        rows[row.atena_no].append(row)
    assert set(rows) == set(city)
    assert ResidentHistory.objects.exclude(movement=movement).count() == 0
    for resident in Resident.objects.all():
        history = rows[resident.atena_no]
        assert (
            [r.history_no for r in history]
            == list(range(1, len(history) + 1))
            == list(range(1, len(city[resident.atena_no].events) + 1 + (resident.status == Status.REMOVED)))
        )
        assert snapshot_of(history[-1]) == snapshot_of(resident)
        assert resident.history_no == history[-1].history_no
        for row in history:
            assert REASONS[row.reason].category.value == row.category
        assert (history[-1].status == Status.REMOVED) == (resident.status == Status.REMOVED)


def test_households_are_consistent(city: dict[str, SyntheticPerson]) -> None:
    members: dict[int, list[Resident]] = defaultdict(list)
    for resident in Resident.objects.filter(status=Status.CURRENT):
        assert resident.household_id is not None
        members[resident.household_id].append(resident)
    for household in Household.objects.all():
        current = members.get(household.pk, [])
        assert household.is_active == bool(current)
        assert all(m.household_no == household.household_no for m in current)
        heads = [m for m in current if m.is_head]
        assert len(heads) <= 1
        assert household.head_atena_no == (heads[0].atena_no if heads else "")
        assert household.head_name == (heads[0].name if heads else "")
        for member in current:
            assert member.head_name == household.head_name
            assert (member.address, member.banchi, member.katagaki, member.postcode) == (
                household.address,
                household.banchi,
                household.katagaki,
                household.postcode,
            )
            # 住所 is 町字 and 丁目; the 番地 is in its own column (1.1.1)
            assert member.banchi and not any(ch.isdigit() for ch in member.address), member.address
    assert sum(len(m) for m in members.values()) == RESIDENTS
    assert Household.objects.filter(is_active=False).exists()  # households that left as a whole
    assert all(r.household_id is not None for r in Resident.objects.all())


def test_generator_items_land_in_their_fields(city: dict[str, SyntheticPerson]) -> None:
    foreign_seen = japanese_seen = 0
    for resident in Resident.objects.all():
        person = city[resident.atena_no]
        assert resident.household_no == person.household_no
        assert resident.relationship == person.relationship.text
        assert resident.is_head == person.is_head
        assert resident.resident_code == person.resident_code
        assert resident.furigana_surname == person.surname_kana
        assert resident.furigana_given_name == person.given_name_kana
        assert resident.became_resident_sort == person.became_resident_on
        assert resident.address_set_sort == person.address_set_on
        assert resident.previous_address == (person.previous_address or "")
        assert resident.family_of == (person.family_of or "")
        assert resident.sex == ("1" if person.sex.value == "male" else "2")
        assert resident.birth_sort == person.birth_date
        assert resident.name_key == search_key(resident.furigana)
        assert resident.given_name_key == search_key(resident.furigana_given_name)
        if person.removal is not None:
            assert resident.removed_sort == person.removal.effective_on
            assert resident.destination == (person.removal.destination or "")
        if person.foreign is None:
            japanese_seen += 1
            assert (resident.surname, resident.given_name) == (person.surname, person.given_name)
            assert resident.furigana_status == "confirmed"
            assert (resident.honseki, resident.koseki_head) == (person.honseki, person.koseki_head)
            assert resident.birth_text.startswith(("明治", "大正", "昭和", "平成", "令和"))
        else:
            foreign_seen += 1
            details = person.foreign
            assert resident.name_alphabet == details.alphabet_name
            assert resident.furigana_status == "not_recorded"
            assert resident.nationality == details.nationality
            assert resident.birth_text.startswith(str(person.birth_date.year))
            assert resident.foreign_resident_since_sort == details.became_foreign_resident_on
            assert resident.stay_expires_on == details.expires_on
            assert (details.card_no or "") in (resident.residence_card_no, resident.special_permanent_cert_no)
            assert resident.alias == (details.alias or "")
    assert foreign_seen and japanese_seen


def test_individual_numbers_are_sealed_never_plain(city: dict[str, SyntheticPerson]) -> None:
    plain = {p.individual_number for p in city.values()}
    for resident in Resident.objects.all():
        number = open_individual_number(resident.individual_number_ct, resident.atena_no)
        assert number == city[resident.atena_no].individual_number
        assert is_valid_individual_number(number)
        assert resident.individual_number_lookup == individual_number_lookup(number)
    for model in (ResidentHistory, Resident, Household, Movement, MovementItem, OperationLog):
        for values in model.objects.values_list():
            for run in DIGIT_RUN.findall(" ".join(map(str, values))):
                assert not any(run[i : i + 12] in plain for i in range(len(run) - 11))


def test_rebuild_projection_reproduces_the_seeded_projection(city: dict[str, SyntheticPerson]) -> None:
    def residents() -> dict[str, Any]:
        return {
            r.atena_no: (snapshot_of(r), r.history_no, r.name_key, r.given_name_key, r.household.household_no)
            for r in Resident.objects.select_related("household")
        }

    def households() -> dict[str, Any]:
        # rebuild_projection recreates a household without current members with a blank address
        # (services.refresh_household); the seed keeps its last address, as approval does.
        return {
            h.household_no: (h.head_atena_no, h.head_name, h.is_active)
            + ((h.address, h.address_code, h.postcode, h.katagaki) if h.is_active else ())
            for h in Household.objects.all()
        }

    before = residents(), households()
    assert rebuild_projection() == len(city)
    assert (residents(), households()) == before


def test_refuses_a_register_with_residents_unless_replace() -> None:
    first = seed_city(120, seed=1)
    with pytest.raises(RegisterNotEmptyError):
        seed_city(120, seed=2)
    second = seed_city(150, seed=2, replace=True)
    assert Resident.objects.filter(status=Status.CURRENT).count() == 150
    assert Movement.objects.get().movement_no == second.movement_no != first.movement_no
    assert ResidentHistory.objects.count() == second.history_rows
    assert SpareResidentCode.objects.count() == second.spare_codes
    actions = list(OperationLog.objects.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == ["registry.seed_city", "registry.clear", "registry.seed_city"]


def test_the_command() -> None:
    out = StringIO()
    call_command("seed_city", residents=80, seed=3, force=True, stdout=out)
    assert "住民（現存）" in out.getvalue() and "80 人" in out.getvalue()
    with pytest.raises(CommandError, match="--replace"):
        call_command("seed_city", residents=80, force=True, stdout=StringIO())
    quiet = StringIO()
    call_command("seed_city", residents=90, if_empty=True, force=True, stdout=quiet)
    assert quiet.getvalue() == "" and Resident.objects.filter(status=Status.CURRENT).count() == 80
    call_command("seed_city", residents=90, replace=True, force=True, stdout=StringIO())
    assert Resident.objects.filter(status=Status.CURRENT).count() == 90
    with pytest.raises(CommandError, match="1人以上"):
        call_command("seed_city", residents=0, replace=True, force=True, stdout=StringIO())
    with pytest.raises(CommandError, match="2013年"):
        call_command("seed_city", residents=10, today=date(2012, 12, 31), replace=True, force=True, stdout=StringIO())
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_city", residents=10, replace=True, stdout=StringIO())


def test_same_size_and_seed_give_the_same_city() -> None:
    def content() -> list[Any]:
        skip = {"individual_number_ct"}
        return [
            {k: v for k, v in snapshot_of(r).items() if k not in skip}
            for r in ResidentHistory.objects.order_by("atena_no", "history_no")
        ]

    seed_city(100, seed=5)
    first = content()
    seed_city(100, seed=5, replace=True)
    assert content() == first
    seed_city(100, seed=6, replace=True)
    assert content() != first


def test_movements_after_seeding_get_fresh_numbers(counter: User, reviewer: User) -> None:
    seed_city(RESIDENTS, seed=SEED)
    used_atena = set(ResidentHistory.objects.values_list("atena_no", flat=True))
    used_households = set(ResidentHistory.objects.values_list("household_no", flat=True))
    atena_serial = NumberSequence.objects.get(name="atena_no").last
    assert atena_serial >= max(int(a) // 10 for a in used_atena)
    assert NumberSequence.objects.get(name="household_no").last >= max(int(h) // 10 for h in used_households)
    seeded_codes = set(Resident.objects.values_list("resident_code", flat=True))
    movement = final(
        "move_in", move_in_data(person(), person(given_name="花子", sex="2", relationship="妻")), counter, reviewer
    )
    for item in movement.items.all():
        resident = Resident.objects.get(atena_no=item.atena_no)
        assert resident.atena_no not in used_atena and resident.household_no not in used_households
        assert resident.resident_code not in seeded_codes
        validate_m11(resident.atena_no)
    seeded_head = Resident.objects.filter(status=Status.CURRENT, is_head=True).order_by("atena_no").first()
    assert seeded_head is not None
    death = final(
        "death",
        {"atena_nos": [seeded_head.atena_no], "effective": "R8.11.20"},
        counter,
        reviewer,
        acknowledged=("household.head_by_ex_officio", "household.headless"),
    )
    row = ResidentHistory.objects.get(movement=death, atena_no=seeded_head.atena_no)
    assert row.history_no == seeded_head.history_no + 1 and row.status == Status.REMOVED


@pytest.mark.parametrize(
    ("surname", "given"),
    [
        ("サトウ", "ウメ"),
        ("コウノ", "ウタ"),
        ("タナカ", "ユウコ"),
        ("グエン", "ヴァン\u3000アン"),
        ("", ""),
        ("ヨシダ", "ォト"),
    ],
)
def test_name_keys_equal_the_search_key_of_the_full_name(surname: str, given: str) -> None:
    full = f"{surname}\u3000{given}".strip("\u3000")
    assert name_keys(surname, given) == (search_key(full), search_key(given))


def test_the_batch_sealer_is_interchangeable_with_the_single_one() -> None:
    sealer = NumberSealer()
    for body in ("12345678901", "00000000001", "98765432109"):
        number = body + individual_number_check_digit(body)
        ciphertext, lookup = sealer.seal(number, "0000000019")
        assert open_individual_number(ciphertext, "0000000019") == number
        assert lookup == seal_individual_number(number, "0000000019")[1] == individual_number_lookup(number)
    assert sealer.seal("123456789018", "1")[0] != sealer.seal("123456789018", "1")[0]  # a fresh nonce each time
    with pytest.raises(DomainError):
        sealer.seal("１２３４５６７８９０１８", "1")


def test_a_failing_write_rolls_the_whole_seed_back() -> None:
    Household.objects.create(household_no="0000000019", address="埼玉県上尾市本町一丁目1番1号")  # the city's first
    with pytest.raises((DatabaseError, psycopg.Error, sqlite3.Error)):
        seed_city(RESIDENTS, seed=1)
    assert not Resident.objects.exists() and not ResidentHistory.objects.exists() and not Movement.objects.exists()
    assert Household.objects.count() == 1


def test_the_bench_scenario_measures_and_leaves_the_database_as_it_was() -> None:
    figures = {f.metric: f.value for f in seed_city_scenario(Context(residents=60, seed=1, engine="test"))}
    assert figures["seed_total"] > 0 and figures["raw_copy_total"] > 0 and figures["seed_over_raw_copy"] > 0
    assert figures["rows"] > 60 and figures["peak_rss"] > 0
    assert not Resident.objects.exists() and not ResidentHistory.objects.exists() and not Movement.objects.exists()
    seed_city(10, seed=1)
    with pytest.raises(CommandError):
        list(seed_city_scenario(Context(residents=60, seed=1, engine="test")))


def test_a_register_with_only_archived_persons_is_not_empty() -> None:
    from django.utils import timezone

    from jumin.registry.models import ArchivedResident
    from jumin.registry.seeding import register_is_empty

    assert register_is_empty()
    archived = {"atena_no": "0000000019", "history_no": 2, "status": Status.REMOVED}
    ArchivedResident.objects.create(**archived, updated_at=timezone.now())
    assert not register_is_empty()
    with pytest.raises(RegisterNotEmptyError):
        seed_city(10, seed=1)


@pytest.mark.django_db
def test_the_address_master_learns_the_chome_of_the_synthetic_towns() -> None:
    """The demo's postcode offers the 丁目 its residents live in (issue 17); a count staff set stays."""
    import_towns()
    city = synthetic_city()
    with_chome = [t for t in city.towns if t.chome_count and Town.objects.filter(name=t.name, has_chome=True).exists()]
    assert len(with_chome) >= 2
    kept = update_town(Town.objects.get(name=with_chome[0].name), chome_count=9)
    assert fill_chome_counts(city) >= 1
    assert Town.objects.get(pk=kept.pk).chome_count == 9
    learned = Town.objects.get(name=with_chome[1].name)
    assert learned.chome_count == with_chome[1].chome_count
    assert not Town.objects.filter(has_chome=False).exclude(chome_count=0).exists()
