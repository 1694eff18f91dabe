"""支援措置・抑止 wired into the register (issue 6, second part): the issuance decision and its
API, marks on the person / household / look-up screens, the 異動入力 blocks at 仮登録 and
本登録, protection after the end date, and 前住所地 mode after a 転出."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jumin.accounts.models import Terminal, User
from jumin.accounts.principal import Principal
from jumin.accounts.services import add_linked_system
from jumin.audit.models import AccessLog
from jumin.conf.domain import era_table
from jumin.core.errors import DomainError
from jumin.protection import queries, services
from jumin.protection.models import ProtectionDecision
from jumin.registry.models import Resident
from jumin.registry.services import (
    AlertsNeedConfirmationError,
    MovementRejectedError,
    approve_movement,
    enter_movement,
)
from tests.conftest import device_cookie, log_in
from tests.protection.conftest import measure_data
from tests.registry.conftest import final

pytestmark = pytest.mark.django_db

CHECK = "/api/v1/protection/issuance-check"


def _client(user: User, terminal: Terminal) -> Client:
    client = Client()
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    return log_in(client, user)


def _ask(client: Client, body: dict[str, Any], **extra: Any) -> Any:
    return client.post(CHECK, body, content_type="application/json", **extra)


def _today_text(days: int = 0) -> str:
    return era_table().format(timezone.localdate() + timedelta(days=days))


def _move_out(atena_no: str, counter: User, reviewer: User) -> None:
    final(
        "move_out",
        {
            "reason": "domestic_move_out",
            "effective": _today_text(),
            "notified_on": _today_text(),
            "destination": {"address": "東京都千代田区千代田1番1号"},
            "atena_nos": [atena_no],
        },
        counter,
        reviewer,
    )


# -- issuance (3.4; 住基法12条〜12条の3) -------------------------------------------------------------


@pytest.mark.spec("3.4", "3.1", partial=True)
def test_issuance_check_api_refuses_third_parties_agents_and_the_offender(
    officer: User, clerk: User, terminal: Terminal, family: dict[str, Resident]
) -> None:
    measure = services.create_measure(measure_data(family), by=officer)
    mother, child, offender = (family[k].atena_no for k in ("mother", "child", "offender"))
    counter = _client(clerk, terminal)
    third = _ask(counter, {"atena_no": mother, "route": "third_party"})
    assert third.status_code == 200, third.content.decode()
    assert third.json()["outcome"] == "refuse" and third.json()["code"] == "protection.third_party"
    assert third.json()["measure_nos"] == [measure.measure_no]
    assert _ask(counter, {"atena_no": child, "route": "agent"}).json()["code"] == "protection.agent"
    # 本人: refused by the block until the 支援措置責任者 examines and temporarily releases it
    own = _ask(counter, {"atena_no": mother, "route": "self", "requester_atena_no": mother}).json()
    assert own["outcome"] == "refuse" and own["code"] == "protection.blocked"
    block = measure.blocks.get(target_no=mother, process="certificate")
    services.temporarily_release_block(block, by=officer, reason="本人の請求、本人確認済み", minutes=10)
    allowed = _ask(counter, {"atena_no": mother, "route": "self", "requester_atena_no": mother}).json()
    assert allowed["outcome"] == "allow" and allowed["code"] == "issuance.allowed"
    # … but never for a third party, nor for the offender, even while it is released
    assert _ask(counter, {"atena_no": mother, "route": "third_party"}).json()["outcome"] == "refuse"
    for requester in ({"requester_atena_no": offender}, {"requester_name": "北本 次郎"}):
        refused = _ask(counter, {"atena_no": mother, "route": "self", **requester}).json()
        assert refused["outcome"] == "refuse" and refused["code"] == "protection.offender"
    # a person nobody protects: every route is allowed, the offender's own copy too
    for route in ("self", "public_body", "third_party", "agent"):
        assert _ask(counter, {"atena_no": offender, "route": route}).json()["outcome"] == "allow"
    # errors: a bad route, an unknown person
    bad = _ask(counter, {"atena_no": mother, "route": "neighbour"})
    assert bad.status_code == 400 and bad.json()["code"] == "issuance.bad_route"
    assert _ask(counter, {"atena_no": "0000000000", "route": "self"}).json()["code"] == "resident.not_found"
    logged = AccessLog.objects.filter(purpose="api.protection.issuance_check", operator=clerk.username)
    assert logged.count() >= 8
    assert logged.filter(persons=[mother], criteria__outcome="refuse").exists()


@pytest.mark.spec("3.4", "7.2.5", partial=True)
def test_issuance_check_for_konbini_needs_the_certificate_capability(
    officer: User, terminal: Terminal, family: dict[str, Resident]
) -> None:
    services.create_measure(measure_data(family), by=officer)
    _, key = add_linked_system("KONBINI", "コンビニ交付システム", ["issue_certificate"])
    _, other = add_linked_system("ATENA", "宛名システム", ["view_resident"])
    body = {"atena_no": family["child"].atena_no, "route": "self"}
    konbini = _ask(Client(), body, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert konbini.json()["outcome"] == "refuse"  # a temporary release is not propagated there anyway
    assert AccessLog.objects.filter(client="KONBINI", purpose="api.protection.issuance_check").exists()
    assert _ask(Client(), body, HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 403
    assert _ask(Client(), body).status_code == 401
    viewer = _client(officer, terminal)  # the officer issues no certificates
    assert _ask(viewer, body).status_code == 403


@pytest.mark.spec("3.4", partial=True)
def test_protection_outlasts_the_end_date_until_an_officer_ends_it(
    officer: User, clerk: User, family: dict[str, Resident]
) -> None:
    start = timezone.localdate() - timedelta(days=800)
    measure = services.create_measure(measure_data(family, start_on=start), by=officer)
    assert measure.end_on < timezone.localdate()
    mother = family["mother"].atena_no
    counter = Principal(user=clerk)
    decision = queries.issuance_decision(counter, mother, "third_party")
    assert decision.outcome == "refuse"
    assert queries.issuance_decision(counter, mother, "self").code == "protection.blocked"
    marks = queries.marks_for(counter, [mother])[mother]
    assert marks[0].label == "支援措置中" and "期間" in marks[0].alert  # the period-ended alert
    assert [m.measure.measure_no for m in queries.measures(Principal(user=officer), ending_soon=True)] == [
        measure.measure_no
    ]
    services.terminate_measure(measure, "expiry", by=officer, reason="期間満了、延長の申出なし")
    assert queries.issuance_decision(counter, mother, "third_party").outcome == "allow"
    assert queries.marks_for(counter, [mother])[mother] == []


@pytest.mark.spec("3.4", "1.1.5", partial=True)
def test_former_address_mode_after_a_move_out(
    officer: User, clerk: User, counter: User, reviewer: User, family: dict[str, Resident]
) -> None:
    measure = services.create_measure(measure_data(family, restrict_copy_current=False), by=officer)
    mother = family["child"].atena_no  # the child moves out (to the father's relatives)
    as_clerk = Principal(user=clerk)
    # living here: only the 現住所 copies would be restricted, and this measure does not restrict them
    assert queries.issuance_decision(as_clerk, mother, "third_party").code == "protection.blocked"
    assert not queries.issuance_decision(as_clerk, mother, "third_party").former_address
    _move_out(mother, counter, reviewer)
    assert Resident.objects.get(atena_no=mother).status == "removed"
    decision = queries.issuance_decision(as_clerk, mother, "third_party", "current")
    assert decision.former_address and decision.code == "protection.third_party"  # 前住所地: 除票の写し
    assert decision.measure_nos == [measure.measure_no]
    assert queries.marks_for(as_clerk, [mother])[mother][0].label == "支援措置中（前住所地）"


# -- marks on the register's screens (2.2.4) --------------------------------------------------------


@pytest.mark.spec("2.2.4", "3.1", partial=True)
def test_marks_on_person_household_and_lookup(
    officer: User, clerk: User, terminal: Terminal, family: dict[str, Resident]
) -> None:
    measure = services.create_measure(
        measure_data(family, is_provisional=True, first_receiving_municipality="桶川市"), by=officer
    )
    mother, offender = family["mother"], family["offender"]
    counter = _client(clerk, terminal)
    found = counter.get("/registry/", {"number": mother.atena_no}, follow=True)
    page = found.content.decode()
    assert found.redirect_chain and 'data-testid="person-marks"' in page and "仮支援措置中" in page
    assert "/protection/person/" not in page  # the counter cannot open the 支援措置 database
    household = counter.get(f"/registry/household/{mother.household_no}/").content.decode()
    assert household.count('data-testid="protection-marks"') == 2  # mother and child
    assert "抑止（証明書発行・エラー）" in household
    other = counter.get(f"/registry/person/{offender.atena_no}/").content.decode()
    assert "person-marks" not in other
    assert AccessLog.objects.filter(purpose="registry.marks", persons=[mother.atena_no]).exists()
    # the officer jumps from the mark to the database
    officer_page = _client(officer, terminal).get(f"/registry/person/{mother.atena_no}/").content.decode()
    assert f'href="/protection/person/{mother.atena_no}/"' in officer_page
    assert measure.measure_no  # (the mark names no number to the counter)


# -- 異動入力 blocks (3.1) --------------------------------------------------------------------------


def _relocation(atena_no: str) -> dict[str, Any]:
    return {
        "atena_nos": [atena_no],
        "effective": "R8.11.26",
        "destination": {"address": {"address": "上尾市原市2番地"}},
    }


@pytest.mark.spec("3.1", partial=True)
def test_movement_entry_refused_by_an_error_block(
    officer: User, counter: User, reviewer: User, family: dict[str, Resident]
) -> None:
    target = family["offender"].atena_no
    block = services.set_block(
        scope="person", target_no=target, process="movement", level="error", reason="実態調査中", by=officer
    )
    with pytest.raises(MovementRejectedError) as rejected:
        enter_movement("relocation", _relocation(target), by=counter)
    assert [(i.code, i.atena_no) for i in rejected.value.issues] == [("protection.movement_blocked", target)]
    services.release_block(block, by=officer, reason="調査終了")
    movement = enter_movement("relocation", _relocation(target), by=counter)
    # set again before the 本登録: the approval is refused
    services.set_block(
        scope="household",
        target_no=family["offender"].household_no,
        process="movement",
        level="error",
        reason="世帯の調査",
        by=officer,
    )
    with pytest.raises(DomainError) as refused:
        approve_movement(movement, by=reviewer)
    assert refused.value.code == "protection.movement_blocked"


@pytest.mark.spec("3.1", partial=True)
def test_movement_alert_block_needs_acknowledgement_and_a_logged_reason(
    officer: User, counter: User, reviewer: User, family: dict[str, Resident]
) -> None:
    target = family["offender"].atena_no
    block = services.set_block(
        scope="person", target_no=target, process="movement", level="alert", reason="要確認", by=officer
    )
    with pytest.raises(AlertsNeedConfirmationError) as alerts:
        enter_movement("relocation", _relocation(target), by=counter)
    assert [i.code for i in alerts.value.issues] == ["protection.block_alert"]
    with pytest.raises(MovementRejectedError) as no_reason:
        enter_movement("relocation", _relocation(target), by=counter, acknowledged=["protection.block_alert"])
    assert no_reason.value.issues[0].code == "protection.alert_reason_required"
    data = {**_relocation(target), "block_alert_reason": "本人確認済み、警察に照会済み"}
    movement = enter_movement("relocation", data, by=counter, acknowledged=["protection.block_alert"])
    passed = ProtectionDecision.objects.get(action="block.alert_passed", block=block)
    assert passed.reason == "本人確認済み、警察に照会済み" and passed.details["movement_no"] == movement.movement_no
    assert approve_movement(movement, by=reviewer)


@pytest.mark.spec("3.1", partial=True)
def test_an_alert_block_set_after_entry_stops_the_approval(
    officer: User, counter: User, reviewer: User, family: dict[str, Resident]
) -> None:
    target = family["offender"].atena_no
    movement = enter_movement("relocation", _relocation(target), by=counter)
    services.set_block(scope="person", target_no=target, process="movement", level="alert", reason="後から", by=officer)
    with pytest.raises(DomainError) as refused:
        approve_movement(movement, by=reviewer)
    assert refused.value.code == "protection.alert_not_passed"
