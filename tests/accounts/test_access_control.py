"""Roles, lockout, revocation and validity periods (assessment Ⅲ, spec 10.3/10.4)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from django.test import Client, override_settings
from django.utils import timezone

from jumin.accounts.models import CAPABILITIES, RevocationEntry, User
from jumin.accounts.roles import ROLES
from jumin.accounts.services import revoke, unlock
from jumin.audit.models import AuthLog, SettingsLog
from jumin.core.errors import DomainError
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client: Client, password: str = PASSWORD, username: str = "madoguchi") -> str:
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return response.content.decode() if response.status_code == 200 else ""


@pytest.mark.spec("10.3", partial=True)
def test_roles_exist_with_their_capabilities() -> None:
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)
    codenames = set(Permission.objects.filter(content_type__model="capability").values_list("codename", flat=True))
    assert codenames == {codename for codename, _ in CAPABILITIES}
    admin = Group.objects.get(name="システム管理者")
    assert not admin.permissions.filter(codename="view_resident").exists()  # separation of duties


@pytest.mark.spec("10.4", partial=True)
def test_field_visibility_follows_the_operator(operator: User) -> None:
    assert not operator.sees("individual_number")
    operator.groups.add(Group.objects.get(name="窓口入力"))
    operator = User.objects.get(pk=operator.pk)
    assert operator.sees("honseki") and operator.sees("residence_status")
    assert not operator.sees("individual_number") and not operator.sees("resident_code")
    operator.groups.add(Group.objects.get(name="個人番号利用事務"))
    operator = User.objects.get(pk=operator.pk)
    assert operator.sees("individual_number")


def test_superuser_accounts_cannot_exist(operator: User) -> None:
    operator.is_superuser = True
    with pytest.raises(IntegrityError), transaction.atomic():
        operator.save()


@pytest.mark.spec("10.3", partial=True)
@override_settings(JUMIN_LOCKOUT_THRESHOLD=3)
def test_account_locks_after_consecutive_failures_until_an_administrator_unlocks(
    enrolled_client: Client, operator: User
) -> None:
    admin = User.objects.create_user(username="kanri", password=PASSWORD, display_name="管理 者")
    for _ in range(2):
        assert "利用者IDまたはパスワードが正しくありません。" in _login(enrolled_client, "wrong")
    assert "利用者IDまたはパスワードが正しくありません。" in _login(enrolled_client, "wrong")
    operator.refresh_from_db()
    assert operator.locked_at is not None and operator.failed_logins == 3
    # Even the right password is refused now, with the reason.
    assert "ロックされています" in _login(enrolled_client)
    events = list(AuthLog.objects.filter(username="madoguchi").values_list("event", flat=True))
    assert events.count("login_failed") == 3 and "locked" in events
    unlock(operator, by=admin)
    assert _login(enrolled_client) == ""
    operator.refresh_from_db()
    assert operator.failed_logins == 0
    assert AuthLog.objects.filter(event="unlocked", username="madoguchi").exists()


def test_a_successful_login_resets_the_failure_count(enrolled_client: Client, operator: User) -> None:
    _login(enrolled_client, "wrong")
    _login(enrolled_client)
    operator.refresh_from_db()
    assert operator.failed_logins == 0


def test_unknown_usernames_are_logged_but_lock_nothing(enrolled_client: Client) -> None:
    _login(enrolled_client, "x", username="nobody")
    assert AuthLog.objects.filter(event="login_failed", username="nobody").exists()


@pytest.mark.spec("10.3", partial=True)
def test_revocation_ends_open_sessions_at_once_and_is_in_the_ledger(logged_in_client: Client, operator: User) -> None:
    admin = User.objects.create_user(username="kanri", password=PASSWORD, display_name="管理 者")
    assert logged_in_client.get("/").status_code == 200
    entry = revoke(operator, by=admin, reason=RevocationEntry.Reason.RETIRED, note="令和8年11月末退職")
    response = logged_in_client.get("/")
    assert response.status_code == 302  # the open session is gone
    assert "失効しています" in _login(logged_in_client)
    assert RevocationEntry.objects.get() == entry
    assert entry.revoked_by == admin and "退職" in str(entry)
    assert AuthLog.objects.filter(event="revoked", username="madoguchi").exists()
    assert SettingsLog.objects.filter(target="user", key="madoguchi").exists()
    with pytest.raises(DomainError):
        revoke(admin, by=admin, reason=RevocationEntry.Reason.OTHER)


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "message"),
    [
        (timedelta(days=1), None, "まだ始まっていません"),
        (None, timedelta(days=-1), "終了しています"),
    ],
)
def test_validity_period(
    enrolled_client: Client, operator: User, valid_from: timedelta | None, valid_until: timedelta | None, message: str
) -> None:
    now = timezone.now()
    operator.valid_from = now + valid_from if valid_from else None
    operator.valid_until = now + valid_until if valid_until else None
    operator.save()
    assert message in _login(enrolled_client)


def test_expiry_ends_an_open_session(logged_in_client: Client, operator: User) -> None:
    User.objects.filter(pk=operator.pk).update(valid_until=timezone.now() - timedelta(seconds=1))
    assert logged_in_client.get("/").status_code == 302


def test_inactive_accounts_have_no_permissions(operator: User) -> None:
    operator.groups.add(Group.objects.get(name="窓口入力"))
    operator.is_active = False
    operator.save()
    operator = User.objects.get(pk=operator.pk)
    assert not operator.has_perm("accounts.view_resident")
    assert not operator.has_module_perms("accounts")
    assert "使用できません" in (operator.login_refusal() or "")
