"""Writers of the 中間サーバー (municipal side; docs/number-exchange.md).

* :func:`update_copies` consumes the ``provision_copy`` outbox rows of every 本登録 (in ``seq``
  order, one transaction) into the 副本 of 住民票関係情報, numbering the person in the
  団体内統合宛名 on first sight; :func:`initial_load` builds every missing 副本 from the register.
* :func:`obtain_codes` asks the 情報提供ネットワークシステム for the 符号 of every person with a
  副本 (符号取得支援: a 処理通番 per person, kept until the 符号 is obtained).
* :func:`answer_requests` collects the 情報照会 waiting for us and answers each from the 副本 —
  except for a person under 支援措置, whose request is 自動応答不可 (deferred) until a person
  decides (:func:`answer_manually`).  Every decision is a 情報提供等記録 committed before the
  answer is sent; an answer not delivered is sent again on the next pass, never twice decided.
* :func:`inquire` makes a 情報照会 for a department (its business system and 事務 checked
  against its grant), recorded the same way.
* :func:`purge_records` drops the 情報提供等記録 past their seven years.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jumin.accounts.models import LinkedSystem, User
from jumin.audit.services import record_access, record_operation
from jumin.conf.db import analyze
from jumin.core.address import full_address
from jumin.core.errors import DomainError
from jumin.integrated_atena.models import BusinessAtena, BusinessGrant
from jumin.integrated_atena.services import integrate_residents
from jumin.intermediate_server.models import CodeRecord, ProvisionCopy, ProvisionRecord
from jumin.linkage.client import DEFAULT_TIMEOUT, DeliveryError, PeerClient, setting
from jumin.linkage.models import OutboxMessage
from jumin.protection.rules import protected_persons
from jumin.registry.models import ArchivedHistory, ArchivedResident, Resident, ResidentHistory
from jumin.registry.numbers import next_serial

Row = ResidentHistory | ArchivedHistory | Resident | ArchivedResident
BATCH = 500
LOAD_BATCH = 2_000
PEER_PUBLIC = "provision_network_ed25519.pub"
PEER_SEAL_PUBLIC = "provision_network_x25519.pub"  # every message sealed to it (jumin.linkage.sealing)
PEER_LABEL = "情報提供ネットワークシステム"
URL_SETTING = "JUMIN_PROVISION_NETWORK_URL"
RESIDENT_ITEM = "resident_relations"  # 住民票関係情報
RETENTION_YEARS = 7
MAX_ANSWER = 1_048_576  # a page of waiting requests, sealed
MAX_REASON = 200  # ProvisionRecord.manual_reason
MANUAL = "accounts.manage_support_measure"  # who answers a 自動応答不可 request
BATCH_PERM = "accounts.run_batch"
# The law each 事務 asks under (番号法 第19条第8号・別表第二; the items of the simulated list).
LAWS: dict[str, str] = {
    "child_allowance": "番号法第19条第8号 別表第二 項番74（児童手当法による児童手当の支給）",
    "health_care": "番号法第19条第8号 別表第二 項番16（健康増進法による健康増進事業）",
    "pension": "番号法第19条第8号 別表第二 項番37（国民年金法による年金給付）",
}
FINAL_ANSWERS = {
    ProvisionRecord.Outcome.ANSWERED: "answered",
    ProvisionRecord.Outcome.MANUAL_ANSWERED: "answered",
    ProvisionRecord.Outcome.WITHHELD: "withheld",
    ProvisionRecord.Outcome.NOT_FOUND: "not_found",
    ProvisionRecord.Outcome.DEFERRED: "deferred",
}


def municipality_code() -> str:
    return str(settings.JUMIN_MUNICIPALITY.get("lg_code", ""))


def _keep_until(at: datetime) -> date:
    day = timezone.localdate(at)
    try:
        return day.replace(year=day.year + RETENTION_YEARS)
    except ValueError:  # 29 February
        return day.replace(year=day.year + RETENTION_YEARS, day=28)


# -- 副本 ------------------------------------------------------------------------------------


def copy_items(row: Row) -> dict[str, Any]:
    """住民票関係情報 as the 副本 holds it (the items other agencies may ask for)."""
    return {
        "name": row.name,
        "furigana": row.furigana,
        "birth": row.birth_text,
        "sex": row.sex,
        "address": full_address(row.address, row.banchi, row.katagaki),
        "household_no": row.household_no,
        "head_name": row.head_name,
        "relationship": row.relationship,
        "status": row.status,
        "became_resident": row.became_resident_text,
        "address_set": row.address_set_text,
        "removal_reason": row.removal_reason,
    }


def _history_rows(messages: list[OutboxMessage]) -> dict[tuple[str, int], Row]:
    keys = {(m.atena_no, m.history_no) for m in messages if m.history_no is not None}
    found: dict[tuple[str, int], Row] = {}
    numbers = sorted({atena_no for atena_no, _ in keys})
    for model in (ResidentHistory, ArchivedHistory):
        rows = model.objects.filter(atena_no__in=numbers, history_no__in={h for _, h in keys})
        for row in rows:
            if (row.atena_no, row.history_no) in keys:
                found.setdefault((row.atena_no, row.history_no), row)
    return found


@dataclass(frozen=True)
class CopyResult:
    updated: int
    unchanged: int
    failed: int


def update_copies(*, limit: int = BATCH, now: datetime | None = None) -> CopyResult:
    """Up to ``limit`` pending ``provision_copy`` outbox rows (in ``seq`` order) into the 副本,
    in one transaction: a row is marked sent in the transaction that wrote its 副本, so a
    crash loses nothing and a second pass repeats nothing; an older history row than the 副本
    holds changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        messages = list(
            OutboxMessage.objects.select_for_update()
            .filter(destination=OutboxMessage.Destination.PROVISION_COPY, state=OutboxMessage.State.PENDING)
            .filter(movement__isnull=False)
            .order_by("seq")[:limit]
        )
        if not messages:
            return CopyResult(0, 0, 0)
        rows = _history_rows(messages)
        latest: dict[str, tuple[OutboxMessage, Row]] = {}
        failed: list[OutboxMessage] = []
        for message in messages:
            row = rows.get((message.atena_no, message.history_no or 0))
            if row is None:
                failed.append(message)
            elif message.atena_no not in latest or latest[message.atena_no][1].history_no < row.history_no:
                latest[message.atena_no] = (message, row)
        integrated = integrate_residents([row for _, row in latest.values()], now=now)
        copies = {c.atena_no: c for c in ProvisionCopy.objects.select_for_update().filter(atena_no__in=list(latest))}
        new, changed = [], []
        for atena_no, (message, row) in latest.items():
            copy = copies.get(atena_no)
            if copy is None:
                new.append(
                    ProvisionCopy(
                        atena_no=atena_no,
                        integrated_no=integrated[atena_no],
                        history_no=row.history_no,
                        outbox_seq=message.seq,
                        items=copy_items(row),
                        updated_at=now,
                    )
                )
            elif copy.history_no < row.history_no:
                copy.history_no, copy.outbox_seq, copy.items, copy.updated_at = (
                    row.history_no,
                    message.seq,
                    copy_items(row),
                    now,
                )
                changed.append(copy)
        ProvisionCopy.objects.bulk_create(new)
        ProvisionCopy.objects.bulk_update(changed, ["history_no", "outbox_seq", "items", "updated_at"])
        sent = [m.pk for m in messages if m not in failed]
        OutboxMessage.objects.filter(pk__in=sent).update(state=OutboxMessage.State.SENT, last_error="")
        for message in failed:
            message.state = OutboxMessage.State.FAILED
            message.attempts += 1
            message.last_error = "intermediate_server.history_missing: 副本の元になる異動履歴が見つかりません。"
            message.save(update_fields=["state", "attempts", "last_error"])
        updated = len(new) + len(changed)
        record_operation(
            action="intermediate_server.copies_updated",
            target_type="provision_copy",
            after={"updated": updated, "failed": len(failed), "outbox": [m.seq for m in messages]},
        )
    return CopyResult(updated, len(messages) - updated - len(failed), len(failed))


def initial_load(*, batch: int = LOAD_BATCH, now: datetime | None = None) -> int:
    """The 副本 of every person of the register (current and 除票) who has none yet, in batches
    of ``batch`` (one transaction each); the number written.  Run once before the outbox
    consumer takes over (rows written since are consumed by :func:`update_copies`)."""
    now = now or timezone.now()
    total = 0
    models: tuple[type[Resident] | type[ArchivedResident], ...] = (Resident, ArchivedResident)
    for model in models:
        last = ""
        while True:
            with transaction.atomic():
                rows: list[Resident | ArchivedResident] = list(
                    model.objects.filter(atena_no__gt=last).order_by("atena_no")[:batch]
                )
                if not rows:
                    break
                last = rows[-1].atena_no
                have = set(
                    ProvisionCopy.objects.filter(atena_no__in=[r.atena_no for r in rows]).values_list(
                        "atena_no", flat=True
                    )
                )
                missing = [r for r in rows if r.atena_no not in have]
                if not missing:
                    continue
                integrated = integrate_residents(missing, now=now)
                ProvisionCopy.objects.bulk_create(
                    ProvisionCopy(
                        atena_no=r.atena_no,
                        integrated_no=integrated[r.atena_no],
                        history_no=r.history_no,
                        items=copy_items(r),
                        updated_at=now,
                    )
                    for r in missing
                )
                total += len(missing)
    analyze((ProvisionCopy, *apps.get_app_config("integrated_atena").get_models()))
    record_operation(action="intermediate_server.initial_load", target_type="provision_copy", after={"written": total})
    return total


# -- the network -------------------------------------------------------------------------------


def network_client() -> PeerClient:
    url = setting(URL_SETTING, "")
    if not url:
        raise DomainError(
            "number_exchange.unconfigured", f"{PEER_LABEL}の接続先（{URL_SETTING}）が設定されていません。"
        )
    timeout = float(setting("JUMIN_PROVISION_NETWORK_TIMEOUT", str(DEFAULT_TIMEOUT)))
    return PeerClient(
        url,
        timeout,
        path="/inquiries",
        peer_file=PEER_PUBLIC,
        peer_label=PEER_LABEL,
        url_setting=URL_SETTING,
        seal_file=PEER_SEAL_PUBLIC,
        max_answer=MAX_ANSWER,
    )


def _exchange(client: PeerClient, method: str, path: str, raw: bytes) -> tuple[int, dict[str, Any]]:
    """One signed exchange; a 5xx answer (``maintenance``) is an outage like a refused connection."""
    status, payload = client.exchange(method, path, raw)
    if status >= 500:
        raise DeliveryError(f"rejected:{str(payload.get('error') or f'http_{status}')[:60]}")
    return status, payload


def _post(client: PeerClient, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    return _exchange(client, "POST", path, json.dumps(body, ensure_ascii=False, sort_keys=True).encode())


_STOPS = ("unavailable", "rejected:maintenance")


def _stops(code: str) -> bool:
    return code in _STOPS or code.startswith(("peer_", "http_5"))


@dataclass(frozen=True)
class CodeResult:
    obtained: int
    failed: int


def obtain_codes(client: PeerClient | None = None, *, limit: int = BATCH) -> CodeResult:
    """符号取得支援: a 処理通番 for every person with a 副本 and no 符号 request yet (committed
    first), then the 符号 of every request still open.  An outage stops the pass; the open
    requests are asked again, with the same 処理通番, on the next one."""
    client = client or network_client()
    our = municipality_code()
    with transaction.atomic():
        missing = list(
            ProvisionCopy.objects.exclude(integrated_no__in=CodeRecord.objects.values("integrated_no")).values_list(
                "atena_no", "integrated_no"
            )[:limit]
        )
        CodeRecord.objects.bulk_create(
            CodeRecord(
                integrated_no=i, atena_no=a, processing_no=f"{our}-{next_serial('number_exchange:processing'):012d}"
            )
            for a, i in missing
        )
    open_requests = list(CodeRecord.objects.filter(state=CodeRecord.State.REQUESTED).order_by("id")[:limit])
    codes = dict(
        Resident.objects.filter(atena_no__in=[r.atena_no for r in open_requests]).values_list(
            "atena_no", "resident_code"
        )
    )
    obtained = failed = 0
    for record in open_requests:
        resident_code = codes.get(record.atena_no, "")
        if not resident_code:
            continue  # a 除票 without a current record: its 符号 is kept from before, or not asked
        body = {"processing_no": record.processing_no, "agency": our, "resident_code": resident_code}
        try:
            status, payload = _post(client, "/codes", body)
        except DeliveryError as exc:
            record.last_error = exc.code[:100]
            record.save(update_fields=["last_error"])
            failed += 1
            if _stops(exc.code):
                break
            continue
        code = payload.get("code")
        if status != 200 or not isinstance(code, str) or not code:
            record.last_error = str(payload.get("error") or f"http_{status}")[:100]
            record.save(update_fields=["last_error"])
            failed += 1
            continue
        record.code, record.state, record.obtained_at, record.last_error = (
            code,
            CodeRecord.State.OBTAINED,
            timezone.now(),
            "",
        )
        record.save(update_fields=["code", "state", "obtained_at", "last_error"])
        obtained += 1
    record_operation(
        action="intermediate_server.codes_obtained",
        target_type="code_record",
        after={"obtained": obtained, "failed": failed},
    )
    return CodeResult(obtained, failed)


# -- 情報提供: the requests other agencies make of us -----------------------------------------


@dataclass(frozen=True)
class AnswerResult:
    received: int
    answered: int
    deferred: int
    unsent: int


def _valid_request(item: Any) -> bool:
    fields = ("inquiry_id", "requester", "provider", "affair", "item", "law", "code")
    return isinstance(item, dict) and all(isinstance(item.get(f), str) and 0 < len(item[f]) <= 100 for f in fields)


def _decide(request: dict[str, Any], now: datetime) -> ProvisionRecord:
    """The 情報提供等記録 of one request, decided once (committed before any answer is sent)."""
    with transaction.atomic():
        existing = ProvisionRecord.objects.select_for_update().filter(inquiry_id=request["inquiry_id"]).first()
        if existing is not None:
            return existing
        code = CodeRecord.objects.filter(code=request["code"], state=CodeRecord.State.OBTAINED).first()
        atena_no = code.atena_no if code is not None else ""
        if (
            code is None
            or request["item"] != RESIDENT_ITEM
            or not ProvisionCopy.objects.filter(atena_no=atena_no).exists()
        ):
            outcome = ProvisionRecord.Outcome.NOT_FOUND
        elif protected_persons([atena_no]):
            outcome = ProvisionRecord.Outcome.DEFERRED  # 自動応答不可: a person decides
        else:
            outcome = ProvisionRecord.Outcome.ANSWERED
        record = ProvisionRecord.objects.create(
            inquiry_id=request["inquiry_id"],
            direction=ProvisionRecord.Direction.PROVISION,
            requester=request["requester"],
            provider=request["provider"],
            affair=request["affair"],
            item=request["item"],
            law=request["law"],
            atena_no=atena_no,
            asked_at=now,
            outcome=outcome,
            answered_at=now if outcome != ProvisionRecord.Outcome.DEFERRED else None,
            keep_until=_keep_until(now),
        )
        record_operation(
            action="intermediate_server.request_decided",
            target_type="provision_record",
            target_id=record.inquiry_id,
            after={"outcome": outcome, "affair": record.affair, "item": record.item},
        )
        return record


def _send_answer(client: PeerClient, record: ProvisionRecord) -> bool:
    """Send the decided answer of one record; whether it reached the network."""
    status = FINAL_ANSWERS[ProvisionRecord.Outcome(record.outcome)]
    body: dict[str, Any] = {"inquiry_id": record.inquiry_id, "status": status}
    if status == "answered":
        copy = ProvisionCopy.objects.get(atena_no=record.atena_no)
        body["data"] = copy.items
    try:
        code, payload = _post(client, "/answers", body)
    except DeliveryError as exc:
        if _stops(exc.code):
            raise
        return False
    if code != 200 and payload.get("error") != "conflict":
        return False
    ProvisionRecord.objects.filter(pk=record.pk, outcome=record.outcome).update(answer_sent=True)
    if status == "answered":
        record_access(purpose="number_exchange.provision", persons=[record.atena_no], action="provide")
    return True


def answer_requests(client: PeerClient | None = None, *, now: datetime | None = None) -> AnswerResult:
    """Collect the 情報照会 waiting for us and answer them; then send every decided answer not
    sent yet (a manual answer, or one an outage held back)."""
    client = client or network_client()
    now = now or timezone.now()
    try:
        status, payload = _exchange(client, "GET", f"/requests?provider={municipality_code()}", b"")
    except DeliveryError as exc:
        raise DomainError("number_exchange.unavailable", f"{PEER_LABEL}に接続できません（{exc.code}）。") from None
    requests = payload.get("requests") if status == 200 else None
    if not isinstance(requests, list):
        raise DomainError("number_exchange.bad_answer", f"{PEER_LABEL}の応答が正しくありません。")
    received = [_decide(item, now) for item in requests if _valid_request(item)]
    answered = deferred = unsent = 0
    waiting = ProvisionRecord.objects.filter(direction=ProvisionRecord.Direction.PROVISION, answer_sent=False).exclude(
        outcome__in=[ProvisionRecord.Outcome.PENDING, ProvisionRecord.Outcome.FAILED]
    )
    try:
        for record in waiting.order_by("id"):
            if _send_answer(client, record):
                deferred += record.outcome == ProvisionRecord.Outcome.DEFERRED
                answered += record.outcome != ProvisionRecord.Outcome.DEFERRED
            else:
                unsent += 1
    except DeliveryError:
        unsent = waiting.count()
    return AnswerResult(len(received), answered, deferred, unsent)


def answer_manually(
    inquiry_id: str, *, provide: bool, by: User, reason: str = "", client: PeerClient | None = None
) -> ProvisionRecord:
    """A person's answer to a 自動応答不可 request (支援措置): provide the 副本 or withhold it
    (a refusal needs its reason, kept in the record).  Recorded first; sent now if the network
    answers, else on the next :func:`answer_requests`."""
    if not by.has_perm(MANUAL):
        raise DomainError("auth.forbidden", "自動応答不可の照会に回答する権限がありません。")
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise DomainError("number_exchange.reason_too_long", f"理由は{MAX_REASON}文字以内で入力してください。")
    if not provide and not reason:
        raise DomainError("number_exchange.reason_required", "提供しない場合は理由を入力してください。")
    now = timezone.now()
    with transaction.atomic():
        record = ProvisionRecord.objects.select_for_update().filter(inquiry_id=inquiry_id).first()
        if record is None or record.outcome != ProvisionRecord.Outcome.DEFERRED:
            raise DomainError("number_exchange.not_deferred", "手動回答を待っている照会ではありません。")
        record.outcome = ProvisionRecord.Outcome.MANUAL_ANSWERED if provide else ProvisionRecord.Outcome.WITHHELD
        record.answered_by, record.answered_at, record.answer_sent = by.username, now, False
        record.manual_reason = reason
        record.save(update_fields=["outcome", "answered_by", "answered_at", "answer_sent", "manual_reason"])
        record_operation(
            action="intermediate_server.answered_manually",
            target_type="provision_record",
            target_id=record.inquiry_id,
            after={"outcome": record.outcome},
            reason=reason,
        )
    with contextlib.suppress(DeliveryError, DomainError):  # recorded; the next answer_requests sends it
        _send_answer(client or network_client(), record)
    record.refresh_from_db()
    return record


# -- 情報照会: a department asks another agency -------------------------------------------------


@dataclass(frozen=True)
class InquiryAnswer:
    inquiry_id: str
    outcome: str
    data: dict[str, Any] | None


def _grants(by: User | LinkedSystem) -> Any:
    return BusinessGrant.objects.filter(user=by) if isinstance(by, User) else BusinessGrant.objects.filter(system=by)


def holds_a_grant(by: User | LinkedSystem) -> bool:
    """Whether ``by`` may make a 情報照会 for any business system (権限管理)."""
    return bool(_grants(by).exclude(affairs=[]).exists())


def _grant(by: User | LinkedSystem, business: str) -> BusinessGrant | None:
    grant: BusinessGrant | None = _grants(by).filter(business=business).first()
    return grant


def inquire(
    by: User | LinkedSystem,
    *,
    business: str,
    business_atena_no: str,
    affair: str,
    item: str,
    provider: str,
    client: PeerClient | None = None,
) -> InquiryAnswer:
    """情報照会 on behalf of a department: its grant for ``business`` must name ``affair``; the
    person is the department's own 宛名番号, linked in the 団体内統合宛名 to a 符号."""
    grant = _grant(by, business)
    if grant is None or affair not in grant.affairs:
        raise DomainError("number_exchange.not_granted", "この業務・事務での情報照会は許可されていません。")
    if affair not in LAWS:
        raise DomainError("number_exchange.unknown_affair", "事務の指定が正しくありません。")
    if not provider.isdigit() or len(provider) > 20 or not item.isascii() or not 0 < len(item) <= 40:
        raise DomainError("number_exchange.bad_request", "情報提供者または項目の指定が正しくありません。")
    link = (
        BusinessAtena.objects.select_related("integrated")
        .filter(business=business, business_atena_no=business_atena_no)
        .first()
    )
    if link is None:
        raise DomainError("number_exchange.not_linked", "この業務の宛名番号は団体内統合宛名に紐付いていません。")
    code = CodeRecord.objects.filter(
        integrated_no=link.integrated.integrated_no, state=CodeRecord.State.OBTAINED
    ).first()
    if code is None:
        raise DomainError("number_exchange.no_code", "この人の符号がまだ取得されていません。")
    client = client or network_client()
    our = municipality_code()
    now = timezone.now()
    record = ProvisionRecord.objects.create(
        inquiry_id=f"{our}-Q{next_serial('number_exchange:inquiry'):012d}",
        direction=ProvisionRecord.Direction.INQUIRY,
        requester=our,
        provider=provider,
        affair=affair,
        item=item,
        law=LAWS[affair],
        atena_no=code.atena_no,
        business=business,
        asked_by=by.username if isinstance(by, User) else by.code,
        asked_at=now,
        outcome=ProvisionRecord.Outcome.PENDING,
        keep_until=_keep_until(now),
    )
    body = {key: getattr(record, key) for key in ("inquiry_id", "requester", "provider", "affair", "item", "law")}
    try:
        status, payload = _post(client, "/inquiries", {**body, "code": code.code})
    except DeliveryError as exc:
        record.outcome = ProvisionRecord.Outcome.FAILED
        record.save(update_fields=["outcome"])
        raise DomainError("number_exchange.unavailable", f"{PEER_LABEL}に接続できません（{exc.code}）。") from None
    if status == 403:
        record.outcome = ProvisionRecord.Outcome.REFUSED
        record.save(update_fields=["outcome"])
        raise DomainError("number_exchange.not_permitted", "照会許可照合リストにより、この照会は許可されていません。")
    answer = payload.get("status")
    outcomes = {
        "answered": "answered",
        "not_found": "not_found",
        "withheld": "withheld",
        "pending": "pending",
        "deferred": "pending",
    }
    if status != 200 or answer not in outcomes:
        record.outcome = ProvisionRecord.Outcome.FAILED
        record.save(update_fields=["outcome"])
        raise DomainError("number_exchange.bad_answer", f"{PEER_LABEL}の応答が正しくありません。")
    record.outcome = outcomes[str(answer)]
    record.answered_at = now if record.outcome != ProvisionRecord.Outcome.PENDING else None
    record.save(update_fields=["outcome", "answered_at"])
    data = payload.get("data") if isinstance(payload.get("data"), dict) else None
    if data is not None:
        record_access(purpose="number_exchange.inquiry", persons=[code.atena_no], action="inquire")
    return InquiryAnswer(record.inquiry_id, record.outcome, data)


def purge_records(*, today: date | None = None) -> int:
    """Drop the 情報提供等記録 whose seven years are over; the number dropped."""
    today = today or timezone.localdate()
    deleted, _ = ProvisionRecord.objects.filter(keep_until__lt=today).delete()
    record_operation(
        action="intermediate_server.records_purged", target_type="provision_record", after={"deleted": deleted}
    )
    return deleted
