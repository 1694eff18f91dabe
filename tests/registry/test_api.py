"""The register through the API: the life of a household, masking, access log per caller."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jumin.accounts.models import Terminal, User
from jumin.accounts.services import add_linked_system
from jumin.audit.models import AccessLog
from jumin.registry.models import Movement, Resident
from tests.conftest import device_cookie, log_in
from tests.registry.conftest import move_in_data, person

pytestmark = pytest.mark.django_db


def _client(user: User, terminal: Terminal, steps_ahead: int = 0) -> Client:
    client = Client()
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    return log_in(client, user, steps_ahead)


def _post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, body or {}, content_type="application/json")


@pytest.mark.spec("4.0.8", "4.6.0.1", partial=True)
def test_life_of_a_household_through_the_api(
    counter: User, reviewer: User, terminal: Terminal, other_terminal: Terminal
) -> None:
    # Two operators at two terminals (one browser per enrolled terminal).
    entry, review = _client(counter, terminal), _client(reviewer, other_terminal)

    def movement(kind: str, data: dict[str, Any], acknowledged: tuple[str, ...] = ()) -> str:
        response = _post(entry, "/api/v1/movements", {"kind": kind, "data": data, "acknowledged": list(acknowledged)})
        assert response.status_code == 201, response.content.decode()
        number = response.json()["movement_no"]
        assert _post(entry, f"/api/v1/movements/{number}/approve").json()["code"] == "auth.forbidden"
        approved = _post(review, f"/api/v1/movements/{number}/approve")
        assert approved.status_code == 200 and approved.json()["state"] == "final", approved.content.decode()
        return str(number)

    data = move_in_data(person(), person(given_name="一郎", relationship="子", birth="H20.5.5"))
    movement("move_in", data)
    head, son = Resident.objects.order_by("atena_no")
    relocation = movement(
        "relocation",
        {
            "atena_nos": [head.atena_no, son.atena_no],
            "effective": "R8.11.25",
            "destination": {"address": {"address": "埼玉県上尾市原市1番地"}},
        },
    )
    movement(
        "household_split",
        {"atena_nos": [son.atena_no], "effective": "R8.11.26", "relationships": {son.atena_no: "世帯主"}},
    )
    cancel = _post(entry, f"/api/v1/movements/{relocation}/cancellation")
    assert cancel.status_code == 400 and cancel.json()["issues"][0]["code"] == "cancel.later_movement"
    movement("cancellation", {"movement_no": relocation, "atena_nos": [head.atena_no]})
    assert (
        review.get(f"/api/v1/residents/{head.atena_no}").json()["values"]["address"] == "埼玉県上尾市本町三丁目1番1号"
    )
    movement(
        "move_out",
        {
            "atena_nos": [head.atena_no],
            "effective": "R8.12.10",
            "destination": {"address": "東京都港区芝公園4丁目2番8号"},
        },
    )
    history = review.get(f"/api/v1/residents/{head.atena_no}/history").json()
    assert [h["reason"] for h in history] == ["国内転出", "異動の取消し（修正）", "転居", "国内転入"]
    household = review.get(f"/api/v1/households/{son.household_no}").json()
    assert household["is_active"] is False  # the original household has no current member


def test_errors_and_alerts_come_back_with_codes(counter: User, terminal: Terminal) -> None:
    client = _client(counter, terminal)
    bad = _post(client, "/api/v1/movements", {"kind": "move_in", "data": move_in_data(person(sex=""))})
    assert bad.status_code == 400 and {"code": "person.sex"}.items() <= bad.json()["issues"][0].items()
    alert = _post(client, "/api/v1/movements", {"kind": "move_in", "data": move_in_data(person(relationship="同居人"))})
    assert alert.status_code == 409 and alert.json()["issues"][0]["code"] == "household.no_head"
    unknown = _post(client, "/api/v1/movements", {"kind": "teleport", "data": {}})
    assert unknown.status_code == 400 and unknown.json()["code"] == "movement.unknown_kind"
    assert _post(client, "/api/v1/movements/M000000999/approve").json()["code"] == "auth.forbidden"  # not a reviewer


@pytest.mark.spec("10.4", partial=True)
def test_masking_and_access_log_for_linked_systems(counter: User, reviewer: User) -> None:
    from tests.registry.conftest import final

    final("move_in", move_in_data(person(individual_number="123456789018")), counter, reviewer)
    atena_no = Resident.objects.get().atena_no
    _, plain_key = add_linked_system("KONBINI", "コンビニ交付システム", ["view_resident"])
    _, number_key = add_linked_system(
        "ATENA", "宛名システム", ["view_resident", "see_individual_number", "see_honseki"]
    )
    _, no_key = add_linked_system("OTHER", "その他", [])
    masked = Client().get(f"/api/v1/residents/{atena_no}", headers={"Authorization": f"Bearer {plain_key}"}).json()
    assert masked["values"]["individual_number"] == "************"
    assert masked["values"]["honseki"] == "************"
    assert {"individual_number", "honseki", "resident_code"} <= set(masked["masked"])
    shown = Client().get(f"/api/v1/residents/{atena_no}", headers={"Authorization": f"Bearer {number_key}"}).json()
    assert shown["values"]["individual_number"] == "123456789018"
    refused = Client().get(f"/api/v1/residents/{atena_no}", headers={"Authorization": f"Bearer {no_key}"})
    assert refused.status_code == 403
    rows = list(AccessLog.objects.filter(purpose="api.resident").values_list("client", "individual_number_shown"))
    assert rows == [("KONBINI", False), ("ATENA", True)]
    write = Client().post(
        "/api/v1/movements",
        {"kind": "death", "data": {}},
        content_type="application/json",
        headers={"Authorization": f"Bearer {number_key}"},
    )
    assert write.status_code == 403


def test_return_through_the_api_is_the_screens_return(
    counter: User, reviewer: User, terminal: Terminal, other_terminal: Terminal
) -> None:
    entry, review = _client(counter, terminal), _client(reviewer, other_terminal)
    entered = _post(entry, "/api/v1/movements", {"kind": "move_in", "data": move_in_data(person())})
    number = entered.json()["movement_no"]
    path = f"/api/v1/movements/{number}/return"
    forbidden = _post(entry, path, {"comment": "本籍を確認してください"})
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "auth.forbidden"
    empty = _post(review, path, {"comment": "  "})
    assert empty.status_code == 400 and empty.json()["code"] == "movement.return_comment"
    too_long = _post(review, path, {"comment": "長" * 1001})
    assert too_long.status_code in (400, 422) and "movement" not in too_long.json().get("code", "")
    number_in_text = _post(review, path, {"comment": "個人番号 123456789018 を確認"})
    assert number_in_text.status_code == 400 and number_in_text.json()["code"] == "text.contains_individual_number"
    missing = _post(review, "/api/v1/movements/M000000999/return", {"comment": "確認"})
    assert missing.status_code == 400 and missing.json()["code"] == "movement.not_found"
    returned = _post(review, path, {"comment": "本籍を確認してください"})
    assert returned.status_code == 200 and returned.json()["state"] == "returned", returned.content.decode()
    movement = Movement.objects.get(movement_no=number)
    assert movement.return_comment == "本籍を確認してください"
    # The clerk sees it among her returned movements, as after the screen's 差戻し.
    assert number in entry.get("/registry/returned/").content.decode()
    again = _post(review, path, {"comment": "もう一度"})
    assert again.status_code == 400 and again.json()["code"] == "movement.not_provisional"
