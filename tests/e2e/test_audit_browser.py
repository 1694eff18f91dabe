"""The audit screens in a real browser (issue 17): the auditor opens 監査 (F7) by keyboard,
picks 住民ごとのアクセス, and reads who looked at the person by name, where, on which screen,
and when in 和暦 — not the codes the logs store."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import Terminal
from jumin.audit.context import acting_as
from jumin.audit.services import record_access
from tests.conftest import make_operator
from tests.e2e.conftest import open_as, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
TOKYO = ZoneInfo("Asia/Tokyo")


def test_auditor_reads_names_and_wareki_times(
    contexts: list[BrowserContext], browser: Browser, live_server: LiveServer, terminal: Terminal
) -> None:
    make_operator("madoguchi", "上尾 花子", roles=("窓口入力",))
    auditor = make_operator("kansa", "大石 三郎", roles=("監査",))
    with acting_as(operator="madoguchi", channel="screen", place=terminal.place.code, terminal=terminal.code):
        record_access(
            at=datetime(2026, 11, 2, 10, 5, 9, tzinfo=TOKYO),
            purpose="registry.person",
            action="view",
            persons=["0000000060"],
        )
    page = open_as(contexts, browser, live_server, terminal, auditor)

    page.keyboard.press("F7")
    expect(page.get_by_role("heading", name="監査ログの分析")).to_be_visible()
    page.get_by_role("link", name="住民ごとのアクセス（開示請求）").focus()
    page.keyboard.press("Enter")
    page.get_by_label("宛名番号").fill("0000000060")
    page.get_by_label("期間（から）").fill("R8.11.1")
    page.get_by_label("期間（まで）").fill("R8.11.30")
    page.keyboard.press("Enter")
    table = page.locator("table.data")
    expect(table).to_contain_text("上尾 花子（madoguchi）")
    expect(table).to_contain_text("令和8年11月2日 10時05分09秒")
    expect(table).to_contain_text("個人照会")
    expect(table).to_contain_text(terminal.name)
    expect(table).not_to_contain_text("registry.person")
    screenshot(page, "audit-report")
