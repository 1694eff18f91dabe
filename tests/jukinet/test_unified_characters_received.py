"""住基ネット統一文字 of what we receive (spec 7.1.1.1, 30.2 文字): a 転入通知 from another
municipality, over real HTTP from the simulator, is taken in the register's characters; a
代替文字, the marker or a character outside the set flags the 仮登録 「文字確認が必要」 and the
reviewer must confirm the characters before 本登録."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone
from peers.municipality import RunningSimulator, running
from peers.signed import write_public

from jumin.accounts.models import User
from jumin.audit.models import OperationLog
from jumin.core.errors import DomainError
from jumin.jukinet.models import ReceivedMoveInNotice, ReceivedMoveOutCertificate
from jumin.jukinet.move_out_certificates import (
    enter_special_move_in,
    pending_certificates,
    pull_move_out_certificates,
    receive_move_out_certificate,
)
from jumin.jukinet.notices import pull_move_in_notices, receive_move_in_notice
from jumin.linkage import signing
from jumin.registry.models import Resident
from jumin.registry.services import approve_movement
from tests.jukinet.test_inbound import _moved_out, _notice
from tests.jukinet.test_special_move import _entry_data, certificate

TAKA, SAKI, HOKKE = "\u9ad9", "\ufa11", "\U00029e3d"  # 髙 﨑 𩸽 (no 代替文字)


@pytest.fixture
def municipality(key_dir: Path, settings: Any) -> Iterator[RunningSimulator]:
    key = Ed25519PrivateKey.generate()
    write_public(key_dir / signing.MUNICIPALITY_PUBLIC, key.public_key())
    with running(key=key, client_key=signing.own_key().public_key()) as simulator:
        settings.JUMIN_MUNICIPALITY_URL = simulator.url
        settings.JUMIN_MUNICIPALITY_TIMEOUT = 2.0
        yield simulator


@pytest.mark.spec("7.1.1.1", "4.1.3.1.2", partial=True)
def test_a_notice_with_substitutes_is_flagged_and_needs_the_reviewer_s_confirmation(
    counter: User, reviewer: User, key_dir: Path, municipality: RunningSimulator
) -> None:
    resident = _moved_out(counter, reviewer)
    address = f"東京都港区芝{SAKI}一丁目2番"
    municipality.book.send(
        _notice(
            resident,
            address=address,
            address_substitute="東京都港区芝崎一丁目2番",
            address_substitute_positions="7",
            substitute_result="1",
        )
    )
    assert pull_move_in_notices().queued == 1
    stored = ReceivedMoveInNotice.objects.get()
    assert stored.movement is not None
    movement = stored.movement
    assert movement.ex_officio_record["character_check"] == ["転出先住所: 7文字目（代替文字、統一文字にない文字）"]
    assert movement.items.get().proposed["confirmed_destination"] == address, "the register's characters"

    with pytest.raises(DomainError) as unconfirmed:
        approve_movement(movement, by=reviewer)
    assert unconfirmed.value.code == "movement.characters_unconfirmed"
    assert Resident.objects.get(atena_no=resident.atena_no).confirmed_destination == ""

    approve_movement(movement, by=reviewer, characters_confirmed=True)
    assert Resident.objects.get(atena_no=resident.atena_no).confirmed_destination == address
    log = OperationLog.objects.filter(action="movement.final", movement_id=movement.movement_no).get()
    assert log.after["characters_confirmed"] == 1


@pytest.mark.spec("7.1.1.1", partial=True)
def test_a_notice_in_unified_text_only_keeps_the_marker_and_flags_it(
    counter: User, reviewer: User, key_dir: Path
) -> None:
    resident = _moved_out(counter, reviewer)
    stored = receive_move_in_notice(
        _notice(resident, address="", address_substitute="東京都〓区芝公園四丁目2番", address_substitute_positions="4")
    )
    assert stored.state == ReceivedMoveInNotice.State.QUEUED and stored.movement is not None
    [note] = stored.movement.ex_officio_record["character_check"]
    assert note == "転出先住所: 4文字目（代替文字、変換できない文字（〓））"
    assert stored.movement.items.get().proposed["confirmed_destination"] == "東京都〓区芝公園四丁目2番"


@pytest.mark.spec("7.1.1.1", partial=True)
def test_a_name_outside_the_set_is_flagged_and_a_plain_notice_is_not(
    counter: User, reviewer: User, key_dir: Path
) -> None:
    resident = _moved_out(counter, reviewer)
    flagged = receive_move_in_notice(_notice(resident, idempotency_key="n1", name=f"{HOKKE}田\u3000{TAKA}志"))
    assert flagged.movement is not None
    assert flagged.movement.ex_officio_record["character_check"] == ["氏名: 1・4文字目（統一文字にない文字）"]
    approve_movement(flagged.movement, by=reviewer, characters_confirmed=True)

    plain = receive_move_in_notice(_notice(resident, idempotency_key="n2", moved_in_on="2026-12-13"))
    assert plain.movement is not None and "character_check" not in plain.movement.ex_officio_record
    approve_movement(plain.movement, by=reviewer)  # nothing to confirm
    assert plain.movement.ex_officio_record["source"] == "転入通知（住基法9条1項）"


@pytest.mark.spec("7.1.1.1", "4.1.1.3", partial=True)
def test_a_certificate_with_substitutes_flags_the_special_move_in(
    counter: User, reviewer: User, key_dir: Path, municipality: RunningSimulator
) -> None:
    name = f"{TAKA}橋\u3000花子"
    sent = certificate(
        name=name,
        surname=f"{TAKA}橋",
        name_substitute="高橋\u3000花子",
        name_substitute_positions="1",
        address="",
        address_substitute="東京都港区芝〓4丁目2番8号",
        address_substitute_positions="7",
        character_check=["the sender's text is never taken as ours"],
    )
    municipality.book.send_certificate(sent)
    assert pull_move_out_certificates().received == 1
    stored = ReceivedMoveOutCertificate.objects.get()
    assert stored.name == name, "the register's characters"
    notes = ["氏名: 1文字目（代替文字、統一文字にない文字）", "転出前住所: 7文字目（代替文字、変換できない文字（〓））"]
    assert stored.payload["character_check"] == notes
    [listed] = pending_certificates(by=counter)
    assert listed.character_check == tuple(notes)

    data = _entry_data([stored], timezone.localdate() - timedelta(days=1))
    assert data["previous_address"]["address"] == "東京都港区芝〓4丁目2番8号", "the 統一文字 text, to correct"
    movement = enter_special_move_in([stored.pk], data, by=counter, acknowledged=["household.no_head"])
    assert movement.ex_officio_record["character_check"] == [f"{name} {note}" for note in notes]
    with pytest.raises(DomainError) as unconfirmed:
        approve_movement(movement, by=reviewer)
    assert unconfirmed.value.code == "movement.characters_unconfirmed"
    approve_movement(movement, by=reviewer, characters_confirmed=True)
    stored.refresh_from_db()
    assert stored.state == ReceivedMoveOutCertificate.State.USED


@pytest.mark.spec("7.1.1.1", "4.1.1.3", partial=True)
def test_a_plain_certificate_needs_no_check(counter: User, reviewer: User, key_dir: Path) -> None:
    stored = receive_move_out_certificate(certificate())
    assert "character_check" not in stored.payload
    assert pending_certificates(by=counter)[0].character_check == ()
    data = _entry_data([stored], timezone.localdate() - timedelta(days=1))
    movement = enter_special_move_in([stored.pk], data, by=counter, acknowledged=["household.no_head"])
    assert "character_check" not in movement.ex_officio_record


@pytest.mark.spec("7.1.1.1", "4.0.8", partial=True)
def test_the_review_screens_show_the_flag_and_the_screen_approval_needs_the_tick(
    counter: User, reviewer: User, key_dir: Path, enrolled_client: Any
) -> None:
    from tests.conftest import log_in

    resident = _moved_out(counter, reviewer)
    stored = receive_move_in_notice(_notice(resident, name=f"{HOKKE}田\u3000太郎"))
    assert stored.movement is not None
    client = log_in(enrolled_client, reviewer)
    queue = client.get("/registry/approvals/").content.decode()
    assert "文字確認が必要" in queue and f'value="{stored.movement.movement_no}"' not in queue, "no 一括決裁"
    screen = client.get(f"/registry/movements/{stored.movement.movement_no}/").content.decode()
    assert "氏名: 1文字目（統一文字にない文字）" in screen and 'name="characters_confirmed"' in screen

    url = f"/registry/movements/{stored.movement.movement_no}/approve/"
    client.post(url, {})
    stored.movement.refresh_from_db()
    assert stored.movement.state == "provisional", "refused without the tick"
    client.post(url, {"characters_confirmed": "1"})
    stored.movement.refresh_from_db()
    assert stored.movement.state == "final"


@pytest.mark.spec("7.1.1.1", "4.1.1.3", partial=True)
def test_the_special_move_in_list_shows_the_flag(counter: User, key_dir: Path, enrolled_client: Any) -> None:
    from tests.conftest import log_in

    receive_move_out_certificate(certificate(name=f"{HOKKE}\u3000花子"))
    page = log_in(enrolled_client, counter).get("/jukinet/special/").content.decode()
    assert "文字確認が必要" in page and "氏名: 1文字目（統一文字にない文字）" in page
