"""広域交付 (住基法12条の4; spec 7.1.1.1 「広域交付：CSを通じて広域交付住民票の請求に応答」, 7.2.5)
over the simulated 住基ネット, both ways (docs/jukinet.md, 「広域交付」).

住所地 (a resident of ours asks at another municipality's counter)
    :func:`answer` — the 住基ネット relay ``POST /api/v1/jukinet/wide-area/requests`` (a linked
    system with ``issue_certificate`` AND the relay's Ed25519 signature on the exact request).
    The person is found in the 本人確認情報 file by the HMAC look-up of the card's 個人番号 and
    the 券面事項 are compared item by item; the copy is made by
    :func:`jumin.certificates.services.wide_area_content` from the register's current rows
    (本登録 only) with the same item rules and 支援措置・抑止 checks as the counter.  Every
    answer is one :class:`WideAreaExchange` row (受信) and an access-log row naming the 交付地's
    団体コード and request id — never a 個人番号 or 住民票コード.

交付地 (we issue for a resident of another municipality)
    :func:`request_copy` — the card is checked here (:func:`identity_check.verify_card_holder`),
    the request goes to the relay (``POST {JUMIN_MUNICIPALITY_URL}/wide-area/requests``, signed),
    and an answered copy is issued under our 認証者, 公印 and 発行番号
    (:func:`jumin.certificates.services.issue_received`) with its fee, in one transaction with its
    :class:`WideAreaExchange` row (送信).  No answer (outage) → ``wide_area.unavailable`` and
    nothing recorded but the card check's access-log row.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from jumin.accounts.models import Terminal
from jumin.accounts.principal import Principal
from jumin.audit.services import record_access, record_operation
from jumin.certificates import content as c
from jumin.certificates import sealing
from jumin.certificates import services as certificates
from jumin.core import certificates as rules
from jumin.core import wide_area as w
from jumin.core.check_digits import is_valid_individual_number
from jumin.core.errors import DomainError
from jumin.jukinet import identity_check
from jumin.jukinet.models import IdentityRecord, RecordStatus, WideAreaExchange
from jumin.jukinet.notices import municipality_code_of
from jumin.linkage import signing
from jumin.linkage.client import DEFAULT_TIMEOUT, DeliveryError, PeerClient
from jumin.linkage.client import setting as _setting
from jumin.protection.rules import active_measures_of
from jumin.registry.models import Resident
from jumin.registry.numbers import individual_number_lookup

logger = logging.getLogger(__name__)

ISSUE = "accounts.issue_certificate"
RELAY_PATH = "/wide-area/requests"
CS_PATH = "/api/v1/jukinet/wide-area/requests"
PURPOSE = "jukinet.wide_area"
MAX_ANSWER = 4 << 20  # a 世帯 copy with its 公印-less content; the relay's answer is signed
RELAY_LABEL = "住基ネット（広域交付）"


def _our_code() -> str:
    return str(settings.JUMIN_MUNICIPALITY.get("lg_code", ""))


def _our_name() -> str:
    municipality = settings.JUMIN_MUNICIPALITY
    return f"{municipality['prefecture']}{municipality['name']}"


def _require(principal: Principal) -> None:
    if not principal.has_perm(ISSUE):
        raise DomainError("auth.forbidden", "広域交付を扱う権限がありません。")


# -- 住所地: answering the relay ------------------------------------------------------------------


@dataclass(frozen=True)
class CsAnswer:
    """What our CS answers the relay: status, JSON body, and the signature headers."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)

    def raw(self) -> bytes:
        return json.dumps(self.body, ensure_ascii=False, sort_keys=True).encode()


class Refused(Exception):  # noqa: N818 (an answer, not an error)
    def __init__(self, code: str, persons: list[str] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.persons = persons or []


def _signed(status: int, body: dict[str, Any], request_signature: str) -> CsAnswer:
    unsigned = CsAnswer(status, body)
    if not request_signature:
        return unsigned
    headers = signing.sign_response(signing.own_key(), status, request_signature, unsigned.raw())
    return CsAnswer(status, body, headers.as_dict())


def _error(status: int, code: str, message: str, request_signature: str = "") -> CsAnswer:
    return _signed(status, {"code": code, "message": message}, request_signature)


def _authenticate(method: str, path: str, headers: dict[str, str], raw: bytes) -> str:
    """The relay's signature of this request (BadSignatureError / DomainError otherwise)."""
    relay = signing.peer_key(signing.MUNICIPALITY_PUBLIC, RELAY_LABEL)
    return signing.verify_request(relay, method, path, {k.lower(): v for k, v in headers.items()}, raw)


def answer(principal: Principal, *, method: str, path: str, headers: dict[str, str], raw: bytes) -> CsAnswer:
    """One 広域交付 request relayed by 住基ネット (see the module docstring).  A refusal of the
    person is a 200 with ``outcome: refused`` and its W-code; 400 for a malformed request,
    401 for a request the relay did not sign."""
    _require(principal)
    try:
        signature = _authenticate(method, path, headers, raw)
    except signing.BadSignatureError as error:
        logger.warning("jukinet wide-area: request refused (%s)", error)
        return _error(401, f"jukinet.{error}", "住基ネットの署名を確認できません。")
    except DomainError as error:
        return _error(401, error.code, error.message)
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if not isinstance(body, dict) or not w.is_request_id(body.get("request_id")):
        return _error(400, "wide_area.bad_request", "請求の形式が正しくありません。", signature)
    sender = body.get("from_municipality_code")
    if not w.is_municipality_code(sender) or body.get("to_municipality_code") != _our_code():
        return _error(400, "wide_area.bad_request", "請求の送信元・あて先の団体コードが正しくありません。", signature)
    if WideAreaExchange.objects.filter(
        direction=WideAreaExchange.Direction.RECEIVED, counterpart_code=sender, request_id=body["request_id"]
    ).exists():
        return _error(400, "wide_area.duplicate_request", "この請求番号の請求は回答済みです。", signature)
    return _signed(200, _answer_body(principal, body), signature)


def _answer_body(principal: Principal, body: dict[str, Any]) -> dict[str, Any]:
    sender, request_id = str(body["from_municipality_code"]), str(body["request_id"])
    criteria = {"from": sender, "request_id": request_id, "layout": str(body.get("layout"))[:20]}
    reply: dict[str, Any] = {
        "request_id": request_id,
        "municipality_code": _our_code(),
        "municipality": _our_name(),
        "outcome": WideAreaExchange.Outcome.ANSWERED.value,
        "reason_code": "",
        "message": "",
        "content": None,
    }
    persons: list[str] = []
    try:
        copy = _copy(principal, body, criteria)
        persons = copy.persons
        content = sealing.to_plain(copy.content)
        for person in content["persons"]:
            person["atena_no"] = ""  # our person id stays here
        reply["content"] = content
        reply["whole_household"] = copy.whole_household
    except Refused as refusal:
        persons = refusal.persons
        reply |= {
            "outcome": WideAreaExchange.Outcome.REFUSED.value,
            "reason_code": refusal.code,
            "message": w.REASONS[refusal.code].message,
        }
        record_access(purpose=PURPOSE, persons=persons, action="refuse", criteria={**criteria, "reason": refusal.code})
    _record_received(principal, body, reply, persons)
    return reply


def _record_received(principal: Principal, body: dict[str, Any], reply: dict[str, Any], persons: list[str]) -> None:
    asked = body.get("items")
    items: list[Any] = asked if isinstance(asked, list) else []
    count = body.get("copies")
    copies = count if isinstance(count, int) else 0
    try:
        with transaction.atomic():
            WideAreaExchange.objects.create(
                direction=WideAreaExchange.Direction.RECEIVED,
                request_id=str(body["request_id"]),
                counterpart_code=str(body["from_municipality_code"]),
                counterpart_name=str(body.get("from_municipality") or "")[:60],
                layout=str(body.get("layout") or "")[:20],
                items=[str(i)[:40] for i in items][:10],
                copies=max(0, min(copies, 10)),
                outcome=reply["outcome"],
                reason_code=reply["reason_code"],
                persons=persons,
                client=principal.system.code if principal.system is not None else "",
            )
    except IntegrityError:  # the same request answered twice at the same moment
        logger.warning("jukinet wide-area: a request answered twice")


def _person(face: dict[str, str]) -> IdentityRecord:
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
        raise Refused(w.NOT_FOUND)
    if not all(check.matches for check in identity_check.compare(face, record)):
        raise Refused(w.MISMATCH, [record.atena_no])
    if record.record_status == RecordStatus.REMOVED:
        raise Refused(w.REMOVED, [record.atena_no])
    return record


def _copy(principal: Principal, body: dict[str, Any], criteria: dict[str, Any]) -> certificates.WideAreaCopy:
    if w.check_request(body):
        raise Refused(w.BAD_REQUEST)
    face = {k: str(v) for k, v in body["card_face"].items()}
    record = _person(face)
    sender_name = str(body.get("from_municipality") or body["from_municipality_code"])[:60]
    request = certificates.IssueRequest(
        kind=c.COPY,
        atena_no=record.atena_no,
        route=rules.SELF,
        requester_name=f"{record.name}（広域交付・交付地 {sender_name}）"[:200],
        requester_atena_no=record.atena_no,
        id_document="mynumber_card",
        layout=str(body["layout"]),
        items=tuple(body["items"]),
        copies=int(body["copies"]),
        purpose="広域交付（住基法12条の4）",
    )
    try:
        return certificates.wide_area_content(principal, request, criteria=criteria)
    except DomainError as error:
        if error.code.startswith("protection.") or error.code == "certificate.alert_reason":
            raise Refused(_protection_reason(record.atena_no, request.layout), [record.atena_no]) from None
        raise Refused(_reason_of(error.code), [record.atena_no]) from None


def _protection_reason(atena_no: str, layout: str) -> str:
    """A block on the copy: 支援措置 (W030) when a person of it is a 支援対象者, else 交付抑止 (W031)."""
    persons = [atena_no]
    if layout == w.HOUSEHOLD:
        household = Resident.objects.filter(atena_no=atena_no).values_list("household_no", flat=True).first()
        persons = list(Resident.objects.filter(household_no=household).values_list("atena_no", flat=True))
    measures = active_measures_of(persons)
    return w.PROTECTED if any(measures.get(p) for p in persons) else w.BLOCKED


def _reason_of(code: str) -> str:
    if code in {"certificate.removed_person", "resident.not_found"}:
        return w.REMOVED if code == "certificate.removed_person" else w.NOT_FOUND
    if code in {"certificate.bad_item", "certificate.item_forbidden", "certificate.bad_copies"}:
        return w.BAD_REQUEST
    return w.UNAVAILABLE


# -- 交付地: our counter ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CounterAsk:
    """What the resident of another municipality asks for at our counter."""

    residence_code: str = ""  # the 住所地 団体コード; "" = from the address on the card
    layout: str = w.INDIVIDUAL
    items: tuple[str, ...] = ()
    copies: int = 1


@dataclass
class CounterResult:
    outcome: str  # answered | refused
    reason_code: str = ""
    message: str = ""
    residence_name: str = ""
    issued: certificates.Issued | None = None
    fee: int = 0
    exchange: WideAreaExchange | None = None


def relay_client() -> PeerClient:
    url = _setting("JUMIN_MUNICIPALITY_URL", "")
    if not url:
        raise DomainError(
            "wide_area.unconfigured",
            "住基ネット（広域交付）の接続先（JUMIN_MUNICIPALITY_URL）が設定されていません。",
        )
    return PeerClient(
        url,
        float(_setting("JUMIN_MUNICIPALITY_TIMEOUT", str(DEFAULT_TIMEOUT))),
        path=RELAY_PATH,
        peer_file=signing.MUNICIPALITY_PUBLIC,
        peer_label=RELAY_LABEL,
        url_setting="JUMIN_MUNICIPALITY_URL",
        max_answer=MAX_ANSWER,
    )


def fee_per_copy() -> int:
    return int(_setting("JUMIN_WIDE_AREA_FEE", str(w.DEFAULT_FEE)))


def _validate(ask: CounterAsk) -> None:
    if ask.layout not in w.LAYOUTS:
        raise DomainError("wide_area.bad_layout", "様式（本人・世帯全員）を選んでください。")
    if not set(ask.items) <= set(w.CHOOSABLE_ITEMS):
        raise DomainError(
            "wide_area.bad_item", "広域交付では記載できない事項が選ばれています（本籍・筆頭者は記載できません）。"
        )
    if not 1 <= ask.copies <= w.MAX_COPIES:
        raise DomainError("wide_area.bad_copies", f"通数は1〜{w.MAX_COPIES}通で指定してください。")
    if ask.residence_code and not w.is_municipality_code(ask.residence_code):
        raise DomainError("wide_area.bad_code", "住所地の団体コードは6桁の数字で入力してください。")


def _residence(ask: CounterAsk, face: dict[str, str]) -> str:
    code = ask.residence_code or municipality_code_of(face.get("address", ""))
    if not code:
        raise DomainError(
            "wide_area.no_residence",
            "カードの住所から住所地の市区町村がわかりません。住所地の団体コードを入力してください。",
        )
    if code == _our_code():
        raise DomainError(
            "wide_area.own_resident", "この市区町村の住民です。広域交付ではなく「証明書交付」で交付してください。"
        )
    return code


def request_copy(
    by: Principal,
    presented: Any,
    challenge: str,
    ask: CounterAsk,
    *,
    terminal: Terminal | None = None,
) -> CounterResult:
    """広域交付 at our counter (see the module docstring)."""
    _require(by)
    _validate(ask)
    check, face = identity_check.verify_card_holder(presented, challenge, by=by)
    if check.code != "identity.card_valid":
        raise DomainError(check.code, check.message)
    code = _residence(ask, face)
    body = {
        "request_id": f"{_our_code()}-{secrets.token_hex(10)}",
        "from_municipality_code": _our_code(),
        "from_municipality": _our_name(),
        "to_municipality_code": code,
        "kind": c.COPY,
        "layout": ask.layout,
        "items": list(ask.items),
        "copies": ask.copies,
        "card_face": {k: face[k] for k in ("name", "address", "birth", "sex", "individual_number")},
    }
    reply = _exchange(body)
    if reply.get("outcome") == WideAreaExchange.Outcome.REFUSED:
        return _refused(by, body, reply)
    if reply.get("outcome") != WideAreaExchange.Outcome.ANSWERED:
        raise DomainError("wide_area.bad_answer", "住所地からの回答の形式が正しくありません。交付していません。")
    return _issue(by, body, reply, face, terminal)


def _exchange(body: dict[str, Any]) -> dict[str, Any]:
    client = relay_client()
    raw = json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
    try:
        status, reply = client.exchange("POST", RELAY_PATH, raw)
    except DeliveryError as error:
        logger.warning("jukinet wide-area: relay %s (%s)", body["to_municipality_code"], error.code)
        raise DomainError(
            "wide_area.unavailable",
            "住基ネット（広域交付）に接続できません。時間をおいてやり直してください（交付・記録はしていません）。",
        ) from None
    if status == 404:
        raise DomainError(
            "wide_area.unknown_municipality", "住所地の市区町村に請求を送れません（団体コードを確認してください）。"
        )
    if status != 200:
        logger.warning("jukinet wide-area: relay answered %s (%s)", status, str(reply.get("error"))[:40])
        raise DomainError("wide_area.unavailable", "住所地の市区町村から回答がありません（交付・記録はしていません）。")
    if reply.get("request_id") != body["request_id"]:
        raise DomainError("wide_area.bad_answer", "住所地からの回答が請求と対応していません。交付していません。")
    return reply


def _residence_name(reply: dict[str, Any], code: str) -> str:
    return str(reply.get("municipality") or code)[:60]


def _refused(by: Principal, body: dict[str, Any], reply: dict[str, Any]) -> CounterResult:
    code = str(reply.get("reason_code") or "")
    reason = w.REASONS.get(code) or w.REASONS[w.UNAVAILABLE]
    name = _residence_name(reply, body["to_municipality_code"])
    with transaction.atomic():
        exchange = _record_sent(by, body, name, WideAreaExchange.Outcome.REFUSED, reason.code)
        record_operation(
            action="jukinet.wide_area_refused",
            target_type="wide_area",
            target_id=body["request_id"],
            after={"to": body["to_municipality_code"], "reason": reason.code},
        )
    return CounterResult("refused", reason.code, reason.message, name, exchange=exchange)


def _record_sent(
    by: Principal, body: dict[str, Any], name: str, outcome: str, reason: str = "", **values: Any
) -> WideAreaExchange:
    return WideAreaExchange.objects.create(
        direction=WideAreaExchange.Direction.SENT,
        request_id=body["request_id"],
        counterpart_code=body["to_municipality_code"],
        counterpart_name=name,
        layout=body["layout"],
        items=body["items"],
        copies=body["copies"],
        outcome=outcome,
        reason_code=reason,
        operator=by.user,
        **values,
    )


def _issue(
    by: Principal, body: dict[str, Any], reply: dict[str, Any], face: dict[str, str], terminal: Terminal | None
) -> CounterResult:
    name = _residence_name(reply, body["to_municipality_code"])
    try:
        content = sealing.from_plain(reply.get("content"))
    except DomainError:
        raise DomainError(
            "wide_area.bad_answer", "住所地からの回答の形式が正しくありません。交付していません。"
        ) from None
    whole = bool(reply.get("whole_household"))
    content = replace(content, title=w.TITLE, attestation=w.attestation(name, whole))
    received = certificates.ReceivedCopy(
        content=content,
        residence_name=name,
        residence_code=body["to_municipality_code"],
        requester_name=f"{face['name']}（本人・個人番号カード）"[:200],
        items=tuple(body["items"]),
        whole_household=whole,
        copies=body["copies"],
    )
    fee = w.fee(body["copies"], fee_per_copy())
    with transaction.atomic():
        issued = certificates.issue_received(by, received, terminal=terminal)
        numbers = [i.issue_no for i in issued.issuances]
        exchange = _record_sent(by, body, name, WideAreaExchange.Outcome.ANSWERED, issue_nos=numbers, fee=fee)
        record_operation(
            action="jukinet.wide_area_issued",
            target_type="wide_area",
            target_id=body["request_id"],
            after={"to": body["to_municipality_code"], "copies": len(numbers), "fee": fee},
        )
    return CounterResult("answered", residence_name=name, issued=issued, fee=fee, exchange=exchange)


# -- the 送信/受信一覧表 ----------------------------------------------------------------------------


def exchanges(by: Principal, *, direction: str = "", limit: int = 200) -> list[WideAreaExchange]:
    """The 広域交付 送信/受信一覧表 (newest first).  Received rows name our persons by 宛名番号,
    so reading them is access-logged (``list``)."""
    if not by.has_perm(ISSUE):
        raise DomainError("auth.forbidden", "広域交付の一覧を見る権限がありません。")
    rows = WideAreaExchange.objects.select_related("operator")
    if direction:
        rows = rows.filter(direction=direction)
    found = list(rows[: max(1, min(limit, 1000))])
    persons = sorted({p for row in found for p in row.persons})
    record_access(purpose="jukinet.wide_area_list", persons=persons, action="list", criteria={"direction": direction})
    return found
