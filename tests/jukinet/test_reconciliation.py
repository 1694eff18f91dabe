"""整合性確認 (spec 7.1.1.2; assessment system 2, function 6) and the initial load of the
本人確認情報 file, against the 都道府県サーバ simulator over real HTTP."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from peers.prefecture import RunningSimulator
from peers.prefecture import reconciliation as peer_side
from peers.prefecture.reconciliation import load_copy

from jumin.accounts.models import User
from jumin.audit.models import OperationLog
from jumin.core.errors import DomainError
from jumin.jukinet.bench import _copy
from jumin.jukinet.dispatch import send_pending
from jumin.jukinet.initial_load import initial_load, missing_count
from jumin.jukinet.models import IdentityRecord, RecordStatus, Telegram
from jumin.jukinet.reconciliation import (
    ITEMS,
    ORDER,
    current_digests,
    key_id,
    reconcile,
    reconciliation_key,
    refresh_digests,
)
from jumin.jukinet.services import build_from_outbox
from jumin.registry.models import Resident
from tests.registry.conftest import final, move_in_data, person

NUMBER = "123456789018"


def _family(counter: User, reviewer: User, surname: str = "上尾", street: int = 1) -> None:
    data = move_in_data(
        person(surname=surname, individual_number=NUMBER if street == 1 else ""),
        person(surname=surname, given_name="花子", furigana_given_name="ハナコ", sex="2", relationship="妻"),
        address={"address": f"埼玉県上尾市本町三丁目{street}番1号", "postcode": "3620014"},
    )
    final("move_in", data, counter, reviewer)


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_both_sides_compare_the_same_items() -> None:
    assert set(ITEMS) == set(peer_side.ITEMS) and len(ITEMS) == len(peer_side.ITEMS)
    assert ORDER == peer_side.ORDER
    assert "individual_number" in ITEMS and "resident_code" in ITEMS


@pytest.mark.spec("7.1.1.2")
def test_reconciliation_finds_each_kind_of_difference_and_which_items(
    counter: User, reviewer: User, prefecture: RunningSimulator, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    prefecture.book.reconciliation_key = reconciliation_key()
    _family(counter, reviewer)
    _family(counter, reviewer, surname="原市", street=2)
    build_from_outbox()
    assert send_pending().sent == 4

    agreed = reconcile(part_bytes=150)  # several parts even for four records
    assert agreed.records == 4 and agreed.parts > 1
    assert agreed.counts == {"only_at_cs": 0, "only_at_prefecture": 0, "differs": 0}
    assert agreed.report is not None and _rows(agreed.report) == [["宛名番号", "種別", "相違項目"]]

    records = list(IdentityRecord.objects.order_by("resident_code"))
    numbered = next(r for r in records if r.individual_number_ct)
    others = [r for r in records if r is not numbered]
    book = prefecture.book.records
    book[numbered.resident_code] = {**book[numbered.resident_code], "individual_number": "000000000000"}
    book[others[0].resident_code] = {**book[others[0].resident_code], "address": "埼玉県上尾市原市1番地"}
    del book[others[1].resident_code]
    book["99999999990"] = {**book[others[2].resident_code], "resident_code": "99999999990"}

    result = reconcile()

    assert result.counts == {"only_at_cs": 1, "only_at_prefecture": 1, "differs": 2}
    assert result.detailed == 2
    rows = {tuple(row) for row in _rows(result.report)[1:]} if result.report else set()
    assert rows == {
        (numbered.atena_no, "内容相違", "個人番号"),
        (others[0].atena_no, "内容相違", "住所"),
        (others[1].atena_no, "市町村CSのみ", ""),
        ("不明", "都道府県サーバのみ", ""),
    }
    text = result.report.read_text(encoding="utf-8") if result.report else ""
    logged = caplog.text + text + str(list(OperationLog.objects.values_list("after", flat=True)))
    for record in records:
        assert record.resident_code not in logged
    assert NUMBER not in logged and "99999999990" not in logged
    log = OperationLog.objects.filter(action="jukinet.reconciled").order_by("-id").first()
    assert log is not None and log.after["differs"] == 2 and log.after["records"] == 4


@pytest.mark.spec("7.1.1.2")
def test_a_tampered_answer_or_no_prefecture_is_an_error(
    counter: User, reviewer: User, prefecture: RunningSimulator, settings: Any
) -> None:
    _family(counter, reviewer)
    build_from_outbox()
    prefecture.book.faults.tamper_responses = True
    with pytest.raises(DomainError) as raised:
        reconcile()
    assert "peer_bad_signature" in raised.value.message
    settings.JUMIN_PREFECTURE_URL = ""
    with pytest.raises(DomainError):
        reconcile()


@pytest.mark.spec("7.1.1.1", "7.1.1.2", partial=True)
def test_initial_load_builds_the_file_without_telegrams_and_the_copy_reconciles(
    counter: User, reviewer: User, prefecture: RunningSimulator, tmp_path: Path
) -> None:
    _family(counter, reviewer)
    _family(counter, reviewer, surname="原市", street=2)
    assert missing_count() == 4 and not IdentityRecord.objects.exists()

    loaded = initial_load()

    assert (loaded.created, loaded.current, loaded.removed) == (4, 4, 0)
    assert not Telegram.objects.exists(), "the prefecture gets its initial copy out of band"
    for resident in Resident.objects.all():
        record = IdentityRecord.objects.get(atena_no=resident.atena_no)
        assert record.history_no == resident.history_no and record.resident_code == resident.resident_code
        assert record.individual_number_ct == resident.individual_number_ct
        assert record.request_no == f"initial:{resident.atena_no}:{resident.history_no}"
        assert record.record_status == RecordStatus.CURRENT and record.superseded_at is None
        assert record.operator_id == counter.username and record.name == resident.name
    assert sorted(IdentityRecord.objects.values_list("update_seq", flat=True)) == [1, 2, 3, 4]
    assert initial_load().created == 0 and missing_count() == 0
    assert OperationLog.objects.filter(action="jukinet.initial_load").count() == 2

    key = reconciliation_key()
    prefecture.book.reconciliation_key = key
    copy = tmp_path / "copy.ndjson"
    assert _copy(copy, 0) == {"only_at_cs": 0, "differs": 0, "only_at_prefecture": 0}
    prefecture.book.copy = load_copy(copy, key)
    assert reconcile().differences == 0

    # the first telegram after the initial load carries the next 更新順番号 and is accepted
    _family(counter, reviewer, surname="平方", street=3)
    assert build_from_outbox().built == 2
    assert send_pending().sent == 2
    result = reconcile()
    assert result.records == 6 and result.differences == 0


def test_the_copy_file_plants_each_kind(counter: User, reviewer: User, key_dir: Path, tmp_path: Path) -> None:
    for street in range(1, 5):
        _family(counter, reviewer, surname=f"試験{street}", street=street)
    initial_load()
    planted = _copy(tmp_path / "copy.ndjson", 2)
    assert planted == {"only_at_cs": 2, "differs": 2, "only_at_prefecture": 2}
    lines = (tmp_path / "copy.ndjson").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 8 - 2 + 2


@pytest.mark.spec("7.1.1.2")
def test_the_commands(
    counter: User, reviewer: User, prefecture: RunningSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.core.management import call_command

    _family(counter, reviewer)
    call_command("jukinet", "initial-load")
    assert "本人確認情報を2件作成しました" in capsys.readouterr().out
    prefecture.book.reconciliation_key = reconciliation_key()
    call_command("jukinet", "reconcile")
    out = capsys.readouterr().out
    assert "2件を照合しました" in out and "内容相違 0件" in out and "市町村CSのみ 2件" in out
    call_command("jukinet", "purge-identity")
    assert "修正前 0件" in capsys.readouterr().out


@pytest.mark.spec("7.1.1.2", partial=True)
def test_stored_digests_equal_computed_ones_and_a_mixed_file_streams_in_order(
    counter: User, reviewer: User, key_dir: Path
) -> None:
    """Each record stores its digest when written (build and initial load); the stream merges
    stored and computed digests in 住民票コード order and gives the same result either way, also
    after a key rotation (the stored ones are then recomputed)."""
    for surname, street in (("上尾", 1), ("原市", 2), ("平方", 3)):
        _family(counter, reviewer, surname=surname, street=street)
    build_from_outbox()
    key = reconciliation_key()
    prefix = key_id(key) + ":"
    assert all(d.startswith(prefix) for d in IdentityRecord.objects.values_list("digest", flat=True))
    stored = list(current_digests(key))
    assert [code for code, _ in stored] == sorted(code for code, _ in stored) and len(stored) == 6
    # half of the rows lose their digest (rows written before the upgrade): same stream
    half = list(IdentityRecord.objects.order_by("id").values_list("id", flat=True))[::2]
    IdentityRecord.objects.filter(id__in=half).update(digest="")
    assert list(current_digests(key)) == stored
    assert refresh_digests(key) == 3 and refresh_digests(key) == 0
    assert list(current_digests(key)) == stored
    # another key: nothing stored matches it, everything is computed, and refreshed on request
    other = b"k" * 32
    computed = list(current_digests(other))
    assert computed != stored and [c for c, _ in computed] == [c for c, _ in stored]
    assert refresh_digests(other) == 6 and list(current_digests(other)) == computed
