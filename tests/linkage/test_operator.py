"""Issue 16: the 連携状況 screen (/linkage/) — every queue to a linked system on one page (the
outbox, the 住基ネット telegrams per destination, the 送付先情報 and the card events), with counts,
the oldest row waiting, the last delivery, the row that stops a queue with its error explained,
and 「今すぐ再送」, which clears the back-off of the failed rows and runs the send pass once."""

from __future__ import annotations

import json
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from peers.prefecture import RunningSimulator

from jumin.accounts.models import User
from jumin.audit.models import OperationLog
from jumin.cards.models import CardEvent, CardEventDelivery
from jumin.core.errors import DomainError
from jumin.jukinet.dispatch import send_pending
from jumin.jukinet.models import Telegram
from jumin.jukinet.services import build_from_outbox
from jumin.linkage import queues, services
from jumin.linkage.queue_types import QueueLine
from tests.conftest import log_in, make_operator
from tests.registry.conftest import final, move_in_data, person


def _down(simulator: RunningSimulator, down: bool) -> None:
    request = urllib.request.Request(
        simulator.url + "/control", data=json.dumps({"down": down}).encode(), method="POST"
    )
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=5):
        pass


@pytest.fixture
def batch(db: None) -> User:
    return make_operator("batch", "運用 担当", roles=("バッチ運用",))


def _lines() -> dict[tuple[str, str], QueueLine]:
    return {(line.queue, line.key): line for queue in queues.registered() for line in queue.lines()}


def test_every_queue_is_on_the_screen_in_order() -> None:
    assert [q.name for q in queues.registered()] == [
        "linkage.outbox",
        "jukinet.telegrams",
        "cards.delivery_info",
        "cards.card_events",
        "koseki.fuhyo_notices",
        "immigration.notices",
    ]


@pytest.mark.spec("7.1.1.1", partial=True)
def test_a_stopped_queue_is_shown_and_sent_again_on_request(
    counter: User, reviewer: User, batch: User, key_dir: Path, prefecture: RunningSimulator
) -> None:
    for given in ("一郎", "二郎"):
        final("move_in", move_in_data(person(given_name=given)), counter, reviewer)
    assert _lines()[("linkage.outbox", "jukinet_cs")].pending == 2, "not yet taken by 住基ネットCS"
    build_from_outbox()
    _down(prefecture, True)
    send_pending()

    lines = _lines()
    outbox = lines[("linkage.outbox", "jukinet_cs")]
    assert (outbox.pending, outbox.sent, outbox.sends) == (0, 2, False)
    stopped = lines[("jukinet.telegrams", "prefecture")]
    assert (stopped.pending, stopped.failed, stopped.sent, stopped.retryable) == (1, 1, 0, 1)
    assert stopped.label == "都道府県サーバ（本人確認情報）" and stopped.first_failed == "更新順番号 1"
    assert stopped.error == "rejected:maintenance" and "保守中" in stopped.error_text
    assert stopped.oldest_waiting is not None and stopped.last_sent is None
    assert lines[("cards.delivery_info", "")].waiting == 0, "an empty queue still has its line"

    _down(prefecture, False)
    assert send_pending().sent == 0, "the back-off holds the queue"
    retried = services.retry_now(batch, "jukinet.telegrams", "prefecture")
    assert (retried.rows, retried.sent.sent, retried.sent.failed) == (1, 2, 0)
    assert retried.label == "都道府県サーバ（本人確認情報）"
    log = OperationLog.objects.get(action="linkage.retry_requested")
    assert log.target_id == "jukinet.telegrams:prefecture" and log.after == {
        "rows": 1,
        "errors": ["rejected:maintenance"],
    }
    done = _lines()[("jukinet.telegrams", "prefecture")]
    assert (done.waiting, done.sent, done.error) == (0, 2, "") and done.last_sent is not None

    with pytest.raises(DomainError) as nothing:
        services.retry_now(batch, "jukinet.telegrams", "prefecture")
    assert nothing.value.code == "linkage.nothing_to_retry"
    with pytest.raises(DomainError) as forbidden:
        services.retry_now(counter, "jukinet.telegrams", "prefecture")
    assert forbidden.value.code == "auth.forbidden"
    with pytest.raises(DomainError) as unknown:
        services.retry_now(batch, "nowhere", "")
    assert unknown.value.code == "linkage.no_such_queue"


@pytest.mark.spec("4.1.3.0.4", partial=True)
def test_a_move_out_certificate_is_never_resent_by_hand(batch: User) -> None:
    later = timezone.now() + timedelta(hours=1)
    Telegram.objects.create(
        destination="municipality:131016",
        seq=1,
        idempotency_key="c1",
        kind="move_out_certificate",
        body={},
        state=Telegram.State.FAILED,
        last_error="unavailable",
        next_attempt_at=later,
    )
    line = _lines()[("jukinet.telegrams", "municipality:131016")]
    assert (line.failed, line.retryable) == (1, 0)
    with pytest.raises(DomainError) as refused:
        services.retry_now(batch, "jukinet.telegrams", "municipality:131016")
    assert refused.value.code == "linkage.nothing_to_retry"
    assert Telegram.objects.get().next_attempt_at == later, "only the automatic retry"


def test_a_queue_without_its_peer_says_why_nothing_went(batch: User, settings: Any) -> None:
    settings.JUMIN_CARDSYSTEM_URL = ""
    event = CardEvent.objects.create(
        atena_no="1", event="issue", occurred_on=timezone.localdate(), source="counter", status_after="active"
    )
    CardEventDelivery.objects.create(
        event=event, state=CardEventDelivery.State.FAILED, last_error="unavailable", attempts=2
    )
    line = _lines()[("cards.card_events", "")]
    assert (line.failed, line.retryable, line.first_failed) == (1, 1, f"事象番号 {event.pk}")
    retried = services.retry_now(batch, "cards.card_events")
    assert retried.rows == 1 and retried.sent.sent == 0 and "JUMIN_CARDSYSTEM_URL" in retried.sent.skipped
    assert CardEventDelivery.objects.get().next_attempt_at is not None


def test_the_screen_and_its_retry(
    counter: User, reviewer: User, batch: User, key_dir: Path, prefecture: RunningSimulator, enrolled_client: Client
) -> None:
    final("move_in", move_in_data(person()), counter, reviewer)
    build_from_outbox()
    _down(prefecture, True)
    send_pending()
    _down(prefecture, False)
    client = log_in(enrolled_client, batch)
    page = client.get("/linkage/").content.decode()
    assert "連携状況" in page and "都道府県サーバ（本人確認情報）" in page and "アウトボックス（住基ネットCS）" in page
    assert "相手先が保守中または障害中" in page and "今すぐ再送（1 件）" in page
    response = client.post("/linkage/retry/", {"queue": "jukinet.telegrams", "key": "prefecture"}, follow=True)
    assert "送信 1 件、エラー 0 件" in response.content.decode()
    assert Telegram.objects.get().state == Telegram.State.SENT
    again = client.post("/linkage/retry/", {"queue": "jukinet.telegrams", "key": "prefecture"}, follow=True)
    assert "再送できる送信エラーはありません。" in again.content.decode()
    assert client.post("/linkage/retry/", {"queue": "x" * 5000}).status_code == 302, "bad input is an error, not a 500"
    client.post("/accounts/logout/")
    log_in(enrolled_client, counter)
    assert enrolled_client.get("/linkage/").status_code == 403
