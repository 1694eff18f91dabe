"""Database helpers shared by the bulk loads."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection


def analyze(models: Iterable[Any]) -> None:
    """Fresh planner statistics for the tables of ``models`` (Django model classes), run at the
    end of every bulk load (``jumin seed-city``, the go-live loads, the kiosk data, a migration).

    Without them the planner believes a freshly filled table empty and answers ``WHERE number =
    … ORDER BY id LIMIT 1`` by walking the primary key over a million rows (measured: 130–400 ms
    instead of under 1 ms on the kiosk's look-ups).  autovacuum would get there in time, but not
    before the first requests — and it may be off."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
