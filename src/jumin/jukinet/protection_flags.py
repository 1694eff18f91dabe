"""支援措置 propagation to 住基ネット (spec 3.1, 3.2): the set and release of a 発行抑止 reach the
都道府県サーバ so that 住基ネット does not hand out the protected person's 本人確認情報 (広域交付 etc.).

``linkage.OutboxMessage`` rows of a block of destination ``jukinet_cs`` (written in the
decision's transaction, in the destination's ``seq`` order) become telegrams of kind
``protection_flag`` in their own queue ``prefecture:protection`` with their own gapless
更新順番号, one per decision, in one transaction (:func:`build_protection_telegrams`); the
dispatcher sends them like every telegram (order, stop at the first failure, back-off,
``already_received``) to ``POST /protection-flags``.

The telegram carries only what the flag needs: the action, the block's id, process and scope,
and the 住民票コード of the protected person(s) (a household block: its members at the time of
the decision).  No name, no address, no 宛名番号; log lines carry counts and 更新順番号 only.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from jumin.audit.services import record_operation
from jumin.jukinet.models import Telegram
from jumin.linkage.models import OutboxMessage
from jumin.protection.models import Block
from jumin.registry.models import Resident, Status
from jumin.registry.numbers import reserve_serials

logger = logging.getLogger(__name__)

DESTINATION = "prefecture:protection"
KIND = "protection_flag"
PATH = "/protection-flags"
ACTIONS = {"block_set": "set", "block_released": "release"}


def _resident_codes(block: Block) -> list[str]:
    if block.scope == Block.Scope.HOUSEHOLD:
        rows = Resident.objects.filter(household_no=block.target_no, status=Status.CURRENT)
    else:
        rows = Resident.objects.filter(atena_no=block.target_no)
    return sorted(code for code in rows.values_list("resident_code", flat=True) if code)


def flag_body(message: OutboxMessage) -> dict[str, Any]:
    block = message.block
    assert block is not None  # only the rows of a block reach here (build_protection_telegrams)
    return {
        "kind": KIND,
        "action": ACTIONS.get(message.kind, message.kind),
        "block_id": block.pk,
        "process": block.process,
        "scope": block.scope,
        "start_on": block.start_on.isoformat(),
        "resident_codes": _resident_codes(block),
        "outbox_seq": message.seq,
    }


def build_protection_telegrams(*, now: datetime | None = None, limit: int = 500) -> int:
    """Queue the pending 支援措置 decisions for 住基ネット as telegrams; how many were queued."""
    now = now or timezone.now()
    built = 0
    with transaction.atomic():
        messages = list(
            OutboxMessage.objects.select_for_update()
            .filter(destination=OutboxMessage.Destination.JUKINET_CS, state=OutboxMessage.State.PENDING)
            .filter(block__isnull=False)
            .order_by("seq")[:limit]
        )
        for message in messages:
            Telegram.objects.create(
                destination=DESTINATION,
                seq=reserve_serials(f"jukinet:{DESTINATION}", 1).start,
                idempotency_key=f"prefecture:{message.idempotency_key}"[:100],
                kind=KIND,
                body=flag_body(message),
                created_at=now,
            )
            message.state = OutboxMessage.State.SENT
            message.attempts += 1
            message.save(update_fields=["state", "attempts"])
            built += 1
        if built:
            record_operation(action="jukinet.protection_flags_built", target_type="jukinet", after={"built": built})
    if built:
        logger.info("jukinet: %s protection flag telegrams queued", built)
    return built
