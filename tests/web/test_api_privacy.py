"""The API's privacy rules (issue 15, items 2 and 4): no-store on every answer, a locked
screen session gets 401 (not a redirect), a 個人番号 in free text is refused by name."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client

from jumin.accounts.middleware import LAST_SEEN_KEY, LOCKED_KEY
from jumin.accounts.services import add_linked_system

pytestmark = pytest.mark.django_db

NUMBER = "123456789018"  # a valid 個人番号


def _post(client: Client, path: str, body: dict[str, object], **headers: str) -> object:
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def test_every_api_answer_is_no_store(logged_in_client: Client) -> None:
    client = Client()  # anonymous
    anonymous = [
        client.get("/api/v1/certificates/verify?n=x"),  # public
        client.get("/api/v1/session"),  # 401
        client.get("/api/v1/openapi.json"),
        client.get("/api/v1/no-such-route"),  # 404
    ]
    _, key = add_linked_system("KONBINI", "コンビニ交付システム", ["view_resident"])
    system = client.get("/api/v1/session", headers={"Authorization": f"Bearer {key}"})
    operator = logged_in_client.get("/api/v1/session")
    assert [r.status_code for r in anonymous] == [200, 401, 200, 404]
    assert system.status_code == 200 and operator.status_code == 200
    for response in [*anonymous, system, operator]:
        assert response.headers["Cache-Control"] == "no-store", response.request["PATH_INFO"]
        assert "Content-Security-Policy" in response.headers


def test_a_locked_session_gets_401_from_the_api(logged_in_client: Client) -> None:
    assert logged_in_client.post("/accounts/lock/").status_code == 302
    response = logged_in_client.get("/api/v1/session")
    assert response.status_code == 401
    assert response.json()["code"] == "auth.screen_locked"
    assert response.headers["Cache-Control"] == "no-store"
    assert logged_in_client.get("/").status_code == 302  # screens still go to the unlock page


def test_an_idle_session_gets_401_from_the_api(logged_in_client: Client) -> None:
    session = logged_in_client.session
    session[LAST_SEEN_KEY] = time.time() - 24 * 3600
    session.save()
    response = logged_in_client.get("/api/v1/session")
    assert (response.status_code, response.json()["code"]) == (401, "auth.screen_locked")
    assert logged_in_client.session[LOCKED_KEY] is True


def test_a_number_in_free_text_is_refused_by_field_name(logged_in_client: Client) -> None:
    body = {
        "kind": "move_in",
        "data": {"remark": f"番号 {NUMBER} を確認", "persons": [{"surname": "上尾", "individual_number": NUMBER}]},
    }
    response = _post(logged_in_client, "/api/v1/movements", body)
    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == "text.contains_individual_number"
    assert answer["fields"] == ["data.remark"]  # the number's own field is not free text
    assert NUMBER not in response.content.decode()
    assert "個人番号" in answer["message"]


def test_a_nested_schema_names_its_own_field(logged_in_client: Client) -> None:
    body = {"kind": "dv", "offenders": [{"name": "加害 者", "notes": f"携帯 {NUMBER[:4]}-{NUMBER[4:8]}-{NUMBER[8:]}"}]}
    response = _post(logged_in_client, "/api/v1/protection/measures", body)
    assert (response.status_code, response.json()["code"]) == (400, "text.contains_individual_number")
    assert response.json()["fields"] == ["notes"]
    assert NUMBER[8:] not in response.content.decode()
