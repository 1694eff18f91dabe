"""電子申請 (申請管理) in a real browser, by keyboard: the clerk opens the list (Shift+F4), filters
it, opens an online 転出届, enters the pre-filled 特例転出 (Alt+N, Ctrl+Enter), another operator
approves it; the clerk returns another application with a 自治体コメント (Alt+U) and the resident
sees the statuses on the simulated portal."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from peers.eapplication import RunningSimulator
from playwright.sync_api import Browser, BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import Terminal, User
from jumin.applications.models import Application, Status
from jumin.applications.services import follow_movements, import_applications, send_statuses
from jumin.jukinet.move_out_certificates import receive_move_out_certificate
from jumin.registry.models import Resident
from peers import jpki
from tests.applications.conftest import (  # noqa: F401  (fixtures)
    _at_the_counter,
    advance_certificate,
    authority,
    call,
    counter,
    family,
    issue,
    key_dir,
    move_out_form,
    portal,
    reviewer,
    spare_codes,
    submit,
)
from tests.e2e.conftest import approve_latest, open_as, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_list_detail_move_out_and_bulk_status_by_keyboard(
    contexts: list[BrowserContext],
    browser: Browser,
    live_server: LiveServer,
    terminal: Terminal,
    other_terminal: Terminal,
    portal: RunningSimulator,  # noqa: F811
    authority: jpki.RunningSimulator,  # noqa: F811
    family: list[Resident],  # noqa: F811
    counter: User,  # noqa: F811
    reviewer: User,  # noqa: F811
) -> None:
    members = [
        {"name": "上尾 太郎", "relationship": "世帯主", "birth": "昭和55年4月1日"},
        {"name": "上尾 花子", "relationship": "妻", "birth": "昭和57年5月5日"},
    ]
    card = issue(authority)
    moving = submit(portal, card, form=move_out_form(members=members))
    other = submit(portal, issue(authority, address="埼玉県上尾市原市1番1号"))
    import_applications()

    desk = open_as(contexts, browser, live_server, terminal, counter)
    desk.keyboard.press("Shift+F4")
    expect(desk.get_by_role("heading", name="電子申請 ＞ 申請管理（転出届・転入予約）")).to_be_visible()
    expect(desk.get_by_test_id("applications")).to_contain_text(moving)
    desk.get_by_label("4情報照合").select_option("mismatch")
    desk.get_by_role("button", name="絞り込む（Enter）").focus()
    desk.keyboard.press("Enter")
    expect(desk.locator(f'[data-application="{other}"]')).to_have_count(1)
    expect(desk.locator(f'[data-application="{moving}"]')).to_have_count(0)
    screenshot(desk, "applications-list")

    # the mismatch says which item; the clerk returns it with a comment (Alt+U)
    desk.get_by_role("link", name=other).focus()
    desk.keyboard.press("Enter")
    expect(desk.get_by_test_id("reasons")).to_contain_text("住所")
    desk.get_by_label("新しい処理状況").select_option("returned")
    desk.get_by_label("自治体コメント（申請者に通知します）").fill("住所が住民票と異なります。窓口へお越しください。")
    desk.keyboard.press("Alt+U")
    expect(desk.get_by_role("status")).to_contain_text("1件の処理状況を「返戻（補正依頼）」にしました")
    expect(desk.get_by_test_id("applications")).to_contain_text("返戻（補正依頼）")

    # the matched 転出届: the detail, then the pre-filled 転出 (Alt+N), 仮登録 (Ctrl+Enter)
    desk.keyboard.press("Shift+F4")
    desk.get_by_role("link", name=moving).focus()
    desk.keyboard.press("Enter")
    expect(desk.get_by_test_id("match")).to_contain_text("一致")
    expect(desk.get_by_test_id("signature")).to_contain_text("署名検証OK")
    screenshot(desk, "applications-detail")
    desk.keyboard.press("Alt+N")
    expect(desk.locator('[name="addr-address"]')).to_have_value("東京都港区芝公園4丁目2番8号")
    expect(desk.locator('[name="special_move_out"]')).to_be_checked()
    for resident in family:
        expect(desk.locator(f'[name="atena_nos"][value="{resident.atena_no}"]')).to_be_checked()
    desk.keyboard.press("Control+Enter")
    expect(desk.get_by_role("status")).to_contain_text("仮登録しました")
    assert Application.objects.get(application_id=moving).status == Status.IN_REVIEW

    review = open_as(contexts, browser, live_server, other_terminal, reviewer)
    approve_latest(review, live_server)
    assert follow_movements() == 1
    desk.goto(f"{live_server.url}/applications/{moving}/")
    expect(desk.get_by_test_id("status")).to_contain_text("完了")
    expect(desk.get_by_test_id("movement")).to_contain_text("本登録")

    assert send_statuses().sent == 3
    statuses = {
        a: [s["status"] for s in json.loads(call(portal.url, f"/resident/applications/{a}")[1])["statuses"]]
        for a in (moving, other)
    }
    assert statuses == {moving: ["in_review", "completed"], other: ["returned"]}


def test_a_move_in_reservation_opens_the_pre_filled_special_move_in_by_keyboard(
    contexts: list[BrowserContext],
    browser: Browser,
    live_server: LiveServer,
    terminal: Terminal,
    portal: RunningSimulator,  # noqa: F811
    authority: jpki.RunningSimulator,  # noqa: F811
    counter: User,  # noqa: F811
) -> None:
    today = timezone.localdate()
    card = issue(
        authority,
        name="芝\u3000花子",
        address="東京都港区芝公園4丁目2番8号",
        birth="昭和60年5月5日",
        sex="女",
        individual_number="234567890121",
    )
    form = {
        "name": "芝　花子",
        "birth": "昭和60年5月5日",
        "planned_move_in_on": (today - timedelta(days=1)).isoformat(),
        "visit_on": today.isoformat(),
        "new_address": {"address": "埼玉県上尾市本町三丁目5番5号", "postcode": "3620014"},
    }
    reservation = submit(portal, card, "move_in_reservation", form)
    import_applications()
    receive_move_out_certificate(advance_certificate(today - timedelta(days=3)))

    desk = open_as(contexts, browser, live_server, terminal, counter)
    desk.keyboard.press("Shift+F4")
    expect(desk.locator(f'[data-application="{reservation}"]')).to_contain_text("転入予約")
    desk.get_by_role("link", name=reservation).focus()
    desk.keyboard.press("Enter")
    expect(desk.get_by_test_id("certificates")).to_contain_text("港区からの転出証明書情報")
    desk.keyboard.press("Alt+N")
    expect(desk.locator('[name="addr-address"]')).to_have_value("埼玉県上尾市本町三丁目5番5号")
    expect(desk.locator('[name="prev-address"]')).to_have_value("東京都港区芝公園4丁目2番8号")
    expect(desk.locator('[name="p-0-surname"]')).to_have_value("芝")
    screenshot(desk, "applications-move-in")
