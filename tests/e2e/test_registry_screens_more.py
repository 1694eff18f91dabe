"""The entry screens of the foreign residents' movements (30条の46転入, 帰化, 国籍喪失), the number
movements (住民票コード, 個人番号 — with the J-LIS simulator on a local port, and without it), 改製,
再転入 offered from the 転入 screen, and the look-up of a 除票 in the 除票DB — in a real browser,
by keyboard: each screen opens with its key, the first item has the focus, Ctrl+Enter enters,
a reviewer at another terminal approves with Alt+A."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from peers.jlis import running
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import Terminal, User
from jumin.audit.context import acting_as
from jumin.registry.archive import archive_removed
from jumin.registry.models import Movement, Resident
from jumin.registry.numbers import open_individual_number
from tests.conftest import make_operator
from tests.e2e.conftest import approve_latest, open_as, typed_date
from tests.registry.conftest import fill_spare_codes, final, move_in_data, person

pytestmark = pytest.mark.django_db(transaction=True)

FOREIGNER: dict[str, Any] = {
    "nationality_kind": "foreign",
    "name_alphabet": "NGUYEN VAN AN",
    "surname": "阮",
    "given_name": "文安",
    "birth": "1995-03-01",
    "sex": "1",
    "relationship": "世帯主",
    "nationality": "ベトナム",
    "residence_category": "mid_long_term",
    "residence_status": "技術・人文知識・国際業務",
    "period_of_stay": "3年",
    "stay_expires_on": "2028-03-31",
    "residence_card_no": "AB12345678CD",
}


def _staff(*extra_roles: str) -> tuple[User, User]:
    fill_spare_codes()
    counter = make_operator("madoguchi", "上尾 花子", roles=("窓口入力", *extra_roles))
    reviewer = make_operator("shinsa", "平方 一郎", roles=("審査・決裁",))
    return counter, reviewer


def _record(kind: str, data: dict[str, Any], counter: User, reviewer: User) -> Movement:
    with acting_as(channel="screen", place="SHIMIN", terminal="SHIMIN-1"):
        return final(kind, data, counter, reviewer)


def _moved_in(counter: User, reviewer: User, *persons: dict[str, Any]) -> Resident:
    data = move_in_data(*persons, effective=typed_date(-7), notified_on=typed_date(-6))
    movement = _record("move_in", data, counter, reviewer)
    return Resident.objects.get(atena_no=movement.items.order_by("id")[0].atena_no)


def _open(page: Page, url: str, key: str, heading: str) -> None:
    page.goto(url)
    page.keyboard.press(key)
    expect(page.get_by_role("heading", name=f"{heading}の入力（仮登録）")).to_be_visible()


def _enter(page: Page, label: str) -> None:
    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("status")).to_contain_text(f"{label}を仮登録しました")


@pytest.mark.spec("4.5.1", "4.5.3", "4.5.5", "2.3.2", partial=True)
def test_foreign_resident_screens_by_keyboard(
    browser: Browser,
    live_server: LiveServer,
    terminal: Terminal,
    other_terminal: Terminal,
    contexts: list[BrowserContext],
) -> None:
    counter, reviewer = _staff()
    japanese = _moved_in(counter, reviewer, person())
    entry = open_as(contexts, browser, live_server, terminal, counter)
    review = open_as(contexts, browser, live_server, other_terminal, reviewer)

    # 法第30条の46転入 from the look-up (Alt+1); the 転入日 has the focus
    _open(entry, f"{live_server.url}/registry/", "Alt+1", "法第30条の46転入")
    entry.keyboard.type(typed_date(-1))
    entry.locator("#id_addr-address").fill("埼玉県上尾市原市1番地")
    entry.locator("#id_prev-address").fill("ベトナム社会主義共和国ハノイ市")
    for field, value in (
        ("name_alphabet", "NGUYEN VAN AN"),
        ("surname", "阮"),
        ("given_name", "文安"),
        ("birth", "1995-03-01"),
        ("relationship", "世帯主"),
        ("nationality", "ベトナム"),
        ("residence_status", "技術・人文知識・国際業務"),
        ("period_of_stay", "3年"),
        ("stay_expires_on", "2028-03-31"),
        ("residence_card_no", "AB12345678CD"),
    ):
        entry.locator(f"#id_p-0-{field}").fill(value)
    entry.locator("#id_p-0-sex").select_option("1")
    entry.locator("#id_p-0-residence_category").select_option("mid_long_term")
    entry.get_by_label("留意事項（統合記載欄 B類型・任意）").fill("旅券で本人確認")
    _enter(entry, "法第30条の46転入")
    approve_latest(review, live_server)
    foreigner = Resident.objects.get(name_alphabet="NGUYEN VAN AN")
    assert foreigner.nationality_kind == "foreign" and foreigner.previous_address == "ベトナム社会主義共和国ハノイ市"

    # 帰化 from the person view (Alt+5): the current name is offered, 本籍・筆頭者 are entered
    _open(entry, f"{live_server.url}/registry/person/{foreigner.atena_no}/", "Alt+5", "帰化")
    expect(entry.get_by_label("氏（戸籍のとおり）")).to_have_value("阮")
    entry.keyboard.type(typed_date(0))
    entry.get_by_label("氏（戸籍のとおり）").fill("山田")
    entry.get_by_label("名（戸籍のとおり）").fill("安")
    entry.get_by_label("氏の振り仮名（カタカナ）").fill("ヤマダ")
    entry.get_by_label("名の振り仮名（カタカナ）").fill("ヤス")
    entry.keyboard.press("Control+Enter")
    expect(entry.get_by_role("alert").first).to_contain_text("本籍と筆頭者を入力してください")
    entry.get_by_label("本籍", exact=True).fill("埼玉県上尾市本町一丁目1番地")
    entry.get_by_label("筆頭者").fill("山田　安")
    _enter(entry, "帰化")
    approve_latest(review, live_server)
    entry.goto(f"{live_server.url}/registry/person/{foreigner.atena_no}/")
    expect(entry.locator(".card")).to_contain_text("山田\u3000安")
    expect(entry.get_by_test_id("remarks-b")).to_contain_text("帰化により日本人住民票を記載")

    # 国籍喪失 of a Japanese resident (Alt+7; not offered to foreign residents)
    entry.goto(f"{live_server.url}/registry/person/{japanese.atena_no}/")
    expect(entry.locator('[data-shortcut="Alt+5"]')).to_have_count(0)
    entry.keyboard.press("Alt+7")
    expect(entry.get_by_role("heading", name="国籍喪失の入力（仮登録）")).to_be_visible()
    entry.keyboard.type(typed_date(0))
    entry.get_by_label("国籍・地域").fill("米国")
    entry.get_by_label("氏名（アルファベット）").fill("AGEO TARO")
    _enter(entry, "国籍喪失")
    approve_latest(review, live_server)
    now = Resident.objects.get(atena_no=japanese.atena_no)
    assert (now.nationality_kind, now.residence_category, now.honseki) == ("foreign", "transitional_loss", "")


@pytest.mark.spec("4.3.2", "4.4", "1.1.4", "2.3.2", partial=True)
def test_number_screens_and_rebuild_by_keyboard(
    browser: Browser,
    live_server: LiveServer,
    terminal: Terminal,
    other_terminal: Terminal,
    contexts: list[BrowserContext],
    settings: Any,
) -> None:
    counter, reviewer = _staff("住民票コード事務", "個人番号利用事務")
    resident = _moved_in(counter, reviewer, person())
    old_code = resident.resident_code
    entry = open_as(contexts, browser, live_server, terminal, counter)
    review = open_as(contexts, browser, live_server, other_terminal, reviewer)
    person_url = f"{live_server.url}/registry/person/{resident.atena_no}/"

    # 住民票コードの変更請求 (Alt+8): the 処理の種類 has the focus and starts at 変更請求
    _open(entry, person_url, "Alt+8", "住民票コードの変更請求・職権記載")
    expect(entry.get_by_label("処理の種類")).to_be_focused()
    expect(entry.get_by_label("処理の種類")).to_have_value("change_request")
    entry.get_by_label("請求者（変更請求のとき）").fill("本人")
    _enter(entry, "住民票コードの変更請求・職権記載")
    approve_latest(review, live_server)
    assert Resident.objects.get(atena_no=resident.atena_no).resident_code not in ("", old_code)

    # 個人番号の職権記載 (Alt+9): without the national system the reason is shown in Japanese
    settings.JUMIN_NUMBER_SERVICE_URL = ""
    _open(entry, person_url, "Alt+9", "個人番号の職権記載・変更請求・職権修正")
    expect(entry.get_by_label("処理の種類")).to_have_value("ex_officio_record")
    entry.keyboard.press("Control+Enter")
    expect(entry.get_by_role("alert").first).to_contain_text(
        "個人番号の生成要求先（JUMIN_NUMBER_SERVICE_URL）が設定されていません。"
    )
    with running() as simulator:
        settings.JUMIN_NUMBER_SERVICE_URL = simulator.url
        settings.JUMIN_NUMBER_SERVICE_TIMEOUT = 5
        _enter(entry, "個人番号の職権記載・変更請求・職権修正")
        code = Resident.objects.get(atena_no=resident.atena_no).resident_code
        number = simulator.issuer.number_of(code)
    assert number not in entry.url
    expect(entry.locator(".sheet")).to_contain_text(number)  # the operator holds the 個人番号 capability
    approve_latest(review, live_server)
    now = Resident.objects.get(atena_no=resident.atena_no)
    assert open_individual_number(now.individual_number_ct, now.atena_no) == number

    # 改製 (Alt+0): 改製日 empty = today, the reason is the 留意事項
    _open(entry, person_url, "Alt+0", "改製")
    entry.get_by_label("改製の理由（留意事項）").fill("性別の変更による改製")
    _enter(entry, "改製")
    approve_latest(review, live_server)
    rebuilt = Resident.objects.get(atena_no=resident.atena_no)
    assert rebuilt.rebuild_no == 1 and rebuilt.rebuilt_on == timezone.localdate()


@pytest.mark.spec("4.1.1.2", "1.1.5", "2.3.2", partial=True)
def test_reentry_offer_and_archived_lookup_by_keyboard(
    browser: Browser,
    live_server: LiveServer,
    terminal: Terminal,
    other_terminal: Terminal,
    contexts: list[BrowserContext],
) -> None:
    counter, reviewer = _staff()
    away = _moved_in(counter, reviewer, person())
    moved_out = {"effective": typed_date(-3), "destination": {"address": "東京都千代田区千代田1番1号"}}
    _record("move_out", {"atena_nos": [away.atena_no], **moved_out}, counter, reviewer)
    long_ago = move_in_data(
        person(surname="古川", koseki_head="古川　太郎"), effective="平成20年4月1日", notified_on="平成20年4月1日"
    )
    archived = _record("move_in", long_ago, counter, reviewer).items.get().atena_no
    old_out = {"effective": "平成25年4月1日", "notified_on": "平成25年4月1日", "initiation": "ex_officio"}
    _record(
        "move_out", {"atena_nos": [archived], **old_out, "destination": moved_out["destination"]}, counter, reviewer
    )
    archive_removed(today=timezone.localdate())
    entry = open_as(contexts, browser, live_server, terminal, counter)
    review = open_as(contexts, browser, live_server, other_terminal, reviewer)

    # 転入 (Alt+N on the look-up screen) of someone whose 住民票コード is on a 除票: 再転入 is offered (Alt+R)
    _open(entry, f"{live_server.url}/registry/", "Alt+N", "転入")
    entry.keyboard.type(typed_date(0))
    entry.locator("#id_addr-address").fill("埼玉県上尾市本町三丁目1番1号")
    entry.locator("#id_prev-address").fill("東京都千代田区千代田1番1号")
    for field, value in (
        ("surname", "上尾"),
        ("given_name", "太郎"),
        ("furigana_surname", "アゲオ"),
        ("furigana_given_name", "タロウ"),
        ("birth", "S55.4.1"),
        ("relationship", "世帯主"),
        ("honseki", "埼玉県上尾市本町一丁目1番地"),
        ("koseki_head", "上尾　太郎"),
        ("resident_code", away.resident_code),
    ):
        entry.locator(f"#id_p-0-{field}").fill(value)
    entry.locator("#id_p-0-sex").select_option("1")
    entry.keyboard.press("Control+Enter")
    expect(entry.get_by_role("alert").first).to_contain_text(f"除票 宛名番号 {away.atena_no}")
    expect(entry.get_by_test_id("reentry-offers")).to_contain_text(f"除票 {away.atena_no} の再転入")
    entry.keyboard.press("Alt+R")
    expect(entry.get_by_role("status")).to_contain_text("転入を仮登録しました")
    approve_latest(review, live_server)
    back = Resident.objects.get(atena_no=away.atena_no)
    assert back.status == "current" and back.history_no == 3

    # the look-up finds the 除票 in the 除票DB, read-only
    entry.goto(f"{live_server.url}/registry/")
    entry.get_by_label("番号", exact=True).fill(archived)
    entry.keyboard.press("Enter")
    expect(entry.get_by_role("heading", level=1)).to_contain_text("【除票（保存用）】")
    expect(entry.locator(".card")).to_contain_text("古川\u3000太郎")
    expect(entry.get_by_role("heading", name="この方の異動を入力")).to_have_count(0)


@pytest.mark.spec("1.1.1", "2.3.2", partial=True)
def test_program_items_screen_by_keyboard(
    browser: Browser,
    live_server: LiveServer,
    terminal: Terminal,
    other_terminal: Terminal,
    contexts: list[BrowserContext],
) -> None:
    """個別事項の記載・修正 (Alt+V): 国保 and 児童手当 recorded on a department's notice, shown in 和暦."""
    counter, reviewer = _staff()
    resident = _moved_in(counter, reviewer, person())
    entry = open_as(contexts, browser, live_server, terminal, counter)
    review = open_as(contexts, browser, live_server, other_terminal, reviewer)
    person_url = f"{live_server.url}/registry/person/{resident.atena_no}/"
    _open(entry, person_url, "Alt+V", "個別事項の記載・修正")
    expect(entry.get_by_label("通知した課（例: 保険年金課）")).to_be_focused()
    entry.keyboard.type("保険年金課")
    entry.get_by_label("国民健康保険 資格", exact=True).select_option("yes")
    entry.get_by_label("国民健康保険 資格取得日").fill("令和6年4月1日")
    entry.get_by_label("児童手当 受給開始年月").fill("2024-04")
    expect(entry.get_by_label("基礎年金番号（10桁）")).to_have_count(0)  # 窓口入力 has no 個人番号 capability
    _enter(entry, "個別事項の記載・修正")
    approve_latest(review, live_server)
    entry.goto(person_url)
    expect(entry.get_by_test_id("program-nhi")).to_contain_text("資格あり　取得 令和6年4月1日")
    expect(entry.get_by_test_id("program-child_allowance")).to_contain_text("受給開始 令和6年4月")
    assert Resident.objects.get(atena_no=resident.atena_no).program_items["nhi"]["acquired_on"] == "2024-04-01"
