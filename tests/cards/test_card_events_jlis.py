"""Card status events with J-LIS (assessment system 2 function 8) over real HTTP with the card
management system simulator: counter events sent in order, once, with back-off; J-LIS events
pulled, recorded with source ``jlis`` once per event id, refusals kept; the counter screen and
API that record an event (issue 8)."""

from __future__ import annotations

import json
import logging
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from peers.cardsystem import RunningSimulator

from jumin.accounts.models import User
from jumin.audit.models import OperationLog
from jumin.cards.models import CardEvent, CardEventDelivery, ReceivedCardEvent
from jumin.cards.services import (
    card_event_id,
    card_status_of,
    pull_card_events,
    record_card_event,
    send_card_events,
)
from jumin.core.errors import DomainError
from jumin.registry.models import Resident
from tests.conftest import log_in
from tests.registry.conftest import final, move_in_data, person

DAY = date(2026, 11, 2)
LG = "112194"


def _control(simulator: RunningSimulator, **changes: Any) -> None:
    request = urllib.request.Request(simulator.url + "/control", data=json.dumps(changes).encode(), method="POST")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=5):
        pass


def _resident(counter: User, reviewer: User, given: str = "太郎") -> Resident:
    atena_no = final("move_in", move_in_data(person(given_name=given)), counter, reviewer).items.get().atena_no
    return Resident.objects.get(atena_no=atena_no)


@pytest.mark.spec("7.1.1.3", partial=True)
def test_counter_events_reach_jlis_in_order_once_after_an_outage(
    counter: User, reviewer: User, key_dir: Path, cardsystem: RunningSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    resident = _resident(counter, reviewer)
    issued = record_card_event(resident.atena_no, "issue", DAY, "counter", by=counter)
    suspended = record_card_event(resident.atena_no, "suspend", DAY, "counter", by=counter)
    assert CardEventDelivery.objects.filter(state="pending").count() == 2

    _control(cardsystem, down=True)
    down = send_card_events()
    assert (down.sent, down.failed) == (0, 1), "the pass stops at an outage"
    first = CardEventDelivery.objects.get(event=issued)
    assert first.state == "failed" and first.last_error == "rejected:maintenance" and first.next_attempt_at
    _control(cardsystem, down=False)
    held = send_card_events()
    assert (held.sent, held.waiting) == (0, 2), "back-off; the later event of the person does not overtake"
    later = send_card_events(now=timezone.now() + timedelta(hours=2))
    assert later.sent == 2
    assert [e["event"] for e in cardsystem.book.events.values()] == ["issue", "suspend"]
    assert cardsystem.book.events[card_event_id(issued)]["resident_code"] == resident.resident_code
    assert cardsystem.book.events[card_event_id(suspended)]["status_after"] == "suspended"

    # a lost answer: sent again, J-LIS says already_received and keeps one copy
    CardEventDelivery.objects.filter(event=suspended).update(state="failed", next_attempt_at=None)
    assert send_card_events().sent == 1
    assert CardEventDelivery.objects.get(event=suspended).last_error == "already_received"
    assert len(cardsystem.book.events) == 2
    assert resident.resident_code not in caplog.text


def test_a_refused_event_holds_back_only_that_persons_later_events(
    counter: User, reviewer: User, key_dir: Path, cardsystem: RunningSimulator
) -> None:
    one = _resident(counter, reviewer, "一郎")
    two = _resident(counter, reviewer, "二郎")
    first = record_card_event(one.atena_no, "issue", DAY, "counter", by=counter)
    record_card_event(one.atena_no, "suspend", DAY, "counter", by=counter)
    record_card_event(two.atena_no, "issue", DAY, "counter", by=counter)
    # J-LIS already holds another event under the first one's id (conflict)
    cardsystem.book.events[card_event_id(first)] = {"event_id": card_event_id(first), "event": "abolish"}
    result = send_card_events()
    assert (result.sent, result.failed, result.waiting) == (1, 1, 1)
    assert CardEventDelivery.objects.get(event=first).last_error == "rejected:conflict"
    assert [e["resident_code"] for e in cardsystem.book.events.values() if "resident_code" in e] == [two.resident_code]


def test_events_from_jlis_are_recorded_once_and_refusals_kept(
    counter: User, reviewer: User, key_dir: Path, cardsystem: RunningSimulator, settings: Any
) -> None:
    resident = _resident(counter, reviewer)
    record_card_event(resident.atena_no, "issue", DAY, "counter", by=counter)
    base = {"municipality_code": LG, "resident_code": resident.resident_code, "card_kind": "individual_number"}
    cardsystem.book.queue_event(LG, {**base, "event_id": "jlis:1", "event": "suspend", "occurred_on": "2026-11-03"})
    cardsystem.book.queue_event(LG, {**base, "event_id": "jlis:2", "event": "suspend", "occurred_on": "2026-11-04"})
    cardsystem.book.queue_event(
        LG,
        {**base, "event_id": "jlis:3", "resident_code": "99999999999", "event": "abolish", "occurred_on": "2026-11-04"},
    )
    cardsystem.book.queue_event(
        "131016", {**base, "event_id": "other:1", "event": "abolish", "occurred_on": "2026-11-04"}
    )

    pulled = pull_card_events()
    assert (pulled.received, pulled.recorded, pulled.refused) == (3, 1, 2)
    assert card_status_of(resident.atena_no) == "suspended"
    event = CardEvent.objects.get(source="jlis")
    assert (event.event, event.occurred_on) == ("suspend", date(2026, 11, 3))
    assert not CardEventDelivery.objects.filter(event=event).exists(), "a J-LIS event is not sent back"
    refused = dict(ReceivedCardEvent.objects.filter(state="refused").values_list("event_id", "error_code"))
    assert refused == {"jlis:2": "cards.invalid_event", "jlis:3": "resident.not_found"}
    assert cardsystem.book.pending_events(LG) == [], "acknowledged"
    assert len(cardsystem.book.pending_events("131016")) == 1, "another municipality's event stays"

    # delivered again (a lost acknowledgement): recognised by the event id
    cardsystem.book.queue_event(LG, {**base, "event_id": "jlis:1", "event": "suspend", "occurred_on": "2026-11-03"})
    again = pull_card_events()
    assert (again.received, again.recorded, again.already) == (1, 0, 1)
    assert CardEvent.objects.filter(source="jlis").count() == 1
    assert OperationLog.objects.filter(action="cards.event_refused").count() == 2

    out: list[str] = []

    class Sink:
        def write(self, text: str) -> None:
            out.append(text)

        def flush(self) -> None:
            pass

    call_command("cards", "receive", stdout=Sink())
    assert "カードの事象を0件受信" in "".join(out)


def test_pull_when_jlis_is_down_fails_with_a_stable_code(
    counter: User, reviewer: User, key_dir: Path, cardsystem: RunningSimulator
) -> None:
    _control(cardsystem, down=True)
    with pytest.raises(DomainError) as failed:
        pull_card_events()
    assert failed.value.code == "cards.receive_failed"


def test_the_counter_screen_and_api_record_an_event(
    counter: User, reviewer: User, key_dir: Path, enrolled_client: Client
) -> None:
    resident = _resident(counter, reviewer)
    client = log_in(enrolled_client, counter)
    page = client.get(f"/registry/person/{resident.atena_no}/").content.decode()
    assert f"/jukinet/cards/{resident.atena_no}/event/" in page and "カードの事象を記録" in page
    form = client.get(f"/jukinet/cards/{resident.atena_no}/event/").content.decode()
    assert "個人番号カード等の事象の記録" in form and 'data-shortcut="Alt+S"' in form
    response = client.post(
        f"/jukinet/cards/{resident.atena_no}/event/",
        {"card_kind": "individual_number", "event": "issue", "occurred_on": "R8.11.2", "note": ""},
    )
    assert response.status_code == 302
    assert card_status_of(resident.atena_no) == "active"
    assert CardEvent.objects.get().source == "counter" and CardEventDelivery.objects.count() == 1
    refused = client.post(
        f"/jukinet/cards/{resident.atena_no}/event/",
        {"card_kind": "individual_number", "event": "resume", "occurred_on": "R8.11.2"},
    )
    assert refused.status_code == 200 and "記録できません" in refused.content.decode()

    answer = client.post(
        "/api/v1/cards/events",
        {"atena_no": resident.atena_no, "event": "suspend", "occurred_on": "2026-11-03"},
        content_type="application/json",
        headers={"X-CSRFToken": client.cookies["csrftoken"].value} if "csrftoken" in client.cookies else {},
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["status_after"] == "suspended"
    bad = client.post(
        "/api/v1/cards/events",
        {"atena_no": resident.atena_no, "event": "explode", "occurred_on": "2026-11-03"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "cards.bad_event"
