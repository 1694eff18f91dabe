"""Certificates in a real browser (issue 7): the clerk opens 証明書交付 from the menu by
keyboard, fills the request for a household, looks at the 見本, issues with Ctrl+Enter, reads
the printed PDF back, and finds the copy in the 交付履歴; anyone (no login, no terminal) checks
the copy on the public verification page."""

from __future__ import annotations

import io
from datetime import date

import pdfplumber
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import Terminal
from jumin.audit.context import acting_as
from jumin.certificates.models import Certifier, Issuance
from jumin.registry.models import Resident
from tests.conftest import make_operator
from tests.e2e.conftest import open_as, screenshot
from tests.registry.conftest import fill_spare_codes, final, move_in_data, person

pytestmark = pytest.mark.django_db(transaction=True)


def text_of(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages).replace(" ", "")


class Printed:
    """The PDFs the server sent to the browser.  Chromium shows an inline PDF in its viewer
    (the response body it reports is the viewer's page), so the bytes are taken on the way
    in: the request goes on to the server unchanged and its answer is handed to the page."""

    def __init__(self, context: BrowserContext) -> None:
        self.pdfs: list[bytes] = []
        context.route("**/certificates/**", self._pass)

    def _pass(self, route: Route) -> None:
        response = route.fetch()
        if response.headers.get("content-type") == "application/pdf":
            self.pdfs.append(response.body())
        route.fulfill(response=response)

    def wait(self, page: Page, count: int) -> bytes:
        for _ in range(300):
            if len(self.pdfs) >= count:
                break
            page.wait_for_timeout(100)
        assert len(self.pdfs) >= count, "no PDF arrived"
        pdf = self.pdfs[count - 1]
        assert pdf.startswith(b"%PDF")
        return pdf


def _household() -> Resident:
    fill_spare_codes()
    counter = make_operator("madoguchi", "上尾 花子", roles=("窓口入力",))
    reviewer = make_operator("shinsa", "平方 一郎", roles=("審査・決裁",))
    with acting_as(channel="screen", place="SHIMIN", terminal="SHIMIN-1"):
        final(
            "move_in",
            move_in_data(
                person(),
                person(given_name="花子", furigana_given_name="ハナコ", sex="2", relationship="妻", birth="S57.6.3"),
            ),
            counter,
            reviewer,
        )
    Certifier.objects.create(
        role=Certifier.Role.MAYOR,
        title="上尾市長",
        name="畠山　稔",
        valid_from=date(2020, 1, 1),
        seal_text="上尾市長之印",
    )
    return Resident.objects.get(given_name="太郎")


def _fill_request(page: Page, head: Resident) -> None:
    """By keyboard: type into each field of the request, as the counter does."""
    page.get_by_label("宛名番号（証明する方）").fill(head.atena_no)
    page.get_by_label("様式").select_option("household")
    page.get_by_label("請求の種別").select_option("self")
    page.get_by_label("請求者（申出者）の氏名・名称").fill("上尾　太郎")
    page.get_by_label("請求者の宛名番号（本人等・委任者）").fill(head.atena_no)
    page.get_by_label("本人確認書類").select_option("mynumber_card")
    page.get_by_label("通数").fill("1")


@pytest.mark.spec("5.1", "5.5", "1.3.8", "2.2.2", partial=True)
def test_clerk_previews_issues_and_finds_the_copy(
    contexts: list[BrowserContext], browser: Browser, live_server: LiveServer, terminal: Terminal
) -> None:
    head = _household()
    clerk = make_operator("shomei", "証明 交付", roles=("証明書交付",))
    page = open_as(contexts, browser, live_server, terminal, clerk)

    page.keyboard.press("Alt+I")
    expect(page.get_by_role("heading", name="証明書の交付", exact=False)).to_be_visible()
    expect(page.get_by_label("宛名番号（証明する方）")).to_be_focused()  # autofocus: type at once
    _fill_request(page, head)

    # 見本 (Alt+P) opens in a new tab and is not issued
    printed = Printed(page.context)
    with page.context.expect_page() as sample_tab:
        page.keyboard.press("Alt+P")
    sample = text_of(printed.wait(sample_tab.value, 1))
    assert "【見本】" in sample and "上尾太郎" in sample and "上尾花子" in sample
    assert not Issuance.objects.exists()

    # 交付して印刷 (Ctrl+Enter): the PDF with its 発行番号, in a new tab; the form stays
    page.bring_to_front()
    page.get_by_label("通数").focus()
    with page.context.expect_page() as copy_tab:
        page.keyboard.press("Control+Enter")
    pdf = printed.wait(copy_tab.value, 2)
    row = Issuance.objects.get()
    body = text_of(pdf)
    assert "【見本】" not in body and "上尾太郎" in body and "上尾花子" in body
    assert row.issue_no.replace(" ", "") in body and terminal.name in row.issue_no

    # the form is still there with what was typed, then 交付履歴 (Alt+H): the row of the copy
    page.bring_to_front()
    expect(page.get_by_role("heading", name="証明書の交付", exact=False)).to_be_visible()
    expect(page.get_by_label("請求者（申出者）の氏名・名称")).to_have_value("上尾　太郎")
    page.keyboard.press("Alt+H")
    expect(page.get_by_role("heading", name="交付履歴", exact=False)).to_be_visible()
    page.get_by_label("宛名番号").fill(head.atena_no)
    page.keyboard.press("Enter")
    line = page.locator(f'[data-issue-no="{row.issue_no}"]')
    expect(line).to_contain_text("住民票の写し（世帯連記式）")
    expect(line).to_contain_text("shomei")
    expect(line).to_contain_text("交付")

    # anyone checks the copy: no login, no enrolled terminal, nothing personal shown
    anonymous = browser.new_context(locale="ja-JP")
    contexts.append(anonymous)
    visitor = anonymous.new_page()
    visitor.goto(f"{live_server.url}/verify/?n={row.issue_no}&s={row.signature}")
    verdict = visitor.get_by_test_id("verify-verdict")
    expect(verdict).to_contain_text("に交付されています。")
    expect(visitor.get_by_test_id("verify-signature")).to_contain_text("正しい")
    visitor.get_by_label("交付されたPDF（任意）").set_input_files(
        files=[{"name": "certificate.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    visitor.keyboard.press("Alt+S")
    expect(visitor.get_by_test_id("verify-document")).to_contain_text("交付したPDFと一致します")
    html = visitor.content()
    assert "太郎" not in html and "花子" not in html and head.atena_no not in html and "本町三丁目" not in html


@pytest.mark.spec("5.1", partial=True)
def test_clerk_issues_from_the_person_and_the_household_screens(
    contexts: list[BrowserContext], browser: Browser, live_server: LiveServer, terminal: Terminal
) -> None:
    """「証明書を交付」 (Alt+W) from the person screen opens the form with the person and 個人票
    filled in, and from the household screen with 世帯連記式; the cursor waits on the next field."""
    head = _household()
    clerk = make_operator("shomei", "証明 交付", roles=("証明書交付",))
    page = open_as(contexts, browser, live_server, terminal, clerk)

    page.goto(f"{live_server.url}/registry/person/{head.atena_no}/")
    expect(page.get_by_test_id("screen-actions")).to_contain_text("この方の証明書を交付")
    page.keyboard.press("Alt+W")
    expect(page.get_by_role("heading", name="証明書の交付", exact=False)).to_be_visible()
    expect(page.get_by_label("宛名番号（証明する方）")).to_have_value(head.atena_no)
    expect(page.get_by_label("様式")).to_have_value("individual")
    expect(page.get_by_label("証明書の種類")).to_be_focused()
    screenshot(page, "certificate-from-person")

    page.goto(f"{live_server.url}/registry/household/{head.household_no}/")
    page.keyboard.press("Alt+W")
    expect(page.get_by_role("heading", name="証明書の交付", exact=False)).to_be_visible()
    expect(page.get_by_label("様式")).to_have_value("household")
    _fill_request(page, head)
    printed = Printed(page.context)
    with page.context.expect_page() as copy_tab:
        page.keyboard.press("Control+Enter")
    body = text_of(printed.wait(copy_tab.value, 1))
    assert "上尾太郎" in body and "上尾花子" in body
    assert Issuance.objects.count() == 1


def test_no_issue_link_without_the_permission(
    contexts: list[BrowserContext], browser: Browser, live_server: LiveServer, terminal: Terminal
) -> None:
    head = _household()
    viewer = make_operator("shokai", "照会 太郎", roles=("他部署照会",))
    page = open_as(contexts, browser, live_server, terminal, viewer)
    page.goto(f"{live_server.url}/registry/person/{head.atena_no}/")
    expect(page.get_by_role("heading", name="個人照会", exact=False)).to_be_visible()
    expect(page.get_by_test_id("screen-actions")).to_have_count(0)


@pytest.mark.spec("5.1", partial=True)
def test_a_refusal_shows_its_reason_on_the_form_and_no_tab_stays_open(
    contexts: list[BrowserContext], browser: Browser, live_server: LiveServer, terminal: Terminal
) -> None:
    """A refused 交付 (here the requester is not of the household; 支援措置 refusals come the same
    way) shows why on the form page, with what was typed; the tab opened for the PDF is closed.
    Corrected, the same form issues, and only then a PDF opens."""
    head = _household()
    clerk = make_operator("shomei", "証明 交付", roles=("証明書交付",))
    page = open_as(contexts, browser, live_server, terminal, clerk)
    page.goto(f"{live_server.url}/certificates/")
    _fill_request(page, head)
    page.get_by_label("請求者の宛名番号（本人等・委任者）").fill("0000000990")
    printed = Printed(page.context)
    with page.context.expect_page() as refused_tab:
        page.keyboard.press("Control+Enter")
    refused_tab.value.wait_for_event("close")
    reason = page.get_by_test_id("issue-error")
    expect(reason).to_contain_text("請求者は本人又は同一世帯の方ではありません")
    expect(page.locator("[data-issue-refusal]")).to_be_focused()
    expect(page.get_by_label("請求者（申出者）の氏名・名称")).to_have_value("上尾　太郎")
    assert printed.pdfs == [] and not Issuance.objects.exists()
    assert len(page.context.pages) == 1

    page.get_by_label("請求者の宛名番号（本人等・委任者）").fill(head.atena_no)
    with page.context.expect_page() as copy_tab:
        page.keyboard.press("Control+Enter")
    assert "上尾太郎" in text_of(printed.wait(copy_tab.value, 1))
    page.bring_to_front()
    expect(page.get_by_role("status")).to_contain_text("交付しました")
    expect(page.get_by_test_id("issue-error")).to_have_count(0)
    assert Issuance.objects.count() == 1
