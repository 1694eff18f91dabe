"""特例転出・特例転入 (法24条の2): the 転出証明書情報 both ways over real HTTP with the
other-municipality simulator, the 特例転入予定者一覧, the deadline, the 送信依頼 and the erasure
with a controlled clock (spec 4.1.1.3, 4.1.3.0.4, 7.1.1.1; issue 8)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.utils import timezone
from peers.municipality import RunningSimulator, running
from peers.prefecture.server import write_public

from jumin.accounts.models import User
from jumin.audit.models import AccessLog, OperationLog
from jumin.cards.services import record_card_event
from jumin.core.check_digits import resident_code_check_digit
from jumin.core.errors import DomainError
from jumin.jukinet.dispatch import send_pending
from jumin.jukinet.models import ReceivedMoveOutCertificate, Telegram
from jumin.jukinet.move_out_certificates import (
    enter_special_move_in,
    entry_initial,
    pending_certificates,
    pull_move_out_certificates,
    purge_move_out_certificates,
    receive_move_out_certificate,
    request_move_out_certificate,
)
from jumin.jukinet.services import build_from_outbox
from jumin.linkage import signing
from jumin.registry.models import Movement, Resident
from jumin.registry.numbers import individual_number_lookup, open_individual_number
from jumin.registry.services import MovementRejectedError, approve_movement, discard_movement, enter_movement
from tests.registry.conftest import final, move_in_data, person

MINATO_ADDRESS_CODE = "13103001000"  # 住所コード in 東京都港区 (団体コード 131032)
NUMBER = "123456789018"


def _code(body: int) -> str:
    text = f"{body:010d}"
    return text + resident_code_check_digit(text)


@pytest.fixture
def municipality(key_dir: Path, settings: Any) -> Iterator[RunningSimulator]:
    key = Ed25519PrivateKey.generate()
    write_public(key_dir / signing.MUNICIPALITY_PUBLIC, key.public_key())
    with running(key=key, client_key=signing.own_key().public_key()) as simulator:
        settings.JUMIN_MUNICIPALITY_URL = simulator.url
        settings.JUMIN_MUNICIPALITY_TIMEOUT = 2.0
        yield simulator


def certificate(
    key: str = "municipality:112194:certificate:jukinet_cs:100:2", planned: date | None = None, **overrides: Any
) -> dict[str, Any]:
    """A 転出証明書情報 港区 sends us (the wire format of docs)."""
    planned = planned or timezone.localdate() - timedelta(days=3)
    body = {
        "kind": "move_out_certificate",
        "idempotency_key": key,
        "update_seq": 1,
        "from_municipality_code": "131032",
        "from_municipality": "港区",
        "to_municipality_code": "112194",
        "move_out_no": "M-1",
        "resident_code": _code(7_000_000_001),
        "individual_number": NUMBER,
        "name": "芝\u3000花子",
        "surname": "芝",
        "given_name": "花子",
        "furigana_surname": "シバ",
        "furigana_given_name": "ハナコ",
        "birth_text": "昭和60年5月5日",
        "sex": "2",
        "is_head": True,
        "relationship": "世帯主",
        "honseki": "東京都港区芝公園四丁目2番",
        "koseki_head": "芝\u3000花子",
        "address": "東京都港区芝公園4丁目2番8号",
        "postcode": "1050011",
        "destination": "埼玉県上尾市本町三丁目1番1号",
        "destination_postcode": "3620014",
        "planned_move_out_on": planned.isoformat(),
        "nationality_kind": "japanese",
        "members": [],
    }
    body.update(overrides)
    return body


def _entry_data(certificates: list[ReceivedMoveOutCertificate], moved_in: date) -> dict[str, Any]:
    """What the counter posts from the pre-filled screen (planner shape), 転入日 filled in."""
    initial = entry_initial(certificates)
    persons = [{k: v for k, v in p.items() if v} for p in initial["persons"]]
    return move_in_data(
        *persons,
        effective=moved_in.isoformat(),
        notified_on=timezone.localdate().isoformat(),
        previous_address=initial["previous"],
        address={**initial["address"], "katagaki": ""},
    )


# -- inbound: 特例転入 ------------------------------------------------------------------------------


@pytest.mark.spec("4.1.1.3", "7.1.1.1", partial=True)
def test_a_received_certificate_becomes_a_special_move_in_and_is_used_at_the_final_registration(
    counter: User, reviewer: User, key_dir: Path, municipality: RunningSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sent = certificate()
    municipality.book.send_certificate(sent)
    pulled = pull_move_out_certificates()
    assert (pulled.received, pulled.refused) == (1, 0)
    assert municipality.book.certificates_waiting("112194") == [], "acknowledged"
    assert pull_move_out_certificates().received == 0
    again = receive_move_out_certificate(sent)
    stored = ReceivedMoveOutCertificate.objects.get()
    assert again.pk == stored.pk, "a re-delivery is recognised"
    assert stored.state == ReceivedMoveOutCertificate.State.PENDING
    assert "individual_number" not in stored.payload and NUMBER not in stored.individual_number_ct
    assert open_individual_number(stored.individual_number_ct, stored.certificate_id) == NUMBER

    [listed] = pending_certificates(by=counter)
    assert (listed.name, listed.sender) == ("芝\u3000花子", "港区")
    assert listed.last_day == stored.planned_move_out_on + timedelta(days=30)
    assert AccessLog.objects.filter(purpose__startswith="特例転入予定者一覧").count() == 1

    data = _entry_data([stored], timezone.localdate() - timedelta(days=1))
    movement = enter_special_move_in([stored.pk], data, by=counter, acknowledged=["household.no_head"])
    stored.refresh_from_db()
    assert stored.movement_id == movement.pk and stored.state == ReceivedMoveOutCertificate.State.PENDING
    with pytest.raises(DomainError) as twice:
        enter_special_move_in([stored.pk], data, by=counter)
    assert twice.value.code == "certificate.in_progress"

    approve_movement(movement, by=reviewer)
    stored.refresh_from_db()
    assert stored.state == ReceivedMoveOutCertificate.State.USED and stored.used_at is not None
    resident = Resident.objects.get(atena_no=movement.items.get().atena_no)
    assert resident.resident_code == sent["resident_code"], "the 住民票コード of CS is kept"
    assert resident.individual_number_lookup == individual_number_lookup(NUMBER), "個人番号 from the certificate"
    assert resident.previous_address == sent["address"] and resident.honseki == sent["honseki"]
    assert pending_certificates(by=counter) == []
    logged = caplog.text + str(list(OperationLog.objects.values_list("after", flat=True)))
    assert NUMBER not in logged and sent["resident_code"] not in logged


def test_a_discarded_special_move_in_releases_the_certificate(counter: User, reviewer: User, key_dir: Path) -> None:
    stored = receive_move_out_certificate(certificate())
    data = _entry_data([stored], timezone.localdate())
    movement = enter_special_move_in([stored.pk], data, by=counter, acknowledged=["household.no_head"])
    discard_movement(movement, by=counter)
    stored.refresh_from_db()
    assert stored.movement_id is None and stored.state == ReceivedMoveOutCertificate.State.PENDING


@pytest.mark.spec("4.1.1.3", partial=True)
def test_the_special_move_in_deadline_is_the_earlier_of_30_and_14_days(counter: User, key_dir: Path) -> None:
    today = timezone.localdate()
    # 転出予定日 40 days ago: 30 days after it has passed, whatever the 転入日
    late = receive_move_out_certificate(certificate("k-late", planned=today - timedelta(days=40)))
    with pytest.raises(DomainError) as refused:
        enter_special_move_in([late.pk], _entry_data([late], today - timedelta(days=2)), by=counter)
    assert refused.value.code == "move_in.special_deadline" and "特例転入の期限を過ぎています" in refused.value.message
    assert not Movement.objects.exists(), "nothing is stored"
    # 転出予定日 20 days ago, moved in 15 days ago: 14 days after the 転入 have passed
    moved = receive_move_out_certificate(certificate("k-moved", planned=today - timedelta(days=20)))
    with pytest.raises(DomainError):
        enter_special_move_in([moved.pk], _entry_data([moved], today - timedelta(days=15)), by=counter)
    # the last day itself is allowed: moved in 14 days ago
    ok = enter_special_move_in(
        [moved.pk], _entry_data([moved], today - timedelta(days=14)), by=counter, acknowledged=["household.no_head"]
    )
    assert ok.state == Movement.State.PROVISIONAL


@pytest.mark.spec("4.1.1.3", partial=True)
def test_a_send_request_makes_the_former_municipality_send_it(
    counter: User, key_dir: Path, municipality: RunningSimulator
) -> None:
    held = certificate("k-held")
    municipality.book.prepare_certificate(held)  # 港区 holds it; it has not arrived here
    assert pull_move_out_certificates().received == 0
    with pytest.raises(DomainError) as unknown:
        request_move_out_certificate(by=counter, former_municipality_code="131032", resident_code=_code(7_000_000_099))
    assert unknown.value.code == "certificate.not_found"
    count = request_move_out_certificate(
        by=counter, former_municipality_code="131032", name="芝\u3000花子", birth_text="昭和60年5月5日", sex="2"
    )
    assert count == 1
    assert pull_move_out_certificates().received == 1
    assert ReceivedMoveOutCertificate.objects.get().certificate_id == "k-held"
    log = OperationLog.objects.filter(action="jukinet.move_out_certificate_requested").last()
    assert log is not None and log.after["key"] == "four_items"
    with pytest.raises(DomainError) as bad:
        request_move_out_certificate(by=counter, former_municipality_code="131032")
    assert bad.value.code == "certificate.request_incomplete"


def test_an_unreadable_certificate_is_left_on_the_relay(key_dir: Path, municipality: RunningSimulator) -> None:
    municipality.book.send_certificate(certificate("k-bad", planned_move_out_on="someday"))
    result = pull_move_out_certificates()
    assert (result.received, result.refused) == (0, 1)
    assert len(municipality.book.certificates_waiting("112194")) == 1
    assert not ReceivedMoveOutCertificate.objects.exists()


# -- erasure with a controlled clock --------------------------------------------------------------


@pytest.mark.spec("7.1.1.1", partial=True)
def test_pending_certificates_are_erased_the_day_after_planned_plus_n_days(
    counter: User, reviewer: User, key_dir: Path, settings: Any
) -> None:
    planned = date(2026, 11, 1)
    waiting = receive_move_out_certificate(certificate("k-wait", planned=planned))
    now = timezone.now()

    assert purge_move_out_certificates(date(2026, 12, 1), now=now).pending == 0, "planned + 30 days: kept"
    waiting.refresh_from_db()
    assert waiting.state == ReceivedMoveOutCertificate.State.PENDING
    assert purge_move_out_certificates(date(2026, 12, 2), now=now).pending == 1, "the day after: erased"
    waiting.refresh_from_db()
    assert waiting.state == ReceivedMoveOutCertificate.State.DELETED and waiting.deleted_at == now
    assert (waiting.name, waiting.resident_code, waiting.individual_number_ct, waiting.payload) == ("", "", "", {})
    again = receive_move_out_certificate(certificate("k-wait", planned=planned))
    assert again.state == ReceivedMoveOutCertificate.State.DELETED, "a re-delivery is not taken in again"

    settings.JUMIN_MOVE_OUT_CERTIFICATE_DAYS = 10
    short = receive_move_out_certificate(certificate("k-short", planned=planned))
    assert purge_move_out_certificates(date(2026, 11, 11), now=now).pending == 0
    assert purge_move_out_certificates(date(2026, 11, 12), now=now).pending == 1
    short.refresh_from_db()
    assert short.state == ReceivedMoveOutCertificate.State.DELETED

    log = OperationLog.objects.filter(action="jukinet.move_out_certificates_purged").last()
    assert log is not None and log.after == {"pending": 1, "used": 0, "days": 10, "today": "2026-11-12"}


def test_used_certificates_are_erased_and_one_in_progress_waits(
    counter: User, reviewer: User, key_dir: Path, settings: Any
) -> None:
    today = timezone.localdate()
    used = receive_move_out_certificate(certificate("k-used", planned=today - timedelta(days=2)))
    movement = enter_special_move_in(
        [used.pk], _entry_data([used], today - timedelta(days=1)), by=counter, acknowledged=["household.no_head"]
    )
    in_progress = receive_move_out_certificate(
        certificate("k-progress", planned=today - timedelta(days=3), resident_code=_code(7_000_000_002))
    )
    data = _entry_data([in_progress], today - timedelta(days=1))
    data["persons"][0]["given_name"] = "次郎"
    data["address"]["address"] = "埼玉県上尾市原市1番地"
    enter_special_move_in([in_progress.pk], data, by=counter, acknowledged=["household.no_head"])
    approve_movement(movement, by=reviewer)

    far = today + timedelta(days=365)
    result = purge_move_out_certificates(far)
    assert (result.pending, result.used) == (0, 1), "the 仮登録 in progress keeps its certificate"
    in_progress.refresh_from_db()
    assert in_progress.state == ReceivedMoveOutCertificate.State.PENDING


# -- outbound: 特例転出 ----------------------------------------------------------------------------


def _resident(counter: User, reviewer: User, *, card: bool, number: str = NUMBER) -> Resident:
    atena_no = final("move_in", move_in_data(person(individual_number=number)), counter, reviewer).items.get().atena_no
    if card:
        record_card_event(atena_no, "issue", timezone.localdate() - timedelta(days=1), "counter", by=counter)
    return Resident.objects.get(atena_no=atena_no)


def _move_out(resident: Resident, *, days_ago: int = 1, notified_days_ago: int = 0) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "atena_nos": [resident.atena_no],
        "effective": (today - timedelta(days=days_ago)).isoformat(),
        "notified_on": (today - timedelta(days=notified_days_ago)).isoformat(),
        "destination": {
            "address": "東京都港区芝公園4丁目2番8号",
            "postcode": "1050011",
            "address_code": MINATO_ADDRESS_CODE,
        },
        "special_move_out": True,
    }


@pytest.mark.spec("4.1.3.0.4", partial=True)
def test_a_special_move_out_needs_a_card_and_a_timely_notification(counter: User, reviewer: User) -> None:
    without = _resident(counter, reviewer, card=False)
    with pytest.raises(MovementRejectedError) as no_card:
        enter_movement("move_out", _move_out(without), by=counter)
    assert "move_out.special_no_card" in {i.code for i in no_card.value.issues}

    holder = _resident(counter, reviewer, card=True, number="234567890121")
    with pytest.raises(MovementRejectedError) as late:
        enter_movement("move_out", {**_move_out(holder, days_ago=20), "initiation": "ex_officio"}, by=counter)
    assert {"move_out.special_late", "move_out.special_kind"} <= {i.code for i in late.value.issues}
    movement = enter_movement("move_out", _move_out(holder), by=counter, acknowledged=["household.headless"])
    assert movement.items.get().proposed["_special_move_out"] is True


@pytest.mark.spec("4.1.3.0.4", "7.1.1.1", partial=True)
def test_a_special_move_out_sends_the_certificate_once_with_the_number(
    counter: User, reviewer: User, key_dir: Path, municipality: RunningSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    holder = _resident(counter, reviewer, card=True)
    plain = _resident(counter, reviewer, card=False, number="234567890121")
    final("move_out", _move_out(holder), counter, reviewer, acknowledged=("household.headless",))
    normal = {**_move_out(plain), "special_move_out": False}
    final("move_out", normal, counter, reviewer, acknowledged=("household.headless",))

    built = build_from_outbox()
    assert built.certificates == 1, "only the 特例転出"
    telegram = Telegram.objects.get(kind=Telegram.Kind.MOVE_OUT_CERTIFICATE)
    assert telegram.destination == "municipality:131032"
    assert NUMBER not in str(telegram.body) and "individual_number" not in telegram.body
    assert send_pending().failed == 0
    assert send_pending().sent == 0, "sent once"
    [received] = municipality.book.certificates_to("131032")
    assert received["resident_code"] == holder.resident_code and received["individual_number"] == NUMBER
    assert received["planned_move_out_on"] and received["destination"] == "東京都港区芝公園4丁目2番8号"
    assert received["name"] == holder.name and received["members"][0]["name"] == holder.name
    assert NUMBER not in caplog.text and holder.resident_code not in caplog.text

    out: list[str] = []

    class Sink:
        def write(self, text: str) -> None:
            out.append(text)

        def flush(self) -> None:
            pass

    call_command("jukinet", "purge-certificates", stdout=Sink())
    assert "転出証明書情報を消去しました" in "".join(out)
