"""Issue 8 "Done when" for 特例転入・特例転出, end to end over real HTTP: another municipality
sends the 転出証明書情報 of a card holder; ``jumin jukinet receive`` takes it in; the counter makes
the 転入 from it and a second operator approves it; ``jumin jukinet send`` passes run while the
prefecture server is DOWN (its thread stopped) and after it is back on the same port — every
本人確認情報 reaches the prefecture and every 転入通知 / 転出証明書情報 the other municipality exactly
once, in 更新順番号 order.  Our own card holder's 特例転出 goes out the same way
(spec 4.1.1.3, 4.1.3.0.4, 7.1.1.1)."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.utils import timezone
from peers.municipality import running as municipality_running
from peers.prefecture import PrefectureBook, make_server, start
from peers.prefecture.server import write_public

from jumin.accounts.models import User
from jumin.cards.services import record_card_event
from jumin.jukinet.models import ReceivedMoveOutCertificate, Telegram
from jumin.jukinet.move_out_certificates import enter_special_move_in, pending_certificates
from jumin.linkage import signing
from jumin.registry.models import Resident
from jumin.registry.services import approve_movement
from tests.jukinet.test_special_move import MINATO_ADDRESS_CODE, NUMBER, _entry_data, certificate
from tests.registry.conftest import final, move_in_data, person


class Sink:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def write(self, text: str) -> None:
        self.lines.append(text)

    def flush(self) -> None:
        pass

    @property
    def text(self) -> str:
        return "".join(self.lines)


def _jukinet(action: str) -> str:
    out = Sink()
    call_command("jukinet", action, stdout=out)
    return out.text


@pytest.mark.spec("4.1.1.3", "4.1.3.0.4", "7.1.1.1", partial=True)
def test_special_move_in_and_out_end_to_end_with_the_prefecture_down(
    counter: User,
    reviewer: User,
    key_dir: Path,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    settings.JUMIN_JUKINET_BACKOFF_SECONDS = 0  # every `send` pass retries (the back-off has its own test)
    ours = signing.own_key().public_key()
    prefecture_key, municipality_key = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    write_public(key_dir / signing.PEER_PUBLIC, prefecture_key.public_key())
    write_public(key_dir / signing.MUNICIPALITY_PUBLIC, municipality_key.public_key())
    book = PrefectureBook()
    prefecture = start(make_server(key=prefecture_key, client_key=ours, book=book))
    port = prefecture.server.server_address[1]
    settings.JUMIN_PREFECTURE_URL = prefecture.url
    settings.JUMIN_PREFECTURE_TIMEOUT = 2.0
    today = timezone.localdate()
    with municipality_running(key=municipality_key, client_key=ours) as minato:
        settings.JUMIN_MUNICIPALITY_URL = minato.url
        settings.JUMIN_MUNICIPALITY_TIMEOUT = 2.0
        try:
            # an earlier resident, already notified to the prefecture (更新順番号 1)
            final("move_in", move_in_data(person(given_name="一郎")), counter, reviewer)
            assert "1件送信しました" in _jukinet("send")

            # 港区 sends the 転出証明書情報 of a card holder moving to us
            sent = certificate(
                "municipality:112194:certificate:jukinet_cs:555:3",
                planned=today - timedelta(days=2),
                address_code=MINATO_ADDRESS_CODE,
            )
            minato.book.send_certificate(sent)
            assert "転出証明書情報を1件受信しました" in _jukinet("receive")
            [waiting] = pending_certificates(by=counter)

            # the counter makes the 転入 from it; a second operator approves it
            stored = ReceivedMoveOutCertificate.objects.get(pk=waiting.pk)
            movement = enter_special_move_in([stored.pk], _entry_data([stored], today - timedelta(days=1)), by=counter)
            approve_movement(movement, by=reviewer)
            stored.refresh_from_db()
            assert stored.state == ReceivedMoveOutCertificate.State.USED
            newcomer = Resident.objects.get(atena_no=movement.items.get().atena_no)
            assert newcomer.resident_code == sent["resident_code"]

            # our own card holder moves out to 港区 as 特例転出
            holder = (
                final(
                    "move_in",
                    move_in_data(person(given_name="三郎", individual_number="234567890121")),
                    counter,
                    reviewer,
                )
                .items.get()
                .atena_no
            )
            record_card_event(holder, "issue", today - timedelta(days=1), "counter", by=counter)
            move_out = {
                "atena_nos": [holder],
                "effective": today.isoformat(),
                "notified_on": today.isoformat(),
                "destination": {"address": "東京都港区芝公園4丁目2番8号", "address_code": MINATO_ADDRESS_CODE},
                "special_move_out": True,
            }
            final("move_out", move_out, counter, reviewer, acknowledged=("household.headless",))

            prefecture.stop()  # the prefecture server goes down
            down = [_jukinet("send") for _ in range(2)]
            assert all("エラー 1件" in text for text in down), down
            assert Telegram.objects.filter(destination="prefecture", state=Telegram.State.SENT).count() == 1
            minato_queue = Telegram.objects.filter(destination="municipality:131032")
            assert set(minato_queue.values_list("state", flat=True)) == {Telegram.State.SENT}, (
                "the other municipality is reached while the prefecture is down"
            )

            prefecture = start(make_server(port=port, key=prefecture_key, client_key=ours, book=book))  # back
            assert "エラー 0件" in _jukinet("send")
            assert "0件送信しました" in _jukinet("send"), "nothing left, nothing sent twice"
        finally:
            prefecture.stop()

        kid = signing.key_id(ours)
        identity = Telegram.objects.filter(destination="prefecture").order_by("seq")
        assert book.sequence(kid) == list(range(1, identity.count() + 1)) == [1, 2, 3, 4], (
            "一郎, the 特例転入, 三郎's 転入 and 転出: each once, in order"
        )
        assert newcomer.resident_code in book.records
        assert minato.book.sequence_to("131032") == [1, 2], "転入通知 then 転出証明書情報, once each, in order"
        [notice] = minato.book.notices_to("131032")
        assert notice["resident_code"] == newcomer.resident_code and "individual_number" not in notice
        [outgoing] = minato.book.certificates_to("131032")
        assert outgoing["individual_number"] == "234567890121" and outgoing["kind"] == "move_out_certificate"

    logged = caplog.text
    for secret in (NUMBER, "234567890121", newcomer.resident_code):
        assert secret not in logged, "a number reached a log line"
