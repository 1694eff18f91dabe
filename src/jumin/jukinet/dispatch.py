"""The dispatcher of 市町村CS: delivers queued telegrams to the prefecture server.

Per destination, telegrams go in 更新順番号 order.  The first one that fails stops that
destination for this pass (nothing overtakes it) and is retried after an exponential back-off
(``JUMIN_JUKINET_BACKOFF_SECONDS`` × 2^(attempts−1), at most ``JUMIN_JUKINET_BACKOFF_MAX``).
The peer answers a 更新順番号 it already has with ``already_received``: that telegram is
``sent`` too, so a retry after a lost answer delivers nothing twice.

Every request is signed with our Ed25519 key and every answer must carry a valid signature of
the prefecture's key: the signed peer client, the back-off and the send loop are linkage's
(``jumin.linkage.client``, ``jumin.linkage.delivery``), shared with the card management
system.  Log lines name the destination, the 更新順番号 and an error code — never a 住民票コード
or 個人番号.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models.functions import Coalesce
from django.utils import timezone

from jumin.audit.services import record_operation
from jumin.jukinet import protection_flags
from jumin.jukinet.models import Telegram
from jumin.linkage import signing
from jumin.linkage.client import DEFAULT_TIMEOUT, PeerClient
from jumin.linkage.client import setting as _setting
from jumin.linkage.delivery import Sender, deliver
from jumin.registry.numbers import open_individual_number

logger = logging.getLogger(__name__)

PATH = "/identity-updates"


def prefecture_url() -> str:
    return _setting("JUMIN_PREFECTURE_URL", "")


class PrefectureClient(PeerClient):
    """The 都道府県サーバ (``POST /identity-updates``)."""


MUNICIPALITY_PATH = "/move-in-notices"
PATHS = {protection_flags.KIND: protection_flags.PATH}  # 支援措置 (queue prefecture:protection)
KIND_PATHS = {"move_out_certificate": "/move-out-certificates"}  # 特例転出 (same queue as the 転入通知)


def municipality_url() -> str:
    return _setting("JUMIN_MUNICIPALITY_URL", "")


def municipality_client() -> PeerClient | None:
    """The network that carries 転入通知 to and from other municipalities (in production the
    住基ネット relay behind CS; in tests and the demo ``python -m peers.municipality``)."""
    url = municipality_url()
    if not url:
        return None
    return PeerClient(
        url,
        float(_setting("JUMIN_MUNICIPALITY_TIMEOUT", str(DEFAULT_TIMEOUT))),
        path=MUNICIPALITY_PATH,
        peer_file=signing.MUNICIPALITY_PUBLIC,
        peer_label="他市町村（転入通知）",
        url_setting="JUMIN_MUNICIPALITY_URL",
    )


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    skipped: str = ""
    blocked: dict[str, int] = field(default_factory=dict)  # destination -> 更新順番号 that stopped it


def _client() -> PrefectureClient | None:
    url = prefecture_url()
    if not url:
        return None
    return PrefectureClient(url, float(_setting("JUMIN_PREFECTURE_TIMEOUT", str(DEFAULT_TIMEOUT))))


def _wire_body(telegram: Telegram) -> dict[str, Any]:
    body = dict(telegram.body)
    record = telegram.identity
    sealed_kinds = (Telegram.Kind.IDENTITY_UPDATE, Telegram.Kind.MOVE_OUT_CERTIFICATE)
    if telegram.kind in sealed_kinds and record is not None and record.individual_number_ct:
        body["individual_number"] = open_individual_number(record.individual_number_ct, record.atena_no)
    body.pop("has_individual_number", None)
    if telegram.kind == Telegram.Kind.IDENTITY_UPDATE:
        body.setdefault("error_update_seq", None)  # item 30 (a telegram queued before it was sent)
    body["idempotency_key"] = telegram.idempotency_key
    body["update_seq"] = telegram.seq
    return body


SENDER: Sender[Telegram] = Sender(
    body=_wire_body,
    key=lambda telegram: telegram.destination,  # nothing overtakes: the 更新順番号 order of a destination
    name=lambda telegram: f"jukinet {telegram.destination}#{telegram.seq}",
    path=lambda telegram: KIND_PATHS.get(telegram.kind, PATHS.get(telegram.kind, "")),
)


def send_pending(*, now: datetime | None = None, limit: int = 1000) -> SendResult:
    """One pass of the dispatcher: every destination, in order, until its first failure."""
    now = now or timezone.now()
    result = SendResult()
    client = _client()
    if client is None:
        result.skipped = "都道府県サーバの接続先（JUMIN_PREFECTURE_URL）が設定されていないため、送信しませんでした。"
        logger.warning("jukinet: JUMIN_PREFECTURE_URL is not set; nothing sent")
    else:
        for destination in Telegram.Destination.values:
            _send_destination(client, destination, now, limit, result)
        # 支援措置 (spec 3.1, 3.2): their own queue and 更新順番号, POST /protection-flags
        protection_flags.build_protection_telegrams(now=now)
        _send_destination(client, protection_flags.DESTINATION, now, limit, result)
    _send_to_municipalities(now, limit, result)
    if result.sent or result.failed:
        record_operation(
            action="jukinet.telegrams_sent",
            target_type="jukinet",
            after={"sent": result.sent, "failed": result.failed, "blocked": result.blocked},
        )
    return result


def _send_to_municipalities(now: datetime, limit: int, result: SendResult) -> None:
    """転入通知 (法9条1項): one queue per former municipality, each in its own 更新順番号 order."""
    waiting = (
        Telegram.objects.filter(
            destination__startswith=Telegram.MUNICIPALITY, state__in=(Telegram.State.PENDING, Telegram.State.FAILED)
        )
        .values_list("destination", flat=True)
        .distinct()
    )
    destinations = sorted(set(waiting))
    if not destinations:
        return
    client = municipality_client()
    if client is None:
        message = "他市町村への転入通知の接続先（JUMIN_MUNICIPALITY_URL）が設定されていないため、送信しませんでした。"
        result.skipped = f"{result.skipped}\n{message}".strip()
        logger.warning("jukinet: JUMIN_MUNICIPALITY_URL is not set; %s destinations waiting", len(destinations))
        return
    for destination in destinations:
        _send_destination(client, destination, now, limit, result)


# 更新順番号 order, a replacement (「異動事由を変更しての再送」) in the place of the telegram it replaces
QUEUE_ORDER = Coalesce("slot", "seq")


def _send_destination(client: PeerClient, destination: str, now: datetime, limit: int, result: SendResult) -> None:
    queue = Telegram.objects.select_related("identity").filter(destination=destination, state__in=Telegram.WAITING)
    queue = queue.filter(replacement__isnull=True)  # a replaced telegram is never sent again (jukinet.resend)
    delivered = deliver(client, queue.order_by(QUEUE_ORDER, "seq")[:limit], SENDER, now=now)
    result.sent += delivered.sent
    result.failed += delivered.failed
    if destination in delivered.held:
        result.blocked[destination] = delivered.held[destination].seq
