"""The UI shell in a real browser: enrollment, login with a second factor, home, keyboard
operation, logout."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import Terminal, User
from jumin.accounts.services import issue_enrollment_code
from tests.conftest import PASSWORD, make_operator, totp_token

pytestmark = pytest.mark.django_db(transaction=True)


def enroll(page: Page, live_server: LiveServer, terminal: Terminal) -> None:
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/terminal/enroll/$"))
    page.get_by_label("端末登録コード").fill(issue_enrollment_code(terminal))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()


def enter_password(page: Page, username: str = "madoguchi", password: str = PASSWORD) -> None:
    page.get_by_label("利用者ID").fill(username)
    page.get_by_label("パスワード").fill(password)
    page.keyboard.press("Enter")


def log_in(page: Page, live_server: LiveServer, terminal: Terminal, user: User) -> None:
    enroll(page, live_server, terminal)
    expect(page.get_by_role("status")).to_contain_text("市民課 本庁1")
    enter_password(page, user.username)
    expect(page.get_by_role("heading", name="本人確認（二要素認証）")).to_be_visible()
    page.get_by_label("確認コード（6桁）").fill(totp_token(TOTPDevice.objects.get(user=user)))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="ホーム")).to_be_visible()


@pytest.mark.spec("2.3.1", "2.3.2", partial=True)
def test_login_reaches_home_and_the_shell_works_by_keyboard(
    page: Page, live_server: LiveServer, terminal: Terminal, operator: User
) -> None:
    log_in(page, live_server, terminal, operator)
    expect(page.get_by_test_id("operator")).to_have_text("上尾 花子（madoguchi）")
    expect(page.get_by_test_id("place")).to_have_text("市民課")
    expect(page.get_by_test_id("terminal")).to_have_text("本庁1")
    expect(page.get_by_test_id("today")).to_contain_text("令和")

    help_dialog = page.locator("#help")
    page.keyboard.press("F1")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("ホーム")
    expect(help_dialog).to_contain_text("ログアウト")
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()

    page.keyboard.press("Alt+M")
    expect(page.locator("#menu a").first).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("F2")
    expect(page).to_have_url(live_server.url + "/")

    page.keyboard.press("F9")
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()


def test_wrong_password_shows_a_japanese_error_and_keeps_the_id(
    page: Page, live_server: LiveServer, terminal: Terminal, operator: User
) -> None:
    enroll(page, live_server, terminal)
    enter_password(page, password="wrong-password")
    expect(page.get_by_role("alert")).to_have_text("利用者IDまたはパスワードが正しくありません。")
    expect(page.get_by_label("利用者ID")).to_have_value("madoguchi")


def test_error_page_is_japanese_in_the_browser(page: Page, live_server: LiveServer, terminal: Terminal) -> None:
    page.goto(live_server.url + "/no-such-page/")
    expect(page.get_by_role("heading", name="ページが見つかりません")).to_be_visible()


@pytest.mark.spec("2.3.2", partial=True)
def test_the_key_bar_the_ime_and_unsaved_input(page: Page, live_server: LiveServer, terminal: Terminal) -> None:
    """Issue 17: F1–F12 shown on every screen with the same meaning; a key that confirms an IME
    conversion is no shortcut; Esc on a form with unsaved input asks before leaving."""
    clerk = make_operator("madoguchi", "上尾 花子", roles=("窓口入力",))
    log_in(page, live_server, terminal, clerk)
    bar = page.get_by_test_id("key-bar")
    expect(bar.locator("li")).to_have_count(12)
    expect(bar.locator("li").nth(1)).to_have_text("F2 ホーム")
    expect(bar.locator("li").nth(5)).to_have_text("F6 審査・決裁")  # the clerk sees the queue
    expect(bar.locator("li").nth(6)).to_have_text("F7 —")  # 監査 is not the clerk's

    page.goto(live_server.url + "/registry/movements/new/move_in/")
    heading = page.get_by_role("heading", name="転入の入力（仮登録）")
    expect(heading).to_be_visible()
    surname = page.locator("#id_p-0-surname")
    surname.focus()
    surname.dispatch_event("keydown", {"key": "F2", "keyCode": 229, "isComposing": True, "bubbles": True})
    expect(heading).to_be_visible()  # the IME's key: no jump to ホーム

    surname.fill("上尾")
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.keyboard.press("Escape")
    expect(heading).to_be_visible()
    assert asked and "破棄" in asked[0]
    expect(surname).to_have_value("上尾")
    page.once("dialog", lambda dialog: dialog.accept())
    page.keyboard.press("Escape")
    expect(heading).to_be_hidden()
