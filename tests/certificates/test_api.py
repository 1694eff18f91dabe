"""The certificate API (/api/v1/certificates…): issue as a verified operator or a linked
system holding ``issue_certificate``; the PDFs travel base64-encoded with their 発行番号 and
SHA-256; 交付履歴, 再交付, 処分; the public verification answers without credentials."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from django.test import Client

from jumin.accounts.models import Terminal, User
from jumin.accounts.principal import Principal
from jumin.accounts.services import add_linked_system
from jumin.audit.models import AccessLog
from jumin.certificates.models import Certifier, Disposal, Issuance
from jumin.registry.models import Resident
from tests.certificates import test_issue as issuing
from tests.conftest import device_cookie, log_in, make_operator

pytestmark = pytest.mark.db

# the household, the clerk and the mayor of the service tests
clerk, family, mayor, joined = issuing.clerk, issuing.family, issuing.mayor, issuing.joined


def _client(user: User, terminal: Terminal) -> Client:
    client = Client()
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    return log_in(client, user)


def _post(client: Client, path: str, body: dict[str, Any], **extra: Any) -> Any:
    return client.post(path, body, content_type="application/json", **extra)


def own_body(family: dict[str, Resident], **overrides: Any) -> dict[str, Any]:
    head = family["太郎"]
    body: dict[str, Any] = {
        "kind": "copy",
        "atena_no": head.atena_no,
        "route": "self",
        "requester_name": "上尾　太郎",
        "requester_atena_no": head.atena_no,
        "id_document": "mynumber_card",
        "layout": "household",
    }
    body.update(overrides)
    return body


def _pdfs(answer: dict[str, Any]) -> list[bytes]:
    pdfs = []
    for copy in answer["copies"]:
        pdf = base64.b64decode(copy["pdf_base64"])
        assert hashlib.sha256(pdf).hexdigest() == copy["sha256"]
        assert Issuance.objects.get(issue_no=copy["issue_no"]).sha256 == copy["sha256"]
        pdfs.append(pdf)
    return pdfs


@pytest.fixture
def api(clerk: Principal, terminal: Terminal) -> Client:
    assert clerk.user is not None
    return _client(clerk.user, terminal)


@pytest.mark.spec("5.1", "5.5", partial=True)
def test_operator_issues_copies_through_the_api(
    api: Client, mayor: Certifier, family: dict[str, Resident], terminal: Terminal
) -> None:
    response = _post(api, "/api/v1/certificates", own_body(family, copies=2))
    assert response.status_code == 200, response.content.decode()
    answer = response.json()
    assert answer["alerts"] == [] and answer["overflow"] == []
    numbers = [copy["issue_no"] for copy in answer["copies"]]
    assert len(set(numbers)) == 2 and all(terminal.name in n for n in numbers)
    assert [copy["pages"] for copy in answer["copies"]] == [2, 2]
    pdfs = _pdfs(answer)
    for number, pdf in zip(numbers, pdfs, strict=True):
        body = joined(pdf)
        assert number.replace(" ", "") in body and "上尾三郎" in body
    assert Issuance.objects.filter(operator__username="shomei").count() == 2


def test_api_refusals_have_stable_codes(
    api: Client, mayor: Certifier, family: dict[str, Resident], terminal: Terminal
) -> None:
    cases = {
        "certificate.bad_kind": own_body(family, kind="bogus"),
        "certificate.bad_route": own_body(family, route=""),
        "certificate.no_id_document": own_body(family, id_document=""),
        "certificate.third_party_incomplete": own_body(family, route="third_party", requester_atena_no=""),
        "certificate.item_forbidden": own_body(family, items=["resident_code"]),
        "certificate.bad_copies": own_body(family, copies=0),
        "certificate.record_no_kind": own_body(family, record_no=1),
        "certificate.item_not_allowed": own_body(
            family, route="third_party", requester_atena_no="", purpose="訴訟", proof="訴状", items=["program_items"]
        ),
        "resident.not_found": own_body(family, atena_no="999999999"),
    }
    for code, body in cases.items():
        response = _post(api, "/api/v1/certificates", body)
        assert response.status_code == 400, (code, response.content.decode())
        assert response.json()["code"] == code and response.json()["message"]
    assert not Issuance.objects.exists()
    # without the capability: 403, and nothing is read
    other = _client(make_operator("norole", "権限 なし"), terminal)
    forbidden = _post(other, "/api/v1/certificates", own_body(family))
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "auth.forbidden"
    for path, body in (
        ("/api/v1/certificates/history", {"atena_no": family["太郎"].atena_no}),
        ("/api/v1/certificates/reissue", {"issue_no": "x", "reason": "x"}),
        ("/api/v1/certificates/dispose", {"issue_no": "x", "reason": "x"}),
    ):
        assert _post(other, path, body).status_code == 403, path
    assert not AccessLog.objects.filter(purpose__startswith="certificates.").exists()
    # without any credentials: 401
    assert _post(Client(), "/api/v1/certificates", own_body(family)).status_code == 401


@pytest.mark.spec("5.5", partial=True)
def test_a_linked_system_issues_with_its_key(mayor: Certifier, family: dict[str, Resident]) -> None:
    _, key = add_linked_system("KONBINI", "コンビニ交付システム", ["issue_certificate"])
    _, weak = add_linked_system("OTHER", "照会だけのシステム", ["view_resident"])
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    response = _post(Client(), "/api/v1/certificates", own_body(family, layout="individual"), **bearer)
    assert response.status_code == 200, response.content.decode()
    (copy,) = response.json()["copies"]
    assert "KONBINI" in copy["issue_no"]
    (pdf,) = _pdfs(response.json())
    assert "上尾太郎" in joined(pdf) and "上尾花子" not in joined(pdf)
    row = Issuance.objects.get()
    assert row.client == "KONBINI" and row.operator is None
    assert AccessLog.objects.filter(client="KONBINI", purpose="certificates.issue").exists()
    refused = _post(Client(), "/api/v1/certificates", own_body(family), HTTP_AUTHORIZATION=f"Bearer {weak}")
    assert refused.status_code == 403 and refused.json()["code"] == "auth.forbidden"
    # the system reads its own 交付履歴; 処分 is an operator's act at the counter
    listed = _post(Client(), "/api/v1/certificates/history", {"issue_no": copy["issue_no"]}, **bearer).json()
    assert [line["operator"] for line in listed] == ["KONBINI"]
    dispose = _post(Client(), "/api/v1/certificates/dispose", {"issue_no": copy["issue_no"], "reason": "x"}, **bearer)
    assert dispose.status_code == 403


@pytest.mark.spec("1.3.8", "2.2.2")
def test_history_reissue_and_dispose_through_the_api(
    api: Client, mayor: Certifier, family: dict[str, Resident]
) -> None:
    head = family["太郎"]
    issued = _post(api, "/api/v1/certificates", own_body(family)).json()
    first = issued["copies"][0]["issue_no"]

    listed = _post(api, "/api/v1/certificates/history", {"atena_no": head.atena_no})
    assert listed.status_code == 200
    (line,) = listed.json()
    assert line["issue_no"] == first and line["kind"] == "住民票の写し" and line["layout"] == "世帯連記式"
    assert line["operator"] == "shomei" and line["terminal"] == "本庁1" and line["pages"] == 2
    assert head.atena_no in line["persons"] and line["disposed"] == "" and line["reissue_of"] == ""
    nothing = _post(api, "/api/v1/certificates/history", {})
    assert nothing.status_code == 400 and nothing.json()["code"] == "certificate.history_criteria"

    no_reason = _post(api, "/api/v1/certificates/reissue", {"issue_no": first})
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "certificate.no_reason"
    unknown = _post(api, "/api/v1/certificates/reissue", {"issue_no": "20000101 上尾市 本庁1 001", "reason": "汚損"})
    assert unknown.status_code == 400 and unknown.json()["code"] == "certificate.not_found"
    again = _post(api, "/api/v1/certificates/reissue", {"issue_no": first, "reason": "汚損のため"})
    assert again.status_code == 200, again.content.decode()
    (copy,) = again.json()["copies"]
    assert copy["issue_no"] != first
    (pdf,) = _pdfs(again.json())
    assert copy["issue_no"].replace(" ", "") in joined(pdf)
    assert "住民票の写し（再交付）" in joined(pdf)  # the issued content, sealed in the 交付履歴

    disposed = _post(api, "/api/v1/certificates/dispose", {"issue_no": first, "reason": "誤交付のため回収"})
    assert disposed.status_code == 200 and disposed.json() == {"issue_no": first, "disposed": True}
    twice = _post(api, "/api/v1/certificates/dispose", {"issue_no": first, "reason": "再度"})
    assert twice.status_code == 400 and twice.json()["code"] == "certificate.already_disposed"
    assert Disposal.objects.get().issuance.issue_no == first
    lines = {x["issue_no"]: x for x in _post(api, "/api/v1/certificates/history", {"atena_no": head.atena_no}).json()}
    assert "誤交付のため回収" in lines[first]["disposed"] and lines[copy["issue_no"]]["reissue_of"] == first


def test_verification_api_is_public_and_answers_no_personal_data(
    api: Client, mayor: Certifier, family: dict[str, Resident]
) -> None:
    copy = _post(api, "/api/v1/certificates", own_body(family)).json()["copies"][0]
    row = Issuance.objects.get(issue_no=copy["issue_no"])
    anonymous = Client()
    answer = anonymous.get("/api/v1/certificates/verify", {"n": row.issue_no, "s": row.signature})
    assert answer.status_code == 200
    data = answer.json()
    assert data["issued"] and data["genuine"] and data["signature"] == "valid" and data["document"] == "none"
    assert data["issue_no"] == row.issue_no and data["issued_at"].startswith("令和")
    assert set(data) == {"issue_no", "issued", "issued_at", "signature", "document", "disposed", "genuine"}
    text = answer.content.decode()
    assert "太郎" not in text and family["太郎"].atena_no not in text and "本町" not in text

    hashed = anonymous.get("/api/v1/certificates/verify", {"n": row.issue_no, "sha256": copy["sha256"]}).json()
    assert hashed["document"] == "match" and hashed["genuine"]
    wrong = anonymous.get("/api/v1/certificates/verify", {"n": row.issue_no, "sha256": "0" * 64}).json()
    assert wrong["document"] == "mismatch" and not wrong["genuine"]
    forged = anonymous.get("/api/v1/certificates/verify", {"n": row.issue_no, "s": "A" * 86}).json()
    assert forged["signature"] == "invalid" and not forged["genuine"]
    missing = anonymous.get("/api/v1/certificates/verify", {"n": "20000101 上尾市 本庁1 001"}).json()
    assert missing["issued"] is False and missing["genuine"] is False
    blank = anonymous.get("/api/v1/certificates/verify")
    assert blank.status_code == 400 and blank.json()["code"] == "certificate.verify_no_number"

    _post(api, "/api/v1/certificates/dispose", {"issue_no": row.issue_no, "reason": "誤交付"})
    after = anonymous.get("/api/v1/certificates/verify", {"n": row.issue_no, "s": row.signature}).json()
    assert after["disposed"] and not after["genuine"]
