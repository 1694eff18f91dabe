"""A 仮登録 never holds what its 本登録 cannot store (issue 15).

A movement's data arrives as JSON of any shape; the planners read it as the screens send it.
``planned`` runs a planner and turns a wrong shape (``"persons": 1``, ``"persons": ["x"]``)
into ``movement.malformed`` instead of a 500.  ``check_storable`` then builds each planned
person's history row exactly as the 本登録 will (apply_snapshot, search keys) and checks
every column against the database's limits — length, characters PostgreSQL refuses (NUL,
lone surrogates, control characters), dates, integer range — and the movement's own columns
likewise: ``movement.value_not_storable`` refuses the 仮登録 (before: a 10,000-character
surname was accepted as 201 and the 本登録 was a 500)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from django.db import models

from jumin.api_types import MAX_BIGINT, UNSTORABLE, unstorable
from jumin.core.errors import DomainError
from jumin.registry.keys import set_search_keys
from jumin.registry.models import PERSON_FIELDS, SEARCH_KEY_FIELDS, Movement, ResidentHistory
from jumin.registry.planning.types import Plan
from jumin.registry.snapshots import apply_snapshot

# What a planner raises when the data has another shape than the one it reads.
SHAPE_ERRORS = (TypeError, AttributeError, KeyError, IndexError, ValueError)
T = TypeVar("T")
MOVEMENT_COLUMNS = ("kind", "reason", "initiation", "effective_text", "notifier", "remark")


def planned(planner: Callable[[dict[str, Any]], T], data: dict[str, Any]) -> T:
    """The planner's plan, or DomainError ``movement.malformed`` for data of a wrong shape."""
    found = unstorable(data)
    if found:
        raise DomainError("movement.value_not_storable", f"保存できない値が含まれています：{found}")
    try:
        return planner(data)
    except DomainError:
        raise
    except SHAPE_ERRORS as error:
        raise DomainError(
            "movement.malformed", "異動の入力データの形式が正しくありません（項目の型・並び）。"
        ) from error


def _problem(field: models.Field[Any, Any], value: Any) -> str | None:
    """Why the column cannot store ``value``, or None."""
    if value is None:
        return None if field.null else "空にできません"
    if isinstance(field, (models.CharField, models.TextField)):
        if not isinstance(value, str):
            return "文字列ではありません"
        if UNSTORABLE.search(value):
            return "使えない文字（制御文字・NUL・サロゲート）があります"
        if field.max_length is not None and len(value) > field.max_length:
            return f"{field.max_length}文字を超えています（{len(value)}文字）"
        return None
    if isinstance(field, models.DateField):
        return None if isinstance(value, date) else "日付ではありません"
    if isinstance(field, (models.IntegerField, models.BigIntegerField)):
        if isinstance(value, bool) or not isinstance(value, int):
            return "整数ではありません"
        return "範囲外の数値です" if abs(value) > MAX_BIGINT else None
    if isinstance(field, models.BooleanField):
        return None if isinstance(value, bool) else "真偽値ではありません"
    if isinstance(field, models.JSONField):
        return unstorable(value)
    return None


def _column(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def check_storable(plan: Plan) -> None:
    """Add ``movement.value_not_storable`` to ``plan`` for every value its 本登録 could not store."""
    for item in plan.items:
        row = ResidentHistory()
        try:
            apply_snapshot(row, {k: v for k, v in item.snapshot.items() if k in PERSON_FIELDS})
            set_search_keys(row)
        except SHAPE_ERRORS:
            plan.error("movement.value_not_storable", "記録の項目に保存できない値があります。", item.atena_no)
            continue
        for name in (*PERSON_FIELDS, *SEARCH_KEY_FIELDS):
            field = _column(ResidentHistory, name)
            problem = _problem(field, getattr(row, field.attname, None))
            if problem:
                plan.error("movement.value_not_storable", f"{field.verbose_name}：{problem}。", item.atena_no)
    for name in MOVEMENT_COLUMNS:
        field = _column(Movement, name)
        problem = _problem(field, getattr(plan, name, None))
        if problem:
            plan.error("movement.value_not_storable", f"{field.verbose_name}：{problem}。")
    found = unstorable(plan.ex_officio_record)
    if found:
        plan.error("movement.value_not_storable", f"職権記録書：{found}")
