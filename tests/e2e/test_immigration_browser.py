"""法務省通知 in a real browser: the reviewer opens the screen from the menu (Shift+F3), sees the
notice waiting for a review and the one on the 取込エラー一覧, opens the 仮登録 and approves it by
keyboard; the batch operator receives and sends with 「今すぐ受信・送信」 (Alt+S)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from peers.immigration import running
from peers.signed import write_public
from playwright.sync_api import Browser, BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import Terminal
from jumin.audit.context import acting_as
from jumin.immigration.inbound import receive_notice
from jumin.immigration.models import ReceivedNotice
from jumin.immigration.outbound import PEER_PUBLIC
from jumin.linkage import signing
from jumin.registry.models import Resident
from tests.conftest import make_operator
from tests.e2e.conftest import open_as
from tests.registry.conftest import fill_spare_codes, final
from tests.registry.test_foreign_movements import article_data, foreigner

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.spec("4.5.6")
def test_review_list_by_keyboard(
    contexts: list[BrowserContext],
    browser: Browser,
    live_server: LiveServer,
    terminal: Terminal,
    tmp_path: Path,
    settings: Any,
) -> None:
    settings.JUMIN_JUKINET_KEY_DIR = str(tmp_path)
    settings.JUMIN_MUNICIPALITY = {**settings.JUMIN_MUNICIPALITY, "lg_code": "112194"}
    fill_spare_codes()
    counter = make_operator("madoguchi", "上尾 花子", roles=("窓口入力",))
    reviewer = make_operator("shinsa", "平方 一郎", roles=("審査・決裁", "バッチ運用"))
    with acting_as(channel="screen", place="SHIMIN", terminal="SHIMIN-1"):
        final("article_30_46", article_data(foreigner()), counter, reviewer)
        receive_notice(
            {
                "notice_id": "MOJ-000001",
                "kind": "status",
                "effective_on": "2026-11-25",
                "residence_card_no": "AB12345678CD",
                "changes": {"residence_status": "高度専門職", "period_of_stay": "5年", "stay_expires_on": "2031-11-24"},
            }
        )
    key = Ed25519PrivateKey.generate()
    write_public(tmp_path / PEER_PUBLIC, key.public_key())
    with running(key=key, client_key=signing.own_key().public_key()) as ministry:
        settings.JUMIN_IMMIGRATION_URL = ministry.url
        ministry.book.send(
            {
                "notice_id": "MOJ-000002",
                "to": "112194",
                "kind": "departure",
                "effective_on": "2026-11-24",
                "residence_card_no": "XY99999999XY",
            }
        )
        page = open_as(contexts, browser, live_server, terminal, reviewer)
        page.keyboard.press("Shift+F3")
        expect(page.get_by_role("heading", name="法務省通知（出入国在留管理庁）")).to_be_visible()
        page.keyboard.press("Alt+S")
        expect(page.get_by_role("status")).to_contain_text(
            "法務省通知を1件受信しました（審査待ち 0件・取込エラー 1件）"
        )
        expect(page.get_by_role("status")).to_contain_text("市町村通知を1件送信しました")
        assert [n["kind"] for n in ministry.book.municipal_notices()] == ["record"]
    page.keyboard.press("Alt+E")
    errors = page.get_by_test_id("notices")
    expect(errors).to_contain_text("MOJ-000002")
    expect(errors).to_contain_text("該当する外国人住民が見つからないか")
    expect(errors).not_to_contain_text("MOJ-000001")
    page.keyboard.press("Alt+W")
    waiting = page.get_by_test_id("notices")
    expect(waiting).to_contain_text("在留資格・在留期間の変更")
    expect(waiting).to_contain_text("令和8年11月25日")
    waiting.get_by_role("link", name="を審査").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="確認用帳票")).to_be_visible()
    page.keyboard.press("Alt+A")
    expect(page.get_by_role("status")).to_contain_text("を本登録しました。")
    assert Resident.objects.get().residence_status == "高度専門職"
    assert ReceivedNotice.objects.get(notice_id="MOJ-000001").state == ReceivedNotice.State.APPLIED
