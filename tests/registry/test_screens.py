"""Register screens: look-up, person and household views (masked, logged), entry screens
with errors and alerts, the confirmation sheet, the approval queue, cancellation."""

from __future__ import annotations

import pytest
from django.test import Client

from jumin.accounts.models import Terminal, User
from jumin.audit.models import AccessLog
from jumin.registry.models import Movement, Resident
from tests.conftest import device_cookie, log_in, make_operator
from tests.registry.conftest import final, move_in_data, person

pytestmark = pytest.mark.django_db


def _client(user: User, terminal: Terminal) -> Client:
    client = Client()
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    return log_in(client, user)


@pytest.fixture
def household(counter: User, reviewer: User) -> Resident:
    data = move_in_data(
        person(individual_number="123456789018"),
        person(given_name="花子", furigana_given_name="ハナコ", relationship="妻", sex="2"),
    )
    final("move_in", data, counter, reviewer)
    return Resident.objects.get(relationship="世帯主")


@pytest.mark.spec("2.2.1", "10.4", partial=True)
def test_person_view_masks_by_capability_and_is_logged(
    household: Resident, counter: User, reviewer: User, terminal: Terminal, other_terminal: Terminal
) -> None:
    counter_page = _client(counter, terminal).get(f"/registry/person/{household.atena_no}/").content.decode()
    assert "上尾\u3000太郎" in counter_page and "異動履歴" in counter_page and "国内転入" in counter_page
    assert "123456789018" not in counter_page and "************" in counter_page
    assert "埼玉県上尾市本町一丁目1番地" in counter_page  # the counter role sees 本籍
    reviewer_page = _client(reviewer, other_terminal).get(f"/registry/person/{household.atena_no}/").content.decode()
    assert "123456789018" in reviewer_page
    rows = AccessLog.objects.filter(purpose="registry.person").order_by("id")
    assert [(r.operator, r.individual_number_shown) for r in rows] == [("madoguchi", False), ("shinsa", True)]


def test_other_departments_see_no_honseki(household: Resident, terminal: Terminal) -> None:
    viewer = make_operator("hoken", "保険 課員", roles=("他部署照会",))
    page = _client(viewer, terminal).get(f"/registry/person/{household.atena_no}/").content.decode()
    assert "埼玉県上尾市本町一丁目1番地" not in page
    assert page.count("************") >= 2  # 本籍 and 住民票コード


def test_household_view_orders_members_and_lookup_finds_numbers(
    household: Resident, counter: User, terminal: Terminal
) -> None:
    client = _client(counter, terminal)
    page = client.get(f"/registry/household/{household.household_no}/").content.decode()
    assert page.index("上尾\u3000太郎") < page.index("上尾\u3000花子")
    assert client.get("/registry/", {"number": household.atena_no})["Location"].endswith(
        f"/person/{household.atena_no}/"
    )
    assert client.get("/registry/", {"number": household.household_no, "kind": "household"})["Location"].endswith(
        f"/household/{household.household_no}/"
    )
    assert "見つかりません" in client.get("/registry/", {"number": "0000000000"}, follow=True).content.decode()
    assert client.get("/registry/person/9999999999/").status_code == 404
    assert client.get("/registry/household/9999999999/").status_code == 404


def test_no_access_without_the_view_capability(household: Resident, terminal: Terminal) -> None:
    stranger = make_operator("kanri", "管理 者", roles=("システム管理者",))
    client = _client(stranger, terminal)
    assert client.get(f"/registry/person/{household.atena_no}/").status_code == 403
    assert client.get("/registry/", {"number": household.atena_no}).status_code == 403


@pytest.mark.spec("4.0.9", "4.0.8", partial=True)
def test_move_in_screen_to_approval(
    counter: User, reviewer: User, terminal: Terminal, other_terminal: Terminal
) -> None:
    entry = _client(counter, terminal)
    form = entry.get("/registry/movements/new/move_in/").content.decode()
    assert "転入の入力（仮登録）" in form
    post = {
        "reason": "domestic_move_in",
        "effective": "R8.11.20",
        "household_mode": "new",
        "addr-address": "埼玉県上尾市本町三丁目1番1号",
        "addr-postcode": "3620014",
        "prev-address": "東京都千代田区千代田1番1号",
        "p-TOTAL_FORMS": "4",
        "p-INITIAL_FORMS": "0",
        "p-MIN_NUM_FORMS": "0",
        "p-MAX_NUM_FORMS": "8",
        "p-0-surname": "上尾",
        "p-0-given_name": "太郎",
        "p-0-furigana_surname": "アゲオ",
        "p-0-furigana_given_name": "タロウ",
        "p-0-birth": "S55.4.1",
        "p-0-sex": "1",
        "p-0-relationship": "世帯主",
        "p-0-nationality_kind": "japanese",
        "p-0-honseki_kind": "address",
        "p-0-honseki": "埼玉県上尾市本町1番地",
        "p-0-koseki_head": "上尾　太郎",
        **{f"p-{i}-nationality_kind": "japanese" for i in (1, 2, 3)},
        **{f"p-{i}-honseki_kind": "address" for i in (1, 2, 3)},
    }
    bad = entry.post("/registry/movements/new/move_in/", {**post, "p-0-sex": ""})
    assert bad.status_code == 400 and "性別を選んでください。" in bad.content.decode()
    response = entry.post("/registry/movements/new/move_in/", post)
    assert response.status_code == 302, response.content.decode()
    movement = Movement.objects.get()
    sheet = entry.get(response["Location"]).content.decode()
    assert "確認用帳票" in sheet and "上尾\u3000太郎" in sheet and "本登録（決裁）" not in sheet  # not for the enterer
    review = _client(reviewer, other_terminal)
    queue = review.get("/registry/approvals/").content.decode()
    assert movement.movement_no in queue
    review.post("/registry/approvals/", {"movement_nos": [movement.movement_no]})
    movement.refresh_from_db()
    assert movement.state == Movement.State.FINAL
    assert Resident.objects.get().name == "上尾\u3000太郎"


def test_alerts_are_confirmed_on_screen(household: Resident, counter: User, terminal: Terminal) -> None:
    client = _client(counter, terminal)
    url = f"/registry/movements/new/move_out/?household={household.household_no}"
    assert "上尾\u3000花子" in client.get(url).content.decode()
    post = {
        "household": household.household_no,
        "atena_nos": [household.atena_no],
        "effective": "R8.12.1",
        "reason": "domestic_move_out",
        "addr-address": "大阪府大阪市北区",
    }
    page = client.post("/registry/movements/new/move_out/", post).content.decode()
    assert "職権で世帯主とします" in page and 'name="ack"' in page
    response = client.post("/registry/movements/new/move_out/", {**post, "ack": "household.head_by_ex_officio"})
    assert response.status_code == 302


def test_discard_and_cancel_from_the_sheet(
    household: Resident, counter: User, reviewer: User, terminal: Terminal
) -> None:
    client = _client(counter, terminal)
    moved_in = Movement.objects.get(kind="move_in")
    assert "この異動を取り消す" in client.get(f"/registry/movements/{moved_in.movement_no}/").content.decode()
    response = client.post(f"/registry/movements/{moved_in.movement_no}/cancel/")
    cancellation = Movement.objects.get(kind="cancellation")
    assert response["Location"].endswith(f"/movements/{cancellation.movement_no}/")
    client.post(f"/registry/movements/{cancellation.movement_no}/discard/")
    cancellation.refresh_from_db()
    assert cancellation.state == Movement.State.DISCARDED
    assert client.post(f"/registry/movements/{cancellation.movement_no}/approve/").status_code == 403  # no review role
    assert client.get("/registry/movements/M999999999/").status_code == 404
    assert client.get("/registry/movements/new/teleport/").status_code == 404


@pytest.mark.spec("10.2", "10.7", partial=True)
def test_printing_the_confirmation_sheet_is_logged(
    household: Resident, reviewer: User, other_terminal: Terminal
) -> None:
    from jumin.audit.models import PrintLog

    client = _client(reviewer, other_terminal)
    moved_in = Movement.objects.get(kind="move_in")
    response = client.post(f"/registry/movements/{moved_in.movement_no}/print/")
    assert response["Location"].endswith(f"/registry/movements/{moved_in.movement_no}/?print=1")
    assert "data-autoprint" in client.get(response["Location"]).content.decode()
    log = PrintLog.objects.get()
    assert (log.title, log.document, log.operator, log.individual_number_printed) == (
        "確認用帳票",
        moved_in.movement_no,
        "shinsa",
        True,
    )
    assert sorted(log.persons) == sorted(moved_in.items.values_list("atena_no", flat=True))


def test_a_planned_move_out_shows_as_pending(
    household: Resident, counter: User, reviewer: User, terminal: Terminal
) -> None:
    final(
        "move_out",
        {"atena_nos": [household.atena_no], "effective": "2099-01-10", "destination": {"address": "東京都港区"}},
        counter,
        reviewer,
        acknowledged=("household.head_by_ex_officio",),
    )
    page = _client(counter, terminal).get(f"/registry/person/{household.atena_no}/").content.decode()
    assert "【転出予定 令和81年1月10日】" in page
