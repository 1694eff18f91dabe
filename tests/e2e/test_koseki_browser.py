"""戸籍の通知・附票 in a real browser, by keyboard (spec 7.1.1.1, 1.1.18): a 住民票記載事項通知 from the
本籍地 waits on the list (menu Shift+F8), the reviewer opens its 仮登録 from the list and approves
it (Alt+A), and the list shows it 反映済 with the 振り仮名 confirmed."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import Terminal
from jumin.audit.context import acting_as
from jumin.koseki.notices import receive_koseki_notice
from jumin.registry.models import FuriganaStatus, Resident
from tests.conftest import make_operator
from tests.e2e.conftest import open_as, typed_date
from tests.registry.conftest import fill_spare_codes, final, move_in_data, person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.spec("7.1.1.1", "1.1.18", partial=True)
def test_a_koseki_notice_is_reviewed_from_the_list_by_keyboard(
    contexts: list[BrowserContext], browser: Browser, live_server: LiveServer, terminal: Terminal
) -> None:
    fill_spare_codes()
    entry = make_operator("madoguchi", "上尾 花子", roles=("窓口入力",))
    reviewer = make_operator("shinsa", "平方 一郎", roles=("審査・決裁",))
    with acting_as(channel="screen", place="SHIMIN", terminal="SHIMIN-1"):
        data = move_in_data(person(), effective=typed_date(-7), notified_on=typed_date(-6))
        final("move_in", data, entry, reviewer)
        resident = Resident.objects.get()
        receive_koseki_notice(
            {
                "idempotency_key": "koseki:131016:e2e",
                "from_municipality_code": "131016",
                "event": "furigana",
                "resident_code": resident.resident_code,
                "name": resident.name,
                "birth_text": resident.birth_text,
                "sex": resident.sex,
                "changes": {"furigana_surname": "アゲヲ", "furigana_given_name": "タロウ"},
            }
        )

    page = open_as(contexts, browser, live_server, terminal, reviewer)
    page.keyboard.press("Shift+F8")
    expect(page.get_by_role("heading", name="戸籍の通知・附票連携")).to_be_visible()
    rows = page.get_by_test_id("koseki-notices")
    expect(rows).to_contain_text("氏名の振り仮名の記載・変更")
    expect(rows).to_contain_text("審査待ち")
    link = rows.get_by_role("link", name="審査する")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="確認用帳票")).to_be_visible()
    page.keyboard.press("Alt+A")
    expect(page.get_by_role("status")).to_contain_text("を本登録しました。")
    page.keyboard.press("Shift+F8")
    expect(page.get_by_test_id("koseki-notices")).to_contain_text("反映済")
    resident.refresh_from_db()
    assert (resident.furigana_surname, resident.furigana_status) == ("アゲヲ", FuriganaStatus.CONFIRMED)
