"""Privacy proof over a whole scenario: no 個人番号 or 住民票コード reaches a log table or a log
line, whatever staff type where.  The registry issue extends the scenario with residents."""

from __future__ import annotations

import logging

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client, override_settings

from jumin.accounts.models import User
from tests.conftest import PASSWORD, log_in, make_operator

pytestmark = pytest.mark.django_db

INDIVIDUAL_NUMBER = "123456789018"
RESIDENT_CODE = "12345678903"
SPELLINGS = [INDIVIDUAL_NUMBER, RESIDENT_CODE, "1234 5678 9018", "1234-5678-9018", "１２３４５６７８９０１８"]


def _all_table_text() -> str:
    """Every value of every table of every jumin app (logs first of all), as text."""
    chunks = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if not model._meta.managed or model._meta.app_label in {"contenttypes", "auth"}:
                continue
            cursor.execute(f'SELECT * FROM "{model._meta.db_table}"')  # table names come from the models
            chunks.extend(str(row) for row in cursor.fetchall())
    return "\n".join(chunks)


@override_settings(JUMIN_LOCKOUT_THRESHOLD=50)
def test_numbers_typed_anywhere_never_reach_logs(
    enrolled_client: Client, operator: User, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    auditor = make_operator("kansa", "大石 三郎", roles=("監査",))
    for spelling in SPELLINGS:
        # Typed into the login form (e.g. a number pasted into the wrong field).
        enrolled_client.post("/accounts/login/", {"username": spelling, "password": spelling})
        # Sent as an API key.
        Client().get("/api/v1/session", headers={"Authorization": f"Bearer jumin_{spelling}_{spelling}"})
        Client().get(f"/no-such-page/{spelling}/")
    log_in(enrolled_client, auditor)
    for spelling in SPELLINGS:
        enrolled_client.get("/audit/operator/", {"start": "2026-01-01", "end": "2026-12-31", "operator": spelling})
        enrolled_client.get("/audit/person/", {"start": "2026-01-01", "end": "2026-12-31", "atena_no": spelling})
    enrolled_client.post("/accounts/lock/", {"reason": f"離席 {INDIVIDUAL_NUMBER}"})
    enrolled_client.post("/accounts/unlock/", {"password": PASSWORD})
    logging.getLogger("jumin.test").error("looked up %s and %s", INDIVIDUAL_NUMBER, RESIDENT_CODE)

    stored = _all_table_text()
    printed = caplog.text + "\n".join(r.getMessage() for r in caplog.records) + capsys.readouterr().err
    for spelling in SPELLINGS:
        assert spelling not in stored, f"{spelling!r} was stored in a table"
    for spelling in (INDIVIDUAL_NUMBER, RESIDENT_CODE):
        assert spelling not in caplog.text, f"{spelling!r} reached a log line"
    assert "[番号マスク]" in stored and printed  # the attempts were logged, masked
