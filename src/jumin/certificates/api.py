"""API of certificates (/api/v1/certificates…): issue (the PDFs come back base64-encoded, one
per copy, each with its 発行番号 and SHA-256), 交付履歴, 再交付, 処分, and the public verification.
Numbers of persons travel in bodies, never in URLs."""

from __future__ import annotations

import base64
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema

from jumin.accounts.principal import principal_for
from jumin.api_base import PermissionDeniedError
from jumin.api_base import domain_call as _call
from jumin.certificates import content as c
from jumin.certificates import history, services, signing, verification
from jumin.core.errors import DomainError
from jumin.free_text import InSchema

router = Router(tags=["certificates"])
ISSUE = "accounts.issue_certificate"


class IssueIn(InSchema):
    kind: str = c.COPY
    atena_no: str = ""
    route: str = ""
    requester_name: str = ""
    layout: str = c.INDIVIDUAL
    members: list[str] = []
    requester_address: str = ""
    requester_atena_no: str = ""
    representative: str = ""
    purpose: str = ""
    proof: str = ""
    id_document: str = ""
    id_document_note: str = ""
    power_of_attorney: bool = False
    items: list[str] = []
    certified_items: list[str] = []
    with_history: bool = False
    with_furigana: bool = False
    official_use: bool = False
    copies: int = 1
    alert_reason: str = ""
    printer: int | None = None
    record_no: int | None = None  # 除票: 1 = the oldest record; empty = the newest 除票


class CopyOut(Schema):
    issue_no: str
    pages: int
    sha256: str
    pdf_base64: str


class IssuedOut(Schema):
    copies: list[CopyOut]
    alerts: list[str]
    overflow: list[str]


class HistoryIn(InSchema):
    atena_no: str = ""
    issue_no: str = ""


class HistoryOut(Schema):
    issue_no: str
    kind: str
    layout: str
    issued_at: str
    place: str
    terminal: str
    operator: str
    route: str
    requester_name: str
    persons: list[str]
    pages: int
    official_use: bool
    reissue_of: str
    disposed: str


class ReissueIn(InSchema):
    issue_no: str = ""
    reason: str = ""
    alert_reason: str = ""


class DisposeIn(InSchema):
    issue_no: str = ""
    reason: str = ""


class VerifyOut(Schema):
    issue_no: str
    issued: bool
    issued_at: str
    signature: str  # valid | invalid | none (not given)
    document: str  # match | mismatch | none (no sha256 given)
    disposed: bool
    genuine: bool


def _issued_out(issued: services.Issued) -> IssuedOut:
    return IssuedOut(
        copies=[
            CopyOut(issue_no=i.issue_no, pages=i.pages, sha256=i.sha256, pdf_base64=base64.b64encode(pdf).decode())
            for i, pdf in zip(issued.issuances, issued.pdfs, strict=True)
        ],
        alerts=issued.alerts,
        overflow=[f"{o.label}: {o.action}" for o in issued.overflow],
    )


@router.post("/certificates", response={200: IssuedOut, 400: dict}, summary="証明書の交付（住民票の写し等, 5.1）")
def certificates_issue(request: HttpRequest, body: IssueIn) -> Any:
    principal = principal_for(request)
    if not principal.has_perm(ISSUE):
        raise PermissionDeniedError(ISSUE)
    data = body.dict()
    lists = {name: tuple(data[name]) for name in ("members", "items", "certified_items")}
    request_ = services.IssueRequest(**{**data, **lists})
    with signing.served_at(request.build_absolute_uri(reverse("verify"))):
        issued = _call(lambda: services.issue(principal, request_, terminal=getattr(request, "terminal", None)))
    return _issued_out(issued)


@router.post("/certificates/history", response=list[HistoryOut], summary="交付履歴（1.3.8, 2.2.2）")
def certificates_history(request: HttpRequest, body: HistoryIn) -> Any:
    principal = principal_for(request)
    if not principal.has_perm(ISSUE):
        raise PermissionDeniedError(ISSUE)
    lines = _call(lambda: history.issuances(principal, atena_no=body.atena_no, issue_no=body.issue_no))
    return [HistoryOut(**{k: v for k, v in line.__dict__.items() if k in HistoryOut.model_fields}) for line in lines]


@router.post("/certificates/reissue", response={200: IssuedOut, 400: dict}, summary="再交付")
def certificates_reissue(request: HttpRequest, body: ReissueIn) -> Any:
    principal = principal_for(request)
    if not principal.has_perm(ISSUE):
        raise PermissionDeniedError(ISSUE)
    with signing.served_at(request.build_absolute_uri(reverse("verify"))):
        issued = _call(
            lambda: services.reissue(
                principal,
                body.issue_no,
                reason=body.reason,
                terminal=getattr(request, "terminal", None),
                alert_reason=body.alert_reason,
            )
        )
    return _issued_out(issued)


@router.post("/certificates/dispose", response={200: dict, 400: dict}, summary="処分（誤交付の記録）")
def certificates_dispose(request: HttpRequest, body: DisposeIn) -> Any:
    principal = principal_for(request)
    if principal.user is None or not principal.has_perm(ISSUE):
        raise PermissionDeniedError(ISSUE)
    user = principal.user
    disposal = _call(lambda: services.dispose(user, body.issue_no, reason=body.reason))
    return {"issue_no": disposal.issuance.issue_no, "disposed": True}


@router.get(
    "/certificates/verify",
    response={200: VerifyOut, 400: dict},
    auth=None,
    summary="証明書の検証（公開・個人情報なし）",
)
def certificates_verify(request: HttpRequest, n: str = "", s: str = "", sha256: str = "") -> Any:
    """``n`` the 発行番号, ``s`` the signature of the QR code, ``sha256`` of the PDF (all optional
    but ``n``); the answer never holds anything about the persons or the requester."""
    if not n.strip():
        raise DomainError("certificate.verify_no_number", "発行番号を入力してください。")
    answer = verification.check(n, s, digest=sha256)
    return VerifyOut(
        issue_no=answer.issue_no,
        issued=answer.issued,
        issued_at=answer.issued_at,
        signature=answer.signature,
        document=answer.document,
        disposed=answer.disposed,
        genuine=answer.genuine,
    )
