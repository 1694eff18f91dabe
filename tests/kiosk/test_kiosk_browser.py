"""The コンビニ交付 screen in a real browser: the batch operator opens it from the menu by
keyboard (Shift+F9), reads the day's copies, fees and refusals by reason code, and reconciles
the day with the simulated 証明書交付センター (Alt+R) over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from peers.jpki import RunningSimulator
from peers.konbini import RunningCenter
from playwright.sync_api import Browser, BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import Terminal, User
from jumin.core import kiosk as k
from jumin.kiosk.models import KioskReconciliation
from tests.conftest import make_operator
from tests.e2e.conftest import (  # noqa: F401  (fixtures of the browser tests)
    CHROMIUM,
    _allow_orm_beside_playwright,
    browser_type_launch_args,
    contexts,
    open_as,
)
from tests.kiosk.test_kiosk_http import _card, _family, _kiosk

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.e2e,
    pytest.mark.spec("7.2.5", partial=True),
    pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)"),
]


def test_the_operator_reads_the_day_and_reconciles_by_keyboard(
    contexts: list[BrowserContext],  # noqa: F811
    browser: Browser,
    live_server: LiveServer,
    terminal: Terminal,
    counter: User,
    reviewer: User,
    jpki: RunningSimulator,
    center: RunningCenter,
    settings: Any,
) -> None:
    settings.JUMIN_KONBINI_CENTER_URL = center.url
    _family(counter, reviewer)
    card = _card(jpki)
    assert _kiosk(center, card, copies=2)["outcome"] == "issued"
    assert _kiosk(center, card, items=["resident_code"])["reason_code"] == k.BAD_REQUEST
    batch = make_operator("batch", "運用 担当", roles=("バッチ運用",))

    page = open_as(contexts, browser, live_server, terminal, batch)
    page.keyboard.press("Shift+F9")
    expect(page.get_by_role("heading", name="コンビニ交付")).to_be_visible()
    totals = page.get_by_test_id("totals")
    expect(totals).to_contain_text("2 通")
    expect(totals).to_contain_text(f"{2 * k.FEES['copy']} 円")
    expect(totals).to_contain_text(k.BAD_REQUEST)
    expect(page.get_by_test_id("requests")).to_contain_text("住民票の写し")
    expect(page.get_by_test_id("requests")).not_to_contain_text("上尾")  # nobody's name on this screen
    page.keyboard.press("Alt+R")
    expect(page.get_by_role("status")).to_contain_text("証明書交付センターの日計と一致しました（2 通・400 円）。")
    expect(page.get_by_test_id("reconciliation")).to_contain_text("一致")
    assert KioskReconciliation.objects.get().matched
