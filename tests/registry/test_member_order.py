"""記載順位 set by hand (5.2): kept for the household, used by the household screen, the
世帯連記式 copy and the API; newcomers are appended; every change is operation-logged."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from jumin.accounts.models import Terminal, User
from jumin.accounts.principal import Principal
from jumin.audit.models import OperationLog
from jumin.certificates import content
from jumin.certificates.queries import target
from jumin.core.errors import DomainError
from jumin.registry.models import HouseholdOrder, Resident
from jumin.registry.queries import household_detail
from jumin.registry.services import enter_movement, set_member_order
from tests.conftest import device_cookie, log_in, make_operator
from tests.registry.conftest import final, move_in_data, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(counter: User, reviewer: User) -> dict[str, str]:
    final(
        "move_in",
        move_in_data(
            person(),
            person(given_name="花子", furigana_given_name="ハナコ", relationship="妻", sex="2"),
            person(given_name="一郎", furigana_given_name="イチロウ", relationship="子", birth="平成20年5月5日"),
        ),
        counter,
        reviewer,
    )
    return {r.given_name: r.atena_no for r in Resident.objects.all()}


def _names(principal: Principal, household_no: str) -> list[str]:
    return [str(c.values["name"]).split("\u3000")[-1] for c in household_detail(principal, household_no).members]


@pytest.mark.spec("5.2")
def test_a_manual_order_is_kept_and_newcomers_are_appended(
    family: dict[str, str], counter: User, reviewer: User
) -> None:
    household_no = Resident.objects.get(atena_no=family["太郎"]).household_no
    viewer = Principal(user=reviewer)
    assert _names(viewer, household_no) == ["太郎", "花子", "一郎"]
    order = [family["太郎"], family["一郎"], family["花子"]]
    set_member_order(household_no, order, by=counter)
    assert _names(viewer, household_no) == ["太郎", "一郎", "花子"]
    assert household_detail(viewer, household_no).manual_order
    copy = target(
        Principal(user=make_operator("shomei", "証明 交付", roles=("証明書交付",))),
        content.COPY,
        family["太郎"],
        layout=content.HOUSEHOLD,
        with_history=False,
        today=timezone.localdate(),
    )
    assert [s.atena_no for s in copy.subjects] == order

    final(
        "birth",
        {
            "household_no": household_no,
            "effective": "R8.11.1",
            "person": {
                "surname": "上尾",
                "given_name": "陽向",
                "furigana_surname": "アゲオ",
                "furigana_given_name": "ヒナタ",
                "sex": "2",
                "relationship": "子",
            },
        },
        counter,
        reviewer,
    )
    assert _names(viewer, household_no) == ["太郎", "一郎", "花子", "陽向"], "the newcomer is appended"
    log = OperationLog.objects.get(action="registry.member_order")
    assert log.target_id == household_no and log.after == {"order": order} and log.before == {"order": []}

    set_member_order(household_no, [], by=counter)
    assert not HouseholdOrder.objects.exists()
    assert _names(viewer, household_no) == ["太郎", "花子", "一郎", "陽向"], "back to the order of 5.2"


def test_a_manual_order_names_every_member_once_and_waits_for_a_movement_in_progress(
    family: dict[str, str], counter: User
) -> None:
    household_no = Resident.objects.get(atena_no=family["太郎"]).household_no
    for wrong in ([family["太郎"], family["花子"]], [family["太郎"], family["花子"], family["花子"]]):
        with pytest.raises(DomainError) as info:
            set_member_order(household_no, wrong, by=counter)
        assert info.value.code == "household.order_members"
    with pytest.raises(DomainError) as missing:
        set_member_order("9999999999", [], by=counter)
    assert missing.value.code == "household.not_found"
    with pytest.raises(DomainError) as forbidden:
        set_member_order(household_no, [], by=make_operator("kanri", "管理 太郎"))
    assert forbidden.value.code == "auth.forbidden"
    other = make_operator("other", "別の 職員", roles=("窓口入力",))
    enter_movement(
        "household_split",
        {"atena_nos": [family["一郎"]], "effective": "R8.11.26", "relationships": {family["一郎"]: "世帯主"}},
        by=other,
    )
    with pytest.raises(DomainError) as locked:
        set_member_order(household_no, list(family.values()), by=counter)
    assert locked.value.code == "movement.locked"


@pytest.mark.spec("5.2", "2.3.2")
def test_the_household_screen_and_the_api_set_the_order(
    family: dict[str, str], counter: User, client: Client, terminal: Terminal
) -> None:
    household_no = Resident.objects.get(atena_no=family["太郎"]).household_no
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    web = log_in(client, counter)
    page = web.get(f"/registry/household/{household_no}/").content.decode()
    assert "記載順位（5.2の順）" in page and f'name="order-{family["花子"]}"' in page
    posted = {f"order-{family['太郎']}": "1", f"order-{family['花子']}": "3", f"order-{family['一郎']}": "2"}
    assert web.post(f"/registry/household/{household_no}/order/", posted).status_code == 302
    page = web.get(f"/registry/household/{household_no}/").content.decode()
    assert "記載順位を設定しました。" in page and "記載順位（手動で設定済み）" in page
    assert page.index("上尾\u3000一郎") < page.index("上尾\u3000花子")
    bad = web.post(f"/registry/household/{household_no}/order/", {**posted, f"order-{family['一郎']}": "x"})
    assert bad.status_code == 302
    assert "1から99までの数字" in web.get(f"/registry/household/{household_no}/").content.decode()
    web.post(f"/registry/household/{household_no}/order/", {"reset": "1"})
    assert not HouseholdOrder.objects.exists()

    answer = web.post(
        f"/api/v1/households/{household_no}/member-order",
        {"atena_nos": [family["一郎"], family["花子"], family["太郎"]]},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert HouseholdOrder.objects.get().atena_nos == [family["一郎"], family["花子"], family["太郎"]]
    wrong = web.post(
        f"/api/v1/households/{household_no}/member-order",
        {"atena_nos": [family["一郎"]]},
        content_type="application/json",
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "household.order_members"
