"""広域交付 at our counter in a real browser: the clerk opens 広域交付 by keyboard (Shift+F5), the
simulated card reader (peers.jpki over HTTP) shows the card of a resident of another
municipality, Ctrl+Enter sends the request over the simulated 住基ネット (peers.municipality) and
the 住民票の写し（広域交付） comes back as a PDF in a new tab; a protected person is refused with
the reason in Japanese; the 送信/受信一覧表 lists both."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from peers.jpki import RunningSimulator as Jpki
from peers.jpki import running as jpki_running
from peers.municipality import RunningSimulator, running
from peers.signed import write_public
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import Terminal
from jumin.certificates import content as c
from jumin.certificates import sealing
from jumin.certificates.models import Certifier, Issuance
from jumin.core import wide_area as w
from jumin.core.certificates import IssueNumber
from jumin.jukinet import identity_check
from jumin.jukinet.models import WideAreaExchange
from jumin.linkage import signing
from tests.conftest import make_operator
from tests.e2e.conftest import open_as, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.spec("7.1.1.1", "7.2.5", partial=True)]

OTHER = "131016"
ADDRESS = "東京都千代田区千代田1番1号"


@dataclass
class Network:
    relay: RunningSimulator
    jpki: Jpki


@pytest.fixture
def network(tmp_path: Path, settings: Any) -> Iterator[Network]:
    settings.JUMIN_JUKINET_KEY_DIR = str(tmp_path)
    ours = signing.own_key().public_key()
    key = Ed25519PrivateKey.generate()
    write_public(tmp_path / signing.MUNICIPALITY_PUBLIC, key.public_key())
    with running(key=key, client_key=ours) as relay, jpki_running() as jpki:
        (tmp_path / identity_check.CA_FILE).write_bytes(jpki.authority.pem)
        settings.JUMIN_JPKI_CRL_URL = f"{jpki.url}/crl.pem"
        settings.JUMIN_CARD_READER = "simulator"
        settings.JUMIN_CARD_READER_URL = jpki.url
        settings.JUMIN_MUNICIPALITY_URL = relay.url
        yield Network(relay, jpki)


class Printed:
    """The PDFs the server sent (taken on the way in: chromium shows them in its viewer)."""

    def __init__(self, context: BrowserContext) -> None:
        self.pdfs: list[bytes] = []
        context.route("**/jukinet/wide-area/**", self._pass)

    def _pass(self, route: Route) -> None:
        response = route.fetch()
        if response.headers.get("content-type") == "application/pdf":
            self.pdfs.append(response.body())
        route.fulfill(response=response)

    def wait(self, page: Page) -> bytes:
        for _ in range(300):
            if self.pdfs:
                break
            page.wait_for_timeout(100)
        assert self.pdfs, "no PDF arrived"
        return self.pdfs[0]


def _face(name: str) -> dict[str, str]:
    return {
        "name": name,
        "address": ADDRESS,
        "birth": "平成2年5月6日",
        "sex": "男",
        "individual_number": "123456789018",
    }


def _held(name: str) -> dict[str, Any]:
    person = c.PersonBlock("", (c.Field("氏名", name), c.Field("生年月日", "平成2年5月6日"), c.Field("性別", "男")))
    document = c.CertificateContent(
        kind=c.COPY,
        title="住民票の写し",
        layout=c.INDIVIDUAL,
        address=ADDRESS,
        katagaki="",
        head_name="",
        persons=(person,),
        attestation="",
        issued_on=date(2026, 12, 1),
        issued_on_text="令和8年12月1日",
        certifier=c.Certifier("", "", "", None, ""),
        issue_number=IssueNumber(date(2026, 12, 1), "", "", "", 1),
    )
    return {"content": sealing.to_plain(document)}


def test_clerk_issues_a_wide_area_copy_and_sees_a_refusal(
    contexts: list[BrowserContext], browser: Browser, live_server: LiveServer, terminal: Terminal, network: Network
) -> None:
    Certifier.objects.create(
        role=Certifier.Role.MAYOR,
        title="上尾市長",
        name="畠山　稔",
        valid_from=date(2020, 1, 1),
        seal_text="上尾市長之印",
    )
    network.relay.book.hold_resident(OTHER, "東京都千代田区", _face("千代田\u3000一郎"), _held("千代田　一郎"))
    network.relay.book.hold_resident(OTHER, "東京都千代田区", _face("千代田\u3000花子"), {"reason_code": w.PROTECTED})
    clerk = make_operator("kofu", "交付 担当", roles=("窓口入力", "証明書交付"))
    page = open_as(contexts, browser, live_server, terminal, clerk)

    page.keyboard.press("Shift+F5")
    expect(page.get_by_role("heading", level=1)).to_contain_text("広域交付（他の市区町村の住民")
    expect(page.get_by_test_id("reader-empty")).to_be_visible()
    network.jpki.repository.issue(**_face("千代田\u3000一郎"))
    page.keyboard.press("Alt+R")
    expect(page.get_by_test_id("reader-cards")).to_contain_text("千代田")
    page.get_by_label("住所地の団体コード", exact=False).fill(OTHER)
    screenshot(page, "wide-area")
    printed = Printed(page.context)
    with page.context.expect_page() as copy_tab:
        page.keyboard.press("Control+Enter")
    with pdfplumber.open(io.BytesIO(printed.wait(copy_tab.value))) as document:
        text = "".join(p.extract_text() or "" for p in document.pages).replace(" ", "").replace("\u3000", "")
    assert "千代田一郎" in text and "広域交付" in text and "上尾市長" in text
    issuance = Issuance.objects.get()
    assert issuance.issue_no.replace(" ", "") in text
    assert WideAreaExchange.objects.get().outcome == "answered"

    # a protected person: the 住所地 refuses, the screen says why (nothing issued)
    page.bring_to_front()
    network.jpki.repository.issue(**_face("千代田\u3000花子"))
    page.keyboard.press("Alt+R")
    expect(page.get_by_test_id("reader-cards")).to_contain_text("千代田　花子")
    page.get_by_label("千代田　花子", exact=False).check()
    page.get_by_label("住所地の団体コード", exact=False).fill(OTHER)
    with page.context.expect_page() as refusal_tab:
        page.keyboard.press("Control+Enter")
    refused = refusal_tab.value
    expect(refused.get_by_test_id("wide-area-refusal")).to_contain_text(w.REASONS[w.PROTECTED].message)
    expect(refused.get_by_test_id("wide-area-refusal")).to_contain_text("東京都千代田区")
    assert Issuance.objects.count() == 1
    expect(refused.get_by_test_id("wide-area-row")).to_have_count(2)
    expect(refused.locator('[data-testid="wide-area-row"][data-outcome="refused"]')).to_contain_text(w.PROTECTED)
