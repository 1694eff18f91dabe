"""The entry screens of the household movements (世帯変更, 世帯合併, 世帯主変更), of one person's
items (修正, 旧氏, 失踪, 通称), the メモ and the 統合記載欄 — in a real browser, by keyboard: the
screens are opened with their Alt+digit keys, the first item has the focus, Ctrl+Enter
enters, a reviewer at another terminal approves with Alt+A."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import Terminal, User
from jumin.audit.context import acting_as
from jumin.registry.models import Resident
from tests.conftest import make_operator
from tests.e2e.conftest import approve_latest, choose, open_as, typed_date
from tests.registry.conftest import fill_spare_codes, final, move_in_data, person

pytestmark = pytest.mark.django_db(transaction=True)

FOREIGNER: dict[str, Any] = {
    "nationality_kind": "foreign",
    "surname": "",
    "given_name": "",
    "name_alphabet": "NGUYEN VAN AN",
    "furigana_surname": "",
    "furigana_given_name": "",
    "birth": "1995-03-01",
    "sex": "1",
    "relationship": "世帯主",
    "nationality": "ベトナム",
    "residence_category": "mid_long_term",
    "residence_status": "技術・人文知識・国際業務",
    "period_of_stay": "3年",
    "stay_expires_on": "2028-03-31",
    "residence_card_no": "AB12345678CD",
    "honseki": "",
    "koseki_head": "",
}


def _staff() -> tuple[User, User]:
    fill_spare_codes()
    counter = make_operator("madoguchi", "上尾 花子", roles=("窓口入力",))
    reviewer = make_operator("shinsa", "平方 一郎", roles=("審査・決裁",))
    return counter, reviewer


def _moved_in(counter: User, reviewer: User, *persons: dict[str, Any], address: str) -> str:
    """A household moved in a week ago (entered and approved without the browser)."""
    data = move_in_data(*persons, address={"address": address}, effective=typed_date(-7), notified_on=typed_date(-6))
    with acting_as(channel="screen", place="SHIMIN", terminal="SHIMIN-1"):
        final("move_in", data, counter, reviewer)
    return Resident.objects.latest("id").household_no


def _enter(page: Page, label: str) -> None:
    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("status")).to_contain_text(f"{label}を仮登録しました")


def _open(page: Page, url: str, key: str, heading: str) -> None:
    page.goto(url)
    page.keyboard.press(key)
    expect(page.get_by_role("heading", name=f"{heading}の入力（仮登録）")).to_be_visible()


@pytest.mark.spec("4.1.4.1", "4.1.4.2", "2.3.2", partial=True)
def test_household_movements_by_keyboard(
    browser: Browser,
    live_server: LiveServer,
    terminal: Terminal,
    other_terminal: Terminal,
    contexts: list[BrowserContext],
) -> None:
    counter, reviewer = _staff()
    address = "埼玉県上尾市本町三丁目1番1号"
    first = _moved_in(
        counter,
        reviewer,
        person(),
        person(given_name="花子", furigana_given_name="ハナコ", relationship="妻", sex="2"),
        address=address,
    )
    second = _moved_in(
        counter,
        reviewer,
        person(surname="平方", given_name="次郎", furigana_surname="ヒラカタ", koseki_head="平方　次郎"),
        person(surname="平方", given_name="三郎", furigana_surname="ヒラカタ", relationship="子", birth="H10.1.1"),
        address=address,
    )
    entry = open_as(contexts, browser, live_server, terminal, counter)
    review = open_as(contexts, browser, live_server, other_terminal, reviewer)

    # 世帯変更: 三郎 moves into the first household (the 異動日 has the focus)
    _open(entry, f"{live_server.url}/registry/household/{second}/", "Alt+7", "世帯変更")
    entry.keyboard.type(typed_date(0))
    choose(entry, "平方\u3000三郎", "同居人")
    entry.get_by_label("移る先の世帯番号").fill(first)
    _enter(entry, "世帯変更")
    approve_latest(review, live_server)
    assert Resident.objects.get(given_name="三郎").household_no == first

    # 世帯合併: 次郎's household joins the first one; a wrong 続柄 is explained in Japanese
    _open(entry, f"{live_server.url}/registry/household/{second}/", "Alt+6", "世帯合併")
    entry.keyboard.type(typed_date(0))
    entry.get_by_label("合併先の世帯番号").fill(first)
    entry.get_by_label("平方\u3000次郎 の新しい続柄").fill("世帯主")
    entry.keyboard.press("Control+Enter")
    expect(entry.get_by_role("alert").first).to_contain_text("合併先の世帯には世帯主がいます。")
    entry.get_by_label("平方\u3000次郎 の新しい続柄").fill("縁故者")
    _enter(entry, "世帯合併")
    approve_latest(review, live_server)

    # 世帯主変更: 花子 becomes the head; every 続柄 is looked at again
    _open(entry, f"{live_server.url}/registry/household/{first}/", "Alt+8", "世帯主変更")
    expect(entry.get_by_label("平方\u3000次郎 の新しい続柄")).to_have_value("縁故者")
    entry.keyboard.type(typed_date(0))
    entry.get_by_label("上尾\u3000太郎 の新しい続柄").fill("夫")
    entry.get_by_label("上尾\u3000花子 の新しい続柄").fill("世帯主")
    _enter(entry, "世帯主変更")
    approve_latest(review, live_server)
    members = {r.given_name: r for r in Resident.objects.filter(household_no=first)}
    assert members["花子"].is_head and members["太郎"].relationship == "夫"
    assert {m.head_name for m in members.values()} == {"上尾\u3000花子"}


@pytest.mark.spec("4.2.3.3", "4.2.2.2", "1.1.7", "1.1.14", "1.1.15", "2.3.2", partial=True)
def test_person_screens_memo_and_remarks_by_keyboard(
    browser: Browser,
    live_server: LiveServer,
    terminal: Terminal,
    other_terminal: Terminal,
    contexts: list[BrowserContext],
) -> None:
    counter, reviewer = _staff()
    _moved_in(
        counter,
        reviewer,
        person(),
        person(given_name="花子", furigana_given_name="ハナコ", relationship="妻", sex="2"),
        address="埼玉県上尾市本町三丁目1番1号",
    )
    _moved_in(counter, reviewer, FOREIGNER, address="埼玉県上尾市原市1番地")
    head = Resident.objects.get(given_name="太郎")
    wife = Resident.objects.get(given_name="花子")
    foreigner = Resident.objects.get(name_alphabet="NGUYEN VAN AN")
    entry = open_as(contexts, browser, live_server, terminal, counter)
    review = open_as(contexts, browser, live_server, other_terminal, reviewer)

    # 誤記修正 of the head's given name: the form shows the current items
    correction = "修正（職権修正・軽微な修正・誤記修正）"
    _open(entry, f"{live_server.url}/registry/person/{head.atena_no}/", "Alt+1", correction)
    expect(entry.get_by_label("名", exact=True)).to_have_value("太郎")
    entry.get_by_label("修正の種類").select_option("clerical")
    entry.get_by_label("名", exact=True).fill("太朗")
    _enter(entry, correction)
    approve_latest(review, live_server)

    # the person view: 統合記載欄 A類型 has the 転入 and the 誤記修正; a メモ by Alt+N, Ctrl+Enter
    entry.goto(f"{live_server.url}/registry/person/{head.atena_no}/")
    remarks = entry.get_by_test_id("remarks-a")
    expect(remarks).to_contain_text("東京都千代田区千代田1番1号から国内転入")
    expect(remarks).to_contain_text("誤記修正")
    entry.keyboard.press("Alt+N")
    entry.keyboard.type("本人から電話あり。折り返し不要。")
    entry.keyboard.press("Control+Enter")
    expect(entry.get_by_role("status")).to_contain_text("メモを登録しました。")
    expect(entry.get_by_test_id("memos")).to_contain_text("本人から電話あり。折り返し不要。")

    # 旧氏の記載 on request
    _open(entry, f"{live_server.url}/registry/person/{wife.atena_no}/", "Alt+3", "旧氏の記載・変更・削除")
    entry.get_by_label("旧氏", exact=True).fill("大石")
    entry.get_by_label("旧氏の振り仮名（カタカナ）").fill("オオイシ")
    _enter(entry, "旧氏の記載・変更・削除")
    approve_latest(review, live_server)
    entry.goto(f"{live_server.url}/registry/person/{wife.atena_no}/")
    expect(entry.locator(".card")).to_contain_text("大石")

    # 失踪: the date has the focus
    entry.keyboard.press("Alt+2")
    expect(entry.get_by_role("heading", name="失踪の入力（仮登録）")).to_be_visible()
    entry.keyboard.type(typed_date(-30))
    _enter(entry, "失踪")
    approve_latest(review, live_server)
    entry.goto(f"{live_server.url}/registry/person/{wife.atena_no}/")
    expect(entry.get_by_role("heading", level=1)).to_contain_text("【除票】")

    # 通称の記載 for a foreign resident (Alt+4; there is no 旧氏 screen for them)
    entry.goto(f"{live_server.url}/registry/person/{foreigner.atena_no}/")
    expect(entry.locator('[data-shortcut="Alt+3"]')).to_have_count(0)
    entry.keyboard.press("Alt+4")
    expect(entry.get_by_role("heading", name="通称の記載・削除の入力（仮登録）")).to_be_visible()
    entry.get_by_label("通称", exact=True).fill("阮 文安")
    _enter(entry, "通称の記載・削除")
    approve_latest(review, live_server)
    entry.goto(f"{live_server.url}/registry/person/{foreigner.atena_no}/")
    expect(entry.locator(".card")).to_contain_text("阮 文安")
