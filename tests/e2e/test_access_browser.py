"""Access control in the browser: passkey login with Chromium's virtual authenticator,
lockout, idle screen lock, and revocation of an operator who is logged in."""

import pytest
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import RevocationEntry, Terminal, User
from jumin.accounts.services import revoke
from jumin.audit.models import AuthLog
from tests.conftest import make_operator
from tests.e2e.test_shell_browser import enroll, enter_password, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def press_until_home(page: Page, key: str) -> None:
    """Press ``key`` until the home page shows.  django-otp-webauthn's module script attaches
    its click handler just after it inserts the button, so a press landing in between is
    lost; a second press starts the ceremony again, which is harmless."""
    home = page.get_by_role("heading", name="ホーム")
    for _ in range(5):
        page.keyboard.press(key)
        try:
            expect(home).to_be_visible(timeout=3_000)
            return
        except AssertionError:
            continue
    expect(home).to_be_visible()


def add_virtual_authenticator(page: Page) -> None:
    """A platform authenticator with user verification: what a fingerprint reader is."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


@pytest.mark.spec("10.3", partial=True)
def test_passkey_registration_and_login(page: Page, live_server: LiveServer, terminal: Terminal) -> None:
    user = User.objects.create_user(
        username="shinsa", password="correct-horse-battery-staple", display_name="平方 一郎"
    )
    add_virtual_authenticator(page)
    enroll(page, live_server, terminal)
    enter_password(page, "shinsa")
    expect(page.get_by_role("heading", name="二要素認証の設定")).to_be_visible()
    expect(page.get_by_role("button", name="パスキーを登録")).to_be_visible()
    press_until_home(page, "F5")  # パスキーを登録
    assert WebAuthnCredential.objects.filter(user=user, confirmed=True).count() == 1

    page.keyboard.press("F9")
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()
    enter_password(page, "shinsa")
    expect(page.get_by_role("button", name="パスキーで認証")).to_be_visible()
    press_until_home(page, "F5")  # パスキーで認証
    expect(page.get_by_test_id("operator")).to_have_text("平方 一郎（shinsa）")
    events = list(AuthLog.objects.filter(username="shinsa").values_list("event", "detail"))
    assert ("second_factor_enrolled", "パスキー") in events
    assert ("second_factor_ok", "パスキー") in events


@pytest.mark.spec("10.3", partial=True)
def test_lockout_after_five_failures(page: Page, live_server: LiveServer, terminal: Terminal, operator: User) -> None:
    enroll(page, live_server, terminal)
    for _ in range(5):
        enter_password(page, password="wrong-password")
        expect(page.get_by_role("alert")).to_be_visible()
    enter_password(page)  # the right password no longer helps
    expect(page.get_by_role("alert")).to_contain_text("ロックされています")
    operator.refresh_from_db()
    assert operator.locked_at is not None


@pytest.mark.spec("10.3", partial=True)
def test_idle_screen_locks_and_unlocks_with_the_password(
    page: Page, live_server: LiveServer, terminal: Terminal, operator: User
) -> None:
    with override_settings(JUMIN_IDLE_LOCK_MINUTES=0.05):  # three seconds
        log_in(page, live_server, terminal, operator)
        expect(page.get_by_role("heading", name="画面ロック中")).to_be_visible(timeout=10_000)
        expect(page.get_by_test_id("operator")).to_have_text("上尾 花子（madoguchi）")
        page.goto(live_server.url + "/")
        expect(page.get_by_role("heading", name="画面ロック中")).to_be_visible()
        page.get_by_label("パスワード").fill("correct-horse-battery-staple")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="ホーム")).to_be_visible()
    assert AuthLog.objects.filter(event="screen_locked", detail="無操作").exists()


@pytest.mark.spec("10.3", partial=True)
def test_revocation_takes_effect_on_an_open_screen(
    page: Page, live_server: LiveServer, terminal: Terminal, operator: User
) -> None:
    log_in(page, live_server, terminal, operator)
    revoke(operator, by=make_operator("kanri", "原市 次郎"), reason=RevocationEntry.Reason.TRANSFERRED)
    page.keyboard.press("F2")
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()
    enter_password(page)
    expect(page.get_by_role("alert")).to_contain_text("失効しています")
    assert TOTPDevice.objects.filter(user=operator).exists()  # nothing else had to be removed


@pytest.mark.spec("10.3", partial=True)
def test_administrator_unlocks_a_locked_operator_on_screen(
    page: Page, live_server: LiveServer, terminal: Terminal, operator: User
) -> None:
    from django.utils import timezone

    User.objects.filter(pk=operator.pk).update(locked_at=timezone.now(), failed_logins=5)
    admin = make_operator("kanri", "原市 次郎", roles=("システム管理者",))
    log_in(page, live_server, terminal, admin)
    page.keyboard.press("F10")
    expect(page.get_by_role("heading", name="利用者管理")).to_be_visible()
    page.get_by_role("link", name="madoguchi").click()
    expect(page.get_by_test_id("user-state")).to_contain_text("ロック中")
    page.keyboard.press("Alt+U")
    expect(page.get_by_role("status")).to_contain_text("ロックを解除しました。")
    expect(page.get_by_test_id("user-state")).to_have_text("有効")
