"""空きコード import, 転入通知 both ways over real HTTP with the other-municipality simulator,
and the list of 転出 still waiting for a 転入通知 (spec 4.3.1, 7.1.1.1, 4.1.3.1.1–4; issue 8)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from peers.municipality import RunningSimulator, running
from peers.prefecture.server import write_public

from jumin.accounts.models import User
from jumin.audit.models import OperationLog
from jumin.core.check_digits import resident_code_check_digit
from jumin.core.errors import DomainError
from jumin.jukinet.dispatch import send_pending
from jumin.jukinet.models import ReceivedMoveInNotice, Telegram
from jumin.jukinet.notices import (
    _parse,
    missing_move_in_notices,
    movement_data,
    pull_move_in_notices,
    receive_move_in_notice,
)
from jumin.jukinet.services import build_from_outbox
from jumin.jukinet.spare_codes import import_spare_codes, spare_code_status
from jumin.linkage import signing
from jumin.linkage.models import OutboxMessage
from jumin.registry.models import Movement, Resident, ResidentHistory, SpareResidentCode
from jumin.registry.services import (
    MovementRejectedError,
    approve_movement,
    discard_movement,
    enter_received_movement,
    rebuild_projection,
)
from tests.registry.conftest import final, move_in_data, person

CHIYODA = "13101001000"  # 住所コード in 東京都千代田区 (団体コード 131016)


def _code(body: int) -> str:
    text = f"{body:010d}"
    return text + resident_code_check_digit(text)


@pytest.fixture
def municipality(key_dir: Path, settings: Any) -> Iterator[RunningSimulator]:
    """The other-municipality simulator, trusting our key; its public key in our key dir."""
    key = Ed25519PrivateKey.generate()
    write_public(key_dir / signing.MUNICIPALITY_PUBLIC, key.public_key())
    with running(key=key, client_key=signing.own_key().public_key()) as simulator:
        settings.JUMIN_MUNICIPALITY_URL = simulator.url
        settings.JUMIN_MUNICIPALITY_TIMEOUT = 2.0
        yield simulator


# -- 空きコード ------------------------------------------------------------------------------


@pytest.mark.spec("4.3.1", "7.1.1.1", partial=True)
def test_spare_codes_are_imported_once_and_bad_ones_refused(settings: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    settings.JUMIN_SPARE_CODE_THRESHOLD = 250
    before = SpareResidentCode.objects.count()  # the fixture's 200
    good = [_code(5_000_000_000 + n) for n in range(30)]
    bad = good[0][:10] + str((int(good[0][10]) + 1) % 10)
    lines = ["# CS 空きコード", *good, "", bad, good[1], "12345"]

    result = import_spare_codes(lines, source="/tmp/codes.txt")

    assert (result.added, result.duplicates) == (30, 1)
    assert result.rejected == [(33, "resident_code.bad_check_digit"), (35, "resident_code.bad_length")]
    assert SpareResidentCode.objects.count() == before + 30
    assert result.status is not None and result.status.stock == before + 30 and result.status.below_threshold

    again = import_spare_codes(good)
    assert (again.added, again.duplicates) == (0, 30), "importing the same delivery twice adds nothing"
    assert SpareResidentCode.objects.count() == before + 30
    assert spare_code_status().below_threshold, "230 < 250"
    settings.JUMIN_SPARE_CODE_THRESHOLD = 100
    assert not spare_code_status().below_threshold
    log = OperationLog.objects.filter(action="jukinet.spare_codes_imported").order_by("id").first()
    assert log is not None and log.after["added"] == 30 and log.after["rejected_lines"] == [33, 35]
    logged = caplog.text + str(list(OperationLog.objects.values_list("after", flat=True)))
    for code in [*good, bad]:
        assert code not in logged


def test_a_code_in_use_is_refused_and_the_command_imports_a_file(
    counter: User, reviewer: User, key_dir: Path, tmp_path: Path, settings: Any
) -> None:
    atena_no = final("move_in", move_in_data(), counter, reviewer).items.get().atena_no
    used = Resident.objects.get(atena_no=atena_no).resident_code
    fresh = _code(6_000_000_001)
    path = tmp_path / "codes.txt"
    path.write_text(f"{used}\n{fresh}\n", encoding="ascii")
    settings.JUMIN_SPARE_CODE_THRESHOLD = 10_000
    out: list[str] = []

    class Sink:
        def write(self, text: str) -> None:
            out.append(text)

        def flush(self) -> None:
            pass

    call_command("jukinet", "import-codes", str(path), stdout=Sink())
    text = "".join(out)
    assert "空きコードを1件取り込みました" in text and "1行目: resident_code.in_use" in text
    assert "下回っています" in text, "the threshold alert is shown"
    assert used not in text and fresh not in text
    assert SpareResidentCode.objects.filter(code=fresh, assigned_to="").exists()


# -- 転入通知: outbound ---------------------------------------------------------------------


@pytest.mark.spec("7.1.1.1", partial=True)
def test_a_move_in_sends_a_move_in_notice_to_the_former_municipality(
    counter: User, reviewer: User, key_dir: Path, municipality: RunningSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    previous = {"address": "東京都千代田区千代田1番1号", "postcode": "1000001", "address_code": CHIYODA}
    movement = final(
        "move_in", move_in_data(person(individual_number="123456789018"), previous_address=previous), counter, reviewer
    )
    atena_no = movement.items.get().atena_no
    resident = Resident.objects.get(atena_no=atena_no)

    built = build_from_outbox()
    assert (built.built, built.notices) == (1, 1)
    notice = Telegram.objects.get(kind=Telegram.Kind.MOVE_IN_NOTICE)
    assert (notice.destination, notice.seq) == ("municipality:131016", 1)
    result = send_pending()
    assert result.sent == 1 and "JUMIN_PREFECTURE_URL" in result.skipped, "the prefecture is not configured here"
    notice.refresh_from_db()
    assert notice.state == Telegram.State.SENT
    [received] = municipality.book.notices_to("131016")
    assert received["resident_code"] == resident.resident_code and received["name"] == "上尾\u3000太郎"
    assert (received["birth_text"], received["sex"]) == (resident.birth_text, "1")
    assert received["moved_in_on"] == "2026-11-20" and received["former_address"] == previous["address"]
    assert received["address"] == resident.address + resident.banchi
    assert received["from_municipality_code"] == "112194"
    assert "individual_number" not in received, "a 転入通知 carries no 個人番号"
    assert send_pending().sent == 0, "sent once"
    assert resident.resident_code not in caplog.text


def test_a_move_in_without_a_known_former_municipality_queues_no_notice(
    counter: User, reviewer: User, key_dir: Path
) -> None:
    final("move_in", move_in_data(), counter, reviewer)  # free-text 転入前住所, empty address dictionary
    assert build_from_outbox().notices == 0
    assert not Telegram.objects.filter(kind=Telegram.Kind.MOVE_IN_NOTICE).exists()
    assert OperationLog.objects.filter(action="jukinet.move_in_notice_unrouted").count() == 1


# -- 転入通知: inbound ----------------------------------------------------------------------


def _moved_out(counter: User, reviewer: User) -> Resident:
    atena_no = final("move_in", move_in_data(), counter, reviewer).items.get().atena_no
    destination = {"address": "東京都港区芝公園4丁目2番8号", "postcode": "1050011"}
    data = {"atena_nos": [atena_no], "effective": "R8.12.10", "notified_on": "R8.11.26", "destination": destination}
    final("move_out", data, counter, reviewer)
    return Resident.objects.get(atena_no=atena_no)


def _notice(resident: Resident, **overrides: Any) -> dict[str, Any]:
    notice = {
        "kind": "move_in_notice",
        "idempotency_key": "municipality:112194:minato:1",
        "from_municipality_code": "131032",
        "to_municipality_code": "112194",
        "resident_code": resident.resident_code,
        "name": resident.name,
        "birth_text": resident.birth_text,
        "sex": resident.sex,
        "moved_in_on": "2026-12-12",
        "moved_in_text": "令和8年12月12日",
        "notified_on": "2026-12-14",
        "address": "東京都港区芝公園四丁目2番8号",
        "katagaki": "芝公園タワー5階",
        "postcode": "1050011",
        "former_address": resident.address,
    }
    notice.update(overrides)
    return notice


@pytest.mark.spec("4.1.3.1.1", "4.1.3.1.2", "4.1.3.1.4", partial=True)
def test_a_received_notice_records_the_confirmed_data_and_keeps_the_planned(
    counter: User,
    reviewer: User,
    key_dir: Path,
    municipality: RunningSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    resident = _moved_out(counter, reviewer)
    today = date(2027, 1, 20)
    assert [m.atena_no for m in missing_move_in_notices(by=reviewer, older_than_days=14, today=today)] == [
        resident.atena_no
    ]
    assert missing_move_in_notices(by=reviewer, older_than_days=60, today=today) == [], "not old enough yet"

    municipality.book.send(_notice(resident))
    pulled = pull_move_in_notices()
    assert (pulled.received, pulled.queued, pulled.left) == (1, 1, 0)
    assert municipality.book.waiting("112194") == [], "acknowledged"
    stored = ReceivedMoveInNotice.objects.get()
    assert stored.state == ReceivedMoveInNotice.State.QUEUED and stored.movement is not None
    assert Resident.objects.get(atena_no=resident.atena_no).history_no == resident.history_no, "not before 決裁"
    approve_movement(stored.movement, by=reviewer)
    stored.refresh_from_db()

    after = Resident.objects.get(atena_no=resident.atena_no)
    assert stored.state == ReceivedMoveInNotice.State.APPLIED and stored.history_no == after.history_no
    assert after.history_no == resident.history_no + 1 and after.status == "removed"
    assert after.confirmed_destination == "東京都港区芝公園四丁目2番8号"
    assert after.confirmed_destination_katagaki == "芝公園タワー5階", "the 方書 is kept (1.1.5)"
    assert after.confirmed_destination_postcode == "1050011"
    assert after.confirmed_move_out_on == date(2026, 12, 12) and after.move_in_notice_on is not None
    assert after.destination == "東京都港区芝公園4丁目2番8号", "the 予定 destination is kept"
    assert after.planned_move_out_on == date(2026, 12, 10), "the 予定 date is kept"
    earlier = ResidentHistory.objects.get(atena_no=resident.atena_no, history_no=resident.history_no)
    assert earlier.confirmed_destination == "" and earlier.move_in_notice_on is None, "history is append-only"
    row = ResidentHistory.objects.get(atena_no=resident.atena_no, history_no=after.history_no)
    assert row.reason == "move_in_notice" and row.movement.state == "final"
    assert row.movement.entered_by.username == "jumin-jukinet" and not row.movement.entered_by.is_active
    assert missing_move_in_notices(by=reviewer, older_than_days=14, today=today) == []

    municipality.book.send(_notice(resident))  # delivered again
    assert pull_move_in_notices().received == 1
    assert ReceivedMoveInNotice.objects.count() == 1, "recognised as already received"
    assert Resident.objects.get(atena_no=resident.atena_no).history_no == after.history_no

    rebuild_projection()
    rebuilt = Resident.objects.get(atena_no=resident.atena_no)
    assert (rebuilt.confirmed_move_out_on, rebuilt.destination) == (after.confirmed_move_out_on, after.destination)
    assert resident.resident_code not in caplog.text


@pytest.mark.spec("4.1.3.1.2", partial=True)
def test_notices_without_a_code_match_by_basic_data_or_are_left_for_the_staff(
    counter: User, reviewer: User, key_dir: Path
) -> None:
    resident = _moved_out(counter, reviewer)
    unmatched = receive_move_in_notice(_notice(resident, idempotency_key="n1", resident_code="", name="別人\u3000一郎"))
    assert unmatched.state == ReceivedMoveInNotice.State.UNMATCHED and unmatched.error_code == "notice.no_match"
    invalid = receive_move_in_notice(_notice(resident, idempotency_key="n2", moved_in_on="12/12"))
    assert invalid.state == ReceivedMoveInNotice.State.INVALID and invalid.error_code == "notice.bad_date"
    by_name = receive_move_in_notice(_notice(resident, idempotency_key="n3", resident_code=""))
    assert by_name.state == ReceivedMoveInNotice.State.QUEUED and by_name.atena_no == resident.atena_no
    current = Resident.objects.filter(status="current")
    assert not current.filter(move_in_notice_on__isnull=False).exists(), "a current resident is never touched"


@pytest.mark.spec("4.1.3.1.2", "4.0.8")
def test_a_received_notice_waits_for_a_second_person_s_check(counter: User, reviewer: User, key_dir: Path) -> None:
    """The assessment requires a second person's check of what is entered: a received 転入通知 is
    a 仮登録 of the system account that a person approves; the system account cannot approve,
    a discarded entry returns the notice to the 取込エラー一覧, and nothing goes to linked systems."""
    resident = _moved_out(counter, reviewer)
    outbox_before = OutboxMessage.objects.count()
    queued = receive_move_in_notice(_notice(resident, idempotency_key="n1", address="東京都港区芝公園四丁目2番８号"))
    movement = queued.movement
    assert queued.state == ReceivedMoveInNotice.State.QUEUED and movement is not None
    assert movement.state == Movement.State.PROVISIONAL and movement.kind == "move_in_notice"
    assert movement.entered_by.username == "jumin-jukinet"
    proposed = movement.items.get().proposed
    assert (
        proposed["confirmed_destination"] == "東京都港区芝公園四丁目2番８号"
        and proposed["destination"] == resident.destination
    )
    assert Resident.objects.get(atena_no=resident.atena_no).confirmed_destination == "", "the 除票 is untouched"
    with pytest.raises(DomainError) as machine:
        approve_movement(movement, by=movement.entered_by)
    assert machine.value.code == "auth.forbidden"

    discard_movement(movement, by=reviewer)
    queued.refresh_from_db()
    assert (queued.state, queued.error_code, queued.movement) == ("unmatched", "notice.discarded", None)
    assert Resident.objects.get(atena_no=resident.atena_no).move_in_notice_on is None

    again = receive_move_in_notice(_notice(resident, idempotency_key="n2"))
    assert again.movement is not None
    approve_movement(again.movement, by=reviewer)
    after = Resident.objects.get(atena_no=resident.atena_no)
    assert after.confirmed_destination == "東京都港区芝公園四丁目2番8号" and after.confirmed_move_out_on == date(
        2026, 12, 12
    )
    row = ResidentHistory.objects.get(atena_no=resident.atena_no, history_no=after.history_no)
    assert (row.reason, row.initiation) == ("move_in_notice", "ex_officio")
    assert OutboxMessage.objects.count() == outbox_before, "no 本人確認情報 item changed"


def test_missing_notices_need_the_view_permission(counter: User, reviewer: User, key_dir: Path) -> None:
    from tests.conftest import make_operator

    stranger = make_operator("kanri", "管理 太郎", roles=())
    with pytest.raises(Exception) as refused:
        missing_move_in_notices(by=stranger)
    assert getattr(refused.value, "code", "") == "auth.forbidden"


@pytest.mark.spec("4.1.3.1.2", "4.0.8")
def test_the_reviewer_sees_a_received_notice_on_the_review_screen(
    counter: User, reviewer: User, key_dir: Path, enrolled_client: Any
) -> None:
    from tests.conftest import log_in

    resident = _moved_out(counter, reviewer)
    movement = receive_move_in_notice(_notice(resident, idempotency_key="n1")).movement
    assert movement is not None
    page = log_in(enrolled_client, reviewer).get(f"/registry/movements/{movement.movement_no}/")
    text = page.content.decode()
    assert page.status_code == 200 and "転入通知の受理" in text and "東京都港区芝公園四丁目2番8号" in text


@pytest.mark.spec("4.0.8", partial=True)
def test_a_received_notice_on_a_person_with_a_waiting_movement_is_caught_at_entry(
    counter: User, reviewer: User, key_dir: Path
) -> None:
    """The imported path runs the counter's check of waiting movements: a second 転入通知 while
    the first waits for 審査・決裁 is left for the staff naming the reason, not queued to fail
    at approval."""
    resident = _moved_out(counter, reviewer)
    first = receive_move_in_notice(_notice(resident, idempotency_key="n1"))
    assert first.state == ReceivedMoveInNotice.State.QUEUED and first.movement is not None
    second = receive_move_in_notice(_notice(resident, idempotency_key="n2", katagaki="別の方書"))
    assert (second.state, second.error_code, second.movement) == ("unmatched", "movement.pending_person", None)
    assert Movement.objects.filter(kind="move_in_notice", state=Movement.State.PROVISIONAL).count() == 1
    data = movement_data(_parse(_notice(resident)), resident.atena_no)
    with pytest.raises(MovementRejectedError) as direct:
        enter_received_movement("move_in_notice", data, by=first.movement.entered_by)
    assert [i.code for i in direct.value.issues] == ["movement.pending_person"]
    assert first.movement.movement_no in direct.value.issues[0].message, "names the waiting movement"
    approve_movement(first.movement, by=reviewer)
    third = receive_move_in_notice(_notice(resident, idempotency_key="n3"))
    assert third.error_code != "movement.pending_person", "nothing waits any more"
