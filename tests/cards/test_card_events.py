"""Card status events (交付, 廃止, 回収, 一時停止, 解除, 返還; assessment system 1 function 13,
spec 7.1.1.3 カード管理状況): append-only history, current state, the person view."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import DatabaseError, transaction
from django.test import Client
from django.utils import timezone

from jumin.accounts.models import User
from jumin.accounts.principal import Principal
from jumin.audit.models import AccessLog, OperationLog
from jumin.cards import queries
from jumin.cards import status as card_status
from jumin.cards.models import CardEvent
from jumin.cards.services import card_status_of, holders_of_active_cards, record_card_event
from jumin.core.errors import DomainError
from jumin.registry.models import Resident
from tests.audit.test_logs import purge_gate_closed
from tests.conftest import log_in
from tests.registry.conftest import final, move_in_data

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 2)


@pytest.fixture
def resident(counter: User, reviewer: User) -> Resident:
    final("move_in", move_in_data(), counter, reviewer)
    return Resident.objects.get()


ALL_STATES = list(card_status.LABELS)


@pytest.mark.parametrize("event", sorted(card_status.TRANSITIONS))
@pytest.mark.parametrize("state", ALL_STATES)
def test_every_transition(state: str, event: str) -> None:
    allowed, after = card_status.TRANSITIONS[event]
    if state in allowed:
        assert card_status.next_state(state, event) == after
    else:
        with pytest.raises(card_status.TransitionError):
            card_status.next_state(state, event)


def test_an_unknown_event_is_refused() -> None:
    with pytest.raises(card_status.TransitionError):
        card_status.next_state(card_status.ACTIVE, "burn")


@pytest.mark.spec("7.1.1.3", partial=True)
def test_events_change_the_current_state_and_keep_their_history(counter: User, resident: Resident) -> None:
    atena_no = resident.atena_no
    assert card_status_of(atena_no) == card_status.NONE
    record_card_event(atena_no, "issue", DAY, "counter", by=counter)
    record_card_event(atena_no, "suspend", DAY + timedelta(days=1), "jlis", note="紛失の届出")
    assert card_status_of(atena_no) == card_status.SUSPENDED
    with pytest.raises(DomainError) as error:
        record_card_event(atena_no, "issue", DAY + timedelta(days=2), "counter", by=counter)
    assert error.value.code == "cards.invalid_event" and "一時停止中" in error.value.message
    record_card_event(atena_no, "resume", DAY + timedelta(days=3), "jlis")
    record_card_event(atena_no, "abolish", DAY + timedelta(days=4), "counter", by=counter)
    record_card_event(atena_no, "return", DAY + timedelta(days=4), "counter", by=counter)
    assert card_status_of(atena_no) == card_status.RETURNED
    record_card_event(atena_no, "issue", DAY + timedelta(days=20), "counter", by=counter)
    assert card_status_of(atena_no) == card_status.ACTIVE
    assert card_status_of(atena_no, "juki") == card_status.NONE, "each card kind has its own state"
    events = list(CardEvent.objects.filter(atena_no=atena_no).order_by("id").values_list("event", "status_after"))
    assert events == [
        ("issue", "active"),
        ("suspend", "suspended"),
        ("resume", "active"),
        ("abolish", "abolished"),
        ("return", "returned"),
        ("issue", "active"),
    ]
    assert CardEvent.objects.first().operator == counter.username  # type: ignore[union-attr]
    log = OperationLog.objects.filter(action="cards.event_recorded").order_by("id").last()
    assert log is not None and log.target_id == atena_no and log.after["status"] == "active"
    resident.refresh_from_db()
    assert resident.card_status == {}, "the registry projection stays what its history says"


def test_refusals(counter: User, resident: Resident) -> None:
    cases = [
        ({"atena_no": "000000000", "event": "issue", "on": DAY, "source": "counter"}, "resident.not_found"),
        ({"atena_no": resident.atena_no, "event": "lose", "on": DAY, "source": "counter"}, "cards.bad_event"),
        ({"atena_no": resident.atena_no, "event": "issue", "on": DAY, "source": "mail"}, "cards.bad_source"),
        (
            {
                "atena_no": resident.atena_no,
                "event": "issue",
                "on": timezone.localdate() + timedelta(days=1),
                "source": "counter",
            },
            "date.future",
        ),
    ]
    for kwargs, code in cases:
        with pytest.raises(DomainError) as error:
            record_card_event(**kwargs)  # type: ignore[arg-type]
        assert error.value.code == code
    with pytest.raises(DomainError) as error:
        record_card_event(resident.atena_no, "issue", DAY, "counter", card_kind="passport")
    assert error.value.code == "cards.bad_card_kind"
    outsider = User.objects.create_user(username="soto", password="x" * 20, display_name="外部")
    with pytest.raises(DomainError) as error:
        record_card_event(resident.atena_no, "issue", DAY, "counter", by=outsider)
    assert error.value.code == "auth.forbidden"
    assert not CardEvent.objects.exists()


def test_card_events_are_append_only(resident: Resident) -> None:
    event = record_card_event(resident.atena_no, "issue", DAY, "jlis")
    with purge_gate_closed():
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            CardEvent.objects.filter(pk=event.pk).update(event="abolish")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            CardEvent.objects.filter(pk=event.pk).delete()
    assert CardEvent.objects.get().event == "issue"


@pytest.mark.spec("7.1.1.3", partial=True)
def test_the_reader_checks_the_permission_and_logs_the_access(counter: User, resident: Resident) -> None:
    record_card_event(resident.atena_no, "issue", DAY, "counter", by=counter)
    record_card_event(resident.atena_no, "suspend", DAY, "jlis")
    before = AccessLog.objects.count()
    view = queries.card_status(Principal(user=counter), resident.atena_no)
    assert view.current == {"個人番号カード": "一時停止中"}
    assert [(e.event, e.source, e.occurred_on) for e in view.events] == [
        ("一時停止", "個人番号カード管理システム", "令和8年11月2日"),
        ("交付", "窓口", "令和8年11月2日"),
    ]
    log = AccessLog.objects.order_by("id").last()
    assert AccessLog.objects.count() == before + 1 and log is not None
    assert log.purpose == "cards.person" and log.persons == [resident.atena_no]
    outsider = User.objects.create_user(username="soto", password="x" * 20, display_name="外部")
    with pytest.raises(DomainError) as error:
        queries.card_status(Principal(user=outsider), resident.atena_no)
    assert error.value.code == "auth.forbidden"


def test_the_person_view_shows_the_card_status(enrolled_client: Client, counter: User, resident: Resident) -> None:
    record_card_event(resident.atena_no, "issue", DAY, "counter", by=counter)
    page = log_in(enrolled_client, counter).get(f"/registry/person/{resident.atena_no}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "個人番号カード等の状況" in text and "交付済（有効）" in text and "令和8年11月2日" in text


def test_the_holders_of_active_cards_are_read_in_one_query(django_assert_num_queries: object) -> None:
    """The registry hook ``card_holders`` (特例転出, 法24条の2): a person holds an active card when
    the last event of any card kind left it active; one query however many persons are asked."""

    def event(atena_no: str, kind: str, status_after: str) -> None:
        fields = {"event": "issue", "occurred_on": DAY, "source": "counter", "status_after": status_after}
        CardEvent.objects.create(atena_no=atena_no, card_kind=kind, **fields)

    event("1", "individual_number", card_status.ACTIVE)
    event("2", "individual_number", card_status.ACTIVE)
    event("2", "individual_number", card_status.SUSPENDED)  # the last event counts
    event("3", "individual_number", card_status.ABOLISHED)
    event("3", "juki", card_status.ACTIVE)  # another kind still active
    event("4", "juki", card_status.RETURNED)
    with django_assert_num_queries(1):  # type: ignore[operator]
        holders = holders_of_active_cards(["1", "2", "3", "4", "5", "1"])
    assert holders == {"1", "3"}
    assert holders == {n for n in "12345" if card_status.ACTIVE in (card_status_of(n), card_status_of(n, "juki"))}
