"""Issue 17: a 郵便番号 of a town with several 丁目 offers the 丁目 as a list under the 住所,
chosen by keyboard (↓, ↑↓, Enter); the choice fills the 住所 and the 住所コード and the cursor
goes on to the 番地.  Esc closes the list and leaves the 住所 as it was."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import Terminal
from tests.conftest import make_operator
from tests.e2e.conftest import open_as

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_chome_of_a_postcode_are_chosen_by_keyboard(
    browser: Browser, live_server: LiveServer, terminal: Terminal, contexts: list[BrowserContext]
) -> None:
    from jumin.addresses.models import Town
    from jumin.addresses.services import import_towns, update_town

    import_towns()
    town = update_town(Town.objects.get(name="平塚"), chome_count=4)
    counter = make_operator("madoguchi", "上尾 花子", roles=("窓口入力",))
    page = open_as(contexts, browser, live_server, terminal, counter)
    page.keyboard.press("F4")
    expect(page.get_by_role("heading", name="異動入力（異動の種類を選ぶ）")).to_be_visible()
    page.keyboard.press("1")
    expect(page.get_by_role("heading", name="転入の入力（仮登録）")).to_be_visible()

    page.locator("#id_addr-postcode").focus()
    page.keyboard.type(f"{town.postcode[:3]}-{town.postcode[3:]}")
    page.keyboard.press("Tab")
    expect(page.locator("#id_addr-address")).to_be_focused()
    choices = page.get_by_test_id("address-choices").get_by_role("option")
    expect(choices).to_have_count(4)
    expect(choices.nth(0)).to_have_text("埼玉県上尾市平塚一丁目")
    page.keyboard.press("ArrowDown")
    expect(choices.nth(0)).to_be_focused()
    page.keyboard.press("Escape")  # closes the list, back in the 住所 (the screen is not left)
    expect(page.get_by_test_id("address-choices")).to_have_count(0)
    expect(page.locator("#id_addr-address")).to_be_focused()
    expect(page.locator("#id_addr-address")).to_have_value("")

    page.locator("#id_addr-postcode").fill("")
    page.keyboard.press("Tab")  # the empty 郵便番号 is committed (no lookup)
    page.locator("#id_addr-postcode").focus()
    page.keyboard.type(town.postcode)
    page.keyboard.press("Tab")
    expect(choices).to_have_count(4)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(choices.nth(1)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("address-choices")).to_have_count(0)
    expect(page.locator("#id_addr-address")).to_have_value("埼玉県上尾市平塚二丁目")
    expect(page.locator("#id_addr-address_code")).to_have_value(f"11219{town.oaza_code}002")
    expect(page.locator("#id_addr-postcode")).to_have_value(town.postcode)
    expect(page.locator("#id_addr-banchi")).to_be_focused()
    expect(page.get_by_role("heading", name="転入の入力（仮登録）")).to_be_visible()  # Enter sent nothing
