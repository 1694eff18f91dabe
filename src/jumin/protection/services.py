"""Writers of 支援措置 and 抑止.  One transaction each; every decision is written with its
reason to ``ProtectionDecision`` (append-only) and to the operation log.

Capabilities (accounts/models.py CAPABILITIES; role 支援措置責任者):

* a measure — create, extend, change its end date, confirm a 仮支援措置, add 転送情報,
  terminate — needs ``manage_support_measure``; creating also sets blocks (``set_block``),
  terminating releases them (``release_block``);
* a block: ``set_block`` / ``release_block`` / ``temporarily_release_block`` separately (3.1);
  a block that belongs to a measure is released or temporarily released only by an operator
  who also manages support measures (3.4: the 支援措置責任者 releases after examination).

Set and release (never a temporary release) of a block propagate to linked systems (3.1,
3.2) through ``linkage.OutboxMessage`` rows in the same transaction (``jumin.linkage.outbox``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jumin.accounts.models import User
from jumin.audit.services import record_operation
from jumin.core import support_periods
from jumin.core.errors import DomainError
from jumin.linkage.outbox import write_for_block
from jumin.protection.models import (
    Block,
    EndReason,
    MeasureKind,
    MeasureTransfer,
    Offender,
    Process,
    ProtectedPerson,
    ProtectionDecision,
    SupportMeasure,
)
from jumin.protection.rules import blocks_touching, household_blocks, person_exists
from jumin.registry.models import Household
from jumin.registry.numbers import next_serial

MANAGE = "accounts.manage_support_measure"
SET = "accounts.set_block"
RELEASE = "accounts.release_block"
TEMPORARY = "accounts.temporarily_release_block"

DEFAULT_TEMPORARY_RELEASE_MINUTES = 30
MAX_TEMPORARY_RELEASE_MINUTES = 24 * 60


def temporary_release_minutes() -> int:
    """The configured time after which a temporary release reverts (3.1)."""
    return int(getattr(settings, "JUMIN_BLOCK_TEMPORARY_RELEASE_MINUTES", DEFAULT_TEMPORARY_RELEASE_MINUTES))


def _require(user: User, *perms: str) -> None:
    if not all(user.has_perm(p) for p in perms):
        raise DomainError("auth.forbidden", "この操作を行う権限がありません。")


def _need_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise DomainError("protection.reason_required", "理由を入力してください。")
    return reason


def _decide(
    action: str,
    *,
    by: User,
    reason: str,
    measure: SupportMeasure | None = None,
    block: Block | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    ProtectionDecision.objects.create(
        by=by, action=action, measure=measure, block=block, reason=reason, details=details or {}
    )
    target_type, target_id = ("support_measure", measure.measure_no) if measure is not None else ("block", "")
    if block is not None:
        target_type, target_id = "block", str(block.pk)
    record_operation(
        action=f"protection.{action}",
        target_type=target_type,
        target_id=target_id,
        after=details or {},
        reason=reason,
    )


# -- blocks ----------------------------------------------------------------------------------


def _check_target(scope: str, target_no: str) -> None:
    if scope == Block.Scope.HOUSEHOLD:
        if not Household.objects.filter(household_no=target_no).exists():
            raise DomainError("protection.household_not_found", "その世帯番号の世帯はありません。")
    elif scope == Block.Scope.PERSON:
        if not person_exists(target_no):
            raise DomainError("protection.person_not_found", "その宛名番号の住民（除票を含む）はいません。")
    else:
        raise DomainError("protection.bad_scope", "抑止の対象（個人・世帯）を選んでください。")


def _new_block(
    *,
    scope: str,
    target_no: str,
    process: str,
    level: str,
    reason: str,
    by: User,
    start_on: date | None = None,
    end_on: date | None = None,
    measure: SupportMeasure | None = None,
) -> Block:
    if process not in Process.values:
        raise DomainError("protection.bad_process", "抑止する処理を選んでください。")
    if level not in Block.Level.values:
        raise DomainError("protection.bad_level", "抑止のレベル（エラー・アラート）を選んでください。")
    start = start_on or timezone.localdate()
    if end_on is not None and end_on < start:
        raise DomainError("protection.end_before_start", "終了日が開始日より前になっています。")
    block = Block.objects.create(
        scope=scope,
        target_no=target_no,
        process=process,
        level=level,
        cause=Block.Cause.SUPPORT_MEASURE if measure is not None else Block.Cause.OTHER,
        measure=measure,
        start_on=start,
        end_on=end_on,
        reason=reason,
        set_by=by,
    )
    write_for_block(block, "block_set")
    _decide(
        "block.set",
        by=by,
        reason=reason,
        block=block,
        measure=measure,
        details={"scope": scope, "target_no": target_no, "process": process, "level": level},
    )
    return block


def set_block(
    *,
    scope: str,
    target_no: str,
    process: str,
    level: str,
    reason: str,
    by: User,
    start_on: date | None = None,
    end_on: date | None = None,
) -> Block:
    """Set one block (3.1).  Several blocks per person are allowed."""
    _require(by, SET)
    reason = _need_reason(reason)
    target_no = target_no.strip()
    with transaction.atomic():
        _check_target(scope, target_no)
        return _new_block(
            scope=scope,
            target_no=target_no,
            process=process,
            level=level,
            reason=reason,
            by=by,
            start_on=start_on,
            end_on=end_on,
        )


def _locked(block: Block) -> Block:
    block = Block.objects.select_for_update().get(pk=block.pk)
    if block.released:
        raise DomainError("protection.block_released", "この抑止は解除されています。")
    return block


def _release(block: Block, *, by: User, reason: str) -> None:
    block.released_at = timezone.now()
    block.released_by = by
    block.release_reason = reason
    block.temporarily_released_until = None
    block.save(update_fields=["released_at", "released_by", "release_reason", "temporarily_released_until"])
    write_for_block(block, "block_released")
    _decide("block.released", by=by, reason=reason, block=block, measure=block.measure)


def release_block(block: Block, *, by: User, reason: str) -> Block:
    """Release a block for good (3.1); propagated to the linked systems."""
    _require(by, RELEASE)
    reason = _need_reason(reason)
    with transaction.atomic():
        block = _locked(block)
        if block.measure_id is not None:
            _require(by, MANAGE)
            if block.measure is not None and block.measure.state == SupportMeasure.State.ACTIVE:
                raise DomainError(
                    "protection.measure_active",
                    "支援措置中の抑止は個別に解除できません。審査のうえ一時解除するか、支援措置を終了してください。",
                )
        _release(block, by=by, reason=reason)
    return block


def temporarily_release_block(block: Block, *, by: User, reason: str, minutes: int | None = None) -> Block:
    """一時解除 (3.1): the block is lifted until now + ``minutes`` (the configured time by
    default) and is in effect again by itself afterwards.  Not propagated."""
    _require(by, TEMPORARY)
    reason = _need_reason(reason)
    minutes = temporary_release_minutes() if minutes is None else minutes
    if not 1 <= minutes <= MAX_TEMPORARY_RELEASE_MINUTES:
        raise DomainError("protection.bad_minutes", "一時解除の時間は1分から24時間までです。")
    with transaction.atomic():
        block = _locked(block)
        if block.measure_id is not None:
            _require(by, MANAGE)
        block.temporarily_released_until = timezone.now() + timedelta(minutes=minutes)
        block.temporarily_released_by = by
        block.temporary_release_reason = reason
        block.save(update_fields=["temporarily_released_until", "temporarily_released_by", "temporary_release_reason"])
        _decide(
            "block.temporarily_released",
            by=by,
            reason=reason,
            block=block,
            measure=block.measure,
            details={"until": block.temporarily_released_until.isoformat(), "minutes": minutes},
        )
    return block


def end_temporary_release(block: Block, *, by: User, reason: str = "一時解除の終了") -> Block:
    """Put a temporarily released block back in effect before its time is up."""
    _require(by, TEMPORARY)
    with transaction.atomic():
        block = _locked(block)
        if not block.temporarily_released():
            raise DomainError("protection.not_temporarily_released", "この抑止は一時解除されていません。")
        block.temporarily_released_until = timezone.now()
        block.save(update_fields=["temporarily_released_until"])
        _decide("block.temporary_release_ended", by=by, reason=reason, block=block, measure=block.measure)
    return block


def _pass_alerts(
    touching: list[Block], *, by: User, reason: str, details: dict[str, Any], measure: bool
) -> list[Block]:
    """Log the reason against each alert-level block in effect; refused under an error-level one."""
    touching = [b for b in touching if b.in_effect()]
    if any(b.level == Block.Level.ERROR for b in touching):
        raise DomainError("protection.refused", "抑止（エラー）が設定されているため、処理できません。")
    alerts = [b for b in touching if b.level == Block.Level.ALERT]
    for block in alerts:
        _decide(
            "block.alert_passed",
            by=by,
            reason=reason,
            block=block,
            measure=block.measure if measure else None,
            details=details,
        )
    return alerts


def proceed_past_alert(
    process: str, atena_no: str, *, by: User, reason: str, movement_no: str = "", issue_no: str = ""
) -> list[Block]:
    """An alert-level block lets the operator proceed with a reason, which is logged (3.1).
    Refused while an error-level block is in effect.  ``movement_no`` / ``issue_no`` name
    the movement or certificate it was for (kept in the decision's details)."""
    reason = _need_reason(reason)
    details: dict[str, Any] = {
        "process": process,
        "atena_no": atena_no,
        **({"movement_no": movement_no} if movement_no else {}),
        **({"issue_no": issue_no} if issue_no else {}),
    }
    with transaction.atomic():
        return _pass_alerts(blocks_touching(atena_no, process), by=by, reason=reason, details=details, measure=True)


def pass_household_inquiry_alert(household_no: str, *, by: User, reason: str) -> list[Block]:
    """:func:`proceed_past_alert` for the household screen under an alert-level household 照会
    block (the reason is kept under the 世帯番号)."""
    reason = _need_reason(reason)
    details = {"process": Process.INQUIRY, "atena_no": household_no, "household_no": household_no}
    with transaction.atomic():
        return _pass_alerts(
            household_blocks(household_no, Process.INQUIRY), by=by, reason=reason, details=details, measure=False
        )


# -- support measures ------------------------------------------------------------------------


@dataclass
class OffenderInput:
    name: str
    furigana: str = ""
    birth_text: str = ""
    sex: str = ""
    address: str = ""
    atena_no: str = ""
    notes: str = ""


@dataclass
class TransferInput:
    direction: str
    municipality: str
    on: date
    municipality_code: str = ""
    note: str = ""


@dataclass
class MeasureInput:
    """A 支援措置申出 as the officer enters it (1.1.16)."""

    kind: str
    applicant_atena_no: str
    start_on: date
    reason: str
    end_on: date | None = None  # default: one year including the start day (3.4)
    accompanying: Sequence[str] = ()
    offenders: Sequence[OffenderInput] = ()
    restrict_inspection: bool = True
    restrict_copy_current: bool = True
    restrict_copy_former: bool = True
    restrict_fuhyo: bool = False
    is_provisional: bool = False
    provisional_start_on: date | None = None
    first_receiving_municipality: str = ""
    applicant_contact: str = ""
    applicant_destination: str = ""
    remark: str = ""
    transfers: Sequence[TransferInput] = field(default_factory=list)


def _measure_processes(measure: SupportMeasure) -> list[str]:
    processes = []
    if measure.restrict_copy_current or measure.restrict_copy_former:
        processes.append(Process.CERTIFICATE.value)
    if measure.restrict_fuhyo:
        processes.append(Process.FUHYO.value)
    if measure.restrict_inspection:
        processes.append(Process.INSPECTION.value)
    return processes


def _validate(data: MeasureInput) -> tuple[str, list[str], date]:
    if data.kind not in MeasureKind.values:
        raise DomainError("support_measure.bad_kind", "支援措置の区分を選んでください。")
    applicant = data.applicant_atena_no.strip()
    persons = [applicant, *(a.strip() for a in data.accompanying if a.strip())]
    if len(set(persons)) != len(persons):
        raise DomainError("support_measure.duplicate_person", "同じ方が重複して入力されています。")
    for atena_no in persons:
        if not person_exists(atena_no):
            raise DomainError("support_measure.person_not_found", "入力された宛名番号の住民（除票を含む）がいません。")
    for offender in data.offenders:
        if not offender.name.strip():
            raise DomainError("support_measure.offender_name", "加害者の氏名を入力してください。")
        if offender.atena_no.strip() in persons:
            raise DomainError("support_measure.offender_is_protected", "加害者と支援対象者が同じ方になっています。")
        if offender.atena_no.strip() and not person_exists(offender.atena_no.strip()):
            raise DomainError("support_measure.offender_not_found", "加害者の宛名番号の住民がいません。")
    if not any((data.restrict_inspection, data.restrict_copy_current, data.restrict_copy_former, data.restrict_fuhyo)):
        raise DomainError("support_measure.no_process", "支援を求める事務を一つ以上選んでください。")
    end = data.end_on or support_periods.default_end(data.start_on)
    support_periods.check_period(data.start_on, end)
    if data.is_provisional and not data.first_receiving_municipality.strip():
        raise DomainError(
            "support_measure.first_municipality", "仮支援措置の場合は、当初受付市区町村を入力してください。"
        )
    return applicant, persons, end


def create_measure(data: MeasureInput, *, by: User) -> SupportMeasure:
    """Record a 支援措置 (or 仮支援措置) and set its blocks: an error-level block per protected
    person for each 事務 to protect (証明書発行, 附票, 閲覧), propagated like any block."""
    _require(by, MANAGE, SET)
    reason = _need_reason(data.reason)
    with transaction.atomic():
        applicant, persons, end = _validate(data)
        measure = SupportMeasure.objects.create(
            measure_no=f"S{next_serial('support_measure'):09d}",
            kind=data.kind,
            applicant_atena_no=applicant,
            applicant_contact=data.applicant_contact.strip(),
            applicant_destination=data.applicant_destination.strip(),
            restrict_inspection=data.restrict_inspection,
            restrict_copy_current=data.restrict_copy_current,
            restrict_copy_former=data.restrict_copy_former,
            restrict_fuhyo=data.restrict_fuhyo,
            start_on=data.start_on,
            end_on=end,
            is_provisional=data.is_provisional,
            provisional_start_on=(data.provisional_start_on or data.start_on) if data.is_provisional else None,
            first_receiving_municipality=data.first_receiving_municipality.strip(),
            remark=data.remark,
            created_by=by,
        )
        ProtectedPerson.objects.bulk_create(
            ProtectedPerson(
                measure=measure,
                atena_no=a,
                role=ProtectedPerson.Role.APPLICANT if a == applicant else ProtectedPerson.Role.ACCOMPANYING,
            )
            for a in persons
        )
        Offender.objects.bulk_create(
            Offender(
                measure=measure,
                name=o.name.strip(),
                furigana=o.furigana.strip(),
                birth_text=o.birth_text.strip(),
                sex=o.sex,
                address=o.address.strip(),
                atena_no=o.atena_no.strip(),
                notes=o.notes,
            )
            for o in data.offenders
        )
        for transfer in data.transfers:
            _add_transfer(measure, transfer)
        _decide(
            "measure.created",
            by=by,
            reason=reason,
            measure=measure,
            details={
                "persons": persons,
                "provisional": data.is_provisional,
                "start_on": data.start_on.isoformat(),
                "end_on": end.isoformat(),
                "processes": _measure_processes(measure),
            },
        )
        for atena_no in persons:
            for process in _measure_processes(measure):
                _new_block(
                    scope=Block.Scope.PERSON,
                    target_no=atena_no,
                    process=process,
                    level=Block.Level.ERROR,
                    reason=f"支援措置 {measure.measure_no}",
                    by=by,
                    start_on=data.start_on,
                    measure=measure,
                )
    return measure


def _active(measure: SupportMeasure) -> SupportMeasure:
    measure = SupportMeasure.objects.select_for_update().get(pk=measure.pk)
    if measure.state != SupportMeasure.State.ACTIVE:
        raise DomainError("support_measure.ended", "この支援措置は終了しています。")
    return measure


def extend_measure(measure: SupportMeasure, *, by: User, reason: str, today: date | None = None) -> SupportMeasure:
    """Extension (3.4): from one month before the end; the new period runs one year from the
    day after the old end."""
    _require(by, MANAGE)
    reason = _need_reason(reason)
    with transaction.atomic():
        measure = _active(measure)
        before = {"start_on": measure.start_on.isoformat(), "end_on": measure.end_on.isoformat()}
        measure.start_on, measure.end_on = support_periods.extended(measure.end_on, today or timezone.localdate())
        measure.save(update_fields=["start_on", "end_on"])
        after = {"start_on": measure.start_on.isoformat(), "end_on": measure.end_on.isoformat()}
        _decide("measure.extended", by=by, reason=reason, measure=measure, details={"before": before, "after": after})
    return measure


def change_end_date(measure: SupportMeasure, end_on: date, *, by: User, reason: str) -> SupportMeasure:
    """The end date is computed, but editable (3.4)."""
    _require(by, MANAGE)
    reason = _need_reason(reason)
    with transaction.atomic():
        measure = _active(measure)
        support_periods.check_period(measure.start_on, end_on)
        before = measure.end_on.isoformat()
        measure.end_on = end_on
        measure.save(update_fields=["end_on"])
        _decide(
            "measure.end_date_changed",
            by=by,
            reason=reason,
            measure=measure,
            details={"before": before, "after": end_on.isoformat()},
        )
    return measure


def confirm_measure(measure: SupportMeasure, *, by: User, reason: str) -> SupportMeasure:
    """仮支援措置 → 支援措置, once the need is confirmed (3.4)."""
    _require(by, MANAGE)
    reason = _need_reason(reason)
    with transaction.atomic():
        measure = _active(measure)
        if not measure.is_provisional:
            raise DomainError("support_measure.not_provisional", "この支援措置は仮支援措置ではありません。")
        measure.is_provisional = False
        measure.save(update_fields=["is_provisional"])
        _decide("measure.confirmed", by=by, reason=reason, measure=measure)
    return measure


def _add_transfer(measure: SupportMeasure, transfer: TransferInput) -> MeasureTransfer:
    if transfer.direction not in MeasureTransfer.Direction.values:
        raise DomainError("support_measure.bad_transfer", "転送の区分を選んでください。")
    if not transfer.municipality.strip():
        raise DomainError("support_measure.transfer_municipality", "転送の相手の市区町村を入力してください。")
    return MeasureTransfer.objects.create(
        measure=measure,
        direction=transfer.direction,
        municipality=transfer.municipality.strip(),
        municipality_code=transfer.municipality_code.strip(),
        on=transfer.on,
        note=transfer.note.strip(),
    )


def add_transfer(measure: SupportMeasure, transfer: TransferInput, *, by: User, reason: str) -> MeasureTransfer:
    """転送情報 (1.1.16): forwarded to / received from another municipality."""
    _require(by, MANAGE)
    reason = _need_reason(reason)
    with transaction.atomic():
        measure = SupportMeasure.objects.select_for_update().get(pk=measure.pk)
        row = _add_transfer(measure, transfer)
        _decide(
            "measure.transfer",
            by=by,
            reason=reason,
            measure=measure,
            details={"direction": row.direction, "municipality": row.municipality, "on": row.on.isoformat()},
        )
    return row


def terminate_measure(measure: SupportMeasure, end_reason: str, *, by: User, reason: str) -> SupportMeasure:
    """End a measure on request, at expiry, or because it is no longer needed (3.4), and
    release its blocks (propagated).  Only this lifts the protection: the end date does not."""
    _require(by, MANAGE, RELEASE)
    reason = _need_reason(reason)
    if end_reason not in EndReason.values:
        raise DomainError("support_measure.bad_end_reason", "終了事由を選んでください。")
    with transaction.atomic():
        measure = _active(measure)
        measure.state = SupportMeasure.State.ENDED
        measure.end_reason = end_reason
        measure.ended_on = timezone.localdate()
        measure.save(update_fields=["state", "end_reason", "ended_on"])
        _decide("measure.terminated", by=by, reason=reason, measure=measure, details={"end_reason": end_reason})
        for block in Block.objects.select_for_update().filter(measure=measure, released_at__isnull=True):
            _release(block, by=by, reason=f"支援措置 {measure.measure_no} の終了: {reason}")
    return measure
