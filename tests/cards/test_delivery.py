"""送付先情報 (assessment file (3), 67 items; spec 7.1.1.4; rules-and-vectors §6.7): built when a
個人番号 is designated, sent once over real HTTP, deleted one business day after sending."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from peers.cardsystem import RunningSimulator

from jumin.accounts.models import User
from jumin.audit.models import OperationLog
from jumin.cards.items import ITEM_COUNT, ITEM_NAMES
from jumin.cards.models import DeliveryInfo, DeliveryReason
from jumin.cards.services import (
    collect_assignments,
    last_purgeable_send_date,
    purge_sent,
    request_delivery_info,
    send_delivery_info,
)
from jumin.core.errors import DomainError
from jumin.registry.models import Resident
from jumin.registry.numbers import open_individual_number
from peers import jlis
from tests.registry.conftest import final, move_in_data, person
from tests.test_privacy_scenario import _all_table_text

pytestmark = pytest.mark.django_db

NUMBER = "123456789018"
TOKYO = ZoneInfo("Asia/Tokyo")


def _resident(counter: User, reviewer: User, **overrides: Any) -> Resident:
    final("move_in", move_in_data(person(**overrides)), counter, reviewer)
    return Resident.objects.latest("id")


def _designate(resident: Resident, counter: User, reviewer: User, action: str = "ex_officio_record") -> str:
    final("individual_number", {"atena_no": resident.atena_no, "action": action}, counter, reviewer)
    resident.refresh_from_db()
    return open_individual_number(resident.individual_number_ct, resident.atena_no)


def _at(day: str, hour: int = 10) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour), tzinfo=TOKYO)


def test_the_item_table_names_all_67_items() -> None:
    assert sorted(ITEM_NAMES) == list(range(1, ITEM_COUNT + 1))
    assert ITEM_NAMES[50] == "個人番号" and ITEM_NAMES[1] == "送付先管理番号"


@pytest.mark.spec("7.1.1.4", partial=True)
def test_designation_builds_delivery_info_with_every_item_and_a_sealed_number(
    counter: User, reviewer: User, number_service: jlis.RunningSimulator, key_dir: Path
) -> None:
    resident = _resident(counter, reviewer)
    assert collect_assignments() == 0, "no number yet: nothing to mail"
    number = _designate(resident, counter, reviewer)

    assert collect_assignments() == 1
    info = DeliveryInfo.objects.get()
    assert info.reason == DeliveryReason.NEW_RESIDENT and info.state == DeliveryInfo.State.PENDING
    assert set(info.items) == {str(n) for n in range(1, ITEM_COUNT + 1)} - {"50"}
    assert number not in json.dumps(info.items, ensure_ascii=False), "item 50 only sealed"
    assert open_individual_number(info.individual_number_ct, resident.atena_no) == number
    items = info.items
    assert items["1"] == info.management_no and items["1"].startswith("112194")
    assert items["38"] == resident.resident_code and items["40"] == "上尾\u3000太郎" and items["39"] == 5
    assert items["43"] == "アゲオ\u3000タロウ" and items["49"] == "1" and items["48"] == resident.birth_text
    assert items["4"] == items["46"] == "埼玉県上尾市本町三丁目1番1号\u3000コーポ上尾 203号室"
    assert items["3"] == len(items["4"]) and items["2"] == items["44"] == "3620014"
    assert items["9"] == "112194" and items["11"] == "上尾市" and items["33"] == 1 and items["37"] == "1"
    assert items["35"] == counter.username and items["36"] == "SHIMIN-1"
    assert items["53"] == "0" and items["55"] == items["40"] and items["60"] == "0"
    assert collect_assignments() == 0, "each 本登録 is read once"


def test_reasons_birth_change_and_a_move_in_that_brings_its_number(
    counter: User, reviewer: User, number_service: jlis.RunningSimulator, key_dir: Path
) -> None:
    mother = _resident(counter, reviewer, given_name="花子", sex="2")
    child_data = {
        "household_no": mother.household_no,
        "effective": "R8.11.1",
        "person": {
            "surname": "上尾",
            "given_name": "陽向",
            "furigana_surname": "アゲオ",
            "furigana_given_name": "ヒナタ",
        }
        | {"sex": "2", "relationship": "子"},
    }
    child = Resident.objects.get(atena_no=final("birth", child_data, counter, reviewer).items.get().atena_no)
    _designate(child, counter, reviewer)
    _designate(child, counter, reviewer, action="change_request")
    final("move_in", move_in_data(person(given_name="次郎", individual_number=NUMBER)), counter, reviewer)

    assert collect_assignments() == 2
    reasons = list(DeliveryInfo.objects.order_by("id").values_list("atena_no", "reason"))
    assert reasons == [(child.atena_no, DeliveryReason.BIRTH), (child.atena_no, DeliveryReason.NUMBER_CHANGE)]


@pytest.mark.spec("7.1.1.4", partial=True)
def test_on_request_to_a_residence_other_than_the_address(counter: User, reviewer: User, key_dir: Path) -> None:
    final("move_in", move_in_data(person(individual_number=NUMBER)), counter, reviewer)
    resident = Resident.objects.get()
    with pytest.raises(DomainError) as error:
        request_delivery_info(counter, resident.atena_no, send_to_address="埼玉県上尾市原市1番地")
    assert error.value.code == "cards.send_to_incomplete"
    info = request_delivery_info(
        counter, resident.atena_no, send_to_postcode="3620021", send_to_address="埼玉県上尾市原市1番地"
    )
    assert info.reason == DeliveryReason.REQUEST and info.items["37"] == "2"
    assert (info.items["2"], info.items["4"]) == ("3620021", "埼玉県上尾市原市1番地")
    assert info.items["46"].startswith("埼玉県上尾市本町"), "the 住所 itself stays as recorded"
    outsider = User.objects.create_user(username="soto", password="x" * 20, display_name="外部")
    with pytest.raises(DomainError) as error:
        request_delivery_info(outsider, resident.atena_no)
    assert error.value.code == "auth.forbidden"


@pytest.mark.spec("7.1.1.4", partial=True)
def test_sent_once_over_signed_http_and_retried_after_an_outage(
    counter: User, reviewer: User, cardsystem: RunningSimulator
) -> None:
    final("move_in", move_in_data(person(individual_number=NUMBER)), counter, reviewer)
    info = request_delivery_info(counter, Resident.objects.get().atena_no)
    now = _at("2026-11-13")

    cardsystem.book.down = True
    result = send_delivery_info(now=now)
    assert (result.sent, result.failed) == (0, 1)
    info.refresh_from_db()
    assert info.state == DeliveryInfo.State.FAILED and info.last_error == "rejected:maintenance"
    assert send_delivery_info(now=now).waiting == 1, "waits for its back-off"
    cardsystem.book.down = False

    assert send_delivery_info(now=now + timedelta(minutes=5)).sent == 1
    info.refresh_from_db()
    assert info.state == DeliveryInfo.State.SENT and info.sent_at == now + timedelta(minutes=5)
    received = cardsystem.book.received[info.management_no]
    assert len(received) == ITEM_COUNT and received["50"] == NUMBER and received["38"] == info.items["38"]
    assert send_delivery_info(now=now + timedelta(minutes=6)).sent == 0, "sent once"
    assert len(cardsystem.book.received) == 1


def test_without_a_configured_peer_nothing_is_sent(counter: User, reviewer: User, key_dir: Path) -> None:
    final("move_in", move_in_data(person(individual_number=NUMBER)), counter, reviewer)
    request_delivery_info(counter, Resident.objects.get().atena_no)
    result = send_delivery_info()
    assert result.sent == 0 and result.waiting == 1 and "JUMIN_CARDSYSTEM_URL" in result.skipped


@pytest.mark.parametrize(
    ("sent", "kept_on", "deleted_on"),
    [
        ("2026-11-13", "2026-11-15", "2026-11-16"),  # Friday -> Monday
        ("2026-12-28", "2027-01-03", "2027-01-04"),  # last day before 年末年始 -> first day after
        ("2026-11-02", "2026-11-03", "2026-11-04"),  # the day before 文化の日
    ],
)
def test_deleted_exactly_one_business_day_after_sending(
    counter: User,
    reviewer: User,
    cardsystem: RunningSimulator,
    caplog: pytest.LogCaptureFixture,
    sent: str,
    kept_on: str,
    deleted_on: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    final("move_in", move_in_data(person(individual_number=NUMBER)), counter, reviewer)
    info = request_delivery_info(counter, Resident.objects.get().atena_no)
    resident_code = info.items["38"]
    assert send_delivery_info(now=_at(sent, 16)).sent == 1

    assert purge_sent(_at(sent, 23)) == 0
    assert purge_sent(_at(kept_on, 23)) == 0, "not yet one business day"
    assert DeliveryInfo.objects.filter(pk=info.pk).exists()
    assert purge_sent(_at(deleted_on, 0)) == 1

    assert not DeliveryInfo.objects.exists(), "nothing left"
    stored = _all_table_text({"cards"})
    assert info.management_no not in stored and resident_code not in stored
    log = OperationLog.objects.filter(action="cards.delivery_purged").get()
    assert log.after == {"deleted": 1} and not log.target_id, "the log holds the count only"
    everything = _all_table_text() + caplog.text
    assert NUMBER not in everything and "1234 5678 9018" not in everything


def test_pending_rows_are_never_purged(counter: User, reviewer: User, key_dir: Path) -> None:
    final("move_in", move_in_data(person(individual_number=NUMBER)), counter, reviewer)
    request_delivery_info(counter, Resident.objects.get().atena_no)
    assert purge_sent(timezone.now() + timedelta(days=30)) == 0
    assert DeliveryInfo.objects.count() == 1


def test_last_purgeable_send_date() -> None:
    assert last_purgeable_send_date(date(2026, 11, 16)) == date(2026, 11, 15)  # Monday: sent Fri–Sun
    assert last_purgeable_send_date(date(2026, 11, 15)) == date(2026, 11, 12)  # Sunday: not Friday's
    assert last_purgeable_send_date(date(2027, 1, 4)) == date(2027, 1, 3)
    assert last_purgeable_send_date(date(2027, 1, 3)) == date(2026, 12, 27)


@pytest.mark.spec("7.1.1.1", "7.1.1.4", partial=True)
def test_the_substitute_items_carry_the_name_and_address_in_unified_characters(
    counter: User, reviewer: User, number_service: jlis.RunningSimulator, key_dir: Path
) -> None:
    """Items 53–59: 𠮷 and 髙 replaced by their 代替文字 (吉, 高), 𩸽 (no 代替文字) by 〓."""
    who = person(surname="\U00020bb7田", given_name="\u9ad9志")
    address = {"address": "埼玉県上尾市\U00029e3d町1番地", "postcode": "3620014"}
    final("move_in", move_in_data(who, address=address), counter, reviewer)
    resident = Resident.objects.latest("id")
    _designate(resident, counter, reviewer)
    assert collect_assignments() == 1
    items = DeliveryInfo.objects.get().items
    assert items["40"] == "\U00020bb7田\u3000\u9ad9志" and items["41"] == 2, "the 氏名 as the register holds it"
    assert (items["55"], items["54"], items["58"]) == ("吉田\u3000高志", 5, "1,4")
    assert items["57"].startswith("埼玉県上尾市〓町1番地") and items["59"] == "7"
    assert items["56"] == len(items["57"]) == len(items["46"])
    assert (items["53"], items["60"]) == ("2", "1"), "変換不可あり"
