"""The 連携状況 screen in a real browser (issue 16): the batch operator opens it from the menu by
keyboard (Alt+V), reads which queue stopped and why, and sends the failed rows again with the
keyboard; the telegram reaches the prefecture simulator over real HTTP."""

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
    screenshot,
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


def test_the_operator_finds_the_stopped_queue_and_resends_by_keyboard(
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
    page.keyboard.press("Alt+V")
    expect(page.get_by_role("heading", name="連携状況", exact=True)).to_be_visible()
    queues = page.get_by_test_id("queues")
    outbox = queues.locator("tr[data-queue='linkage.outbox'][data-key='jukinet_cs']")
    expect(outbox).to_contain_text("アウトボックス（住基ネットCS）")
    row = queues.locator("tr[data-queue='jukinet.telegrams'][data-key='prefecture']")
    expect(row).to_contain_text("都道府県サーバ（本人確認情報）")
    expect(row).to_contain_text("更新順番号 1")
    expect(row).to_contain_text("相手先が保守中または障害中のため受け付けませんでした。")
    screenshot(page, "linkage-status")

    expect(row.get_by_role("button")).to_contain_text("今すぐ再送（1 件）")
    page.keyboard.press("Alt+S")  # the first queue that can be sent again
    expect(page.get_by_role("status")).to_contain_text("送信エラー 1 件を再送しました（送信 1 件、エラー 0 件）。")
    assert Telegram.objects.get().state == Telegram.State.SENT
    expect(row).to_contain_text("—")
    assert prefecture.book.received, "the simulator received the telegram"
