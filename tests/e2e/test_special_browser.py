"""特例転入 in a real browser (spec 4.1.1.3): the 特例転入予定者一覧 from the menu, 「転入を作成」 opens
the 転入 entry screen pre-filled from the 転出証明書情報, the counter corrects and stores the
仮登録, a reviewer approves it — by keyboard; past the deadline the screen refuses it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import Terminal
from jumin.jukinet.models import ReceivedMoveOutCertificate
from jumin.jukinet.move_out_certificates import receive_move_out_certificate
from jumin.registry.models import Movement, Resident
from jumin.registry.numbers import individual_number_lookup
from tests.conftest import make_operator
from tests.e2e.conftest import approve_latest, open_as, typed_date
from tests.jukinet.test_special_move import NUMBER, certificate

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.spec("4.1.1.3", "2.3.2", partial=True)
def test_the_counter_makes_a_special_move_in_from_the_pending_list(
    browser: Browser,
    live_server: LiveServer,
    terminal: Terminal,
    other_terminal: Terminal,
    contexts: list[BrowserContext],
) -> None:
    from tests.registry.conftest import fill_spare_codes

    fill_spare_codes()
    today = timezone.localdate()
    sent = certificate("k-browser", planned=today - timedelta(days=3))
    receive_move_out_certificate(sent)
    receive_move_out_certificate(
        certificate(
            "k-late",
            planned=today - timedelta(days=45),
            move_out_no="M-9",
            name="遅\u3000延",
            surname="遅",
            given_name="延",
        )
    )
    counter = make_operator("madoguchi", "上尾 花子", roles=("窓口入力",))
    reviewer = make_operator("shinsa", "平方 一郎", roles=("審査・決裁",))
    entry = open_as(contexts, browser, live_server, terminal, counter)
    review = open_as(contexts, browser, live_server, other_terminal, reviewer)

    entry.keyboard.press("Alt+Z")
    expect(entry.get_by_role("heading", name="特例転入予定者一覧（転出証明書情報）")).to_be_visible()
    rows = entry.get_by_role("table", name="特例転入予定者")
    expect(rows).to_contain_text("芝\u3000花子")
    expect(rows).to_contain_text("港区")
    expect(rows).to_contain_text("令和")  # 和暦 dates

    # the late one (planned 45 days ago) is listed first and refused
    entry.keyboard.press("Alt+1")
    expect(entry.get_by_role("heading", name="特例転入の入力（仮登録）")).to_be_visible()
    expect(entry.locator("#id_p-0-surname")).to_have_value("遅")
    entry.get_by_label("異動日").fill(typed_date(-1))
    entry.keyboard.press("Control+Enter")
    expect(entry.get_by_role("alert").first).to_contain_text("特例転入の期限を過ぎています")
    assert not Movement.objects.exists()

    entry.keyboard.press("Escape")
    expect(entry.get_by_role("heading", name="特例転入予定者一覧（転出証明書情報）")).to_be_visible()
    entry.keyboard.press("Alt+2")
    expect(entry.get_by_role("heading", name="特例転入の入力（仮登録）")).to_be_visible()
    expect(entry.locator("#id_p-0-surname")).to_have_value("芝")
    expect(entry.locator("#id_p-0-resident_code")).to_have_value(sent["resident_code"])
    expect(entry.locator("#id_prev-address")).to_have_value(sent["address"])
    expect(entry.locator("#id_addr-address")).to_have_value(sent["destination"])
    entry.locator("#id_addr-katagaki").fill("コーポ上尾 101号室")  # corrected at the counter
    entry.get_by_label("異動日").fill(typed_date(-1))
    entry.keyboard.press("Control+Enter")
    expect(entry.get_by_role("status")).to_contain_text("特例転入を仮登録しました")
    approve_latest(review, live_server)

    resident = Resident.objects.get(resident_code=sent["resident_code"])
    assert resident.katagaki == "コーポ上尾 101号室" and resident.name == "芝\u3000花子"
    assert resident.individual_number_lookup == individual_number_lookup(NUMBER)
    assert ReceivedMoveOutCertificate.objects.get(certificate_id="k-browser").state == "used"
    entry.goto(f"{live_server.url}/jukinet/special/")
    expect(entry.get_by_role("table", name="特例転入予定者")).not_to_contain_text("芝\u3000花子")
