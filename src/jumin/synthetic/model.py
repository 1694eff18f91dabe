"""What the synthetic city generator produces: plain frozen values, no Django.

A city is a stream of :class:`SyntheticHousehold`.  A household holds its current
members (``members``, the residents counted by ``--residents``) and the persons removed
from it (``removed_members``, 除票: died or moved out).  A household whose members all
moved out is still yielded, with ``members`` empty, so its 世帯番号 and history exist.

Every person carries their past as :class:`HistoryEvent` snapshots in date order: after
each event the person lived at ``event.address`` with ``event.relationship`` to the
head.  The last event describes the current state (or the state just before the
removal, for a removed person).  A loader builds one history row per event, plus one
for the :class:`Removal`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from jumin.core.relationship import Kind, Relationship
from jumin.core.uncertain_date import UncertainDate

PREFECTURE = "埼玉県"
CITY = "上尾市"


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"

    @property
    def label(self) -> str:
        return "男" if self is Sex.MALE else "女"


class NationalityKind(StrEnum):
    JAPANESE = "japanese"
    FOREIGN = "foreign"


class ForeignCategory(StrEnum):
    """The 区分 of 住基法 第30条の45 a foreign resident falls in."""

    MID_LONG_TERM = "mid_long_term"  # 中長期在留者
    SPECIAL_PERMANENT = "special_permanent"  # 特別永住者
    TEMPORARY_REFUGE = "temporary_refuge"  # 一時庇護許可者
    PROVISIONAL_STAY = "provisional_stay"  # 仮滞在許可者
    TRANSITIONAL_BIRTH = "transitional_birth"  # 出生による経過滞在者
    TRANSITIONAL_NATIONALITY_LOSS = "transitional_nationality_loss"  # 国籍喪失による経過滞在者

    @property
    def label(self) -> str:
        return _CATEGORY_LABELS[self]


_CATEGORY_LABELS = {
    ForeignCategory.MID_LONG_TERM: "中長期在留者",
    ForeignCategory.SPECIAL_PERMANENT: "特別永住者",
    ForeignCategory.TEMPORARY_REFUGE: "一時庇護許可者",
    ForeignCategory.PROVISIONAL_STAY: "仮滞在許可者",
    ForeignCategory.TRANSITIONAL_BIRTH: "出生による経過滞在者",
    ForeignCategory.TRANSITIONAL_NATIONALITY_LOSS: "国籍喪失による経過滞在者",
}


class EventKind(StrEnum):
    """Why a history snapshot was written."""

    BIRTH = "birth"  # 出生: born while the mother lived in the city
    MOVE_IN = "move_in"  # 転入 from another municipality in Japan (previous_address set)
    MOVE_IN_FROM_ABROAD = "move_in_from_abroad"  # 国外転入 / 法30条の46転入 (previous_address = country)
    RELOCATION = "relocation"  # 転居 inside the city (the address changes)
    HEAD_CHANGE = "head_change"  # 世帯主変更 after the head died (relationship / head changes)
    FOREIGN_ENROLLMENT = "foreign_enrollment"  # 2012-07-09: 改正住基法 施行, first 住民票 of a foreigner
    NATIONALITY_LOSS = "nationality_loss"  # 国籍喪失: first event of the new foreign record

    @property
    def changes_address(self) -> bool:
        return self in _ADDRESS_EVENTS


_ADDRESS_EVENTS = frozenset({EventKind.BIRTH, EventKind.MOVE_IN, EventKind.MOVE_IN_FROM_ABROAD, EventKind.RELOCATION})


class RemovalKind(StrEnum):
    DEATH = "death"  # 死亡
    MOVE_OUT = "move_out"  # 転出 (destination set)


@dataclass(frozen=True, slots=True)
class Town:
    """One 町字 of the city.

    ``chome_count`` 0 means the town has no 丁目 and uses 地番 (「1234番地5」); otherwise
    addresses are 住居表示 「三丁目2番1号」 with 丁目 1..chome_count.  ``weight`` is the
    town's relative share of households.  ``code`` is the caller's key for the town (e.g.
    the 町字コード of its own table), passed through untouched.
    """

    name: str
    kana: str
    postcode: str
    chome_count: int = 0
    weight: float = 1.0
    code: str | None = None


@dataclass(frozen=True, slots=True)
class City:
    prefecture: str
    name: str
    towns: tuple[Town, ...]


@dataclass(frozen=True, slots=True)
class SyntheticAddress:
    """An address in the city: 町字 + 丁目 + 番地 (or 番・号) + 方書.

    ``street`` is what follows the town name: 「三丁目2番1号」 (住居表示 town) or
    「1234番地5」 (地番 town).  ``katagaki`` is the 方書 (building and room) or None.
    """

    prefecture: str
    city: str
    town: Town
    chome: int | None
    street: str
    katagaki: str | None = None

    @property
    def text(self) -> str:
        """「埼玉県上尾市本町三丁目2番1号」 — without the 方書."""
        return f"{self.prefecture}{self.city}{self.town.name}{self.street}"

    @property
    def full_text(self) -> str:
        """The address with its 方書 after a full-width space."""
        return self.text if self.katagaki is None else f"{self.text}\u3000{self.katagaki}"


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """One past change of a person; the state after it is ``address`` + ``relationship``
    in household ``household_no``.

    ``household_no`` is the person's household, except for the first events of a person
    who grew up in the city: they were born into (or, for the head's parents, headed)
    their parents' household, whose 世帯番号 is issued but which is not in the output.
    ``previous_address`` is the 転入前住所 of a MOVE_IN (a Japanese address) or a
    MOVE_IN_FROM_ABROAD (a country name); None for every other kind.
    """

    kind: EventKind
    effective_on: date
    notified_on: date
    address: SyntheticAddress
    relationship: Relationship
    household_no: str
    previous_address: str | None = None


@dataclass(frozen=True, slots=True)
class Removal:
    """消除 (the person is a 除票): died, or moved out to ``destination``."""

    kind: RemovalKind
    effective_on: date
    notified_on: date
    destination: str | None = None


@dataclass(frozen=True, slots=True)
class ForeignDetails:
    """The 法30条の45 items of a foreign resident.

    * ``category`` MID_LONG_TERM: ``status`` (在留資格), ``period`` (在留期間, 「3年」「1年3月」,
      「無期限」 for 永住者), ``expires_on`` (在留期間の満了の日, None for 永住者), ``card_no``
      (在留カード番号).
    * SPECIAL_PERMANENT: ``card_no`` (特別永住者証明書番号); no status, period or expiry.
    * TEMPORARY_REFUGE / PROVISIONAL_STAY: ``period`` (上陸期間 / 仮滞在期間) and its
      ``expires_on``; no card.
    * TRANSITIONAL_*: nothing else (その旨 only).

    ``alphabet_name`` is the name as on the card (surname first); ``kanji_name`` is the
    漢字氏名 of persons from 漢字圏; ``alias``/``alias_kana`` the 通称 (「金本　一郎」).
    """

    nationality: str
    alphabet_name: str
    kanji_name: str | None
    alias: str | None
    alias_kana: str | None
    category: ForeignCategory
    status: str | None
    period: str | None
    expires_on: date | None
    card_no: str | None
    became_foreign_resident_on: date


@dataclass(frozen=True, slots=True)
class SyntheticPerson:
    """One person of the city, current or removed.

    Names: ``surname``/``given_name`` are kanji for Japanese residents and the alphabet
    parts for foreign residents; ``*_kana`` are katakana furigana (for foreign residents
    a reading for search only).  ``birth`` is a ``date``, or an ``UncertainDate`` for a
    few very old Japanese residents (``birth_date`` is then its internal date: for age
    arithmetic and sorting only, never for display).

    ``honseki``/``koseki_head`` (本籍・筆頭者) are None for foreign residents.
    ``became_resident_on`` is the day the person came to live in the city (birth or
    move-in); ``address_set_on`` the day the current address was set; ``previous_address``
    the 転入前住所 of the last move-in (None for persons born in the city).
    ``family_of`` is the 宛名番号 of the 子 whose family a 子の妻/子の子 belongs to
    (standard spec 5.2 order), else None.
    """

    atena_no: str
    household_no: str
    nationality_kind: NationalityKind
    surname: str
    given_name: str
    surname_kana: str
    given_name_kana: str
    sex: Sex
    birth: date | UncertainDate
    birth_date: date
    relationship: Relationship
    honseki: str | None
    koseki_head: str | None
    became_resident_on: date
    address_set_on: date
    previous_address: str | None
    individual_number: str
    resident_code: str
    foreign: ForeignDetails | None
    events: tuple[HistoryEvent, ...]
    removal: Removal | None = None
    family_of: str | None = None

    @property
    def name(self) -> str:
        return f"{self.surname}\u3000{self.given_name}"

    @property
    def furigana(self) -> str:
        return f"{self.surname_kana}\u3000{self.given_name_kana}"

    @property
    def is_head(self) -> bool:
        return self.relationship.kind is Kind.HEAD

    @property
    def is_koseki_head(self) -> bool:
        """The person is the 筆頭者 of their own 戸籍 (orders 父母 in standard spec 5.2)."""
        return self.koseki_head is not None and self.koseki_head == self.name

    def age_on(self, day: date) -> int:
        """Completed years on ``day`` (from ``birth_date``)."""
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass(frozen=True, slots=True)
class SyntheticHousehold:
    """A 世帯: its number, current address and members (current and removed)."""

    household_no: str
    address: SyntheticAddress
    members: tuple[SyntheticPerson, ...]
    removed_members: tuple[SyntheticPerson, ...] = ()

    @property
    def is_current(self) -> bool:
        return bool(self.members)

    @property
    def head(self) -> SyntheticPerson | None:
        """The current head (None for a household whose members all left)."""
        return next((m for m in self.members if m.is_head), None)
