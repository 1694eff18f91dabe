"""The 証明書発行サーバ (spec 7.2.5; 住基法12条の4 コンビニ交付): one kiosk request of the
証明書交付センター, issued or refused with the reason code the kiosk shows.

1. :func:`issue_challenge`: a fresh nonce for the card, signed, bound to the center (accepted once).
2. :func:`handle`: the center sends the card reader's answer (after the card checked the PIN),
   the kiosk id, its own request id and what the resident chose.  The checks, in order:
   service hours and 年末年始 → the card (CA, 券面事項 signature, the card's signature of the
   challenge, validity, CRL: 失効 / 一時停止) → the resident in the kiosk data made from 本登録
   (:mod:`jumin.kiosk.sync`; 除票, 転出予定) → the card's status in the 個人番号カード records
   (一時停止・廃止) → the 支援措置 and 交付抑止 synced for the person and, for a 世帯 copy, the
   household → then the copy is issued by :func:`jumin.certificates.services.issue` (the same
   rules, 支援措置 check, 発行番号, PDF, signature, 交付履歴 and logs as the counter).
3. Every request leaves one :class:`KioskRequest` row (the 交付履歴 of the kiosk: fee, codes).
4. :func:`reconcile`: the day's counts and fees against the center's daily report.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import secrets
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core import signing as django_signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone

from jumin.accounts.principal import Principal
from jumin.audit.services import record_access, record_operation
from jumin.cards import status as card_states
from jumin.cards.models import CardEvent, CardKind
from jumin.certificates import services as certificates
from jumin.core import certificates as rules
from jumin.core import kiosk as k
from jumin.core.check_digits import is_valid_individual_number
from jumin.core.errors import DomainError
from jumin.jukinet.identity_check import (
    CHALLENGE_PREFIX,
    Presented,
    current_crl,
    four_items,
    parse_presented,
    trusted_ca,
)
from jumin.kiosk.models import KioskBlock, KioskReconciliation, KioskRequest, KioskResident
from jumin.registry.numbers import individual_number_lookup

ISSUE = "accounts.issue_certificate"
PURPOSE = "kiosk.request"
CHALLENGE_SECONDS = 300
_SALT = "jumin.kiosk.challenge"
REQUESTER = "コンビニ交付（本人・個人番号カード）"


@dataclass(frozen=True)
class KioskAsk:
    """What the center sends for one request (already parsed from JSON)."""

    request_id: str
    kiosk_id: str
    kind: str
    challenge: str
    presented: Mapping[str, Any]
    layout: str = "individual"
    items: tuple[str, ...] = ()
    certified_items: tuple[str, ...] = ()
    copies: int = 1


@dataclass
class Answer:
    request_id: str
    outcome: str
    reason_code: str = ""
    message: str = ""
    fee: int = 0
    issue_nos: list[str] = field(default_factory=list)
    pdfs: list[bytes] = field(default_factory=list)


class Refused(Exception):  # noqa: N818 (an answer, not an error)
    def __init__(self, code: str, atena_no: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.atena_no = atena_no


def _require(principal: Principal) -> None:
    if principal.system is None or not principal.has_perm(ISSUE):
        raise DomainError("auth.forbidden", "コンビニ交付の請求を送る権限がありません。")


def _principal_id(principal: Principal) -> str:
    return f"system:{principal.system.pk}" if principal.system is not None else ""


def issue_challenge(*, by: Principal) -> str:
    _require(by)
    return django_signing.dumps({"n": secrets.token_urlsafe(24), "u": _principal_id(by)}, salt=_SALT)


def _open_challenge(token: str, principal: Principal) -> None:
    try:
        payload = django_signing.loads(token, salt=_SALT, max_age=CHALLENGE_SECONDS)
    except django_signing.BadSignature:
        raise Refused(k.CARD_INVALID) from None
    if not isinstance(payload, dict) or payload.get("u") != _principal_id(principal) or not payload.get("n"):
        raise Refused(k.CARD_INVALID)
    if not cache.add(f"jumin:kiosk-challenge:{payload['n']}", True, CHALLENGE_SECONDS + 60):
        raise Refused(k.CARD_INVALID)


# -- checks -------------------------------------------------------------------------------------


def validate(ask: KioskAsk) -> None:
    """The request's own form (DomainError: 400 to the center, nothing is recorded)."""
    if not (1 <= len(ask.request_id) <= 40 and ask.request_id.isascii() and ask.request_id.isprintable()):
        raise DomainError("kiosk.bad_request_id", "受付番号が正しくありません。")
    if not (1 <= len(ask.kiosk_id) <= 40 and ask.kiosk_id.isascii() and ask.kiosk_id.isprintable()):
        raise DomainError("kiosk.bad_kiosk_id", "端末の番号が正しくありません。")


def _offered(ask: KioskAsk) -> bool:
    if ask.kind not in k.KINDS or not 1 <= ask.copies <= k.MAX_COPIES:
        return False
    if ask.layout not in ("individual", "household"):
        return False
    if ask.kind == k.COPY:
        return set(ask.items) <= set(k.CHOOSABLE_ITEMS) and not ask.certified_items
    return (
        ask.layout == "individual"
        and not ask.items
        and bool(ask.certified_items)
        and set(ask.certified_items) <= set(k.CERTIFIABLE_ITEMS)
    )


def _verify(key: Any, signature: bytes, message: bytes) -> bool:
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return False
    try:
        key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def _canonical(face: Mapping[str, Any]) -> bytes:
    return json.dumps(face, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _check_card(card: Presented, now: dt.datetime) -> None:
    """The 利用者証明用電子証明書 of the card: Refused(K010..K013) unless it is good now."""
    ca = trusted_ca()
    certificate = card.certificate
    try:
        certificate.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        raise Refused(k.CARD_INVALID) from None
    if not _verify(ca.public_key(), card.face_signature, _canonical(card.face)):
        raise Refused(k.CARD_INVALID)
    if not _verify(certificate.public_key(), card.challenge_signature, CHALLENGE_PREFIX + card.challenge.encode()):
        raise Refused(k.CARD_INVALID)
    if card.face["certificate_serial"].lower() != f"{certificate.serial_number:x}" or any(
        four_items(certificate).get(key) != card.face[key] for key in ("name", "address", "birth", "sex")
    ):
        raise Refused(k.CARD_INVALID)
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise Refused(k.CARD_EXPIRED)
    try:
        crl = current_crl(ca, now)
    except DomainError:
        raise Refused(k.UNAVAILABLE) from None  # no usable CRL: fail closed
    entry = crl.get_revoked_certificate_by_serial_number(certificate.serial_number)
    if entry is not None:
        try:
            reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
        except x509.ExtensionNotFound:
            reason = None
        raise Refused(k.CARD_SUSPENDED if reason == x509.ReasonFlags.certificate_hold else k.CARD_REVOKED)


def _resident(card: Presented) -> KioskResident:
    serial = card.face["certificate_serial"].lower()
    found = KioskResident.objects.filter(auth_cert_serial=serial).first() if serial else None
    number = card.face["individual_number"]
    if found is None and is_valid_individual_number(number):
        found = KioskResident.objects.filter(individual_number_lookup=individual_number_lookup(number)).first()
    if found is None:
        raise Refused(k.NOT_REGISTERED)
    if found.moving_out:
        raise Refused(k.MOVING_OUT, found.atena_no)
    if found.removed:
        raise Refused(k.REMOVED, found.atena_no)
    return found


def _card_stopped(atena_no: str) -> bool:
    last = (
        CardEvent.objects.filter(atena_no=atena_no, card_kind=CardKind.INDIVIDUAL_NUMBER)
        .order_by("-id")
        .values_list("status_after", flat=True)
        .first()
    )
    return last is not None and last != card_states.ACTIVE


def _blocks(resident: KioskResident, layout: str) -> None:
    persons = [resident.atena_no]
    if layout == "household":
        persons = list(
            KioskResident.objects.filter(household_no=resident.household_no, removed=False).values_list(
                "atena_no", flat=True
            )
        )
    targets = Q(scope="person", target_no__in=persons) | Q(scope="household", target_no=resident.household_no)
    found = list(KioskBlock.objects.filter(targets, active=True).values_list("support_measure", flat=True))
    if any(found):
        raise Refused(k.PROTECTED, resident.atena_no)
    if found:
        raise Refused(k.BLOCKED, resident.atena_no)


# -- the request --------------------------------------------------------------------------------


def _record(ask: KioskAsk, now: dt.datetime, answer: Answer, atena_no: str) -> None:
    copies = len(answer.issue_nos)
    try:
        with transaction.atomic():
            KioskRequest.objects.create(
                request_id=ask.request_id,
                kiosk_id=ask.kiosk_id,
                received_at=now,
                business_date=k.business_date(timezone.localtime(now)),
                kind=ask.kind[:20],
                layout=ask.layout[:20],
                copies=copies,
                fee=answer.fee,
                outcome=answer.outcome,
                reason_code=answer.reason_code,
                atena_no=atena_no,
                issue_nos=answer.issue_nos,
            )
    except IntegrityError:
        raise DomainError("kiosk.duplicate_request", "この受付番号の請求は処理済みです。") from None


def _refused(ask: KioskAsk, now: dt.datetime, refusal: Refused) -> Answer:
    answer = Answer(ask.request_id, KioskRequest.Outcome.REFUSED, refusal.code, k.REASONS[refusal.code].message)
    _record(ask, now, answer, refusal.atena_no)
    record_access(
        purpose=PURPOSE,
        persons=[refusal.atena_no] if refusal.atena_no else [],
        action="refuse",
        criteria={"kiosk": ask.kiosk_id, "reason": refusal.code},
    )
    return answer


def handle(principal: Principal, ask: KioskAsk, *, now: dt.datetime | None = None) -> Answer:
    """One kiosk request: issued (PDFs) or refused (reason code); see the module docstring."""
    _require(principal)
    validate(ask)
    now = now or timezone.now()
    if KioskRequest.objects.filter(request_id=ask.request_id).exists():
        raise DomainError("kiosk.duplicate_request", "この受付番号の請求は処理済みです。")
    try:
        closed = k.service_refusal(timezone.localtime(now))
        if closed:
            raise Refused(closed)
        if not _offered(ask):
            raise Refused(k.BAD_REQUEST)
        try:
            card = parse_presented(ask.presented)
        except DomainError:
            raise Refused(k.CARD_INVALID) from None
        if card.challenge != ask.challenge:
            raise Refused(k.CARD_INVALID)
        _open_challenge(ask.challenge, principal)
        _check_card(card, now)
        resident = _resident(card)
        if _card_stopped(resident.atena_no):
            raise Refused(k.CARD_STOPPED, resident.atena_no)
        _blocks(resident, ask.layout)
        issued = _issue(principal, ask, resident, card.face["name"])
    except Refused as refusal:
        return _refused(ask, now, refusal)
    answer = Answer(
        ask.request_id,
        KioskRequest.Outcome.ISSUED,
        fee=k.fee(ask.kind, ask.copies),
        issue_nos=[i.issue_no for i in issued.issuances],
        pdfs=issued.pdfs,
    )
    _record(ask, now, answer, resident.atena_no)
    return answer


def _issue(principal: Principal, ask: KioskAsk, resident: KioskResident, name: str) -> certificates.Issued:
    request = certificates.IssueRequest(
        kind=ask.kind,
        atena_no=resident.atena_no,
        route=rules.SELF,
        requester_name=f"{name}（{REQUESTER}）"[:200],
        requester_atena_no=resident.atena_no,
        id_document="mynumber_card",
        layout=ask.layout,
        items=ask.items,
        certified_items=ask.certified_items,
        copies=ask.copies,
        purpose="コンビニ交付",
    )
    try:
        return certificates.issue(principal, request)
    except DomainError as error:
        # the certificate rules check 支援措置・抑止 again on the live register: a block set
        # since the last sync is refused all the same (no operator can pass an alert here)
        if error.code in {"protection.blocked", "protection.block_alert", "certificate.alert_reason"}:
            raise Refused(k.BLOCKED, resident.atena_no) from None
        if error.code.startswith("protection."):
            raise Refused(k.PROTECTED, resident.atena_no) from None
        raise Refused(k.UNAVAILABLE, resident.atena_no) from None


# -- the daily reconciliation -------------------------------------------------------------------


def _center_report(url: str, day: dt.date, key: str) -> dict[str, Any]:
    if urlsplit(url).scheme not in ("http", "https"):
        raise DomainError("kiosk.center_url", "証明書交付センターのURL（JUMIN_KONBINI_CENTER_URL）が正しくありません。")
    request = urllib.request.Request(  # noqa: S310  # nosec B310: the scheme is checked above
        f"{url.rstrip('/')}/reports/daily?date={day.isoformat()}",
        headers={"Authorization": f"Bearer {key}"} if key else {},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  # nosec B310 (scheme checked)
            body = json.loads(response.read(1 << 22))
    except (urllib.error.URLError, TimeoutError, ValueError):
        raise DomainError("kiosk.center_unavailable", "証明書交付センターの日計を取得できません。") from None
    if not isinstance(body, dict) or not isinstance(body.get("requests"), list):
        raise DomainError("kiosk.center_report", "証明書交付センターの日計の形式が正しくありません。")
    return body


def center_url() -> str:
    return str(getattr(settings, "JUMIN_KONBINI_CENTER_URL", "") or os.environ.get("JUMIN_KONBINI_CENTER_URL", ""))


def reconcile(day: dt.date, *, url: str | None = None, key: str = "") -> KioskReconciliation:
    """Compare the day's issued copies and fees with the center's daily report (one row per day,
    replaced when run again); every difference is listed by the center's request id."""
    report = _center_report(url or center_url(), day, key)
    ours = {
        r.request_id: (r.copies, r.fee)
        for r in KioskRequest.objects.filter(business_date=day, outcome=KioskRequest.Outcome.ISSUED)
    }
    theirs: dict[str, tuple[int, int]] = {}
    for line in report["requests"]:
        if isinstance(line, dict) and isinstance(line.get("request_id"), str):
            theirs[line["request_id"]] = (int(line.get("copies") or 0), int(line.get("fee") or 0))
    differences = [
        {"request_id": rid, "ours": list(ours.get(rid, (0, 0))), "center": list(theirs.get(rid, (0, 0)))}
        for rid in sorted(set(ours) | set(theirs))
        if ours.get(rid) != theirs.get(rid)
    ]
    values = {
        "our_copies": sum(c for c, _ in ours.values()),
        "our_fee": sum(f for _, f in ours.values()),
        "center_copies": sum(c for c, _ in theirs.values()),
        "center_fee": sum(f for _, f in theirs.values()),
        "differences": differences[:500],
        "matched": not differences,
        "checked_at": timezone.now(),
    }
    row, _ = KioskReconciliation.objects.update_or_create(business_date=day, defaults=values)
    record_operation(
        action="kiosk.reconciled",
        target_type="kiosk",
        target_id=day.isoformat(),
        after={"matched": row.matched, "differences": len(differences)},
    )
    return row


def day_totals(day: dt.date) -> dict[str, int]:
    issued = KioskRequest.objects.filter(business_date=day, outcome=KioskRequest.Outcome.ISSUED)
    totals = issued.aggregate(copies=Sum("copies"), fee=Sum("fee"), last=Max("id"))
    refused = KioskRequest.objects.filter(business_date=day, outcome=KioskRequest.Outcome.REFUSED).count()
    return {"copies": totals["copies"] or 0, "fee": totals["fee"] or 0, "refused": refused}


def encode_pdf(pdf: bytes) -> str:
    return base64.b64encode(pdf).decode()
