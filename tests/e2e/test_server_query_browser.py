"""本人確認情報照会 to the 全国サーバ in a real browser (assessment system 2, function 5; spec 7.1.1.1):
from 本人確認 by keyboard (Alt+W), the counter asks the simulated 全国サーバ (peers.national, signed
HTTP) by 氏名＋生年月日, sees the match with the numbers masked and the 記録日時 in 和暦, is refused
氏名 alone, and gets a clear message when the server is down; every query is access-logged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from peers.prefecture import RunningSimulator
from peers.signed import write_public
from playwright.sync_api import Browser, BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import Terminal
from jumin.audit.models import AccessLog
from jumin.jukinet.identity_search import MASK_NUMBER
from jumin.jukinet.server_query import PURPOSE
from jumin.linkage import signing
from peers import national
from tests.conftest import make_operator
from tests.e2e.conftest import open_as, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

NUMBER = "987654321018"


@pytest.fixture
def national_server(tmp_path: Path, settings: Any) -> Iterator[RunningSimulator]:
    settings.JUMIN_JUKINET_KEY_DIR = str(tmp_path)
    key = Ed25519PrivateKey.generate()
    write_public(tmp_path / national.OWN_PUBLIC, key.public_key())
    book = national.NationalBook()
    book.records["12345678901"] = {
        "resident_code": "12345678901",
        "individual_number": NUMBER,
        "name": "千代田\u3000一郎",
        "furigana": "ちよだ\u3000いちろう",
        "birth_text": "昭和60年5月6日",
        "sex": "1",
        "municipality_code": "131016",
        "address": "東京都千代田区千代田1番地",
        "record_status": "current",
        "recorded_at": "2024-05-01T01:02:03+00:00",
    }
    with national.running(key=key, client_key=signing.own_key().public_key(), book=book) as simulator:
        settings.JUMIN_NATIONAL_URL = simulator.url
        settings.JUMIN_NATIONAL_TIMEOUT = 2.0
        yield simulator


@pytest.mark.spec("7.1.1.1", partial=True)
def test_counter_queries_the_national_server_by_keyboard(
    contexts: list[BrowserContext],
    browser: Browser,
    live_server: LiveServer,
    terminal: Terminal,
    national_server: RunningSimulator,
) -> None:
    counter = make_operator("madoguchi", "上尾 花子", roles=("窓口入力",))
    page = open_as(contexts, browser, live_server, terminal, counter)
    page.keyboard.press("Alt+O")
    expect(page.get_by_role("heading", name="本人確認（個人番号カードの照合）")).to_be_visible()
    page.keyboard.press("Alt+W")
    expect(page.get_by_role("heading", name="本人確認情報照会（全国サーバ・都道府県サーバ）")).to_be_visible()
    expect(page.get_by_label("照会先")).to_be_focused()
    expect(page.get_by_label("個人番号")).to_have_count(0)  # the counter may not search by it

    page.keyboard.press("Tab")
    page.keyboard.type("チヨダ イチロウ")
    page.get_by_label("生年月日（和暦・西暦）").fill("S60.5.6")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("result-count")).to_have_text("1")
    hit = page.get_by_test_id("remote-hit")
    expect(hit).to_contain_text("千代田\u3000一郎")
    expect(hit).to_contain_text("昭和60年5月6日")
    expect(hit).to_contain_text("令和6年5月1日 10時02分")
    expect(hit).to_contain_text(MASK_NUMBER)
    assert NUMBER not in page.content()
    screenshot(page, "server-query")

    page.get_by_label("生年月日（和暦・西暦）").fill("")
    page.get_by_label("生年月日（和暦・西暦）").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("氏名＋生年月日")
    expect(page.get_by_test_id("remote-results")).to_have_count(0)

    national_server.stop()
    page.get_by_label("生年月日（和暦・西暦）").fill("S60.5.6")
    page.get_by_label("生年月日（和暦・西暦）").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("全国サーバに接続できません")

    logs = AccessLog.objects.filter(purpose=PURPOSE).order_by("id")
    assert [(a.criteria["_outcome"], a.result_count) for a in logs] == [
        ("ok", 1),
        ("search.criteria_not_allowed", 0),
        ("jukinet.query_unavailable", 0),
    ]
