"""The 宛名連携 feed API (spec 7.2.1; docs/number-exchange.md), for the business systems of other
departments (a linked system key whose grant allows the feed of its business):

* ``GET /api/v1/atena-feed/full?business=…&after=<宛名番号>&limit=…``   one page of the full extract;
* ``GET /api/v1/atena-feed/changes?business=…&after=<seq>&limit=…``   one page of the changes;
* ``POST /api/v1/atena-feed/ack`` ``{business, seq}``                   the reader holds all up to ``seq``.

Every answer is signed with our Ed25519 key (``X-Jumin-Key-Id``, ``X-Jumin-Timestamp``,
``X-Jumin-Signature`` over ``jumin-feed-v1 / path / timestamp / key id / sha256(body)``), so a
department can prove what it received and from whom."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from jumin.accounts.models import LinkedSystem
from jumin.api_base import PermissionDeniedError, domain_call
from jumin.free_text import InSchema
from jumin.integrated_atena import queries
from jumin.integrated_atena.services import acknowledge_feed
from jumin.linkage import signing

router = Router(tags=["atena-feed"])


def feed_message(path: str, timestamp: str, kid: str, body: bytes) -> bytes:
    return "\n".join(("jumin-feed-v1", path, timestamp, kid, hashlib.sha256(body).hexdigest())).encode()


def _signed(request: HttpRequest, payload: dict[str, Any]) -> HttpResponse:
    body = json.dumps(payload, ensure_ascii=False, cls=DjangoJSONEncoder).encode()
    key = signing.own_key()
    kid, timestamp = signing.key_id(key.public_key()), str(int(time.time()))
    signature = key.sign(feed_message(request.path, timestamp, kid, body))
    response = HttpResponse(body, content_type="application/json")
    response["X-Jumin-Key-Id"] = kid
    response["X-Jumin-Timestamp"] = timestamp
    response["X-Jumin-Signature"] = base64.urlsafe_b64encode(signature).decode()
    return response


def _system(request: HttpRequest) -> LinkedSystem:
    system = getattr(request, "linked_system", None)
    if not isinstance(system, LinkedSystem):
        raise PermissionDeniedError("atena_feed")  # the feed is for business systems, not screens
    return system


class PersonOut(Schema):
    """The numbers, then only the items the reader's grant allows (``feed_items``): an item not
    allowed is absent."""

    atena_no: str
    integrated_no: str
    business_atena_no: str
    name: str | None = None
    furigana: str | None = None
    birth: str | None = None
    sex: str | None = None
    address: str | None = None
    postcode: str | None = None
    household_no: str | None = None
    head_name: str | None = None
    relationship: str | None = None
    status: str | None = None


class FullOut(Schema):
    persons: list[PersonOut]
    next: str
    changes_from: int


class ChangeOut(Schema):
    seq: int
    kind: str
    person: PersonOut | None = None
    scope: str | None = None
    target_no: str | None = None


class ChangesOut(Schema):
    changes: list[ChangeOut]
    next: int


@router.get("/atena-feed/full", response=FullOut, summary="宛名連携: 全件（宛名番号順のページ）")
def feed_full(request: HttpRequest, business: str = "", after: str = "", limit: int = 500) -> Any:
    system = _system(request)
    return _signed(request, domain_call(lambda: queries.full_extract(system, business, after=after, limit=limit)))


@router.get("/atena-feed/changes", response=ChangesOut, summary="宛名連携: 差分（送信順のページ）")
def feed_changes(request: HttpRequest, business: str = "", after: int = 0, limit: int = 500) -> Any:
    system = _system(request)
    return _signed(request, domain_call(lambda: queries.changes(system, business, after=after, limit=limit)))


class AckIn(InSchema):
    business: str = Field(default="", max_length=20)
    seq: int = Field(default=0, ge=0)


class AckOut(Schema):
    marked: int


@router.post("/atena-feed/ack", response=AckOut, summary="宛名連携: 読込位置の通知")
def feed_ack(request: HttpRequest, body: AckIn) -> Any:
    system = _system(request)
    domain_call(lambda: queries.changes(system, body.business, after=body.seq, limit=1))  # the grant check
    return _signed(request, {"marked": acknowledge_feed(system, body.business, body.seq)})
