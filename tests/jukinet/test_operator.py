"""The 住基ネット operator screen (spec 7.1.1.1): delivery state per destination, errors explained
in Japanese, 「今すぐ再送」 (not for 転出証明書情報, 4.1.3.0.4), CS送信一覧表, CS受信一覧表 and the
取込エラー一覧 with a manual assignment of an unmatched 転入通知 to a 除票 (issue 8)."""

from __future__ import annotations

import json
import logging
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from peers.prefecture import RunningSimulator

from jumin.accounts.models import User
from jumin.audit.models import AccessLog, OperationLog
from jumin.core.errors import DomainError
from jumin.jukinet import operator
from jumin.jukinet.dispatch import send_pending
from jumin.jukinet.models import ReceivedMoveInNotice, Telegram
from jumin.jukinet.notices import receive_move_in_notice
from jumin.jukinet.services import build_from_outbox
from jumin.registry.models import Resident
from jumin.registry.services import approve_movement
from tests.conftest import log_in, make_operator
from tests.registry.conftest import final, move_in_data, person


def _control(simulator: RunningSimulator, **changes: Any) -> None:
    request = urllib.request.Request(simulator.url + "/control", data=json.dumps(changes).encode(), method="POST")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=5):
        pass


def _move_in(counter: User, reviewer: User, given: str) -> str:
    return final("move_in", move_in_data(person(given_name=given)), counter, reviewer).items.get().atena_no


@pytest.fixture
def batch(db: None) -> User:
    return make_operator("batch", "運用 担当", roles=("バッチ運用",))


@pytest.mark.spec("7.1.1.1", partial=True)
def test_a_failed_telegram_is_explained_and_sent_again_on_request(
    counter: User, reviewer: User, batch: User, key_dir: Path, prefecture: RunningSimulator
) -> None:
    _move_in(counter, reviewer, "一郎")
    _move_in(counter, reviewer, "二郎")
    build_from_outbox()
    _control(prefecture, down=True)
    result = send_pending()
    assert result.failed == 1 and result.blocked == {"prefecture": 1}

    [state] = [d for d in operator.destinations(batch) if d.destination == "prefecture"]
    assert state.counts == {"failed": 1, "pending": 1} and state.blocked_at == 1
    assert state.blocked_error == "rejected:maintenance" and state.last_success is None
    lines = operator.telegrams(batch, state="failed")
    assert [(t.seq, t.error_text, t.retryable) for t in lines] == [
        (1, "相手先が保守中または障害中のため受け付けませんでした。", True)
    ]
    assert lines[0].next_attempt_at is not None and lines[0].next_attempt_at > timezone.now()

    _control(prefecture, down=False)
    assert send_pending().sent == 0, "the back-off holds the queue"
    operator.retry_now(batch, lines[0].id)
    assert OperationLog.objects.filter(action="jukinet.retry_requested", target_id="prefecture#1").count() == 1
    assert send_pending().sent == 2
    assert prefecture.book.records and [t.update_seq for v in prefecture.book.received.values() for t in v] == [1, 2]
    [state] = [d for d in operator.destinations(batch) if d.destination == "prefecture"]
    assert state.counts == {"sent": 2} and state.last_success is not None and state.blocked_at is None

    with pytest.raises(DomainError) as refused:
        operator.retry_now(batch, lines[0].id)
    assert refused.value.code == "jukinet.not_failed"
    with pytest.raises(DomainError) as forbidden:
        operator.retry_now(counter, lines[0].id)
    assert forbidden.value.code == "auth.forbidden"


@pytest.mark.spec("4.1.3.0.4", "7.1.1.1", partial=True)
def test_gap_and_conflict_are_explained_and_a_move_out_certificate_is_never_resent_by_hand(
    batch: User, key_dir: Path
) -> None:
    now = timezone.now()
    common = {"state": Telegram.State.FAILED, "attempts": 3, "next_attempt_at": now + timedelta(hours=1), "body": {}}
    gap = Telegram.objects.create(
        destination="prefecture",
        seq=7,
        idempotency_key="k7",
        kind="identity_update",
        last_error="rejected:gap",
        **common,
    )
    certificate = Telegram.objects.create(
        destination="municipality:131016",
        seq=1,
        idempotency_key="c1",
        kind="move_out_certificate",
        last_error="unavailable",
        **common,
    )
    lines = {t.id: t for t in operator.telegrams(batch)}
    assert "番号の抜け" in lines[gap.pk].error_text and "再送だけでは解消しません" in lines[gap.pk].advice
    assert lines[certificate.pk].error_text.startswith("相手先に接続できません")
    assert lines[certificate.pk].retryable is False and lines[certificate.pk].kind_label.startswith("転出証明書情報")
    with pytest.raises(DomainError) as refused:
        operator.retry_now(batch, certificate.pk)
    assert refused.value.code == "jukinet.resend_not_allowed"
    certificate.refresh_from_db()
    assert certificate.next_attempt_at == common["next_attempt_at"], "only the automatic retry"
    assert operator.explain("rejected:http_502").startswith("相手先が想定外の応答（502）")


def test_the_screen_shows_the_state_and_resends_with_the_keyboard_shortcut(
    counter: User, reviewer: User, batch: User, key_dir: Path, prefecture: RunningSimulator, enrolled_client: Client
) -> None:
    _move_in(counter, reviewer, "一郎")
    build_from_outbox()
    _control(prefecture, down=True)
    send_pending()
    client = log_in(enrolled_client, batch)
    page = client.get("/jukinet/").content.decode()
    assert "住基ネット連携状況" in page and "都道府県サーバ（本人確認情報）" in page
    assert "相手先が保守中または障害中" in page and 'data-shortcut="Alt+S"' in page
    assert "受信一覧" not in page, "the batch operator reads no names"
    telegram = Telegram.objects.get()
    response = client.post(f"/jukinet/telegrams/{telegram.pk}/retry/")
    assert response.status_code == 302
    telegram.refresh_from_db()
    assert telegram.next_attempt_at is not None and telegram.next_attempt_at <= timezone.now()
    assert client.get("/jukinet/received/").status_code == 403
    assert client.get("/jukinet/sent/?day=R8.13.1").status_code == 200, "a bad date is reported, not a crash"

    client.post("/accounts/logout/")
    assert log_in(client, counter).get("/jukinet/").status_code == 403, "the counter has no run_batch"


@pytest.mark.spec("7.1.1.1", partial=True)
def test_the_sent_list_groups_the_days_telegrams_by_destination_and_kind(
    counter: User, reviewer: User, batch: User, key_dir: Path, prefecture: RunningSimulator
) -> None:
    _move_in(counter, reviewer, "一郎")
    _move_in(counter, reviewer, "二郎")
    build_from_outbox()
    send_pending()
    groups = operator.sent_list(batch, timezone.localdate())
    assert [(g.destination_label, g.kind_label, [t.seq for t in g.lines]) for g in groups] == [
        ("都道府県サーバ（本人確認情報）", "本人確認情報更新", [1, 2])
    ]
    assert operator.sent_list(batch, timezone.localdate() - timedelta(days=1)) == []


def _moved_out(counter: User, reviewer: User) -> Resident:
    atena_no = _move_in(counter, reviewer, "三郎")
    destination = {"address": "東京都港区芝公園4丁目2番8号", "postcode": "1050011"}
    data = {"atena_nos": [atena_no], "effective": "R8.12.10", "notified_on": "R8.11.26", "destination": destination}
    final("move_out", data, counter, reviewer)
    return Resident.objects.get(atena_no=atena_no)


@pytest.mark.spec("4.1.3.1.2", "7.1.1.1", partial=True)
def test_an_unmatched_notice_is_assigned_to_a_removed_person_by_hand(
    counter: User, reviewer: User, key_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    resident = _moved_out(counter, reviewer)
    living = _move_in(counter, reviewer, "四郎")
    stored = receive_move_in_notice(
        {
            "idempotency_key": "municipality:112194:minato:9",
            "from_municipality_code": "131032",
            "resident_code": "",
            "name": "上尾\u3000三朗",  # 文字化け: no match
            "birth_text": resident.birth_text,
            "sex": resident.sex,
            "moved_in_on": "2026-12-12",
            "address": "東京都港区芝公園四丁目2番8号",
        }
    )
    assert stored.state == ReceivedMoveInNotice.State.UNMATCHED
    staff = make_operator("jukitan", "住基 担当", roles=("窓口入力", "バッチ運用"))

    errors = operator.received_list(staff, errors_only=True)
    assert [(e.name, e.error_text) for e in errors] == [("上尾\u3000三朗", operator.NOTICE_ERRORS["notice.no_match"])]
    assert AccessLog.objects.filter(purpose="jukinet.received_list").count() == 1
    with pytest.raises(DomainError) as no_view:
        operator.received_list(make_operator("b2", "運用", roles=("バッチ運用",)), errors_only=True)
    assert no_view.value.code == "auth.forbidden"

    with pytest.raises(DomainError) as current:
        operator.assign_notice(staff, stored.pk, living)
    assert current.value.code == "notice.not_removed"
    operator.assign_notice(staff, stored.pk, resident.atena_no)
    stored.refresh_from_db()
    assert stored.state == ReceivedMoveInNotice.State.QUEUED and stored.movement is not None
    assert stored.movement.entered_by == staff
    with pytest.raises(DomainError) as own:
        approve_movement(stored.movement, by=staff)
    assert own.value.code in ("auth.forbidden", "movement.self_approval")
    approve_movement(stored.movement, by=reviewer)
    stored.refresh_from_db()
    after = Resident.objects.get(atena_no=resident.atena_no)
    assert stored.state == ReceivedMoveInNotice.State.APPLIED and stored.history_no == after.history_no
    assert after.confirmed_destination == "東京都港区芝公園四丁目2番8号" and after.move_in_notice_on is not None
    log = OperationLog.objects.get(action="jukinet.move_in_notice_assigned")
    assert log.target_id == resident.atena_no and log.movement_id == stored.movement.movement_no
    with pytest.raises(DomainError) as again:
        operator.assign_notice(staff, stored.pk, resident.atena_no)
    assert again.value.code == "notice.not_unmatched"
    assert operator.received_list(staff, errors_only=True) == []
    assert resident.resident_code not in caplog.text
