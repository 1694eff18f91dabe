"""Issue 15 (1): schemathesis over the whole API (/api/v1/openapi.json) — 0 server errors,
0 schema violations.

The app runs as in production (DEBUG off: an unhandled error is a 500 answer, not a raised
exception; HTTPS behind a proxy: ``X-Forwarded-Proto``), keyed by a linked system holding
every capability, and anonymous.  Each operation gets a few generated requests, schema-valid
and not (wrong types, lengths, unstorable characters): every answer must be declared in the
OpenAPI document with its status, content type and body shape.  Runs on SQLite and, in the
runner's second pass, on PostgreSQL (``-m db``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.python import wsgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from jumin.accounts.models import CAPABILITIES
from jumin.accounts.services import add_linked_system
from jumin.api import api
from tests.registry.conftest import fill_spare_codes, move_in_data, person

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = WSGIHandler()

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 6  # per operation and caller (36 operations x 2 callers): about two minutes in all
BEHIND_TLS = {"X-Forwarded-Proto": "https"}

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]


@pytest.fixture
def production_like(settings: Any) -> Iterator[None]:
    settings.DEBUG = False
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    settings.ALLOWED_HOSTS = [wsgi.HOST, "localhost", "testserver"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The requests run in the test's transaction (as Django's test client does): the end of a
    # request must not close the connection that holds it (PostgreSQL).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def key(production_like: None, django_db_setup: Any) -> str:
    """A linked system with every capability, and a household to find."""
    from jumin.accounts.models import User
    from jumin.audit.context import acting_as
    from jumin.registry.services import approve_movement, enter_movement
    from tests.conftest import make_operator

    fill_spare_codes(20)
    counter: User = make_operator("fuzz_counter", "検査 入力", roles=("窓口入力",))
    reviewer: User = make_operator("fuzz_reviewer", "検査 決裁", roles=("審査・決裁",))
    with acting_as(channel="screen", place="", terminal=""):
        movement = enter_movement("move_in", move_in_data(person()), by=counter)
        approve_movement(movement, by=reviewer)
    _, secret = add_linked_system("FUZZ", "検査用", [code for code, _ in CAPABILITIES])
    return secret


_settings = hypothesis_settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)


@schema.parametrize()
@_settings
def test_api_keyed(case: Any, key: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {key}", **BEHIND_TLS}, checks=CHECKS)


@schema.parametrize()
@_settings
def test_api_anonymous(case: Any, production_like: None) -> None:
    case.call_and_validate(headers=dict(BEHIND_TLS), checks=CHECKS)
