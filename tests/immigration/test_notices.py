"""出入国在留管理庁 notices both ways over real HTTP with the simulator (spec 4.5.6, 4.5.7;
住基法30条の50, 入管法61条の8の2): 法務省通知 received, entered as a 仮登録 by the system user and
applied only after a person's 本登録; 市町村通知 sent in order, idempotent, after an outage."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from peers.immigration import RunningSimulator

from jumin.accounts.models import User
from jumin.core.errors import DomainError
from jumin.immigration.inbound import parse, pull_notices, receive_notice
from jumin.immigration.models import ReceivedNotice, SentNotice
from jumin.immigration.outbound import collect, send
from jumin.linkage.client import backoff
from jumin.linkage.models import OutboxMessage
from jumin.registry.models import Movement, Resident, Status
from jumin.registry.services import approve_movement, discard_movement
from tests.registry.conftest import final, move_in_data, person
from tests.registry.test_foreign_movements import JAPANESE_ITEMS as JAPANESE
from tests.registry.test_foreign_movements import article_data, foreigner

pytestmark = pytest.mark.django_db

CARD = "AB12345678CD"
OUR_CODE = "112194"


def _foreign_resident(counter: User, reviewer: User, **overrides: Any) -> Resident:
    movement = final("article_30_46", article_data(foreigner(**overrides)), counter, reviewer)
    return Resident.objects.get(atena_no=movement.items.get().atena_no)


def _notice(number: int, kind: str = "status", **overrides: Any) -> dict[str, Any]:
    notice: dict[str, Any] = {
        "notice_id": f"MOJ-{number:06d}",
        "to": OUR_CODE,
        "kind": kind,
        "effective_on": "2026-11-25",
        "residence_card_no": CARD,
        "name_alphabet": "NGUYEN VAN AN",
        "birth_on": "1995-03-01",
        "sex": "1",
    }
    if kind == "status":
        notice["changes"] = {"residence_status": "高度専門職", "period_of_stay": "5年", "stay_expires_on": "2031-11-24"}
    notice.update(overrides)
    return notice


@pytest.fixture(autouse=True)
def _our_code(settings: Any) -> None:
    settings.JUMIN_MUNICIPALITY = {**settings.JUMIN_MUNICIPALITY, "lg_code": OUR_CODE}


# -- 法務省通知 received (4.5.6) --------------------------------------------------------------


@pytest.mark.spec("4.5.6")
def test_a_status_change_is_applied_only_after_a_person_approves_it(
    counter: User, reviewer: User, ministry: RunningSimulator
) -> None:
    resident = _foreign_resident(counter, reviewer)
    collect()  # the 30条の46転入's 市町村通知 is queued before
    ministry.book.send(_notice(1))

    result = pull_notices()

    assert (result.received, result.queued, result.left) == (1, 1, 0)
    assert ministry.book.waiting(OUR_CODE) == [], "acknowledged once recorded"
    stored = ReceivedNotice.objects.get()
    assert stored.state == ReceivedNotice.State.QUEUED and stored.atena_no == resident.atena_no
    movement = stored.movement
    assert movement is not None and movement.kind == "correction" and movement.state == Movement.State.PROVISIONAL
    assert movement.entered_by.username == "jumin-immigration"
    resident.refresh_from_db()
    assert resident.residence_status == "技術・人文知識・国際業務", "nothing changes before the 本登録"

    approve_movement(movement, by=reviewer)

    resident.refresh_from_db()
    assert (resident.residence_status, resident.period_of_stay) == ("高度専門職", "5年")
    assert resident.stay_expires_on is not None and resident.stay_expires_on.isoformat() == "2031-11-24"
    stored.refresh_from_db()
    assert stored.state == ReceivedNotice.State.APPLIED and stored.history_no == resident.history_no
    assert collect().notices == 0, "what the Ministry told us is not told back"
    assert pull_notices().received == 0
    assert receive_notice(_notice(1)).pk == stored.pk, "a re-delivered notice is recognised"


@pytest.mark.spec("4.5.6")
def test_a_departure_removes_the_record_after_review_and_a_discard_returns_the_notice(
    counter: User, reviewer: User, ministry: RunningSimulator
) -> None:
    resident = _foreign_resident(counter, reviewer)
    ministry.book.send(_notice(2, "departure", residence_card_no="", effective_on="2026-11-24"))
    ministry.book.send(_notice(3, "card", changes={"residence_card_no": "CD87654321EF"}))

    assert pull_notices().queued == 1, "the second waits: the person is in a 仮登録 already"
    departure, card = ReceivedNotice.objects.order_by("notice_id")
    assert card.state == ReceivedNotice.State.UNMATCHED and card.error_code == "movement.pending_person"
    assert departure.movement is not None and departure.movement.kind == "ex_officio_removal"

    discard_movement(departure.movement, by=reviewer)
    departure.refresh_from_db()
    assert (departure.state, departure.error_code, departure.movement) == (
        ReceivedNotice.State.UNMATCHED,
        "immigration.discarded",
        None,
    )

    again = receive_notice(_notice(4, "expiry", effective_on="2026-11-24"))
    assert again.movement is not None
    approve_movement(again.movement, by=reviewer)
    resident.refresh_from_db()
    assert resident.status == Status.REMOVED and resident.removal_reason == "職権消除"
    again.refresh_from_db()
    assert again.state == ReceivedNotice.State.APPLIED


@pytest.mark.spec("4.5.6")
def test_unmatched_and_unreadable_notices_go_to_the_error_list(
    counter: User, reviewer: User, ministry: RunningSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    _foreign_resident(counter, reviewer)
    _foreign_resident(counter, reviewer, residence_card_no="ZZ00000001ZZ")  # the same 氏名・生年月日・性別
    ministry.book.send(_notice(5, residence_card_no="XY99999999XY"))  # no such card, two by name
    ministry.book.send(_notice(6, kind="unknown"))
    ministry.book.send(_notice(7, changes={"residence_card_no": "CD87654321EF"}))  # not a status item

    result = pull_notices()

    assert (result.received, result.queued, result.left) == (3, 0, 3)
    states = dict(ReceivedNotice.objects.values_list("notice_id", "error_code"))
    assert states == {
        "MOJ-000005": "immigration.no_match",
        "MOJ-000006": "immigration.bad_kind",
        "MOJ-000007": "immigration.bad_changes",
    }
    assert not Movement.objects.filter(entered_by__username="jumin-immigration").exists()
    assert CARD not in caplog.text and "XY99999999XY" not in caplog.text


@pytest.mark.spec("4.5.6")
def test_a_notice_without_the_card_number_matches_by_name_birth_and_sex_when_exactly_one() -> None:
    with pytest.raises(DomainError) as info:
        parse(_notice(8, residence_card_no="", name_alphabet=""))
    assert info.value.code == "immigration.incomplete"
    with pytest.raises(DomainError):
        parse(_notice(8, effective_on="R8.11.25"))
    with pytest.raises(DomainError):
        parse(_notice(8, sex="9"))
    with pytest.raises(DomainError):
        parse(_notice(8, residence_card_no="bad"))
    assert parse(_notice(8, residence_card_no="", name_alphabet="nguyen van an")).name_alphabet == "NGUYEN VAN AN"


@pytest.mark.spec("4.5.6")
def test_matching_by_name_birth_and_sex(counter: User, reviewer: User, ministry: RunningSimulator) -> None:
    resident = _foreign_resident(counter, reviewer)
    stored = receive_notice(_notice(9, residence_card_no=""))
    assert stored.state == ReceivedNotice.State.QUEUED and stored.atena_no == resident.atena_no


# -- 市町村通知 sent (4.5.7) ------------------------------------------------------------------


def _kid(ministry: RunningSimulator) -> list[dict[str, Any]]:
    return ministry.book.municipal_notices()


@pytest.mark.spec("4.5.7")
def test_changes_of_foreign_residents_are_notified_in_order_once_after_an_outage(
    counter: User, reviewer: User, ministry: RunningSimulator, settings: Any
) -> None:
    resident = _foreign_resident(counter, reviewer)
    final("move_in", move_in_data(person()), counter, reviewer)  # a Japanese resident: not notified
    final(
        "correction",
        {"atena_no": resident.atena_no, "correction": "ex_officio", "changes": {"notes": "旅券で本人確認"}},
        counter,
        reviewer,
    )  # no 住居地 or 4情報 change: not notified
    final(
        "relocation",
        {
            "atena_nos": [resident.atena_no],
            "effective": "R8.11.25",
            "destination": {"address": {"address": "埼玉県上尾市原市1番地", "postcode": "3620021"}},
        },
        counter,
        reviewer,
    )
    now = timezone.now()
    ministry.book.down = True

    first = send(now=now)

    assert (first.sent, first.failed) == (0, 1), "the pass stops at the first failure"
    assert list(SentNotice.objects.order_by("seq").values_list("kind", "state")) == [
        ("record", "failed"),
        ("address", "pending"),
    ]
    assert not OutboxMessage.objects.filter(destination="immigration", state="pending").exists()
    ministry.book.down, ministry.book.lose_next = False, 1
    final(
        "move_out",
        {
            "atena_nos": [resident.atena_no],
            "effective": "R8.11.28",
            "notified_on": "R8.11.28",
            "destination": {"address": "東京都港区芝公園四丁目", "banchi": "2番8号", "postcode": "1050011"},
        },
        counter,
        reviewer,
    )

    assert send(now=now).sent == 0, "in its back-off: nothing overtakes it"
    lost = send(now=now + backoff(1))  # stored by the Ministry, its answer lost
    assert (lost.sent, lost.failed) == (0, 1)
    done = send(now=now + backoff(1) + backoff(2))

    assert done.sent == 3
    received = _kid(ministry)
    assert [n["update_seq"] for n in received] == [1, 2, 3], "nothing lost or duplicated"
    assert [n["kind"] for n in received] == ["record", "address", "remove"]
    assert SentNotice.objects.get(seq=1).last_error == "already_received"
    assert received[1]["address"] == "埼玉県上尾市原市1番地" and received[2]["removal_reason"] == "国内転出"
    assert received[0]["residence_card_no"] == CARD and received[0]["name_alphabet"] == "NGUYEN VAN AN"
    assert all("resident_code" not in n and "individual_number" not in n for n in received)
    assert send(now=now + timedelta(days=1)).sent == 0


@pytest.mark.spec("4.5.7")
def test_without_a_link_nothing_is_sent_but_notices_are_kept(counter: User, reviewer: User, key_dir: Any) -> None:
    _foreign_resident(counter, reviewer)
    result = send()
    assert result.sent == 0 and "JUMIN_IMMIGRATION_URL" in result.skipped
    assert SentNotice.objects.get().state == SentNotice.State.PENDING
    assert "JUMIN_IMMIGRATION_URL" in pull_notices().skipped


@pytest.mark.spec("4.5.7")
def test_a_naturalization_ends_the_foreign_record_and_a_name_correction_is_an_identity_notice(
    counter: User, reviewer: User, ministry: RunningSimulator
) -> None:
    resident = _foreign_resident(counter, reviewer)
    final(
        "correction",
        {"atena_no": resident.atena_no, "correction": "ex_officio", "changes": {"name_alphabet": "NGUYEN VAN ANH"}},
        counter,
        reviewer,
    )
    final(
        "naturalization",
        {"effective": "R8.11.25", "notified_on": "R8.11.26", "persons": [{"atena_no": resident.atena_no, **JAPANESE}]},
        counter,
        reviewer,
    )

    assert send().sent == 3
    record, identity, removed = _kid(ministry)
    assert (record["kind"], identity["kind"], removed["kind"]) == ("record", "identity", "remove")
    assert identity["name_alphabet"] == "NGUYEN VAN ANH"
    assert removed["reason"] == "職権記載（帰化等）" and removed["name_alphabet"] == "NGUYEN VAN ANH"
    assert removed["residence_card_no"] == CARD, "the foreign record that ends, not the Japanese one"
