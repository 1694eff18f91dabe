"""本人確認情報 built from 本登録 only, with history (assessment system 2, file (2); spec 7.1.1.1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jumin.accounts.models import User
from jumin.jukinet.models import IdentityRecord, RecordStatus, Telegram
from jumin.jukinet.services import build_from_outbox, gaiji_count
from jumin.linkage.models import OutboxMessage
from jumin.registry.models import ResidentHistory
from jumin.registry.services import discard_movement, enter_movement
from tests.registry.conftest import final, move_in_data, person

NUMBER = "123456789018"


@pytest.mark.spec("7.1.1.1", partial=True)
def test_a_final_move_in_builds_identity_records_and_telegrams(counter: User, reviewer: User, key_dir: Path) -> None:
    data = move_in_data(
        person(individual_number=NUMBER),
        person(given_name="花子", furigana_given_name="ハナコ", sex="2", relationship="妻", birth="昭和57年2月3日"),
    )
    movement = final("move_in", data, counter, reviewer)
    assert IdentityRecord.objects.count() == 0, "nothing before the builder ran"

    result = build_from_outbox()

    assert (result.built, result.failed) == (2, 0)
    records = list(IdentityRecord.objects.order_by("update_seq"))
    telegrams = list(Telegram.objects.order_by("seq"))
    assert [r.update_seq for r in records] == [t.seq for t in telegrams] == [1, 2]
    head = next(r for r in records if r.individual_number_ct)
    row = ResidentHistory.objects.get(atena_no=head.atena_no, history_no=head.history_no)
    assert row.movement_id == movement.pk
    assert head.resident_code == row.resident_code and len(head.resident_code) == 11
    assert head.name == "上尾\u3000太郎" and head.furigana == "アゲオ\u3000タロウ" and head.seion_kana
    assert head.birth_text == row.birth_text and head.sex == "1"
    assert head.municipality_code == "112194" and head.address == row.address + row.banchi
    assert head.previous_address == "東京都千代田区千代田1番1号" and head.reason == "domestic_move_in"
    assert head.individual_number_ct == row.individual_number_ct
    assert head.individual_number_lookup == row.individual_number_lookup
    assert NUMBER not in str(head.__dict__), "the number is sealed, never plain"
    assert head.record_status == RecordStatus.CURRENT and head.superseded_at is None
    assert head.operator_id == counter.username and head.terminal_id == "SHIMIN-1"
    assert head.resident_code_used_on == row.processed_on and head.request_no.startswith("prefecture:jukinet_cs:")
    for telegram in telegrams:
        assert telegram.destination == "prefecture" and telegram.state == Telegram.State.PENDING
        assert "individual_number" not in telegram.body, "the telegram row keeps no 個人番号"
        assert telegram.idempotency_key == telegram.identity.request_no
    assert telegrams[0].body["resident_code"] == records[0].resident_code
    jukinet = OutboxMessage.objects.filter(destination=OutboxMessage.Destination.JUKINET_CS)
    assert set(jukinet.values_list("state", flat=True)) == {OutboxMessage.State.SENT}
    assert OutboxMessage.objects.exclude(destination="jukinet_cs").filter(state="sent").count() == 0

    assert build_from_outbox().built == 0, "consumed once"
    assert Telegram.objects.count() == 2


def test_provisional_and_discarded_movements_build_nothing(counter: User, reviewer: User, key_dir: Path) -> None:
    movement = enter_movement("move_in", move_in_data(person(individual_number=NUMBER)), by=counter)
    assert build_from_outbox().built == 0
    discard_movement(movement, by=counter)
    assert build_from_outbox().built == 0
    assert not IdentityRecord.objects.exists() and not Telegram.objects.exists()


@pytest.mark.spec("7.1.1.1", partial=True)
def test_each_change_adds_a_row_and_keeps_the_previous_one(counter: User, reviewer: User, key_dir: Path) -> None:
    atena_no = final("move_in", move_in_data(), counter, reviewer).items.get().atena_no
    destination = {"address": {"address": "埼玉県上尾市原市1番地", "postcode": "3620021"}}
    final(
        "relocation", {"atena_nos": [atena_no], "effective": "R8.11.25", "destination": destination}, counter, reviewer
    )
    final("death", {"atena_nos": [atena_no], "effective": "R8.11.26"}, counter, reviewer)

    assert build_from_outbox().built == 3

    rows = list(IdentityRecord.objects.filter(atena_no=atena_no).order_by("history_no"))
    assert [r.history_no for r in rows] == [1, 2, 3] and [r.update_seq for r in rows] == [1, 2, 3]
    assert rows[0].superseded_at is not None and rows[1].superseded_at is not None, "修正前 rows kept"
    assert rows[2].superseded_at is None and rows[2].record_status == RecordStatus.REMOVED
    assert rows[1].address.startswith("埼玉県上尾市原市1番地") and rows[0].address.startswith("埼玉県上尾市本町")
    assert len({r.resident_code for r in rows}) == 1 and rows[2].former_resident_code == ""
    assert rows[2].resident_code_used_on == rows[0].resident_code_used_on


def test_builds_are_ordered_by_the_outbox_and_batched(counter: User, reviewer: User, key_dir: Path) -> None:
    for given in ("一郎", "二郎", "三郎"):
        final("move_in", move_in_data(person(given_name=given, furigana_given_name="イチロウ")), counter, reviewer)
    assert build_from_outbox(limit=2).built == 2
    assert build_from_outbox(limit=2).built == 1
    outbox = OutboxMessage.objects.filter(destination="jukinet_cs").order_by("seq")
    by_key = {t.idempotency_key: t.seq for t in Telegram.objects.all()}
    assert [by_key[f"prefecture:{m.idempotency_key}"] for m in outbox] == [1, 2, 3], "outbox order kept"


def test_gaiji_count() -> None:
    assert gaiji_count("上尾　太郎") == 0
    assert gaiji_count("𠮷田　髙志") == 2  # 𠮷 (JIS X 0213) and 髙 (IBM extension) are not in JIS X 0208
    assert gaiji_count("ABC abc 123") == 0
