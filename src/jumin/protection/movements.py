"""抑止 of the process 異動入力 (3.1) at the two steps of a movement, called by
``jumin.registry.services`` (one small helper there per step):

* 仮登録 (:func:`screen_plan`): an error-level block on a person of the movement (or on their
  household) becomes an error of the plan (``protection.movement_blocked``); an alert-level
  one becomes an alert (``protection.block_alert``) the operator acknowledges with a reason
  (``block_alert_reason`` in the movement's data).  :func:`record_passes` then writes the
  reason through ``services.proceed_past_alert`` (decision log + operation log).
* 本登録 (:func:`check_approval`): a block set after the 仮登録 still stops the movement; an
  alert nobody passed for this movement asks for a new entry (where it is acknowledged).

New persons (転入, 出生) have no blocks; only persons already on record are checked."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jumin.accounts.models import User
from jumin.accounts.principal import Principal
from jumin.core.errors import DomainError
from jumin.protection import queries, services
from jumin.protection.models import Process, ProtectionDecision

ALERT_CODE = "protection.block_alert"
ERROR_CODE = "protection.movement_blocked"
REASON_KEY = "block_alert_reason"
REASON_MISSING = "抑止（アラート）を確認して処理する理由を入力してください。"
APPROVAL_REFUSED = "異動入力の抑止（エラー）が設定されているため本登録できません。支援措置責任者に確認してください。"


def _checks(atena_nos: Iterable[str], by: User, purpose: str) -> list[tuple[str, queries.CheckResult]]:
    principal = Principal(user=by)
    results = []
    for atena_no in dict.fromkeys(atena_nos):
        result = queries.check(Process.MOVEMENT, atena_no, principal, purpose=purpose)
        if result.outcome != queries.ALLOW:
            results.append((atena_no, result))
    return results


def screen_plan(plan: Any, data: dict[str, Any], by: User, acknowledged: Iterable[str]) -> None:
    """Add the errors and alerts of the 異動入力 blocks to a plan (``registry.planning.Plan``)."""
    existing = [item.atena_no for item in plan.items if item.base_history_no is not None]
    reason = str(data.get(REASON_KEY) or "").strip()
    for atena_no, result in _checks(existing, by, "registry.movement.protection"):
        if result.outcome == queries.REFUSE:
            plan.error(ERROR_CODE, "異動入力の抑止（エラー）が設定されているため入力できません。", atena_no)
        elif ALERT_CODE in set(acknowledged) and not reason:
            plan.error("protection.alert_reason_required", REASON_MISSING, atena_no)
        else:
            for message in result.messages:
                plan.alert(ALERT_CODE, message, atena_no)


def record_passes(movement: Any, data: dict[str, Any], by: User, acknowledged: Iterable[str]) -> None:
    """After the 仮登録 is stored: log the reason for every alert-level block passed."""
    reason = str(data.get(REASON_KEY) or "").strip()
    if ALERT_CODE not in set(acknowledged) or not reason:
        return
    for item in movement.items.all():
        if item.base_history_no is None:
            continue
        services.proceed_past_alert(
            Process.MOVEMENT, item.atena_no, by=by, reason=reason, movement_no=movement.movement_no
        )


def check_approval(movement: Any, by: User) -> None:
    """At 本登録: refuse while an error-level block is in effect, or an alert-level block was
    set after the 仮登録 (nobody gave a reason for it in this movement)."""
    existing = [item.atena_no for item in movement.items.all() if item.base_history_no is not None]
    for _atena_no, result in _checks(existing, by, "registry.approval.protection"):
        if result.outcome == queries.REFUSE:
            raise DomainError(
                ERROR_CODE,
                "異動入力の抑止（エラー）が設定されているため本登録できません。支援措置責任者に確認してください。",
            )
        passed = set(
            ProtectionDecision.objects.filter(
                action="block.alert_passed", block_id__in=result.block_ids, details__movement_no=movement.movement_no
            ).values_list("block_id", flat=True)
        )
        if set(result.block_ids) - passed:
            raise DomainError(
                "protection.alert_not_passed",
                "仮登録の後に異動入力の抑止（アラート）が設定されました。仮登録を取り消し、理由を記録して入力し直してください。",
            )
