"""審査・決裁 in a real browser, by keyboard only (issue 17, item 4): the reviewer opens the
queue (F6), picks a movement with ↓ and Enter, reads the before/after comparison, returns it
with a comment (Alt+R, Ctrl+Enter); the clerk finds it on her home page (F2, Enter), corrects
it by entering it again (Alt+U, Ctrl+Enter); the reviewer approves the correction (Alt+A).

With ``JUMIN_SCREENSHOTS=1`` the screens are written to docs/screenshots/ (docs/approval.md)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import Terminal, User
from jumin.audit.context import acting_as
from jumin.registry.models import Movement, Resident
from jumin.registry.services import enter_movement
from tests.conftest import make_operator
from tests.e2e.conftest import open_as, screenshot, typed_date
from tests.registry.conftest import fill_spare_codes, final, move_in_data, person

pytestmark = pytest.mark.django_db(transaction=True)


def _household(counter: User, reviewer: User) -> str:
    data = move_in_data(
        person(),
        person(given_name="一郎", furigana_given_name="イチロウ", relationship="子", birth="平成20年5月5日"),
        address={"address": "埼玉県上尾市本町三丁目1番1号", "postcode": "3620014"},
        effective=typed_date(-7),
        notified_on=typed_date(-6),
    )
    with acting_as(channel="screen", place="SHIMIN", terminal="SHIMIN-1"):
        final("move_in", data, counter, reviewer)
    return Resident.objects.get(given_name="太郎").household_no


@pytest.mark.spec("4.0.8", "4.0.9", "2.3.2", partial=True)
def test_queue_compare_return_correct_approve_by_keyboard(
    browser: Browser,
    live_server: LiveServer,
    terminal: Terminal,
    other_terminal: Terminal,
    contexts: list[BrowserContext],
) -> None:
    fill_spare_codes()
    counter = make_operator("madoguchi", "上尾 花子", roles=("窓口入力",))
    reviewer = make_operator("shinsa", "平方 一郎", roles=("審査・決裁",))
    household_no = _household(counter, reviewer)
    with acting_as(channel="screen", place="SHIMIN", terminal="SHIMIN-1"):  # waiting already: first in the queue
        enter_movement("move_in", move_in_data(person(surname="平方", koseki_head="平方　太郎")), by=counter)
    entry = open_as(contexts, browser, live_server, terminal, counter)
    review = open_as(contexts, browser, live_server, other_terminal, reviewer)
    for page in (entry, review):
        page.set_viewport_size({"width": 1366, "height": 768})

    # the clerk enters a 転居 with a wrong 番地
    entry.goto(f"{live_server.url}/registry/household/{household_no}/")
    entry.keyboard.press("Alt+1")
    expect(entry.get_by_role("heading", name="転居の入力（仮登録）")).to_be_visible()
    entry.keyboard.type(typed_date(-1))  # the 異動日 has the focus
    entry.get_by_label("上尾\u3000太郎", exact=True).check()
    entry.get_by_label("上尾\u3000一郎", exact=True).check()
    entry.locator("#id_addr-address").fill("埼玉県上尾市原市9番地")
    entry.keyboard.press("Control+Enter")
    expect(entry.get_by_role("status")).to_contain_text("転居を仮登録しました")
    wrong = Movement.objects.get(kind="relocation", state="provisional")

    # the reviewer: F6, ↓ to the 転居, Enter
    review.keyboard.press("F6")
    expect(review.get_by_role("heading", name="審査・決裁（仮登録の一覧）")).to_be_visible()
    rows = review.get_by_test_id("queue-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("上尾\u3000太郎、上尾\u3000一郎")
    expect(rows.nth(1)).to_contain_text("転居")
    expect(rows.nth(1)).to_contain_text("市民課")
    expect(rows.nth(1)).to_contain_text("令和")
    screenshot(review, "approval-queue")
    review.keyboard.press("ArrowDown")
    review.keyboard.press("Enter")
    expect(review.get_by_role("heading", name="変更前・変更後")).to_be_visible()
    head_table = review.locator("table.compare").first
    changed = head_table.locator("tr.changed", has_text="住所").first
    expect(changed).to_contain_text("埼玉県上尾市本町三丁目1番1号")
    expect(changed.locator("mark")).to_contain_text("埼玉県上尾市原市9番地")
    expect(head_table).not_to_contain_text("生年月日")  # unchanged items are folded away
    expect(review.locator("details.unchanged").first).to_contain_text("生年月日")
    screenshot(review, "approval-compare")

    # 差戻し with a comment
    review.keyboard.press("Alt+R")
    review.keyboard.type("転居先の番地が届出書と違います。原市1番地です。")
    review.keyboard.press("Control+Enter")
    expect(review.get_by_role("status")).to_contain_text(f"{wrong.movement_no} を入力者（上尾 花子）に差し戻しました。")
    expect(review.get_by_test_id("queue-row")).to_have_count(1)

    # the clerk: the home page lists it with the comment; Enter opens it, Alt+U corrects it
    entry.keyboard.press("F2")
    expect(entry.get_by_role("heading", name="差し戻された異動（1件）")).to_be_visible()
    expect(entry.get_by_test_id("returned-row")).to_contain_text("原市1番地です。")
    screenshot(entry, "approval-returned-home")
    entry.keyboard.press("Enter")
    expect(entry.get_by_test_id("returned-comment")).to_contain_text("転居先の番地が届出書と違います。")
    entry.keyboard.press("Alt+U")
    expect(entry.get_by_role("heading", name="転居の入力（仮登録）")).to_be_visible()
    expect(entry.get_by_test_id("returned-comment")).to_contain_text("原市1番地です。")
    expect(entry.get_by_label("上尾\u3000太郎", exact=True)).to_be_checked()
    expect(entry.get_by_label("上尾\u3000一郎", exact=True)).to_be_checked()
    expect(entry.get_by_label("異動日")).not_to_have_value("")
    expect(entry.locator("#id_addr-address")).to_have_value("埼玉県上尾市原市9番地")  # only the 番地 to change
    screenshot(entry, "approval-correct")
    entry.locator("#id_addr-address").fill("埼玉県上尾市原市1番地")
    entry.keyboard.press("Control+Enter")
    expect(entry.get_by_role("status")).to_contain_text(f"（差し戻された {wrong.movement_no} を修正）")
    fixed = Movement.objects.get(replaces=wrong)

    # the reviewer approves the correction: F6, ↓, Enter, Alt+A
    review.keyboard.press("F6")
    expect(review.get_by_test_id("queue-row").nth(1)).to_contain_text(fixed.movement_no)
    review.keyboard.press("ArrowDown")
    review.keyboard.press("Enter")
    expect(review.get_by_text(f"差し戻された {wrong.movement_no}")).to_be_visible()
    review.keyboard.press("Alt+A")
    expect(review.get_by_role("status")).to_contain_text(f"{fixed.movement_no} を本登録しました。")
    assert {r.address for r in Resident.objects.filter(household_no=household_no)} == {"埼玉県上尾市原市1番地"}
    wrong.refresh_from_db()
    assert wrong.state == Movement.State.DISCARDED
