"""Search in a real browser (issue 5): the counter opens 住民検索 by keyboard, types a variant
spelling (渡辺 for a resident registered as 渡邊) with a 和暦 birth date, and finds the person;
the search is kept in the history and can be reused."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import Terminal
from jumin.audit.context import acting_as
from jumin.audit.models import AccessLog
from jumin.search import variants
from tests.conftest import make_operator
from tests.e2e.conftest import open_as, screenshot
from tests.registry.conftest import fill_spare_codes, final, move_in_data, person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.spec("2.1.1", "2.1.2", "2.1.3", partial=True)
def test_counter_finds_a_person_by_a_variant_spelling(
    contexts: list[BrowserContext], browser: Browser, live_server: LiveServer, terminal: Terminal
) -> None:
    fill_spare_codes()
    variants.load_package("辺邊邉")
    counter = make_operator("madoguchi", "上尾 花子", roles=("窓口入力",))
    reviewer = make_operator("shinsa", "平方 一郎", roles=("審査・決裁",))
    with acting_as(channel="screen", place="SHIMIN", terminal="SHIMIN-1"):
        movement = final(
            "move_in",
            move_in_data(
                person(surname="渡邊", given_name="太郎", furigana_surname="ワタナベ", koseki_head="渡邊　太郎")
            ),
            counter,
            reviewer,
        )
    atena_no = movement.items.get().atena_no
    page = open_as(contexts, browser, live_server, terminal, counter)

    page.keyboard.press("Alt+K")
    expect(page.get_by_role("heading", name="住民検索", exact=True)).to_be_visible()
    page.get_by_label("氏名（漢字・カナ・アルファベット）").fill("渡辺　太郎")
    page.get_by_label("生年月日（和暦・西暦）").fill("S55.4.1")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("result-count")).to_have_text("1")
    hit = page.get_by_test_id("hit")
    expect(hit).to_contain_text("渡邊　太郎")
    expect(hit).to_contain_text(atena_no)

    # a refused combination: the message names what is allowed
    page.get_by_label("生年月日（和暦・西暦）").fill("")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("氏名＋生年月日")

    # the history keeps both searches; reuse the successful one
    page.get_by_role("link", name="再利用").last.click()
    expect(page.get_by_label("生年月日（和暦・西暦）")).to_have_value("S55.4.1")
    page.get_by_label("生年月日（和暦・西暦）").press("Enter")
    expect(page.get_by_test_id("result-count")).to_have_text("1")
    assert AccessLog.objects.filter(purpose="search.counter", persons=[atena_no]).count() == 2


@pytest.mark.spec("2.1.1", partial=True)
def test_the_hits_are_under_the_criteria_and_open_with_enter(
    contexts: list[BrowserContext], browser: Browser, live_server: LiveServer, terminal: Terminal
) -> None:
    """Issue 17: at 1366×768 the first hit is on the screen with the focus after a search; ↓ moves
    to the next hit and Enter opens the person; the address is typed as counters type it."""
    fill_spare_codes()
    counter = make_operator("madoguchi", "上尾 花子", roles=("窓口入力",))
    reviewer = make_operator("shinsa", "平方 一郎", roles=("審査・決裁",))
    made = []
    for given, banchi in (("一郎", "7番11号"), ("二郎", "7番11号"), ("三郎", "8番1号")):
        address = {"address": "埼玉県上尾市平塚四丁目", "banchi": banchi}
        data = move_in_data(person(surname="平塚", given_name=given), address=address)
        made.append(final("move_in", data, counter, reviewer).items.get().atena_no)
    page = open_as(contexts, browser, live_server, terminal, counter)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.keyboard.press("Alt+K")
    page.get_by_label("氏名（漢字・カナ・アルファベット）").fill("平塚")
    page.get_by_label("住所", exact=True).fill("平塚4-7-11")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("result-count")).to_have_text("2")
    first = page.get_by_test_id("hit-link").first
    expect(first).to_be_focused()
    box = first.bounding_box()
    assert box is not None and 0 <= box["y"] <= 768 - box["height"], f"the first hit is off the screen: {box}"
    screenshot(page, "search-results")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_test_id("hit-link").nth(1)).to_be_focused()
    second = page.get_by_test_id("hit-link").nth(1).inner_text()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/registry/person/{second}/")
    assert second in made[:2]
