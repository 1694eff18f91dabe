"""Linked systems: own credentials, own capabilities, own log rows; rotation and revocation."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, RequestFactory

from jumin.accounts.models import LinkedSystem
from jumin.accounts.services import (
    add_linked_system,
    linked_system_for_key,
    revoke_linked_system,
    rotate_linked_system_key,
    set_linked_system_capabilities,
)
from jumin.api import PermissionDeniedError, require
from jumin.audit.models import AuthLog, SettingsLog
from jumin.core.errors import DomainError

pytestmark = pytest.mark.django_db


def _call(key: str, path: str = "/api/v1/session") -> tuple[int, dict[str, object]]:
    response = Client().get(path, headers={"Authorization": f"Bearer {key}"})
    return response.status_code, response.json()


def test_a_system_authenticates_with_its_key_and_sees_its_own_capabilities() -> None:
    _, key = add_linked_system("KONBINI", "コンビニ交付システム", ["view_resident", "issue_certificate"])
    status, body = _call(key)
    assert status == 200
    assert body["kind"] == "system" and body["client"] == "KONBINI"
    assert body["capabilities"] == ["accounts.issue_certificate", "accounts.view_resident"]
    assert key.startswith("jumin_")
    assert key.split("_", 2)[2] not in str(list(LinkedSystem.objects.values()))  # only a hash is stored


def test_unknown_keys_are_refused_and_logged() -> None:
    status, body = _call("jumin_00000000_nope")
    assert status == 401 and body["code"] == "auth.required"
    assert "認証が必要です" in str(body["message"])
    assert AuthLog.objects.filter(event="api_key_rejected", detail="/api/v1/session").exists()
    assert _call("not-even-a-jumin-key")[0] == 401


def test_no_credentials_at_all() -> None:
    response = Client().get("/api/v1/session")
    assert response.status_code == 401
    assert response.json()["code"] == "auth.required"


def test_rotation_keeps_the_old_key_for_the_grace_period_only() -> None:
    system, old = add_linked_system("SHINSEI", "申請管理システム", ["view_resident"])
    new = rotate_linked_system_key(system, grace=timedelta(hours=1))
    assert _call(new)[0] == 200 and _call(old)[0] == 200
    LinkedSystem.objects.filter(pk=system.pk).update(previous_valid_until=system.created_at)
    assert _call(old)[0] == 401 and _call(new)[0] == 200


def test_revocation_is_immediate() -> None:
    system, key = add_linked_system("ATENA", "宛名システム", [])
    revoke_linked_system(system)
    assert _call(key)[0] == 401
    assert linked_system_for_key(key) is None


def test_capabilities_decide_what_a_system_may_do() -> None:
    system, _ = add_linked_system("KONBINI", "コンビニ交付システム", ["issue_certificate"])
    request = RequestFactory().get("/api/v1/x")
    request.linked_system = system  # type: ignore[attr-defined]
    require(request, "accounts.issue_certificate")
    with pytest.raises(PermissionDeniedError):
        require(request, "accounts.see_individual_number")
    assert not system.sees("individual_number")
    set_linked_system_capabilities(system, ["issue_certificate", "see_individual_number"])
    assert LinkedSystem.objects.get(pk=system.pk).sees("individual_number")
    with pytest.raises(DomainError):
        set_linked_system_capabilities(system, ["no_such_capability"])


def test_every_change_is_in_the_settings_log() -> None:
    system, _ = add_linked_system("X", "X", [])
    rotate_linked_system_key(system)
    revoke_linked_system(system)
    assert SettingsLog.objects.filter(target="linked_system", key="X").count() == 3


def test_operator_session_reaches_the_api_after_the_second_factor(logged_in_client: Client) -> None:
    body = logged_in_client.get("/api/v1/session").json()
    assert body["kind"] == "operator" and body["terminal"] == "SHIMIN-1"


def test_password_only_session_does_not_reach_the_api(enrolled_client: Client, operator: object) -> None:
    from tests.conftest import PASSWORD

    enrolled_client.post("/accounts/login/", {"username": "madoguchi", "password": PASSWORD})
    assert enrolled_client.get("/api/v1/session").status_code == 401


def test_command(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("linked_system", "add", "KONBINI", "コンビニ交付システム", "--capability", "issue_certificate")
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert _call(key)[0] == 200
    call_command("linked_system", "list")
    assert "証明書の交付" in capsys.readouterr().out
    call_command("linked_system", "capabilities", "KONBINI", "--capability", "view_resident")
    call_command("linked_system", "rotate", "KONBINI", "--grace-hours", "0")
    new_key = capsys.readouterr().out.strip().splitlines()[-1]
    assert _call(new_key)[0] == 200 and _call(key)[0] == 401
    call_command("linked_system", "revoke", "KONBINI")
    assert _call(new_key)[0] == 401
    with pytest.raises(CommandError):
        call_command("linked_system", "revoke", "NOPE")
    with pytest.raises(CommandError):
        call_command("linked_system", "add", "Y", "Y", "--capability", "bogus")


def test_openapi_document_is_published() -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/session" in response.json()["paths"]
