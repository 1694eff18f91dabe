"""More entry screens: 法第30条の46転入・30条の47届出, 帰化・国籍取得・国籍喪失, 住民票コード・個人番号
(only for the operators holding the capability; the J-LIS simulator on a real local port),
改製, 再転入 offered from the 転入 screen, 未届転入 and the child born before the 転入, 留意事項 on
every screen, and the look-up of a person in the 除票DB."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from peers.jlis import RunningSimulator, running

from jumin.accounts.models import Terminal, User
from jumin.audit.models import AccessLog
from jumin.core.wareki import to_wareki
from jumin.registry.archive import archive_removed
from jumin.registry.models import Movement, Resident, ResidentHistory
from jumin.registry.numbers import open_individual_number
from jumin.registry.services import approve_movement, discard_movement, enter_movement
from tests.conftest import device_cookie, log_in, make_operator
from tests.registry.conftest import final, move_in_data, person

pytestmark = pytest.mark.django_db

FOREIGNER: dict[str, Any] = {
    "nationality_kind": "foreign",
    "name_alphabet": "NGUYEN VAN AN",
    "birth": "1995-03-01",
    "sex": "1",
    "relationship": "世帯主",
    "nationality": "ベトナム",
    "residence_category": "mid_long_term",
    "residence_status": "技術・人文知識・国際業務",
    "period_of_stay": "3年",
    "stay_expires_on": "2028-03-31",
    "residence_card_no": "AB12345678CD",
}
NUMBER = "123456789018"


def _client(user: User, terminal: Terminal) -> Client:
    client = Client()
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    return log_in(client, user)


def _typed(days_from_today: int) -> str:
    day = to_wareki(timezone.localdate() + timedelta(days=days_from_today))
    return f"{day.era}{day.year}年{day.month}月{day.day}日"


def _errors(response: Any) -> str:
    assert response.status_code == 400, response.status_code
    return str(response.content.decode())


def _entered(response: Any, kind: str) -> Movement:
    assert response.status_code == 302, response.content.decode()
    return Movement.objects.filter(kind=kind).latest("id")


def _moved_in(counter: User, reviewer: User, *persons: dict[str, Any]) -> Resident:
    movement = final("move_in", move_in_data(*persons, effective=_typed(-7), notified_on=_typed(-6)), counter, reviewer)
    return Resident.objects.get(atena_no=movement.items.order_by("id")[0].atena_no)


def _formset(prefix: str, total: int, max_num: int = 8) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": str(max_num),
    }


# -- 法第30条の46転入・法第30条の47届出 (4.5.1, 4.5.2) -------------------------------------------------


def _article_post(**overrides: str) -> dict[str, str]:
    post = {
        "effective": _typed(-2),
        "household_mode": "new",
        "addr-address": "埼玉県上尾市本町三丁目1番1号",
        "addr-postcode": "3620014",
        "prev-address": "ベトナム社会主義共和国ハノイ市",
        **_formset("p", 2),
        "p-0-name_alphabet": "NGUYEN VAN AN",
        "p-0-furigana_surname": "グエン",
        "p-0-furigana_given_name": "ヴァンアン",
        "p-0-birth": "1995-03-01",
        "p-0-sex": "1",
        "p-0-relationship": "世帯主",
        "p-0-nationality": "ベトナム",
        "p-0-residence_category": "mid_long_term",
        "p-0-residence_status": "技術・人文知識・国際業務",
        "p-0-period_of_stay": "3年",
        "p-0-stay_expires_on": "2028-03-31",
        "p-0-residence_card_no": "AB12345678CD",
    }
    post.update(overrides)
    return post


@pytest.mark.spec("4.5.1", "4.5.2", partial=True)
def test_article_30_46_and_30_47_screens(counter: User, reviewer: User, terminal: Terminal) -> None:
    client = _client(counter, terminal)
    lookup = client.get("/registry/").content.decode()
    assert 'data-shortcut="Alt+1"><kbd>Alt+1</kbd> 法第30条の46転入の入力' in lookup
    assert 'data-shortcut="Alt+2"><kbd>Alt+2</kbd> 法第30条の47届出の入力' in lookup
    url = "/registry/movements/new/article_30_46/"
    form = client.get(url).content.decode()
    assert "法第30条の46転入の入力（仮登録）" in form and "上陸期間・仮滞在期間" in form
    assert "出生による経過滞在者" not in form  # only the categories of a 30条の46/47 届出
    assert "在留カードの番号を入力してください。" in _errors(
        client.post(url, _article_post(**{"p-0-residence_card_no": ""}))
    )
    movement = _entered(client.post(url, _article_post(remark="旅券で本人確認")), "article_30_46")
    assert movement.reason == "abroad_move_in"
    assert "第30条の46" in movement.remark and movement.remark.endswith("旅券で本人確認")
    proposed = movement.items.get().proposed
    assert (
        proposed["nationality_kind"] == "foreign" and proposed["previous_address"] == "ベトナム社会主義共和国ハノイ市"
    )
    assert proposed["residence_notified"] is True
    movement.delete()

    url = "/registry/movements/new/article_30_47/"
    assert "住所を定めた年月日（空欄は異動日）" in client.get(url).content.decode()
    page = _errors(client.post(url, _article_post(address_set=_typed(0), effective=_typed(-2))))
    assert "住所を定めた年月日は中長期在留者等となった日（異動日）以前の日付にしてください。" in page
    movement = _entered(client.post(url, _article_post(address_set=_typed(-300))), "article_30_47")
    proposed = movement.items.get().proposed
    assert proposed["address_set_text"] == _typed(-300) and proposed["foreign_resident_since_text"] == _typed(-2)


# -- 帰化・国籍取得・国籍喪失 (4.5.3–4.5.5) ----------------------------------------------------------


@pytest.mark.spec("4.5.3", "4.5.4", partial=True)
def test_naturalization_and_nationality_acquisition_screens(counter: User, reviewer: User, terminal: Terminal) -> None:
    foreigner = _moved_in(counter, reviewer, {**FOREIGNER, "surname": "阮", "given_name": "文安"})
    japanese = _moved_in(counter, reviewer, person(surname="平方", koseki_head="平方　太郎"))
    client = _client(counter, terminal)
    page = client.get(f"/registry/person/{foreigner.atena_no}/").content.decode()
    assert "<kbd>Alt+5</kbd> 帰化" in page and "<kbd>Alt+6</kbd> 国籍取得" in page
    assert "国籍喪失" not in page  # for Japanese residents only
    page = client.get(f"/registry/person/{japanese.atena_no}/").content.decode()
    assert "<kbd>Alt+7</kbd> 国籍喪失" in page and "<kbd>Alt+5</kbd>" not in page

    url = "/registry/movements/new/naturalization/"
    form = client.get(url, {"person": foreigner.atena_no}).content.decode()
    assert "帰化の入力（仮登録）" in form and 'value="阮"' in form  # the current name is offered
    post = {
        "person": foreigner.atena_no,
        "effective": _typed(-1),
        "surname": "山田",
        "given_name": "安",
        "furigana_surname": "ヤマダ",
        "furigana_given_name": "ヤス",
        "honseki_kind": "address",
    }
    assert "本籍と筆頭者を入力してください" in _errors(client.post(url, post))
    post.update(honseki="埼玉県上尾市本町一丁目1番地", koseki_head="山田　安")
    movement = _entered(client.post(url, post), "naturalization")
    approve_movement(movement, by=reviewer)
    now = Resident.objects.get(atena_no=foreigner.atena_no)
    assert (now.nationality_kind, now.name, now.honseki) == ("japanese", "山田\u3000安", "埼玉県上尾市本町一丁目1番地")
    assert now.birth_text == "平成7年3月1日" and now.residence_card_no == ""  # 和暦 now, 30条の45 items cleared

    # 国籍取得 of a Japanese resident is refused in Japanese
    url = "/registry/movements/new/nationality_acquisition/"
    assert "国籍取得の日" in client.get(url, {"person": japanese.atena_no}).content.decode()
    page = _errors(client.post(url, {**post, "person": japanese.atena_no}))
    assert "国籍取得の対象は外国人住民です" in page


@pytest.mark.spec("4.5.5", partial=True)
def test_nationality_loss_screen(counter: User, reviewer: User, terminal: Terminal) -> None:
    japanese = _moved_in(counter, reviewer, person())
    client = _client(counter, terminal)
    url = "/registry/movements/new/nationality_loss/"
    form = client.get(url, {"person": japanese.atena_no}).content.decode()
    assert "国籍喪失による経過滞在者" in form and "中長期在留者" in form
    post = {"person": japanese.atena_no, "effective": _typed(-1), "residence_category": "transitional_loss"}
    assert "国籍・地域を入力してください。" in _errors(client.post(url, post))
    page = _errors(client.post(url, {**post, "nationality": "米国", "residence_category": "mid_long_term"}))
    assert "在留資格を入力してください。" in page
    movement = _entered(
        client.post(url, {**post, "nationality": "米国", "name_alphabet": "AGEO TARO"}), "nationality_loss"
    )
    proposed = movement.items.get().proposed
    assert (proposed["nationality_kind"], proposed["nationality"], proposed["residence_category"]) == (
        "foreign",
        "米国",
        "transitional_loss",
    )
    assert proposed["honseki"] == "" and proposed["birth_text"] == "1980年4月1日"  # 西暦 now
    assert "国籍喪失" in movement.remark


# -- 住民票コード・個人番号 (4.3, 4.4): only with the capability ------------------------------------------


@pytest.fixture
def jlis(settings: Any) -> Iterator[RunningSimulator]:
    """The J-LIS 個人番号生成 simulator on a free local port, and jumin configured to use it."""
    with running() as simulator:
        settings.JUMIN_NUMBER_SERVICE_URL = simulator.url
        settings.JUMIN_NUMBER_SERVICE_TIMEOUT = 5
        yield simulator


@pytest.mark.spec("4.3.2", "10.4", partial=True)
def test_resident_code_screen_needs_the_capability(counter: User, reviewer: User, terminal: Terminal) -> None:
    resident = _moved_in(counter, reviewer, person())
    url = "/registry/movements/new/resident_code/"
    plain = _client(counter, terminal)
    page = plain.get(f"/registry/person/{resident.atena_no}/").content.decode()
    assert "住民票コードの変更請求" not in page and "個人番号の職権記載" not in page
    assert plain.get(url, {"person": resident.atena_no}).status_code == 403
    assert plain.post(url, {"person": resident.atena_no, "action": "change_request"}).status_code == 403

    clerk = make_operator("code", "住民票 係", roles=("窓口入力", "住民票コード事務"))
    client = _client(clerk, terminal)
    page = client.get(f"/registry/person/{resident.atena_no}/").content.decode()
    assert "<kbd>Alt+8</kbd> 住民票コードの変更請求・職権記載" in page and "<kbd>Alt+9</kbd>" not in page
    form = client.get(url, {"person": resident.atena_no}).content.decode()
    assert "空きコードから無作為に払い出します" in form
    assert "住民票コードは記載済みです。" in _errors(
        client.post(url, {"person": resident.atena_no, "action": "ex_officio_record"})
    )
    post = {"person": resident.atena_no, "action": "change_request", "notified_on": _typed(0), "notifier": "本人"}
    movement = _entered(client.post(url, post), "resident_code")
    assert movement.reason == "resident_code_change_request" and movement.notifier == "本人"
    approve_movement(movement, by=reviewer)
    assert Resident.objects.get(atena_no=resident.atena_no).resident_code not in ("", resident.resident_code)


@pytest.mark.spec("4.4", "7.1.2.1", "10.4", partial=True)
def test_individual_number_screen_asks_jlis_and_explains_failures_in_japanese(
    counter: User, reviewer: User, terminal: Terminal, other_terminal: Terminal, settings: Any
) -> None:
    resident = _moved_in(counter, reviewer, person())
    url = "/registry/movements/new/individual_number/"
    plain = _client(counter, terminal)
    assert plain.get(url, {"person": resident.atena_no}).status_code == 403
    clerk = make_operator("bango", "番号 係", roles=("窓口入力", "個人番号利用事務"))
    client = _client(clerk, other_terminal)
    page = client.get(f"/registry/person/{resident.atena_no}/").content.decode()
    assert "<kbd>Alt+9</kbd> 個人番号の職権記載・変更請求・職権修正" in page and "<kbd>Alt+8</kbd>" not in page
    form = client.get(url, {"person": resident.atena_no}).content.decode()
    assert 'value="ex_officio_record" selected' in form  # no number yet
    post = {"person": resident.atena_no, "action": "ex_officio_record"}
    settings.JUMIN_NUMBER_SERVICE_URL = ""
    page = _errors(client.post(url, post))
    assert "個人番号の生成要求先（JUMIN_NUMBER_SERVICE_URL）が設定されていません。" in page
    with running() as simulator:
        settings.JUMIN_NUMBER_SERVICE_URL = simulator.url
        simulator.issuer.failing = True
        assert "機構（個人番号生成）に接続できません。" in _errors(client.post(url, post))
        simulator.issuer.failing = False
        response = client.post(url, post)
        number = simulator.issuer.number_of(resident.resident_code)
    assert number not in response["Location"]
    movement = _entered(response, "individual_number")
    item = movement.items.get()
    assert open_individual_number(item.proposed["individual_number_ct"], resident.atena_no) == number
    sheet = client.get(response["Location"]).content.decode()
    assert number in sheet  # the clerk holds the 個人番号 capability
    masked_response = plain.get(response["Location"])
    assert masked_response.status_code == 200, (masked_response.status_code, masked_response.get("Location"))
    masked = masked_response.content.decode()
    assert number not in masked and "************" in masked
    assert not Movement.objects.filter(kind="individual_number").exclude(pk=movement.pk).exists()


def test_individual_number_change_is_preselected_when_a_number_is_recorded(
    counter: User, reviewer: User, terminal: Terminal, jlis: RunningSimulator
) -> None:
    resident = _moved_in(counter, reviewer, person())
    clerk = make_operator("bango", "番号 係", roles=("窓口入力", "個人番号利用事務"))
    final("individual_number", {"atena_no": resident.atena_no, "action": "ex_officio_record"}, clerk, reviewer)
    client = _client(clerk, terminal)
    url = "/registry/movements/new/individual_number/"
    assert 'value="change_request" selected' in client.get(url, {"person": resident.atena_no}).content.decode()
    old = jlis.issuer.number_of(resident.resident_code)
    post = {"person": resident.atena_no, "action": "change_request", "notifier": "本人"}
    movement = _entered(client.post(url, post), "individual_number")
    new = open_individual_number(movement.items.get().proposed["individual_number_ct"], resident.atena_no)
    assert new != old and movement.reason == "individual_number_change_request"


# -- 改製 (1.1.4) --------------------------------------------------------------------------------------


@pytest.mark.spec("1.1.4", partial=True)
def test_rebuild_screen(counter: User, reviewer: User, terminal: Terminal) -> None:
    resident = _moved_in(counter, reviewer, person())
    client = _client(counter, terminal)
    assert "<kbd>Alt+0</kbd> 改製" in client.get(f"/registry/person/{resident.atena_no}/").content.decode()
    url = "/registry/movements/new/rebuild/"
    form = client.get(url, {"person": resident.atena_no}).content.decode()
    assert "改製の理由（留意事項）" in form and "改製原住民票" in form
    movement = _entered(client.post(url, {"person": resident.atena_no, "remark": "特別養子縁組による改製"}), "rebuild")
    assert movement.remark == "特別養子縁組による改製"  # not twice
    assert [i.proposed["_reason"] for i in movement.items.order_by("id")] == ["rebuild_remove", "rebuild_add"]
    approve_movement(movement, by=reviewer)
    assert Resident.objects.get(atena_no=resident.atena_no).rebuild_no == 1


# -- 転入: 再転入, 未届転入, 転入前に出生 (4.1.1.2, 4.1.1.4, 4.1.0.1) -----------------------------------------


def _move_in_post(**overrides: str) -> dict[str, str]:
    post = {
        "reason": "domestic_move_in",
        "effective": _typed(-1),
        "household_mode": "new",
        "addr-address": "埼玉県上尾市本町三丁目1番1号",
        "prev-address": "東京都千代田区千代田1番1号",
        **_formset("p", 4),
        "p-0-surname": "上尾",
        "p-0-given_name": "太郎",
        "p-0-furigana_surname": "アゲオ",
        "p-0-furigana_given_name": "タロウ",
        "p-0-birth": "S55.4.1",
        "p-0-sex": "1",
        "p-0-relationship": "世帯主",
        "p-0-honseki": "埼玉県上尾市本町一丁目1番地",
        "p-0-koseki_head": "上尾　太郎",
        **{f"p-{i}-nationality_kind": "japanese" for i in range(4)},
        **{f"p-{i}-honseki_kind": "address" for i in range(4)},
    }
    post.update(overrides)
    return post


@pytest.mark.spec("4.1.1.2", partial=True)
def test_move_in_screen_offers_to_enter_a_reentry(counter: User, reviewer: User, terminal: Terminal) -> None:
    old = _moved_in(counter, reviewer, person(individual_number=NUMBER))
    final(
        "move_out",
        {
            "atena_nos": [old.atena_no],
            "effective": _typed(-5),
            "destination": {"address": "東京都千代田区千代田1番1号"},
        },
        counter,
        reviewer,
    )
    client = _client(counter, terminal)
    url = "/registry/movements/new/move_in/"
    form = client.get(url).content.decode()
    assert "再転入の除票の宛名番号" in form and "最終登録住所地" in form and "転入前に出生" in form
    post = _move_in_post(**{"p-0-individual_number": NUMBER})
    page = _errors(client.post(url, post))
    assert f"この方は再転入者です（除票 宛名番号 {old.atena_no}）" in page
    button = f'name="reentry" value="0:{old.atena_no}" data-shortcut="Alt+R"'
    assert button in page and "1人目（上尾\u3000太郎）を除票" in page
    assert page.index('data-shortcut="Ctrl+Enter"') < page.index(button)  # Enter still submits the entry itself
    # a bad button value changes nothing
    assert "この方は再転入者です" in _errors(client.post(url, {**post, "reentry": "9:x"}))
    movement = _entered(client.post(url, {**post, "reentry": f"0:{old.atena_no}"}), "move_in")
    assert [(i.atena_no, i.base_history_no) for i in movement.items.all()] == [(old.atena_no, old.history_no + 1)]
    approve_movement(movement, by=reviewer)
    now = Resident.objects.get(atena_no=old.atena_no)
    assert now.status == "current" and open_individual_number(now.individual_number_ct, now.atena_no) == NUMBER


@pytest.mark.spec("4.1.1.4", "4.1.0.1", "4.2.1.1", "1.1.14", partial=True)
def test_move_in_screen_unreported_previous_address_and_child_born_before(
    counter: User, reviewer: User, terminal: Terminal
) -> None:
    client = _client(counter, terminal)
    url = "/registry/movements/new/move_in/"
    child = {
        "p-1-surname": "上尾",
        "p-1-given_name": "一郎",
        "p-1-furigana_surname": "アゲオ",
        "p-1-furigana_given_name": "イチロウ",
        "p-1-birth": _typed(-10),
        "p-1-sex": "1",
        "p-1-relationship": "子",
        "p-1-honseki": "埼玉県上尾市本町一丁目1番地",
        "p-1-koseki_head": "上尾　太郎",
        "p-1-born_before_move_in": "on",
    }
    post = _move_in_post(previous_unreported="on", **child)
    page = client.post(url, post).content.decode()
    assert "最終登録住所地（住民票があった住所）を入力してください。" in page and 'name="ack"' in page
    response = client.post(url, {**post, "last_registered": "東京都港区芝公園1番1号", "remark": "親族同伴で来庁"})
    movement = _entered(response, "move_in")
    assert movement.remark == "転入前住所は未届の住所（最終登録住所地 東京都港区芝公園1番1号）\u3000親族同伴で来庁"
    parent, baby = (i.proposed for i in movement.items.order_by("id"))
    assert parent["previous_address_unreported"] and parent["last_registered_address"] == "東京都港区芝公園1番1号"
    assert baby["previous_address"] == "" and baby["household_no"] == parent["household_no"]


# -- 留意事項 (1.1.14 B類型) ------------------------------------------------------------------------


@pytest.mark.spec("1.1.14", partial=True)
def test_remark_entered_is_recorded_and_combined_with_the_planners(counter: User, reviewer: User) -> None:
    resident = _moved_in(counter, reviewer, person())
    movement = enter_movement(
        "disappearance",
        {"atena_no": resident.atena_no, "effective": _typed(-30), "remark": " 家庭裁判所の審判書による "},
        by=counter,
    )
    assert movement.remark == "家庭裁判所の審判書による"
    approve_movement(movement, by=reviewer)
    assert ResidentHistory.objects.filter(atena_no=resident.atena_no).latest("history_no").remark == movement.remark
    # a planner's own 留意事項 comes first; one that took the entered text in already is not doubled
    unreported = {"address": "さいたま市浦和区高砂3丁目15番1号", "unreported": True, "last_registered": "東京都港区"}
    data = move_in_data(
        person(surname="平方", koseki_head="平方　太郎"), previous_address=unreported, remark="確認済み"
    )
    assert enter_movement("move_in", data, by=counter).remark.endswith("（最終登録住所地 東京都港区）\u3000確認済み")
    other = _moved_in(counter, reviewer, person(surname="大石", koseki_head="大石　太郎"))
    rebuild = enter_movement("rebuild", {"atena_nos": [other.atena_no], "remark": "性別の変更による改製"}, by=counter)
    assert rebuild.remark == "性別の変更による改製"
    discard_movement(rebuild, by=counter)  # (one waiting movement per person)
    plain = enter_movement(
        "former_surname",
        {
            "atena_no": other.atena_no,
            "action": "record",
            "former_surname": "大石",
            "former_surname_furigana": "オオイシ",
        },
        by=counter,
    )
    assert plain.remark == ""


def test_remark_from_a_screen_shows_in_the_integrated_remarks(
    counter: User, reviewer: User, terminal: Terminal
) -> None:
    resident = _moved_in(counter, reviewer, person())
    client = _client(counter, terminal)
    url = "/registry/movements/new/former_surname/"
    form = client.get(url, {"person": resident.atena_no}).content.decode()
    assert "留意事項（統合記載欄 B類型・任意）" in form
    post = {
        "person": resident.atena_no,
        "action": "record",
        "former_surname": "大石",
        "former_surname_furigana": "オオイシ",
        "remark": "戸籍謄本で確認",
    }
    approve_movement(_entered(client.post(url, post), "former_surname"), by=reviewer)
    page = client.get(f"/registry/person/{resident.atena_no}/").content.decode()
    assert "戸籍謄本で確認" in page.split('data-testid="remarks-b"')[1].split("</ul>")[0]


# -- 除票DB (1.1.5) in the look-up ------------------------------------------------------------------


@pytest.mark.spec("1.1.5", "2.2.1", partial=True)
def test_lookup_finds_an_archived_person_read_only(counter: User, reviewer: User, terminal: Terminal) -> None:
    movement = final(
        "move_in",
        move_in_data(person(individual_number=NUMBER), effective="平成20年4月1日", notified_on="平成20年4月1日"),
        counter,
        reviewer,
    )
    atena_no = movement.items.get().atena_no
    final(
        "move_out",
        {
            "atena_nos": [atena_no],
            "effective": "平成25年4月1日",
            "notified_on": "平成25年4月1日",
            "initiation": "ex_officio",
            "destination": {"address": "東京都千代田区千代田1番1号"},
        },
        counter,
        reviewer,
    )
    assert archive_removed(today=timezone.localdate()).persons == 1
    assert not Resident.objects.filter(atena_no=atena_no).exists()
    client = _client(counter, terminal)
    response = client.get("/registry/", {"number": atena_no})
    page = response.content.decode()
    assert response.status_code == 200 and "【除票（保存用）】" in page
    assert "上尾\u3000太郎" in page and "国内転出" in page and "国内転入" in page  # the 異動履歴 too
    assert NUMBER not in page and "************" in page  # masked as anywhere else
    assert "この方の異動を入力" not in page and "メモを登録" not in page  # read-only
    assert AccessLog.objects.filter(purpose="registry.person.archived", operator="madoguchi").count() == 1
    assert "【除票（保存用）】" in client.get(f"/registry/person/{atena_no}/").content.decode()
    assert "見つかりません" in client.get("/registry/", {"number": "0000000000"}, follow=True).content.decode()
    assert client.get("/registry/person/0000000000/").status_code == 404
    viewer = make_operator("kanri", "管理 者", roles=("システム管理者",))
    assert _client(viewer, terminal).get("/registry/", {"number": atena_no}).status_code == 403
