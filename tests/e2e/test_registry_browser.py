"""The register in real browsers: a counter operator and a reviewer at two terminals take a
household through 転入, 審査・決裁, 転居, 世帯分離, 異動の取消し and 転出 — by keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import Terminal
from jumin.registry.models import Movement, Resident
from tests.conftest import make_operator
from tests.e2e.conftest import approve_latest, choose, open_as, typed_date

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.spec("4.0.8", "4.1.1.1", "4.1.2.1", "4.1.4.1", "4.6.0.1", "2.3.2", partial=True)
def test_a_household_through_the_counter_and_the_reviewer(
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
    entry = open_as(contexts, browser, live_server, terminal, counter)
    review = open_as(contexts, browser, live_server, other_terminal, reviewer)

    # 転入: two persons into a new household
    entry.keyboard.press("F3")
    expect(entry.get_by_role("heading", name="住民照会")).to_be_visible()
    entry.keyboard.press("F4")  # the 異動 menu, from any screen
    expect(entry.get_by_role("heading", name="異動入力（異動の種類を選ぶ）")).to_be_visible()
    entry.keyboard.press("1")
    expect(entry.get_by_role("heading", name="転入の入力（仮登録）")).to_be_visible()
    entry.get_by_label("異動日").fill(typed_date(-6))
    entry.locator("#id_addr-address").fill("埼玉県上尾市本町三丁目1番1号")
    entry.locator("#id_prev-address").fill("東京都千代田区千代田1番1号")
    for index, (given, kana, birth, sex, relationship) in enumerate(
        [("太郎", "タロウ", "S55.4.1", "1", "世帯主"), ("一郎", "イチロウ", "H20.5.5", "1", "子")]
    ):
        entry.locator(f"#id_p-{index}-surname").fill("上尾")
        entry.locator(f"#id_p-{index}-given_name").fill(given)
        entry.locator(f"#id_p-{index}-furigana_surname").fill("アゲオ")
        entry.locator(f"#id_p-{index}-furigana_given_name").fill(kana)
        entry.locator(f"#id_p-{index}-birth").fill(birth)
        entry.locator(f"#id_p-{index}-sex").select_option(sex)
        entry.locator(f"#id_p-{index}-relationship").fill(relationship)
        entry.locator(f"#id_p-{index}-honseki").fill("埼玉県上尾市本町1番地")
        entry.locator(f"#id_p-{index}-koseki_head").fill("上尾　太郎")
    entry.keyboard.press("Control+Enter")
    expect(entry.get_by_role("status")).to_contain_text("転入を仮登録しました")
    assert not Resident.objects.exists()  # invisible until approved
    approve_latest(review, live_server)
    head = Resident.objects.get(given_name="太郎")

    # 転居 of the whole household
    entry.goto(f"{live_server.url}/registry/household/{head.household_no}/")
    expect(entry.get_by_role("heading", name="この世帯の異動を入力")).to_be_visible()
    entry.keyboard.press("Alt+1")
    expect(entry.get_by_role("heading", name="転居の入力（仮登録）")).to_be_visible()
    choose(entry, "上尾\u3000太郎")
    choose(entry, "上尾\u3000一郎")
    entry.get_by_label("異動日").fill(typed_date(-1))
    entry.locator("#id_addr-address").fill("埼玉県上尾市原市1番地")
    entry.keyboard.press("Control+Enter")
    expect(entry.get_by_role("status")).to_contain_text("転居を仮登録しました")
    approve_latest(review, live_server)
    relocation = Movement.objects.get(kind="relocation")

    # 世帯分離 of the son
    entry.goto(f"{live_server.url}/registry/household/{head.household_no}/")
    expect(entry.get_by_role("heading", name="この世帯の異動を入力")).to_be_visible()
    entry.keyboard.press("Alt+3")
    expect(entry.get_by_role("heading", name="世帯分離の入力（仮登録）")).to_be_visible()
    choose(entry, "上尾\u3000一郎", "世帯主")
    entry.get_by_label("異動日").fill(typed_date(0))
    entry.keyboard.press("Control+Enter")
    expect(entry.get_by_role("status")).to_contain_text("世帯分離を仮登録しました")
    approve_latest(review, live_server)
    son = Resident.objects.get(given_name="一郎")
    assert son.household_no != head.household_no and son.is_head

    # 異動の取消し of the head's 転居 (the son's split stands, so only the head)
    entry.goto(f"{live_server.url}/registry/movements/{relocation.movement_no}/")
    entry.get_by_label("上尾　一郎", exact=True).uncheck()
    entry.keyboard.press("Alt+T")
    expect(entry.get_by_role("status")).to_contain_text("異動の取消しを仮登録しました")
    approve_latest(review, live_server)
    entry.goto(f"{live_server.url}/registry/person/{head.atena_no}/")
    expect(entry.get_by_text("異動の取消し（修正）", exact=True)).to_be_visible()
    expect(entry.locator(".card")).to_contain_text("埼玉県上尾市本町三丁目1番1号")

    # 転出
    entry.goto(f"{live_server.url}/registry/household/{head.household_no}/")
    expect(entry.get_by_role("heading", name="この世帯の異動を入力")).to_be_visible()
    entry.keyboard.press("Alt+2")
    expect(entry.get_by_role("heading", name="転出の入力（仮登録）")).to_be_visible()
    choose(entry, "上尾\u3000太郎")
    entry.get_by_label("異動日").fill(typed_date(0))
    entry.locator("#id_addr-address").fill("東京都港区芝公園4丁目2番8号")
    entry.keyboard.press("Control+Enter")
    expect(entry.get_by_role("status")).to_contain_text("転出を仮登録しました")
    approve_latest(review, live_server)
    entry.goto(f"{live_server.url}/registry/person/{head.atena_no}/")
    expect(entry.get_by_role("heading", level=1)).to_contain_text("【除票】")


@pytest.mark.spec("2.3.2", partial=True)
def test_the_movement_menu_opens_every_kind_with_one_key(
    browser: Browser, live_server: LiveServer, terminal: Terminal, contexts: list[BrowserContext]
) -> None:
    """Issue 17: F4 from any screen, one key per kind; a household movement asks the 世帯番号."""
    from tests.registry.conftest import fill_spare_codes, final, move_in_data

    fill_spare_codes()
    counter = make_operator("madoguchi", "上尾 花子", roles=("窓口入力",))
    reviewer = make_operator("shinsa", "平方 一郎", roles=("審査・決裁",))
    atena_no = final("move_in", move_in_data(), counter, reviewer).items.get().atena_no
    household_no = Resident.objects.get(atena_no=atena_no).household_no
    entry = open_as(contexts, browser, live_server, terminal, counter)
    entry.keyboard.press("F4")
    expect(entry.get_by_role("heading", name="異動入力（異動の種類を選ぶ）")).to_be_visible()
    expect(entry.get_by_test_id("movement-menu")).to_contain_text("4 転居")
    entry.keyboard.press("4")
    expect(entry.get_by_role("heading", name="転居の入力（世帯番号）")).to_be_visible()
    entry.keyboard.type("999999999")
    entry.keyboard.press("Enter")
    expect(entry.get_by_role("status")).to_contain_text("その世帯番号は見つかりません。")
    entry.get_by_label("世帯番号").fill(household_no)
    entry.keyboard.press("Enter")
    expect(entry.get_by_role("heading", name="転居の入力（仮登録）")).to_be_visible()
    expect(entry.get_by_text(f"世帯番号 {household_no}").first).to_be_visible()
