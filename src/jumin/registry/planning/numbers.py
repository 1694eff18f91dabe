"""Planners of the number movements (spec 1.2.2, 4.3, 4.4, 7.1.2.1): 住民票コードの変更請求・
職権記載 and 個人番号の職権記載（指定）・変更請求・職権修正.

**住民票コード** (住基法 第30条の3・第30条の4).  The planner checks the person and that the
spare-code stock is not empty, and proposes the record with the code left empty.  The new
code is taken at 本登録, inside the approving transaction, at random from the stock
(:func:`jumin.registry.numbers.take_spare_resident_code`: ``secrets``, SKIP LOCKED on
PostgreSQL, a conditional update everywhere), so a code is consumed exactly once even when
several movements are approved at the same time, and a 仮登録 that is discarded consumes
none.  The old code stays in the earlier history rows and never returns to the stock.

**個人番号** (番号法 第7条・第8条).  The number comes from J-LIS (:mod:`jumin.registry.
individual_numbers`), requested with the person's 住民票コード.  *It is requested when the
movement is entered* (仮登録), not at approval:

* the 確認用帳票 then shows the number to the reviewer (masked for whoever lacks the 個人番号
  permission), so what is approved is what will be recorded;
* an unreachable national system is reported at the counter, while the person is there, and
  nothing is written (the planner turns the failure into an error of the plan);
* approval stays a local transaction with no network call inside it;
* the requests are idempotent: 生成 of the same 住民票コード returns the same number, and a 変更
  carries a request id made of the 宛名番号 and the 履歴番号 it is based on, so entering the
  movement again after an alert, a discarded 仮登録 or a lost answer yields the same new number
  instead of using up another.  A 変更 entered and then discarded is known to J-LIS but not
  recorded here; it is recorded when the movement is entered again, and 整合性確認 (7.1.1.2)
  shows the difference until then.

The number is put into the proposed snapshot as ``_individual_number`` and sealed (AES-GCM +
HMAC, :func:`jumin.registry.numbers.seal_individual_number`) when the movement is stored, like a
number entered at a 転入.  個人番号の職権修正 asks J-LIS for a new number like a 変更請求 does
(7.1.2.1: 変更請求/職権修正 → 変更要求); it differs in who starts it (職権).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings

from jumin.conf.domain import era_table
from jumin.core.date_rules import DateKind
from jumin.core.errors import DomainError
from jumin.registry.individual_numbers import number_service
from jumin.registry.models import Initiation, Resident, SpareResidentCode, Status
from jumin.registry.numbers import individual_number_lookup
from jumin.registry.planning.readers import current_resident, entered_date, in_window, local_today, read_effective
from jumin.registry.planning.types import Plan, PlannedItem
from jumin.registry.snapshots import snapshot_of

RESIDENT_CODE_ACTIONS = {
    "change_request": ("resident_code_change_request", Initiation.REQUEST),
    "ex_officio_record": ("resident_code_ex_officio_record", Initiation.EX_OFFICIO),
}
INDIVIDUAL_NUMBER_ACTIONS = {
    "ex_officio_record": ("individual_number_ex_officio_record", Initiation.EX_OFFICIO),
    "change_request": ("individual_number_change_request", Initiation.REQUEST),
    "ex_officio_correction": ("individual_number_ex_officio_correction", Initiation.EX_OFFICIO),
}


def _start(kind: str, actions: Mapping[str, tuple[str, str]], data: dict[str, Any]) -> tuple[Plan, Resident | None]:
    """The plan, its dates and the one current person it is about (or None after an error).
    届出日 is the date of the 請求 (or of the 職権 decision): default today, not in the future;
    the 異動日 defaults to it."""
    action = str(data.get("action") or "")
    reason, initiation = actions.get(action, ("", Initiation.EX_OFFICIO))
    plan = Plan(kind, reason, initiation)
    if not reason:
        plan.error(f"{kind}.action", "処理の種類（変更請求・職権記載など）を選んでください。")
        return plan, None
    label = "請求日" if initiation == Initiation.REQUEST else "職権で処理する日"
    value = data.get("notified_on")
    plan.notified_on = entered_date(plan, value, label) if value else local_today()
    if plan.notified_on is not None and plan.notified_on > local_today():
        plan.error("date.future", f"{label}は今日以前の日付にしてください。")
        return plan, None
    if not in_window(plan, DateKind.NOTIFIED, plan.notified_on, label):
        return plan, None
    if initiation == Initiation.REQUEST:
        plan.requested_on = plan.notified_on
        plan.notifier = str(data.get("notifier") or "").strip()
    effective = data.get("effective") or (era_table().format(plan.notified_on) if plan.notified_on else "")
    read_effective(plan, {"effective": effective}, "異動日")
    plan.remark = str(data.get("remark") or "").strip()
    resident = current_resident(str(data.get("atena_no") or ""))
    if resident is None:
        plan.error("movement.not_current", "現存する住民を指定してください。")
    else:
        plan.households.add(resident.household_no)
    return plan, resident


def plan_resident_code(data: dict[str, Any]) -> Plan:
    """住民票コードの変更請求 (住基法30条の4) or 職権記載 (a person recorded without one): the
    new code is drawn from the spare stock at 本登録."""
    plan, resident = _start("resident_code", RESIDENT_CODE_ACTIONS, data)
    if resident is None or plan.errors:
        return plan
    if plan.reason == "resident_code_change_request" and not resident.resident_code:
        plan.error(
            "resident_code.none", "住民票コードが記載されていません。住民票コードの職権記載として処理してください。"
        )
    if plan.reason == "resident_code_ex_officio_record" and resident.resident_code:
        plan.error(
            "resident_code.exists",
            "住民票コードは記載済みです。変更するときは住民票コードの変更請求として処理してください。",
        )
    if not SpareResidentCode.objects.filter(assigned_to="").exists():
        plan.error(
            "resident_code.no_stock", "住民票コードの空きコードがありません。CSから空きコードを取り込んでください。"
        )
    snap = snapshot_of(resident)
    snap["resident_code"] = ""  # taken at random from the spare stock at 本登録
    plan.items.append(PlannedItem(resident.atena_no, resident.history_no, snap))
    return plan


def plan_individual_number(data: dict[str, Any]) -> Plan:
    """個人番号の職権記載 (指定: 生成要求), 変更請求 and 職権修正 (変更要求), 番号法7条."""
    plan, resident = _start("individual_number", INDIVIDUAL_NUMBER_ACTIONS, data)
    if resident is None or plan.errors:
        return plan
    atena_no = resident.atena_no
    record = plan.reason == "individual_number_ex_officio_record"
    if not resident.resident_code:
        plan.error(
            "individual_number.no_resident_code",
            "住民票コードが記載されていないため、個人番号を求められません。先に住民票コードを記載してください。",
            atena_no,
        )
    if record and resident.individual_number_ct:
        plan.error(
            "individual_number.exists",
            "個人番号は記載済みです。変更するときは変更請求または職権修正として処理してください。",
            atena_no,
        )
    if not record and not resident.individual_number_ct:
        plan.error(
            "individual_number.none",
            "個人番号が記載されていません。個人番号の職権記載として処理してください。",
            atena_no,
        )
    if plan.errors:
        return plan
    try:
        number = _answer(data, resident) or _request(record, resident)
    except DomainError as error:
        plan.error(error.code, error.message, atena_no)
        return plan
    lookup = individual_number_lookup(number)
    if not record and lookup == resident.individual_number_lookup:
        plan.error("number_service.not_changed", "機構から変更前と同じ個人番号が返りました。", atena_no)
    others = Resident.objects.filter(individual_number_lookup=lookup, status=Status.CURRENT).exclude(atena_no=atena_no)
    if others.exists():
        plan.error("person.duplicate_number", "この個人番号の方は既に住民として記録されています。", atena_no)
    snap = snapshot_of(resident)
    snap["_individual_number"] = number  # sealed when the movement is stored
    plan.items.append(PlannedItem(atena_no, resident.history_no, snap))
    return plan


def _request(record: bool, resident: Resident) -> str:
    """Ask J-LIS: 生成要求 for a 職権記載, 変更要求 (idempotent per 宛名番号 and 履歴番号) otherwise."""
    service = number_service()
    if record:
        return service.generate(resident.resident_code)
    request_id = f"{settings.JUMIN_MUNICIPALITY['lg_code']}-{resident.atena_no}-{resident.history_no}"
    return service.change(resident.resident_code, request_id=request_id)


ANSWER_KEY = "_number_answer"


def _answer(data: dict[str, Any], resident: Resident) -> str:
    """The number fetched by :func:`prepare_individual_number` — if it was fetched for the
    person's record as it still is (else the planner asks again, inside the transaction)."""
    answer = data.get(ANSWER_KEY)
    if isinstance(answer, tuple) and answer[:2] == (resident.atena_no, resident.history_no):
        return str(answer[2])
    return ""


def prepare_individual_number(data: dict[str, Any]) -> dict[str, Any]:
    """Run *before* the entering transaction opens (``services.enter_movement``): the call to
    J-LIS may take seconds, and no database lock may be held meanwhile (on SQLite the entering
    transaction holds the write lock).  Failures are left for the planner to report."""
    action = INDIVIDUAL_NUMBER_ACTIONS.get(str(data.get("action") or ""))
    resident = current_resident(str(data.get("atena_no") or ""))
    if action is None or resident is None or not resident.resident_code:
        return data
    record = action[0] == "individual_number_ex_officio_record"
    if record == bool(resident.individual_number_ct):
        return data
    try:
        number = _request(record, resident)
    except DomainError:
        return data
    return {**data, ANSWER_KEY: (resident.atena_no, resident.history_no, number)}
