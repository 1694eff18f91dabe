"""The 住基ネット operator screen in a real browser (spec 7.1.1.1): the batch operator opens
住基ネット連携状況 from the menu by keyboard, sees the failed telegram explained in Japanese and
sends it again with Alt+S; the next dispatcher pass delivers it to the prefecture simulator."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from peers.prefecture import RunningSimulator
from playwright.sync_api import Browser, BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import Terminal, User
from jumin.jukinet.dispatch import send_pending
from jumin.jukinet.models import Telegram
from jumin.jukinet.services import build_from_outbox
from tests.conftest import make_operator
from tests.e2e.conftest import (  # noqa: F401  (fixtures of the browser tests)
    CHROMIUM,
    _allow_orm_beside_playwright,
    browser_type_launch_args,
    contexts,
    open_as,
)
from tests.registry.conftest import final, move_in_data, person

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.e2e,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)"),
]


def _down(simulator: RunningSimulator, down: bool) -> None:
    body = json.dumps({"down": down}).encode()
    request = urllib.request.Request(simulator.url + "/control", data=body, method="POST")
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=5):
        pass


@pytest.mark.spec("7.1.1.1", partial=True)
def test_the_batch_operator_resends_a_failed_telegram_by_keyboard(
    contexts: list[BrowserContext],  # noqa: F811
    browser: Browser,
    live_server: LiveServer,
    terminal: Terminal,
    counter: User,
    reviewer: User,
    key_dir: Path,
    prefecture: RunningSimulator,
) -> None:
    final("move_in", move_in_data(person()), counter, reviewer)
    build_from_outbox()
    _down(prefecture, True)
    send_pending()
    _down(prefecture, False)
    batch = make_operator("batch", "運用 担当", roles=("バッチ運用",))

    page = open_as(contexts, browser, live_server, terminal, batch)
    page.keyboard.press("Alt+G")
    expect(page.get_by_role("heading", name="住基ネット連携状況")).to_be_visible()
    row = page.get_by_test_id("telegrams").locator("tr[data-seq='1']")
    expect(row).to_contain_text("送信エラー")
    expect(row).to_contain_text("相手先が保守中または障害中のため受け付けませんでした。")
    expect(page.get_by_test_id("destinations")).to_contain_text("都道府県サーバ（本人確認情報）")

    page.keyboard.press("Alt+S")
    expect(page.get_by_role("status")).to_contain_text("更新順番号 1 を次回の送信（jumin jukinet send）で再送します。")
    assert send_pending().sent == 1
    assert Telegram.objects.get().state == Telegram.State.SENT

    page.keyboard.press("Alt+L")
    expect(page.get_by_role("heading", name="CS送信一覧表")).to_be_visible()
    expect(page.get_by_test_id("sent")).to_contain_text("受付")
