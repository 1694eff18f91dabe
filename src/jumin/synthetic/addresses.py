"""Homes in the city: detached houses and flats in named buildings (方書).

Rules:

* A town is chosen by its weight; a house gets a random 住居表示 (「三丁目2番1号」) or
  地番 (「1234番地5」) in it.  Two households may share a house address (二世帯住宅).
* A flat is a room of a building.  A building has one name, one street address and a
  fixed set of rooms (「203」 = 2nd floor, room 3); each room is given out once.  A few
  buildings per town are "open" at a time and are dropped when full, so memory stays
  small however large the city.
* The 方書 spells the building and room in one of three styles, fixed per building:
  「コーポ春日　203号室」, 「春日ハイツ　203」, 「メゾン春日203号」.
"""

from __future__ import annotations

import random

from jumin.synthetic.model import City, SyntheticAddress, Town
from jumin.synthetic.places import street
from jumin.synthetic.sampling import Weighted, pick

_NAME_PATTERNS = (
    "コーポ{}",
    "{}ハイツ",
    "メゾン{}",
    "{}レジデンス",
    "グランドメゾン{}",
    "パークハイム{}",
    "サンライズ{}",
    "{}コート",
    "ライオンズマンション{}",
    "ドミール{}",
    "{}荘",
    "シャトレ{}",
    "ヴィラ{}",
    "{}ガーデン",
    "エクセル{}",
    "リバーサイド{}",
    "アーバン{}",
    "{}ヒルズ",
)
_WORDS = ("上尾", "さくら", "ひまわり", "グリーン", "みどり", "ふじ", "あおば", "サン", "ローズ", "けやき", "ポプラ")
_STYLES = ("{}\u3000{}号室", "{}\u3000{}", "{}{}号")
_OPEN_PER_TOWN = 4
# (share, floors low..high, rooms per floor low..high)
_SIZES = Weighted.of([((2, 2, 4, 6), 55.0), ((3, 5, 5, 8), 30.0), ((6, 14, 6, 10), 15.0)])


class _Building:
    __slots__ = ("chome", "name", "rooms", "street", "style")

    def __init__(self, name: str, chome: int | None, street_text: str, rooms: list[int], style: str) -> None:
        self.name = name
        self.chome = chome
        self.street = street_text
        self.rooms = rooms
        self.style = style


class Homes:
    """Hands out current homes; see the module docstring for the rules."""

    def __init__(self, city: City) -> None:
        if not city.towns:
            raise ValueError("the city needs at least one town")
        self._city = city
        self._pick_town = Weighted(list(city.towns), [t.weight for t in city.towns])
        self._open: dict[str, list[_Building]] = {}

    def house(self, rng: random.Random) -> SyntheticAddress:
        town = self._pick_town(rng)
        return self._address(rng, town, None)

    def flat(self, rng: random.Random) -> SyntheticAddress:
        town = self._pick_town(rng)
        buildings = self._open.setdefault(town.name, [])
        if len(buildings) < _OPEN_PER_TOWN or rng.random() < 0.05:
            buildings.append(self._new_building(rng, town))
            index = len(buildings) - 1
        else:
            index = int(rng.random() * len(buildings))
        building = buildings[index]
        room = building.rooms.pop()
        if not building.rooms:
            del buildings[index]
        katagaki = building.style.format(building.name, room)
        return SyntheticAddress(self._city.prefecture, self._city.name, town, building.chome, building.street, katagaki)

    def somewhere(self, rng: random.Random) -> SyntheticAddress:
        """A former address in the city (not reserved: someone else may live there now)."""
        town = self._pick_town(rng)
        if rng.random() < 0.35:
            room = (1 + int(rng.random() * 4)) * 100 + 1 + int(rng.random() * 6)
            katagaki = pick(rng, _STYLES).format(_building_name(rng, town), room)
            return self._address(rng, town, katagaki)
        return self._address(rng, town, None)

    def _address(self, rng: random.Random, town: Town, katagaki: str | None) -> SyntheticAddress:
        chome, text = street(rng, town.chome_count)
        return SyntheticAddress(self._city.prefecture, self._city.name, town, chome, text, katagaki)

    def _new_building(self, rng: random.Random, town: Town) -> _Building:
        chome, text = street(rng, town.chome_count)
        floors_low, floors_high, per_floor_low, per_floor_high = _SIZES(rng)
        floors = floors_low + int(rng.random() * (floors_high - floors_low + 1))
        per_floor = per_floor_low + int(rng.random() * (per_floor_high - per_floor_low + 1))
        rooms = [floor * 100 + number for floor in range(1, floors + 1) for number in range(1, per_floor + 1)]
        rng.shuffle(rooms)
        return _Building(_building_name(rng, town), chome, text, rooms, pick(rng, _STYLES))


def _building_name(rng: random.Random, town: Town) -> str:
    draw = rng.random()
    word = town.name if draw < 0.6 else pick(rng, _WORDS)
    name = pick(rng, _NAME_PATTERNS).format(word)
    if rng.random() < 0.15:
        name += pick(rng, ("第2", "2番館", "A棟", "B棟", "東館", "西館"))
    return name
