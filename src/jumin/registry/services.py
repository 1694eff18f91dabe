"""Writers of the register: enter a movement (仮登録), approve it (本登録), return it to its
clerk with a comment (差戻し), resubmit it, or discard it.

Every function is one transaction and writes its operation-log row in it.  Approval
writes the history rows and the projection, and runs the on-final actions (``registry.hooks``:
the outbox of ``jumin.linkage``, the 住基ネット notices) in the same transaction, so a movement is
either fully recorded and propagated or not at all."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from jumin.accounts.models import User
from jumin.audit.context import current as audit_context
from jumin.audit.services import record_operation
from jumin.core.errors import DomainError
from jumin.core.reasons import reason as reason_of
from jumin.free_text import refuse_in_texts
from jumin.registry import hooks
from jumin.registry.keys import set_search_keys
from jumin.registry.models import (
    PENDING_STATES,
    PERSON_FIELDS,
    EditLease,
    Household,
    HouseholdOrder,
    Movement,
    MovementItem,
    PersonRecord,
    Resident,
    ResidentHistory,
    Status,
)
from jumin.registry.numbers import (
    next_m11_number,
    next_movement_no,
    seal_individual_number,
    take_spare_resident_codes,
)
from jumin.registry.planning import (
    NEW_ATENA,
    NEW_HOUSEHOLD,
    PLANNERS,
    PREPARERS,
    Issue,
    Plan,
    households_conflict,
    lease_expiry,
)
from jumin.registry.planning.limits import check_storable, planned
from jumin.registry.planning.pending import check_pending
from jumin.registry.planning.types import CHARACTER_CHECK
from jumin.registry.snapshots import Snapshot, apply_snapshot


class MovementRejectedError(DomainError):
    """The entered movement has errors (cannot proceed)."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("movement.rejected", "入力内容に誤りがあります。")
        self.issues = issues


class AlertsNeedConfirmationError(DomainError):
    """Alerts the operator must acknowledge before the movement is stored."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(
            "movement.confirm_alerts", "確認が必要な事項があります。内容を確認して、よければもう一度登録してください。"
        )
        self.issues = issues


def _require(user: User, perm: str, message: str) -> None:
    if not user.has_perm(perm):
        raise DomainError("auth.forbidden", message)


# -- 仮登録 ----------------------------------------------------------------------------------


KIND_CAPABILITIES = {
    "resident_code": ("accounts.assign_resident_code", "住民票コードの付番・変更の権限がありません。"),
    "individual_number": ("accounts.see_individual_number", "個人番号を扱う権限（個人番号利用事務）がありません。"),
}
"""Movements that need a capability besides entering movements (screens, API and services alike)."""


def enter_movement(
    kind: str,
    data: dict[str, Any],
    *,
    by: User,
    acknowledged: Iterable[str] = (),
    replaces: Movement | None = None,
) -> Movement:
    """Plan and store a movement as 仮登録 (4.0.8).  Raises MovementRejectedError for errors and
    AlertsNeedConfirmationError for alerts not yet acknowledged (by code).  A movement on a
    person who is in another waiting movement is an error, on a household with another
    waiting movement an alert (``planning.pending``).  ``replaces``: a movement returned to
    this clerk (差戻し) that the new entry corrects; it is discarded in the same transaction."""
    _require(by, "accounts.enter_movement", "異動を入力する権限がありません。")
    if kind not in PLANNERS:
        raise DomainError("movement.unknown_kind", "その異動は入力できません。")
    if kind in KIND_CAPABILITIES:
        _require(by, *KIND_CAPABILITIES[kind])
    if kind in PREPARERS:
        data = planned(PREPARERS[kind], data)  # calls to national systems, outside the transaction
    with transaction.atomic():
        if replaces is not None:
            replaces = _returned_to(replaces, by)
        plan = planned(PLANNERS[kind], data)
        _entered_remark(plan, data)
        hooks.check_plan(plan, data, by, acknowledged)
        check_storable(plan)
        check_pending(plan, by_id=by.pk, excluding=replaces.pk if replaces is not None else None)
        if plan.errors:
            raise MovementRejectedError(plan.errors)
        waiting = [a for a in plan.alerts if a.code not in set(acknowledged)]
        if waiting:
            raise AlertsNeedConfirmationError(waiting)
        if replaces is not None:
            _withdraw(replaces, action="movement.replaced")
        movement = _store(plan, by, replaces=replaces)
        hooks.after_entry(movement, data, by, acknowledged)
        return movement


def _returned_to(movement: Movement, by: User) -> Movement:
    """The returned movement ``by`` entered (locked), or an error."""
    movement = Movement.objects.select_for_update().get(pk=movement.pk)
    if movement.state != Movement.State.RETURNED:
        raise DomainError("movement.not_returned", "この異動は差し戻されていません。")
    if movement.entered_by_id != by.pk:
        raise DomainError("movement.not_yours", "差し戻された異動は、入力した職員本人だけが修正できます。")
    return movement


def enter_received_movement(kind: str, data: dict[str, Any], *, by: User) -> Movement:
    """A 仮登録 of what arrived from a national system (a 転入通知 through 住基ネット), entered by
    the inactive system account of that link — it can never log in, so it can never approve its
    own entry: a person reviews and approves it (本登録) like any movement.  Errors reject it
    (the caller leaves the message for the staff); alerts cannot be acknowledged by a machine, so
    they are stored with the movement (``ex_officio_record['alerts']``) for the reviewer.  The
    same check of waiting movements as at the counter (``check_pending``): a person already in a
    waiting 仮登録 rejects it at entry, a waiting movement on the household is an alert."""
    if by.is_active or by.has_usable_password():
        raise DomainError("auth.forbidden", "受信した異動は連携システムの受信用アカウントだけが入力できます。")
    if kind not in PLANNERS:
        raise DomainError("movement.unknown_kind", "その異動は入力できません。")
    with transaction.atomic():
        plan = planned(PLANNERS[kind], data)
        check_storable(plan)
        check_pending(plan, by_id=by.pk)
        if plan.errors:
            raise MovementRejectedError(plan.errors)
        if plan.alerts:
            plan.ex_officio_record["alerts"] = [alert.message for alert in plan.alerts]
        return _store(plan, by)


def _entered_remark(plan: Plan, data: dict[str, Any]) -> None:
    """留意事項 (統合記載欄 B類型) entered at the counter (``remark``), after any the planner
    wrote itself (未届転入, 30条の46 …); a planner that already took it in is left alone."""
    entered = str(data.get("remark") or "").strip()
    if entered and entered not in plan.remark:
        plan.remark = f"{plan.remark}\u3000{entered}" if plan.remark else entered


def _assign_numbers(plan: Plan) -> None:
    mapping: dict[str, str] = {}

    def real(value: str) -> str:
        if value.startswith(NEW_ATENA) and value not in mapping:
            mapping[value] = next_m11_number("atena_no")
        elif value.startswith(NEW_HOUSEHOLD) and value not in mapping:
            mapping[value] = next_m11_number("household_no")
        return mapping.get(value, value)

    for item in plan.items:
        item.atena_no = real(item.atena_no)
        for key in ("atena_no", "household_no", "family_of"):
            item.snapshot[key] = real(str(item.snapshot.get(key) or ""))
    plan.households = {real(h) for h in plan.households}


def _lease(keys: list[str], by: User, movement: Movement) -> None:
    now = timezone.now()
    for key in keys:
        held = EditLease.objects.select_for_update().filter(key=key).first()
        if held is not None and held.expires_at > now and held.holder_id != by.pk:
            holder = User.objects.get(pk=held.holder_id)
            number = held.movement.movement_no if held.movement else ""
            raise DomainError(
                "movement.locked",
                f"他の職員（{holder}）が処理中です{f'（{number}）' if number else ''}。照会だけできます。",
            )
        EditLease.objects.update_or_create(
            key=key, defaults={"holder": by, "movement": movement, "expires_at": lease_expiry()}
        )


def _seal(item_snapshot: Snapshot, atena_no: str) -> bool:
    number = item_snapshot.pop("_individual_number", None)
    if not number:
        return False
    item_snapshot["individual_number_ct"], item_snapshot["individual_number_lookup"] = seal_individual_number(
        number, atena_no
    )
    return True


def _store(plan: Plan, by: User, *, replaces: Movement | None = None) -> Movement:
    _assign_numbers(plan)
    context = audit_context()
    movement = Movement.objects.create(
        replaces=replaces,
        movement_no=next_movement_no(),
        kind=plan.kind,
        reason=plan.reason,
        initiation=plan.initiation,
        effective_text=plan.effective_text,
        effective_sort=plan.effective_sort,
        notified_on=plan.notified_on,
        requested_on=plan.requested_on,
        notifier=plan.notifier,
        remark=plan.remark,
        cancels=plan.cancels,
        ex_officio_record=plan.ex_officio_record,
        entered_by=by,
        place=context.place,
        terminal=context.terminal,
    )
    keys = [f"resident:{i.atena_no}" for i in plan.items if i.base_history_no is not None]
    keys += [f"household:{h}" for h in sorted(plan.households) if h]
    _lease(keys, by, movement)
    sealed = False
    for item in plan.items:
        sealed |= _seal(item.snapshot, item.atena_no)
        MovementItem.objects.create(
            movement=movement, atena_no=item.atena_no, base_history_no=item.base_history_no, proposed=item.snapshot
        )
    record_operation(
        action="movement.provisional",
        target_type="movement",
        target_id=movement.movement_no,
        movement_id=movement.movement_no,
        after={
            "kind": plan.kind,
            "persons": [i.atena_no for i in plan.items],
            **({"replaces": replaces.movement_no} if replaces is not None else {}),
        },
        individual_number_accessed=sealed,
    )
    return movement


def require_character_check(movement: Movement, notes: Sequence[str]) -> None:
    """Flag a 仮登録 made from received data 「文字確認が必要」 (the characters the reviewer must
    confirm before 本登録, docs/jukinet.md "統一文字"); inside the caller's transaction."""
    wanted = [str(note)[:200] for note in notes if str(note).strip()][:10]
    if wanted:
        movement.ex_officio_record = {**(movement.ex_officio_record or {}), CHARACTER_CHECK: wanted}
        movement.save(update_fields=["ex_officio_record"])


# -- 本登録 ----------------------------------------------------------------------------------


def approve_movement(movement: Movement, *, by: User, characters_confirmed: bool = False) -> list[ResidentHistory]:
    """本登録 by a different operator who holds the approval capability (4.0.8).  A received
    movement flagged 「文字確認が必要」 (``ex_officio_record['character_check']``) needs
    ``characters_confirmed``: the reviewer has checked the names and addresses it carries."""
    _require(by, "accounts.approve_movement", "異動を決裁する権限がありません。")
    with transaction.atomic():
        movement = Movement.objects.select_for_update().prefetch_related("items").get(pk=movement.pk)
        if movement.state == Movement.State.RETURNED:
            raise DomainError(
                "movement.returned",
                "この異動は差し戻されています。入力した職員が修正して再提出するまで決裁できません。",
            )
        if movement.state != Movement.State.PROVISIONAL:
            raise DomainError(
                "movement.not_provisional", "この異動は仮登録ではありません（本登録済みか取消済みです）。"
            )
        if movement.entered_by_id == by.pk:
            raise DomainError(
                "movement.self_approval", "入力した職員本人は決裁できません。別の職員が審査・決裁してください。"
            )
        households = _households_of(movement)
        items = sorted(movement.items.all(), key=lambda i: i.pk)  # a 改製's new record is its last row
        if households_conflict({i.atena_no: i.proposed for i in items}, households):
            raise DomainError(
                "movement.stale",
                "仮登録の後に、この世帯の記録が他の異動で更新されました。仮登録を取り消して入力し直してください。",
            )
        checks = (movement.ex_officio_record or {}).get(CHARACTER_CHECK) or []
        if checks and not characters_confirmed:
            raise DomainError(
                "movement.characters_unconfirmed",
                "文字確認が必要です。受信した氏名・住所の文字を確認し、確認済みにしてから本登録してください。",
            )
        hooks.check_approval(movement, by)  # a block set after the 仮登録 still stops it (3.1)
        codes = take_spare_resident_codes([i.atena_no for i in items if _needs_code(i.proposed)])
        rows = _record(items, movement, codes, _household_ids(households))
        for household_no in households:
            refresh_household(household_no)
        movement.state = Movement.State.FINAL
        movement.finalized_at = timezone.now()
        movement.processed_on = timezone.localdate()
        movement.save(update_fields=["state", "finalized_at", "processed_on"])
        hooks.after_final(movement, rows)
        EditLease.objects.filter(movement=movement).delete()
        record_operation(
            action="movement.final",
            target_type="movement",
            target_id=movement.movement_no,
            movement_id=movement.movement_no,
            after={"history": [f"{r.atena_no}-{r.history_no}" for r in rows]}
            | ({"characters_confirmed": len(checks)} if checks else {}),
        )
    return rows


def _needs_code(proposed: dict[str, Any]) -> bool:
    """A person who becomes (or stays) a resident without a 住民票コード gets one at 本登録."""
    return not proposed.get("resident_code") and proposed.get("status") == Status.CURRENT


def _record(
    items: list[MovementItem], movement: Movement, codes: dict[str, str], household_ids: dict[str, int]
) -> list[ResidentHistory]:
    """The history rows of every item (in item order: a 改製 has two rows for one person) and
    the projection of each person's last row — a few statements for the whole movement."""
    current = {
        r.atena_no: r
        for r in Resident.objects.select_for_update().filter(atena_no__in={i.atena_no for i in items}).order_by("id")
    }
    history_nos = {atena_no: r.history_no for atena_no, r in current.items()}
    rows: list[ResidentHistory] = []
    for item in items:
        if history_nos.get(item.atena_no) != item.base_history_no:
            raise DomainError(
                "movement.stale",
                "仮登録の後に、この方の記録が他の異動で更新されました。仮登録を取り消して入力し直してください。",
            )
        snapshot = dict(item.proposed)
        if _needs_code(snapshot):
            snapshot["resident_code"] = codes[item.atena_no]
        item.history_no = history_nos[item.atena_no] = (history_nos.get(item.atena_no) or 0) + 1
        row = ResidentHistory(history_no=item.history_no, movement=movement, **_metadata(movement, item))
        apply_snapshot(row, snapshot)
        set_search_keys(row)
        rows.append(row)
    ResidentHistory.objects.bulk_create(rows)
    MovementItem.objects.bulk_update(items, ["history_no"])
    _project({row.atena_no: row for row in rows}, current, household_ids)
    return rows


def _household_ids(numbers: set[str]) -> dict[str, int]:
    """The row id of every household a movement touches, inserting the rows of new ones, so
    that the projection rows are written already linked: re-linking each member afterwards
    would write every person's row (and its indexes) a second time."""
    ids = dict(Household.objects.filter(household_no__in=numbers).values_list("household_no", "pk"))
    missing = sorted(numbers - ids.keys())
    if missing:
        # refresh_household fills in the head and the address from the members just after
        created = Household.objects.bulk_create([Household(household_no=number, address="") for number in missing])
        ids.update({h.household_no: h.pk for h in created if h.pk is not None})  # RETURNING (PostgreSQL, SQLite)
        if len(ids) < len(numbers):
            ids.update(Household.objects.filter(household_no__in=missing).values_list("household_no", "pk"))
    return ids


def _metadata(movement: Movement, item: MovementItem) -> dict[str, Any]:
    # An item may carry its own reason and initiation: a 改製 writes a 消除 row and a 記載 row
    # (planning.rebuild); the member who stays when the head leaves gets a 職権 世帯主変更.
    reason = reason_of(str(item.proposed.get("_reason") or movement.reason))
    cancel = movement.cancels is not None
    return {
        "reason": reason.code,
        "category": reason.category.value,
        "initiation": str(item.proposed.get("_initiation") or movement.initiation),
        "effective_text": movement.effective_text,
        "effective_sort": movement.effective_sort,
        "processed_on": timezone.localdate(),
        "place": movement.place,
        "terminal": movement.terminal,
        "remark": movement.remark,
        "restores_history_no": (item.base_history_no - 1 if cancel and item.base_history_no else None) or None,
        "corrects_history_no": (movement.ex_officio_record or {}).get("corrects", {}).get(item.atena_no),
    }


def _project(
    last_rows: dict[str, ResidentHistory], current: dict[str, Resident], household_ids: dict[str, int] | None = None
) -> None:
    """The projection rows of the persons of a movement from their last history rows, linked to
    their household when its row id is known (else ``refresh_household`` links them)."""
    fields = PERSON_FIELDS
    now = timezone.now()
    changed: list[Resident] = []
    for atena_no, row in last_rows.items():
        resident = current.get(atena_no) or Resident(atena_no=atena_no)
        apply_snapshot(resident, {name: getattr(row, name) for name in fields})
        resident.history_no = row.history_no
        set_search_keys(resident)
        resident.household_id = (household_ids or {}).get(resident.household_no)
        resident.updated_at = now
        changed.append(resident)
    Resident.objects.bulk_create([r for r in changed if r.pk is None])
    for resident in (r for r in changed if r.atena_no in current):
        resident.save(force_update=True)


def _households_of(movement: Movement) -> set[str]:
    """Every household a person of the movement leaves or enters."""
    numbers: set[str] = set()
    for item in movement.items.all():
        numbers.add(str(item.proposed.get("household_no") or ""))
        if item.base_history_no:
            numbers.update(
                ResidentHistory.objects.filter(atena_no=item.atena_no, history_no=item.base_history_no).values_list(
                    "household_no", flat=True
                )
            )
    return numbers - {""}


def refresh_household(household_no: str) -> Household:
    """The household projection from its current members (used by approval and rebuild)."""
    members = list(Resident.objects.filter(household_no=household_no, status=Status.CURRENT).order_by("atena_no"))
    # No get_or_create: its savepoint costs two round trips, and a 世帯番号 is issued to one
    # movement only, so nobody else can be inserting it now (a clash would be a bug: it fails).
    household = Household.objects.filter(household_no=household_no).first() or Household(
        household_no=household_no, address=""
    )
    head = next((m for m in members if m.is_head), None)
    anchor: PersonRecord | None = head or (members[0] if members else None)
    if anchor is None:  # no current member: keep the address its members last had (rebuild gives the same)
        anchor = (
            ResidentHistory.objects.filter(household_no=household_no, status=Status.CURRENT).order_by("-id").first()
        )
    household.is_active = bool(members)
    household.head_atena_no = head.atena_no if head else ""
    household.head_name = head.name if head else ""
    if anchor is not None:
        household.address, household.address_code = anchor.address, anchor.address_code
        household.postcode, household.katagaki = anchor.postcode, anchor.katagaki
        household.banchi = anchor.banchi
    household.save()
    # only the members not linked yet: rewriting every member's row would cost a big household
    Resident.objects.filter(household_no=household_no).exclude(household_id=household.pk).update(household=household)
    return household


# -- 記載順位 (5.2) -----------------------------------------------------------------------------


def set_member_order(household_no: str, atena_nos: list[str], *, by: User) -> HouseholdOrder | None:
    """Set the 記載順位 of a household by hand (5.2): ``atena_nos`` names every current member
    once, in the order wanted; an empty list returns the household to the computed order.  Not
    while another operator is entering a movement for the household (10.3)."""
    _require(by, "accounts.enter_movement", "記載順位を設定する権限がありません。")
    with transaction.atomic():
        members = set(
            Resident.objects.filter(household_no=household_no, status=Status.CURRENT).values_list("atena_no", flat=True)
        )
        if not members:
            raise DomainError("household.not_found", "現存する世帯員のいる世帯ではありません。")
        wanted = [str(a).strip() for a in atena_nos]
        if wanted and (len(wanted) != len(set(wanted)) or set(wanted) != members):
            raise DomainError("household.order_members", "記載順位は世帯員全員を1回ずつ並べて指定してください。")
        held = EditLease.objects.filter(key=f"household:{household_no}", expires_at__gt=timezone.now()).exclude(
            holder=by
        )
        if held.exists():
            raise DomainError("movement.locked", "他の職員がこの世帯の異動を処理中です。照会だけできます。")
        existing = HouseholdOrder.objects.select_for_update().filter(household_no=household_no).first()
        before = list(existing.atena_nos) if existing is not None else []
        row: HouseholdOrder | None = None
        if not wanted:
            HouseholdOrder.objects.filter(household_no=household_no).delete()
        else:
            row, _ = HouseholdOrder.objects.update_or_create(
                household_no=household_no, defaults={"atena_nos": wanted, "set_by": by, "set_at": timezone.now()}
            )
        record_operation(
            action="registry.member_order",
            target_type="household",
            target_id=household_no,
            before={"order": before},
            after={"order": wanted},
        )
    return row


# -- 仮登録の取消 ------------------------------------------------------------------------------


def discard_movement(movement: Movement, *, by: User) -> None:
    """Withdraw a 仮登録 or a returned movement (its entering operator or a reviewer); nothing
    reaches the record."""
    if movement.entered_by_id != by.pk:
        _require(by, "accounts.approve_movement", "他の職員の仮登録を取り消す権限がありません。")
    with transaction.atomic():
        movement = Movement.objects.select_for_update().get(pk=movement.pk)
        if movement.state not in PENDING_STATES:
            raise DomainError("movement.not_provisional", "この異動は仮登録ではありません。")
        _withdraw(movement, action="movement.discarded")


def _withdraw(movement: Movement, *, action: str) -> None:
    movement.state = Movement.State.DISCARDED
    movement.save(update_fields=["state"])
    hooks.after_discard(movement)
    EditLease.objects.filter(movement=movement).delete()
    record_operation(
        action=action, target_type="movement", target_id=movement.movement_no, movement_id=movement.movement_no
    )


# -- 差戻し ------------------------------------------------------------------------------------

RETURN_COMMENT_MAX = 1000


def return_movement(movement: Movement, comment: str, *, by: User) -> Movement:
    """差戻し: a reviewer returns a 仮登録 to the clerk who entered it, saying what to correct.
    The movement keeps its persons (nothing else may be entered for them) until the clerk
    corrects it (a new entry replacing it), resubmits it as it is, or discards it.  The comment
    is free text (no 個人番号); who returned it is in the operation log, not on the record."""
    _require(by, "accounts.approve_movement", "異動を差し戻す権限がありません。")
    comment = (comment or "").strip()
    if not comment:
        raise DomainError("movement.return_comment", "差戻しの理由（直してほしい点）を入力してください。")
    if len(comment) > RETURN_COMMENT_MAX:
        raise DomainError("movement.return_comment", f"差戻しの理由は{RETURN_COMMENT_MAX}文字以内で入力してください。")
    refuse_in_texts({"comment": comment})
    with transaction.atomic():
        movement = Movement.objects.select_for_update().get(pk=movement.pk)
        if movement.state != Movement.State.PROVISIONAL:
            raise DomainError("movement.not_provisional", "審査待ちの仮登録だけを差し戻せます。")
        if movement.entered_by_id == by.pk:
            raise DomainError("movement.self_return", "自分で入力した仮登録は差し戻せません（取り消してください）。")
        movement.state = Movement.State.RETURNED
        movement.return_comment = comment
        movement.returned_at = timezone.now()
        movement.save(update_fields=["state", "return_comment", "returned_at"])
        record_operation(
            action="movement.returned",
            target_type="movement",
            target_id=movement.movement_no,
            movement_id=movement.movement_no,
            after={"comment": comment},
        )
    return movement


def resubmit_movement(movement: Movement, *, by: User) -> Movement:
    """The clerk sends a returned movement back to the queue as it is (the comment answered
    without a change to the entry); the comment stays visible to the reviewer."""
    _require(by, "accounts.enter_movement", "異動を入力する権限がありません。")
    with transaction.atomic():
        movement = _returned_to(movement, by)
        movement.state = Movement.State.PROVISIONAL
        movement.save(update_fields=["state"])
        record_operation(
            action="movement.resubmitted",
            target_type="movement",
            target_id=movement.movement_no,
            movement_id=movement.movement_no,
        )
    return movement


# -- rebuild -------------------------------------------------------------------------------


def rebuild_projection() -> int:
    """Rebuild Resident and Household entirely from the history rows; returns the number of
    persons.  The projection must always equal this (tested)."""
    with transaction.atomic():
        Resident.objects.update(household=None)
        Resident.objects.all().delete()
        Household.objects.all().delete()
        latest: dict[str, ResidentHistory] = {}
        for row in ResidentHistory.objects.order_by("atena_no", "history_no").iterator(chunk_size=5000):
            latest[row.atena_no] = row
        rows = list(latest.values())
        for start in range(0, len(rows), 1000):
            _project({row.atena_no: row for row in rows[start : start + 1000]}, {})
        # every household ever recorded, also those no person's latest row names any more
        for household_no in ResidentHistory.objects.values_list("household_no", flat=True).distinct():
            refresh_household(household_no)
    return len(latest)


def expire_leases(now: Any = None) -> int:
    return EditLease.objects.filter(expires_at__lte=now or timezone.now()).delete()[0]
