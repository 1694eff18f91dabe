"""Writers of the 申請管理システム (assessment system 6): the import of applications from the
電子申請機能's 連携サーバ (``import_applications``), the 処理状況 with the 自治体コメント
(``update_statuses``) and its queue back to the resident (``send_statuses``), the 転出 entered
from an online 転出届 (``enter_move_out``), the 特例転入 entered from a 転入予約
(``enter_move_in``) and the status that follows their movement (``follow_movements``).  See docs/applications.md."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from jumin.accounts.models import User
from jumin.applications.models import (
    Application,
    ImportCursor,
    Match,
    Procedure,
    SignatureCheck,
    Status,
    StatusUpdate,
)
from jumin.applications.signature import canonical, check
from jumin.audit.services import record_access, record_operation
from jumin.conf.domain import era_table
from jumin.core.errors import DomainError
from jumin.core.movement_kind import MovementKind
from jumin.free_text import refuse_in_texts
from jumin.jukinet.move_out_certificates import enter_special_move_in
from jumin.linkage.client import DeliveryError, PeerClient, setting
from jumin.linkage.delivery import Sender, deliver
from jumin.registry.models import Movement, Resident
from jumin.registry.models import Status as ResidentStatus
from jumin.registry.services import enter_movement

logger = logging.getLogger(__name__)

VIEW = "accounts.view_resident"
MANAGE = "accounts.enter_movement"
PEER_PUBLIC = "eapplication_ed25519.pub"
CURSOR = "eapplication"
MAX_COMMENT = 1000
_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")
_SPACES = re.compile(r"\s+")
# What may follow what (a 完了 or 取下げ application is closed).
OPEN = (Status.RECEIVED, Status.IN_REVIEW, Status.ACCEPTED, Status.RETURNED)
SETTABLE = (Status.IN_REVIEW, Status.ACCEPTED, Status.RETURNED, Status.REJECTED, Status.COMPLETED)


def client() -> PeerClient | None:
    """The 連携サーバ (``JUMIN_EAPPLICATION_URL``; empty: not configured)."""
    url = setting("JUMIN_EAPPLICATION_URL", "")
    if not url:
        return None
    return PeerClient(
        url,
        float(setting("JUMIN_EAPPLICATION_TIMEOUT", "10")),
        path="/statuses",
        peer_file=PEER_PUBLIC,
        peer_label="電子申請の連携サーバ",
        url_setting="JUMIN_EAPPLICATION_URL",
    )


def _unconfigured() -> DomainError:
    return DomainError(
        "applications.unconfigured", "電子申請の連携サーバの接続先（JUMIN_EAPPLICATION_URL）が設定されていません。"
    )


# -- the 4情報 ---------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text or ""))


def _birth(text: str) -> dt.date | None:
    try:
        return era_table().parse(text)
    except DomainError:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None


def _address_of(resident: Resident) -> str:
    return f"{resident.address}{resident.banchi}"


def _same_address(certificate: str, resident: Resident) -> bool:
    """Equal, or the certificate's address is the record's followed by a space and a 方書."""
    text = unicodedata.normalize("NFKC", certificate).strip()
    record = _norm(_address_of(resident))
    return _norm(text) == record or _norm(_SPACES.split(text, maxsplit=1)[0]) == record


SEX = {"男": "1", "女": "2", "1": "1", "2": "2"}


def _reason(item: str, certificate: str, register: str) -> dict[str, str]:
    return {"item": item, "certificate": certificate, "register": register}


def match_four_items(items: dict[str, str]) -> tuple[str, list[dict[str, str]], Resident | None]:
    """The resident of the register the certificate's 4情報 name (current residents only), with
    the reasons of a mismatch item by item."""
    if set(items) != {"name", "address", "birth", "sex"}:
        return Match.NOT_FOUND, [_reason("4情報", "証明書に4情報がありません", "")], None
    name, birth = _norm(items["name"]), _birth(items["birth"])
    current = Resident.objects.filter(status=ResidentStatus.CURRENT)
    same_birth = list(current.filter(birth_sort=birth)) if birth else []
    named = [r for r in same_birth if _norm(r.name) == name]
    if len(named) > 1:
        at_address = [r for r in named if _same_address(items["address"], r)]
        if len(at_address) != 1:
            return Match.MISMATCH, [_reason("氏名・生年月日", "同じ氏名・生年月日の住民が複数います", "")], None
        named = at_address
    if named:
        resident = named[0]
        reasons = []
        if not _same_address(items["address"], resident):
            reasons.append(_reason("住所", items["address"], _address_of(resident)))
        if SEX.get(items["sex"].strip(), "") != resident.sex:
            reasons.append(_reason("性別", items["sex"], resident.get_sex_display()))
        return (Match.MISMATCH if reasons else Match.MATCHED), reasons, resident
    surname = _SPACES.split(unicodedata.normalize("NFKC", items["name"]).strip(), maxsplit=1)[0]
    candidates = [r for r in same_birth if _same_address(items["address"], r)]
    if candidates:  # 氏名 differs (e.g. changed after the card was issued)
        resident = candidates[0]
        return Match.MISMATCH, [_reason("氏名", items["name"], resident.name)], resident
    by_name = [
        r
        for r in current.filter(surname=unicodedata.normalize("NFKC", surname))
        if _norm(r.name) == name and _same_address(items["address"], r)
    ]
    if len(by_name) == 1:
        resident = by_name[0]
        return Match.MISMATCH, [_reason("生年月日", items["birth"], resident.birth_text)], resident
    return Match.NOT_FOUND, [_reason("4情報", "氏名・生年月日・住所の一致する住民がいません", "")], None


# -- the import --------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    received: int = 0
    imported: int = 0
    already: int = 0  # the same application again (a re-delivery): nothing changed
    withdrawn: int = 0
    conflicts: int = 0  # the same 申請番号 with other content: the first is kept
    refused: int = 0  # no usable 申請番号


def _content_hash(item: dict[str, Any]) -> str:
    content = {k: v for k, v in item.items() if k not in ("seq", "withdrawn", "withdrawn_at")}
    return hashlib.sha256(canonical(content)).hexdigest()


def parse_date(value: Any) -> dt.date | None:
    """An ISO date of the 申請データ (None when absent or malformed)."""
    return _date(value)


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _datetime(value: Any) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _expected_on(procedure: str, form: dict[str, Any]) -> dt.date | None:
    if procedure == Procedure.MOVE_OUT:
        return _date(form.get("planned_move_out_on"))
    return _date(form.get("visit_on")) or _date(form.get("planned_move_in_on"))


def _duplicate_of(application: Application) -> str:
    """An earlier open application of the same procedure by the same person."""
    earlier = Application.objects.filter(procedure=application.procedure, status__in=OPEN).exclude(
        application_id=application.application_id
    )
    if application.atena_no:
        earlier = earlier.filter(atena_no=application.atena_no)
    elif application.applicant_name:
        earlier = earlier.filter(applicant_name=application.applicant_name)
    else:
        return ""
    return earlier.order_by("received_at").values_list("application_id", flat=True).first() or ""


def take_application(item: dict[str, Any], *, now: dt.datetime) -> str:
    """Store one application from the 連携サーバ (idempotent); what happened to it."""
    application_id = str(item.get("application_id") or "")
    procedure = str(item.get("procedure") or "")
    if not _ID.fullmatch(application_id) or procedure not in Procedure.values:
        return "refused"
    withdrawn = item.get("withdrawn") is True
    digest = _content_hash(item)
    with transaction.atomic():
        earlier = Application.objects.select_for_update().filter(application_id=application_id).first()
        if earlier is not None:
            if withdrawn and earlier.status != Status.WITHDRAWN:
                before = earlier.status
                earlier.status = Status.WITHDRAWN
                earlier.withdrawn_at = _datetime(item.get("withdrawn_at")) or now
                earlier.updated_at = now
                earlier.save(update_fields=["status", "withdrawn_at", "updated_at"])
                record_operation(
                    action="applications.withdrawn",
                    target_type="application",
                    target_id=application_id,
                    before={"status": before},
                    after={"status": Status.WITHDRAWN},
                )
                return "withdrawn"
            return "already" if earlier.content_sha256 == digest else "conflict"
        checked = check(item, now)
        form: dict[str, Any] = item["form"] if isinstance(item.get("form"), dict) else {}
        if checked.outcome == SignatureCheck.VALID and procedure == Procedure.MOVE_OUT:
            match, reasons, resident = match_four_items(checked.items)
        elif checked.outcome == SignatureCheck.VALID:
            match, reasons, resident = (
                Match.NOT_CHECKED,
                [_reason("4情報", "転入予約：転入時に転出証明書情報と照合します", "")],
                None,
            )
        else:
            match, reasons, resident = Match.NOT_CHECKED, [], None
        application = Application(
            application_id=application_id,
            procedure=procedure,
            submitted_at=_datetime(item.get("submitted_at")),
            received_at=now,
            content_sha256=digest,
            payload={k: v for k, v in item.items() if k not in ("seq", "withdrawn", "withdrawn_at")},
            applicant_name=checked.items.get("name", "")[:200],
            expected_on=_expected_on(procedure, form),
            signature=checked.outcome,
            match=match,
            match_reasons=reasons,
            atena_no=resident.atena_no if resident is not None else "",
            household_no=resident.household_no if resident is not None else "",
            status=Status.WITHDRAWN if withdrawn else Status.RECEIVED,
            withdrawn_at=(_datetime(item.get("withdrawn_at")) or now) if withdrawn else None,
            updated_at=now,
        )
        application.duplicate_of = _duplicate_of(application)
        application.save()
        if resident is not None:
            record_access(purpose="電子申請の4情報照合", persons=[resident.atena_no], action="match")
        record_operation(
            action="applications.imported",
            target_type="application",
            target_id=application_id,
            after={"signature": checked.outcome, "match": match, "duplicate_of": application.duplicate_of},
        )
    return "imported"


def import_applications(*, now: dt.datetime | None = None) -> ImportResult:
    """Pull what the 連携サーバ has since the last run and store it (scheduled: ``jumin
    applications import``).  A failure (server unreachable, no CRL) stops the run; the cursor
    moves only past applications stored, so the next run takes the rest."""
    peer = client()
    if peer is None:
        raise _unconfigured()
    now = now or timezone.now()
    result = ImportResult()
    cursor, _ = ImportCursor.objects.get_or_create(name=CURSOR)
    after = cursor.last_seq
    while True:
        try:
            status, answer = peer.exchange("GET", f"/applications?after={after}", b"")
        except DeliveryError as error:
            raise DomainError(
                "applications.unavailable", f"電子申請の連携サーバから取り込めません（{error.code}）。"
            ) from None
        found = answer.get("applications")
        if status != 200 or not isinstance(found, list):
            raise DomainError("applications.unavailable", f"電子申請の連携サーバが取り込みを拒否しました（{status}）。")
        if not found:
            break
        for item in found:
            if not isinstance(item, dict):
                continue
            outcome = take_application(item, now=now)
            result.received += 1
            setattr(result, outcome, getattr(result, outcome) + 1)
            seq = item.get("seq")
            if isinstance(seq, int) and seq > cursor.last_seq:
                cursor.last_seq = seq
                cursor.save(update_fields=["last_seq"])
        last = answer.get("last_seq")
        if not isinstance(last, int) or last <= after:
            break
        after = last
    if result.received:
        logger.info(
            "applications: imported %s, already %s, withdrawn %s, conflicts %s, refused %s",
            result.imported,
            result.already,
            result.withdrawn,
            result.conflicts,
            result.refused,
        )
    return result


# -- 処理状況 and 自治体コメント ------------------------------------------------------------------------


def _require(user: User, perm: str) -> None:
    if not user.has_perm(perm):
        raise DomainError("auth.forbidden", "電子申請の処理状況を更新する権限がありません。")


def _queue(application: Application, status: str, comment: str, by: str, now: dt.datetime) -> StatusUpdate:
    return StatusUpdate.objects.create(
        update_id=uuid.uuid4().hex,
        application=application,
        status=status,
        comment=comment,
        created_by=by,
        created_at=now,
    )


@dataclass
class Updated:
    updated: list[str]
    refused: list[tuple[str, str]]  # (申請番号, why)


def update_statuses(
    application_ids: Iterable[str], status: str, comment: str, *, by: User, now: dt.datetime | None = None
) -> Updated:
    """Set the 処理状況 of each application and queue it, with the 自治体コメント, for the
    resident.  A closed application (完了, 取下げ) is left as it is and named in ``refused``."""
    _require(by, MANAGE)
    if status not in SETTABLE:
        raise DomainError("applications.bad_status", "設定できない処理状況です。")
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise DomainError("applications.comment_too_long", f"自治体コメントは{MAX_COMMENT}文字以内で入力してください。")
    refuse_in_texts({"comment": comment})
    ids = list(dict.fromkeys(i for i in application_ids if _ID.fullmatch(i)))
    if not ids:
        raise DomainError("applications.none_selected", "処理状況を更新する申請を選んでください。")
    now = now or timezone.now()
    result = Updated([], [])
    with transaction.atomic():
        found = {a.application_id: a for a in Application.objects.select_for_update().filter(application_id__in=ids)}
        for application_id in ids:
            application = found.get(application_id)
            if application is None:
                result.refused.append((application_id, "ありません"))
                continue
            if application.status not in OPEN:
                result.refused.append((application_id, f"{application.get_status_display()}のため変更できません"))
                continue
            before = application.status
            application.status, application.comment, application.updated_at = status, comment, now
            application.save(update_fields=["status", "comment", "updated_at"])
            _queue(application, status, comment, by.username, now)
            record_operation(
                action="applications.status",
                target_type="application",
                target_id=application_id,
                before={"status": before},
                after={"status": status, "comment": bool(comment)},
            )
            result.updated.append(application_id)
    return result


SENDER: Sender[StatusUpdate] = Sender(
    body=lambda update: {
        "update_id": update.update_id,
        "application_id": update.application.application_id,
        "status": update.status,
        "comment": update.comment,
    },
    key=lambda update: update.application.application_id,  # one application's statuses in order
    name=lambda update: f"applications status:{update.update_id}",
)


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    waiting: int = 0


def send_statuses(*, now: dt.datetime | None = None, limit: int = 1000) -> SendResult:
    """Send the queued statuses to the 連携サーバ (``jumin applications send``)."""
    peer = client()
    if peer is None:
        raise _unconfigured()
    now = now or timezone.now()
    due = StatusUpdate.objects.select_related("application").filter(state__in=StatusUpdate.WAITING).order_by("id")
    delivered = deliver(peer, due[:limit], SENDER, now=now)
    return SendResult(delivered.sent, delivered.failed, delivered.waiting)


# -- 既存住基への連携 ----------------------------------------------------------------------------------


def enter_move_out(application_id: str, entered: dict[str, Any], *, by: User, acknowledged: list[str]) -> Movement:
    """The 転出 (仮登録) entered from an online 転出届: linked to it, the application 審査中."""
    _require(by, MANAGE)
    with transaction.atomic():
        application = _open_for_entry(application_id, Procedure.MOVE_OUT)
        movement = enter_movement(MovementKind.MOVE_OUT, entered, by=by, acknowledged=acknowledged)
        _linked(application, movement, by)
    return movement


def _open_for_entry(application_id: str, procedure: str) -> Application:
    application = Application.objects.select_for_update().filter(application_id=application_id).first()
    if application is None or application.procedure != procedure:
        raise DomainError("applications.not_found", "その電子申請はありません。")
    if application.status not in OPEN or application.signature != SignatureCheck.VALID:
        raise DomainError("applications.closed", "この申請からは異動を入力できません（処理状況・署名を確認）。")
    if application.movement is not None and application.movement.state != Movement.State.DISCARDED:
        raise DomainError("applications.entered", "この申請の異動は入力済みです。")
    return application


def _linked(application: Application, movement: Movement, by: User) -> None:
    now = timezone.now()
    application.movement = movement
    application.updated_at = now
    fields = ["movement", "updated_at"]
    if application.status != Status.IN_REVIEW:
        application.status = Status.IN_REVIEW
        fields.append("status")
        _queue(application, Status.IN_REVIEW, "", by.username, now)
    application.save(update_fields=fields)
    record_operation(
        action="applications.movement_entered",
        target_type="application",
        target_id=application.application_id,
        movement_id=movement.movement_no,
    )


COMPLETED_COMMENTS = {
    Procedure.MOVE_OUT: "転出の手続が完了しました。転入先の市区町村で転入届をしてください。",
    Procedure.MOVE_IN_RESERVATION: "転入の手続が完了しました。",
}


def enter_move_in(
    application_id: str, certificate_ids: list[int], entered: dict[str, Any], *, by: User, acknowledged: list[str]
) -> Movement:
    """The 特例転入 (仮登録) entered from a 転入予約 and the 転出証明書情報 received in advance:
    linked to the reservation, which becomes 審査中."""
    _require(by, MANAGE)
    with transaction.atomic():
        application = _open_for_entry(application_id, Procedure.MOVE_IN_RESERVATION)
        movement = enter_special_move_in(certificate_ids, entered, by=by, acknowledged=acknowledged)
        _linked(application, movement, by)
    return movement


def follow_movements(*, now: dt.datetime | None = None) -> int:
    """Applications whose 転出 reached 本登録 become 完了 (and the resident is told); a 仮登録
    that was discarded frees the application for a new entry.  Run before every send."""
    now = now or timezone.now()
    changed = 0
    waiting = Application.objects.select_related("movement").filter(movement__isnull=False, status__in=OPEN)
    for application in waiting:
        movement = application.movement
        assert movement is not None
        with transaction.atomic():
            if movement.state == Movement.State.FINAL:
                application.status, application.updated_at = Status.COMPLETED, now
                comment = COMPLETED_COMMENTS[Procedure(application.procedure)]
                application.comment = comment
                application.save(update_fields=["status", "comment", "updated_at"])
                _queue(application, Status.COMPLETED, comment, "system", now)
            elif movement.state == Movement.State.DISCARDED:
                application.movement, application.updated_at = None, now
                application.save(update_fields=["movement", "updated_at"])
            else:
                continue
            record_operation(
                action="applications.followed",
                target_type="application",
                target_id=application.application_id,
                movement_id=movement.movement_no,
                after={"movement_state": movement.state},
            )
            changed += 1
    return changed
