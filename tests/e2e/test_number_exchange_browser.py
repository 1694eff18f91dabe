"""番号連携 in a real browser, by keyboard (issue 19; spec 7.2.1–7.2.3): the 支援措置責任者 answers a
自動応答不可 request (a refusal needs its reason), the 開示請求 desk shows a resident's
情報提供等記録 and hands it out as a PDF (print-logged), and the システム管理者 grants and revokes
the rights of a business system; a clerk without the role reaches none of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import Terminal
from jumin.accounts.services import add_linked_system
from jumin.audit.context import acting_as
from jumin.audit.models import OperationLog, PrintLog
from jumin.integrated_atena.models import BusinessGrant
from jumin.intermediate_server.models import ProvisionCopy, ProvisionRecord
from jumin.registry.models import Resident
from tests.conftest import make_operator
from tests.e2e.conftest import open_as
from tests.registry.conftest import fill_spare_codes, final, move_in_data, person

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.spec("7.2.2", partial=True)]


def _resident() -> Resident:
    fill_spare_codes()
    counter = make_operator("madoguchi", "上尾 花子", roles=("窓口入力",))
    reviewer = make_operator("shinsa", "平方 一郎", roles=("審査・決裁",))
    with acting_as(channel="screen", place="SHIMIN", terminal="SHIMIN-1"):
        final("move_in", move_in_data(person(surname="桶川", given_name="花子")), counter, reviewer)
    return Resident.objects.get(given_name="花子")


def _record(resident: Resident, inquiry_id: str, outcome: str, *, days_ago: int = 0) -> ProvisionRecord:
    asked = timezone.now() - timedelta(days=days_ago)
    return ProvisionRecord.objects.create(
        inquiry_id=inquiry_id,
        direction=ProvisionRecord.Direction.PROVISION,
        requester="NENKIN",
        provider="112194",
        affair="pension",
        item="resident_relations",
        law="番号法第19条第8号 別表第二 項番37",
        atena_no=resident.atena_no,
        asked_at=asked,
        outcome=outcome,
        answered_at=None if outcome == "deferred" else asked,
        keep_until=(asked + timedelta(days=7 * 366)).date(),
    )


def _menu(page: Page) -> None:
    page.keyboard.press("Shift+F6")
    expect(page.get_by_role("heading", name="番号連携（中間サーバー・団体内統合宛名）")).to_be_visible()


def test_the_support_officer_answers_a_deferred_request_by_keyboard(
    contexts: list[BrowserContext], browser: Browser, live_server: LiveServer, terminal: Terminal
) -> None:
    resident = _resident()
    ProvisionCopy.objects.create(
        atena_no=resident.atena_no, integrated_no="000000000000001", history_no=1, items={"name": resident.name}
    )
    _record(resident, "NENKIN-21", "deferred")
    officer = make_operator("shien", "支援 責任者", roles=("支援措置責任者",))
    page = open_as(contexts, browser, live_server, terminal, officer)
    _menu(page)
    page.keyboard.press("Alt+1")
    queue = page.get_by_test_id("deferred")
    expect(queue).to_contain_text("NENKIN-21")
    expect(queue).to_contain_text("国民年金の給付に関する事務")
    page.get_by_role("link", name="NENKIN-21").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("request")).to_contain_text("桶川\u3000花子")

    page.get_by_label("提供しない", exact=True).focus()
    page.keyboard.press("Space")
    page.keyboard.press("Alt+S")
    expect(page.get_by_text("提供しない場合は理由を入力してください。")).to_be_visible()
    page.get_by_label("理由（提供しない場合は必須）").fill("加害者からの照会のおそれがあるため")
    page.keyboard.press("Alt+S")
    expect(page.get_by_role("status")).to_contain_text("照会 NENKIN-21 に「不提供（手動判断）」で回答し")
    expect(page.get_by_test_id("deferred")).to_contain_text("手動回答を待っている照会はありません")
    record = ProvisionRecord.objects.get(inquiry_id="NENKIN-21")
    assert (record.outcome, record.answered_by, record.manual_reason) == (
        "withheld",
        "shien",
        "加害者からの照会のおそれがあるため",
    )
    assert not record.answer_sent, "no network here: sent by the next pass"


def test_the_disclosure_desk_shows_and_prints_the_records(
    contexts: list[BrowserContext], browser: Browser, live_server: LiveServer, terminal: Terminal
) -> None:
    resident = _resident()
    _record(resident, "NENKIN-31", "answered", days_ago=3)
    _record(resident, "NENKIN-32", "withheld", days_ago=1)
    page = open_as(contexts, browser, live_server, terminal, make_operator("kaiji", "開示 係", roles=("他部署照会",)))
    _menu(page)
    expect(page.get_by_role("link", name="自動応答不可の照会")).to_have_count(0)
    page.keyboard.press("Alt+2")
    page.get_by_label("宛名番号").fill("abc")
    page.keyboard.press("Enter")
    expect(page.get_by_text("宛名番号は数字で入力してください。")).to_be_visible()
    page.get_by_label("宛名番号").fill(resident.atena_no)
    page.keyboard.press("Enter")
    records = page.get_by_test_id("records")
    expect(records.locator("tbody tr")).to_have_count(2)
    expect(records.locator("tbody tr").first).to_contain_text("自動応答")
    expect(records.locator("tbody tr").last).to_contain_text("不提供（手動判断）")
    expect(records).to_contain_text("令和")
    assert resident.atena_no not in page.url, "the 宛名番号 travels in the body"
    with page.expect_download() as download:
        page.keyboard.press("Alt+P")
    assert download.value.suggested_filename.endswith(".pdf")
    body = download.value.path().read_bytes()
    assert body.startswith(b"%PDF") and (b"IPAmj" in body or b"HeiseiMin" in body)
    printed = PrintLog.objects.get(title="情報提供等記録の開示")
    assert printed.mode == "file" and printed.persons == [resident.atena_no] and printed.pages == 1


def test_the_administrator_grants_and_revokes_a_business_system(
    contexts: list[BrowserContext], browser: Browser, live_server: LiveServer, terminal: Terminal
) -> None:
    add_linked_system("JIDOU", "児童手当システム", [])
    admin = make_operator("kanri", "管理 者", roles=("システム管理者",))
    page = open_as(contexts, browser, live_server, terminal, admin)
    _menu(page)
    page.keyboard.press("Alt+3")
    expect(page.get_by_test_id("grants")).to_contain_text("付与されている権限はありません")
    page.get_by_label("付与先", exact=True).select_option("system")
    page.get_by_label("利用者ID・システムコード").fill("NOSUCH")
    page.get_by_label("業務", exact=True).select_option("child_allowance")
    page.keyboard.press("Alt+S")
    expect(page.get_by_text("そのシステムコードの連携システムは登録されていません。")).to_be_visible()

    page.get_by_label("利用者ID・システムコード").fill("JIDOU")
    page.get_by_label("業務", exact=True).select_option("child_allowance")
    for label in ("児童手当の支給に関する事務", "宛名連携を受け取る", "氏名", "生年月日"):
        page.get_by_label(label, exact=True).focus()
        page.keyboard.press("Space")
    page.keyboard.press("Alt+S")
    expect(page.get_by_role("status")).to_contain_text("権限を登録しました。")
    row = page.get_by_test_id("grants").locator("tbody tr").first
    expect(row).to_contain_text("連携システム JIDOU（児童手当システム）")
    expect(row).to_contain_text("氏名、生年月日")
    grant = BusinessGrant.objects.get()
    assert (grant.affairs, grant.may_read_feed, grant.feed_items) == (["child_allowance"], True, ["name", "birth"])

    page.get_by_role("button", name="児童手当 連携システム JIDOU（児童手当システム） の権限を取り消す").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("権限を取り消しました。")
    assert not BusinessGrant.objects.exists()
    assert OperationLog.objects.filter(action="integrated_atena.revoked").count() == 1


def test_a_clerk_without_a_role_reaches_no_number_exchange_screen(
    contexts: list[BrowserContext], browser: Browser, live_server: LiveServer, terminal: Terminal
) -> None:
    page = open_as(contexts, browser, live_server, terminal, make_operator("kansa", "監査 係", roles=("監査",)))
    expect(page.get_by_role("link", name="番号連携")).to_have_count(0)
    for path in ("/number-exchange/", "/number-exchange/deferred/", "/number-exchange/grants/"):
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 403, path
