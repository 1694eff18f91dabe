"""A person's history rows split into 住民票 records (spec 1.2.1, 20.1.1, 20.1.3).

One 宛名番号 may carry several records: a person who left (消除) and came back (記載) has
a 除票 of the first stay and a 住民票 of the second; a 改製 closes the record as it stood
(消除「改製」) and opens a new one (記載「改製」).  The rules:

* a record ends at a 消除 that is followed by a 記載 — the 記載 opens the next record;
* a 取消し of that 消除 (異動の取消し（増）, ``cancel_add``) undoes it: the record goes on;
* 修正 rows after a 消除 belong to the 除票 (a 除票 may be corrected);
* a 記載「改製」 (``rebuild_add``) always opens a new record.

A 住民票の写し prints only the current (last) record; a 除票 prints one closed record, the
newest unless its number (1 = the oldest record) is asked for.

Pure: rows in, record numbers out; errors as :class:`~jumin.core.errors.DomainError`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from jumin.core.errors import DomainError

ADD, REMOVE, AMEND = "add", "remove", "amend"
UNDO_REMOVAL = "cancel_add"  # 異動の取消し（増）: undoes a 消除
REBUILD_ADD = "rebuild_add"  # 記載「改製」


@dataclass(frozen=True)
class Row:
    """What the split needs of one history row."""

    history_no: int
    category: str  # "add" | "remove" | "amend"
    reason: str


@dataclass(frozen=True)
class Record:
    """One 住民票 (or 除票) of a person: its number (1 = oldest) and its history rows."""

    number: int
    history_nos: tuple[int, ...]
    removed: bool  # closed by a 消除 (a 除票)


def split(rows: Iterable[Row]) -> tuple[Record, ...]:
    """The records of a person's rows, given in 履歴番号 order."""
    groups: list[list[int]] = []
    removed: list[bool] = []
    for row in rows:
        opens = row.reason == REBUILD_ADD or (
            row.category == ADD and bool(removed) and removed[-1] and row.reason != UNDO_REMOVAL
        )
        if not groups or opens:
            groups.append([])
            removed.append(False)
        groups[-1].append(row.history_no)
        if row.category == REMOVE:
            removed[-1] = True
        elif row.category == ADD:
            removed[-1] = False
    return tuple(Record(i + 1, tuple(g), r) for i, (g, r) in enumerate(zip(groups, removed, strict=True)))


def current(records: tuple[Record, ...]) -> Record | None:
    """The record a 住民票の写し prints: the last one (None for a person with no rows)."""
    return records[-1] if records else None


def removed_record(records: tuple[Record, ...], number: int | None = None) -> Record:
    """The 除票 to print: record ``number`` (1 = oldest), or the newest closed record."""
    closed = [r for r in records if r.removed]
    if not closed:
        raise DomainError("certificate.no_removed_record", "この方には除票がありません。")
    if number is None:
        return closed[-1]
    chosen = next((r for r in closed if r.number == number), None)
    if chosen is None:
        raise DomainError(
            "certificate.record_not_found",
            f"除票の番号が違います（除票は{'、'.join(str(r.number) for r in closed)}番です）。",
        )
    return chosen
