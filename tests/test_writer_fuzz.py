"""Issue 15 (1): every writer of the API under hostile input (hypothesis) — no 500, and no
stored value a later step cannot handle: a 仮登録 that was accepted is approved (本登録)
without a server error, and what was stored reads back through the API.

Hostile values: NUL, lone surrogates, control characters, 10,000 characters, one character
past a column, wrong JSON types (list for text, number for list, nested objects), integers
past the database's range — put at any item of a valid request body."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from jumin.accounts.models import Terminal, User
from jumin.registry.models import Movement
from tests.conftest import device_cookie, log_in, make_operator
from tests.registry.conftest import fill_spare_codes, move_in_data, person

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

HOSTILE: list[Any] = [
    "\x00",
    "上尾\x00",
    "\ud800",
    "a\udfffb",
    "\x1b[31m",
    "\x7f",
    "長" * 10_000,
    "長" * 101,
    "x" * 201,
    "",
    " ",
    "　",
    0,
    -1,
    2**31,
    2**64,
    1.5,
    True,
    None,
    [],
    ["x"],
    [1],
    {},
    {"a": "b"},
    [{"a": ["b"]}],
]
hostile = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30), st.integers())
FUZZ = hypothesis_settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON body a value can be put (the containers themselves too)."""
    found: list[tuple[Any, ...]] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _put(body: Any, path: tuple[Any, ...], value: Any) -> Any:
    import copy

    body = copy.deepcopy(body)
    target = body
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return body


def _client(user: User, terminal: Terminal) -> Client:
    client = Client()
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    return log_in(client, user)


@pytest.fixture
def operators(db: None, terminal: Terminal, other_terminal: Terminal) -> tuple[Client, Client]:
    fill_spare_codes(400)
    counter = make_operator("fuzz_counter", "検査 入力", roles=("窓口入力", "証明書交付", "支援措置責任者"))
    reviewer = make_operator("fuzz_reviewer", "検査 決裁", roles=("審査・決裁",))
    return _client(counter, terminal), _client(reviewer, other_terminal)


def _post(client: Client, path: str, body: Any) -> Any:
    # json.dumps escapes a lone surrogate ("\\ud800") as a client would send it
    response = client.post(path, json.dumps(body), content_type="application/json")
    assert response.status_code < 500, (path, response.content[:500])
    return response


MOVE_IN = {"kind": "move_in", "data": move_in_data(person(), person(given_name="一郎", relationship="子"))}


@FUZZ
@given(data=st.data())
def test_movement_entry_and_approval_under_hostile_input(operators: tuple[Client, Client], data: Any) -> None:
    entry, review = operators
    places = _paths(MOVE_IN)
    path = data.draw(st.sampled_from(places), label="where")
    body = _put(MOVE_IN, path, data.draw(hostile, label="what"))
    response = _post(entry, "/api/v1/movements", body)
    if response.status_code == 201:
        number = response.json()["movement_no"]
        approved = _post(review, f"/api/v1/movements/{number}/approve", {})
        assert approved.status_code in (200, 400), approved.content.decode()
        if approved.status_code == 200:
            movement = Movement.objects.get(movement_no=number)
            for item in movement.items.all():
                assert _post(review, "/api/v1/search", {}).status_code in (400, 422)
                shown = review.get(f"/api/v1/residents/{item.atena_no}")
                assert shown.status_code == 200, shown.content.decode()
                assert review.get(f"/api/v1/residents/{item.atena_no}/history").status_code == 200


# The other writers: each with a body the schema accepts; hostile values go anywhere in it.
WRITERS: list[tuple[str, dict[str, Any]]] = [
    ("/api/v1/households/H1/member-order", {"atena_nos": ["1", "2"]}),
    ("/api/v1/movements/M1/cancellation", {"acknowledged": ["x"]}),
    ("/api/v1/movements/M1/discard", {}),
    ("/api/v1/search", {"criteria": {"name": "上尾 太郎", "birth": "S55.4.1"}, "mode": "prefix"}),
    ("/api/v1/jukinet/identity-search", {"criteria": {"name": "上尾 太郎", "birth": "S55.4.1"}}),
    (
        "/api/v1/certificates",
        {
            "kind": "copy",
            "atena_no": "1",
            "requester_name": "上尾 太郎",
            "purpose": "手続",
            "members": ["1"],
            "items": ["honseki"],
            "copies": 1,
        },
    ),
    ("/api/v1/certificates/history", {"atena_no": "1", "issue_no": "1"}),
    ("/api/v1/certificates/reissue", {"issue_no": "1", "reason": "汚損"}),
    ("/api/v1/certificates/dispose", {"issue_no": "1", "reason": "誤交付"}),
    ("/api/v1/protection/blocks", {"atena_no": "1", "reason": "理由", "scope": "all"}),
    ("/api/v1/protection/measures", {"atena_no": "1", "kind": "dv", "remark": "備考"}),
    ("/api/v1/protection/issuance-check", {"atena_no": "1", "requester_name": "上尾"}),
    ("/api/v1/cards/events", {"atena_no": "1", "event": "issued", "card_no": "1"}),
    (
        "/api/v1/inspection/requests",
        {
            "basis": "art11_2",
            "requester_kind": "individual",
            "requester_name": "上尾 太郎",
            "requester_address": "上尾市",
            "purpose_category": "survey",
            "purpose": "調査",
            "purpose_summary": "調査",
            "oaza_codes": ["001"],
            "requested_on": "2026-12-01",
            "period_start": "2026-12-01",
            "period_end": "2026-12-10",
            "inspectors": [{"name": "上尾 太郎", "id_document": "passport"}],
            "pledged": True,
        },
    ),
    ("/api/v1/inspection/requests/E1/decision", {"approve": True, "reason": "可"}),
    (
        "/api/v1/inspection/requests/E1/visits",
        {"inspected_on": "2026-12-01", "oaza_codes": ["001"], "persons": 1, "inspectors": ["上尾 太郎"]},
    ),
]


@FUZZ
@given(data=st.data())
def test_every_writer_refuses_hostile_input_without_a_server_error(operators: tuple[Client, Client], data: Any) -> None:
    entry, _ = operators
    path, body = data.draw(st.sampled_from(WRITERS), label="writer")
    places = _paths(body)
    if places and data.draw(st.booleans(), label="inside"):
        body = _put(body, data.draw(st.sampled_from(places), label="where"), data.draw(hostile, label="what"))
    else:
        body = data.draw(st.sampled_from([*HOSTILE, {"x": "\ud800"}]), label="body")
    _post(entry, path, body)
