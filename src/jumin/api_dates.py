"""Dates in the API's request schemas, checked against the accepted range of their kind
(jumin.core.date_rules, issue 14): ``Annotated[date, RegisterDate(DateKind.BLOCK, "終了日")]``.

A date outside its window is refused by pydantic before the view runs; the API's handler of
``ValidationError`` answers 422 with the rule's ``code`` (``date.too_early`` /
``date.too_late``) and message, which names the limit and never the value."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from jumin.conf.domain import check_date
from jumin.core.date_rules import DateKind
from jumin.core.errors import DomainError

DATE_RULE_CODES = frozenset({"date.too_early", "date.too_late"})


def RegisterDate(kind: DateKind, label: str) -> Any:  # noqa: N802 - used like a type annotation
    """The pydantic validator of one date item of kind ``kind`` named ``label``."""

    def check(value: date | None) -> date | None:
        if value is None:
            return None
        try:
            return check_date(kind, value, label=label)
        except DomainError as error:
            raise PydanticCustomError(error.code, error.message) from None

    validator: Callable[[date | None], date | None] = check
    return AfterValidator(validator)
