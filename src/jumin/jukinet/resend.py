"""「異動事由を変更しての再送」 (spec 7.1.1.1) with item 30 異常時更新順番号.

The 都道府県サーバ refuses a 本人確認情報 telegram whose 異動事由 contradicts what it holds for
the person (``rejected:reason_mismatch``: a 記載 of a person it holds 現存, a 消除 of one it holds
消除).  Sending it again unchanged cannot help, and the queue of the destination stops behind it
(nothing overtakes).  An operator who may enter movements and run the batch changes the 異動事由:

* a **new telegram** with the next 更新順番号 and item 30 異常時更新順番号 = the refused one's
  更新順番号; it takes the refused one's place in the queue (``slot``), so it goes first and the
  queue continues behind it;
* the refused telegram becomes ``superseded``: never sent again, kept (body as refused) for the
  送信一覧・audit;
* the person's ``IdentityRecord`` (the 本人確認情報 as notified) gets the new 異動事由 and 区分,
  the new 更新順番号, item 30, and its 整合性確認 digest again — it is what the prefecture will hold.

One transaction, one operation-log row ``jukinet.resent_with_reason`` (destination#number, the
reason codes; no personal item).  Refusals, stable codes: ``jukinet.telegram_not_found``,
``jukinet.reason_change_not_applicable`` (not a 本人確認情報 telegram), ``jukinet.already_superseded``
(二重再送), ``jukinet.not_reason_refused`` (not refused for its 異動事由), ``reason.unknown``,
``jukinet.reason_unchanged``, ``jukinet.reason_not_for_person`` (a reason for the other kind of
resident)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from jumin.accounts.models import User
from jumin.audit.services import record_operation
from jumin.core import reasons
from jumin.core.errors import DomainError
from jumin.jukinet.models import IdentityRecord, Telegram
from jumin.jukinet.reconciliation import stamp
from jumin.jukinet.services import SERIAL, telegram_body
from jumin.registry.numbers import reserve_serials

RUN_BATCH = "accounts.run_batch"
ENTER = "accounts.enter_movement"
REFUSAL = "rejected:reason_mismatch"  # the prefecture's refusal that a changed 異動事由 can fix


@dataclass(frozen=True)
class ReasonChoice:
    code: str
    label: str


def may_resend(user: User) -> bool:
    """The capability of the re-send: the batch (the queue) and the entry of movements (the 異動事由)."""
    return user.has_perm(RUN_BATCH) and user.has_perm(ENTER)


def resendable(telegram: Telegram) -> bool:
    """Whether the telegram waits for a 「異動事由を変更しての再送」."""
    return (
        telegram.kind == Telegram.Kind.IDENTITY_UPDATE
        and telegram.state == Telegram.State.FAILED
        and telegram.last_error == REFUSAL
    )


def reason_choices(nationality_kind: str = "") -> list[ReasonChoice]:
    """The 異動事由 the operator may choose (those of the kind of resident; all without one)."""
    return [
        ReasonChoice(r.code, _label(r))
        for r in reasons.REASONS.values()
        if not r.only or not nationality_kind or r.only == nationality_kind
    ]


def _label(reason: reasons.Reason) -> str:
    """The reason with its 区分 (記載・消除・修正), which is what the prefecture checks."""
    category = f"（{_CATEGORY_LABELS[reason.category]}）"
    return reason.label if reason.label.endswith(category) else reason.label + category


_CATEGORY_LABELS = {reasons.Category.ADD: "記載", reasons.Category.REMOVE: "消除", reasons.Category.AMEND: "修正"}


def _refused(telegram_id: int) -> Telegram:
    telegram = Telegram.objects.select_for_update().filter(pk=telegram_id).first()
    if telegram is None:
        raise DomainError("jukinet.telegram_not_found", "その電文はありません。")
    if telegram.kind != Telegram.Kind.IDENTITY_UPDATE or telegram.identity_id is None:
        raise DomainError(
            "jukinet.reason_change_not_applicable", "異動事由を変更して再送できるのは本人確認情報の電文だけです。"
        )
    if telegram.state == Telegram.State.SUPERSEDED:
        raise DomainError(
            "jukinet.already_superseded", f"更新順番号 {telegram.seq} は既に異動事由を変更して再送されています。"
        )
    if not resendable(telegram):
        raise DomainError(
            "jukinet.not_reason_refused",
            "都道府県サーバが異動事由の不整合で受け付けなかった電文だけを、異動事由を変更して再送できます。",
        )
    return telegram


def _new_reason(record: IdentityRecord, code: str) -> reasons.Reason:
    chosen = reasons.reason(code)
    if chosen.code == record.reason:
        raise DomainError("jukinet.reason_unchanged", "異動事由が変わっていません。別の異動事由を選んでください。")
    if chosen.only and chosen.only != record.nationality_kind:
        raise DomainError("jukinet.reason_not_for_person", "この方の住民種別には使えない異動事由です。")
    return chosen


def resend_with_reason(by: User, telegram_id: int, reason_code: str, *, now: datetime | None = None) -> Telegram:
    """Replace a telegram refused for its 異動事由 by one with ``reason_code`` (module docstring)."""
    if not may_resend(by):
        raise DomainError("auth.forbidden", "この処理を行う権限がありません。")
    now = now or timezone.now()
    with transaction.atomic():
        refused = _refused(telegram_id)
        record = IdentityRecord.objects.select_for_update().get(pk=refused.identity_id or 0)
        chosen = _new_reason(record, reason_code.strip())
        before = {"seq": refused.seq, "reason": record.reason, "reason_detail": record.reason_detail}
        seq = reserve_serials(SERIAL, 1)[0]
        initiation = record.reason_detail.partition(":")[2]
        record.reason, record.reason_detail = chosen.code, f"{chosen.category}:{initiation}"
        record.update_seq, record.error_update_seq = seq, refused.seq
        record.request_no = f"{refused.idempotency_key.partition(':resend:')[0]}:resend:{seq}"  # item 26
        stamp(record)
        record.save(update_fields=["reason", "reason_detail", "update_seq", "error_update_seq", "request_no", "digest"])
        replacement = Telegram.objects.create(
            destination=refused.destination,
            seq=seq,
            idempotency_key=record.request_no,
            kind=refused.kind,
            identity=record,
            body=telegram_body(record),
            replaces=refused,
            slot=refused.position,
            created_at=now,
        )
        refused.state, refused.next_attempt_at = Telegram.State.SUPERSEDED, None
        refused.save(update_fields=["state", "next_attempt_at"])
        record_operation(
            action="jukinet.resent_with_reason",
            target_type="jukinet",
            target_id=f"{refused.destination}#{refused.seq}",
            before=before,
            after={"seq": seq, "error_update_seq": refused.seq, "reason": chosen.code, "by": by.username},
        )
    return replacement
