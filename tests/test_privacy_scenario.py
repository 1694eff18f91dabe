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


def _all_table_text(app_labels: set[str] | None = None) -> str:
    """Every value of every table (of the given apps), as text."""
    chunks = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if not model._meta.managed or model._meta.app_label in {"contenttypes", "auth"}:
                continue
            if app_labels is not None and model._meta.app_label not in app_labels:
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


def test_registry_work_leaves_no_number_in_logs(enrolled_client: Client, caplog: pytest.LogCaptureFixture) -> None:
    """A resident with a 個人番号 is moved in, approved, viewed by operators who may and may
    not see the number, printed and cancelled: the logs hold neither the 個人番号 nor the
    住民票コード, and no table holds the 個人番号 in plain."""
    from jumin.registry.models import Movement, Resident
    from tests.registry.conftest import fill_spare_codes, final, move_in_data, person

    caplog.set_level(logging.DEBUG)
    fill_spare_codes()
    counter = make_operator("madoguchi2", "上尾 入力", roles=("窓口入力",))
    reviewer = make_operator("shinsa2", "平方 決裁", roles=("審査・決裁", "個人番号利用事務"))
    moved_in = final("move_in", move_in_data(person(individual_number=INDIVIDUAL_NUMBER)), counter, reviewer)
    resident = Resident.objects.get()
    log_in(enrolled_client, reviewer)
    assert INDIVIDUAL_NUMBER in enrolled_client.get(f"/registry/person/{resident.atena_no}/").content.decode()
    enrolled_client.get(f"/registry/household/{resident.household_no}/")
    enrolled_client.get(f"/api/v1/residents/{resident.atena_no}")
    enrolled_client.post(f"/registry/movements/{moved_in.movement_no}/print/")
    enrolled_client.get(f"/registry/movements/{moved_in.movement_no}/")
    cancel = final("cancellation", {"movement_no": moved_in.movement_no}, counter, reviewer)
    assert cancel.state == Movement.State.FINAL

    logs = _all_table_text({"audit"})
    for secret in (INDIVIDUAL_NUMBER, resident.resident_code):
        assert secret not in logs, "a number reached a log table"
        assert secret not in caplog.text, "a number reached a log line"
    assert INDIVIDUAL_NUMBER not in _all_table_text(), "the 個人番号 is stored in plain somewhere"
