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
        {"atena_nos": [household.atena_no], "effective": "2027-01-10", "destination": {"address": "東京都港区"}},
        counter,
        reviewer,
        acknowledged=("household.head_by_ex_officio",),
    )
    page = _client(counter, terminal).get(f"/registry/person/{household.atena_no}/").content.decode()
    assert "【転出予定 令和9年1月10日】" in page


# -- the entry screens of the other movements, メモ and 統合記載欄 -----------------------------------


def _typed(days_from_today: int) -> str:
    """A date relative to today in 和暦 as the counter types it («令和8年11月20日»)."""
    from datetime import timedelta

    from django.utils import timezone

    from jumin.core.wareki import to_wareki

    day = to_wareki(timezone.localdate() + timedelta(days=days_from_today))
    return f"{day.era}{day.year}年{day.month}月{day.day}日"


def _second_household(counter: User, reviewer: User, **overrides: object) -> list[Resident]:
    data = move_in_data(
        person(surname="平方", given_name="次郎", furigana_surname="ヒラカタ", koseki_head="平方　次郎"),
        person(
            surname="平方",
            given_name="三郎",
            furigana_surname="ヒラカタ",
            relationship="子",
            birth="H10.1.1",
            koseki_head="平方　次郎",
        ),
        effective=_typed(-3),
        notified_on=_typed(-1),
        **overrides,
    )
    final("move_in", data, counter, reviewer)
    household_no = Resident.objects.latest("id").household_no
    return list(Resident.objects.filter(household_no=household_no).order_by("atena_no"))


def _errors(response: object) -> str:
    assert response.status_code == 400, response.status_code  # type: ignore[attr-defined]
    return response.content.decode()  # type: ignore[attr-defined]


@pytest.mark.spec("4.1.4.1", "4.1.4.2", "2.3.2", partial=True)
def test_household_merge_change_and_head_change_screens(
    household: Resident, counter: User, reviewer: User, terminal: Terminal
) -> None:
    same_dwelling = {"address": household.address, "postcode": household.postcode, "katagaki": household.katagaki}
    jiro, saburo = _second_household(counter, reviewer, address=same_dwelling)
    client = _client(counter, terminal)
    page = client.get(f"/registry/household/{household.household_no}/").content.decode()
    for key, label in (("Alt+6", "世帯合併"), ("Alt+7", "世帯変更"), ("Alt+8", "世帯主変更")):
        assert f'data-shortcut="{key}"><kbd>{key}</kbd> {label}</a>' in page

    # 世帯変更: 三郎 moves into the first household
    url = "/registry/movements/new/household_change/"
    form = client.get(url, {"household": jiro.household_no}).content.decode()
    assert "移る先の世帯番号" in form and f'name="rel_{saburo.atena_no}"' in form
    post = {"household": jiro.household_no, "atena_nos": [saburo.atena_no], "effective": _typed(0)}
    page = _errors(client.post(url, {**post, "into_household_no": "9999999999"}))
    assert "移る先の世帯を正しく指定してください。" in page
    page = _errors(client.post(url, {**post, "into_household_no": household.household_no}))
    assert "平方\u3000三郎 の新しい続柄を入力してください。" in page
    assert f'value="{saburo.atena_no}" id="sel-{saburo.atena_no}" checked' in page  # the choice is kept
    response = client.post(
        url, {**post, "into_household_no": household.household_no, f"rel_{saburo.atena_no}": "同居人"}
    )
    assert response.status_code == 302, response.content.decode()
    change = Movement.objects.get(kind="household_change")
    assert {i.atena_no: i.proposed["relationship"] for i in change.items.all()}[saburo.atena_no] == "同居人"
    change.delete()  # (discarding is tested elsewhere; free the household for the next screens)

    # 世帯合併: the second household joins the first one — every member gets a new 続柄
    url = "/registry/movements/new/household_merge/"
    form = client.get(url, {"household": jiro.household_no}).content.decode()
    assert 'name="atena_nos"' not in form and "合併先の世帯番号" in form
    post = {"household": jiro.household_no, "effective": _typed(0), "into_household_no": household.household_no}
    page = _errors(client.post(url, {**post, f"rel_{jiro.atena_no}": "世帯主", f"rel_{saburo.atena_no}": "子"}))
    assert "合併先の世帯には世帯主がいます。" in page
    response = client.post(url, {**post, f"rel_{jiro.atena_no}": "縁故者", f"rel_{saburo.atena_no}": "縁故者"})
    assert response.status_code == 302, response.content.decode()
    merge = Movement.objects.get(kind="household_merge")
    assert {i.proposed["household_no"] for i in merge.items.all()} == {household.household_no}
    merge.delete()

    # 世帯主変更: the inputs start with the current 続柄
    url = "/registry/movements/new/head_change/"
    form = client.get(url, {"household": jiro.household_no}).content.decode()
    assert f'name="rel_{jiro.atena_no}" value="世帯主"' in form
    post = {
        "household": jiro.household_no,
        "effective": _typed(0),
        f"rel_{jiro.atena_no}": "世帯主",
        f"rel_{saburo.atena_no}": "子",
    }
    assert "世帯主が変わっていません。" in _errors(client.post(url, post))
    response = client.post(url, {**post, f"rel_{jiro.atena_no}": "父", f"rel_{saburo.atena_no}": "世帯主"})
    assert response.status_code == 302, response.content.decode()
    assert Movement.objects.get(kind="head_change").items.count() == 2


@pytest.mark.spec("4.2.3.1", "4.2.3.2", "4.2.3.3", partial=True)
def test_correction_screen_shows_the_items_and_sends_what_changed(
    household: Resident, counter: User, reviewer: User, terminal: Terminal
) -> None:
    client = _client(counter, terminal)
    page = client.get(f"/registry/person/{household.atena_no}/").content.decode()
    assert 'data-shortcut="Alt+1"><kbd>Alt+1</kbd> 修正' in page and "旧氏の記載・変更・削除" in page
    assert "通称の記載・削除" not in page  # 通称 is for foreign residents
    url = "/registry/movements/new/correction/"
    form = client.get(url, {"person": household.atena_no}).content.decode()
    assert 'value="太郎"' in form and 'value="埼玉県上尾市本町一丁目1番地"' in form  # the current items
    assert "在留資格" not in form  # items of foreign residents are not offered
    post = {
        "person": household.atena_no,
        "correction": "ex_officio",
        "surname": "上尾",
        "given_name": "太郎",
        "furigana_surname": "アゲオ",
        "furigana_given_name": "タロウ",
        "birth": household.birth_text,
        "sex": "1",
        "honseki_kind": "address",
        "honseki": household.honseki,
        "koseki_head": household.koseki_head,
        "address": household.address,
        "katagaki": household.katagaki,
        "postcode": household.postcode,
    }
    assert "修正する項目を入力してください。" in _errors(client.post(url, post))
    page = _errors(client.post(url, {**post, "address": "埼玉県上尾市本町九丁目9番9号"}))
    assert "住所は軽微な修正（住居表示の実施、地番変更など）でだけ修正できます。" in page
    assert "氏の振り仮名は全角カタカナで入力してください。" in _errors(
        client.post(url, {**post, "furigana_surname": "あげお"})
    )
    response = client.post(url, {**post, "correction": "clerical", "given_name": "太朗", "notes": "事実上の世帯主"})
    assert response.status_code == 302, response.content.decode()
    movement = Movement.objects.get(kind="correction")
    proposed = {i.atena_no: i.proposed for i in movement.items.all()}
    assert proposed[household.atena_no]["given_name"] == "太朗" and proposed[household.atena_no]["notes"]
    assert {p["head_name"] for p in proposed.values()} == {"上尾\u3000太朗"}  # the wife's 世帯主氏名 follows
    assert movement.reason == "clerical_correction"


@pytest.mark.spec("4.2.2.2", "1.1.7", partial=True)
def test_disappearance_former_surname_and_alias_screens(
    household: Resident, counter: User, reviewer: User, terminal: Terminal
) -> None:
    from tests.registry.test_more_movements import FOREIGNER

    client = _client(counter, terminal)
    wife = Resident.objects.get(given_name="花子")
    url = "/registry/movements/new/disappearance/"
    assert "失踪宣告により死亡とみなされる日を入力してください。" in _errors(
        client.post(url, {"person": wife.atena_no})
    )
    assert client.post(url, {"person": wife.atena_no, "effective": _typed(-30)}).status_code == 302
    Movement.objects.get(kind="disappearance").delete()

    url = "/registry/movements/new/former_surname/"
    page = _errors(client.post(url, {"person": wife.atena_no, "action": "record", "former_surname": "大石"}))
    assert "旧氏と旧氏の振り仮名を入力してください（振り仮名は旧氏と一緒に請求します）。" in page
    post = {
        "person": wife.atena_no,
        "action": "record",
        "former_surname": "大石",
        "former_surname_furigana": "オオイシ",
    }
    assert client.post(url, post).status_code == 302
    assert Movement.objects.get(kind="former_surname").requested_on is not None

    final("move_in", move_in_data(FOREIGNER, effective=_typed(-2), notified_on=_typed(0)), counter, reviewer)
    foreigner = Resident.objects.get(name_alphabet="NGUYEN VAN AN")
    page = client.get(f"/registry/person/{foreigner.atena_no}/").content.decode()
    assert "<kbd>Alt+4</kbd> 通称の記載・削除" in page and "<kbd>Alt+3</kbd>" not in page
    url = "/registry/movements/new/alias/"
    assert "通称を入力してください。" in _errors(client.post(url, {"person": foreigner.atena_no, "action": "record"}))
    response = client.post(url, {"person": foreigner.atena_no, "action": "record", "alias": "阮 文安"})
    assert response.status_code == 302
    assert "通称は外国人住民だけが記載できます。" in _errors(
        client.post(url, {"person": wife.atena_no, "action": "record", "alias": "山田"})
    )


def test_person_screens_need_a_person(counter: User, terminal: Terminal) -> None:
    client = _client(counter, terminal)
    response = client.get("/registry/movements/new/correction/", follow=True)
    assert "個人照会の画面から対象者を開いて入力してください。" in response.content.decode()
    assert client.get("/registry/movements/new/correction/", {"person": "9999999999"}).status_code == 404


def test_entry_screens_and_memos_need_the_entry_capability(household: Resident, terminal: Terminal) -> None:
    viewer = make_operator("hoken", "保険 課員", roles=("他部署照会",))
    client = _client(viewer, terminal)
    for kind in ("household_merge", "household_change", "head_change"):
        assert client.get(f"/registry/movements/new/{kind}/", {"household": household.household_no}).status_code == 403
    for kind in ("correction", "disappearance", "former_surname", "alias"):
        assert client.get(f"/registry/movements/new/{kind}/", {"person": household.atena_no}).status_code == 403
    assert client.post(f"/registry/person/{household.atena_no}/memos/", {"text": "x"}).status_code == 403
    assert client.post(f"/registry/person/{household.atena_no}/memos/1/delete/").status_code == 403
    page = client.get(f"/registry/person/{household.atena_no}/").content.decode()
    assert "統合記載欄" in page and "この方の異動を入力" not in page
    assert "メモ（証明書には印字されません）" not in page  # other departments do not read memos


@pytest.mark.spec("1.1.15", partial=True)
def test_memos_are_added_deleted_with_history_and_logged(
    household: Resident, counter: User, reviewer: User, terminal: Terminal, other_terminal: Terminal
) -> None:
    from jumin.audit.models import OperationLog
    from jumin.registry.models import Memo

    client = _client(counter, terminal)
    url = f"/registry/person/{household.atena_no}/memos/"
    assert "メモを入力してください。" in client.post(url, {"text": "  "}, follow=True).content.decode()
    response = client.post(url, {"text": "窓口で転居の相談あり。"}, follow=True)
    page = response.content.decode()
    assert "メモを登録しました。" in page and "窓口で転居の相談あり。" in page and "上尾 花子" in page
    memo = Memo.objects.get()
    assert client.post("/registry/person/9999999999/memos/", {"text": "x"}).status_code == 404
    # the reviewer reads it too (register staff); the read is logged
    review = _client(reviewer, other_terminal).get(f"/registry/person/{household.atena_no}/").content.decode()
    assert "窓口で転居の相談あり。" in review and "削除" not in review.split("メモ（証明書")[1].split("</ul>")[0]
    assert AccessLog.objects.filter(purpose="registry.person.notes", operator="shinsa").exists()
    page = client.post(f"{url}{memo.pk}/delete/", follow=True).content.decode()
    assert "メモを削除しました（履歴に残ります）。" in page and "メモはありません。" in page
    assert "メモの変更・削除の履歴" in page and "窓口で転居の相談あり。" in page  # still in the history
    assert (
        "そのメモは変更または削除されています。" in client.post(f"{url}{memo.pk}/delete/", follow=True).content.decode()
    )
    assert Memo.objects.count() == 2 and Memo.objects.get(deleted=True).replaces_id == memo.pk
    actions = list(OperationLog.objects.filter(action__startswith="memo.").values_list("action", flat=True))
    assert actions == ["memo.add", "memo.delete"]
    assert "窓口で転居" not in str(list(OperationLog.objects.values_list("before", "after", "reason")))


def test_the_memos_are_asked_for_only_when_the_person_has_some(
    household: Resident, counter: User, terminal: Terminal
) -> None:
    """Issue 24: the person's read says whether there are メモ; without any, no statement asks."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(counter, terminal)
    page_url = f"/registry/person/{household.atena_no}/"

    def memo_reads() -> int:
        with CaptureQueriesContext(connection) as statements:
            page = client.get(page_url).content.decode()
        assert "メモ（証明書には印字されません）" in page
        return sum(s["sql"].startswith('SELECT "registry_memo"') for s in statements.captured_queries)

    assert memo_reads() == 0
    client.post(f"{page_url}memos/", {"text": "窓口で相談あり。"})
    assert memo_reads() == 1


@pytest.mark.spec("1.1.14")
def test_integrated_remarks_show_history_remarks_and_notes(
    household: Resident, counter: User, reviewer: User, terminal: Terminal
) -> None:
    from jumin.registry.services import approve_movement, enter_movement

    movement = enter_movement(
        "correction",
        {"correction": "ex_officio", "atena_no": household.atena_no, "changes": {"notes": "事実上の世帯主 上尾 一郎"}},
        by=counter,
    )
    movement.remark = "本籍地からの通知による"  # 留意事項 of this 異動 (B類型)
    movement.save(update_fields=["remark"])
    approve_movement(movement, by=reviewer)
    page = _client(counter, terminal).get(f"/registry/person/{household.atena_no}/").content.decode()
    a_part = page.split('data-testid="remarks-a"')[1].split("</ol>")[0]
    assert "東京都千代田区千代田1番1号から国内転入" in a_part and "届出" in a_part
    assert "職権修正" in a_part and "職権修正" in a_part.split("<li>")[-1]
    b_part = page.split('data-testid="remarks-b"')[1].split("</ul>")[0]
    assert "職権修正" in b_part and "本籍地からの通知による" in b_part and movement.movement_no in b_part
    assert "事実上の世帯主 上尾 一郎" in page.split('data-testid="remarks-c"')[1].split("</p>")[0]


@pytest.mark.spec("1.1.5", partial=True)
def test_a_move_out_whose_date_has_not_come_stays_in_the_household_view(
    household: Resident, counter: User, reviewer: User, terminal: Terminal
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from jumin.conf.domain import era_table

    today = timezone.localdate()
    wife = Resident.objects.get(given_name="花子")
    data = {
        "atena_nos": [wife.atena_no],
        "effective": era_table().format(today + timedelta(days=10)),
        "notified_on": era_table().format(today),
        "destination": {"address": "東京都港区芝公園4丁目2番8号", "postcode": "1050011"},
    }
    final("move_out", data, counter, reviewer)
    client = _client(counter, terminal)
    page = client.get(f"/registry/household/{household.household_no}/").content.decode()
    planned = era_table().format(today + timedelta(days=10))
    assert "上尾\u3000花子" in page and f"{planned} 転出予定" in page
    person_page = client.get(f"/registry/person/{wife.atena_no}/").content.decode()
    assert f"【転出予定 {planned}】" in person_page and "【除票】" not in person_page
    api = client.get(f"/api/v1/households/{household.household_no}").json()
    assert [p["atena_no"] for p in api["leaving"]] == [wife.atena_no]
    # once the day has passed, she is a 除票 shown only on request
    Resident.objects.filter(pk=wife.pk).update(planned_move_out_on=today - timedelta(days=1))
    page = client.get(f"/registry/household/{household.household_no}/").content.decode()
    assert "上尾\u3000花子" not in page
    assert "上尾\u3000花子" in client.get(f"/registry/household/{household.household_no}/?removed=1").content.decode()


@pytest.mark.spec("4.2.0.1")
def test_ex_officio_removal_is_entered_on_screen_without_a_destination(
    household: Resident, counter: User, terminal: Terminal
) -> None:
    client = _client(counter, terminal)
    menu = client.get(f"/registry/household/{household.household_no}/").content.decode()
    assert "職権消除（実態調査）" in menu
    url = f"/registry/movements/new/ex_officio_removal/?household={household.household_no}"
    page = client.get(url).content.decode()
    assert "転出先は不明" in page and "職権消除の理由" in page
    post = {
        "household": household.household_no,
        "atena_nos": [household.atena_no],
        "effective": "令和8年10月頃",
        "grounds": "実態調査の結果、居住の事実なし",
        "destination_unknown": "on",
        "ack": "household.head_by_ex_officio",
    }
    response = client.post("/registry/movements/new/ex_officio_removal/", post)
    assert response.status_code == 302, response.content.decode()
    movement = Movement.objects.get(kind="ex_officio_removal")
    proposed = movement.items.get(atena_no=household.atena_no).proposed
    assert proposed["destination"] == "不明" and proposed["removed_text"] == "令和8年10月頃"


@pytest.mark.spec("2.3.2", partial=True)
def test_an_error_names_the_person_and_marks_their_fieldset(counter: User, terminal: Terminal) -> None:
    """Issue 17: a planner's error says whom it is about, and that person's fieldset is marked
    (the shell puts the focus on its first item)."""
    entry = _client(counter, terminal)
    person = {
        "surname": "上尾",
        "furigana_surname": "アゲオ",
        "sex": "1",
        "nationality_kind": "japanese",
        "honseki_kind": "address",
        "honseki": "埼玉県上尾市本町1番地",
        "koseki_head": "上尾　太郎",
    }
    post = {
        "reason": "domestic_move_in",
        "effective": "R8.11.20",
        "household_mode": "new",
        "addr-address": "埼玉県上尾市本町三丁目1番1号",
        "prev-address": "東京都千代田区千代田1番1号",
        "p-TOTAL_FORMS": "2",
        "p-INITIAL_FORMS": "0",
        "p-MIN_NUM_FORMS": "0",
        "p-MAX_NUM_FORMS": "8",
        **{f"p-0-{k}": v for k, v in person.items()},
        **{f"p-1-{k}": v for k, v in person.items()},
        "p-0-given_name": "太郎",
        "p-0-birth": "S55.4.1",
        "p-0-relationship": "世帯主",
        "p-1-given_name": "次郎",
        "p-1-birth": "H22.5.5",
        "p-1-relationship": "子",
        "p-1-honseki": "",  # 本籍 left out: the planner's error is about 次郎
    }
    response = entry.post("/registry/movements/new/move_in/", post)
    page = response.content.decode()
    assert response.status_code == 400, response.status_code
    assert "<strong>上尾\u3000次郎</strong>：" in page, page[page.find("errors") : page.find("errors") + 600]
    assert 'class="person has-error" id="persons-2"' in page
    second = page[page.index('id="persons-2"') :]
    marked = 'class="field has-error">\n  <label for="id_p-1-honseki">本籍</label>'
    assert marked in second, "the item in error is marked"
    assert 'class="person" id="persons-1"' in page
