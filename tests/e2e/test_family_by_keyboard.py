"""Issue 17: a whole 転入 of a family of three by keyboard only — F4, one key for the kind, Tab
between items, the 2nd and 3rd persons skip 氏 and 本籍 (copied from the person above), the
foreign-resident items take no Tab stop for Japanese persons, Ctrl+Enter — and a reviewer
approves it.  The keystrokes and page loads are printed (``-s``); they are figures, not
assertions (issue 17 asks for them in ``jumin bench``)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import Terminal
from jumin.registry.models import Resident
from tests.conftest import make_operator
from tests.e2e.conftest import approve_latest, open_as, typed_date

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Keys:
    """The clerk's keyboard: every key pressed and character typed is counted."""

    page: Page
    count: int = 0

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
        self.count += times

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.count += len(text)

    def tab_to(self, element_id: str, limit: int = 80) -> None:
        """Tab forward until ``element_id`` has the focus (as a clerk does, counting each Tab)."""
        for _ in range(limit):
            if self.page.evaluate("document.activeElement && document.activeElement.id") == element_id:
                return
            self.press("Tab")
        raise AssertionError(f"{element_id} is not reachable with Tab")

    def fill(self, element_id: str, text: str) -> None:
        self.tab_to(element_id)
        self.type(text)


FAMILY = [
    # 名, 名の振り仮名, 生年月日, 性別 (key for the select), 続柄
    ("太郎", "タロウ", "S55.4.1", "1", "世帯主"),
    ("花子", "ハナコ", "S57.8.8", "2", "妻"),
    ("一郎", "イチロウ", "H22.5.5", "1", "子"),
]


def test_a_family_of_three_moves_in_by_keyboard_only(
    browser: Browser,
    live_server: LiveServer,
    terminal: Terminal,
    other_terminal: Terminal,
    contexts: list[BrowserContext],
) -> None:
    from tests.registry.conftest import fill_spare_codes

    fill_spare_codes()
    counter = make_operator("madoguchi", "上尾 花子", roles=("窓口入力",))
    reviewer = make_operator("shinsa", "平方 一郎", roles=("審査・決裁",))
    page = open_as(contexts, browser, live_server, terminal, counter)
    loads = []
    page.on("load", lambda p: loads.append(p.url))
    keys = Keys(page)

    keys.press("F4")
    expect(page.get_by_role("heading", name="異動入力（異動の種類を選ぶ）")).to_be_visible()
    keys.press("1")
    expect(page.get_by_role("heading", name="転入の入力（仮登録）")).to_be_visible()
    keys.fill("id_effective", typed_date(-3))
    keys.fill("id_addr-address", "埼玉県上尾市本町三丁目1番1号")
    keys.fill("id_prev-address", "東京都千代田区千代田1番1号")
    for index, (given, kana, birth, sex, relationship) in enumerate(FAMILY):
        if index == 0:
            keys.fill(f"id_p-{index}-surname", "上尾")
        keys.fill(f"id_p-{index}-given_name", given)
        if index == 0:
            keys.fill(f"id_p-{index}-furigana_surname", "アゲオ")
        keys.fill(f"id_p-{index}-furigana_given_name", kana)
        keys.fill(f"id_p-{index}-birth", birth)
        keys.tab_to(f"id_p-{index}-sex")
        keys.press("ArrowDown", int(sex))  # — → 男 → 女
        keys.fill(f"id_p-{index}-relationship", relationship)
        if index == 0:
            keys.fill(f"id_p-{index}-honseki", "埼玉県上尾市本町1番地")
            keys.fill(f"id_p-{index}-koseki_head", "上尾　太郎")
    # the children took 氏 and 本籍 from the person above; no foreign-resident item was visited
    expect(page.locator("#id_p-2-surname")).to_have_value("上尾")
    expect(page.locator("#id_p-2-honseki")).to_have_value("埼玉県上尾市本町1番地")
    expect(page.locator("#id_p-0-residence_card_no")).to_be_hidden()
    keys.press("Control+Enter")
    expect(page.get_by_role("status")).to_contain_text("転入を仮登録しました")

    review = open_as(contexts, browser, live_server, other_terminal, reviewer)
    approve_latest(review, live_server)
    family = Resident.objects.order_by("atena_no")
    assert [(r.surname, r.given_name, r.relationship, r.honseki) for r in family] == [
        ("上尾", given, relationship, "埼玉県上尾市本町1番地") for given, _, _, _, relationship in FAMILY
    ]
    assert len({r.household_no for r in family}) == 1
    print(f"\n転入（3人）: keystrokes {keys.count}, page loads {len(loads)}")  # noqa: T201 (the figure, -s)


def test_an_address_is_typed_as_counters_type_it(
    browser: Browser, live_server: LiveServer, terminal: Terminal, contexts: list[BrowserContext]
) -> None:
    """Issue 17: 「平塚4-7-11」 in the 住所 becomes 町字・丁目, 番地 and 住所コード of the town master,
    with the 郵便番号, and the 方書 of that 番地 are offered."""
    from jumin.addresses.models import Town
    from jumin.addresses.services import add_building, import_towns

    import_towns()
    town = Town.objects.get(name="平塚")
    add_building(town, "4丁目7番11号", "平塚ハイツ", "ヒラツカハイツ")
    counter = make_operator("madoguchi", "上尾 花子", roles=("窓口入力",))
    page = open_as(contexts, browser, live_server, terminal, counter)
    keys = Keys(page)
    keys.press("F4")
    expect(page.get_by_role("heading", name="異動入力（異動の種類を選ぶ）")).to_be_visible()
    keys.press("1")
    expect(page.get_by_role("heading", name="転入の入力（仮登録）")).to_be_visible()
    keys.fill("id_addr-address", "平塚4-7-11")
    keys.press("Tab")
    expect(page.locator("#id_addr-address")).to_have_value("埼玉県上尾市平塚四丁目")
    expect(page.locator("#id_addr-banchi")).to_have_value("7番11号")
    expect(page.locator("#id_addr-address_code")).to_have_value(f"11219{town.oaza_code}004")
    expect(page.locator("#id_addr-postcode")).to_have_value(town.postcode)
    expect(page.locator("#id_addr-katagaki-choices option")).to_have_attribute("value", "平塚ハイツ")
