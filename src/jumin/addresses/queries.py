"""Readers of the address master: postcode → address, kana-prefix entry, the drill-down
都道府県 → 市区町村 → 町域 (spec 1.3.3), our towns, and the 方書 suggested for a 番地 (4.0.7).

The master holds no personal data, so no permission check or access log is needed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet

from jumin.addresses.models import Building, Municipality, PostalEntry, Town
from jumin.core.address import normalize_postcode
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
