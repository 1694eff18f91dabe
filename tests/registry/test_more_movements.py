"""世帯合併・世帯変更・世帯主変更 (4.1.4), corrections (4.2.3), 失踪 (4.2.2.2), 旧氏 and 通称 (1.1.7)."""

from __future__ import annotations

import pytest

from jumin.accounts.models import User
from jumin.registry.models import Resident, ResidentHistory, Status
from jumin.registry.services import MovementRejectedError, enter_movement
from tests.registry.conftest import final, move_in_data, person

pytestmark = pytest.mark.django_db

FOREIGNER = {
    "nationality_kind": "foreign",
    "surname": "",
    "given_name": "",
    "name_alphabet": "NGUYEN VAN AN",
    "furigana_surname": "",
    "furigana_given_name": "",
    "birth": "1995-03-01",
    "sex": "1",
    "relationship": "世帯主",
    "nationality": "ベトナム",
    "residence_category": "mid_long_term",
    "residence_status": "技術・人文知識・国際業務",
    "period_of_stay": "3年",
    "stay_expires_on": "2028-03-31",
    "residence_card_no": "AB12345678CD",
    "honseki": "",
    "koseki_head": "",
}


def _household(
    counter: User, reviewer: User, *persons: dict[str, object], address: str = "埼玉県上尾市本町1番地"
) -> list[Resident]:
    data = move_in_data(*persons, address={"address": address})
    final("move_in", data, counter, reviewer)
    household_no = Resident.objects.latest("id").household_no
    return list(Resident.objects.filter(household_no=household_no).order_by("atena_no"))


@pytest.mark.spec("4.1.4.1", "4.1.4.2", partial=True)
def test_household_merge_and_change_and_head_change(counter: User, reviewer: User) -> None:
    first = _household(counter, reviewer, person())
    second = _household(
        counter,
        reviewer,
        person(surname="平方", given_name="次郎", koseki_head="平方　次郎"),
        person(surname="平方", given_name="三郎", relationship="子", birth="H10.1.1", koseki_head="平方　次郎"),
    )
    head, (jiro, saburo) = first[0], second
    final(
        "household_change",
        {
            "atena_nos": [saburo.atena_no],
            "into_household_no": head.household_no,
            "effective": "R8.11.26",
            "relationships": {saburo.atena_no: "同居人"},
        },
        counter,
        reviewer,
    )
    saburo.refresh_from_db()
    assert saburo.household_no == head.household_no and saburo.relationship == "同居人"
    assert saburo.head_name == "上尾\u3000太郎"
    final(
        "household_merge",
        {
            "household_no": jiro.household_no,
            "into_household_no": head.household_no,
            "effective": "R8.11.26",
            "relationships": {jiro.atena_no: "縁故者"},
        },
        counter,
        reviewer,
    )
    jiro.refresh_from_db()
    assert jiro.household_no == head.household_no and jiro.relationship == "縁故者"
    relationships = {head.atena_no: "縁故者", jiro.atena_no: "世帯主", saburo.atena_no: "子"}
    final(
        "head_change",
        {"household_no": head.household_no, "effective": "R8.11.26", "relationships": relationships},
        counter,
        reviewer,
    )
    members = {r.atena_no: r for r in Resident.objects.filter(household_no=head.household_no)}
    assert members[jiro.atena_no].is_head and not members[head.atena_no].is_head
    assert {r.head_name for r in members.values()} == {"平方\u3000次郎"}
    assert ResidentHistory.objects.filter(reason="head_change").count() == 3


def test_household_movements_refuse_what_the_standard_forbids(counter: User, reviewer: User) -> None:
    first = _household(counter, reviewer, person())
    elsewhere = _household(
        counter, reviewer, person(surname="原市", koseki_head="原市　太郎"), address="上尾市原市1番地"
    )
    with pytest.raises(MovementRejectedError) as info:
        enter_movement(
            "household_merge",
            {
                "household_no": elsewhere[0].household_no,
                "into_household_no": first[0].household_no,
                "effective": "R8.11.26",
                "relationships": {elsewhere[0].atena_no: "同居人"},
            },
            by=counter,
        )
    assert "household.address_differs" in {i.code for i in info.value.issues}
    with pytest.raises(MovementRejectedError) as info:
        enter_movement(
            "head_change",
            {
                "household_no": first[0].household_no,
                "effective": "R8.11.26",
                "relationships": {first[0].atena_no: "世帯主"},
            },
            by=counter,
        )
    assert "household.same_head" in {i.code for i in info.value.issues}


@pytest.mark.spec("4.2.3.1", "4.2.3.3", partial=True)
def test_corrections_keep_the_wrong_row_and_follow_the_head(counter: User, reviewer: User) -> None:
    head, wife = _household(counter, reviewer, person(), person(given_name="花子", relationship="妻", sex="2"))
    final(
        "correction",
        {
            "correction": "clerical",
            "atena_no": head.atena_no,
            "changes": {"given_name": "太朗", "furigana_given_name": "タロウ"},
        },
        counter,
        reviewer,
    )
    head.refresh_from_db()
    wife.refresh_from_db()
    assert head.given_name == "太朗" and wife.head_name == "上尾\u3000太朗"
    wrong, corrected = ResidentHistory.objects.filter(atena_no=head.atena_no).order_by("history_no")
    assert wrong.given_name == "太郎" and corrected.reason == "clerical_correction"
    assert corrected.corrects_history_no == 1
    with pytest.raises(MovementRejectedError) as info:
        enter_movement(
            "correction",
            {"correction": "ex_officio", "atena_no": head.atena_no, "changes": {"address": "どこか"}},
            by=counter,
        )
    assert "correction.field" in {i.code for i in info.value.issues}
    final(
        "correction",
        {"correction": "minor", "atena_no": head.atena_no, "changes": {"address": "埼玉県上尾市本町一丁目1番地"}},
        counter,
        reviewer,
    )
    assert Resident.objects.get(atena_no=head.atena_no).address == "埼玉県上尾市本町一丁目1番地"


@pytest.mark.spec("4.2.2.2", partial=True)
def test_disappearance(counter: User, reviewer: User) -> None:
    (alone,) = _household(counter, reviewer, person())
    final("disappearance", {"atena_no": alone.atena_no, "effective": "R8.10.1"}, counter, reviewer)
    alone.refresh_from_db()
    assert alone.status == Status.REMOVED and alone.removal_reason == "失踪宣告"


@pytest.mark.spec("1.1.7", partial=True)
def test_former_surname_and_alias(counter: User, reviewer: User) -> None:
    (japanese,) = _household(counter, reviewer, person())
    final(
        "former_surname",
        {
            "atena_no": japanese.atena_no,
            "action": "record",
            "former_surname": "大石",
            "former_surname_furigana": "オオイシ",
        },
        counter,
        reviewer,
    )
    assert Resident.objects.get(atena_no=japanese.atena_no).former_surname == "大石"
    with pytest.raises(MovementRejectedError):
        enter_movement(
            "former_surname",
            {
                "atena_no": japanese.atena_no,
                "action": "record",
                "former_surname": "平方",
                "former_surname_furigana": "ヒラカタ",
            },
            by=counter,
        )
    final("former_surname", {"atena_no": japanese.atena_no, "action": "delete"}, counter, reviewer)
    assert Resident.objects.get(atena_no=japanese.atena_no).former_surname == ""
    with pytest.raises(MovementRejectedError):
        enter_movement("alias", {"atena_no": japanese.atena_no, "alias": "山田"}, by=counter)

    (foreigner,) = _household(counter, reviewer, FOREIGNER)
    final(
        "alias",
        {
            "atena_no": foreigner.atena_no,
            "action": "record",
            "alias": "阮 文安",
            "alias_furigana": "グエン ヴァンアン",
            "alias_furigana_confirmed": True,
        },
        counter,
        reviewer,
    )
    assert Resident.objects.get(atena_no=foreigner.atena_no).alias_furigana_status == "confirmed"  # 1.1.18
    final("alias", {"atena_no": foreigner.atena_no, "action": "delete"}, counter, reviewer)
    assert Resident.objects.get(atena_no=foreigner.atena_no).alias_furigana_status == "unconfirmed"
    history = Resident.objects.get(atena_no=foreigner.atena_no).alias_history
    assert history[0]["alias"] == "阮 文安" and history[0]["recorded_in"] == "上尾市" and history[0]["deleted_on"]
