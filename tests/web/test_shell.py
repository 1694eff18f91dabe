"""The UI shell: headers, error pages in Japanese, date filters."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

from jumin.web.templatetags.jumin_dates import seireki, wareki, wareki_datetime


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("個人番号 123456789018 must never reach the page")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.django_db
def test_pages_carry_privacy_headers(logged_in_client: Client) -> None:
    response = logged_in_client.get("/")
    assert response["Cache-Control"] == "no-store"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_404_page_is_japanese(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.content.decode()


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_500_page_is_japanese_and_hides_the_error() -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "システムエラーが発生しました" in body
    assert "123456789018" not in body


@pytest.mark.django_db
def test_csrf_failure_page_is_japanese(enrolled_client: Client) -> None:
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.cookies = enrolled_client.cookies
    response = csrf_client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "画面の有効期限が切れました" in response.content.decode()


def test_403_and_400_templates_render() -> None:
    from django.template.loader import render_to_string

    assert "権限がありません" in render_to_string("403.html")
    assert "要求を処理できませんでした" in render_to_string("400.html")


@pytest.mark.spec("1.1.9", partial=True)
def test_date_filters() -> None:
    assert wareki(date(2019, 5, 1)) == "令和元年5月1日"
    assert wareki(None) == ""
    assert wareki(date(1860, 1, 1)) == "1860年1月1日"  # before 明治6年: no 和暦 by arithmetic
    assert seireki(date(1970, 3, 1)) == "1970年3月1日"
    assert seireki(None) == ""
    tokyo = ZoneInfo("Asia/Tokyo")
    assert wareki(datetime(2026, 11, 26, 23, 30, tzinfo=ZoneInfo("UTC"))) == "令和8年11月27日"
    assert wareki(datetime(2026, 11, 26, 9, 5)) == "令和8年11月26日"
    assert wareki_datetime(datetime(2026, 11, 26, 9, 5, tzinfo=tokyo)) == "令和8年11月26日 9時05分"
    assert wareki_datetime(None) == ""


def test_page_shortcuts_never_take_the_global_keys() -> None:
    """F1, Alt+M and Alt+C are the shell's own keys (help, menu, main content)."""
    import re
    from pathlib import Path

    import jumin

    reserved = {"F1", "Alt+M", "Alt+C"}
    for template in Path(jumin.__file__).parent.rglob("*.html"):
        for key in re.findall(r'data-shortcut="([^"]+)"', template.read_text(encoding="utf-8")):
            assert key not in reserved or "data-help-toggle" in template.read_text(encoding="utf-8"), (template, key)


def test_no_screen_binds_a_function_key_to_something_else() -> None:
    """Issue 17: F1–F12 mean the same on every screen — the shell's (ヘルプ, 画面ロック, ログアウト)
    and the menu's.  A screen binds no F key of its own, except the passkey button of the two
    pages before the menu exists (F5: 認証 / 登録, no menu key is F5)."""
    import re
    from pathlib import Path

    from jumin.web.navigation import ITEMS, SHELL_KEYS, reserved_function_keys

    reserved = reserved_function_keys()
    assert len({item.shortcut for item in ITEMS}) == len(ITEMS), "two menu entries share a key"
    assert "F5" not in reserved and set(SHELL_KEYS) <= set(reserved)
    before_login = {"accounts/verify.html", "accounts/second_factor_setup.html"}
    found = []
    for template in sorted((Path(__file__).resolve().parents[2] / "src" / "jumin").rglob("templates/**/*.html")):
        name = "/".join(template.parts[template.parts.index("templates") + 1 :])
        for key in re.findall(r'data-shortcut="(F\d+)"', template.read_text(encoding="utf-8")):
            if (name == "web/base.html" and key in SHELL_KEYS) or (name in before_login and key == "F5"):
                continue
            found.append(f"{name}: {key}")
    assert found == []


def test_every_menu_key_is_its_own_and_none_is_a_shell_key() -> None:
    """Two menu entries on one key (Shift+F5 of 広域交付 and 戸籍, Shift+F6 of 番号連携 and 法務省通知,
    Alt+M of 認証者 and the shell's 「メニューへ移動」) would leave one screen out of reach."""
    from collections import Counter

    from jumin.web.navigation import GLOBAL_SHORTCUTS, ITEMS, SHELL_KEYS

    keys = Counter(item.shortcut for item in ITEMS)
    assert [key for key, n in keys.items() if n > 1] == []
    taken = {key for key, _ in GLOBAL_SHORTCUTS} | set(SHELL_KEYS)
    assert [item.label for item in ITEMS if item.shortcut in taken] == []
