"""Notices printed from a movement (jumin.registry.notices, notice_pdf, notice_views):
確認用帳票 (4.0.9, 20.0.1), 住民異動届受理通知 (4.1.0.3), 職権記録書・職権記載等通知書 (4.2.0.1),
世帯主変更（依頼）通知書 (4.0.4, 4.0.5).  The PDFs are read back with pdfplumber."""

from __future__ import annotations

import io
from datetime import timedelta

import pdfplumber
import pytest
from django.test import Client
from django.utils import timezone

from jumin.accounts.models import Terminal, User
from jumin.accounts.principal import Principal
from jumin.audit.models import AccessLog, PrintLog
from jumin.core.errors import DomainError
from jumin.protection.models import MeasureKind, ProtectedPerson, SupportMeasure
from jumin.registry import notices
from jumin.registry.models import Movement, Resident, ResidentHistory
from jumin.registry.notice_pdf import render
from jumin.registry.services import MovementRejectedError, enter_movement
from tests.conftest import device_cookie, log_in, make_operator
from tests.registry.conftest import final, move_in_data, person

pytestmark = pytest.mark.django_db

NUMBER = "123456789018"  # a valid 個人番号 (check digit 8)
NEW_ADDRESS = "埼玉県上尾市本町三丁目1番1号"
OLD_ADDRESS = "東京都千代田区千代田1番1号"


def _client(user: User, terminal: Terminal) -> Client:
    client = Client()
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    return log_in(client, user)


def _text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


def _pages(pdf: bytes) -> int:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


def _flat(text: str) -> str:
    """The text without line breaks and spaces (a long value wraps inside its cell)."""
    return "".join(text.split())


def _url(movement: Movement, kind: str) -> str:
    return f"/registry/movements/{movement.movement_no}/notice/{kind}.pdf"


def _get_pdf(client: Client, movement: Movement, kind: str) -> str:
    response = client.get(_url(movement, kind))
    assert response.status_code == 200, response.content.decode(errors="replace")[:500]
    assert response["Content-Type"] == "application/pdf"
    return _text(response.content)


def _no_numbers(text: str, *atena_nos: str) -> None:
    """Neither a 個人番号 nor a 住民票コード of these persons is on the page."""
    flat = _flat(text)
    assert NUMBER not in flat
    for resident in Resident.objects.filter(atena_no__in=atena_nos):
        assert resident.resident_code, "the person should have a 住民票コード by now"
        assert resident.resident_code not in flat


@pytest.fixture
def other_department(db: None) -> User:
    return make_operator("hoken", "保険 課員", roles=("他部署照会",))


@pytest.fixture
def family(counter: User, reviewer: User) -> tuple[Resident, Resident, Resident]:
    """世帯主, 妻, 子 moved in (本登録), the head with a 個人番号."""
    final(
        "move_in",
        move_in_data(
            person(individual_number=NUMBER),
            person(given_name="花子", furigana_given_name="ハナコ", relationship="妻", sex="2", birth="昭和57年5月5日"),
            person(given_name="一郎", furigana_given_name="イチロウ", relationship="子", birth="平成22年7月7日"),
        ),
        counter,
        reviewer,
    )
    by_relationship = {r.relationship: r for r in Resident.objects.all()}
    return by_relationship["世帯主"], by_relationship["妻"], by_relationship["子"]


# -- 確認用帳票 ----------------------------------------------------------------------------------------


@pytest.mark.spec("4.0.9", "20.0.1")
def test_confirmation_sheet_of_a_provisional_move_in(
    counter: User, reviewer: User, terminal: Terminal, other_department: User
) -> None:
    movement = enter_movement("move_in", move_in_data(person(individual_number=NUMBER)), by=counter)
    client = _client(reviewer, terminal)  # the reviewer may see 個人番号 on screen: still not printed
    text = _get_pdf(client, movement, "confirmation")
    flat = _flat(text)
    for expected in (
        "確認用帳票",
        "仮登録中",
        movement.movement_no,
        "転入",
        "国内転入",
        "届出区分",
        "令和8年11月20日",  # 異動日
        "令和8年11月26日",  # 届出日
        "上尾花子",  # 入力者
        "上尾太郎",
        "アゲオタロウ",
        "昭和55年4月1日",
        NEW_ADDRESS,
        "コーポ上尾203号室",
        OLD_ADDRESS,  # 転入前住所
        "【新規】",
    ):
        assert expected in flat, expected
    assert NUMBER not in flat and "個人番号" not in flat and "住民票コード" not in flat
    row = PrintLog.objects.get(title="確認用帳票")
    assert row.mode == "pdf" and row.document == movement.movement_no and row.pages == 1
    assert row.persons == [movement.items.get().atena_no] and not row.individual_number_printed
    access = AccessLog.objects.filter(purpose="registry.notice.confirmation").get()
    assert access.action == "print" and not access.individual_number_shown and not access.resident_code_shown

    # provisional data is not shown to someone who may not review it — on the PDF either
    outsider = _client(other_department, terminal)
    assert outsider.get(_url(movement, "confirmation")).status_code == 403
    with pytest.raises(DomainError) as refused:
        notices.read_notice(Principal(user=other_department), movement.movement_no, "confirmation")
    assert refused.value.code == "auth.forbidden"
    assert PrintLog.objects.count() == 1
    assert not AccessLog.objects.filter(operator="hoken", purpose__startswith="registry.notice").exists()


@pytest.mark.spec("4.0.9", "20.0.1")
def test_confirmation_sheet_shows_before_and_after(
    family: tuple[Resident, Resident, Resident],
    counter: User,
    reviewer: User,
    terminal: Terminal,
    other_department: User,
) -> None:
    head, wife, child = family
    movement = final(
        "relocation",
        {
            "atena_nos": [head.atena_no, wife.atena_no, child.atena_no],
            "effective": "R8.11.25",
            "destination": {"address": {"address": "埼玉県上尾市原市1番地", "postcode": "3620021"}},
        },
        counter,
        reviewer,
    )
    text = _get_pdf(_client(reviewer, terminal), movement, "confirmation")
    flat = _flat(text)
    assert "本登録" in flat and "仮登録中" not in flat
    assert "異動前" in flat and "異動後" in flat and "＊住所" in flat and "＊異動前住所" in flat
    assert NEW_ADDRESS in flat and "埼玉県上尾市原市1番地" in flat and "【変更】" in flat
    assert flat.count("＊住所〒") == 3  # every person's address changes
    _no_numbers(text, head.atena_no, wife.atena_no, child.atena_no)
    # 本登録済み: any operator who may view residents may print it
    assert _client(other_department, terminal).get(_url(movement, "confirmation")).status_code == 200


# -- 住民異動届受理通知 --------------------------------------------------------------------------------


@pytest.mark.spec("4.1.0.3")
def test_receipt_notice_goes_to_the_former_address_without_the_new_one(
    counter: User, reviewer: User, terminal: Terminal, other_department: User
) -> None:
    data = move_in_data(
        person(individual_number=NUMBER),
        person(given_name="花子", relationship="妻", sex="2", birth="昭和57年5月5日"),
    )
    provisional = enter_movement("move_in", data, by=counter)
    client = _client(counter, terminal)
    refused = client.get(_url(provisional, "receipt"))
    assert refused.status_code == 404 and "本登録後" in refused.content.decode()
    movement = final("move_in", move_in_data(person(surname="平方", koseki_head="平方　太郎")), counter, reviewer)
    text = _get_pdf(client, movement, "receipt")
    flat = _flat(text)
    for expected in ("住民異動届受理通知", "受理しました", "転入届", "国内転入", "令和8年11月26日", "令和8年11月20日"):
        assert expected in flat, expected
    assert OLD_ADDRESS in flat and "平方太郎様" in flat and "昭和55年4月1日" in flat
    assert NEW_ADDRESS not in flat and "コーポ上尾" not in flat  # the new address is not mailed to the old one
    assert "お心当たりのない場合" in flat
    _no_numbers(text, movement.items.get().atena_no)
    log = PrintLog.objects.get(title="住民異動届受理通知")
    assert log.pages == 1 and log.persons == [movement.items.get().atena_no]
    # a notice the register sends to residents: register staff only
    assert _client(other_department, terminal).get(_url(movement, "receipt")).status_code == 403


@pytest.mark.spec("4.1.0.3")
def test_receipt_notice_of_a_move_out_names_the_notifier_and_is_refused_under_protection(
    family: tuple[Resident, Resident, Resident], counter: User, reviewer: User, terminal: Terminal
) -> None:
    _, wife, child = family
    movement = final(
        "move_out",
        {
            "atena_nos": [wife.atena_no, child.atena_no],
            "effective": "R8.11.26",
            "destination": {"address": "大阪府大阪市北区梅田1丁目1番1号"},
        },
        counter,
        reviewer,
    )
    Movement.objects.filter(pk=movement.pk).update(notifier="上尾　花子")
    client = _client(reviewer, terminal)
    flat = _flat(_get_pdf(client, movement, "receipt"))
    assert "転出届" in flat and "国内転出" in flat and "上尾花子様" in flat and NEW_ADDRESS in flat
    assert "届出人" in flat and flat.count("上尾花子") >= 2 and "上尾一郎" in flat
    assert "大阪府大阪市北区" not in flat  # where they went is not printed
    assert "上尾太郎" not in flat  # the head did not move: not a 異動者
    measure = SupportMeasure.objects.create(
        measure_no="S-1",
        kind=MeasureKind.DV,
        applicant_atena_no=wife.atena_no,
        start_on=timezone.localdate() - timedelta(days=10),
        end_on=timezone.localdate() + timedelta(days=300),
        created_by=reviewer,
    )
    ProtectedPerson.objects.create(measure=measure, atena_no=wife.atena_no, role=ProtectedPerson.Role.APPLICANT)
    response = client.get(_url(movement, "receipt"))
    assert response.status_code == 409 and "支援措置" in response.content.decode()
    assert PrintLog.objects.filter(title="住民異動届受理通知").count() == 1  # only the first one printed
    assert AccessLog.objects.filter(purpose="registry.notice.receipt", action="refused").get().persons == [
        wife.atena_no
    ]


# -- 職権記録書・職権記載等通知書 -------------------------------------------------------------------------


@pytest.mark.spec("4.2.0.1", "4.1.3.1.1", "1.1.8")
def test_an_ex_officio_removal_with_an_unknown_destination(
    family: tuple[Resident, Resident, Resident], counter: User, reviewer: User, terminal: Terminal
) -> None:
    """職権消除 after a 実態調査: where the person went is unknown (転出先「不明」), the day they
    left is uncertain, the grounds go into the 職権記録書, no 転出 of any kind is recorded."""
    _, _, child = family
    data = {
        "atena_nos": [child.atena_no],
        "effective": "令和8年10月頃",
        "grounds": "実態調査（令和8年11月20日）の結果、居住の事実なし",
        "destination_unknown": True,
    }
    with pytest.raises(MovementRejectedError) as missing:
        enter_movement("ex_officio_removal", {**data, "grounds": ""}, by=counter)
    assert {i.code for i in missing.value.issues} == {"removal.grounds"}
    movement = final("ex_officio_removal", data, counter, reviewer)
    removed = Resident.objects.get(atena_no=child.atena_no)
    assert removed.status == "removed" and removed.removal_reason == "職権消除"
    assert removed.destination == "不明" and removed.removed_text == "令和8年10月頃"
    assert removed.planned_move_out_on is None
    row = ResidentHistory.objects.get(atena_no=child.atena_no, history_no=removed.history_no)
    assert (row.reason, row.category, row.initiation) == ("ex_officio_remove", "remove", "ex_officio")
    flat = _flat(_get_pdf(_client(reviewer, terminal), movement, "ex-officio-record"))
    for expected in ("職権記録書", "職権消除", "実態調査による", "居住の事実なし", "令和8年10月頃", "不明"):
        assert expected in flat, expected


@pytest.mark.spec("4.2.0.1")
def test_ex_officio_removal_has_a_record_and_a_notice(
    family: tuple[Resident, Resident, Resident], counter: User, reviewer: User, terminal: Terminal
) -> None:
    _, _, child = family
    data = {
        "atena_nos": [child.atena_no],
        "effective": "R8.10.1",
        "notified_on": "R8.11.26",
        "initiation": "ex_officio",
        "destination": {"address": "大阪府大阪市北区梅田1丁目1番1号"},
        "remark": "実態調査により転出を確認",
    }
    provisional = enter_movement("move_out", data, by=counter)
    client = _client(reviewer, terminal)
    draft = _flat(_get_pdf(client, provisional, "ex-officio-record"))
    assert "職権記録書" in draft and "仮登録中" in draft and "（本登録時）" in draft
    assert client.get(_url(provisional, "ex-officio-notice")).status_code == 404  # not before 本登録
    from jumin.registry.services import approve_movement

    approve_movement(provisional, by=reviewer)
    movement = Movement.objects.get(pk=provisional.pk)
    record = _get_pdf(client, movement, "ex-officio-record")
    flat = _flat(record)
    for expected in (
        "職権記録書",
        "職権消除",
        "国内転出",
        "令和8年10月1日",
        "住民基本台帳法第8条、同法施行令第12条",
        "届出がないため事実を確認して職権で処理",
        "実態調査により転出を確認",
        "上尾花子",  # 入力者（起案者）
        "起案",
        "審査",
        "決裁",
        "上尾一郎",
        "＊状態",
        "除票",
    ):
        assert expected in flat, expected
    assert "仮登録中" not in flat and "平方一郎" not in flat  # the 決裁者 is not recorded (4.0.8 X)
    _no_numbers(record, child.atena_no)

    notice = _get_pdf(client, movement, "ex-officio-notice")
    flat = _flat(notice)
    for expected in (
        "職権記載等通知書",
        "上尾一郎様",
        NEW_ADDRESS,  # the address the record last had
        "職権で消除しました",
        "住民票を消除しました",
        "平成22年7月7日",
        "審査請求",
        "14日以内",
    ):
        assert expected in flat, expected
    assert "大阪府大阪市北区" not in flat and "上尾太郎" not in flat
    _no_numbers(notice, child.atena_no)
    titles = list(PrintLog.objects.order_by("id").values_list("title", "pages", "persons"))
    assert titles == [
        ("職権記録書", 1, [child.atena_no]),
        ("職権記録書", 1, [child.atena_no]),
        ("職権記載等通知書", 1, [child.atena_no]),
    ]


@pytest.mark.spec("4.2.0.1")
def test_ex_officio_notices_only_for_ex_officio_movements(
    family: tuple[Resident, Resident, Resident], counter: User, reviewer: User, terminal: Terminal
) -> None:
    head, _, _ = family
    notified = Movement.objects.get(kind="move_in")
    client = _client(counter, terminal)
    for kind in ("ex-officio-record", "ex-officio-notice", "head-change"):
        response = client.get(_url(notified, kind))
        assert response.status_code == 404 and "帳票を作成できません" in response.content.decode()
    assert client.get(_url(notified, "no-such-notice")).status_code == 404
    assert client.get("/registry/movements/0000000/notice/confirmation.pdf").status_code == 404
    with pytest.raises(DomainError) as info:
        notices.read_notice(Principal(user=counter), notified.movement_no, "ex-officio-record")
    assert info.value.code == "notice.not_applicable"
    # a clerical correction by 職権 (施行令12条: 誤記) is notified; the household's carried-along
    # 世帯主氏名 makes no notice of its own
    correction = final(
        "correction",
        {"correction": "clerical", "atena_no": head.atena_no, "changes": {"given_name": "太朗"}},
        counter,
        reviewer,
    )
    assert notices.offered(Principal(user=counter), correction) == [
        notices.NoticeKind.CONFIRMATION,
        notices.NoticeKind.EX_OFFICIO_RECORD,
        notices.NoticeKind.EX_OFFICIO_NOTICE,
    ]
    notice = _flat(_get_pdf(client, correction, "ex-officio-notice"))
    assert "誤記修正" in notice and "氏名：上尾太郎→上尾太朗" in notice and "上尾太朗様" in notice
    assert "上尾花子様" not in notice  # the wife's 世帯主氏名 followed, she is not a 異動者
    record = _flat(_get_pdf(client, correction, "ex-officio-record"))
    assert "職権修正" in record and "誤記の訂正（対象の履歴番号1）" in record and "上尾花子" in record


@pytest.mark.spec("4.2.0.1", partial=True)
def test_a_data_migration_has_a_record_but_nobody_to_notify(reviewer: User) -> None:
    today = timezone.localdate()
    migration = Movement.objects.create(
        movement_no="M-MIGRATION",
        kind="migration",
        reason="ex_officio_add",
        initiation="ex_officio",
        state=Movement.State.FINAL,
        effective_text="令和8年11月26日",
        notified_on=today,
        remark="旧システムからの移行",
        ex_officio_record={"command": "jumin seed-city"},
        entered_by=reviewer,
        processed_on=today,
    )
    principal = Principal(user=reviewer)
    assert notices.offered(principal, migration) == [
        notices.NoticeKind.CONFIRMATION,
        notices.NoticeKind.EX_OFFICIO_RECORD,
    ]
    record = notices.read_notice(principal, migration.movement_no, "ex-officio-record")
    rendered = render(record)
    flat = _flat(_text(rendered.data))
    assert "職権記録書" in flat and "職権記載" in flat and "旧システムからの移行" in flat and rendered.pages == 1
    with pytest.raises(DomainError) as info:
        notices.read_notice(principal, migration.movement_no, "ex-officio-notice")
    assert info.value.code == "notice.not_applicable"


# -- 世帯主変更（依頼）通知書 ----------------------------------------------------------------------------


@pytest.mark.spec("4.0.5", "4.0.4")
def test_head_change_notice_when_the_last_member_becomes_head(
    counter: User, reviewer: User, terminal: Terminal
) -> None:
    moved_in = final(
        "move_in",
        move_in_data(person(), person(given_name="花子", relationship="妻", sex="2", birth="昭和57年5月5日")),
        counter,
        reviewer,
    )
    head = Resident.objects.get(relationship="世帯主")
    assert notices.NoticeKind.HEAD_CHANGE not in notices.offered(Principal(user=counter), moved_in)
    death = final(
        "death",
        {"atena_nos": [head.atena_no], "effective": "R8.11.26"},
        counter,
        reviewer,
        acknowledged=("household.head_by_ex_officio",),
    )
    text = _get_pdf(_client(counter, terminal), death, "head-change")
    flat = _flat(text)
    for expected in (
        "世帯主変更通知書",
        "上尾花子様（世帯の皆様）",
        NEW_ADDRESS,
        "世帯主であった上尾太郎さんの死亡",
        "職権で次のとおり世帯主を変更しました",
        "変更前の世帯主上尾太郎",
        "変更後の世帯主上尾花子",
        "対象者リスト",
        "昭和57年5月5日",
    ):
        assert expected in flat, expected
    assert "依頼" not in flat
    _no_numbers(text, Resident.objects.get(given_name="花子").atena_no)
    log = PrintLog.objects.get(title="世帯主変更通知書")
    assert log.persons == [Resident.objects.get(given_name="花子").atena_no] and log.pages == 1


@pytest.mark.spec("4.0.5", "4.0.4")
def test_head_change_request_when_the_head_leaves_several_members(
    family: tuple[Resident, Resident, Resident], counter: User, reviewer: User, terminal: Terminal
) -> None:
    head, wife, child = family
    movement = final(
        "move_out",
        {"atena_nos": [head.atena_no], "effective": "R8.11.26", "destination": {"address": "大阪府大阪市北区"}},
        counter,
        reviewer,
        acknowledged=("household.headless",),
    )
    client = _client(reviewer, terminal)
    text = _get_pdf(client, movement, "head-change")
    flat = _flat(text)
    for expected in (
        "世帯主変更依頼通知書",
        "上尾花子様（世帯の皆様）",  # the top-ranked remaining member (5.2: 妻 before 子)
        "世帯主であった上尾太郎さんの国内転出",
        "世帯主が不在",
        "14日以内に世帯主変更の届出",
        "住民基本台帳法第25条",
        "変更後の世帯主（不在：届出が必要です）",
        "対象者リスト",
        "上尾一郎",
        "平成22年7月7日",
    ):
        assert expected in flat, expected
    assert flat.index("上尾花子昭和57年") < flat.index("上尾一郎平成22年")
    _no_numbers(text, wife.atena_no, child.atena_no)
    log = PrintLog.objects.get(title="世帯主変更依頼通知書")
    assert log.persons == [wife.atena_no, child.atena_no]
    # and the 世帯主変更届 that follows: a notice of the change, not 職権
    change = final(
        "head_change",
        {
            "household_no": wife.household_no,
            "effective": "R8.11.27",
            "relationships": {wife.atena_no: "世帯主", child.atena_no: "子"},
        },
        counter,
        reviewer,
    )
    flat = _flat(_get_pdf(client, change, "head-change"))
    assert "世帯主変更通知書" in flat and "世帯主変更届により" in flat and "職権" not in flat
    assert "変更前の世帯主（不在）" in flat and "変更後の世帯主上尾花子" in flat


# -- screens and permissions --------------------------------------------------------------------------


@pytest.mark.spec("4.0.9", partial=True)
def test_movement_screen_offers_the_notices_the_operator_may_print(
    family: tuple[Resident, Resident, Resident], counter: User, terminal: Terminal, other_department: User
) -> None:
    movement = Movement.objects.get(kind="move_in")
    page = _client(counter, terminal).get(f"/registry/movements/{movement.movement_no}/").content.decode()
    assert _url(movement, "confirmation") in page and _url(movement, "receipt") in page
    assert 'data-shortcut="Alt+2"' in page and "住民異動届受理通知（PDF）" in page
    assert _url(movement, "ex-officio-record") not in page and _url(movement, "head-change") not in page
    page = _client(other_department, terminal).get(f"/registry/movements/{movement.movement_no}/").content.decode()
    assert _url(movement, "confirmation") in page and _url(movement, "receipt") not in page


def test_an_operator_without_capabilities_gets_403(
    family: tuple[Resident, Resident, Resident], terminal: Terminal
) -> None:
    movement = Movement.objects.get(kind="move_in")
    client = _client(make_operator("kanri", "管理 者", roles=("システム管理者",)), terminal)
    for kind in ("confirmation", "receipt", "no-such-notice"):
        assert client.get(_url(movement, kind)).status_code == 403
    assert client.post(_url(movement, "confirmation")).status_code in {403, 405}
    assert not PrintLog.objects.exists()


def test_a_long_movement_runs_over_pages_and_logs_them(counter: User, reviewer: User) -> None:
    many = [person(given_name=f"子{n}", relationship="子", birth=f"平成{10 + n}年1月1日") for n in range(1, 9)]
    movement = final("move_in", move_in_data(person(), *many), counter, reviewer)
    notice = notices.read_notice(Principal(user=reviewer), movement.movement_no, "confirmation")
    rendered = render(notice)
    assert rendered.pages == _pages(rendered.data) > 1
    notices.log_print(notice, rendered.pages)
    assert PrintLog.objects.get().pages == rendered.pages
    assert len(notice.persons) == 9
