"""Input types of the API with the limits the database has (issue 15: no 5xx on any input).

What a request carries is checked at the boundary, before any query or service sees it:
text never longer than the column it is stored in, never a NUL, another control character
or a lone surrogate (PostgreSQL refuses NUL and cannot encode a lone surrogate: both were
500s); ids never outside the database's integer range.  ``unstorable`` finds such a value
anywhere in a parsed JSON body, a query string or a form; the middleware
(jumin.web.middleware.UnstorableInputMiddleware) answers 400 before a view runs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, Field

# C0 controls other than TAB, LF and CR, DEL, C1 controls, and the surrogate code points
# (which only a lone surrogate can put in a Python str).
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# The largest id a PostgreSQL bigint column holds (integer ids: 2**31 - 1).
MAX_INT = 2**31 - 1
MAX_BIGINT = 2**63 - 1
# Search criteria: no name, address or number the register holds is longer.
MAX_CRITERION = 200
UNSTORABLE_MESSAGE = "制御文字・NUL・不正な文字（サロゲート）は入力できません。"


def storable(value: str) -> str:
    """The pydantic check behind ``Text``: refuse what the database cannot store."""
    if UNSTORABLE.search(value):
        raise ValueError(UNSTORABLE_MESSAGE)
    return value


def unstorable(value: Any, *, depth: int = 0) -> str | None:
    """The first unstorable string (key or value) anywhere in ``value`` (a parsed JSON body,
    a list of query values …), described for the error message, or None."""
    if depth > 32:
        return "入れ子が深すぎます。"
    if isinstance(value, str):
        return UNSTORABLE_MESSAGE if UNSTORABLE.search(value) else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = unstorable(key, depth=depth + 1) or unstorable(item, depth=depth + 1)
            if found:
                return found
        return None
    if isinstance(value, Iterable) and not isinstance(value, (bytes, bytearray)):
        for item in value:
            found = unstorable(item, depth=depth + 1)
            if found:
                return found
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_BIGINT:
        return "数値が大きすぎます。"
    return None


def Text(max_length: int) -> Any:  # noqa: N802 - used like a type: Text(100)
    """A string at most ``max_length`` characters with nothing the database refuses."""
    return Annotated[str, Field(max_length=max_length), AfterValidator(storable)]


def column_length(model: Any, field: str) -> int:
    """The max_length of a model's column, so the API's limit is the database's."""
    length = model._meta.get_field(field).max_length
    assert isinstance(length, int)
    return length


Id = Annotated[int, Field(ge=1, le=MAX_INT)]
Code = Annotated[str, Field(max_length=80), AfterValidator(storable)]  # a kind, mode, item or alert code
Criterion = Annotated[str, Field(max_length=MAX_CRITERION), AfterValidator(storable)]


class ErrorOut(Schema):
    """Every error of the API: a stable code and a Japanese message (``detail``: where a
    request was refused for its shape, what pydantic found)."""

    code: str
    message: str
    detail: list[dict[str, Any]] | None = None


class IssueOut(Schema):
    code: str
    message: str
    level: str = ""
    atena_no: str = ""
    related_atena_no: str = ""  # another record the issue names (the 除票 of a 再転入)


class IssuesErrorOut(Schema):
    """A movement refused (400) or waiting for alerts to be acknowledged (409)."""

    code: str
    message: str
    issues: list[IssueOut] = []
