"""Issue 17: interactive API docs (Swagger UI) at /api/v1/docs, served from the application's own
static files: the page renders the contract and asks no other origin for anything (no CDN)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_api_docs_render_from_local_files_only(browser: Browser, live_server: LiveServer) -> None:
    context = browser.new_context(locale="ja-JP")
    try:
        page = context.new_page()
        origins: set[str] = set()
        page.on("request", lambda request: origins.add("/".join(request.url.split("/")[:3])))
        page.goto(live_server.url + "/api/v1/docs")
        expect(page.get_by_role("heading", name="jumin 住民記録システム API")).to_be_visible()
        expect(page.get_by_text("/api/v1/session").first).to_be_visible()
        assert origins == {live_server.url}, f"requests to other origins: {origins - {live_server.url}}"
    finally:
        context.close()
