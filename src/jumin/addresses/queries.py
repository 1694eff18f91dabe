"""Readers of the address master: postcode → address, kana-prefix entry, the drill-down
都道府県 → 市区町村 → 町域 (spec 1.3.3), our towns, and the 方書 suggested for a 番地 (4.0.7).

The master holds no personal data, so no permission check or access log is needed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet

from jumin.addresses.models import Building, Municipality, PostalEntry, Town
from jumin.core.address import chome_text, normalize_banchi_input, normalize_postcode, read_address_query
from jumin.core.errors import DomainError
from jumin.core.kana import search_key

DEFAULT_LIMIT = 50
_PARTS = re.compile(r"[\s\u3000]+")
# Kana-prefix entry: which key each space-separated part narrows, by number of parts.
_LEVELS = {
    1: ("locality_key",),
    2: ("municipality_key", "town_key"),
    3: ("prefecture_key", "municipality_key", "town_key"),
}


@dataclass(frozen=True)
class Prefecture:
    code: str
    name: str
    kana: str


def _entries(include_retired: bool) -> QuerySet[PostalEntry]:
    entries = PostalEntry.objects.all()
    return entries if include_retired else entries.filter(is_current=True)


def _prefix(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix``.  PostgreSQL answers LIKE 'x%' from a
    ``varchar_pattern_ops`` index; SQLite uses an index only for a range, so the equivalent
    code-point range is added there."""
    condition = Q(**{f"{field}__startswith": prefix})
    if connection.vendor == "sqlite":
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        condition &= Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})
    return condition


def entries_by_postcode(postcode: str, *, include_retired: bool = False) -> list[PostalEntry]:
    """Postcode → address auto-fill (spec 1.3.3, 1.1.17): every 町域 with that postcode."""
    code = normalize_postcode(postcode)
    return list(_entries(include_retired).filter(postcode=code).order_by("lg_code5", "town_kana", "id"))


def entries_by_kana(text: str, *, include_retired: bool = False, limit: int = DEFAULT_LIMIT) -> list[PostalEntry]:
    """Kana-prefix entry (spec 1.3.3, 「ト ヒ シ」).  One part is a prefix of 市区町村＋町域
    (「アゲオシアズ」); two parts narrow 市区町村 and 町域; three parts 都道府県, 市区町村 and
    町域.  Matching uses the fuzzy search key (濁点, small kana and 長音 are ignored)."""
    parts = [search_key(part) for part in _PARTS.split(text.strip()) if part]
    parts = [part for part in parts if part]
    if not parts or len(parts) > len(_LEVELS):
        return []
    condition = Q()
    for field, part in zip(_LEVELS[len(parts)], parts, strict=True):
        condition &= _prefix(field, part)
    entries = _entries(include_retired).filter(condition)
    return list(entries.order_by("municipality_kana", "lg_code5", "town_kana", "postcode")[:limit])


def prefectures() -> list[Prefecture]:
    """都道府県 in code order (01 北海道 … 47 沖縄県), the first level of the drill-down."""
    rows = (
        Municipality.objects.filter(is_current=True)
        .values_list("prefecture_code", "prefecture", "prefecture_kana")
        .order_by("prefecture_code")
        .distinct()
    )
    return [Prefecture(*row) for row in rows]


def municipalities(prefecture_code: str, *, include_retired: bool = False) -> list[Municipality]:
    """市区町村 of one prefecture, in 全国地方公共団体コード order; merged-away ones only
    with ``include_retired`` (old addresses, e.g. 本籍)."""
    rows = Municipality.objects.filter(prefecture_code=prefecture_code)
    if not include_retired:
        rows = rows.filter(is_current=True)
    return list(rows.order_by("lg_code5"))


def towns_of(lg_code5: str, *, include_retired: bool = False) -> list[PostalEntry]:
    """町域 of one municipality in kana order (the 「以下に掲載がない場合」 row first)."""
    return list(_entries(include_retired).filter(lg_code5=lg_code5).order_by("town_kana", "postcode"))


def our_towns(kana_prefix: str = "", *, include_inactive: bool = False) -> list[Town]:
    """Our 町字, optionally narrowed by a kana prefix (fuzzy key)."""
    towns = Town.objects.all() if include_inactive else Town.objects.filter(is_active=True)
    key = search_key(kana_prefix)
    if key:
        towns = towns.filter(_prefix("kana_key", key))
    return list(towns.order_by("kana", "name"))


def town_by_code(oaza_code: str) -> Town | None:
    return Town.objects.filter(oaza_code=oaza_code).first()


def suggest_buildings(
    town: Town, banchi: str, *, chome: int | None = None, limit: int = DEFAULT_LIMIT
) -> list[Building]:
    """方書 suggested for an entered 番地 (spec 4.0.7): the buildings at that 番地 and at the
    more detailed 番地 under it (「2番」 → 2番1号, 2番10号 …), nearest first.

    Only this direction exists: suggesting a 番地 from a building name is forbidden
    (4.0.7 X)."""
    prefix = town.parse_banchi(banchi, chome=chome).sort_text
    buildings = Building.objects.filter(town=town, is_active=True, banchi_sort__startswith=prefix)
    return list(buildings.select_related("town").order_by("banchi_sort", "kana", "name")[:limit])


# -- 住所 typed as a whole at the counter (issue 17): 「平塚4-7-11」 → 町字・丁目・番地・住所コード --------


@dataclass(frozen=True)
class ComposedAddress:
    """One reading of a typed address of our municipality, ready for the entry form."""

    address: str  # 「埼玉県上尾市平塚四丁目」 (with the 丁目, without the 番地)
    banchi: str  # 「7番11号」 ("" when none was typed)
    address_code: str  # the 11-digit 住所コード
    postcode: str
    town: str
    oaza_code: str
    chome: int | None


def _our_prefix() -> str:
    return f"{settings.JUMIN_MUNICIPALITY['prefecture']}{settings.JUMIN_MUNICIPALITY['name']}"


def compose_address(text: str) -> list[ComposedAddress]:
    """The readings of ``text`` as an address of our municipality: the longest 町字 it starts
    with, then 丁目 and 番地 as counters type them (丁目 in 漢数字 or digits, 「-」 for 番・号),
    each checked against the town (a 丁目 where it has none, a 番地 of the wrong form: no reading).
    Empty when the text names none of our 町字 — it is then kept as typed."""
    normalized = normalize_banchi_input(text).removeprefix(_our_prefix())
    towns = sorted(
        (t for t in Town.objects.filter(is_active=True) if normalized.startswith(t.name)),
        key=lambda t: len(t.name),
        reverse=True,
    )
    if not towns:
        return []
    town = towns[0]
    rest = normalized[len(town.name) :]
    if not rest:
        return [_composed(town, None, "")]
    found = []
    for reading in read_address_query("町" + rest):  # a placeholder town: only the numbers matter
        if reading.town != "町":
            continue
        banchi_text = rest.removeprefix(chome_text(reading.chome)) if reading.chome else rest
        if reading.chome and not rest.startswith(chome_text(reading.chome)) and reading.numbers:
            banchi_text = "-".join(str(n) for n in reading.numbers)  # 「4-7-11」: the 丁目 was the first number
        try:
            banchi = town.parse_banchi(banchi_text, chome=reading.chome) if reading.numbers else None
            chome = banchi.chome if banchi is not None and banchi.chome is not None else reading.chome
            found.append(_composed(town, chome, banchi.banchi_text if banchi else ""))
        except DomainError:
            continue
    return list(dict.fromkeys(found))


def _composed(town: Town, chome: int | None, banchi: str) -> ComposedAddress:
    code = town.address_code(chome)
    return ComposedAddress(
        address=f"{_our_prefix()}{town.name}{chome_text(chome) if chome else ''}",
        banchi=banchi,
        address_code=str(code),
        postcode=town.postcode,
        town=town.name,
        oaza_code=town.oaza_code,
        chome=chome,
    )


def postcode_choices(postcode: str) -> list[ComposedAddress]:
    """Postcode → the addresses to choose from (issue 17): each of our 町字 with that postcode,
    one per 丁目 where the town has them (一丁目 … ``chome_count``), with its 住所コード; a
    postcode of no town of ours gives the 町域 of the postcode dictionary (no code)."""
    code = normalize_postcode(postcode)
    towns = list(Town.objects.filter(is_active=True, postcode=code).order_by("kana_key", "oaza_code"))
    found: list[ComposedAddress] = []
    for town in towns:
        if town.has_chome and town.chome_count:
            found += [_composed(town, chome, "") for chome in range(1, town.chome_count + 1)]
        else:
            found.append(_composed(town, None, ""))
    if found:
        return found
    return [
        ComposedAddress(
            address=f"{e.prefecture}{e.municipality}{e.town}",
            banchi="",
            address_code="",
            postcode=e.postcode,
            town=e.town,
            oaza_code="",
            chome=None,
        )
        for e in entries_by_postcode(code)
    ]
