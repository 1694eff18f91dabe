"""Movements of foreign residents only (spec 4.5.1–4.5.5), through the real service path:
仮登録 by the counter, 本登録 by a reviewer, cancellation and rebuild of the projection."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jumin.accounts.models import Terminal, User
from jumin.registry.models import Household, Movement, Resident, ResidentHistory, Status
from jumin.registry.numbers import open_individual_number
from jumin.registry.planning import KIND_LABELS
from jumin.registry.planning.foreign import FOREIGN_ONLY
from jumin.registry.services import MovementRejectedError, enter_movement, rebuild_projection
from jumin.registry.snapshots import snapshot_of
from tests.conftest import device_cookie, log_in
from tests.registry.conftest import final, move_in_data, person

pytestmark = pytest.mark.django_db

ADDRESS = {"address": "埼玉県上尾市本町三丁目1番1号", "postcode": "3620014", "katagaki": "コーポ上尾 203号室"}


def foreigner(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name_alphabet": "NGUYEN VAN AN",
        "furigana_surname": "グエン",
        "furigana_given_name": "ヴァンアン",
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
    data.update(overrides)
    return data


def article_data(*persons: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "effective": "R8.11.20",
        "notified_on": "R8.11.24",
        "address": ADDRESS,
        "persons": list(persons) or [foreigner()],
    }
    data.update(overrides)
    return data


def codes(info: pytest.ExceptionInfo[MovementRejectedError]) -> set[str]:
    return {issue.code for issue in info.value.issues}


def projection() -> tuple[dict[str, Any], dict[str, Any]]:
    residents = {r.atena_no: (r.history_no, snapshot_of(r)) for r in Resident.objects.all()}
    households = {
        h.household_no: (h.head_atena_no, h.head_name, h.address, h.is_active) for h in Household.objects.all()
    }
    return residents, households


def assert_rebuild_gives_the_same() -> None:
    before = projection()
    rebuild_projection()
    assert projection() == before


# -- 4.5.1 法第30条の46転入, 4.5.2 法第30条の47届出 ------------------------------------------------


@pytest.mark.spec("4.5.1")
def test_article_30_46_move_in_is_recorded_like_a_move_in_from_abroad(counter: User, reviewer: User) -> None:
    movement = final(
        "article_30_46",
        article_data(
            foreigner(individual_number="123456789018"),
            foreigner(
                name_alphabet="TRAN THI BINH",
                furigana_given_name="ティビン",
                furigana_surname="チャン",
                sex="2",
                birth="1997-07-07",
                relationship="妻",
                residence_status="家族滞在",
                residence_card_no="",
                landing_permit_move_in=True,
            ),
        ),
        counter,
        reviewer,
    )
    assert movement.kind == "article_30_46" and movement.kind_label == "法第30条の46転入"
    assert movement.reason == "abroad_move_in" and movement.reason_label == "国外転入等"
    assert "第30条の46" in movement.remark
    head = Resident.objects.get(name_alphabet="NGUYEN VAN AN")
    wife = Resident.objects.get(name_alphabet="TRAN THI BINH")
    row = ResidentHistory.objects.get(atena_no=head.atena_no)
    assert row.reason == "abroad_move_in" and row.category == "add" and "第30条の46" in row.remark
    assert row.movement.kind == "article_30_46"
    assert head.nationality_kind == "foreign" and head.status == Status.CURRENT
    assert head.foreign_resident_since_text == head.address_set_text == "令和8年11月20日"
    assert head.previous_address == ""  # 転入前住所 may be blank (4.5.1)
    assert head.birth_text == "1995年3月1日" and head.residence_notified
    assert head.katagaki == "コーポ上尾 203号室" and wife.head_name == "NGUYEN VAN AN"
    assert wife.landing_permit_move_in and wife.residence_card_no == ""  # 上陸許可証による転入
    assert len(head.resident_code) == 11
    assert open_individual_number(head.individual_number_ct, head.atena_no) == "123456789018"
    # a correction of her record does not ask for the 在留カード she does not have yet
    correction = {"atena_no": wife.atena_no, "correction": "ex_officio", "changes": {"notes": "旅券で本人確認"}}
    final("correction", correction, counter, reviewer)
    wife.refresh_from_db()
    assert wife.notes == "旅券で本人確認" and wife.residence_card_no == "" and wife.landing_permit_move_in

    final(
        "article_30_46",
        article_data(
            foreigner(
                name_alphabet="SMITH JOHN",
                residence_card_no="",
                residence_category="temporary_refuge",
                residence_status="",
                period_of_stay="",
                stay_expires_on="",
                landing_period="2026年11月20日から2027年5月19日まで",
            ),
            previous_address={"address": "アメリカ合衆国"},
        ),
        counter,
        reviewer,
    )
    refugee = Resident.objects.get(name_alphabet="SMITH JOHN")
    assert refugee.previous_address == "アメリカ合衆国" and refugee.landing_period.startswith("2026年")
    assert not refugee.residence_notified


@pytest.mark.spec("4.5.1", "4.1.1.2", partial=True)
def test_article_30_46_move_in_of_a_former_resident_keeps_the_atena_no(counter: User, reviewer: User) -> None:
    final("article_30_46", article_data(effective="R8.11.1", notified_on="R8.11.1"), counter, reviewer)
    first = Resident.objects.get()
    final(
        "move_out",
        {
            "reason": "abroad_move_out",
            "atena_nos": [first.atena_no],
            "effective": "R8.11.15",
            "notified_on": "R8.11.15",
            "destination": {"address": "ベトナム社会主義共和国"},
        },
        counter,
        reviewer,
    )
    movement = final(
        "article_30_46",
        article_data(
            foreigner(reentry_of=first.atena_no, residence_card_no="XY87654321ZZ"),
            effective="R8.11.25",
            notified_on="R8.11.25",
        ),
        counter,
        reviewer,
    )
    again = Resident.objects.get()
    assert again.atena_no == first.atena_no and again.history_no == 3 and again.status == Status.CURRENT
    assert again.residence_card_no == "XY87654321ZZ" and again.foreign_resident_since_text == "令和8年11月25日"
    assert movement.items.get().base_history_no == 2


@pytest.mark.spec("4.5.1", partial=True)
def test_article_30_46_refuses_what_the_article_does_not_cover(counter: User, reviewer: User) -> None:
    with pytest.raises(MovementRejectedError) as info:
        enter_movement("article_30_46", article_data(person(nationality_kind="japanese")), by=counter)
    assert "foreign_move_in.not_foreign" in codes(info)
    with pytest.raises(MovementRejectedError) as info:
        enter_movement("article_30_46", article_data(foreigner(residence_category="transitional_birth")), by=counter)
    assert "foreign_move_in.category" in codes(info)
    with pytest.raises(MovementRejectedError) as info:
        enter_movement(
            "article_30_46",
            article_data(foreigner(residence_category="provisional_stay", residence_card_no="")),
            by=counter,
        )
    assert [(i.code, i.message) for i in info.value.issues] == [("foreign.required", "仮滞在期間を入力してください。")]
    with pytest.raises(MovementRejectedError) as info:  # no 上陸許可証: the card number is required
        enter_movement("article_30_46", article_data(foreigner(residence_card_no="")), by=counter)
    assert "foreign.required" in codes(info)
    with pytest.raises(MovementRejectedError) as info:  # the 30条の45 items are checked as at 転入
        enter_movement("article_30_46", article_data(foreigner(nationality="", residence_card_no="X1")), by=counter)
    assert {"foreign.nationality", "foreign.card_no"} <= codes(info)
    final("article_30_46", article_data(), counter, reviewer)
    with pytest.raises(MovementRejectedError) as info:
        enter_movement("article_30_46", article_data(foreigner(name_alphabet="OTHER")), by=counter)
    assert "foreign_move_in.duplicate_card" in codes(info)
    assert not Movement.objects.filter(state=Movement.State.PROVISIONAL).exists()


@pytest.mark.spec("4.5.2")
def test_article_30_47_notification_joins_a_household_and_keeps_the_address_date(counter: User, reviewer: User) -> None:
    final("move_in", move_in_data(), counter, reviewer)
    japanese = Resident.objects.get()
    movement = final(
        "article_30_47",
        {
            "effective": "R8.11.10",
            "address_set": "R8.4.1",
            "household": {"mode": "join", "household_no": japanese.household_no},
            "persons": [
                foreigner(
                    name_alphabet="KIM MINJI",
                    sex="2",
                    relationship="妻",
                    nationality="韓国",
                    residence_status="日本人の配偶者等",
                )
            ],
        },
        counter,
        reviewer,
    )
    assert movement.kind_label == "法第30条の47届出" and "第30条の47" in movement.remark
    assert movement.initiation == "notification" and movement.reason == "abroad_move_in"
    wife = Resident.objects.get(name_alphabet="KIM MINJI")
    assert wife.household_no == japanese.household_no and wife.head_name == "上尾\u3000太郎"
    assert wife.address == japanese.address and wife.katagaki == japanese.katagaki
    assert wife.foreign_resident_since_text == "令和8年11月10日"
    assert wife.address_set_text == "令和8年4月1日"  # lived here before becoming 中長期在留者
    with pytest.raises(MovementRejectedError) as info:
        enter_movement(
            "article_30_47",
            article_data(foreigner(residence_card_no="ZZ12345678ZZ"), address_set="R8.11.25"),
            by=counter,
        )
    assert "foreign_move_in.address_set_after" in codes(info)
    assert_rebuild_gives_the_same()


# -- 4.5.3 帰化, 4.5.4 国籍取得 --------------------------------------------------------------------


def _foreign_household(counter: User, reviewer: User) -> tuple[Resident, Resident]:
    final(
        "article_30_46",
        article_data(
            foreigner(individual_number="123456789018"),
            foreigner(
                name_alphabet="TRAN THI BINH",
                sex="2",
                relationship="妻",
                birth="1997-07-07",
                residence_card_no="CD12345678EF",
            ),
            previous_address={"address": "ベトナム社会主義共和国"},
            effective="R6.4.1",
            notified_on="R6.4.5",
        ),
        counter,
        reviewer,
    )
    return Resident.objects.get(name_alphabet="NGUYEN VAN AN"), Resident.objects.get(name_alphabet="TRAN THI BINH")


JAPANESE_ITEMS = {
    "surname": "阮",
    "given_name": "文安",
    "furigana_surname": "グエン",
    "furigana_given_name": "ブンアン",
    "honseki": "埼玉県上尾市本町三丁目1番地",
    "koseki_head": "阮　文安",
}


@pytest.mark.spec("4.5.3")
def test_naturalization_makes_the_foreign_record_japanese_and_keeps_the_old_one_in_history(
    counter: User, reviewer: User
) -> None:
    head, wife = _foreign_household(counter, reviewer)
    old = snapshot_of(head)
    movement = final(
        "naturalization",
        {
            "effective": "R8.10.1",
            "notified_on": "R8.10.15",
            "persons": [{"atena_no": head.atena_no, **JAPANESE_ITEMS}],
        },
        counter,
        reviewer,
    )
    assert movement.kind_label == "帰化" and movement.reason_label == "職権記載（帰化等）"
    assert movement.initiation == "ex_officio" and movement.ex_officio_record == {"basis": "帰化"}
    new = Resident.objects.get(atena_no=head.atena_no)
    # carried over: 住所(方書), 生年月日, 性別, 続柄, 住定日, 住民票コード, 宛名番号, 個人番号, 転入前住所
    for key in (
        "address",
        "postcode",
        "katagaki",
        "household_no",
        "sex",
        "relationship",
        "is_head",
        "address_set_text",
        "resident_code",
        "previous_address",
    ):
        assert getattr(new, key) == old[key], key
    assert new.birth_text == "平成7年3月1日"  # the same day, now in 和暦 (1.1.9)
    assert open_individual_number(new.individual_number_ct, new.atena_no) == "123456789018"
    # 外国人住民となった年月日 → 住民となった年月日
    assert new.became_resident_text == old["foreign_resident_since_text"] == "令和6年4月1日"
    # the Japanese items entered
    assert new.nationality_kind == "japanese" and new.name == "阮\u3000文安"
    assert (new.honseki, new.koseki_head, new.honseki_kind) == (JAPANESE_ITEMS["honseki"], "阮　文安", "address")
    assert new.furigana_status == "unconfirmed" and new.notified_on.isoformat() == "2026-10-15"
    # every foreign-only item cleared
    for key, blank in FOREIGN_ONLY.items():
        assert getattr(new, key) == blank, key
    # the foreign record stays in the history, unchanged
    rows = list(ResidentHistory.objects.filter(atena_no=head.atena_no).order_by("history_no"))
    assert [(r.history_no, r.reason, r.nationality_kind) for r in rows] == [
        (1, "abroad_move_in", "foreign"),
        (2, "naturalization_add", "japanese"),
    ]
    assert rows[0].residence_card_no == "AB12345678CD" and rows[0].name_alphabet == "NGUYEN VAN AN"
    assert "帰化" in rows[1].remark
    # the head's new name is every member's 世帯主氏名
    wife.refresh_from_db()
    assert wife.head_name == "阮\u3000文安" and wife.nationality_kind == "foreign"
    assert Household.objects.get(household_no=head.household_no).head_name == "阮\u3000文安"
    assert_rebuild_gives_the_same()

    # 異動の取消し restores the foreign record (and the wife's 世帯主氏名)
    cancel = final("cancellation", {"movement_no": movement.movement_no}, counter, reviewer)
    assert cancel.reason == "cancel_remove"
    restored = Resident.objects.get(atena_no=head.atena_no)
    assert restored.history_no == 3 and snapshot_of(restored) == old
    assert Resident.objects.get(atena_no=wife.atena_no).head_name == "NGUYEN VAN AN"
    assert_rebuild_gives_the_same()


@pytest.mark.spec("4.5.4")
def test_nationality_acquisition_is_recorded_as_naturalization(counter: User, reviewer: User) -> None:
    _, wife = _foreign_household(counter, reviewer)
    movement = final(
        "nationality_acquisition",
        {
            "effective": "R8.9.1",
            "persons": [
                {
                    "atena_no": wife.atena_no,
                    "surname": "陳",
                    "given_name": "平",
                    "furigana_surname": "チン",
                    "furigana_given_name": "タイラ",
                    "furigana_confirmed": True,
                    "honseki_kind": "address",
                    "honseki": "埼玉県上尾市本町三丁目1番地",
                    "koseki_head": "陳　平",
                }
            ],
        },
        counter,
        reviewer,
    )
    assert movement.kind_label == "国籍取得" and movement.reason == "naturalization_add"
    assert "国籍取得" in movement.remark
    wife.refresh_from_db()
    assert wife.nationality_kind == "japanese" and wife.birth_text == "平成9年7月7日"
    assert wife.furigana_status == "confirmed" and wife.head_name == "NGUYEN VAN AN"
    assert wife.relationship == "妻" and wife.residence_card_no == ""
    # only the person changed: the head's record is untouched
    assert set(movement.items.values_list("atena_no", flat=True)) == {wife.atena_no}


@pytest.mark.spec("4.5.3", "4.5.4", partial=True)
def test_naturalization_refuses_what_cannot_be(counter: User, reviewer: User) -> None:
    head, wife = _foreign_household(counter, reviewer)
    final("move_in", move_in_data(), counter, reviewer)
    japanese = Resident.objects.get(nationality_kind="japanese")

    def refused(kind: str, entered: dict[str, Any], **data: Any) -> set[str]:
        with pytest.raises(MovementRejectedError) as info:
            enter_movement(kind, {"effective": "R8.10.1", "persons": [entered], **data}, by=counter)
        assert all(issue.message for issue in info.value.issues)
        return codes(info)

    assert "naturalization.not_foreign" in refused("naturalization", {"atena_no": japanese.atena_no, **JAPANESE_ITEMS})
    assert "movement.not_current" in refused("naturalization", {"atena_no": "999999999", **JAPANESE_ITEMS})
    assert "movement.no_person" in refused("nationality_acquisition", {}, persons=[])
    assert "person.honseki" in refused("naturalization", {"atena_no": head.atena_no, **JAPANESE_ITEMS, "honseki": ""})
    assert "person.name" in refused(
        "naturalization", {"atena_no": head.atena_no, "honseki": "上尾", "koseki_head": "阮"}
    )
    assert "movement.field" in refused(
        "naturalization", {"atena_no": head.atena_no, **JAPANESE_ITEMS, "residence_card_no": "AB12345678CD"}
    )
    assert "naturalization.before_foreign_since" in refused(
        "naturalization", {"atena_no": head.atena_no, **JAPANESE_ITEMS}, effective="R5.1.1"
    )
    assert "movement.many_households" in refused(
        "naturalization",
        {"atena_no": head.atena_no, **JAPANESE_ITEMS},
        persons=[
            {"atena_no": head.atena_no, **JAPANESE_ITEMS},
            {"atena_no": japanese.atena_no, **JAPANESE_ITEMS},
        ],
    )
    assert "movement.duplicate_person" in refused(
        "naturalization", {}, persons=[{"atena_no": wife.atena_no}, {"atena_no": wife.atena_no}]
    )
    # a foreign 生年月日 that is not an exact date must be entered again in 和暦
    final(
        "correction",
        {"correction": "ex_officio", "atena_no": wife.atena_no, "changes": {"birth": "1997年頃"}},
        counter,
        reviewer,
    )
    assert "date.wrong_calendar" in refused("naturalization", {"atena_no": wife.atena_no, **JAPANESE_ITEMS})
    final(
        "naturalization",
        {"effective": "R8.10.1", "persons": [{"atena_no": wife.atena_no, **JAPANESE_ITEMS, "birth": "平成9年頃"}]},
        counter,
        reviewer,
    )
    assert Resident.objects.get(atena_no=wife.atena_no).birth_text == "平成9年頃"
    removed = final(
        "move_out",
        {"atena_nos": [head.atena_no], "effective": "R8.11.20", "destination": {"address": "東京都港区"}},
        counter,
        reviewer,
        acknowledged=("household.head_by_ex_officio",),
    )
    assert removed.state == Movement.State.FINAL
    assert "movement.not_current" in refused("naturalization", {"atena_no": head.atena_no, **JAPANESE_ITEMS})


# -- 4.5.5 国籍喪失 ------------------------------------------------------------------------------


@pytest.mark.spec("4.5.5")
def test_nationality_loss_makes_the_japanese_record_foreign(counter: User, reviewer: User) -> None:
    final(
        "move_in",
        move_in_data(
            person(individual_number="123456789018", former_surname="大石", former_surname_furigana="オオイシ"),
            person(given_name="花子", furigana_given_name="ハナコ", sex="2", relationship="妻", birth="昭和57年6月3日"),
        ),
        counter,
        reviewer,
    )
    head = Resident.objects.get(given_name="太郎")
    old = snapshot_of(head)
    movement = final(
        "nationality_loss",
        {
            "effective": "R8.11.21",
            "notified_on": "R8.11.24",
            "persons": [{"atena_no": head.atena_no, "name_alphabet": "AGEO TARO", "nationality": "アメリカ合衆国"}],
        },
        counter,
        reviewer,
    )
    assert movement.kind_label == "国籍喪失" and movement.reason_label == "職権記載（国籍喪失）"
    new = Resident.objects.get(atena_no=head.atena_no)
    assert new.nationality_kind == "foreign" and new.nationality == "アメリカ合衆国"
    assert new.residence_category == "transitional_loss"  # 国籍喪失による経過滞在者 unless entered
    assert new.birth_text == "1980年4月1日"  # 西暦 now (1.1.9)
    for key in ("address", "katagaki", "sex", "relationship", "address_set_text", "resident_code", "previous_address"):
        assert getattr(new, key) == old[key], key
    assert open_individual_number(new.individual_number_ct, new.atena_no) == "123456789018"
    # 外国人住民となった年月日 = the later of 国籍喪失の日 (R8.11.21) and 住民となった日 (R8.11.20)
    assert new.foreign_resident_since_text == "令和8年11月21日"
    assert new.old_registration_text == ""  # never the 住民となった日 (4.5.5 X)
    assert (new.honseki, new.koseki_head, new.former_surname) == ("", "", "")
    assert new.furigana_status == "not_recorded" and new.furigana == "アゲオ\u3000タロウ"  # kept for search
    rows = list(ResidentHistory.objects.filter(atena_no=head.atena_no).order_by("history_no"))
    assert [r.reason for r in rows] == ["domestic_move_in", "nationality_loss_add"]
    assert rows[0].honseki == "埼玉県上尾市本町一丁目1番地" and rows[0].nationality_kind == "japanese"
    assert_rebuild_gives_the_same()
    cancel = final("cancellation", {"movement_no": movement.movement_no}, counter, reviewer)
    assert cancel.reason == "cancel_remove"
    assert snapshot_of(Resident.objects.get(atena_no=head.atena_no)) == old
    assert_rebuild_gives_the_same()


@pytest.mark.spec("4.5.5", partial=True)
def test_nationality_loss_checks_the_article_30_45_items(counter: User, reviewer: User) -> None:
    final(
        "move_in",
        move_in_data(
            person(),
            person(given_name="花子", sex="2", relationship="妻"),
            effective="R8.11.25",
            notified_on="R8.11.25",
        ),
        counter,
        reviewer,
    )
    head, wife = Resident.objects.get(given_name="太郎"), Resident.objects.get(given_name="花子")

    def refused(entered: dict[str, Any]) -> set[str]:
        with pytest.raises(MovementRejectedError) as info:
            enter_movement("nationality_loss", {"effective": "R8.11.21", "persons": [entered]}, by=counter)
        return codes(info)

    assert "foreign.nationality" in refused({"atena_no": head.atena_no})
    assert "foreign.required" in refused(
        {"atena_no": head.atena_no, "nationality": "英国", "residence_category": "mid_long_term"}
    )
    assert "nationality_loss.category" in refused(
        {"atena_no": head.atena_no, "nationality": "英国", "residence_category": "transitional_birth"}
    )
    assert "movement.field" in refused({"atena_no": head.atena_no, "nationality": "英国", "honseki": "x"})
    final(
        "nationality_loss",
        {
            "effective": "R8.11.21",
            "persons": [
                {
                    "atena_no": head.atena_no,
                    "nationality": "英国",
                    "residence_category": "mid_long_term",
                    "residence_status": "永住者",
                    "period_of_stay": "無期限",
                    "residence_card_no": "gh12345678ij",
                }
            ],
        },
        counter,
        reviewer,
    )
    head.refresh_from_db()
    assert head.residence_card_no == "GH12345678IJ" and head.residence_status == "永住者"
    # 外国人住民となった年月日: 住民となった日 (R8.11.25) is later than the loss (R8.11.21)
    assert head.foreign_resident_since_text == "令和8年11月25日"
    assert head.name == "上尾\u3000太郎"  # the name in 漢字 carried over when none is entered
    assert "nationality_loss.not_japanese" in refused({"atena_no": head.atena_no, "nationality": "英国"})
    wife.refresh_from_db()
    assert wife.head_name == "上尾\u3000太郎"


# -- API ---------------------------------------------------------------------------------------


@pytest.mark.spec("4.5.3", partial=True)
def test_naturalization_through_the_api(
    counter: User, reviewer: User, terminal: Terminal, other_terminal: Terminal
) -> None:
    head, _ = _foreign_household(counter, reviewer)
    entry, review = Client(), Client()
    entry.cookies["jumin_terminal"] = device_cookie(terminal)
    review.cookies["jumin_terminal"] = device_cookie(other_terminal)
    log_in(entry, counter)
    log_in(review, reviewer)

    def body(**entered: str) -> dict[str, Any]:
        persons = [{"atena_no": head.atena_no, **entered}]
        return {"kind": "naturalization", "data": {"effective": "R8.10.1", "persons": persons}}

    refused = entry.post("/api/v1/movements", body(), content_type="application/json")
    assert refused.status_code == 400 and "person.honseki" in {i["code"] for i in refused.json()["issues"]}
    created = entry.post("/api/v1/movements", body(**JAPANESE_ITEMS), content_type="application/json")
    assert created.status_code == 201 and created.json()["kind"] == "naturalization"
    number = created.json()["movement_no"]
    approved = review.post(f"/api/v1/movements/{number}/approve", {}, content_type="application/json")
    assert approved.status_code == 200 and approved.json()["state"] == "final"
    history = review.get(f"/api/v1/residents/{head.atena_no}/history").json()
    assert [h["reason"] for h in history] == ["職権記載（帰化等）", "国外転入等"]
    assert KIND_LABELS["naturalization"] == "帰化"
