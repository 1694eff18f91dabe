"""User administration screens: register, roles, unlock, second-factor reset, revocation."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from jumin.accounts.models import RevocationEntry, Terminal, User
from jumin.audit.models import SettingsLog
from tests.conftest import device_cookie, log_in, make_operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client, terminal: Terminal) -> Client:
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    return log_in(client, make_operator("kanri", "原市 次郎", roles=("システム管理者",)))


def test_only_administrators_reach_the_screens(logged_in_client: Client) -> None:
    assert logged_in_client.get("/accounts/users/").status_code == 403
    assert logged_in_client.post("/accounts/users/madoguchi/unlock/").status_code == 403


def test_register_an_operator_with_roles(admin_client: Client) -> None:
    role = Group.objects.get(name="窓口入力")
    response = admin_client.post(
        "/accounts/users/",
        {
            "username": "shinnin",
            "display_name": "新任 職員",
            "department": "市民課",
            "password": "long-enough-passphrase-2026",
            "roles": [role.pk],
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="shinnin")
    assert user.has_perm("accounts.enter_movement") and not TOTPDevice.objects.filter(user=user).exists()
    assert SettingsLog.objects.filter(target="user", key="shinnin").exists()
    again = admin_client.post("/accounts/users/", {"username": "shinnin", "display_name": "x", "password": "p" * 12})
    assert "既に使われています" in again.content.decode()
    weak = admin_client.post("/accounts/users/", {"username": "weak", "display_name": "x", "password": "123456789012"})
    assert weak.status_code == 400 and "パスワード" in weak.content.decode()
    bad = admin_client.post("/accounts/users/", {"username": "Bad Name", "display_name": "x", "password": "p" * 12})
    assert "半角英小文字" in bad.content.decode()


def test_roles_unlock_reset_and_revoke(admin_client: Client, operator: User) -> None:
    page = admin_client.get("/accounts/users/").content.decode()
    assert "madoguchi" in page and "有効" in page
    role = Group.objects.get(name="証明書交付")
    admin_client.post("/accounts/users/madoguchi/", {"roles": [role.pk]})
    assert User.objects.get(pk=operator.pk).has_perm("accounts.issue_certificate")

    User.objects.filter(pk=operator.pk).update(locked_at=timezone.now(), failed_logins=5)
    assert "ロック中" in admin_client.get("/accounts/users/madoguchi/").content.decode()
    admin_client.post("/accounts/users/madoguchi/unlock/")
    assert User.objects.get(pk=operator.pk).locked_at is None

    admin_client.post("/accounts/users/madoguchi/reset-second-factor/")
    assert not TOTPDevice.objects.filter(user=operator).exists()

    admin_client.post("/accounts/users/madoguchi/revoke/", {"reason": "bogus"})
    assert not RevocationEntry.objects.exists()
    admin_client.post("/accounts/users/madoguchi/revoke/", {"reason": "retired", "note": "令和8年11月末"})
    entry = RevocationEntry.objects.get()
    assert entry.revoked_by.username == "kanri"
    page = admin_client.get("/accounts/users/madoguchi/").content.decode()
    assert "失効管理簿" in page and "令和8年11月末" in page
    assert admin_client.get("/accounts/users/nobody/").status_code == 404


def test_an_administrator_cannot_revoke_themselves(admin_client: Client) -> None:
    response = admin_client.post("/accounts/users/kanri/revoke/", {"reason": "other"}, follow=True)
    assert "自分自身の利用者IDは失効させられません。" in response.content.decode()


@override_settings(JUMIN_LOCKOUT_THRESHOLD=1)
def test_navigation_shows_the_menu_only_to_administrators(admin_client: Client, logged_in_client: Client) -> None:
    assert "利用者管理" in admin_client.get("/").content.decode()
