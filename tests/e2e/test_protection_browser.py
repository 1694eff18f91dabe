"""支援措置 in a real browser (issue 6): the 支援措置責任者 records a measure, the counter sees the
mark when it looks the person up, and the 閲覧 extract it downloads lacks the person."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import Browser, BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import Terminal
from jumin.addresses.services import add_town
from jumin.audit.context import acting_as
from jumin.inspection.services import decide_request, receive_request
from jumin.protection.models import SupportMeasure
from jumin.registry.models import Resident
from tests.conftest import make_operator
from tests.e2e.conftest import open_as, typed_date
from tests.inspection.conftest import request_data
from tests.registry.conftest import fill_spare_codes, final, move_in_data, person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.spec("2.2.4", "3.4", "9.5", partial=True)
def test_officer_records_a_measure_counter_sees_the_mark_and_the_extract_lacks_the_person(
    contexts: list[BrowserContext],
    browser: Browser,
    live_server: LiveServer,
    terminal: Terminal,
    other_terminal: Terminal,
) -> None:
    fill_spare_codes()
    entry = make_operator("madoguchi", "上尾 花子", roles=("窓口入力",))
    reviewer = make_operator("shinsa", "平方 一郎", roles=("審査・決裁",))
    officer = make_operator("shien", "支援 責任者", roles=("支援措置責任者",))
    clerk = make_operator("shomei", "証明 交付", roles=("証明書交付",))
    town = add_town("本町", "ホンマチ", has_chome=True)
    with acting_as(channel="screen", place="SHIMIN", terminal="SHIMIN-1"):
        final(
            "move_in",
            move_in_data(
                person(surname="桶川", given_name="花子", sex="2", koseki_head="桶川　花子"),
                person(surname="桶川", given_name="一郎", relationship="子", birth="H30.5.5", koseki_head="桶川　花子"),
                effective=typed_date(-7),
                notified_on=typed_date(-6),
            ),
            entry,
            reviewer,
        )
        final(
            "move_in",
            move_in_data(
                person(surname="伊奈", given_name="三郎", koseki_head="伊奈　三郎"),
                address={"address": "埼玉県上尾市本町二丁目5番3号", "address_code": str(town.address_code(2))},
                effective=typed_date(-7),
                notified_on=typed_date(-6),
            ),
            entry,
            reviewer,
        )
    mother = Resident.objects.get(given_name="花子")
    child = Resident.objects.get(given_name="一郎")

    # the 支援措置責任者 records the measure on screen
    desk = open_as(contexts, browser, live_server, terminal, officer)
    desk.goto(f"{live_server.url}/protection/measures/new/?person={mother.atena_no}")
    desk.locator('[name="kind"]').select_option("dv")
    desk.locator('[name="accompanying"]').fill(child.atena_no)
    desk.locator('[name="start_on"]').fill(typed_date(0))
    desk.locator('[name="offender_name"]').fill("北本　次郎")
    desk.get_by_role("textbox", name="受付の内容（記録されます）").fill("配偶者暴力相談支援センターの意見あり")
    desk.keyboard.press("Alt+S")
    expect(desk.get_by_role("status")).to_contain_text("を登録し、抑止を設定しました")
    measure = SupportMeasure.objects.get()
    assert set(measure.persons.values_list("atena_no", flat=True)) == {mother.atena_no, child.atena_no}

    # the counter looks the mother up: the mark is on the result, without the jump to the database
    counter = open_as(contexts, browser, live_server, other_terminal, clerk)
    counter.goto(f"{live_server.url}/registry/")
    counter.get_by_label("番号", exact=True).fill(mother.atena_no)
    counter.keyboard.press("Enter")
    marks = counter.get_by_test_id("person-marks")
    expect(marks).to_contain_text("支援措置中")
    expect(marks).to_contain_text("抑止（証明書発行・エラー）")
    expect(counter.get_by_test_id("protection-link")).to_have_count(0)
    counter.get_by_role("link", name="世帯を表示").click()
    expect(counter.get_by_test_id("protection-marks")).to_have_count(2)

    # the 閲覧用リスト of an approved 申出 for 本町 lacks both protected persons
    received = receive_request(request_data({"本町": town, "原市": town}, oaza_codes=[town.oaza_code]), by=clerk)
    approved = decide_request(received, approve=True, reason="学術研究で公益性が高い", by=reviewer)
    counter.goto(f"{live_server.url}/inspection/requests/{approved.request_no}/")
    counter.locator('[name="format"]').select_option("csv")
    with counter.expect_download() as download_info:
        counter.keyboard.press("Alt+L")
    download = download_info.value
    content = open(download.path(), "rb").read()  # noqa: SIM115
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["氏名", "住所", "生年月日", "性別"]
    names = {row[0] for row in rows[1:]}
    assert "伊奈\u3000三郎" in names
    assert "桶川\u3000花子" not in names and "桶川\u3000一郎" not in names

    # the officer opens the 支援措置 database from the mark
    desk.goto(f"{live_server.url}/registry/person/{mother.atena_no}/")
    desk.get_by_test_id("protection-link").click()
    expect(desk.get_by_test_id("marks")).to_contain_text("支援措置中")


@pytest.mark.spec("3.1", partial=True)
def test_inquiry_alert_asks_for_a_reason_then_shows_the_person(
    contexts: list[BrowserContext], browser: Browser, live_server: LiveServer, terminal: Terminal
) -> None:
    from jumin.protection.models import ProtectionDecision
    from jumin.protection.services import set_block

    fill_spare_codes()
    entry = make_operator("madoguchi", "上尾 花子", roles=("窓口入力",))
    reviewer = make_operator("shinsa", "平方 一郎", roles=("審査・決裁",))
    officer = make_operator("shien", "支援 責任者", roles=("支援措置責任者",))
    with acting_as(channel="screen", place="SHIMIN", terminal="SHIMIN-1"):
        final(
            "move_in",
            move_in_data(
                person(surname="桶川", given_name="良子", sex="2", koseki_head="桶川　良子"),
                effective=typed_date(-7),
                notified_on=typed_date(-6),
            ),
            entry,
            reviewer,
        )
        target = Resident.objects.get(given_name="良子")
        set_block(
            scope="person", target_no=target.atena_no, process="inquiry", level="alert", reason="要注意", by=officer
        )
    page = open_as(contexts, browser, live_server, terminal, entry)
    page.goto(f"{live_server.url}/registry/person/{target.atena_no}/")
    expect(page.get_by_test_id("inquiry-blocked")).to_contain_text("照会抑止（アラート）")
    expect(page.get_by_text("桶川")).to_have_count(0)
    page.get_by_label("照会の理由（操作ログに記録され、30分間有効です）").fill("転入届の確認のため")
    page.get_by_role("button", name="理由を記録して照会する").click()
    expect(page.get_by_role("status")).to_contain_text("照会の理由を記録しました")
    expect(page.get_by_role("heading", level=1)).to_contain_text("桶川")
    assert ProtectionDecision.objects.get(action="block.alert_passed").reason == "転入届の確認のため"
