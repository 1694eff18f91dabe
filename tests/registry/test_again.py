"""再入力 of a returned 転入 (issue 17): the entry screen opened from the returned movement
(修正して入力し直す, Alt+U) is filled from it, and sending it as it is enters the correction."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from jumin.accounts.models import Terminal, User
from jumin.audit.context import acting_as
from jumin.registry.models import Movement, Resident
from jumin.registry.services import approve_movement, enter_movement, return_movement
from tests.conftest import device_cookie, log_in
from tests.registry.conftest import move_in_data, person

pytestmark = pytest.mark.django_db


class _Form(HTMLParser):
    """The values a browser would send for the entry form (inputs, selects, textareas)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select = ""
        self._textarea = ""
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "entry" in a.get("class", "").split():
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.values[name] = a.get("value") or "on"
            elif a.get("type") not in ("submit", "button"):
                self.values[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select:
            if "selected" in a or self.values[self._select] == "":
                self.values[self._select] = a.get("value", "") if "selected" in a else self.values[self._select]
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = ""
        elif tag == "textarea":
            self._textarea = ""
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data


def _client(user: User, terminal: Terminal) -> Client:
    client = Client()
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    return log_in(client, user)


@pytest.mark.spec("4.0.8", partial=True)
def test_a_returned_move_in_is_entered_again_from_a_refilled_form(
    counter: User, reviewer: User, terminal: Terminal, other_terminal: Terminal
) -> None:
    data = move_in_data(
        person(),
        person(given_name="一郎", furigana_given_name="イチロウ", relationship="子", birth="平成20年5月5日"),
        previous_address={"address": "東京都千代田区千代田1番1号", "postcode": "1000001", "katagaki": "千代田ハイツ"},
    )
    with acting_as(channel="screen", place="SHIMIN", terminal="SHIMIN-1"):
        wrong = enter_movement("move_in", data, by=counter)
    return_movement(wrong, "長男の生年月日は平成20年6月5日です。", by=reviewer)

    clerk = _client(counter, terminal)
    sheet = clerk.get(f"/registry/movements/{wrong.movement_no}/").content.decode()
    url = html.unescape(re.search(r'href="([^"]+)" data-shortcut="Alt\+U"', sheet).group(1))  # type: ignore[union-attr]
    assert url == f"/registry/movements/new/move_in/?replaces={wrong.movement_no}"
    page = clerk.get(url)
    assert page.status_code == 200
    form = _Form()
    form.feed(page.content.decode())
    values = form.values
    assert values["replaces"] == wrong.movement_no
    assert (values["p-0-surname"], values["p-0-given_name"], values["p-0-relationship"]) == ("上尾", "太郎", "世帯主")
    assert (values["p-1-given_name"], values["p-1-furigana_given_name"]) == ("一郎", "イチロウ")
    assert values["p-1-birth"] == "平成20年5月5日" and values["p-0-birth"] == "昭和55年4月1日"
    assert values["p-0-honseki"] == "埼玉県上尾市本町一丁目1番地" and values["p-1-sex"] == "1"
    assert values["p-2-surname"] == "", "the spare forms stay empty"
    assert values["prev-address"] == "東京都千代田区千代田1番1号" and values["prev-katagaki"] == "千代田ハイツ"
    assert values["addr-address"] == "埼玉県上尾市本町三丁目1番1号" and values["addr-postcode"] == "3620014"
    assert values["reason"] == "domestic_move_in" and values["household_mode"] == "new"
    assert values["effective"] and values["notified_on"]
    assert values.get("p-0-individual_number", "") == "", "a 個人番号 is never filled again"

    # only the 生年月日 the reviewer asked for is changed; the rest is sent as it was filled
    values["p-1-birth"] = "平成20年6月5日"
    response = clerk.post(url.split("?")[0], values, follow=True)
    assert f"（差し戻された {wrong.movement_no} を修正）" in response.content.decode()
    fixed = Movement.objects.get(replaces=wrong)
    wrong.refresh_from_db()
    assert wrong.state == Movement.State.DISCARDED
    approve_movement(fixed, by=reviewer)
    son = Resident.objects.get(given_name="一郎")
    assert son.birth_text == "平成20年6月5日" and son.previous_katagaki == "千代田ハイツ"
    assert Resident.objects.filter(household_no=son.household_no).count() == 2


def test_only_the_entering_clerk_gets_the_form_refilled(
    counter: User, reviewer: User, terminal: Terminal, other_terminal: Terminal
) -> None:
    wrong = enter_movement("move_in", move_in_data(), by=counter)
    clerk = _client(counter, terminal)
    url = f"/registry/movements/new/move_in/?replaces={wrong.movement_no}"
    assert 'value="太郎"' not in clerk.get(url).content.decode(), "not returned yet: a plain new entry"
    return_movement(wrong, "本籍を確認してください。", by=reviewer)
    assert 'value="太郎"' in clerk.get(url).content.decode()
    from tests.conftest import make_operator

    other = make_operator("madoguchi2", "原市 次郎", roles=("窓口入力",))
    assert 'value="太郎"' not in _client(other, other_terminal).get(url).content.decode()
