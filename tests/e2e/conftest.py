"""Browser tests: pytest-playwright driving Debian's chromium (no browser download).

Set JUMIN_CHROMIUM to use another binary.  Without chromium the tests are skipped with
a clear reason, unless JUMIN_REQUIRE_E2E=1 (CI), where a missing browser is a failure."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

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
    }
