"""Issuing certificates (spec 5.1–5.8, 1.3.7–1.3.9; 住基法12条〜12条の3).

:func:`issue` checks the request (route, requester, identity document, 委任状, 疎明), applies
支援措置 and 抑止 through ``jumin.protection.queries.issuance_decision`` for every person on
the copy, decides the printed items (``jumin.core.certificates``), then — in one transaction
per request — draws a 発行番号 per copy, renders the PDF, signs the number, and writes the
交付履歴 (with the SHA-256 of the exact PDF), the print log and the access log.

:func:`reissue` (再交付) issues the same request again under new 発行番号; :func:`dispose`
records that a copy was destroyed (処分).  Nothing of the 交付履歴 is ever changed."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pypdf import PdfWriter

from jumin.accounts.models import Terminal, User
from jumin.accounts.principal import Principal
from jumin.audit.context import current as audit_context
from jumin.audit.services import record_access, record_operation, record_print, record_setting
from jumin.certificates import content as c
from jumin.certificates import queries, sealing, signing
from jumin.certificates.models import Certifier, Disposal, Issuance, IssuedPerson
from jumin.certificates.render import overflow_list_pdf, render
from jumin.certificates.seal import seal_png
from jumin.conf.domain import era_table
from jumin.core import certificates as rules
from jumin.core.errors import DomainError
from jumin.protection.models import Process
from jumin.protection.queries import issuance_decisions
from jumin.protection.services import proceed_past_alert
from jumin.registry.models import Resident, ResidentHistory, Status
from jumin.registry.numbers import reserve_serials

KINDS = (
    c.COPY,
    c.REMOVED_COPY,
    c.ITEM_CERTIFICATE,
    c.REMOVED_ITEM_CERTIFICATE,
    c.MOVE_OUT,
    c.MOVE_OUT_EQUIVALENT,
    c.RESIDENT_CODE_NOTICE,
)
NOTICE_FIELDS = ("name", "birth", "sex", "resident_code")
MAX_COPIES = 10
ID_DOCUMENTS = {
    "mynumber_card": "個人番号カード",
    "driver_license": "運転免許証",
    "passport": "旅券",
    "residence_card": "在留カード・特別永住者証明書",
    "health_insurance": "健康保険の資格確認書等（2点）",
    "other": "その他",
    "mail": "郵送請求（書類による確認）",
}


@dataclass(frozen=True)
class IssueRequest:
    """One request at the counter (or from a linked system): what, for whom, by whom."""

    kind: str
    atena_no: str
    route: str
    requester_name: str
    layout: str = c.INDIVIDUAL
    members: tuple[str, ...] = ()
    requester_address: str = ""
    requester_atena_no: str = ""
    representative: str = ""
    purpose: str = ""
    proof: str = ""
    id_document: str = ""
    id_document_note: str = ""
    power_of_attorney: bool = False
    items: tuple[str, ...] = ()
    certified_items: tuple[str, ...] = ()
    with_history: bool = False
    with_furigana: bool = False
    official_use: bool = False
    copies: int = 1
    alert_reason: str = ""
    printer: int | None = None
    record_no: int | None = None  # 除票: which record (1 = oldest); None = the newest 除票


@dataclass
class Issued:
    issuances: list[Issuance]
    pdfs: list[bytes]
    overflow: list[c.Overflow] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)


def _require(principal: Principal) -> None:
    if not principal.has_perm(queries.ISSUE):
        raise DomainError("auth.forbidden", "証明書を交付する権限がありません。")


def validate(request: IssueRequest) -> frozenset[str]:
    """Errors of the request itself (before anything is read); the printable item groups."""
    if request.kind not in KINDS:
        raise DomainError("certificate.bad_kind", "証明書の種類を選んでください。")
    if request.layout not in (c.INDIVIDUAL, c.HOUSEHOLD):
        raise DomainError("certificate.bad_layout", "様式（個人票・世帯連記式）を選んでください。")
    if request.layout == c.HOUSEHOLD and request.kind in queries.REMOVED_KINDS:
        raise DomainError("certificate.removed_household", "除票の写しは個人票で交付します（世帯連記式はありません）。")
    if request.layout == c.HOUSEHOLD and request.with_history:
        raise DomainError(
            "certificate.household_history", "世帯連記式には履歴を記載できません。個人票を選んでください。"
        )
    if not 1 <= request.copies <= MAX_COPIES:
        raise DomainError("certificate.bad_copies", f"通数は1〜{MAX_COPIES}通で指定してください。")
    if not request.atena_no.strip():
        raise DomainError("certificate.no_person", "証明する方の宛名番号を入力してください。")
    if not request.requester_name.strip():
        raise DomainError("certificate.no_requester", "請求者（申出者）の氏名・名称を入力してください。")
    if request.record_no is not None and request.kind not in queries.REMOVED_KINDS:
        raise DomainError(
            "certificate.record_no_kind", "除票の番号は除票の写し・除票記載事項証明書にだけ指定できます。"
        )
    if request.record_no is not None and request.record_no < 1:
        raise DomainError("certificate.record_not_found", "除票の番号は1以上で指定してください。")
    if request.kind in queries.ITEM_KINDS and not request.certified_items:
        raise DomainError("certificate.no_items", "記載事項証明書で証明する事項を選んでください。")
    _validate_route(request)
    if request.kind in queries.MOVE_OUT_KINDS or request.kind == c.RESIDENT_CODE_NOTICE:
        if request.route not in (rules.SELF, rules.AGENT):
            raise DomainError(
                "certificate.notice_route", "転出証明書・住民票コード通知票は本人等（又は代理人）にだけ交付します。"
            )
        return queries.MOVE_OUT_ITEMS if request.kind in queries.MOVE_OUT_KINDS else frozenset({rules.RESIDENT_CODE})
    return rules.printable_items(request.route, request.items)


def _read(
    principal: Principal, request: IssueRequest, *, check_requester: bool = True
) -> tuple[frozenset[str], date, queries.Target]:
    """What every issuing path reads first: the printable items, today, and the persons (each
    item asked for must be one the operator may see; the requester must be 本人等)."""
    printable = validate(request)
    today = timezone.localdate()
    target = _target(principal, request, today)
    queries.check_printable(target.subjects, printable, principal, asked=rules.PROGRAM_ITEMS in request.items)
    if check_requester:
        _check_requester(request, target)
    return printable, today, target


def _issued(issue_no: str) -> Issuance:
    original = Issuance.objects.filter(issue_no=issue_no.strip()).first()
    if original is None:
        raise DomainError("certificate.not_found", "その発行番号の交付履歴はありません。")
    return original


def _target(principal: Principal, request: IssueRequest, today: date) -> queries.Target:
    return queries.target(
        principal,
        request.kind,
        request.atena_no,
        layout=request.layout,
        members=request.members,
        with_history=request.with_history,
        today=today,
        record_no=request.record_no,
    )


def layout_of(request: IssueRequest, target: queries.Target) -> str:
    """転出証明書 lists every person of the 転出届; a notice is one person; else as asked."""
    if request.kind in queries.MOVE_OUT_KINDS:
        return c.HOUSEHOLD if len(target.subjects) > 1 else c.INDIVIDUAL
    if request.kind == c.RESIDENT_CODE_NOTICE:
        return c.INDIVIDUAL
    return request.layout


def _validate_route(request: IssueRequest) -> None:
    route = request.route
    if route in (rules.SELF, rules.AGENT) and request.id_document not in ID_DOCUMENTS:
        raise DomainError("certificate.no_id_document", "請求者の本人確認書類を選んでください。")
    if route == rules.SELF and not request.requester_atena_no.strip():
        raise DomainError(
            "certificate.no_requester_no", "本人等の請求は、請求者（本人又は同一世帯員）の宛名番号を入力してください。"
        )
    if route == rules.AGENT and not request.power_of_attorney:
        raise DomainError("certificate.no_power_of_attorney", "代理人による請求には委任状の確認が必要です。")
    if route == rules.PUBLIC_BODY and not (request.representative.strip() and request.purpose.strip()):
        raise DomainError(
            "certificate.public_body_incomplete",
            "国・地方公共団体の請求は、請求の任に当たる者と根拠法令・事務を入力してください。",
        )
    if route == rules.THIRD_PARTY and not (request.purpose.strip() and request.proof.strip()):
        raise DomainError(
            "certificate.third_party_incomplete", "第三者の申出は、利用目的と疎明資料を入力してください。"
        )


def _check_requester(request: IssueRequest, target: queries.Target) -> None:
    """本人等 (12条): the person or a member of the same household; an agent acts for one."""
    if request.route not in (rules.SELF, rules.AGENT) or not request.requester_atena_no.strip():
        return
    who = request.requester_atena_no.strip()
    if who in {s.atena_no for s in target.subjects}:  # a person on the copy: no look-up needed
        return
    if not Resident.objects.filter(atena_no=who, household_no=target.household_no, status=Status.CURRENT).exists():
        raise DomainError(
            "certificate.not_same_household",
            "請求者は本人又は同一世帯の方ではありません。第三者の申出又は代理人による請求として受け付けてください。",
        )


def _protection(principal: Principal, request: IssueRequest, persons: list[str]) -> list[str]:
    """支援措置・抑止 for every person on the copy: refused → error; alert → needs a reason."""
    mode = "former" if request.kind in queries.REMOVED_KINDS else "current"
    decisions = issuance_decisions(
        principal,
        persons,
        request.route,
        mode,
        requester_atena_no=request.requester_atena_no,
        requester_name=request.requester_name,
        purpose="certificates.issue",
    )
    alerts: list[str] = []
    for decision in decisions.values():
        if not decision.allowed:
            raise DomainError(decision.code, " ".join(decision.messages))
        alerts += decision.messages if decision.outcome == "alert" else []
    if alerts and not request.alert_reason.strip():
        raise DomainError("certificate.alert_reason", "抑止（アラート）があります。交付する理由を入力してください。")
    return alerts


def certifier_for(day: date) -> Certifier:
    """The 職務代理者 in office on ``day``, else the mayor (1.3.9)."""
    found = [x for x in Certifier.objects.all() if x.covers(day)]
    deputies = [x for x in found if x.role == Certifier.Role.DEPUTY]
    chosen = (deputies or [x for x in found if x.role == Certifier.Role.MAYOR])[-1:]
    if not chosen:
        raise DomainError("certificate.no_certifier", "この日の認証者（市区町村長・職務代理者）が登録されていません。")
    return chosen[0]


def _certifier_content(certifier: Certifier) -> c.Certifier:
    prefecture = settings.JUMIN_MUNICIPALITY["prefecture"]
    seal = seal_png(certifier.seal_text) if certifier.print_seal else None
    note = "この印は黒色です。" if certifier.print_seal else "公印省略"
    return c.Certifier(prefecture, certifier.title, certifier.name, seal, note)


def _persons(request: IssueRequest, target: queries.Target, printable: frozenset[str]) -> tuple[c.PersonBlock, ...]:
    blocks = []
    layout = layout_of(request, target)
    for subject in target.subjects:
        pairs = queries.person_fields(subject, printable, layout=layout, with_furigana=request.with_furigana)
        if request.kind in queries.ITEM_KINDS:
            wanted = set(request.certified_items) | {"name"}
            pairs = [(k, f) for k, f in pairs if k in wanted]
        if request.kind == c.RESIDENT_CODE_NOTICE:
            pairs = [(k, f) for k, f in pairs if k in NOTICE_FIELDS]
        blocks.append(
            c.PersonBlock(
                subject.atena_no,
                tuple(f for _, f in pairs),
                history=queries.history_lines(subject, with_history=request.with_history),
                alias_history=queries.alias_history(subject, printable),
                remarks=queries.remarks(subject, with_history=request.with_history),
            )
        )
    return tuple(blocks)


def _atena_nos(target: queries.Target) -> list[str]:
    return [subject.atena_no for subject in target.subjects]


def _terminal_label(terminal: Terminal | None) -> tuple[str, str, str]:
    """(name printed in the 発行番号, serial key part, 交付場所)."""
    if terminal is not None:
        return terminal.name, f"t{terminal.pk}", terminal.place.name
    client = audit_context().client or "api"
    return client[:20], client[:12], ""


def issue(principal: Principal, request: IssueRequest, *, terminal: Terminal | None = None) -> Issued:
    """Issue ``request.copies`` copies; everything or nothing is recorded."""
    _require(principal)
    printable, today, target = _read(principal, request)
    alerts = _protection(principal, request, _atena_nos(target))
    certifier = certifier_for(today)
    with transaction.atomic():
        return _issue_copies(principal, request, target, printable, certifier, terminal, today, alerts)


def _issue_copies(  # noqa: PLR0917 (one request's decided parts, in order)
    principal: Principal,
    request: IssueRequest,
    target: queries.Target,
    printable: frozenset[str],
    certifier: Certifier,
    terminal: Terminal | None,
    today: date,
    alerts: list[str],
) -> Issued:
    name, key, place = _terminal_label(terminal)
    serials = reserve_serials(f"cert{today:%Y%m%d}{key}", request.copies)
    printer = rules.printer_label(request.printer)
    persons = _persons(request, target, printable)
    certifier_text = _certifier_content(certifier)
    issued = Issued([], [], alerts=alerts)
    for serial in serials:
        number = rules.IssueNumber(today, settings.JUMIN_MUNICIPALITY["name"], name, printer, serial)
        issue_no = number.base()
        signature = signing.sign(issue_no, today, request.kind)
        document = replace(
            _document(request, target, printable, persons, today),
            certifier=certifier_text,
            issue_number=number,
            verification=signing.verification_url(issue_no, signature),
        )
        rendered = render(document, overflow_mode=overflow_mode())
        issued.overflow += list(rendered.overflow)
        issued.pdfs.append(rendered.pdf)
        copy = Copy(issue_no, signature, rendered, sealing.seal(document, issue_no))
        issued.issuances.append(
            _record(
                principal,
                request,
                _issued_to(request, target),
                printable,
                copy,
                _signer(certifier),
                (place, name),
                None,
            )
        )
    queries.log_printed(
        target.subjects,
        printable,
        purpose="certificates.issue",
        criteria={"kind": request.kind, "route": request.route, "copies": request.copies},
    )
    if alerts and principal.user is not None:
        _log_alert_passes(principal.user, request, _atena_nos(target), issued.issuances[0].issue_no)
    return issued


def _log_alert_passes(user: User, request: IssueRequest, persons: list[str], issue_no: str) -> None:
    """An alert-level 証明書発行 block passed with a reason goes to the 支援措置 decision log (3.1)."""
    for atena_no in persons:
        proceed_past_alert(Process.CERTIFICATE, atena_no, by=user, reason=request.alert_reason, issue_no=issue_no)


def preview(principal: Principal, request: IssueRequest, *, terminal: Terminal | None = None) -> bytes:
    """見本: the copy as it would print, marked as a sample, without 発行番号 serial, 認証文,
    公印 or verification code, and not recorded as issued (the read is logged)."""
    _require(principal)
    printable, today, target = _read(principal, request)
    name, _, _ = _terminal_label(terminal)
    document = _document(request, target, printable, _persons(request, target, printable), today)
    document = replace(
        document,
        title=f"【見本】{document.title}",
        attestation="（見本です。交付用ではありません。認証文・公印は交付時に印字します。）",
        issue_number=rules.IssueNumber(today, settings.JUMIN_MUNICIPALITY["name"], f"見本 {name}", "", 1),
        data_qr="",
    )
    queries.log_printed(
        target.subjects,
        printable,
        purpose="certificates.preview",
        criteria={"kind": request.kind, "route": request.route},
    )
    return render(document, overflow_mode=overflow_mode()).pdf


def merged(pdfs: list[bytes]) -> bytes:
    """Several copies (each with its own 発行番号 and hash) as one document to print."""
    if len(pdfs) == 1:
        return pdfs[0]
    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(io.BytesIO(pdf))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _document(
    request: IssueRequest,
    target: queries.Target,
    printable: frozenset[str],
    persons: tuple[c.PersonBlock, ...],
    today: date,
) -> c.CertificateContent:
    """The content of a copy, without its 発行番号, 認証者 and verification code."""
    layout = layout_of(request, target)
    move_out = request.kind in queries.MOVE_OUT_KINDS
    municipality = settings.JUMIN_MUNICIPALITY
    return c.CertificateContent(
        kind=request.kind,
        title=_title(request.kind, target),
        layout=layout,
        address=target.address,
        katagaki=target.katagaki,
        head_name=target.head_name if rules.HEAD_RELATIONSHIP in printable else "",
        persons=persons,
        attestation=queries.attestation(request.kind, layout, target.whole_household),
        issued_on=today,
        issued_on_text=era_table().format(today),
        certifier=c.Certifier(municipality["prefecture"], "", "", None, ""),
        issue_number=rules.IssueNumber(today, municipality["name"], "", "", 1),
        official_use=request.official_use,
        data_qr=queries.move_out_data(target) if request.kind == c.MOVE_OUT else "",
        extra=queries.move_out_extra(target) if move_out else (),
    )


def _title(kind: str, target: queries.Target) -> str:
    if kind == c.RESIDENT_CODE_NOTICE:
        last = target.subjects[0].record
        if getattr(last, "history_no", 0) and _last_reason(last.atena_no) == "resident_code_change_request":
            return "住民票コード変更通知票"
    return c.KIND_TITLES[kind]


def _last_reason(atena_no: str) -> str:
    return str(
        ResidentHistory.objects.filter(atena_no=atena_no).order_by("-history_no").values_list("reason", flat=True)[0]
    )


def overflow_mode() -> str:
    """5.8: print an overflowing item to the limit ("truncate") or leave it blank ("blank")."""
    return str(getattr(settings, "JUMIN_OVERFLOW_MODE", "truncate"))


@dataclass(frozen=True)
class Copy:
    """One printed copy: its number, signature, PDF and sealed content."""

    issue_no: str
    signature: str
    rendered: c.Rendered
    content: bytes


@dataclass(frozen=True)
class IssuedTo:
    """Whom a copy was issued about (the 交付対象者 and their household)."""

    persons: list[str]
    household_no: str
    whole_household: bool
    layout: str


@dataclass(frozen=True)
class Signer:
    """The 認証者 as recorded in the 交付履歴 (its text) and whether the 公印 was printed."""

    text: str
    seal: bool


def _issued_to(request: IssueRequest, target: queries.Target) -> IssuedTo:
    return IssuedTo(_atena_nos(target), target.household_no, target.whole_household, layout_of(request, target))


def _signer(certifier: Certifier) -> Signer:
    return Signer(str(certifier), certifier.print_seal)


def _record(  # noqa: PLR0917
    principal: Principal,
    request: IssueRequest,
    to: IssuedTo,
    printable: frozenset[str],
    copy: Copy,
    signer: Signer,
    where: tuple[str, str],  # (交付場所, 端末名)
    reissue_of: Issuance | None,
) -> Issuance:
    persons = to.persons
    place, terminal_name = where
    rendered = copy.rendered
    items: dict[str, Any] = {
        "printed": sorted(printable),
        "certified_items": list(request.certified_items),
        "with_history": request.with_history,
        "with_furigana": request.with_furigana,
        "members": list(request.members),
        "whole_household": to.whole_household,
        "record_no": request.record_no,
        "overflow": [o.label for o in rendered.overflow],
    }
    row = Issuance.objects.create(
        issue_no=copy.issue_no,
        kind=request.kind,
        layout=to.layout,
        place=place,
        terminal=terminal_name,
        printer=rules.printer_label(request.printer),
        operator=principal.user,
        client=principal.system.code if principal.system is not None else "",
        route=request.route,
        requester_name=request.requester_name.strip(),
        requester_address=request.requester_address.strip(),
        requester_atena_no=request.requester_atena_no.strip(),
        representative=request.representative.strip(),
        purpose=request.purpose.strip(),
        proof=request.proof.strip(),
        id_document=request.id_document,
        id_document_note=request.id_document_note.strip(),
        power_of_attorney=request.power_of_attorney,
        official_use=request.official_use,
        household_no=to.household_no,
        persons=persons,
        items=items,
        pages=rendered.pages,
        sha256=hashlib.sha256(rendered.pdf).hexdigest(),
        signature=copy.signature,
        certifier=signer.text,
        reissue_of=reissue_of,
        protection_alert=request.alert_reason.strip(),
        content=copy.content,
    )
    IssuedPerson.objects.bulk_create([IssuedPerson(issuance=row, atena_no=a) for a in persons])
    record_print(
        title=c.KIND_TITLES[request.kind],
        mode="pdf",
        document=copy.issue_no,
        persons=persons,
        pages=rendered.pages,
        printer=rules.printer_label(request.printer),
        seal=signer.seal,
        individual_number_printed=rules.INDIVIDUAL_NUMBER in printable,
        issue_no=copy.issue_no,
    )
    return row


def request_of(issuance: Issuance) -> IssueRequest:
    """The request an issued copy answered (for 再交付)."""
    items = issuance.items
    return IssueRequest(
        kind=issuance.kind,
        atena_no=issuance.persons[0] if issuance.persons else "",
        route=issuance.route,
        requester_name=issuance.requester_name,
        layout=issuance.layout,
        members=tuple(items.get("members") or ()),
        requester_address=issuance.requester_address,
        requester_atena_no=issuance.requester_atena_no,
        representative=issuance.representative,
        purpose=issuance.purpose,
        proof=issuance.proof,
        id_document=issuance.id_document,
        id_document_note=issuance.id_document_note,
        power_of_attorney=issuance.power_of_attorney,
        items=tuple(i for i in items.get("printed", ()) if i in rules.OPTIONAL_ITEMS),
        certified_items=tuple(items.get("certified_items") or ()),
        with_history=bool(items.get("with_history")),
        with_furigana=bool(items.get("with_furigana")),
        official_use=issuance.official_use,
        alert_reason=issuance.protection_alert,
        record_no=items.get("record_no"),
    )


# Which capability a printed group needs of the operator who re-issues it.
_GROUP_SIGHT = {
    rules.INDIVIDUAL_NUMBER: ("individual_number", "個人番号"),
    rules.RESIDENT_CODE: ("resident_code", "住民票コード"),
    rules.HONSEKI: ("honseki", "本籍・筆頭者"),
    rules.FOREIGN_STATUS: ("residence_status", "在留資格等"),
    rules.PROGRAM_ITEMS: ("individual_number", "個別事項"),
}
REISSUED = "（再交付）"


def reissue(
    principal: Principal, issue_no: str, *, reason: str, terminal: Terminal | None = None, alert_reason: str = ""
) -> Issued:
    """再交付: the content that was issued (sealed in its 交付履歴, not today's register)
    printed again with 「（再交付）」 under a new 発行番号, linked to the original.  The
    支援措置・抑止 of today are applied again, and the operator must be one who may see every
    item group the copy prints."""
    _require(principal)
    if not reason.strip():
        raise DomainError("certificate.no_reason", "再交付の理由を入力してください。")
    original = _issued(issue_no)
    request = replace(request_of(original), copies=1, alert_reason=alert_reason or original.protection_alert)
    printable = frozenset(original.items.get("printed") or ())
    for group, (field_name, label) in _GROUP_SIGHT.items():
        if group in printable and not principal.sees(field_name):
            raise DomainError("certificate.item_forbidden", f"{label}を記載する権限がありません。")
    document = sealing.open_content(original.content, original.issue_no)
    persons = list(original.persons)
    alerts = _protection(principal, request, persons)
    with transaction.atomic():
        issued = _reissue_copy(principal, request, original, document, printable, terminal, alerts)
        record_operation(
            action="certificate.reissue",
            target_type="issuance",
            target_id=original.issue_no,
            after={"issue_no": issued.issuances[0].issue_no},
            reason=reason.strip(),
        )
    return issued


def _reissue_copy(  # noqa: PLR0917 (the parts of one re-issue, in order)
    principal: Principal,
    request: IssueRequest,
    original: Issuance,
    document: c.CertificateContent,
    printable: frozenset[str],
    terminal: Terminal | None,
    alerts: list[str],
) -> Issued:
    today = timezone.localdate()
    name, key, place = _terminal_label(terminal)
    (serial,) = reserve_serials(f"cert{today:%Y%m%d}{key}", 1)
    number = rules.IssueNumber(
        today, settings.JUMIN_MUNICIPALITY["name"], name, rules.printer_label(request.printer), serial
    )
    issue_no = number.base()
    signature = signing.sign(issue_no, today, request.kind)
    printed = replace(
        document,
        title=document.title if document.title.endswith(REISSUED) else f"{document.title}{REISSUED}",
        issue_number=number,
        verification=signing.verification_url(issue_no, signature),
    )
    rendered = render(printed, overflow_mode=overflow_mode())
    persons = list(original.persons)
    to = IssuedTo(persons, original.household_no, bool(original.items.get("whole_household")), original.layout)
    signer = Signer(original.certifier, document.certifier.seal_png is not None)
    copy = Copy(issue_no, signature, rendered, sealing.seal(document, issue_no))
    row = _record(principal, request, to, printable, copy, signer, (place, name), original)
    record_access(
        purpose="certificates.reissue",
        persons=persons,
        action="print",
        criteria={"kind": request.kind, "route": request.route, "reissue_of": original.issue_no},
        individual_number_shown=rules.INDIVIDUAL_NUMBER in printable,
        resident_code_shown=rules.RESIDENT_CODE in printable,
    )
    if alerts and principal.user is not None:
        _log_alert_passes(principal.user, request, persons, issue_no)
    return Issued([row], [rendered.pdf], list(rendered.overflow), alerts)


def dispose(user: User, issue_no: str, *, reason: str) -> Disposal:
    """処分: a wrongly issued copy was destroyed or collected; the 交付履歴 stays as it was."""
    if not user.has_perm(queries.ISSUE):
        raise DomainError("auth.forbidden", "証明書を交付する権限がありません。")
    if not reason.strip():
        raise DomainError("certificate.no_reason", "処分の理由を入力してください。")
    with transaction.atomic():
        original = _issued(issue_no)
        if original.disposals.exists():
            raise DomainError("certificate.already_disposed", "この証明書は処分済みです。")
        disposal = Disposal.objects.create(issuance=original, reason=reason.strip(), operator=user)
        record_operation(
            action="certificate.dispose", target_type="issuance", target_id=original.issue_no, reason=reason.strip()
        )
    return disposal


# -- 認証者 master (1.3.9) ------------------------------------------------------------------------

MASTER = "accounts.administer_terminals"


def _certifier_values(certifier: Certifier) -> dict[str, Any]:
    return {
        "role": certifier.role,
        "title": certifier.title,
        "name": certifier.name,
        "valid_from": certifier.valid_from.isoformat(),
        "valid_to": certifier.valid_to.isoformat() if certifier.valid_to else "",
        "seal_text": certifier.seal_text,
        "print_seal": certifier.print_seal,
    }


def register_certifier(user: User, certifier: Certifier) -> Certifier:
    """A new 認証者 with its period; written to the settings log in the same transaction."""
    if not user.has_perm(MASTER):
        raise DomainError("auth.forbidden", "認証者を登録する権限がありません。")
    if not certifier.name.strip() or not certifier.title.strip():
        raise DomainError(
            "certificate.certifier_name", "認証者の職名と氏名を入力してください（空欄の認証者は登録できません）。"
        )
    if certifier.valid_to is not None and certifier.valid_to < certifier.valid_from:
        raise DomainError("certificate.certifier_period", "期間の終了日が開始日より前です。")
    with transaction.atomic():
        certifier.save()
        record_setting("certificates.certifier", str(certifier.pk), before={}, after=_certifier_values(certifier))
    return certifier


def end_certifier(user: User, certifier_id: int, last_day: date) -> Certifier:
    """Close a 認証者's period (a mayor's term ends; a 職務代理 ends) on ``last_day``."""
    if not user.has_perm(MASTER):
        raise DomainError("auth.forbidden", "認証者を変更する権限がありません。")
    with transaction.atomic():
        certifier = Certifier.objects.select_for_update().filter(pk=certifier_id).first()
        if certifier is None:
            raise DomainError("certificate.certifier_not_found", "その認証者は登録されていません。")
        if last_day < certifier.valid_from:
            raise DomainError("certificate.certifier_period", "期間の終了日が開始日より前です。")
        before = _certifier_values(certifier)
        certifier.valid_to = last_day
        certifier.save(update_fields=["valid_to"])
        record_setting("certificates.certifier", str(certifier.pk), before=before, after=_certifier_values(certifier))
    return certifier


def overflow_list(principal: Principal, issue_no: str) -> bytes:
    """文字超過リスト (5.8, 10.7) of an issued copy: the items that did not fit, from the content
    that was issued (sealed in the 交付履歴; a copy issued before contents were kept is rendered
    again from the register).  The list is for the register staff, never handed out."""
    _require(principal)
    issued = _issued(issue_no)
    today = timezone.localdate()
    if issued.content:
        document = sealing.open_content(issued.content, issued.issue_no)
        rendered = render(document, overflow_mode=overflow_mode())
        record_access(
            purpose="certificates.overflow_list",
            persons=list(issued.persons),
            action="print",
            criteria={"kind": issued.kind},
        )
        return overflow_list_pdf(rendered.overflow, issued_on_text=era_table().format(today))
    request = request_of(issued)
    printable = validate(request)
    target = _target(principal, request, today)
    document = _document(request, target, printable, _persons(request, target, printable), today)
    rendered = render(document, overflow_mode=overflow_mode())
    queries.log_printed(
        target.subjects, printable, purpose="certificates.overflow_list", criteria={"kind": request.kind}
    )
    return overflow_list_pdf(rendered.overflow, issued_on_text=era_table().format(today))


# -- 広域交付 (住基法12条の4; jumin.jukinet.wide_area) -------------------------------------------


@dataclass(frozen=True)
class WideAreaCopy:
    """住所地: the content of a 広域交付 copy (no 発行番号, 認証者 or verification code: the
    交付地 adds its own), the persons it shows and whether it is the whole household."""

    content: c.CertificateContent
    persons: list[str]
    whole_household: bool
    individual_number_printed: bool
    resident_code_printed: bool


def wide_area_content(principal: Principal, request: IssueRequest, *, criteria: dict[str, Any]) -> WideAreaCopy:
    """The 住民票の写し the 住所地 answers over 住基ネット: the same reading, item rules and
    支援措置・抑止 checks as :func:`issue` (an alert-level block cannot be passed from
    another municipality: ``certificate.alert_reason``), from the register's current rows
    (本登録 only).  Nothing is issued here; the read is access-logged with ``criteria``."""
    _require(principal)
    printable, today, target = _read(principal, request)
    _protection(principal, request, _atena_nos(target))
    document = _document(request, target, printable, _persons(request, target, printable), today)
    queries.log_printed(target.subjects, printable, purpose="jukinet.wide_area", criteria=criteria)
    return WideAreaCopy(
        document,
        _atena_nos(target),
        target.whole_household,
        rules.INDIVIDUAL_NUMBER in printable,
        rules.RESIDENT_CODE in printable,
    )


@dataclass(frozen=True)
class ReceivedCopy:
    """交付地: what the 住所地 answered, to be issued here under our 認証者 and 発行番号."""

    content: c.CertificateContent
    residence_name: str  # the 住所地 (printed in the 認証文)
    residence_code: str
    requester_name: str
    items: tuple[str, ...]
    whole_household: bool
    copies: int = 1


def issue_received(principal: Principal, received: ReceivedCopy, *, terminal: Terminal | None = None) -> Issued:
    """広域交付 at our counter: the 住所地's content printed as 「住民票の写し（広域交付）」 with our
    認証者, 公印, 発行番号 and signature; the 交付履歴 names the 住所地 (no 宛名番号: the
    persons are not ours).  One transaction (the caller's, when it has one)."""
    _require(principal)
    today = timezone.localdate()
    certifier = certifier_for(today)
    request = IssueRequest(
        kind=c.COPY,
        atena_no="",
        route=rules.SELF,
        requester_name=received.requester_name,
        layout=received.content.layout,
        id_document="mynumber_card",
        id_document_note=f"広域交付（住所地 {received.residence_name} {received.residence_code}）"[:200],
        purpose="広域交付（住基法12条の4）",
        items=received.items,
        copies=received.copies,
    )
    name, key, place = _terminal_label(terminal)
    printed = frozenset(received.items)
    with transaction.atomic():
        serials = reserve_serials(f"cert{today:%Y%m%d}{key}", received.copies)
        issued = Issued([], [])
        for serial in serials:
            number = rules.IssueNumber(today, settings.JUMIN_MUNICIPALITY["name"], name, "", serial)
            issue_no = number.base()
            signature = signing.sign(issue_no, today, c.COPY)
            document = replace(
                received.content,
                issued_on=today,
                issued_on_text=era_table().format(today),
                certifier=_certifier_content(certifier),
                issue_number=number,
                verification=signing.verification_url(issue_no, signature),
            )
            rendered = render(document, overflow_mode=overflow_mode())
            issued.overflow += list(rendered.overflow)
            issued.pdfs.append(rendered.pdf)
            copy = Copy(issue_no, signature, rendered, sealing.seal(document, issue_no))
            to = IssuedTo([], "", received.whole_household, received.content.layout)
            issued.issuances.append(
                _record(principal, request, to, printed, copy, _signer(certifier), (place, name), None)
            )
    return issued
