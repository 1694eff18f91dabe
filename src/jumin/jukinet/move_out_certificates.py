"""特例転出 and 特例転入 (住基法24条の2; spec 4.1.1.3, 4.1.3.0.4, 7.1.1.1): the 転出証明書情報.

Outbound: a 国内転出 entered as 特例転出 (the movement items carry ``_special_move_out``; the
planner checks the card and the 14 days) is, after its 本登録, turned by ``build_from_outbox``
(:func:`queue_move_out_certificate`, same transaction) into a telegram of kind
``move_out_certificate`` to ``municipality:<団体コード of the 転出先>`` — the same ordered queue
(更新順番号) as the 転入通知 to that municipality.  The 個人番号 is not in ``Telegram.body``: the
dispatcher opens it from the sealed column of the 本人確認情報 row when it sends.

Inbound: :func:`pull_move_out_certificates` fetches the 転出証明書情報 addressed to us from the
relay (``GET /move-out-certificates/inbox?to=``) and records each with
:func:`receive_move_out_certificate` (個人番号 sealed); :func:`request_move_out_certificate` is the
送信依頼 of the counter (no 個人番号 in it) when one has not arrived.  The 特例転入予定者一覧
(:func:`pending_certificates`) opens the 転入 entry screen pre-filled; :func:`enter_special_move_in`
stores the 仮登録 linked to the certificates after checking the deadline
(:func:`jumin.core.periods.card_move_in_last_day`); the 本登録 marks them ``used``
(:func:`movement_final`, a registry hook).
:func:`purge_move_out_certificates` erases the unused ones after 転出予定日 + N days and the used
ones (``JUMIN_MOVE_OUT_CERTIFICATE_DAYS``, default 30).
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jumin.accounts.models import User
from jumin.audit.services import record_access, record_operation
from jumin.core.address import street_address
from jumin.core.check_digits import normalize_number_input, validate_individual_number, validate_resident_code
from jumin.core.errors import DomainError
from jumin.core.movement_kind import MovementKind
from jumin.core.periods import card_move_in_last_day
from jumin.core.unified_chars import ReceivedText, check_notes
from jumin.core.wareki import to_wareki
from jumin.jukinet.dispatch import municipality_client
from jumin.jukinet.models import IdentityRecord, ReceivedMoveOutCertificate, Telegram
from jumin.jukinet.notices import municipality_code_of, queue_to_municipality
from jumin.linkage.client import DeliveryError
from jumin.linkage.inbox import Inbox, pull
from jumin.linkage.unified_characters import convert_text, received_text, substitute_items
from jumin.registry.models import PENDING_STATES, ArchivedHistory, Movement, MovementItem, ResidentHistory, Status
from jumin.registry.numbers import open_individual_number, seal_individual_number
from jumin.registry.services import enter_movement, require_character_check

logger = logging.getLogger(__name__)

KIND = "move_out_certificate"
PATH = "/move-out-certificates"
INBOX = "/move-out-certificates/inbox"
CERTIFICATE_INBOX = Inbox(INBOX, "certificates", "to", "転出証明書情報", "jukinet.receive_failed")
REQUESTS = "/move-out-certificates/requests"
DEFAULT_DAYS = 30
FLAG = "_special_move_out"


def _our_code() -> str:
    return str(settings.JUMIN_MUNICIPALITY.get("lg_code", ""))


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _wareki(value: date) -> str:
    day = to_wareki(value)
    return f"{day.era}{'元' if day.year == 1 else day.year}年{day.month}月{day.day}日"


# -- outbound: 特例転出 -------------------------------------------------------------------------


def is_special_move_out(row: ResidentHistory | ArchivedHistory) -> bool:
    """Whether the 転出 of this history row was entered as 特例転出."""
    item = (
        MovementItem.objects.filter(movement_id=row.movement_id, atena_no=row.atena_no)
        .only("proposed")
        .order_by("-pk")
        .first()
    )
    return bool(item is not None and item.proposed.get(FLAG))


def certificate_body(row: ResidentHistory | ArchivedHistory, to_code: str) -> dict[str, Any]:
    """The items of the 転出証明書 (施行令24条) of one person, with the 世帯員 moving together;
    no 個人番号 (added at send time).  docs: /tmp/helpers/doc-tokurei.md."""
    together = type(row).objects.filter(movement_id=row.movement_id, status=Status.REMOVED).order_by("atena_no")
    movement = row.movement
    address = street_address(row.address, row.banchi)
    destination = street_address(row.destination, row.destination_banchi)
    return {
        "kind": KIND,
        "from_municipality_code": _our_code(),
        "from_municipality": str(settings.JUMIN_MUNICIPALITY.get("name", "")),
        "to_municipality_code": to_code,
        "move_out_no": movement.movement_no,
        "resident_code": row.resident_code,
        "name": row.name,
        "surname": row.surname,
        "given_name": row.given_name,
        "furigana_surname": row.furigana_surname,
        "furigana_given_name": row.furigana_given_name,
        "name_alphabet": row.name_alphabet,
        "former_surname": row.former_surname,
        "former_surname_furigana": row.former_surname_furigana,
        "alias": row.alias,
        "birth_text": row.birth_text,
        "birth_on": _iso(row.birth_sort),
        "sex": row.sex,
        "is_head": row.is_head,
        "head_name": row.head_name,
        "relationship": row.relationship,
        "honseki": row.honseki,
        "koseki_head": row.koseki_head,
        "address": address,
        "katagaki": row.katagaki,
        "postcode": row.postcode,
        "address_code": row.address_code,
        "became_resident_text": row.became_resident_text,
        "address_set_text": row.address_set_text,
        "destination": destination,
        "destination_katagaki": row.destination_katagaki,
        "destination_postcode": row.destination_postcode,
        "destination_code": row.destination_code,
        "planned_move_out_on": _iso(row.planned_move_out_on),
        "planned_move_out_text": row.removed_text,
        "notified_on": _iso(row.notified_on),
        "nationality_kind": row.nationality_kind,
        "nationality": row.nationality,
        "residence_category": row.residence_category,
        "residence_status": row.residence_status,
        "period_of_stay": row.period_of_stay,
        "stay_expires_on": _iso(row.stay_expires_on),
        "residence_card_no": row.residence_card_no,
        "special_permanent_cert_no": row.special_permanent_cert_no,
        "members": [
            {
                "resident_code": m.resident_code,
                "name": m.name,
                "relationship": m.relationship,
                **_member_substitute(m.name),
            }
            for m in together
        ],
        # 住基ネット統一文字 (7.1.1.1): the 代替文字 items of the names and addresses
        **substitute_items(name=row.name, former_surname=row.former_surname, address=address, destination=destination),
    }


def _member_substitute(name: str) -> dict[str, str]:
    conversion = convert_text(name)
    return {"name_substitute": conversion.text, "name_substitute_positions": conversion.positions_text}


def queue_move_out_certificate(
    row: ResidentHistory | ArchivedHistory, record: IdentityRecord, source_key: str, now: datetime
) -> bool:
    """Queue the 転出証明書情報 of a 本登録 特例転出 row (inside the caller's transaction)."""
    if row.reason != "domestic_move_out" or row.status != Status.REMOVED or not is_special_move_out(row):
        return False
    code = municipality_code_of(row.destination, row.destination_code)
    if not code or code == _our_code():
        record_operation(
            action="jukinet.move_out_certificate_unrouted",
            target_type="resident",
            target_id=row.atena_no,
            after={"history_no": row.history_no},
        )
        logger.warning("jukinet: 転出証明書情報 of %s-%s has no known destination", row.atena_no, row.history_no)
        return False
    key = f"certificate:{source_key}"
    body = certificate_body(row, code)
    queue_to_municipality(code, Telegram.Kind.MOVE_OUT_CERTIFICATE, key, record=record, body=body, now=now)
    return True


# -- inbound ----------------------------------------------------------------------------------


def _text(payload: dict[str, Any], key: str, limit: int = 200) -> str:
    value = payload.get(key)
    return value.strip()[:limit] if isinstance(value, str) else ""


def receive_move_out_certificate(payload: dict[str, Any], *, now: datetime | None = None) -> ReceivedMoveOutCertificate:
    """Record one received 転出証明書情報 (pending).  One already received — even one erased
    since (tombstone) — is returned unchanged.  DomainError when it cannot be read."""
    now = now or timezone.now()
    certificate_id = _text(payload, "idempotency_key", 100)
    if not certificate_id:
        raise DomainError("certificate.no_id", "転出証明書情報に番号（idempotency_key）がありません。")
    sender = _text(payload, "from_municipality_code", 6)
    try:
        planned = date.fromisoformat(_text(payload, "planned_move_out_on"))
    except ValueError:
        raise DomainError("certificate.bad_date", "転出証明書情報の転出予定年月日がありません。") from None
    name = received_text(payload, "name")  # 統一文字 (7.1.1.1): the register's characters
    if not re.fullmatch(r"[0-9]{6}", sender) or not (name.text and _text(payload, "birth_text")):
        raise DomainError("certificate.incomplete", "転出証明書情報の項目が足りません。")
    resident_code = normalize_number_input(_text(payload, "resident_code"))
    number = normalize_number_input(_text(payload, "individual_number"))
    try:
        if resident_code:
            validate_resident_code(resident_code)
        if number:
            validate_individual_number(number)
    except DomainError as exc:
        raise DomainError("certificate.bad_number", f"転出証明書情報の番号が正しくありません（{exc.code}）。") from None
    with transaction.atomic():
        earlier = ReceivedMoveOutCertificate.objects.select_for_update().filter(certificate_id=certificate_id).first()
        if earlier is not None:
            return earlier
        kept = {k: v for k, v in payload.items() if k not in {"individual_number", CHARACTER_CHECK}}
        checks = _character_check(payload, name)
        if checks:  # what the reviewer of the 特例転入 must confirm (「文字確認が必要」)
            kept[CHARACTER_CHECK] = checks
        sealed, lookup = seal_individual_number(number, certificate_id) if number else ("", "")
        stored = ReceivedMoveOutCertificate.objects.create(
            certificate_id=certificate_id,
            sender_code=sender,
            sender_name=_text(payload, "from_municipality", 60),
            group_key=f"{sender}:{_text(payload, 'move_out_no', 100)}",
            received_at=now,
            planned_move_out_on=planned,
            resident_code=resident_code,
            name=name.text[:200],
            furigana=f"{_text(payload, 'furigana_surname')}\u3000{_text(payload, 'furigana_given_name')}".strip(
                "\u3000"
            ),
            birth_text=_text(payload, "birth_text", 60),
            sex=_text(payload, "sex", 1),
            destination=_text(payload, "destination"),
            individual_number_ct=sealed,
            individual_number_lookup=lookup,
            payload=kept,
        )
        record_operation(
            action="jukinet.move_out_certificate_received",
            target_type="jukinet",
            target_id=str(stored.pk),
            after={"from": sender},
            individual_number_accessed=bool(number),
        )
    logger.info("jukinet: 転出証明書情報 #%s received from %s", stored.pk, sender)
    return stored


CHARACTER_CHECK = "character_check"  # in the stored payload: our reading, never the sender's


def _character_check(payload: dict[str, Any], name: ReceivedText) -> list[str]:
    """「文字確認が必要」 lines of a received certificate (docs/jukinet.md "統一文字")."""
    items = [("氏名", name)] + [(label, received_text(payload, key)) for key, label in _CHECKED_ITEMS]
    return check_notes(items)


_CHECKED_ITEMS = (("former_surname", "旧氏"), ("address", "転出前住所"), ("destination", "転出先"))


@dataclass
class PullResult:
    received: int = 0
    refused: int = 0  # unreadable: left on the relay (not acknowledged)
    skipped: str = ""


def pull_move_out_certificates(*, now: datetime | None = None) -> PullResult:
    """Fetch the 転出証明書情報 addressed to us, record each one, acknowledge the recorded ones."""

    result = PullResult()
    client = municipality_client()
    if client is None:
        result.skipped = "転出証明書情報の受信先（JUMIN_MUNICIPALITY_URL）が設定されていないため、受信しませんでした。"
        return result

    def take(payload: dict[str, Any]) -> str:
        stored = receive_move_out_certificate(payload, now=now)  # unreadable: left on the relay
        result.received += 1
        return stored.certificate_id

    result.refused = pull(client, CERTIFICATE_INBOX, _our_code(), take).refused
    return result


def request_move_out_certificate(
    *,
    by: User,
    former_municipality_code: str,
    resident_code: str = "",
    name: str = "",
    birth_text: str = "",
    sex: str = "",
) -> int:
    """送信依頼 (2023 flow): ask the former municipality, through CS, to send the 転出証明書情報
    of a person who is at the counter (by 住民票コード, else 氏名 + 生年月日 + 性別; no 個人番号).
    Returns how many certificates the former municipality queued for us."""

    if not by.has_perm("accounts.enter_movement"):
        raise DomainError("auth.forbidden", "異動を入力する権限がありません。")
    code = former_municipality_code.strip()
    if not re.fullmatch(r"[0-9]{6}", code):
        raise DomainError("certificate.bad_municipality", "転出地の市町村コード（6桁）を入力してください。")
    body: dict[str, Any] = {"from_municipality_code": _our_code(), "to_municipality_code": code}
    resident_code = normalize_number_input(resident_code)
    if resident_code:
        body["resident_code"] = validate_resident_code(resident_code)
    elif name.strip() and birth_text.strip() and sex.strip():
        body |= {"name": name.strip(), "birth_text": birth_text.strip(), "sex": sex.strip()}
    else:
        raise DomainError(
            "certificate.request_incomplete", "住民票コード、または氏名・生年月日・性別を入力してください。"
        )
    client = municipality_client()
    if client is None:
        raise DomainError("jukinet.unconfigured", "住基ネットの接続先（JUMIN_MUNICIPALITY_URL）が設定されていません。")
    raw = json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
    try:
        status, answer = client.exchange("POST", REQUESTS, raw)
    except DeliveryError as exc:
        raise DomainError("jukinet.request_failed", f"送信依頼ができませんでした（{exc.code}）。") from None
    record_operation(
        action="jukinet.move_out_certificate_requested",
        target_type="jukinet",
        target_id=code,
        after={"key": "resident_code" if resident_code else "four_items", "status": status},
    )
    if status == 404:
        raise DomainError("certificate.not_found", "転出地市町村に、該当する転出証明書情報がありません。")
    if status != 200 or not isinstance(answer.get("count"), int):
        raise DomainError("jukinet.request_failed", f"送信依頼ができませんでした（http_{status}）。")
    return int(answer["count"])


# -- 特例転入予定者一覧 and the 転入 made from it ---------------------------------------------------


@dataclass(frozen=True)
class PendingCertificate:
    pk: int
    name: str
    furigana: str
    birth_text: str
    sex: str
    sender: str
    planned_move_out_on: date
    last_day: date  # 転出予定日 + 30 日 (the earlier 転入日 + 14 日 limit is checked at entry)
    erased_after: date
    destination: str
    group_key: str
    in_progress: str  # the 仮登録 made from it, if any
    character_check: tuple[str, ...] = ()  # 文字確認が必要


def certificate_days() -> int:
    value = getattr(settings, "JUMIN_MOVE_OUT_CERTIFICATE_DAYS", None)
    if value is None:
        value = os.environ.get("JUMIN_MOVE_OUT_CERTIFICATE_DAYS") or DEFAULT_DAYS
    return max(0, int(value))


def _pending(certificate: ReceivedMoveOutCertificate) -> PendingCertificate:
    planned = certificate.planned_move_out_on or certificate.received_at.date()
    movement = certificate.movement
    return PendingCertificate(
        pk=certificate.pk,
        name=certificate.name,
        furigana=certificate.furigana,
        birth_text=certificate.birth_text,
        sex=certificate.sex,
        sender=certificate.sender_name or certificate.sender_code,
        planned_move_out_on=planned,
        last_day=planned + timedelta(days=30),
        erased_after=planned + timedelta(days=certificate_days()),
        destination=certificate.destination,
        group_key=certificate.group_key,
        in_progress=movement.movement_no if movement is not None and movement.pending else "",
        character_check=tuple(str(note) for note in certificate.payload.get(CHARACTER_CHECK) or []),
    )


def _require_view(by: User) -> None:
    if not by.has_perm("accounts.view_resident"):
        raise DomainError("auth.forbidden", "住民記録を照会する権限がありません。")


def pending_certificates(*, by: User) -> list[PendingCertificate]:
    """特例転入予定者一覧: the 転出証明書情報 waiting for a 転入 (reader: needs 住民記録の照会,
    writes the access log)."""
    _require_view(by)
    rows = (
        ReceivedMoveOutCertificate.objects.select_related("movement")
        .filter(state=ReceivedMoveOutCertificate.State.PENDING)
        .order_by("planned_move_out_on", "group_key", "pk")
    )
    found = [_pending(r) for r in rows]
    record_access(
        purpose="特例転入予定者一覧（4.1.1.3）",
        persons=[],
        action="list",
        criteria={"certificates": [p.pk for p in found]},
        result_count=len(found),
    )
    return found


def certificates_for_entry(pk: int, *, by: User) -> list[ReceivedMoveOutCertificate]:
    """The pending certificate ``pk`` and the pending ones of the 世帯員 moving with it, for
    the pre-filled 転入 screen (reader: access log, 住民票コード shown)."""
    _require_view(by)
    first = ReceivedMoveOutCertificate.objects.filter(pk=pk, state=ReceivedMoveOutCertificate.State.PENDING).first()
    if first is None:
        raise DomainError("certificate.not_found", "その転出証明書情報はありません（転入済か消去済です）。")
    group = ReceivedMoveOutCertificate.objects.filter(
        group_key=first.group_key, sender_code=first.sender_code, state=ReceivedMoveOutCertificate.State.PENDING
    )
    found = sorted(group, key=lambda c: (not c.payload.get("is_head"), c.pk != first.pk, c.pk))
    record_access(
        purpose="特例転入（転出証明書情報から転入を作成）",
        persons=[],
        action="view",
        criteria={"certificates": [c.pk for c in found]},
        result_count=len(found),
        resident_code_shown=True,
    )
    return found


_PERSON_KEYS = (
    "surname",
    "given_name",
    "furigana_surname",
    "furigana_given_name",
    "name_alphabet",
    "relationship",
    "honseki",
    "koseki_head",
    "resident_code",
    "nationality",
    "residence_status",
    "period_of_stay",
    "residence_card_no",
    "special_permanent_cert_no",
)


def entry_initial(certificates: Sequence[ReceivedMoveOutCertificate]) -> dict[str, Any]:
    """Initial values of the 転入 screen (forms, address parts, persons) from the certificates;
    the counter corrects them as needed (4.1.1.3).  No 個人番号: it is added on the server."""
    first = certificates[0].payload
    persons = []
    for certificate in certificates:
        p = certificate.payload
        person = {k: p.get(k) or "" for k in _PERSON_KEYS}
        person["resident_code"] = certificate.resident_code
        person["birth"] = p.get("birth_text") or ""
        person["sex"] = p.get("sex") or ""
        if p.get("nationality_kind"):
            person["nationality_kind"] = p["nationality_kind"]
        if p.get("residence_category"):
            person["residence_category"] = p["residence_category"]
        if p.get("stay_expires_on"):
            person["stay_expires_on"] = p["stay_expires_on"]
        persons.append(person)
    return {
        "form": {"reason": "domestic_move_in", "household_mode": "new"},
        "address": {
            "address": received_text(first, "destination").text,  # 統一文字 read back (7.1.1.1)
            "katagaki": first.get("destination_katagaki") or "",
            "postcode": first.get("destination_postcode") or "",
        },
        "previous": {  # 転入前住所: 住所 with 番地 as the certificate carries it, and the 方書
            "address": received_text(first, "address").text,
            "katagaki": first.get("katagaki") or "",
            "postcode": first.get("postcode") or "",
            "address_code": first.get("address_code") or "",
        },
        "persons": persons,
    }


def _deadline(certificates: Iterable[ReceivedMoveOutCertificate], movement: Movement, today: date) -> None:
    notified = movement.notified_on or today
    for certificate in certificates:
        planned = certificate.planned_move_out_on or notified
        moved_in = movement.effective_sort or notified
        last = card_move_in_last_day(planned, moved_in)
        if notified > last:
            raise DomainError(
                "move_in.special_deadline",
                f"特例転入の期限を過ぎています（期限 {_wareki(last)}）。転出証明書による転入として受け付けてください。",
            )


def enter_special_move_in(
    certificate_ids: Sequence[int],
    data: dict[str, Any],
    *,
    by: User,
    acknowledged: Iterable[str] = (),
    today: date | None = None,
) -> Movement:
    """特例転入 (4.1.1.3): the 転入 entered from the certificates (as corrected at the counter),
    stored as 仮登録 and linked to them, in one transaction.  The 個人番号 of each person whose
    住民票コード matches a certificate is taken from it.  Past ``card_move_in_last_day`` the
    movement is refused (``move_in.special_deadline``)."""

    today = today or timezone.localdate()
    with transaction.atomic():
        certificates = list(
            ReceivedMoveOutCertificate.objects.select_for_update(of=("self",))
            .select_related("movement")
            .filter(pk__in=list(certificate_ids))
            .order_by("pk")
        )
        if not certificates or len(certificates) != len(set(certificate_ids)):
            raise DomainError("certificate.not_found", "その転出証明書情報はありません。")
        for certificate in certificates:
            if certificate.state != ReceivedMoveOutCertificate.State.PENDING:
                raise DomainError("certificate.not_pending", "この転出証明書情報は転入済か消去済です。")
            if certificate.movement is not None and certificate.movement.pending:
                raise DomainError(
                    "certificate.in_progress",
                    f"この転出証明書情報からの転入は仮登録済みです（{certificate.movement.movement_no}）。",
                )
        by_code = {c.resident_code: c for c in certificates if c.resident_code}
        used_number = False
        for person in data.get("persons") or []:
            code = normalize_number_input(str(person.get("resident_code") or ""))
            match = by_code.get(code)
            if match is not None and match.individual_number_ct and not person.get("individual_number"):
                person["individual_number"] = open_individual_number(match.individual_number_ct, match.certificate_id)
                used_number = True
        data["reason"] = "domestic_move_in"
        movement = enter_movement("move_in", data, by=by, acknowledged=acknowledged)
        _deadline(certificates, movement, today)
        for certificate in certificates:
            certificate.movement = movement
            certificate.save(update_fields=["movement"])
        checks = [f"{c.name} {note}" for c in certificates for note in c.payload.get(CHARACTER_CHECK) or []]
        require_character_check(movement, checks)
        record_operation(
            action="jukinet.special_move_in_entered",
            target_type="movement",
            target_id=movement.movement_no,
            movement_id=movement.movement_no,
            after={"certificates": [c.pk for c in certificates]},
            individual_number_accessed=used_number,
        )
    return movement


def movement_final(movement: Movement, rows: Any) -> None:
    """On the 本登録 of a 特例転入 (registry hook, same transaction): its certificates are ``used``."""
    if movement.kind != MovementKind.MOVE_IN:
        return
    _linked_certificates(movement).update(
        state=ReceivedMoveOutCertificate.State.USED, used_at=movement.finalized_at or timezone.now()
    )


def movement_discarded(movement: Movement) -> None:
    """A discarded 仮登録 of a 特例転入 releases its certificates (registry hook)."""
    if movement.kind == MovementKind.MOVE_IN:
        _linked_certificates(movement).update(movement=None)


def _linked_certificates(movement: Movement) -> Any:
    return ReceivedMoveOutCertificate.objects.filter(movement=movement, state=ReceivedMoveOutCertificate.State.PENDING)


# -- erasure ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PurgeResult:
    pending: int
    used: int


_ERASED = {
    "resident_code": "",
    "name": "",
    "furigana": "",
    "birth_text": "",
    "sex": "",
    "destination": "",
    "individual_number_ct": "",
    "individual_number_lookup": "",
    "payload": {},
}


def purge_move_out_certificates(today: date | None = None, *, now: datetime | None = None) -> PurgeResult:
    """Erase the 転出証明書情報 no 転入 was made from by the day after 転出予定日 + N days
    (``JUMIN_MOVE_OUT_CERTIFICATE_DAYS``; one linked to a 仮登録 in progress waits for it) and
    every used one (the 転入 is 本登録).  The rows stay as tombstones without personal items."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    days = certificate_days()
    state = ReceivedMoveOutCertificate.State
    with transaction.atomic():
        expired = ReceivedMoveOutCertificate.objects.filter(
            state=state.PENDING, planned_move_out_on__lt=today - timedelta(days=days)
        ).exclude(movement__state__in=PENDING_STATES)
        pending = expired.update(state=state.DELETED, deleted_at=now, movement=None, **_ERASED)
        used = ReceivedMoveOutCertificate.objects.filter(state=state.USED).update(
            state=state.DELETED, deleted_at=now, **_ERASED
        )
        if pending or used:
            record_operation(
                action="jukinet.move_out_certificates_purged",
                target_type="jukinet",
                after={"pending": pending, "used": used, "days": days, "today": today.isoformat()},
            )
    logger.info("jukinet: %s unused and %s used 転出証明書情報 erased", pending, used)
    return PurgeResult(pending, used)
