"""本人確認 and 本人確認情報検索 in a real browser: the counter opens 本人確認 by keyboard, the
simulated card reader (the 認証局 simulator of peers.jpki over HTTP, real ECDSA) shows the card put
on it, one key reads it and the result comes item by item; a revoked card is refused; then the
本人確認情報検索 finds the person by 氏名＋生年月日 and refuses 氏名 alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from peers.jpki.server import RunningSimulator, running
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import Terminal
from jumin.audit.context import acting_as
from jumin.audit.models import AccessLog
from jumin.jukinet import identity_check, identity_search
from jumin.jukinet.models import IdentityRecord
from jumin.jukinet.services import build_from_outbox
from tests.conftest import make_operator
from tests.e2e.conftest import open_as, screenshot
from tests.registry.conftest import fill_spare_codes, final, move_in_data, person

pytestmark = pytest.mark.django_db(transaction=True)

NUMBER = "123456789018"


def _present(page: Page, name: str) -> None:
    """The card is on the reader: the clerk checks the name on it and presses Alt+S."""
    expect(page.get_by_test_id("reader-cards")).to_contain_text(name)
    page.keyboard.press("Alt+S")


@pytest.fixture
def simulator() -> Iterator[RunningSimulator]:
    """The simulated 認証局 playing the card reader, over HTTP."""
    with running() as serving:
        yield serving


@pytest.mark.spec("7.1.1.1", partial=True)
def test_counter_checks_a_card_and_searches_identity_records(
    contexts: list[BrowserContext],
    browser: Browser,
    live_server: LiveServer,
    terminal: Terminal,
    tmp_path: Path,
    settings: Any,
    simulator: RunningSimulator,
) -> None:
    settings.JUMIN_JUKINET_KEY_DIR = str(tmp_path)
    reader = simulator
    authority = reader.authority
    settings.JUMIN_CARD_READER = "simulator"
    settings.JUMIN_CARD_READER_URL = reader.url
    (tmp_path / identity_check.CA_FILE).write_bytes(authority.pem)
    fill_spare_codes()
    counter = make_operator("madoguchi", "上尾 花子", roles=("窓口入力",))
    reviewer = make_operator("shinsa", "平方 一郎", roles=("審査・決裁",))
    with acting_as(channel="screen", place="SHIMIN", terminal="SHIMIN-1"):
        final("move_in", move_in_data(person(individual_number=NUMBER)), counter, reviewer)
        build_from_outbox()
    record = IdentityRecord.objects.get()
    page = open_as(contexts, browser, live_server, terminal, counter)

    page.keyboard.press("Alt+O")
    expect(page.get_by_role("heading", name="本人確認（個人番号カードの照合）")).to_be_visible()
    expect(page.get_by_test_id("reader-empty")).to_be_visible()  # no card on the reader yet

    card = reader.repository.issue(
        name=record.name, address=record.address, birth=record.birth_text, sex="男", individual_number=NUMBER
    )
    (tmp_path / identity_check.CRL_FILE).write_bytes(authority.crl_pem())
    page.keyboard.press("Alt+R")  # the card is put on the reader: read it again
    _present(page, record.name)
    expect(page.get_by_test_id("identity-outcome")).to_have_text("本人確認情報と一致しました。")
    rows = page.get_by_test_id("identity-item")
    expect(rows).to_have_count(4)
    for label in ("氏名", "住所", "生年月日", "性別"):
        expect(page.locator(f'[data-item="{label}"]')).to_contain_text("一致")
    expect(page.get_by_test_id("identity-items")).not_to_contain_text("不一致")
    screenshot(page, "card-check")

    # the card is revoked (失効): the next check refuses it
    authority.revoke(card)
    (tmp_path / identity_check.CRL_FILE).write_bytes(authority.crl_pem())
    _present(page, record.name)
    expect(page.get_by_test_id("identity-outcome")).to_contain_text("失効")
    expect(page.get_by_test_id("identity-item")).to_have_count(0)
    assert NUMBER not in page.content()

    page.keyboard.press("Alt+Q")
    expect(page.get_by_role("heading", name="本人確認情報検索")).to_be_visible()
    page.get_by_label("氏名（漢字・カナ・アルファベット）").fill("アゲオ タロウ")
    page.get_by_label("生年月日（和暦・西暦）").fill("S55.4.1")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("result-count")).to_have_text("1")
    hit = page.get_by_test_id("hit")
    expect(hit).to_contain_text("上尾\u3000太郎")
    expect(hit).to_contain_text(identity_search.MASK_NUMBER)
    expect(hit).to_contain_text("現存")
    expect(page.get_by_label("生年月日（和暦・西暦）")).to_have_value("S55.4.1")

    page.get_by_label("生年月日（和暦・西暦）").fill("")
    page.get_by_label("生年月日（和暦・西暦）").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("氏名＋生年月日")
    expect(page.get_by_test_id("results")).to_have_count(0)

    checks = AccessLog.objects.filter(purpose=identity_check.PURPOSE).order_by("id")
    assert [c.criteria["result"] for c in checks] == ["identity.verified", "identity.revoked"]
    assert checks[0].persons == [record.atena_no]
    searches = AccessLog.objects.filter(purpose=identity_search.PURPOSE).order_by("id")
    assert [s.criteria["_outcome"] for s in searches] == ["ok", "search.criteria_not_allowed"]
