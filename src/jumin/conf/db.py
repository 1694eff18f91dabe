"""Database helpers: the bulk loads' statistics, and the hot reads compiled once."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


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


class _Slot(int):
    """The place of a caller's value among a fixed read's parameters."""


class FixedRead(Generic[M]):
    """A hot read whose statement never changes but for its text values (issue 24: "prepared or
    raw SQL only on the hot, fixed statements").  The ORM writes the statement — from
    ``build(*values)``, so it follows the models — once per process, database vendor and
    ``variant``; each call runs it through ``Model.objects.raw``: the same rows and model
    instances (annotations as attributes, the fields' converters applied) without compiling the
    select list of a wide table again (0.6 ms of a 1.1 ms read of one person at 1,000,000).

    ``build`` takes text values only, each passed through to the statement unchanged, and may
    not ``select_related`` (a raw query does not follow relations)."""

    def __init__(self, build: Callable[..., QuerySet[M]]) -> None:
        self._build = build
        self._arity = len(inspect.signature(build).parameters)
        self._compiled: dict[tuple[str, Hashable], tuple[type[M], str, list[Any]]] = {}

    def __call__(self, *values: str, variant: Hashable = None) -> list[M]:
        model, sql, params = self._statement(variant)
        bound = [values[p] if isinstance(p, _Slot) else p for p in params]
        return list(model._default_manager.raw(sql, bound))

    def _statement(self, variant: Hashable) -> tuple[type[M], str, list[Any]]:
        key = (connection.vendor, variant)
        if key not in self._compiled:
            self._compiled[key] = self._compile()
        return self._compiled[key]

    def _compile(self) -> tuple[type[M], str, list[Any]]:
        marks = [f"\x00fixed-read-{n}\x00" for n in range(self._arity)]
        queryset = self._build(*marks)
        if queryset.query.select_related:
            raise ImproperlyConfigured("FixedRead: a raw query does not follow select_related")
        sql, params = queryset.query.sql_with_params()
        slots = {mark: _Slot(n) for n, mark in enumerate(marks)}
        bound = [slots.get(p, p) if isinstance(p, str) else p for p in params]
        if any(mark in sql for mark in marks) or {p for p in bound if isinstance(p, _Slot)} != set(slots.values()):
            raise ImproperlyConfigured("FixedRead: every value must reach the statement unchanged, as a parameter")
        return queryset.model, sql, bound
