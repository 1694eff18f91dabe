"""Issue 15 (1): no 5xx on any input — each input the issue found a 500 with, refused at the
boundary with a 4xx and a stable code."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jumin.accounts.models import Terminal, User
from jumin.accounts.services import add_linked_system
from jumin.core.errors import DomainError
from jumin.registry.models import Movement, Resident
from jumin.search.criteria import MAX_CRITERION, clean
from tests.conftest import device_cookie, log_in
from tests.registry.conftest import counter, fill_spare_codes, move_in_data, person, reviewer  # noqa: F401

pytestmark = pytest.mark.django_db


def _session(user: User, terminal: Terminal) -> Client:
    client = Client()
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    return log_in(client, user)


def _post(client: Client, path: str, body: Any, **headers: str) -> Any:
    return client.post(path, body, content_type="application/json", headers=headers)


def _key(*capabilities: str) -> dict[str, str]:
    _, key = add_linked_system("FUZZ", "検査用", list(capabilities))
    return {"Authorization": f"Bearer {key}"}


def test_nul_on_the_anonymous_verify_is_refused() -> None:
    response = Client().get("/api/v1/certificates/verify?n=%00")
    assert response.status_code == 422 and response.json()["code"] == "request.invalid"
    assert Client().get("/api/v1/certificates/verify?n=%E3%81%82%00x").status_code == 422


def test_unparseable_body_is_400_and_shapes_are_422() -> None:
    auth = _key("view_resident")
    client = Client()
    broken = client.post("/api/v1/search", "{not json", content_type="application/json", headers=auth)
    assert broken.status_code == 400 and broken.json()["code"] == "request.malformed"
    shaped = _post(client, "/api/v1/search", {"criteria": "x"}, **auth)
    assert shaped.status_code == 422, shaped.content.decode()
    body = shaped.json()
    assert body["code"] == "request.invalid" and body["detail"] and "x" not in str(body["detail"])


@pytest.mark.parametrize(
    "criteria",
    [
        {"name": "\ud800", "birth": "S55.4.1"},
        {"name": "上尾\x00", "birth": "S55.4.1"},
        {"name": "上尾", "birth": "S55.4.1", "\udfff": "x"},
    ],
)
def test_unstorable_characters_in_search_are_refused(criteria: dict[str, Any]) -> None:
    auth = _key("view_resident")
    response = _post(Client(), "/api/v1/search", {"criteria": criteria}, **auth)
    assert response.status_code == 422 and response.json()["code"] == "request.invalid"
    identity = _post(Client(), "/api/v1/jukinet/identity-search", {"criteria": criteria}, **auth)
    assert identity.status_code == 422


def test_search_shapes_and_lengths() -> None:
    auth = _key("view_resident")
    empty = _post(Client(), "/api/v1/search", {"criteria": {"name": "上尾", "empty": 1}}, **auth)
    assert empty.status_code == 400 and empty.json()["code"] == "search.malformed"
    long = _post(Client(), "/api/v1/search", {"criteria": {"name": "あ" * 100_000, "birth": "S55.4.1"}}, **auth)
    assert long.status_code == 400 and long.json()["code"] == "search.too_long"
    identity = _post(
        Client(), "/api/v1/jukinet/identity-search", {"criteria": {"name": "あ" * 100_000, "birth": "S55.4.1"}}, **auth
    )
    assert identity.status_code == 400 and identity.json()["code"] == "search.too_long"
    with pytest.raises(DomainError, match="200"):
        clean({"name": "x" * (MAX_CRITERION + 1)})
    assert clean({"name": "x" * MAX_CRITERION, "empty": ["nope", 3]}) == {"name": "x" * MAX_CRITERION}
    with pytest.raises(DomainError):
        clean({"name": {"a": 1}})


def test_search_screen_refuses_nul_with_400(counter: User, terminal: Terminal) -> None:  # noqa: F811
    client = _session(counter, terminal)
    assert client.get("/search/?name=%00").status_code == 400
    assert client.post("/search/", {"name": "a\x00"}).status_code == 400


@pytest.mark.parametrize(
    "persons",
    [["x"], 1, [1], [{"surname": ["list"], "given_name": "太郎"}], "persons", [None], {"a": 1}],
)
def test_wrong_movement_shapes_are_refused(persons: Any, counter: User, terminal: Terminal) -> None:  # noqa: F811
    client = _session(counter, terminal)
    response = _post(client, "/api/v1/movements", {"kind": "move_in", "data": move_in_data(persons=persons)})
    assert response.status_code in (400, 422), response.content.decode()
    assert response.json()["code"] in ("movement.malformed", "movement.rejected", "movement.value_not_storable")
    assert Movement.objects.count() == 0


def test_a_provisional_entry_never_holds_what_the_final_cannot_store(
    counter: User,  # noqa: F811
    reviewer: User,  # noqa: F811
    terminal: Terminal,
    other_terminal: Terminal,
) -> None:
    fill_spare_codes()
    entry, review = _session(counter, terminal), _session(reviewer, other_terminal)
    too_long = move_in_data(person(surname="長" * 10_000))
    refused = _post(entry, "/api/v1/movements", {"kind": "move_in", "data": too_long})
    assert refused.status_code == 400, refused.content.decode()
    assert {i["code"] for i in refused.json()["issues"]} == {"movement.value_not_storable"}
    surrogate = _post(entry, "/api/v1/movements", {"kind": "move_in", "data": move_in_data(person(surname="\ud800"))})
    assert surrogate.status_code == 422
    assert Movement.objects.count() == 0
    # at the limit it is stored, and the 本登録 stores it
    fits = _post(entry, "/api/v1/movements", {"kind": "move_in", "data": move_in_data(person(surname="長" * 100))})
    assert fits.status_code == 201, fits.content.decode()
    approved = _post(review, f"/api/v1/movements/{fits.json()['movement_no']}/approve", {})
    assert approved.status_code == 200, approved.content.decode()
    assert Resident.objects.get().surname == "長" * 100


def test_openapi_declares_the_refusals_of_every_operation() -> None:
    from jumin.api import SHARED_ERRORS, api

    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            declared = {int(code) for code in operation["responses"]}
            assert set(SHARED_ERRORS) <= declared, (method, path)
