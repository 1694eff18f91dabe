"""The 閲覧台帳 screens (統計・閲覧 menu) and API: who may do what, the downloads, no 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jumin.accounts.models import Terminal, User
from jumin.accounts.services import add_linked_system
from jumin.addresses.models import Town
from jumin.audit.models import AccessLog, PrintLog
from jumin.inspection.models import InspectionRequest
from jumin.registry.models import Resident
from tests.conftest import device_cookie, log_in, make_operator
from tests.inspection.conftest import today

pytestmark = pytest.mark.django_db


def _client(user: User, terminal: Terminal) -> Client:
    client = Client()
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    return log_in(client, user)


def _post_json(client: Client, path: str, body: dict[str, Any] | None = None, **extra: Any) -> Any:
    return client.post(path, body or {}, content_type="application/json", **extra)


def _form(towns: dict[str, Town], **overrides: str | list[str]) -> dict[str, Any]:
    wareki = f"R{today().year - 2018}.{today().month}.{today().day}"
    data: dict[str, Any] = {
        "basis": "art11_2",
        "requester_kind": "individual",
        "requester_name": "大宮 太郎",
        "requester_address": "埼玉県さいたま市大宮区1番地",
        "purpose_category": "non_commercial",
        "purpose": "訴訟の提起のための相手方の居住の確認",
        "purpose_summary": "訴訟の提起のための居住関係の確認",
        "towns": [towns["本町"].oaza_code],
        "requested_on": wareki,
        "period_start": wareki,
        "period_end": wareki,
        "list_order": "address",
        "pledged": "on",
        "inspector_name_1": "大宮 太郎",
        "inspector_document_1": "my_number_card",
    }
    data.update(overrides)
    return data


@pytest.mark.spec("9.5", "20.3.1", partial=True)
def test_clerk_receives_judge_decides_clerk_lists_and_publishes_on_screen(
    clerk: User,
    judge: User,
    terminal: Terminal,
    other_terminal: Terminal,
    towns: dict[str, Town],
    neighbours: list[Resident],
) -> None:
    web = _client(clerk, terminal)
    home = web.get("/").content.decode()
    assert "閲覧台帳（統計・閲覧）" in home and 'href="/inspection/"' in home
    assert "閲覧申出の受付" in web.get("/inspection/").content.decode()
    # refused at the counter with a message, never a 500
    page = web.post("/inspection/requests/new/", _form(towns, purpose_category="survey", pledged=""))
    assert page.status_code == 200 and "誓約" in page.content.decode()
    page = web.post("/inspection/requests/new/", _form(towns, purpose_category="statutory"))
    assert "営業目的の閲覧はできません" in page.content.decode()
    assert web.post("/inspection/requests/new/", {"requested_on": "\x00", "towns": "x" * 5000}).status_code in (
        200,
        400,
    )
    created = web.post("/inspection/requests/new/", _form(towns))
    assert created.status_code == 302
    number = InspectionRequest.objects.get().request_no
    detail = web.get(f"/inspection/requests/{number}/").content.decode()
    assert "受付済" in detail and "審査の結果を記録" not in detail and "閲覧用リストを出力" not in detail
    assert (
        web.post(f"/inspection/requests/{number}/decision/", {"decision": "approve", "reason": "可"}).status_code == 403
    )

    review = _client(judge, other_terminal)
    assert "閲覧台帳（統計・閲覧）" in review.get("/").content.decode()
    assert "審査の結果を記録" in review.get(f"/inspection/requests/{number}/").content.decode()
    review.post(f"/inspection/requests/{number}/decision/", {"decision": "approve", "reason": ""})
    assert InspectionRequest.objects.get().state == "received"  # no reason, no decision
    review.post(f"/inspection/requests/{number}/decision/", {"decision": "approve", "reason": "訴訟の準備と認める"})
    assert InspectionRequest.objects.get().state == "approved"
    assert review.post(f"/inspection/requests/{number}/list/", {"format": "csv"}).status_code == 403

    listed = web.post(f"/inspection/requests/{number}/list/", {"format": "csv"})
    assert listed.status_code == 200 and listed["Content-Type"].startswith("text/csv")
    assert listed.content.decode("utf-8-sig").splitlines()[1].startswith("志木")  # address order
    pdf = web.post(f"/inspection/requests/{number}/list/", {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = web.post(f"/inspection/requests/{number}/list/", {"format": "xlsx"})
    assert xlsx.content.startswith(b"PK")
    assert web.post(f"/inspection/requests/{number}/list/", {"format": "doc"}).status_code == 302
    wareki = f"R{today().year - 2018}.{today().month}.{today().day}"
    visit = {
        "inspected_on": wareki,
        "towns": [towns["本町"].oaza_code],
        "persons": "2",
        "inspectors": ["大宮 太郎"],
        "identity_checked": "on",
    }
    web.post(f"/inspection/requests/{number}/visits/", {**visit, "identity_checked": ""})
    assert not InspectionRequest.objects.get().visits.exists()
    web.post(f"/inspection/requests/{number}/visits/", {**visit, "persons": "many"})
    web.post(f"/inspection/requests/{number}/visits/", visit)
    assert InspectionRequest.objects.get().visits.count() == 1

    published = review.get(f"/inspection/publication/?year={today().year}").content.decode()
    assert "大宮 太郎" in published and "訴訟の提起のための居住関係の確認" in published
    assert "本町に住所を有する者" in published
    assert "大宮 太郎" in review.get(f"/inspection/publication/?year=R{today().year - 2018}").content.decode()
    refused = review.get("/inspection/publication/?year=abc")
    assert refused.status_code == 200 and "「令和8年」「R8」又は「2026」" in refused.content.decode()
    out = review.post("/inspection/publication/", {"year": str(today().year), "format": "pdf"})
    assert out["Content-Type"] == "application/pdf"
    assert PrintLog.objects.filter(title="住民基本台帳の一部の写しの閲覧状況").count() == 1
    assert web.get("/inspection/requests/E9999999/").status_code == 404


def test_an_operator_without_the_capabilities_sees_nothing(
    terminal: Terminal, clerk: User, judge: User, towns: dict[str, Town]
) -> None:
    other = _client(make_operator("tabu", "他部署 職員", roles=("他部署照会",)), terminal)
    assert "閲覧台帳" not in other.get("/").content.decode()
    for path in ("/inspection/", "/inspection/publication/", "/inspection/requests/new/"):
        assert other.get(path).status_code == 403
    assert other.get("/api/v1/inspection/requests").status_code == 403
    assert other.get("/api/v1/inspection/publication?year=2026").status_code == 403


@pytest.mark.spec("9.5", partial=True)
def test_the_api_receives_decides_lists_and_publishes(
    clerk: User,
    judge: User,
    terminal: Terminal,
    other_terminal: Terminal,
    towns: dict[str, Town],
    neighbours: list[Resident],
) -> None:
    api = _client(clerk, terminal)
    body = {
        "basis": "art11",
        "requester_kind": "agency",
        "requester_name": "上尾市 福祉部",
        "requester_address": "埼玉県上尾市本町三丁目1番1号",
        "purpose_category": "statutory",
        "purpose": "法令に基づく調査",
        "purpose_summary": "福祉に関する調査",
        "oaza_codes": [towns["本町"].oaza_code],
        "requested_on": today().isoformat(),
        "period_start": today().isoformat(),
        "period_end": today().isoformat(),
        "inspectors": [{"name": "福祉 職員", "id_document": "staff_id"}],
    }
    created = _post_json(api, "/api/v1/inspection/requests", body)
    assert created.status_code == 201, created.content.decode()
    number = created.json()["request_no"]
    assert _post_json(api, "/api/v1/inspection/requests", {**body, "purpose_category": "survey"}).json()["code"] == (
        "inspection.purpose"
    )
    assert api.get(f"/api/v1/inspection/requests/{number}/list").json()["code"] == "inspection.not_approved"
    review = _client(judge, other_terminal)
    decided = _post_json(review, f"/api/v1/inspection/requests/{number}/decision", {"approve": True, "reason": "可"})
    assert decided.status_code == 200 and decided.json()["state"] == "approved"
    listed = api.get(f"/api/v1/inspection/requests/{number}/list")
    assert listed.status_code == 200 and listed.json()["order"] == "random"
    assert sorted(x["name"] for x in listed.json()["lines"]) == ["伊奈\u3000三郎", "志木\u3000五郎"]
    assert PrintLog.objects.filter(mode="api", title="住民基本台帳の一部の写し（閲覧用）").exists()
    assert AccessLog.objects.filter(purpose="inspection.list", result_count=2).exists()
    visit = {
        "inspected_on": today().isoformat(),
        "oaza_codes": [towns["本町"].oaza_code],
        "persons": 2,
        "inspectors": ["福祉 職員"],
        "identity_checked": True,
    }
    assert _post_json(api, f"/api/v1/inspection/requests/{number}/visits", visit).status_code == 201
    published = review.get(f"/api/v1/inspection/publication?year={today().year}").json()
    assert published["state_rows"][0]["requester"] == "上尾市 福祉部" and published["private_rows"] == []
    assert [r["request_no"] for r in api.get("/api/v1/inspection/requests?state=approved").json()] == [number]
    # a linked system's key may read, never decide
    _, key = add_linked_system("TOUKEI", "統計システム", ["issue_certificate"])
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert Client().get(f"/api/v1/inspection/requests/{number}", **bearer).status_code == 200
    assert _post_json(Client(), "/api/v1/inspection/requests", body, **bearer).status_code == 403
    assert api.get("/api/v1/inspection/requests/nothing").status_code == 400
