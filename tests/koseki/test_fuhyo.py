"""附票記載事項通知 to the 本籍地 (spec 7.2.4, 7.1.1.1) over real HTTP with the 本籍地 simulator:
管外本籍 in order and idempotent, 管内本籍 recorded in our own 附票, none for 本籍なし and foreign
residents, retries after an outage (nothing lost, nothing duplicated), and the notices of other
municipalities about our 本籍者 received once."""

from __future__ import annotations

import json
import logging
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.utils import timezone
from peers.koseki import KosekiBook, RunningSimulator, running

from jumin.accounts.models import User
from jumin.audit.models import OperationLog
from jumin.core.errors import DomainError
from jumin.koseki import fuhyo
from jumin.koseki.models import FuhyoEntry, FuhyoNotice, FuhyoRecord
from jumin.koseki.services import run_pass
from jumin.linkage import signing
from jumin.linkage.models import OutboxMessage
from jumin.linkage.queues import find
from jumin.registry.models import Resident
from tests.koseki.conftest import AGEO, CHIYODA
from tests.registry.conftest import final, move_in_data, person

TOKYO_HONSEKI = "東京都千代田区千代田1番"


def _moved_in(counter: User, reviewer: User, **overrides: Any) -> Resident:
    movement = final("move_in", move_in_data(person(**overrides)), counter, reviewer)
    return Resident.objects.get(atena_no=movement.items.get().atena_no)


def _relocate(resident: Resident, counter: User, reviewer: User, address: str = "埼玉県上尾市柏座一丁目1番1号") -> None:
    data = {
        "atena_nos": [resident.atena_no],
        "effective": "R8.11.28",
        "notified_on": "R8.11.30",
        "destination": {"address": {"address": address, "postcode": "3620037"}},
    }
    final("relocation", data, counter, reviewer)


def control(simulator: RunningSimulator, body: dict[str, Any]) -> None:
    request = urllib.request.Request(simulator.url + "/control", data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert answer.status == 200


@pytest.mark.spec("7.2.4", "7.1.1.1", partial=True)
def test_a_move_in_and_a_relocation_notify_the_honseki_in_order_once(
    counter: User, reviewer: User, koseki: RunningSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    resident = _moved_in(counter, reviewer, honseki=TOKYO_HONSEKI, individual_number="123456789018")
    _relocate(resident, counter, reviewer)
    done = run_pass()
    assert (done.collected, done.local, done.sent, done.failed) == (2, 0, 2, 0)
    notices = koseki.book.fuhyo_to(CHIYODA)
    assert [n["update_seq"] for n in notices] == [1, 2]
    assert [n["notice_type"] for n in notices] == ["move_in", "relocation"]
    first, second = notices
    assert first["name"] == "上尾\u3000太郎" and first["honseki"] == TOKYO_HONSEKI
    assert first["address"].startswith("埼玉県上尾市本町三丁目") and first["address_set_text"]
    assert second["address"].startswith("埼玉県上尾市柏座一丁目") and second["address_set_text"] == "令和8年11月28日"
    assert first["resident_code"] == resident.resident_code and "individual_number" not in first
    assert first["from_municipality_code"] == AGEO and first["to_municipality_code"] == CHIYODA
    assert koseki.book.fuhyo(CHIYODA)[resident.resident_code]["notice_type"] == "relocation"
    again = run_pass()
    assert (again.collected, again.sent) == (0, 0), "nothing twice"
    assert len(koseki.book.fuhyo_to(CHIYODA)) == 2
    assert not OutboxMessage.objects.filter(destination="fuhyo", state="pending").exists()
    assert resident.resident_code not in caplog.text


@pytest.mark.spec("7.2.4", partial=True)
def test_a_move_out_and_an_abroad_move_out_are_notified(
    counter: User, reviewer: User, koseki: RunningSimulator
) -> None:
    domestic = _moved_in(counter, reviewer, honseki=TOKYO_HONSEKI)
    abroad = _moved_in(counter, reviewer, honseki=TOKYO_HONSEKI, given_name="次郎", birth="昭和57年5月5日")
    for resident, reason, destination in (
        (domestic, "domestic_move_out", "東京都港区芝公園四丁目2番8号"),
        (abroad, "abroad_move_out", "アメリカ合衆国"),
    ):
        data = {
            "reason": reason,
            "atena_nos": [resident.atena_no],
            "effective": "R8.12.10",
            "notified_on": "R8.11.26",
            "destination": {"address": destination},
        }
        final("move_out", data, counter, reviewer)
    run_pass()
    kinds = {n["name"]: (n["notice_type"], n["address"], n["abroad"]) for n in koseki.book.fuhyo_to(CHIYODA)[2:]}
    assert kinds["上尾\u3000太郎"] == ("move_out", "東京都港区芝公園四丁目2番8号", False)
    assert kinds["上尾\u3000次郎"] == ("abroad_move_out", "国外（アメリカ合衆国）", True)


@pytest.mark.spec("7.2.4", partial=True)
def test_our_own_honseki_is_recorded_in_our_fuhyo_without_the_network(
    counter: User, reviewer: User, key_dir: Path
) -> None:
    resident = _moved_in(counter, reviewer)  # 本籍 埼玉県上尾市本町一丁目1番地: 管内本籍
    done = run_pass()
    assert (done.local, done.sent) == (1, 0) and "JUMIN_KOSEKI_URL" in done.skipped
    notice = FuhyoNotice.objects.get()
    assert notice.local and notice.state == FuhyoNotice.State.SENT and notice.destination == AGEO
    record = FuhyoRecord.objects.get()
    assert (record.name, record.honseki) == (resident.name, resident.honseki)
    assert record.address.startswith("埼玉県上尾市本町三丁目") and record.address_set_text
    _relocate(resident, counter, reviewer)
    run_pass()
    record.refresh_from_db()
    assert record.address.startswith("埼玉県上尾市柏座一丁目")
    assert [e.kind for e in record.entries.order_by("pk")] == ["move_in", "relocation"], "the 附票's history"


@pytest.mark.spec("7.2.4", partial=True)
def test_no_notice_without_a_honseki_for_foreigners_or_when_the_address_is_unchanged(
    counter: User, reviewer: User, koseki: RunningSimulator
) -> None:
    _moved_in(counter, reviewer, honseki_kind="none", honseki="", koseki_head="")
    _moved_in(counter, reviewer, honseki_kind="unknown", honseki="", koseki_head="", given_name="三郎")
    tokyo = _moved_in(counter, reviewer, honseki=TOKYO_HONSEKI, given_name="四郎", birth="平成2年2月2日")
    correction = {"correction": "ex_officio", "atena_no": tokyo.atena_no, "changes": {"koseki_head": "千代田　一郎"}}
    final("correction", correction, counter, reviewer)
    done = run_pass()
    assert done.sent == 1, "only the 転入 of the person with a 本籍: a correction of the 筆頭者 moves nobody"
    assert [n["name"] for n in koseki.book.fuhyo_to(CHIYODA)] == ["上尾\u3000四郎"]


def test_a_honseki_of_no_known_municipality_is_left_to_the_staff(counter: User, reviewer: User, key_dir: Path) -> None:
    _moved_in(counter, reviewer, honseki="架空県どこか村1番地")
    assert run_pass().collected == 1
    assert not FuhyoNotice.objects.exists()
    assert OperationLog.objects.filter(action="koseki.fuhyo_unrouted").count() == 1


@pytest.mark.spec("7.2.4", "7.1.1.1", partial=True)
def test_an_outage_loses_nothing_and_duplicates_nothing(
    counter: User, reviewer: User, key_dir: Path, koseki_key: Ed25519PrivateKey, settings: Any
) -> None:
    from peers.signed import write_public

    from jumin.koseki.network import PEER_PUBLIC

    write_public(key_dir / PEER_PUBLIC, koseki_key.public_key())
    book = KosekiBook()
    ours = signing.own_key().public_key()
    settings.JUMIN_KOSEKI_TIMEOUT = 2.0
    with running(key=koseki_key, client_key=ours, book=book) as first:
        settings.JUMIN_KOSEKI_URL = first.url
    # the 本籍地 is down: the port is closed
    resident = _moved_in(counter, reviewer, honseki=TOKYO_HONSEKI)
    _relocate(resident, counter, reviewer)
    down = run_pass()
    assert (down.collected, down.sent, down.failed) == (2, 0, 1), "the first failure stops the pass"
    states = list(FuhyoNotice.objects.order_by("seq").values_list("state", flat=True))
    assert states == [FuhyoNotice.State.FAILED, FuhyoNotice.State.PENDING]
    line = next(q for q in find("koseki.fuhyo_notices").lines() if q.key == CHIYODA)  # type: ignore[union-attr]
    assert (line.failed, line.pending, line.error) == (1, 1, "unavailable")
    later = timezone.now() + timedelta(hours=2)
    with running(key=koseki_key, client_key=ours, book=book) as second:
        settings.JUMIN_KOSEKI_URL = second.url
        assert run_pass(now=timezone.now()).sent == 0, "still in its back-off"
        back = run_pass(now=later)
        assert (back.sent, back.failed) == (2, 0)
        assert [n["update_seq"] for n in book.fuhyo_to(CHIYODA)] == [1, 2]
        # an answer lost on the way: the 本籍地 has it, we send it again — it counts as sent once
        FuhyoNotice.objects.filter(seq=2).update(state=FuhyoNotice.State.PENDING)
        assert fuhyo.send_pending(now=later).sent == 1
        assert FuhyoNotice.objects.get(seq=2).last_error == "already_received"
        assert [n["update_seq"] for n in book.fuhyo_to(CHIYODA)] == [1, 2], "nothing duplicated"


def _fuhyo_notice(**overrides: Any) -> dict[str, Any]:
    notice = {
        "kind": "fuhyo_notice",
        "notice_type": "move_in",
        "idempotency_key": "fuhyo:112194:minato:1",
        "from_municipality_code": "131032",
        "to_municipality_code": AGEO,
        "honseki": "埼玉県上尾市本町一丁目1番地",
        "koseki_head": "上尾　一郎",
        "resident_code": "",
        "name": "上尾\u3000一郎",
        "birth_text": "昭和40年1月1日",
        "sex": "1",
        "address": "東京都港区芝公園四丁目2番8号",
        "katagaki": "",
        "address_set_text": "令和8年12月1日",
    }
    notice.update(overrides)
    return notice


@pytest.mark.spec("7.2.4", partial=True)
def test_notices_about_our_honseki_persons_living_elsewhere_are_recorded_once(
    key_dir: Path, koseki: RunningSimulator
) -> None:
    control(koseki, {"send_fuhyo": _fuhyo_notice()})
    control(koseki, {"send_fuhyo": _fuhyo_notice(idempotency_key="x:2", honseki="東京都千代田区千代田1番")})
    done = run_pass()
    assert done.fuhyo_received == 1, "a 本籍 that is not ours is refused and left on the network"
    record = FuhyoRecord.objects.get()
    assert (record.address, record.municipality_code, record.address_set_text) == (
        "東京都港区芝公園四丁目2番8号",
        "131032",
        "令和8年12月1日",
    )
    assert [n["idempotency_key"] for n in koseki.book.waiting_for("/fuhyo-inbox", AGEO)] == ["x:2"]
    control(koseki, {"send_fuhyo": _fuhyo_notice()})  # the acknowledgement was lost: it comes again
    control(koseki, {"send_fuhyo": _fuhyo_notice(idempotency_key="y:3", notice_type="relocation", address="大阪府")})
    run_pass()
    assert FuhyoEntry.objects.count() == 2, "recognised by its id"
    record.refresh_from_db()
    assert record.address == "大阪府"


def test_bad_fuhyo_notices_are_refused_with_stable_codes(key_dir: Path) -> None:
    for payload, code in (
        (_fuhyo_notice(idempotency_key=""), "fuhyo.no_id"),
        (_fuhyo_notice(name=""), "fuhyo.incomplete"),
        (_fuhyo_notice(notice_type="other"), "fuhyo.incomplete"),
        (_fuhyo_notice(honseki="東京都千代田区千代田1番"), "fuhyo.not_ours"),
    ):
        with pytest.raises(DomainError) as info:
            fuhyo.record_fuhyo(payload)
        assert info.value.code == code


def test_the_command_runs_one_pass(counter: User, reviewer: User, koseki: RunningSimulator) -> None:
    _moved_in(counter, reviewer, honseki=TOKYO_HONSEKI)
    call_command("koseki", "sync")
    assert len(koseki.book.fuhyo_to(CHIYODA)) == 1
