"""Delivery of 本人確認情報 telegrams to the 都道府県サーバ simulator over real HTTP: order,
exactly-once, retry with back-off, mutual authentication (spec 7.1.1.1; issue 8)."""

from __future__ import annotations

import json
import logging
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from peers.prefecture import PrefectureBook, RunningSimulator, make_server, running, start
from peers.prefecture.server import write_public

from jumin.accounts.models import User
from jumin.accounts.services import add_linked_system
from jumin.jukinet.dispatch import PrefectureClient, send_pending
from jumin.jukinet.models import IdentityRecord, Telegram
from jumin.jukinet.services import build_from_outbox
from jumin.linkage import signing
from jumin.linkage.client import backoff
from jumin.registry.models import ResidentHistory
from tests.registry.conftest import final, move_in_data, person

NUMBERS = ("123456789018", "234567890121")


def _control(simulator: RunningSimulator, **changes: Any) -> dict[str, Any]:
    request = urllib.request.Request(simulator.url + "/control", data=json.dumps(changes).encode(), method="POST")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=5) as response:
        answer: dict[str, Any] = json.loads(response.read())
    return answer


def _move_in(counter: User, reviewer: User, given: str, number: str = "") -> str:
    data = move_in_data(person(given_name=given, furigana_given_name="ジロウ", individual_number=number))
    return final("move_in", data, counter, reviewer).items.get().atena_no


def _kid() -> str:
    return signing.key_id(signing.own_key().public_key())


def test_without_a_prefecture_url_nothing_is_sent(counter: User, reviewer: User, key_dir: Path) -> None:
    _move_in(counter, reviewer, "一郎")
    result = send_pending()
    assert result.sent == 0 and "JUMIN_PREFECTURE_URL" in result.skipped
    out: list[str] = []

    class Sink:
        def write(self, text: str) -> None:
            out.append(text)

        def flush(self) -> None:
            pass

    call_command("jukinet", "send", stdout=Sink())
    assert "本人確認情報を1件作成しました" in "".join(out) and "JUMIN_PREFECTURE_URL" in "".join(out)
    assert Telegram.objects.get().state == Telegram.State.PENDING


@pytest.mark.spec("7.1.1.1", partial=True)
def test_every_telegram_arrives_once_and_in_order_after_the_prefecture_was_down(
    counter: User,
    reviewer: User,
    key_dir: Path,
    prefecture_key: Ed25519PrivateKey,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    book = PrefectureBook()
    ours = signing.own_key().public_key()
    write_public(key_dir / signing.PEER_PUBLIC, prefecture_key.public_key())
    simulator = start(make_server(key=prefecture_key, client_key=ours, book=book))
    port = simulator.server.server_address[1]
    settings.JUMIN_PREFECTURE_URL = simulator.url
    settings.JUMIN_PREFECTURE_TIMEOUT = 2.0
    now = timezone.now()
    try:
        _move_in(counter, reviewer, "一郎", NUMBERS[0])
        build_from_outbox()
        assert send_pending(now=now).sent == 1

        simulator.stop()  # the prefecture server goes down
        _move_in(counter, reviewer, "二郎", NUMBERS[1])
        _move_in(counter, reviewer, "三郎")
        build_from_outbox()
        first_try = send_pending(now=now)
        assert (first_try.sent, first_try.failed, first_try.blocked) == (0, 1, {"prefecture": 2})
        waiting = Telegram.objects.get(seq=2)
        assert waiting.state == Telegram.State.FAILED and waiting.last_error == "unavailable"
        assert waiting.next_attempt_at == now + backoff(1)
        assert Telegram.objects.get(seq=3).attempts == 0, "the later telegram did not overtake"

        later = now + timedelta(seconds=5)
        assert send_pending(now=later).blocked == {"prefecture": 2}, "still backing off: no attempt"
        assert Telegram.objects.get(seq=2).attempts == 1
        later = waiting.next_attempt_at + timedelta(seconds=1)
        second_try = send_pending(now=later)
        assert second_try.failed == 1
        assert Telegram.objects.get(seq=2).next_attempt_at == later + backoff(2), "the back-off doubles"
        assert backoff(2) == 2 * backoff(1)

        simulator = start(make_server(port=port, key=prefecture_key, client_key=ours, book=book))  # back up
        _move_in(counter, reviewer, "四郎")
        build_from_outbox()
        assert send_pending(now=later).sent == 0, "not due yet"
        done = send_pending(now=later + backoff(3))
        assert (done.sent, done.failed) == (3, 0)

        assert book.sequence(_kid()) == [1, 2, 3, 4], "each exactly once, in order"
        assert set(Telegram.objects.values_list("state", flat=True)) == {Telegram.State.SENT}
        codes = set(IdentityRecord.objects.values_list("resident_code", flat=True))
        assert set(book.records) == codes
        held = {r["individual_number"] for r in book.records.values() if r.get("individual_number")}
        assert held == set(NUMBERS), "the peer got the numbers, opened from the sealed column at send time"

        # a duplicate delivery (e.g. the answer was lost) is recognised by the peer
        Telegram.objects.filter(seq=3).update(state=Telegram.State.PENDING)
        assert send_pending(now=later + backoff(3)).sent == 1
        assert Telegram.objects.get(seq=3).last_error == "already_received"
        assert book.sequence(_kid()) == [1, 2, 3, 4]
    finally:
        simulator.stop()

    secrets_ = [*NUMBERS, *codes]
    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    for secret in secrets_:
        assert secret not in logged, "a number reached a log line"
    assert "#2 not delivered (unavailable)" in caplog.text


def test_fail_next_and_slow_answers_are_retried_without_duplicates(
    counter: User, reviewer: User, prefecture: RunningSimulator, settings: Any
) -> None:
    for given in ("一郎", "二郎"):
        _move_in(counter, reviewer, given)
    build_from_outbox()
    now = timezone.now()
    assert _control(prefecture, fail_next=1)["fail_next"] == 1
    result = send_pending(now=now)
    assert (result.sent, result.failed) == (0, 1)
    assert Telegram.objects.get(seq=1).last_error == "rejected:maintenance"

    settings.JUMIN_PREFECTURE_TIMEOUT = 0.3
    _control(prefecture, delay=0.8)  # the peer stores it, but our wait ends first
    assert send_pending(now=now + backoff(1)).failed == 1
    assert Telegram.objects.get(seq=1).last_error == "unavailable"
    _control(prefecture, delay=0)
    deadline = time.monotonic() + 5
    while prefecture.book.sequence(_kid()) != [1] and time.monotonic() < deadline:
        time.sleep(0.05)  # the slow answer's request is still being processed by the peer
    settings.JUMIN_PREFECTURE_TIMEOUT = 2.0
    done = send_pending(now=now + backoff(1) + backoff(2))
    assert done.sent == 2
    assert Telegram.objects.get(seq=1).last_error == "already_received"
    assert prefecture.book.sequence(_kid()) == [1, 2]


def test_down_switch_answers_maintenance(counter: User, reviewer: User, prefecture: RunningSimulator) -> None:
    _move_in(counter, reviewer, "一郎")
    build_from_outbox()
    _control(prefecture, down=True)
    assert send_pending().failed == 1 and Telegram.objects.get().last_error == "rejected:maintenance"
    _control(prefecture, down=False)
    assert send_pending(now=timezone.now() + backoff(1)).sent == 1


def test_a_request_signed_with_another_key_is_refused(
    counter: User, reviewer: User, key_dir: Path, prefecture_key: Ed25519PrivateKey, settings: Any
) -> None:
    write_public(key_dir / signing.PEER_PUBLIC, prefecture_key.public_key())
    impostor = Ed25519PrivateKey.generate().public_key()  # the peer trusts someone else
    _move_in(counter, reviewer, "一郎")
    build_from_outbox()
    with running(key=prefecture_key, client_key=impostor) as simulator:
        settings.JUMIN_PREFECTURE_URL = simulator.url
        assert send_pending().failed == 1
        assert Telegram.objects.get().last_error == "rejected:unknown_key"
        assert simulator.book.received == {}


def test_a_tampered_request_body_is_refused(key_dir: Path, prefecture: RunningSimulator) -> None:
    body = {"update_seq": 1, "idempotency_key": "k", "resident_code": "x", "name": "n", "birth_text": "b"}
    body |= {"sex": "1", "address": "a", "reason": "r"}
    raw = json.dumps(body).encode()
    headers = signing.sign_request(signing.own_key(), "POST", "/identity-updates", raw).as_dict()
    tampered = raw.replace(b'"a"', b'"b"')
    request = urllib.request.Request(prefecture.url + "/identity-updates", data=tampered, headers=headers)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(request, timeout=5)
    assert refused.value.code == 401 and json.loads(refused.value.read()) == {"error": "bad_signature"}
    refused.value.close()
    assert prefecture.book.received == {}


def test_a_tampered_answer_is_not_trusted(counter: User, reviewer: User, prefecture: RunningSimulator) -> None:
    _move_in(counter, reviewer, "一郎")
    build_from_outbox()
    _control(prefecture, tamper_responses=True)
    assert send_pending().failed == 1
    assert Telegram.objects.get().last_error == "peer_bad_signature"
    assert prefecture.book.sequence(_kid()) == [1], "the peer stored it; we could not trust its answer"
    _control(prefecture, tamper_responses=False)
    assert send_pending(now=timezone.now() + backoff(1)).sent == 1
    assert Telegram.objects.get().last_error == "already_received"


def test_an_answer_from_an_unknown_key_is_not_trusted(
    counter: User, reviewer: User, key_dir: Path, prefecture: RunningSimulator
) -> None:
    write_public(key_dir / signing.PEER_PUBLIC, Ed25519PrivateKey.generate().public_key())
    _move_in(counter, reviewer, "一郎")
    build_from_outbox()
    assert send_pending().failed == 1 and Telegram.objects.get().last_error == "peer_unknown_key"


def test_a_gap_and_a_conflict_are_refused(key_dir: Path, prefecture: RunningSimulator) -> None:
    client = PrefectureClient(prefecture.url)
    body = {"update_seq": 2, "idempotency_key": "k2", "resident_code": "1", "name": "n", "birth_text": "b"}
    body |= {"sex": "1", "address": "a", "reason": "r"}
    with pytest.raises(Exception) as gap:
        client.send(body)
    assert str(gap.value) == "rejected:gap"
    assert client.send(body | {"update_seq": 1, "idempotency_key": "k1"}) == "accepted"
    assert client.send(body | {"update_seq": 1, "idempotency_key": "k1"}) == "already_received"
    with pytest.raises(Exception) as conflict:
        client.send(body | {"update_seq": 1, "idempotency_key": "other"})
    assert str(conflict.value) == "rejected:conflict"


def test_a_missing_peer_key_stops_sending_with_a_clear_code(
    counter: User, reviewer: User, key_dir: Path, settings: Any
) -> None:
    settings.JUMIN_PREFECTURE_URL = "http://127.0.0.1:9"
    _move_in(counter, reviewer, "一郎")
    build_from_outbox()
    assert send_pending().failed == 1
    assert Telegram.objects.get().last_error == "jukinet.peer_key_missing"
    assert ResidentHistory.objects.count() == 1


def test_the_telegram_list_api(counter: User, reviewer: User, key_dir: Path) -> None:
    _move_in(counter, reviewer, "一郎")
    build_from_outbox()
    _, key = add_linked_system("BATCH", "バッチ運用", ["run_batch"])
    answer = Client().get("/api/v1/jukinet/telegrams", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert answer.status_code == 200
    [row] = answer.json()
    assert (row["destination"], row["seq"], row["state"]) == ("prefecture", 1, "pending")
    assert "resident_code" not in json.dumps(row)
    _, other = add_linked_system("KONBINI", "コンビニ交付", ["issue_certificate"])
    assert Client().get("/api/v1/jukinet/telegrams", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 403


def test_the_demo_set_up_shares_one_key_directory(counter: User, reviewer: User, key_dir: Path, settings: Any) -> None:
    """``python -m peers.prefecture --key-dir $JUMIN_VAR_DIR/jukinet``: no key copied by hand."""
    from peers.prefecture import make_demo_server

    simulator = start(make_demo_server("127.0.0.1", 0, key_dir))
    try:
        settings.JUMIN_PREFECTURE_URL = simulator.url
        _move_in(counter, reviewer, "一郎")
        build_from_outbox()
        assert send_pending().sent == 1  # jumin wrote cs_ed25519.pub on first use; the simulator read it
    finally:
        simulator.stop()
