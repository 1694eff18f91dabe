"""The 住基ネット統一文字 conversion table as data, and the conversion of what goes to J-LIS
(standard spec 7.1.1.1, 30.2 文字; docs/jukinet.md "統一文字").

The rules are :mod:`jumin.core.unified_chars`; the table is ``linkage.UnifiedCharacter``: the
shipped seed (``data/unified_characters.csv``, built by ``scripts/build_unified_characters.py``,
loaded by a migration) and the rows of the official table the operator loads with
``jumin load-unified-characters FILE``.  The register itself is never changed: only the text of
a message is converted.

The table is read once a minute per process (and at once after a load in this process).  An
empty table (a database flushed by a test) falls back to the shipped seed.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jumin.core.errors import DomainError
from jumin.core.unified_chars import (
    DEFAULT_MARKER,
    Conversion,
    ReceivedText,
    UnifiedTable,
    build_table,
    check_row,
    combined_result,
    convert,
    in_jis_x0208,
    read_received,
)
from jumin.free_text import refuse_in_texts
from jumin.linkage.models import UnifiedCharacter

SEED = Path(__file__).resolve().parent / "data" / "unified_characters.csv"
HEADER = ("文字", "代替文字")
MAX_ROWS = 200_000
_TTL_SECONDS = 60.0


class _Cache:
    table: UnifiedTable | None = None
    loaded_at = 0.0


def read_csv(lines: Iterable[str]) -> list[tuple[str, str, str]]:
    """(文字, 代替文字, 備考) rows of a table file: UTF-8 CSV, header 「文字,代替文字[,備考]」.
    Raises :class:`DomainError` (with the line number, never the character) on a bad row."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None or tuple(cell.strip().lstrip("\ufeff") for cell in header[:2]) != HEADER:
        raise DomainError("unified.header", "1行目は「文字,代替文字,備考」の見出しにしてください。")
    rows: list[tuple[str, str, str]] = []
    for number, cells in enumerate(reader, 2):
        if not cells or not "".join(cells).strip():
            continue
        if len(rows) >= MAX_ROWS:
            raise DomainError("unified.too_many", f"行数が上限（{MAX_ROWS}行）を超えています。")
        char, substitute = cells[0].strip(), (cells[1].strip() if len(cells) > 1 else "")
        note = "".join(c for c in cells[2] if c.isprintable()).strip()[:100] if len(cells) > 2 else ""
        try:
            check_row(char, substitute)
            refuse_in_texts({"note": note})  # 備考 is free text: never a 個人番号
        except DomainError as error:
            raise DomainError(error.code, f"{number}行目: {error.message}") from None
        rows.append((char, substitute, note))
    return rows


def seed_rows() -> list[tuple[str, str, str]]:
    with SEED.open(encoding="utf-8", newline="") as handle:
        return read_csv(handle)


@dataclass(frozen=True)
class LoadResult:
    added: int
    changed: int
    unchanged: int


def load(rows: Iterable[tuple[str, str, str]], *, source: str) -> LoadResult:
    """Add or replace the rows (one transaction).  Seed rows never replace an ``official`` row;
    the whole table must stay consistent (:func:`jumin.core.unified_chars.build_table`)."""
    wanted = {char: (substitute, note) for char, substitute, note in rows if substitute or not in_jis_x0208(char)}
    now = timezone.now()
    with transaction.atomic():
        existing = {row.char: row for row in UnifiedCharacter.objects.select_for_update()}
        merged = {char: row.substitute for char, row in existing.items()}
        added: list[UnifiedCharacter] = []
        changed: list[UnifiedCharacter] = []
        for char, (substitute, note) in wanted.items():
            row = existing.get(char)
            if row is None:
                added.append(UnifiedCharacter(char=char, substitute=substitute, source=source, note=note))
            elif source == UnifiedCharacter.Source.SEED and row.source == UnifiedCharacter.Source.OFFICIAL:
                continue
            elif (row.substitute, row.source, row.note) != (substitute, source, note):
                row.substitute, row.source, row.note, row.loaded_at = substitute, source, note, now
                changed.append(row)
            else:
                continue
            merged[char] = substitute
        build_table(merged.items())  # raises when a 代替文字 would fall outside the set
        UnifiedCharacter.objects.bulk_create(added, batch_size=2000)
        UnifiedCharacter.objects.bulk_update(changed, ["substitute", "source", "note", "loaded_at"], batch_size=2000)
    invalidate()
    return LoadResult(len(added), len(changed), len(wanted) - len(added) - len(changed))


def invalidate() -> None:
    _Cache.table = None


def table() -> UnifiedTable:
    """The table in force (cached in the process for a minute)."""
    if _Cache.table is None or time.monotonic() - _Cache.loaded_at > _TTL_SECONDS:
        pairs: list[tuple[str, str]] = list(UnifiedCharacter.objects.values_list("char", "substitute"))
        pairs = pairs or [(char, substitute) for char, substitute, _ in seed_rows()]
        _Cache.table = build_table(pairs)
        _Cache.loaded_at = time.monotonic()
    return _Cache.table


def marker() -> str:
    """``JUMIN_UNIFIED_MARKER``: what an unconvertible character is sent as (default 〓)."""
    value = str(getattr(settings, "JUMIN_UNIFIED_MARKER", DEFAULT_MARKER))
    return value if in_jis_x0208(value) and value.isprintable() else DEFAULT_MARKER


def convert_text(text: str) -> Conversion:
    return convert(text, table(), marker())


def substitute_items(**texts: str) -> dict[str, Any]:
    """The 代替文字 items of a message: for each ``key=text``, ``<key>_substitute`` (the text in
    統一文字) and ``<key>_substitute_positions`` (1-based positions of the replaced characters,
    comma-separated), and one ``substitute_result`` (0 変換不要 / 1 変換済 / 2 変換不可あり) for all."""
    items: dict[str, Any] = {}
    conversions = []
    for key, text in texts.items():
        conversion = convert_text(text)
        conversions.append(conversion)
        items[f"{key}_substitute"] = conversion.text
        items[f"{key}_substitute_positions"] = conversion.positions_text
    items["substitute_result"] = combined_result(*conversions)
    return items


def received_text(payload: dict[str, Any], key: str) -> ReceivedText:
    """The item ``key`` of a received message in the register's characters, with what a person
    must confirm (:func:`jumin.core.unified_chars.read_received`): ``key`` as the sender's
    register holds it, else ``<key>_substitute``; ``<key>_substitute_positions`` the sender's
    代替文字 positions."""

    def cell(name: str) -> str:
        value = payload.get(name)
        return value.strip() if isinstance(value, str) else ""

    return read_received(cell(key), cell(f"{key}_substitute"), cell(f"{key}_substitute_positions"), table(), marker())
