"""Snapshots: one person's record items as a plain JSON-able dict (PERSON_FIELDS).

A movement's proposed state is stored as snapshots; approving it copies them into history
rows and the projection.  Dates travel as ISO strings."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models

from jumin.registry.models import PERSON_FIELDS, PersonRecord, Resident

Snapshot = dict[str, Any]

_DATE_FIELDS = frozenset(
    f.name for f in Resident._meta.concrete_fields if isinstance(f, models.DateField) and f.name in PERSON_FIELDS
)


def snapshot_of(record: PersonRecord) -> Snapshot:
    result: Snapshot = {}
    for name in PERSON_FIELDS:
        value = getattr(record, name)
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, str):
            value = str(value)  # a TextChoices member becomes its plain value
        result[name] = value
    return result


def apply_snapshot(record: PersonRecord, snapshot: Snapshot) -> None:
    for name in PERSON_FIELDS:
        value = snapshot.get(name, getattr(record, name))
        if name in _DATE_FIELDS and isinstance(value, str):
            value = date.fromisoformat(value) if value else None
        setattr(record, name, value)


def blank_snapshot() -> Snapshot:
    """Every field at its default (a new person before the movement fills it in)."""
    return snapshot_of(Resident())


def display_name(snapshot: Snapshot) -> str:
    if snapshot.get("surname") or snapshot.get("given_name"):
        return f"{snapshot.get('surname', '')}\u3000{snapshot.get('given_name', '')}".strip("\u3000")
    return str(snapshot.get("name_alphabet", ""))
