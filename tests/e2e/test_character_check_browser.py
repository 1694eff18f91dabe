"""「文字確認が必要」 in a real browser, by keyboard (spec 7.1.1.1, 30.2 文字): a received 転入通知
whose address the sender sent with a 代替文字 shows the flag on the review screen, 本登録 (Alt+A)
is held until the reviewer ticks 「文字を確認しました」 (Alt+J, Space), then goes through."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import Terminal
from jumin.audit.context import acting_as
from jumin.jukinet.notices import receive_move_in_notice
from jumin.registry.models import Movement, Resident
from tests.conftest import make_operator
from tests.e2e.conftest import open_as, typed_date
from tests.registry.conftest import fill_spare_codes, final, move_in_data, person

pytestmark = pytest.mark.django_db(transaction=True)

SAKI = "\ufa11"  # 﨑


@pytest.mark.spec("7.1.1.1", partial=True)
def test_the_reviewer_confirms_the_characters_before_approving(
    contexts: list[BrowserContext], browser: Browser, live_server: LiveServer, terminal: Terminal
) -> None:
    fill_spare_codes()
    entry = make_operator("madoguchi", "上尾 花子", roles=("窓口入力",))
    reviewer = make_operator("shinsa", "平方 一郎", roles=("審査・決裁",))
    address = f"東京都港区芝{SAKI}一丁目2番"
    with acting_as(channel="screen", place="SHIMIN", terminal="SHIMIN-1"):
        atena_no = (
            final("move_in", move_in_data(person(), effective=typed_date(-30)), entry, reviewer).items.get().atena_no
        )
        destination = {"address": "東京都港区芝公園4丁目2番8号", "postcode": "1050011"}
        data = {"atena_nos": [atena_no], "effective": typed_date(-3), "destination": destination}
        final("move_out", data, entry, reviewer)
        resident = Resident.objects.get(atena_no=atena_no)
        stored = receive_move_in_notice(
            {
                "idempotency_key": "municipality:e2e:1",
                "from_municipality_code": "131032",
                "resident_code": resident.resident_code,
                "name": resident.name,
                "birth_text": resident.birth_text,
                "sex": resident.sex,
                "moved_in_on": resident.planned_move_out_on.isoformat() if resident.planned_move_out_on else "",
                "address": address,
                "address_substitute": "東京都港区芝崎一丁目2番",
                "address_substitute_positions": "7",
            }
        )
    assert stored.movement is not None

    page = open_as(contexts, browser, live_server, terminal, reviewer)
    page.goto(f"{live_server.url}/registry/movements/{stored.movement.movement_no}/")
    flag = page.get_by_test_id("character-check")
    expect(flag).to_contain_text("文字確認が必要")
    expect(flag).to_contain_text("転出先住所: 7文字目（代替文字、統一文字にない文字）")
    page.keyboard.press("Alt+A")  # the required tick is missing: the browser holds the form
    expect(page.get_by_role("heading", name="確認用帳票")).to_be_visible()
    assert Movement.objects.get(pk=stored.movement.pk).state == Movement.State.PROVISIONAL
    page.keyboard.press("Alt+J")
    page.keyboard.press("Space")
    page.keyboard.press("Alt+A")
    expect(page.get_by_role("status")).to_contain_text("を本登録しました。")
    assert Resident.objects.get(atena_no=atena_no).confirmed_destination == address
