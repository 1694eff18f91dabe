"""Issue 14: dates of 支援措置, 抑止 and card events outside their accepted range are refused
with 422 {code, message, detail} (API) or a form error (screen), never a 500 and never
echoing the value."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jumin.accounts.models import Terminal, User
from jumin.protection.models import SupportMeasure
from jumin.registry.models import Resident
from tests.conftest import device_cookie, log_in

pytestmark = pytest.mark.django_db


def _client(user: User, terminal: Terminal) -> Client:
    client = Client()
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    return log_in(client, user)


def _post_json(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, body, content_type="application/json")


@pytest.mark.spec("3.4", "1.1.16", partial=True)
def test_a_support_measure_ending_on_9999_12_31_is_a_422_not_a_500(
    officer: User, terminal: Terminal, family: dict[str, Resident]
) -> None:
    api = _client(officer, terminal)
    body = {
        "kind": "dv",
        "applicant_atena_no": family["mother"].atena_no,
        "start_on": "2026-04-01",
        "end_on": "9999-12-31",
        "reason": "申出書受理",
    }
    answer = _post_json(api, "/api/v1/protection/measures", body)
    assert answer.status_code == 422
    payload = answer.json()
    assert set(payload) == {"code", "message", "detail"}
    assert payload["code"] == "date.too_late"
    assert payload["message"] == "終了日は令和10年12月1日以前の日付にしてください。"
    assert "9999" not in answer.content.decode()
    assert [(d["loc"][-1], d["type"]) for d in payload["detail"]] == [("end_on", "date.too_late")]
    assert not SupportMeasure.objects.exists()


@pytest.mark.spec("3.1", partial=True)
def test_a_block_starting_before_1873_is_refused(
    officer: User, terminal: Terminal, family: dict[str, Resident]
) -> None:
    api = _client(officer, terminal)
    body = {
        "scope": "person",
        "target_no": family["mother"].atena_no,
        "process": "certificate",
        "level": "alert",
        "reason": "x",
        "start_on": "0001-01-01",
    }
    answer = _post_json(api, "/api/v1/protection/blocks", body)
    assert answer.status_code == 422 and answer.json()["code"] == "date.too_early"
    assert "0001" not in answer.content.decode()


def test_a_request_of_the_wrong_type_keeps_the_one_error_shape(
    officer: User, terminal: Terminal, family: dict[str, Resident]
) -> None:
    api = _client(officer, terminal)
    answer = _post_json(api, "/api/v1/protection/measures", {"kind": "dv", "start_on": "あした"})
    assert answer.status_code == 422
    assert answer.json()["code"] == "request.invalid" and set(answer.json()) == {"code", "message", "detail"}
    assert "あした" not in answer.content.decode()


@pytest.mark.spec("3.4", partial=True)
def test_the_screen_refuses_a_support_measure_end_date_far_ahead(
    officer: User, terminal: Terminal, family: dict[str, Resident]
) -> None:
    web = _client(officer, terminal)
    data = {
        "kind": "dv",
        "applicant_atena_no": family["mother"].atena_no,
        "start_on": "R8.4.1",
        "end_on": "9999-12-31",
        "restrict_inspection": "on",
        "reason": "警察署の意見あり",
    }
    page = web.post("/protection/measures/new/", data)
    assert page.status_code == 200
    assert "終了日は令和10年12月1日以前の日付にしてください。" in page.content.decode()
    assert not SupportMeasure.objects.exists()


def test_a_card_event_before_the_cards_existed_is_refused(
    counter: User, terminal: Terminal, family: dict[str, Resident]
) -> None:
    api = _client(counter, terminal)
    answer = _post_json(
        api,
        "/api/v1/cards/events",
        {"atena_no": family["mother"].atena_no, "event": "issue", "occurred_on": "2001-01-01"},
    )
    assert answer.status_code == 422 and answer.json()["code"] == "date.too_early"
    assert answer.json()["message"] == "事象の年月日は平成15年8月25日以降の日付にしてください。"
