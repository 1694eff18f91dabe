"""閲覧台帳 in a real browser, by keyboard (住基法11条の2; spec 9.5, 20.3.1): the 閲覧 counter
receives a 申出, another operator approves it, the counter downloads the 閲覧用リスト (without
the protected person) and records the 閲覧, and the reviewer publishes the year's 閲覧状況."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import Terminal
from jumin.addresses.services import add_town
from jumin.audit.context import acting_as
from jumin.audit.models import PrintLog
from jumin.inspection.models import InspectionRequest
from jumin.protection.services import MeasureInput, create_measure
from jumin.registry.models import Resident
from tests.conftest import make_operator
from tests.e2e.conftest import open_as, typed_date
from tests.inspection.conftest import today
from tests.registry.conftest import fill_spare_codes, final, move_in_data, person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.spec("9.5", "20.3.1", "3.4", partial=True)
def test_request_approval_list_and_publication_by_keyboard(
    contexts: list[BrowserContext],
    browser: Browser,
    live_server: LiveServer,
    terminal: Terminal,
    other_terminal: Terminal,
) -> None:
    fill_spare_codes()
    entry = make_operator("madoguchi", "上尾 花子", roles=("窓口入力",))
    reviewer = make_operator("shinsa", "平方 一郎", roles=("審査・決裁",))
    officer = make_operator("shien", "支援 責任者", roles=("支援措置責任者",))
    clerk = make_operator("shomei", "証明 交付", roles=("証明書交付",))
    town = add_town("本町", "ホンマチ", has_chome=True)
    with acting_as(channel="screen", place="SHIMIN", terminal="SHIMIN-1"):
        for surname, given, banchi in (("桶川", "花子", "1番1号"), ("伊奈", "三郎", "5番3号")):
            final(
                "move_in",
                move_in_data(
                    person(surname=surname, given_name=given, koseki_head=f"{surname}　{given}"),
                    address={
                        "address": f"埼玉県上尾市本町二丁目{banchi}",
                        "address_code": str(town.address_code(2)),
                    },
                    effective=typed_date(-7),
                    notified_on=typed_date(-6),
                ),
                entry,
                reviewer,
            )
        protected = Resident.objects.get(given_name="花子")
        create_measure(
            MeasureInput(
                kind="dv",
                applicant_atena_no=protected.atena_no,
                accompanying=[],
                start_on=today(),
                reason="配偶者暴力相談支援センターの意見あり",
            ),
            by=officer,
        )

    # the 閲覧 counter receives the 申出 (統計・閲覧 menu: Shift+F7, then Alt+N, Alt+S)
    desk = open_as(contexts, browser, live_server, terminal, clerk)
    desk.keyboard.press("Shift+F7")
    expect(desk.get_by_role("heading", name="統計・閲覧 ＞ 閲覧台帳（住民基本台帳の一部の写しの閲覧）")).to_be_visible()
    desk.keyboard.press("Alt+N")
    desk.locator('[name="basis"]').select_option("art11_2")
    desk.locator('[name="requester_kind"]').select_option("individual")
    desk.locator('[name="requester_name"]').fill("大宮 太郎")
    desk.locator('[name="requester_address"]').fill("埼玉県さいたま市大宮区1番地")
    desk.locator('[name="purpose_category"]').select_option("non_commercial")
    desk.locator('[name="purpose"]').fill("訴訟の提起のための相手方の居住の確認")
    desk.locator('[name="purpose_summary"]').fill("訴訟の提起のための居住関係の確認")
    desk.get_by_label("本町").check()
    for name in ("requested_on", "period_start", "period_end"):
        desk.locator(f'[name="{name}"]').fill(typed_date(0))
    desk.locator('[name="list_order"]').select_option("address")
    desk.get_by_label("閲覧事項を利用目的以外に利用せず、第三者に提供しない旨の誓約を受けた").check()
    desk.locator('[name="inspector_name_1"]').fill("大宮 太郎")
    desk.locator('[name="inspector_document_1"]').select_option("my_number_card")
    desk.keyboard.press("Alt+S")
    expect(desk.get_by_role("status")).to_contain_text("を受け付けました")
    number = InspectionRequest.objects.get().request_no
    expect(desk.get_by_role("heading", name=f"閲覧申出 {number}【受付済（審査待ち）】")).to_be_visible()

    # another operator approves it (Alt+D)
    review = open_as(contexts, browser, live_server, other_terminal, reviewer)
    review.keyboard.press("Shift+F7")
    review.get_by_role("link", name=number).focus()
    review.keyboard.press("Enter")
    review.locator('[name="decision"]').select_option("approve")
    review.get_by_role("textbox", name="理由（記録されます）").fill("訴訟の準備のための居住確認と認める")
    review.keyboard.press("Alt+D")
    expect(review.get_by_role("status")).to_contain_text("承認しました。")

    # the counter downloads the list (Alt+L): the protected person is not on it
    desk.reload()
    desk.locator('[name="format"]').select_option("csv")
    with desk.expect_download() as download_info:
        desk.keyboard.press("Alt+L")
    rows = list(csv.reader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["氏名", "住所", "生年月日", "性別"]
    assert [row[0] for row in rows[1:]] == ["伊奈\u3000三郎"]
    assert PrintLog.objects.filter(document__startswith=f"閲覧用リスト csv 申出番号 {number}").exists()

    # the 閲覧 takes place: the counter records it (Alt+V)
    desk.locator('[name="inspected_on"]').fill(typed_date(0))
    desk.locator('[name="towns"]').first.check()
    desk.locator('[name="persons"]').fill("1")
    desk.locator('[name="inspectors"]').first.check()
    desk.get_by_label("閲覧者の本人確認書類を確認した").check()
    desk.keyboard.press("Alt+V")
    expect(desk.get_by_role("status")).to_contain_text("閲覧の実施を記録しました。")
    expect(desk.get_by_test_id("visits")).to_contain_text("本町")

    # the reviewer publishes the year (Shift+F7, Alt+P, then the year and Alt+P for the PDF)
    review.keyboard.press("Shift+F7")
    expect(review.get_by_test_id("requests")).to_contain_text(number)
    review.keyboard.press("Alt+P")
    review.get_by_role("textbox", name="年（令和8年・R8・2026 など）").fill(f"R{today().year - 2018}")
    review.keyboard.press("Enter")
    expect(review.get_by_test_id("publication-private")).to_contain_text("大宮 太郎")
    expect(review.get_by_test_id("publication-private")).to_contain_text("本町に住所を有する者")
    review.locator('[name="format"]').select_option("pdf")
    with review.expect_download() as download_info:
        review.keyboard.press("Alt+P")
    assert Path(download_info.value.path()).read_bytes().startswith(b"%PDF")
