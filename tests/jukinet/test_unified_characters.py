"""住基ネット統一文字 (spec 7.1.1.1, 30.2 文字): the 本人確認情報, the 転入通知 and the 転出証明書情報
carry the names and addresses in 統一文字 with the 代替文字 items, over real HTTP to the
simulators; the register keeps its own characters."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone
from peers.municipality import RunningSimulator as Municipality
from peers.municipality import running
from peers.prefecture import RunningSimulator as Prefecture
from peers.prefecture.server import write_public

from jumin.accounts.models import User
from jumin.cards.services import record_card_event
from jumin.jukinet.dispatch import send_pending
from jumin.jukinet.models import IdentityRecord, Telegram
from jumin.jukinet.services import build_from_outbox
from jumin.linkage import signing
from jumin.registry.models import Resident
from tests.jukinet.test_inbound import CHIYODA
from tests.jukinet.test_special_move import MINATO_ADDRESS_CODE, NUMBER, _move_out
from tests.registry.conftest import final, move_in_data, person

TAKA, SAKI, YOSHI, HOKKE = "\u9ad9", "\ufa11", "\U00020bb7", "\U00029e3d"  # 髙 﨑 𠮷 𩸽 (no 代替文字)
NAME = f"{YOSHI}田\u3000{TAKA}志"
ADDRESS = f"埼玉県上尾市{SAKI}町1番地"


@pytest.fixture
def municipality(key_dir: Path, settings: Any) -> Iterator[Municipality]:
    """The other-municipality simulator (転入通知, 転出証明書情報), trusting our key."""
    key = Ed25519PrivateKey.generate()
    write_public(key_dir / signing.MUNICIPALITY_PUBLIC, key.public_key())
    with running(key=key, client_key=signing.own_key().public_key()) as simulator:
        settings.JUMIN_MUNICIPALITY_URL = simulator.url
        settings.JUMIN_MUNICIPALITY_TIMEOUT = 2.0
        yield simulator


def _moved_in(counter: User, reviewer: User, **data: Any) -> Resident:
    who = person(surname=f"{YOSHI}田", given_name=f"{TAKA}志", individual_number=NUMBER)
    address = {"address": ADDRESS, "postcode": "3620014"}
    movement = final("move_in", move_in_data(who, address=address, **data), counter, reviewer)
    return Resident.objects.get(atena_no=movement.items.get().atena_no)


@pytest.mark.spec("7.1.1.1", partial=True)
def test_the_identity_telegram_carries_the_unified_text_and_positions(
    counter: User, reviewer: User, prefecture: Prefecture
) -> None:
    previous = {"address": f"北海道{HOKKE}町1番地", "postcode": "0400001"}
    resident = _moved_in(counter, reviewer, previous_address=previous)
    assert build_from_outbox().built == 1
    assert send_pending().sent == 1

    [received] = [t.body for ts in prefecture.book.received.values() for t in ts]
    assert received["name"] == NAME, "the name itself as the register holds it"
    assert (received["name_substitute"], received["name_substitute_positions"]) == ("吉田\u3000高志", "1,4")
    assert received["address_substitute"] == "埼玉県上尾市崎町1番地"
    assert received["address_substitute_positions"] == "7"
    assert (received["previous_address_substitute"], received["previous_address_substitute_positions"]) == (
        "北海道〓町1番地",
        "4",
    )
    assert received["former_surname_substitute"] == "" and received["substitute_result"] == "2", "変換不可あり"
    assert received["name_gaiji_count"] == 2 and received["has_gaiji"] is True

    resident.refresh_from_db()
    assert resident.name == NAME, "the register is never changed"
    assert (resident.address + resident.banchi).startswith(f"埼玉県上尾市{SAKI}町")
    assert IdentityRecord.objects.get().name == NAME


@pytest.mark.spec("7.1.1.1", partial=True)
def test_a_name_in_jis_x0208_needs_no_conversion(counter: User, reviewer: User, key_dir: Path) -> None:
    final("move_in", move_in_data(person(surname="渡邊", given_name="邉")), counter, reviewer)
    build_from_outbox()
    body = Telegram.objects.get().body
    assert body["name_substitute"] == "渡邊\u3000邉" and body["name_substitute_positions"] == ""
    assert body["substitute_result"] == "0"


@pytest.mark.spec("7.1.1.1", partial=True)
def test_the_move_in_notice_carries_the_unified_text(
    counter: User, reviewer: User, key_dir: Path, municipality: Municipality
) -> None:
    previous = {"address": f"東京都千代田区{SAKI}町1番1号", "postcode": "1000001", "address_code": CHIYODA}
    _moved_in(counter, reviewer, previous_address=previous)
    assert build_from_outbox().notices == 1
    send_pending()
    [received] = municipality.book.notices_to("131016")
    assert received["name"] == NAME and received["name_substitute"] == "吉田\u3000高志"
    assert received["name_substitute_positions"] == "1,4" and received["address_substitute_positions"] == "7"
    assert received["former_address_substitute"] == "東京都千代田区崎町1番1号"
    assert received["substitute_result"] == "1", "変換済"


@pytest.mark.spec("4.1.3.0.4", "7.1.1.1", partial=True)
def test_the_move_out_certificate_carries_the_unified_text(
    counter: User, reviewer: User, key_dir: Path, municipality: Municipality
) -> None:
    holder = _moved_in(counter, reviewer)
    record_card_event(holder.atena_no, "issue", timezone.localdate() - timedelta(days=1), "counter", by=counter)
    data = _move_out(holder)
    destination = {"address": f"東京都港区芝公園{HOKKE}1番", "address_code": MINATO_ADDRESS_CODE}
    data["destination"] = {**data["destination"], **destination}
    final("move_out", data, counter, reviewer, acknowledged=("household.headless",))
    assert build_from_outbox().certificates == 1
    assert send_pending().failed == 0
    [received] = municipality.book.certificates_to("131032")
    assert received["name_substitute"] == "吉田\u3000高志" and received["address_substitute"] == "埼玉県上尾市崎町1番地"
    assert (received["destination_substitute"], received["destination_substitute_positions"]) == (
        "東京都港区芝公園〓1番",
        "9",
    )
    assert received["substitute_result"] == "2"
    [member] = received["members"]
    assert member["name"] == NAME and member["name_substitute"] == "吉田\u3000高志"
    assert member["name_substitute_positions"] == "1,4"
