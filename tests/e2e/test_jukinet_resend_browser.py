"""「異動事由を変更しての再送」 in a real browser (spec 7.1.1.1): the 都道府県サーバ simulator refused a
本人確認情報 for its 異動事由; the operator opens 住基ネット連携状況 by keyboard (Alt+G), sees the refusal
explained, picks another 異動事由 (Alt+J, arrow keys) and re-sends it (Tab, Enter).  The next
dispatcher pass delivers the replacement with item 30 異常時更新順番号 over HTTP, then the telegram
that waited behind it; the refused one stays listed as 「再送により置換」."""

from __future__ import annotations

import pytest
from peers.prefecture import RunningSimulator
from playwright.sync_api import Browser, BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import Terminal, User
from jumin.jukinet.dispatch import send_pending
from jumin.jukinet.models import IdentityRecord, Telegram
from jumin.jukinet.services import build_from_outbox
from jumin.linkage import signing
from tests.conftest import make_operator
from tests.e2e.conftest import open_as, screenshot
from tests.jukinet.conftest import key_dir, prefecture, prefecture_key  # noqa: F401  (fixtures)
from tests.registry.conftest import (  # noqa: F401  (fixtures)
    _at_the_counter,
    counter,
    final,
    move_in_data,
    person,
    reviewer,
    spare_codes,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.spec("7.1.1.1", partial=True)]


def test_the_operator_resends_a_refused_telegram_with_another_reason_by_keyboard(
    contexts: list[BrowserContext],
    browser: Browser,
    live_server: LiveServer,
    terminal: Terminal,
    counter: User,  # noqa: F811
    reviewer: User,  # noqa: F811
    prefecture: RunningSimulator,  # noqa: F811
) -> None:
    first = final("move_in", move_in_data(person(given_name="一郎")), counter, reviewer).items.get().atena_no
    final("move_in", move_in_data(person(given_name="二郎")), counter, reviewer)
    build_from_outbox()
    code = IdentityRecord.objects.get(atena_no=first).resident_code
    prefecture.book.records[code] = {"resident_code": code, "record_status": "current"}  # held 現存 already
    assert send_pending().blocked == {"prefecture": 1}
    operator = make_operator("jukiadmin", "住基 担当", roles=("バッチ運用", "窓口入力"))

    page = open_as(contexts, browser, live_server, terminal, operator)
    page.keyboard.press("Alt+G")
    expect(page.get_by_role("heading", name="住基ネット連携状況")).to_be_visible()
    row = page.get_by_test_id("telegrams").locator("tr[data-seq='1']")
    expect(row).to_contain_text("異動事由が合わないため受け付けませんでした")
    expect(row).to_contain_text("異動事由を変更して再送")

    page.keyboard.press("Alt+J")
    select = page.locator(f"#reason-{Telegram.objects.get(seq=1).pk}")
    expect(select).to_be_focused()
    for _ in range(80):  # down the closed list to 「職権修正（修正）」
        if select.input_value() == "ex_officio_correction":
            break
        page.keyboard.press("ArrowDown")
    assert select.input_value() == "ex_officio_correction"
    page.keyboard.press("Tab")
    expect(row.get_by_role("button", name="異動事由を変更して再送")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("更新順番号 3（異常時更新順番号 1）")
    expect(page.get_by_test_id("telegrams").locator("tr[data-seq='1']")).to_contain_text("再送により置換")
    expect(page.get_by_test_id("telegrams").locator("tr[data-seq='3']")).to_contain_text("更新順番号 1 の再送")
    screenshot(page, "jukinet-resend")

    result = send_pending()
    assert (result.sent, result.failed) == (2, 0)
    kid = signing.key_id(signing.own_key().public_key())
    assert prefecture.book.sequence(kid) == [3, 2]
    assert prefecture.book.records[code]["error_update_seq"] == 1
    page.keyboard.press("Alt+L")
    expect(page.get_by_role("heading", name="CS送信一覧表")).to_be_visible()
    expect(page.get_by_test_id("sent")).to_contain_text("3（異常時更新順番号 1）")
