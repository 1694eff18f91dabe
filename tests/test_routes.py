"""Every URL needs a logged-in operator, except the few that must work before login.

This test enumerates the URL configuration, so a new view is covered the moment it is
added.  Issue 4 extends it with per-permission checks."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# Views reachable without login, and why.
PUBLIC = {
    "accounts:login": "the login page itself",
    "accounts:enroll": "a browser must be enrolled as a terminal before anyone can log in",
    "api:openapi-json": "the API contract for linked systems; it holds no personal data",
    "api:api-root": "the API index; it holds no data",
    "api:openapi-view": "the interactive docs of the public contract (Swagger UI from local static files); no data",
    "verify": "public verification of a copy; answers no personal data",
    "api:certificates_verify": "public verification of a copy; answers no personal data",
    "healthz": "liveness probe of the load balancer and systemd; answers only {status: ok}",
    "readyz": "readiness probe; answers only the names of its checks and ok or why not",
}


def _walk(patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    routes = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            routes += _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        else:
            routes.append((namespace + (entry.name or "?"), prefix + str(entry.pattern)))
    return routes


def _example_path(pattern: str) -> str:
    path = re.sub(r"<(?:\w+:)?\w+>", "1", pattern).lstrip("^").rstrip("$")
    return "/" + path


ROUTES = _walk(get_resolver().url_patterns)


def test_routes_are_enumerated() -> None:
    names = {name for name, _ in ROUTES}
    assert {"web:home", "accounts:login", "accounts:logout", "accounts:enroll"} <= names
    assert set(PUBLIC) <= names


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "pattern"), [r for r in ROUTES if r[0] not in PUBLIC])
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_private_route_requires_login(client: Client, name: str, pattern: str, method: str) -> None:
    response = getattr(client, method)(_example_path(pattern))
    if name.startswith("api:"):
        # The API answers in JSON: 401 without credentials (405 for a method it does not have).
        assert response.status_code in {401, 405}, f"{name} answered {response.status_code} without credentials"
        return
    assert response.status_code == 302, f"{name} answered {response.status_code} without login"
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "pattern"), [r for r in ROUTES if r[0] in PUBLIC])
def test_public_routes_answer_without_login(client: Client, name: str, pattern: str) -> None:
    response = client.get(_example_path(pattern))
    assert response.status_code not in {401, 403}, f"{name} answered {response.status_code} without login"
    assert not response.get("Location", "").startswith("/accounts/login/"), f"{name} sent an anonymous user to login"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "pattern"),
    [r for r in ROUTES if not r[0].startswith(("api:", "accounts:", "otp_webauthn:")) and r[0] not in PUBLIC],
)
def test_password_alone_reaches_no_screen(enrolled_client: Client, operator: object, name: str, pattern: str) -> None:
    from tests.conftest import PASSWORD

    enrolled_client.post("/accounts/login/", {"username": "madoguchi", "password": PASSWORD})
    response = enrolled_client.get(_example_path(pattern))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/verify/")


# Routes every logged-in, verified operator may use, whatever their roles, and why.
NO_CAPABILITY_NEEDED = {
    "web:home": "the home page shows only the operator's own session",
    "accounts:login": "public",
    "accounts:enroll": "public",
    "accounts:logout": "own session",
    "accounts:verify": "own second factor",
    "accounts:second_factor_setup": "own second factor",
    "accounts:lock": "own screen lock",
    "accounts:unlock": "own screen lock",
    "api:session": "who am I",
    "api:openapi-json": "public contract",
    "api:api-root": "no data",
    "api:openapi-view": "the docs page of the public contract, no data",
    "api:by_postcode": "address dictionary, no personal data",
    "api:postcode_choices": "address master (町字・丁目・住所コード), no personal data",
    "api:by_kana": "address dictionary",
    "api:towns": "address dictionary",
    "api:buildings": "方書 master, no personal data",
    "api:compose": "our 町字 master, no personal data",
    "verify": "public verification of a copy; answers no personal data",
    "api:certificates_verify": "public verification of a copy; answers no personal data",
    "healthz": "public probe, no data",
    "readyz": "public probe, no data",
}


@pytest.mark.django_db
@pytest.mark.spec("10.3", partial=True)
@pytest.mark.parametrize(("name", "pattern"), [r for r in ROUTES if not r[0].startswith("otp_webauthn:")])
def test_every_route_refuses_an_operator_without_the_capability(
    enrolled_client: Client, name: str, pattern: str
) -> None:
    from tests.conftest import log_in, make_operator

    log_in(enrolled_client, make_operator("norole", "権限 なし"))
    path = _example_path(pattern)
    responses = [
        enrolled_client.get(path),
        enrolled_client.post(path, "{}", content_type="application/json")
        if name.startswith("api:")
        else enrolled_client.post(path),
    ]
    statuses = [r.status_code for r in responses]
    if name in NO_CAPABILITY_NEEDED:
        assert 403 not in statuses, f"{name}: {statuses}"
    else:
        assert 403 in statuses and set(statuses) <= {403, 405}, (
            f"{name} answered {statuses} to an operator without roles"
        )
