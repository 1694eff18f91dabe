"""本人確認 at the counter (assessment system 2, function 2): the 個人番号カード presented for a
特例転入 or a 広域交付 is checked against the 本人確認情報 file.

1. :func:`issue_challenge` gives the counter a fresh challenge: a random nonce, bound to the
   operator (or linked system), signed and time-stamped by Django's signer
   (``CHALLENGE_SECONDS`` valid, accepted once).
2. The card reader answers with JSON (``jpki-sim-reader-v1``, see ``peers.jpki``): the card's
   署名用電子証明書 (PEM), the 券面事項 with the 認証局's signature, the challenge and the
   card's signature of ``b"jpki-sim-challenge-v1\\n" + challenge``.
3. :func:`verify_card` checks, in this order: the certificate was issued by the trusted CA
   (``jpki_ca.pem`` in the 住基ネット key directory), the 券面事項 signature, the card's
   signature of the challenge (the card is present, not a copy of its data), the validity
   dates, the CRL (``JUMIN_JPKI_CRL_URL`` or ``jpki_crl.pem``; no usable CRL = no check at all,
   fail closed), that 券面事項 and certificate belong together; then finds the CURRENT
   本人確認情報 by the 個人番号 (HMAC look-up column, never the plain number) and compares
   氏名, 住所, 生年月日 and 性別 item by item.

The outcome is a :class:`CheckResult` with a stable ``code`` (``identity.verified``,
``identity.mismatch``, ``identity.not_found``, ``identity.removed``, ``identity.revoked``,
``identity.expired``, ``identity.untrusted``, ``identity.bad_card_face_signature``,
``identity.bad_challenge_signature``, ``identity.card_mismatch``) and a Japanese message.
Problems of the request itself (malformed reader output, a wrong, expired or reused challenge,
a missing trust anchor or CRL) raise :class:`DomainError`.  Each check of a card writes one
access-log row (purpose 本人確認, the person found, the outcome) — never the number.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import os
import re
import secrets
import unicodedata
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
from django.utils import timezone

from jumin.accounts.principal import Principal
from jumin.audit.services import record_access
from jumin.conf.domain import era_table
from jumin.core.check_digits import is_valid_individual_number
from jumin.core.errors import DomainError
from jumin.jukinet.models import IdentityRecord, RecordStatus
from jumin.linkage import signing
from jumin.registry.numbers import individual_number_lookup

VIEW = "accounts.view_resident"
PURPOSE = "本人確認（個人番号カード）"
CA_FILE = "jpki_ca.pem"
CRL_FILE = "jpki_crl.pem"
READER_FORMAT = "jpki-sim-reader-v1"
CHALLENGE_PREFIX = b"jpki-sim-challenge-v1\n"
CHALLENGE_SECONDS = 300
_SALT = "jumin.jukinet.identity-check"
_FACE_KEYS = ("name", "address", "birth", "sex", "individual_number", "certificate_serial")
_MAX_CRL = 1 << 20
_SPACES = re.compile(r"\s+")
# The 4情報 in the certificate's subjectAltName otherName entries (OIDs of peers.jpki: a 2.25
# UUID arc; a production deployment puts the J-LIS OIDs here).
_ARC = "2.25.229542157406846474384717051063094584173"
FOUR_ITEMS = {f"{_ARC}.1": "name", f"{_ARC}.2": "address", f"{_ARC}.3": "birth", f"{_ARC}.4": "sex"}

OUTCOMES: dict[str, str] = {
    "verified": "本人確認情報と一致しました。",
    "mismatch": "券面事項と本人確認情報が一致しません（不一致の項目があります）。",
    "not_found": "該当なし：この個人番号の本人確認情報はありません。",
    "removed": "本人確認情報は消除されています。",
    "revoked": "失効：このカードの電子証明書は失効しています。",
    "expired": "期限切れ：このカードの電子証明書は有効期間外です。",
    "untrusted": "署名不正：信頼する認証局が発行したカードではありません。",
    "bad_card_face_signature": "署名不正：券面事項の署名が正しくありません（改ざんの可能性があります）。",
    "bad_challenge_signature": (
        "署名不正：照合用データへのカードの署名が正しくありません（カードの所持を確認できません）。"
    ),
    "card_mismatch": "署名不正：券面事項とカードの電子証明書が対応していません。",
    "card_valid": "カードの電子証明書を確認しました（本人確認情報は住所地が照合します）。",
}
SEX_LABELS = {"1": "男", "2": "女"}


@dataclass(frozen=True)
class Challenge:
    token: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class ItemCheck:
    label: str
    card: str
    record: str
    matches: bool

    @property
    def status(self) -> str:
        return "一致" if self.matches else "不一致"


@dataclass(frozen=True)
class CheckResult:
    code: str
    message: str
    items: list[ItemCheck] = field(default_factory=list)
    atena_no: str = ""
    record_status: str = ""
    valid_until: dt.date | None = None

    @property
    def ok(self) -> bool:
        return self.code == "identity.verified"

    @property
    def outcome(self) -> str:
        return self.code.removeprefix("identity.")


def _require(principal: Principal) -> None:
    if not principal.has_perm(VIEW):
        raise DomainError("auth.forbidden", "本人確認を行う権限がありません。")


def _principal_id(principal: Principal) -> str:
    if principal.system is not None:
        return f"system:{principal.system.pk}"
    return f"user:{principal.user.pk}" if principal.user is not None else ""


# -- the challenge ------------------------------------------------------------------------------


def issue_challenge(*, by: Principal, now: dt.datetime | None = None) -> Challenge:
    """A fresh challenge for one card check by ``by``."""
    _require(by)
    token = django_signing.dumps({"n": secrets.token_urlsafe(24), "u": _principal_id(by)}, salt=_SALT)
    return Challenge(token, (now or timezone.now()) + dt.timedelta(seconds=CHALLENGE_SECONDS))


def _open_challenge(token: str, principal: Principal) -> str:
    """The nonce of a challenge this principal was given, not expired (DomainError otherwise)."""
    try:
        payload = django_signing.loads(token, salt=_SALT, max_age=CHALLENGE_SECONDS)
    except django_signing.SignatureExpired:
        raise DomainError(
            "identity.challenge_expired", "照合用データの有効期限が切れました。もう一度読み取ってください。"
        ) from None
    except django_signing.BadSignature:
        raise DomainError("identity.challenge_invalid", "照合用データが正しくありません。") from None
    if not isinstance(payload, dict) or payload.get("u") != _principal_id(principal) or not payload.get("n"):
        raise DomainError("identity.challenge_invalid", "照合用データが正しくありません。")
    return str(payload["n"])


def _use_once(nonce: str) -> None:
    if not cache.add(f"jumin:identity-challenge:{nonce}", True, CHALLENGE_SECONDS + 60):
        raise DomainError("identity.challenge_used", "この照合用データは使用済みです。もう一度読み取ってください。")


# -- the reader's answer -------------------------------------------------------------------------


@dataclass(frozen=True)
class Presented:
    certificate: x509.Certificate
    face: dict[str, str]
    face_signature: bytes
    challenge: str
    challenge_signature: bytes


def _bad_format() -> DomainError:
    return DomainError("identity.bad_format", "カードリーダーの読取結果の形式が正しくありません。")


def parse_presented(presented: Mapping[str, Any] | str | bytes) -> Presented:
    """The reader's JSON (text or already parsed) checked for form only."""
    if isinstance(presented, str | bytes):
        try:
            presented = json.loads(presented)
        except ValueError:
            raise _bad_format() from None
    if not isinstance(presented, Mapping) or presented.get("format") != READER_FORMAT:
        raise _bad_format()
    face = presented.get("card_face")
    texts = [presented.get(k) for k in ("certificate", "card_face_signature", "challenge", "challenge_signature")]
    if not isinstance(face, Mapping) or not all(isinstance(t, str) and t for t in texts):
        raise _bad_format()
    if not all(isinstance(face.get(k), str) for k in _FACE_KEYS):
        raise _bad_format()
    try:
        certificate = x509.load_pem_x509_certificate(str(presented["certificate"]).encode())
        face_signature = base64.b64decode(str(presented["card_face_signature"]), validate=True)
        challenge_signature = base64.b64decode(str(presented["challenge_signature"]), validate=True)
    except (ValueError, binascii.Error):
        raise _bad_format() from None
    return Presented(certificate, dict(face), face_signature, str(presented["challenge"]), challenge_signature)


# -- trust anchor and revocation list ------------------------------------------------------------


def trusted_ca() -> x509.Certificate:
    path = signing.key_dir() / CA_FILE
    if not path.exists():
        raise DomainError(
            "identity.ca_missing",
            f"認証局の証明書（{CA_FILE}）がありません。鍵の置き場所は docs/jukinet.md を参照してください。",
        )
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except ValueError:
        raise DomainError("identity.ca_missing", f"認証局の証明書（{CA_FILE}）が壊れています。") from None


def _setting(name: str, default: str = "") -> str:
    return str(getattr(settings, name, "") or os.environ.get(name, "") or default)


def _fetch_crl(url: str) -> bytes:
    if urlsplit(url).scheme not in ("http", "https"):
        raise DomainError(
            "identity.crl_unavailable", "失効リストの取得先（JUMIN_JPKI_CRL_URL）の形式が正しくありません。"
        )
    timeout = float(_setting("JUMIN_JPKI_TIMEOUT", "5"))
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as response:
            if response.status != 200:
                raise OSError(response.status)
            return bytes(response.read(_MAX_CRL))
    except (OSError, ValueError, urllib.error.URLError):
        raise DomainError(
            "identity.crl_unavailable", "失効リストを取得できません。失効の確認ができないため、本人確認を中止しました。"
        ) from None


def current_crl(ca: x509.Certificate, now: dt.datetime) -> x509.CertificateRevocationList:
    """The CA's CRL (from ``JUMIN_JPKI_CRL_URL`` or ``jpki_crl.pem``), signed by the CA and not stale."""
    url = _setting("JUMIN_JPKI_CRL_URL")
    if url:
        raw = _fetch_crl(url)
    else:
        path = signing.key_dir() / CRL_FILE
        if not path.exists():
            raise DomainError(
                "identity.crl_unavailable",
                f"失効リスト（{CRL_FILE} または JUMIN_JPKI_CRL_URL）がありません。"
                "失効の確認ができないため、本人確認を中止しました。",
            )
        raw = path.read_bytes()
    try:
        crl = x509.load_pem_x509_crl(raw) if raw.lstrip().startswith(b"-----") else x509.load_der_x509_crl(raw)
    except ValueError:
        raise DomainError("identity.crl_invalid", "失効リストが壊れています。") from None
    public = ca.public_key()
    if crl.issuer != ca.subject or not isinstance(public, ec.EllipticCurvePublicKey):
        raise DomainError("identity.crl_invalid", "失効リストの発行者が認証局と一致しません。")
    if not crl.is_signature_valid(public):
        raise DomainError("identity.crl_invalid", "失効リストの署名が正しくありません。")
    if crl.next_update_utc is not None and crl.next_update_utc < now:
        raise DomainError("identity.crl_stale", "失効リストが古くなっています（次回更新日時を過ぎています）。")
    return crl


# -- the card -------------------------------------------------------------------------------------


def _verify(key: Any, signature: bytes, message: bytes) -> bool:
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return False
    try:
        key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def _canonical(face: Mapping[str, Any]) -> bytes:
    return json.dumps(dict(face), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _issued_by(certificate: x509.Certificate, ca: x509.Certificate, now: dt.datetime) -> bool:
    if not ca.not_valid_before_utc <= now <= ca.not_valid_after_utc:
        return False
    try:
        certificate.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False
    return not constraints.ca


def parse_der_utf8(raw: bytes) -> str:
    """The text of a DER UTF8String (ValueError for anything else)."""
    if len(raw) < 2 or raw[0] != 0x0C:
        raise ValueError("not a UTF8String")
    if raw[1] < 0x80:
        size, start = raw[1], 2
    else:
        count = raw[1] & 0x7F
        if not 0 < count <= 4 or len(raw) < 2 + count:
            raise ValueError("bad length")
        size, start = int.from_bytes(raw[2 : 2 + count], "big"), 2 + count
    if len(raw) != start + size:
        raise ValueError("bad length")
    return raw[start:].decode()


def four_items(certificate: x509.Certificate) -> dict[str, str]:
    """The 4情報 of the certificate's subjectAltName otherName entries (peers.jpki's OIDs)."""
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return {}
    found: dict[str, str] = {}
    for other in names.get_values_for_type(x509.OtherName):
        label = FOUR_ITEMS.get(other.type_id.dotted_string)
        if label is not None:
            try:
                found[label] = parse_der_utf8(other.value)
            except (ValueError, UnicodeDecodeError):
                return {}
    return found


def _norm(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def _same_address(card: str, record: str) -> bool:
    """Equal, or the card's address is the record's one followed by a space and a 方書."""
    text = unicodedata.normalize("NFKC", card).strip()
    return _norm(text) == _norm(record) or _norm(_SPACES.split(text, maxsplit=1)[0]) == _norm(record)


def _same_birth(card: str, record: IdentityRecord) -> bool:
    try:
        return record.birth_sort is not None and era_table().parse(card) == record.birth_sort
    except DomainError:
        return _norm(card) == _norm(record.birth_text)


def compare(face: Mapping[str, str], record: IdentityRecord) -> list[ItemCheck]:
    """氏名, 住所, 生年月日, 性別 of the card against the record, item by item."""
    sex = {"男": "1", "女": "2", "1": "1", "2": "2"}.get(face["sex"].strip(), "")
    return [
        ItemCheck("氏名", face["name"], record.name, _norm(face["name"]) == _norm(record.name)),
        ItemCheck("住所", face["address"], record.address, _same_address(face["address"], record.address)),
        ItemCheck("生年月日", face["birth"], record.birth_text, _same_birth(face["birth"], record)),
        ItemCheck("性別", face["sex"], SEX_LABELS.get(record.sex, record.sex), sex == record.sex),
    ]


def _outcome(code: str, **kwargs: Any) -> CheckResult:
    return CheckResult(f"identity.{code}", OUTCOMES[code], **kwargs)


def _card_failure(card: Presented, ca: x509.Certificate, now: dt.datetime) -> CheckResult | None:
    """The card itself (CA, signatures, validity, CRL, 券面事項 = certificate): its failure or None."""
    certificate, face = card.certificate, card.face
    valid_until = certificate.not_valid_after_utc.date()
    if not _issued_by(certificate, ca, now):
        return _outcome("untrusted")
    if not _verify(ca.public_key(), card.face_signature, _canonical(face)):
        return _outcome("bad_card_face_signature")
    if not _verify(certificate.public_key(), card.challenge_signature, CHALLENGE_PREFIX + card.challenge.encode()):
        return _outcome("bad_challenge_signature")
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        return _outcome("expired", valid_until=valid_until)
    if current_crl(ca, now).get_revoked_certificate_by_serial_number(certificate.serial_number) is not None:
        return _outcome("revoked", valid_until=valid_until)
    items = four_items(certificate)
    if face["certificate_serial"].lower() != f"{certificate.serial_number:x}" or any(
        items.get(k) != face[k] for k in ("name", "address", "birth", "sex")
    ):
        return _outcome("card_mismatch", valid_until=valid_until)
    return None


def _check_card(card: Presented, ca: x509.Certificate, now: dt.datetime) -> CheckResult:
    failure = _card_failure(card, ca, now)
    if failure is not None:
        return failure
    face = card.face
    valid_until = card.certificate.not_valid_after_utc.date()
    number = face["individual_number"]
    record = None
    if is_valid_individual_number(number):
        record = (
            IdentityRecord.objects.filter(
                individual_number_lookup=individual_number_lookup(number), superseded_at__isnull=True
            )
            .order_by("-update_seq")
            .first()
        )
    if record is None:
        return _outcome("not_found", valid_until=valid_until)
    checks = compare(face, record)
    status = RecordStatus(record.record_status).label
    common = {"items": checks, "atena_no": record.atena_no, "record_status": status, "valid_until": valid_until}
    if record.record_status == RecordStatus.REMOVED:
        return _outcome("removed", **common)
    return _outcome("verified" if all(c.matches for c in checks) else "mismatch", **common)


def verify_card(
    presented: Mapping[str, Any] | str | bytes,
    challenge: str,
    *,
    by: Principal,
    now: dt.datetime | None = None,
) -> CheckResult:
    """Check the card the reader presented against ``challenge`` and the 本人確認情報 (see the
    module docstring); writes one access-log row."""
    _require(by)
    now = now or timezone.now()
    card = parse_presented(presented)
    nonce = _open_challenge(challenge, by)
    if card.challenge != challenge:
        raise DomainError("identity.challenge_mismatch", "カードが署名した照合用データが、この画面のものと異なります。")
    ca = trusted_ca()
    _use_once(nonce)
    result = _check_card(card, ca, now)
    record_access(
        purpose=PURPOSE,
        persons=[result.atena_no] if result.atena_no else [],
        action="verify",
        criteria={"result": result.code},
    )
    return result


def verify_card_holder(
    presented: Mapping[str, Any] | str | bytes,
    challenge: str,
    *,
    by: Principal,
    now: dt.datetime | None = None,
) -> tuple[CheckResult, dict[str, str]]:
    """The card alone, for a person who is not ours (広域交付 at our counter): the same checks
    of the card as :func:`verify_card` — CA, 券面事項 signature, possession, validity, CRL — but
    no 本人確認情報 look-up here: the 住所地 compares the 券面事項 with its own file.  Returns
    the outcome (``identity.card_valid`` when good) and the 券面事項; one access-log row."""
    _require(by)
    now = now or timezone.now()
    card = parse_presented(presented)
    nonce = _open_challenge(challenge, by)
    if card.challenge != challenge:
        raise DomainError("identity.challenge_mismatch", "カードが署名した照合用データが、この画面のものと異なります。")
    ca = trusted_ca()
    _use_once(nonce)
    result = _card_failure(card, ca, now) or _outcome(
        "card_valid", valid_until=card.certificate.not_valid_after_utc.date()
    )
    record_access(purpose=PURPOSE, persons=[], action="verify", criteria={"result": result.code, "wide_area": True})
    return result, dict(card.face)
