"""API of the search (/api/v1/search): the same query, rules and access log as the screen.

POST (not GET): criteria may hold a 個人番号 or 住民票コード, which must never be in a URL."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from jumin.accounts.principal import principal_for, require
from jumin.api_base import PermissionDeniedError
from jumin.api_types import Code
from jumin.core.errors import DomainError
from jumin.free_text import InSchema
from jumin.search import queries
from jumin.search.matching import PREFIX

router = Router(tags=["search"])


class SearchIn(InSchema):
    criteria: dict[Code, Any] = {}  # the values: search.criteria.clean (≤200 characters)
    mode: Code = PREFIX  # exact | prefix | partial
    include_past: bool = True
    screen: Code = "api"  # api | identity (本人確認情報検索)


class MarkOut(Schema):
    label: str
    level: str


class HitOut(Schema):
    atena_no: str
    values: dict[str, Any]
    masked: list[str]
    archived: bool
    past: bool
    marks: list[MarkOut]


class SearchOut(Schema):
    count: int
    hits: list[HitOut]


class ErrorOut(Schema):
    code: str
    message: str


@router.post(
    "/search", response={200: SearchOut, 400: ErrorOut}, summary="住民検索（2.1.3、条件の組み合わせに制限あり）"
)
def search(request: HttpRequest, body: SearchIn) -> Any:
    require(request, queries.VIEW)
    screen = body.screen if body.screen in ("api", "identity") else "api"
    try:
        result = queries.search(
            principal_for(request), body.criteria, screen=screen, mode=body.mode, include_past=body.include_past
        )
    except DomainError as error:
        if error.code == "auth.forbidden":
            raise PermissionDeniedError(queries.VIEW) from error
        return Status(400, ErrorOut(code=error.code, message=error.message))
    return SearchOut(
        count=result.count,
        hits=[
            HitOut(
                atena_no=h.card.atena_no,
                values=h.card.values,
                masked=sorted(h.card.masked),
                archived=h.archived,
                past=h.past,
                marks=[MarkOut(label=m.label, level=m.level) for m in h.marks],
            )
            for h in result.hits
        ],
    )
