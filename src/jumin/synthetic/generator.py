"""The synthetic city: a deterministic stream of households.

:func:`generate_city` yields :class:`SyntheticHousehold` values one at a time, so a
city of a million residents never sits in memory.

Determinism: the city is cut into chunks of ``Options.chunk_size`` residents.  Chunk
``k`` draws from its own ``random.Random`` seeded with a string made of ``seed`` and
``k`` (string seeds are hashed with SHA-512, never with ``hash()``), in a fixed order,
and numbers its persons and households from its own serial range.  So the same
``residents``, ``seed``, ``today``, city and options give the same city whatever
``PYTHONHASHSEED`` is, and a loader may generate the chunks in parallel processes
(:func:`city_chunks`, :func:`generate_chunk`) and get exactly :func:`generate_city`'s
output.  宛名番号 and 世帯番号 therefore have gaps between chunks (numbers are never
reused anyway); 住民票コード, 個人番号 and card numbers come from one keyed permutation
of a city-wide serial, so they are unique across chunks.

Rules:

* Exactly ``residents`` current residents are produced.  Persons removed from the
  register (除票: died or moved out) come on top, about ``removed_share`` of the
  residents, inside the households they left; households that moved out as a whole
  are yielded with no current members.
* About ``foreign_share`` of the residents are foreign (by error diffusion, so the
  share holds at every size); most live alone or with other foreigners, some are
  married to Japanese residents.
* A person's history starts when they came to the city: born here (出生), moved in
  (転入, 転入前住所), or — for foreigners already here — on 2012-07-09, when foreign
  residents entered the register.  A household may have moved inside the city once
  (転居).  A head who died leaves a 世帯主変更 in the survivors' history.  Persons born
  here who set up their own household have a birth at their parents' address (another
  household, not in the output) and a 転居 into this one.
* No date is after ``today``; every person's events are in date order and after their
  birth; 届出 follows the event within 14 days (a 転出届 precedes the move).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

import jumin.synthetic.composition as comp
import jumin.synthetic.foreign as fgn
from jumin.core.check_digits import RemainderOnePolicy, ResidentCodeFormula
from jumin.core.wareki import EraTable
from jumin.synthetic.addresses import Homes
from jumin.synthetic.composition import Member
from jumin.synthetic.household import HouseholdBuilder, Tools
from jumin.synthetic.model import City, RemovalKind, Sex, SyntheticHousehold, SyntheticPerson
from jumin.synthetic.names import NamePicker, japanese_names
from jumin.synthetic.numbers import RandomNumbers, SerialNumbers
from jumin.synthetic.places import OutsidePlaces, default_city, places_by_region

# Serials reserved per chunk, in multiples of the chunk size: persons (current + removed,
# with room for skipped check digits) and households (plus former parents' households).
_PERSON_SERIALS_PER_RESIDENT = 2
_HOUSEHOLD_SERIALS_PER_RESIDENT = 4
_FIRST_VALID_TODAY = date(2013, 1, 1)


@dataclass(frozen=True, slots=True)
class Options:
    """Knobs of the generator; the defaults describe 上尾市.

    ``m11_policy`` and ``resident_code_formula`` must match the register's settings
    (``JUMIN_M11_REMAINDER_ONE``, ``JUMIN_RESIDENT_CODE_FORMULA``) so that the loaded
    numbers validate there.  ``chunk_size`` is part of the city's identity: another
    chunk size gives another (equally valid) city.
    """

    foreign_share: float = 0.025
    removed_share: float = 0.04
    atena_width: int = 10
    household_width: int = 10
    m11_policy: RemainderOnePolicy = RemainderOnePolicy.ZERO
    resident_code_formula: ResidentCodeFormula = ResidentCodeFormula.A
    chunk_size: int = 50_000

    def __post_init__(self) -> None:
        if not 0 <= self.foreign_share <= 0.5 or not 0 <= self.removed_share <= 0.5:
            raise ValueError("foreign_share and removed_share must be between 0 and 0.5")
        if not 4 <= self.atena_width <= 13 or not 4 <= self.household_width <= 13:
            raise ValueError("number widths must be between 4 and 13 digits")
        if self.chunk_size < 100:
            raise ValueError("chunk_size must be at least 100")


@dataclass(frozen=True, slots=True)
class Chunk:
    """Part ``index`` of a city: ``residents`` current residents."""

    index: int
    residents: int


def city_chunks(residents: int, options: Options | None = None) -> list[Chunk]:
    """The chunks :func:`generate_city` is made of, in order."""
    if residents < 0:
        raise ValueError("residents must not be negative")
    size = (options or Options()).chunk_size
    return [Chunk(index, min(size, residents - start)) for index, start in enumerate(range(0, residents, size))]


def generate_city(
    residents: int,
    *,
    seed: int,
    today: date,
    city: City | None = None,
    options: Options | None = None,
) -> Iterator[SyntheticHousehold]:
    """Yield the households of a city of exactly ``residents`` current residents."""
    options = options or Options()
    chunks = city_chunks(residents, options)
    _check_today(today)
    city = city or default_city()
    _check_city(city)
    return _chain(generate_chunk(chunk, seed=seed, today=today, city=city, options=options) for chunk in chunks)


def generate_chunk(
    chunk: Chunk,
    *,
    seed: int,
    today: date,
    city: City | None = None,
    options: Options | None = None,
) -> Iterator[SyntheticHousehold]:
    """Yield the households of one chunk (independent of every other chunk)."""
    _check_today(today)
    city = city or default_city()
    _check_city(city)
    return _ChunkBuilder(chunk, seed, today, city, options or Options()).households()


def warm_up(city: City | None = None) -> None:
    """Load the name and place data now (about a second, once per process)."""
    city = city or default_city()
    japanese_names()
    places_by_region((city.prefecture, city.name))


def iter_persons(households: Iterable[SyntheticHousehold]) -> Iterator[SyntheticPerson]:
    """Every person of the stream, current and removed, household by household."""
    for household in households:
        yield from household.members
        yield from household.removed_members


def _chain(parts: Iterator[Iterator[SyntheticHousehold]]) -> Iterator[SyntheticHousehold]:
    for part in parts:
        yield from part


def _check_today(today: date) -> None:
    if today < _FIRST_VALID_TODAY:
        raise ValueError("today must be after the 2012 register reform (2013 or later)")


def _check_city(city: City) -> None:
    if not city.towns:
        raise ValueError("the city needs at least one town")


class _ChunkBuilder:
    def __init__(self, chunk: Chunk, seed: int, today: date, city: City, options: Options) -> None:
        rng = random.Random(f"jumin.synthetic:{seed}:{chunk.index}")  # noqa: S311 - synthetic data, not secrets
        keys = random.Random(f"jumin.synthetic:{seed}:numbers")  # noqa: S311
        size = options.chunk_size
        persons = chunk.index * size * _PERSON_SERIALS_PER_RESIDENT
        households = chunk.index * size * _HOUSEHOLD_SERIALS_PER_RESIDENT
        self.chunk = chunk
        self.rng = rng
        self.options = options
        self.tools = Tools(
            rng=rng,
            today=today,
            city=city,
            names=NamePicker(),
            outside=OutsidePlaces(rng, (city.prefecture, city.name)),
            homes=Homes(city),
            atena=SerialNumbers(
                options.atena_width, options.m11_policy, persons + 1, persons + size * _PERSON_SERIALS_PER_RESIDENT
            ),
            household_nos=SerialNumbers(
                options.household_width,
                options.m11_policy,
                households + 1,
                households + size * _HOUSEHOLD_SERIALS_PER_RESIDENT,
            ),
            numbers=RandomNumbers(keys, options.resident_code_formula, persons),
            eras=EraTable.default(),
        )

    def households(self) -> Iterator[SyntheticHousehold]:
        made = foreign = removed = 0
        options, tools, residents = self.options, self.tools, self.chunk.residents
        while made < residents:
            remaining = residents - made
            if foreign + 0.5 < options.foreign_share * (made + 1):
                drafts = self._foreign_drafts(remaining)
            else:
                drafts = self._japanese_drafts(remaining)
            builder = HouseholdBuilder(tools, drafts, dissolve=None)
            household = builder.build()
            made += len(household.members)
            if builder.any_foreign:
                foreign += sum(1 for m in household.members if m.foreign is not None)
            removed += len(household.removed_members)
            yield household
            while removed < options.removed_share * made:
                kind, drafts = self._dissolved_drafts()
                household = HouseholdBuilder(tools, drafts, dissolve=kind).build()
                removed += len(household.removed_members)
                yield household

    # -- drafts -----------------------------------------------------------------------

    def _japanese_drafts(self, remaining: int) -> list[Member]:
        rng = self.rng
        size = min(comp.HOUSEHOLD_SIZE(rng), remaining)
        drafts = comp.JAPANESE_TEMPLATES[size](rng)(rng)
        if drafts[0].age >= 45 and len(drafts) >= 3 and drafts[1].rel is comp.WIFE and rng.random() < 0.12:
            drafts.append(_moved_out_child(rng, drafts))
        return drafts

    def _foreign_drafts(self, remaining: int) -> list[Member]:
        rng = self.rng
        for _ in range(20):
            drafts = fgn.FOREIGN_TEMPLATES(rng)(rng)
            if comp.current_size(drafts) <= remaining:
                return drafts
        return fgn.single(rng)

    def _dissolved_drafts(self) -> tuple[RemovalKind, list[Member]]:
        """A household that left as a whole: an old person who died, or movers."""
        rng = self.rng
        draw = rng.random()
        if draw < 0.15:
            age = comp.ELDERLY_HUSBAND_AGE(rng)
            return RemovalKind.DEATH, [Member(comp.HEAD, comp.single_sex(rng, age), age, anchor=-1)]
        if draw < 0.22:
            return RemovalKind.MOVE_OUT, fgn.single(rng)
        size = comp.HOUSEHOLD_SIZE(rng)
        if size == 1:
            return RemovalKind.MOVE_OUT, comp.single(rng)
        return RemovalKind.MOVE_OUT, comp.JAPANESE_TEMPLATES[min(size, 4)](rng)(rng)


def _moved_out_child(rng: random.Random, drafts: list[Member]) -> Member:
    """An adult child of the couple who has left home (a 除票 of this household)."""
    mother = drafts[1].age if drafts[1].sex is Sex.FEMALE else drafts[0].age
    age = max(18.0, min(mother - 21.0, 18.0 + rng.random() * 14.0))
    child = Member(comp.CHILD, Sex.MALE if rng.random() < 0.5 else Sex.FEMALE, age, anchor=1)
    child.moved_out = True
    return child
