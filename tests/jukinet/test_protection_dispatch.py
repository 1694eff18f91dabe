"""支援措置 propagation to 住基ネット over real HTTP (spec 3.1, 3.2): a 発行抑止 set or released is
sent to the 都道府県サーバ simulator in its own order, once, with back-off after an outage; the
住民票コード travels in the body only, never in a log."""

from __future__ import annotations

import json
import logging
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from peers.prefecture import RunningSimulator

from jumin.accounts.models import User
from jumin.audit.models import OperationLog
from jumin.jukinet import operator
from jumin.jukinet.dispatch import send_pending
from jumin.jukinet.models import Telegram
from jumin.jukinet.protection_flags import DESTINATION, build_protection_telegrams
from jumin.linkage.models import OutboxMessage
from jumin.protection import services as protection
from jumin.registry.models import Resident
from tests.conftest import make_operator
from tests.registry.conftest import final, move_in_data, person


def _control(simulator: RunningSimulator, **changes: Any) -> None:
    request = urllib.request.Request(simulator.url + "/control", data=json.dumps(changes).encode(), method="POST")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=5):
        pass


@pytest.mark.spec("3.1", "3.2", partial=True)
def test_a_certificate_block_reaches_the_prefecture_once_in_order_after_an_outage(
    counter: User, reviewer: User, key_dir: Path, prefecture: RunningSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    atena_no = final("move_in", move_in_data(person()), counter, reviewer).items.get().atena_no
    code = Resident.objects.get(atena_no=atena_no).resident_code
    officer = make_operator("shien", "支援 責任者", roles=("支援措置責任者",))
    batch = make_operator("batch", "運用", roles=("バッチ運用",))
    block = protection.set_block(
        scope="person", target_no=atena_no, process="certificate", level="error", reason="DV 相談", by=officer
    )
    protection.set_block(
        scope="person", target_no=atena_no, process="movement", level="alert", reason="確認", by=officer
    )
    assert OutboxMessage.objects.filter(block__isnull=False, destination="jukinet_cs").count() == 1, (
        "only 発行抑止 goes to CS"
    )

    _control(prefecture, down=True)
    first = send_pending()
    assert first.blocked.get(DESTINATION) == 1
    assert OutboxMessage.objects.get(block__isnull=False, destination="jukinet_cs").state == "sent", "handed to CS"
    assert prefecture.book.protected_codes() == set()
    protection.release_block(block, by=officer, reason="終了の申出")
    _control(prefecture, down=False)
    assert send_pending().blocked.get(DESTINATION) == 1, "waits for its back-off; the release does not overtake"

    failed = Telegram.objects.get(destination=DESTINATION, seq=1)
    operator.retry_now(batch, failed.pk)
    flags_before = len(send_pending().blocked)
    assert flags_before == 0
    flags = [t.body for v in prefecture.book.flags.values() for t in v]
    assert [(f["update_seq"], f["action"], f["resident_codes"]) for f in flags] == [
        (1, "set", [code]),
        (2, "release", [code]),
    ]
    assert prefecture.book.protected_codes() == set()
    assert set(Telegram.objects.filter(destination=DESTINATION).values_list("state", flat=True)) == {"sent"}

    # a lost answer: the same telegram again is already_received, nothing is stored twice
    again = Telegram.objects.get(destination=DESTINATION, seq=2)
    Telegram.objects.filter(pk=again.pk).update(state="failed", next_attempt_at=None)
    send_pending()
    again.refresh_from_db()
    assert again.state == "sent" and again.last_error == "already_received"
    assert len(prefecture.book.flags[next(iter(prefecture.book.flags))]) == 2
    assert build_protection_telegrams() == 0
    assert OperationLog.objects.filter(action="jukinet.protection_flags_built").count() == 2
    assert code not in caplog.text and atena_no not in caplog.text


@pytest.mark.spec("3.1", "3.2", partial=True)
def test_a_household_block_flags_its_members(
    counter: User, reviewer: User, key_dir: Path, prefecture: RunningSimulator
) -> None:
    movement = final(
        "move_in",
        move_in_data(person(), person(given_name="次郎", relationship="子", birth="H30.5.5")),
        counter,
        reviewer,
    )
    household = Resident.objects.get(atena_no=movement.items.first().atena_no).household_no
    codes = sorted(Resident.objects.filter(household_no=household).values_list("resident_code", flat=True))
    officer = make_operator("shien", "支援 責任者", roles=("支援措置責任者",))
    protection.set_block(
        scope="household", target_no=household, process="certificate", level="error", reason="DV", by=officer
    )
    send_pending()
    assert prefecture.book.protected_codes() == set(codes) and len(codes) == 2
