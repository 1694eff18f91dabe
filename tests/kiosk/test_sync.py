"""The KONBINI outbox consumer (spec 7.2.5 連携機能): a batch costs the same few statements
whatever its size, and applying it in one go gives what applying its rows one by one would."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jumin.accounts.models import User
from jumin.kiosk import sync
from jumin.kiosk.models import KioskCursor, KioskResident
from jumin.linkage.models import OutboxMessage
from jumin.registry.models import Resident
from tests.registry.conftest import final, move_in_data, person

pytestmark = [pytest.mark.spec("7.2.5"), pytest.mark.django_db]


def _families(counter: User, reviewer: User, count: int) -> None:
    for n in range(count):
        members = [
            person(given_name=g, furigana_given_name=k, birth=f"S{50 + n}.4.1")
            for g, k in (("太郎", "タロウ"), ("次郎", "ジロウ"))
        ]
        members[1]["relationship"] = "子"
        final("move_in", move_in_data(*members), counter, reviewer)


def test_a_batch_costs_a_fixed_number_of_statements(counter: User, reviewer: User) -> None:
    sync.sync()  # the cursor row exists from here on
    _families(counter, reviewer, 2)
    with CaptureQueriesContext(connection) as small:
        first = sync.sync()
    _families(counter, reviewer, 6)
    with CaptureQueriesContext(connection) as large:
        second = sync.sync()
    assert (first.residents, second.residents) == (4, 12)
    assert len(large.captured_queries) == len(small.captured_queries)
    held = dict(KioskResident.objects.values_list("atena_no", "history_no"))
    assert held == {r.atena_no: r.history_no for r in Resident.objects.all()}


def test_an_older_row_delivered_late_or_a_missing_row_changes_nothing(counter: User, reviewer: User) -> None:
    _families(counter, reviewer, 1)
    sync.sync()
    held = KioskResident.objects.order_by("atena_no").first()
    assert held is not None
    KioskResident.objects.filter(pk=held.pk).update(history_no=5)
    last = OutboxMessage.objects.filter(destination=sync.KONBINI).order_by("-seq").first()
    assert last is not None
    OutboxMessage.objects.create(
        destination=sync.KONBINI,
        seq=last.seq + 1,
        idempotency_key="late-missing",
        kind="resident",
        atena_no=held.atena_no,
        history_no=99,
    )
    KioskCursor.objects.filter(name=sync.CURSOR).update(last_seq=0)
    again = sync.sync()
    assert again.rows == 3
    assert again.residents == 1  # only the other person's row; the held one is newer, row 99 does not exist
    assert KioskResident.objects.get(pk=held.pk).history_no == 5
