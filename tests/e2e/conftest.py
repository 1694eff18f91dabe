"""Browser tests: pytest-playwright driving Debian's chromium (no browser download).

Set JUMIN_CHROMIUM to use another binary.  Without chromium the tests are skipped with
a clear reason, unless JUMIN_REQUIRE_E2E=1 (CI), where a missing browser is a failure.

Helpers shared by the register's browser tests: ``open_as`` (enrol a terminal, log in with
the second factor), ``approve_latest`` (審査・決裁 by keyboard), ``typed_date`` (a date
relative to today as the counter types it), ``choose`` (select a member, give a 続柄)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import Terminal, User
from jumin.accounts.services import issue_enrollment_code
from jumin.core.wareki import to_wareki
from jumin.registry.models import Movement
from tests.conftest import PASSWORD, totp_token

CHROMIUM = os.environ.get("JUMIN_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    browser_tests = [item for item in items if "/e2e/" in str(item.path)]
    if browser_tests and CHROMIUM is None and os.environ.get("JUMIN_REQUIRE_E2E") == "1":
        raise pytest.UsageError("JUMIN_REQUIRE_E2E=1 but no chromium was found (apt-get install chromium)")
    for item in browser_tests:
        item.add_marker(pytest.mark.e2e)
        if CHROMIUM is None:
            item.add_marker(pytest.mark.skip(reason="chromium not installed (apt-get install chromium)"))


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API runs an event loop in the test thread; the ORM calls that
    fixtures make in that thread are still synchronous and safe."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
        # The suite's run with the clock a year ahead (libfaketime, see the Makefile) leaves the
        # browser on the real clock: chromium does not start under libfaketime.
        "env": {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "FAKETIME")},
    }


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    """Browser contexts of the test, closed before the live server stops."""
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        context.close()


def open_as(
    contexts: list[BrowserContext], browser: Browser, live_server: LiveServer, terminal: Terminal, user: User
) -> Page:
    context = browser.new_context(locale="ja-JP")
    contexts.append(context)
    page = context.new_page()
    page.goto(live_server.url + "/accounts/terminal/enroll/")
    page.get_by_label("端末登録コード").fill(issue_enrollment_code(terminal))
    page.keyboard.press("Enter")
    page.get_by_label("利用者ID").fill(user.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_label("確認コード（6桁）").fill(totp_token(TOTPDevice.objects.get(user=user)))
    page.keyboard.press("Enter")
    # The login hashes the password (argon2, slow by design): a busy machine needs more than 5 s.
    expect(page.get_by_role("heading", name="ホーム")).to_be_visible(timeout=20_000)
    return page


def approve_latest(review: Page, live_server: LiveServer) -> None:
    number = Movement.objects.filter(state="provisional").latest("entered_at").movement_no
    review.goto(f"{live_server.url}/registry/movements/{number}/")
    expect(review.get_by_role("heading", name="確認用帳票")).to_be_visible()
    review.keyboard.press("Alt+A")
    expect(review.get_by_role("status")).to_contain_text(f"{number} を本登録しました。")


def typed_date(days_from_today: int) -> str:
    """A day relative to today as the counter types it: 「R8.11.20」."""
    day = to_wareki(timezone.localdate() + timedelta(days=days_from_today))
    letter = {"令和": "R", "平成": "H"}[day.era]
    return f"{letter}{day.year}.{day.month}.{day.day}"


def choose(page: Page, name: str, relationship: str | None = None) -> None:
    page.get_by_label(name, exact=True).check()
    if relationship is not None:
        page.get_by_label(f"{name} の新しい続柄").fill(relationship)


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def screenshot(page: Page, name: str) -> None:
    """With ``JUMIN_SCREENSHOTS=1`` the browser tests write the screens they reach to
    docs/screenshots/<name>.png (1366×768, the counter's screen), for docs/counter.md."""
    if os.environ.get("JUMIN_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
