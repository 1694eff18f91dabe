"""「異動事由を変更しての再送」 with item 30 異常時更新順番号 (spec 7.1.1.1), over real HTTP against the
都道府県サーバ simulator: the prefecture refuses a 本人確認情報 whose 異動事由 contradicts what it
holds; an operator replaces it by a telegram with another 異動事由 that names the refused 更新順番号;
the refused one is superseded (never sent again) and the queue continues behind the replacement."""

from __future__ import annotations

import json
import threading
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import connection
from django.test import Client
from django.utils import timezone
from peers.prefecture import PrefectureBook, RunningSimulator, make_server, start
from peers.prefecture.server import write_public

from jumin.accounts.models import User
from jumin.audit.models import OperationLog
from jumin.core.errors import DomainError
from jumin.jukinet import operator
from jumin.jukinet.dispatch import PrefectureClient, send_pending
from jumin.jukinet.models import IdentityRecord, Telegram
from jumin.jukinet.reconciliation import Stamper
from jumin.jukinet.resend import REFUSAL, reason_choices, resend_with_reason
from jumin.jukinet.retention import purge_identity_records
from jumin.jukinet.services import build_from_outbox
from jumin.linkage import signing
from jumin.linkage.client import DeliveryError
from tests.conftest import log_in, make_operator
from tests.registry.conftest import final, move_in_data, person

pytestmark = pytest.mark.spec("7.1.1.1", partial=True)


def _control(simulator: RunningSimulator, **changes: Any) -> None:
    request = urllib.request.Request(simulator.url + "/control", data=json.dumps(changes).encode(), method="POST")
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=5):
        pass


def _kid() -> str:
    return signing.key_id(signing.own_key().public_key())


def _move_in(counter: User, reviewer: User, given: str) -> str:
    return final("move_in", move_in_data(person(given_name=given)), counter, reviewer).items.get().atena_no


def _held_current(book: PrefectureBook, atena_no: str) -> None:
    """The prefecture already holds the person 現存 (e.g. from its copy): our 転入 (記載) contradicts it."""
    code = IdentityRecord.objects.get(atena_no=atena_no).resident_code
    book.records[code] = {"resident_code": code, "record_status": "current", "reason": "birth"}


@pytest.fixture
def resender(db: None) -> User:
    return make_operator("resender", "住基 担当", roles=("バッチ運用", "窓口入力"))


def _refused_first(counter: User, reviewer: User, prefecture: RunningSimulator) -> tuple[str, str]:
    """Two 転入; the prefecture holds the first person 現存 and refuses telegram 1 for its 異動事由."""
    first, second = _move_in(counter, reviewer, "一郎"), _move_in(counter, reviewer, "二郎")
    build_from_outbox()
    _held_current(prefecture.book, first)
    result = send_pending()
    assert (result.sent, result.failed, result.blocked) == (0, 1, {"prefecture": 1})
    refused = Telegram.objects.get(seq=1)
    assert refused.state == Telegram.State.FAILED and refused.last_error == REFUSAL
    assert Telegram.objects.get(seq=2).attempts == 0, "nothing overtakes the refused telegram"
    return first, second


def test_a_telegram_refused_for_its_reason_is_replaced_and_the_queue_continues(
    counter: User, reviewer: User, resender: User, prefecture: RunningSimulator
) -> None:
    first, _second = _refused_first(counter, reviewer, prefecture)
    refused = Telegram.objects.get(seq=1)
    # sending it again unchanged is refused again (the number stays open at the prefecture)
    later = timezone.now() + timedelta(hours=2)
    assert send_pending(now=later).blocked == {"prefecture": 1}
    assert Telegram.objects.get(seq=1).last_error == REFUSAL

    replacement = resend_with_reason(resender, refused.pk, "ex_officio_correction")

    assert (replacement.seq, replacement.slot, replacement.replaces_id) == (3, 1, refused.pk)
    assert replacement.body["error_update_seq"] == 1 and replacement.body["update_seq"] == 3
    assert replacement.body["reason"] == "ex_officio_correction"
    assert replacement.body["reason_detail"] == "amend:notification"
    refused.refresh_from_db()
    assert refused.state == Telegram.State.SUPERSEDED and refused.body["reason"] == "domestic_move_in"
    record = IdentityRecord.objects.get(atena_no=first)
    assert (record.update_seq, record.error_update_seq, record.reason) == (3, 1, "ex_officio_correction")
    assert record.digest == Stamper().of(record), "the 整合性確認 digest follows the changed record"
    log = OperationLog.objects.get(action="jukinet.resent_with_reason")
    assert log.target_id == "prefecture#1"
    assert log.after["error_update_seq"] == 1 and log.before["reason"] == "domestic_move_in"
    assert record.resident_code not in json.dumps([log.before, log.after, log.target_id])

    result = send_pending(now=later)
    assert (result.sent, result.failed, result.blocked) == (2, 0, {})
    assert prefecture.book.sequence(_kid()) == [3, 2], "the replacement went first, in the refused one's place"
    held = prefecture.book.records[record.resident_code]
    assert (held["reason"], held["error_update_seq"], held["update_seq"]) == ("ex_officio_correction", 1, 3)
    assert prefecture.book.last_seq(_kid()) == 3
    assert Telegram.objects.get(seq=1).state == Telegram.State.SUPERSEDED
    assert Telegram.objects.get(seq=1).attempts == 2, "the superseded telegram is never sent again"
    Telegram.objects.filter(seq=1).update(state=Telegram.State.FAILED)  # even if its state were lost
    assert send_pending(now=later + timedelta(hours=2)).sent == 0
    assert Telegram.objects.get(seq=1).attempts == 2
    Telegram.objects.filter(seq=1).update(state=Telegram.State.SUPERSEDED)

    _move_in(counter, reviewer, "三郎")  # the next 更新順番号 (4) follows: the prefecture skips 3
    build_from_outbox()
    assert send_pending(now=later).sent == 1
    assert prefecture.book.sequence(_kid()) == [3, 2, 4]
    assert prefecture.book.records[Telegram.objects.get(seq=4).body["resident_code"]]["error_update_seq"] is None


def test_a_failure_recorded_after_the_resend_does_not_undo_it(
    counter: User, reviewer: User, resender: User, prefecture: RunningSimulator
) -> None:
    """The dispatcher read the telegram before the operator superseded it and reports its failure after."""
    _refused_first(counter, reviewer, prefecture)
    on_the_wire = Telegram.objects.get(seq=1)
    resend_with_reason(resender, on_the_wire.pk, "ex_officio_correction")
    on_the_wire.mark_failed("unavailable", timezone.now())
    stored = Telegram.objects.get(seq=1)
    assert (stored.state, stored.last_error, stored.attempts) == ("superseded", REFUSAL, 1)
    assert on_the_wire.state == Telegram.State.SUPERSEDED


def test_item_30_is_in_every_telegram_and_null_unless_a_replacement(
    counter: User, reviewer: User, prefecture: RunningSimulator
) -> None:
    atena_no = _move_in(counter, reviewer, "一郎")
    build_from_outbox()
    telegram = Telegram.objects.get()
    assert "error_update_seq" in telegram.body and telegram.body["error_update_seq"] is None
    telegram.body.pop("error_update_seq")  # a telegram queued before item 30 was sent
    telegram.save(update_fields=["body"])
    assert send_pending().sent == 1
    code = IdentityRecord.objects.get(atena_no=atena_no).resident_code
    received = prefecture.book.records[code]
    assert "error_update_seq" in received and received["error_update_seq"] is None


def test_a_double_resend_is_refused_with_a_stable_code(
    counter: User, reviewer: User, resender: User, prefecture: RunningSimulator
) -> None:
    _refused_first(counter, reviewer, prefecture)
    refused = Telegram.objects.get(seq=1)
    replacement = resend_with_reason(resender, refused.pk, "ex_officio_correction")
    with pytest.raises(DomainError) as twice:
        resend_with_reason(resender, refused.pk, "minor_correction")
    assert twice.value.code == "jukinet.already_superseded"
    with pytest.raises(DomainError) as pending:  # the replacement is not refused (yet)
        resend_with_reason(resender, replacement.pk, "minor_correction")
    assert pending.value.code == "jukinet.not_reason_refused"
    assert Telegram.objects.count() == 3
    assert OperationLog.objects.filter(action="jukinet.resent_with_reason").count() == 1


def test_a_refused_replacement_can_be_replaced_again(
    counter: User, reviewer: User, resender: User, prefecture: RunningSimulator
) -> None:
    _refused_first(counter, reviewer, prefecture)
    # a 職権記載 is a 記載 too: the prefecture refuses the replacement for the same reason
    replacement = resend_with_reason(resender, Telegram.objects.get(seq=1).pk, "ex_officio_add")
    later = timezone.now() + timedelta(hours=2)
    assert send_pending(now=later).blocked == {"prefecture": 3}
    assert Telegram.objects.get(pk=replacement.pk).last_error == REFUSAL
    again = resend_with_reason(resender, replacement.pk, "clerical_correction")
    assert (again.seq, again.slot, again.body["error_update_seq"]) == (4, 1, 3)
    assert send_pending(now=later).sent == 2
    assert prefecture.book.sequence(_kid()) == [4, 2]
    assert set(Telegram.objects.values_list("state", flat=True)) == {"superseded", "sent"}
    _move_in(counter, reviewer, "三郎")  # 5 follows: the refused replacement's number 3 is closed
    build_from_outbox()
    assert send_pending(now=later).sent == 1 and prefecture.book.last_seq(_kid()) == 5


def test_the_150_year_purge_takes_the_superseded_telegrams_with_their_record(
    counter: User, reviewer: User, resender: User, prefecture: RunningSimulator
) -> None:
    first, _second = _refused_first(counter, reviewer, prefecture)
    replacement = resend_with_reason(resender, Telegram.objects.get(seq=1).pk, "ex_officio_correction")
    assert send_pending().sent == 2
    IdentityRecord.objects.filter(atena_no=first).update(superseded_at=timezone.now())  # a later notification
    result = purge_identity_records(timezone.localdate() + timedelta(days=366 * 151))
    assert (result.superseded, result.telegrams, result.kept_unsent) == (1, 2, 0)
    assert not Telegram.objects.filter(pk__in=(replacement.pk, replacement.replaces_id)).exists()


def test_an_outage_in_the_middle_of_a_resend(
    counter: User,
    reviewer: User,
    resender: User,
    key_dir: Path,
    prefecture_key: Ed25519PrivateKey,
    settings: Any,
) -> None:
    book = PrefectureBook()
    ours = signing.own_key().public_key()
    write_public(key_dir / signing.PEER_PUBLIC, prefecture_key.public_key())
    simulator = start(make_server(key=prefecture_key, client_key=ours, book=book))
    port = simulator.server.server_address[1]
    settings.JUMIN_PREFECTURE_URL, settings.JUMIN_PREFECTURE_TIMEOUT = simulator.url, 2.0
    try:
        first, _second = _refused_first(counter, reviewer, simulator)
        resend_with_reason(resender, Telegram.objects.get(seq=1).pk, "ex_officio_correction")
        simulator.stop()  # the prefecture server goes down right after the re-send
        now = timezone.now()
        down = send_pending(now=now)
        assert (down.sent, down.failed, down.blocked) == (0, 1, {"prefecture": 3})
        assert Telegram.objects.get(seq=3).last_error == "unavailable"
        assert Telegram.objects.get(seq=2).attempts == 0, "nothing overtakes the replacement"

        simulator = start(make_server(port=port, key=prefecture_key, client_key=ours, book=book))  # back up
        _control(simulator, tamper_responses=True)  # it stores the replacement, its answer is lost
        later = now + timedelta(hours=2)
        assert send_pending(now=later).blocked == {"prefecture": 3}
        assert Telegram.objects.get(seq=3).last_error == "peer_bad_signature"
        assert book.sequence(_kid()) == [3], "the prefecture did take the replacement"

        _control(simulator, tamper_responses=False)
        result = send_pending(now=later + timedelta(hours=2))
        assert (result.sent, result.failed) == (2, 0)
        assert Telegram.objects.get(seq=3).last_error == "already_received", "not applied twice"
        assert book.sequence(_kid()) == [3, 2]
        code = IdentityRecord.objects.get(atena_no=first).resident_code
        assert book.records[code]["reason"] == "ex_officio_correction"
    finally:
        simulator.stop()


def _body(seq: int, key: str, **more: Any) -> dict[str, Any]:
    body = {"update_seq": seq, "idempotency_key": key, "resident_code": "12345678901", "name": "n", "birth_text": "b"}
    body |= {"sex": "1", "address": "a", "reason": "domestic_move_in", "reason_detail": "add:notification"}
    return body | {"record_status": "current"} | more


def _refusal(client: PrefectureClient, body: dict[str, Any]) -> str:
    with pytest.raises(DeliveryError) as refused:
        client.send(body)
    return str(refused.value.code)


def test_the_prefecture_refuses_a_replacement_naming_a_number_it_never_refused(
    key_dir: Path, prefecture: RunningSimulator
) -> None:
    client = PrefectureClient(prefecture.url)
    assert client.send(_body(1, "k1")) == "accepted"  # held 現存 from now on
    assert _refusal(client, _body(2, "k2", error_update_seq=1)) == "rejected:not_refused", "1 was accepted"
    assert _refusal(client, _body(2, "k2", error_update_seq=7)) == "rejected:not_refused", "7 was never sent"
    assert _refusal(client, _body(2, "k2", error_update_seq="1")) == "rejected:bad_request"
    assert _refusal(client, _body(2, "k2")) == "rejected:reason_mismatch"  # a second 記載 of a 現存 person
    assert _refusal(client, _body(2, "other")) == "rejected:conflict", "2 is kept for its telegram"
    assert _refusal(client, _body(4, "k4", error_update_seq=2)) == "rejected:reason_mismatch", "still a 記載"
    amend = {"reason": "ex_officio_correction", "reason_detail": "amend:ex_officio"}
    assert client.send(_body(3, "k3", error_update_seq=2, **amend)) == "accepted"
    assert _refusal(client, _body(5, "k5", error_update_seq=2, **amend)) == "rejected:already_replaced"
    assert _refusal(client, _body(5, "k5", error_update_seq=4, **amend)) == "rejected:already_replaced"
    assert _refusal(client, _body(2, "k2")) == "rejected:conflict", "the replaced number is closed"
    assert client.send(_body(3, "k3", error_update_seq=2, **amend)) == "already_received"
    assert _refusal(client, _body(4, "k4", **amend)) == "rejected:conflict", "the refused replacement is closed"
    assert _refusal(client, _body(6, "k6", **amend)) == "rejected:gap"
    assert client.send(_body(5, "k5", **amend)) == "accepted"
    death = {"reason": "death", "record_status": "removed"}
    assert client.send(_body(6, "k6", reason_detail="remove:notification", **death)) == "accepted"
    removed_again = _refusal(client, _body(7, "k7", reason_detail="remove:ex_officio", **death))
    assert removed_again == "rejected:reason_mismatch", "a 消除 of a person held 消除"
    assert prefecture.book.sequence(_kid()) == [1, 3, 5, 6] and prefecture.book.last_seq(_kid()) == 6


def test_refusals_of_the_operator_action(
    counter: User, reviewer: User, resender: User, prefecture: RunningSimulator
) -> None:
    _refused_first(counter, reviewer, prefecture)
    refused = Telegram.objects.get(seq=1)
    batch_only = make_operator("batch", "運用 担当", roles=("バッチ運用",))
    cases = [
        (batch_only, refused.pk, "minor_correction", "auth.forbidden"),
        (resender, 999_999, "minor_correction", "jukinet.telegram_not_found"),
        (resender, refused.pk, "domestic_move_in", "jukinet.reason_unchanged"),
        (resender, refused.pk, "no_such_reason", "reason.unknown"),
        (resender, refused.pk, "alias_record", "jukinet.reason_not_for_person"),  # 通称: foreign residents
        (resender, Telegram.objects.get(seq=2).pk, "minor_correction", "jukinet.not_reason_refused"),
    ]
    for user, telegram_id, reason, code in cases:
        with pytest.raises(DomainError) as error:
            resend_with_reason(user, telegram_id, reason)
        assert error.value.code == code
    Telegram.objects.filter(seq=2).update(kind=Telegram.Kind.MOVE_IN_NOTICE)
    with pytest.raises(DomainError) as kind:
        resend_with_reason(resender, Telegram.objects.get(seq=2).pk, "minor_correction")
    assert kind.value.code == "jukinet.reason_change_not_applicable"
    assert Telegram.objects.get(seq=1).state == Telegram.State.FAILED and Telegram.objects.count() == 2
    assert not OperationLog.objects.filter(action="jukinet.resent_with_reason").exists()
    assert {c.code for c in reason_choices("japanese")} >= {"ex_officio_correction"}
    assert "alias_record" not in {c.code for c in reason_choices("japanese")}


def test_the_screen_offers_the_resend_to_who_may_do_it(
    counter: User, reviewer: User, resender: User, prefecture: RunningSimulator, enrolled_client: Client
) -> None:
    _refused_first(counter, reviewer, prefecture)
    refused = Telegram.objects.get(seq=1)
    lines = {line.seq: line for line in operator.telegrams(resender)}
    assert lines[1].resendable and not lines[2].resendable
    batch_only = make_operator("batch", "運用 担当", roles=("バッチ運用",))
    client = log_in(enrolled_client, batch_only)
    page = client.get("/jukinet/").content.decode()
    assert 'data-testid="resend-1"' not in page and "異動入力の権限が必要です" in page
    forbidden = client.post(f"/jukinet/telegrams/{refused.pk}/resend/", {"reason": "minor_correction"})
    assert forbidden.status_code == 403
    client.post("/accounts/logout/")

    client = log_in(client, resender)
    page = client.get("/jukinet/").content.decode()
    assert 'data-testid="resend-1"' in page and "変更後の異動事由" in page
    answer = client.post(f"/jukinet/telegrams/{refused.pk}/resend/", {"reason": "minor_correction"}, follow=True)
    assert "更新順番号 3（異常時更新順番号 1）" in answer.content.decode()
    again = client.post(f"/jukinet/telegrams/{refused.pk}/resend/", {"reason": "minor_correction"}, follow=True)
    assert "既に異動事由を変更して再送されています" in again.content.decode()
    listed = client.get("/jukinet/?state=superseded").content.decode()
    assert "再送により置換" in listed
    send_pending()
    day_list = client.get("/jukinet/sent/").content.decode()
    assert "3（異常時更新順番号 1）" in day_list


@pytest.mark.django_db(transaction=True)
def test_two_operators_resending_at_once_make_one_replacement(
    counter: User, reviewer: User, resender: User, prefecture: RunningSimulator
) -> None:
    """PostgreSQL: the second re-send waits for the first one's row lock, then hears 二重再送."""
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL row locks")
    _refused_first(counter, reviewer, prefecture)
    refused_id = Telegram.objects.get(seq=1).pk
    barrier, lock = threading.Barrier(2), threading.Lock()
    made: list[int] = []
    codes: list[str] = []

    def resend(reason: str) -> None:
        try:
            barrier.wait(timeout=10)
            made.append(resend_with_reason(resender, refused_id, reason).seq)
        except DomainError as error:
            with lock:
                codes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=resend, args=(r,)) for r in ("ex_officio_correction", "minor_correction")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert (made, codes) == ([3], ["jukinet.already_superseded"])
    assert Telegram.objects.filter(replaces_id=refused_id).count() == 1
    assert OperationLog.objects.filter(action="jukinet.resent_with_reason").count() == 1
