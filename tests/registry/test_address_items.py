"""The planners keep the 番地 and 方書 of every address item (issue 14 item 1; spec 1.1.1, 1.1.5):
転入 (30条の46 too), 転居, 転出, 職権消除, the 転出証明書 sent and read back, 本人確認情報."""

from __future__ import annotations

import pytest

from jumin.accounts.models import User
from jumin.jukinet.models import ReceivedMoveOutCertificate
from jumin.jukinet.move_out_certificates import certificate_body, entry_initial
from jumin.jukinet.services import _full_address
from jumin.protection.queries import _people
from jumin.registry.inspection import _line
from jumin.registry.models import Resident, ResidentHistory
from tests.registry.conftest import final, move_in_data, person
from tests.registry.test_foreign_movements import article_data, foreigner

pytestmark = pytest.mark.db

HERE = {"address": "埼玉県上尾市平塚三丁目", "banchi": "2番1号", "katagaki": "グリーンハイツ101"}
BEFORE = {"address": "東京都千代田区千代田", "banchi": "1番1号", "katagaki": "千代田ハイツ202"}
THERE = {"address": "東京都港区芝公園四丁目", "banchi": "2番8号", "katagaki": "芝公園タワー5階", "postcode": "1050011"}


def _moved_in(counter: User, reviewer: User) -> Resident:
    final("move_in", move_in_data(person(), address=HERE, previous_address=BEFORE), counter, reviewer)
    return Resident.objects.get(surname="上尾", given_name="太郎")


@pytest.mark.spec("1.1.1", "4.1.1.1")
def test_a_move_in_keeps_the_banchi_and_katagaki_of_both_addresses(counter: User, reviewer: User) -> None:
    resident = _moved_in(counter, reviewer)
    assert (resident.address, resident.banchi, resident.katagaki) == tuple(HERE.values())
    assert (resident.previous_address, resident.previous_banchi, resident.previous_katagaki) == tuple(BEFORE.values())
    assert resident.household.banchi == "2番1号"
    assert _full_address(ResidentHistory.objects.get(atena_no=resident.atena_no)) == "埼玉県上尾市平塚三丁目2番1号"
    # the 閲覧 extract line and the 支援措置 lists show 住所+番地 and the 方書
    full = "埼玉県上尾市平塚三丁目2番1号\u3000グリーンハイツ101"
    assert _line(resident).address == full
    assert _people([resident.atena_no])[resident.atena_no].address == full


@pytest.mark.spec("4.5.1")
def test_an_article_30_46_move_in_keeps_the_banchi_and_katagaki_of_a_previous_address(
    counter: User, reviewer: User
) -> None:
    final("article_30_46", article_data(foreigner(), previous_address=BEFORE), counter, reviewer)
    resident = Resident.objects.get()
    assert (resident.previous_banchi, resident.previous_katagaki) == ("1番1号", "千代田ハイツ202")


@pytest.mark.spec("1.1.5", "4.1.3.0.2", "20.2.1")
def test_a_move_out_keeps_the_banchi_and_katagaki_of_the_destination(counter: User, reviewer: User) -> None:
    resident = _moved_in(counter, reviewer)
    data = {"atena_nos": [resident.atena_no], "effective": "R8.11.28", "notified_on": "R8.11.28", "destination": THERE}
    final("move_out", data, counter, reviewer)
    removed = Resident.objects.get(atena_no=resident.atena_no)
    assert (removed.destination, removed.destination_banchi, removed.destination_katagaki) == (
        "東京都港区芝公園四丁目",
        "2番8号",
        "芝公園タワー5階",
    )
    # the 転出証明書情報 carries both addresses with their 番地; the 転入 screen is pre-filled from it
    row = ResidentHistory.objects.get(atena_no=resident.atena_no, history_no=removed.history_no)
    body = certificate_body(row, "131032")
    assert body["address"] == "埼玉県上尾市平塚三丁目2番1号" and body["katagaki"] == "グリーンハイツ101"
    assert body["destination"] == "東京都港区芝公園四丁目2番8号" and body["destination_katagaki"] == "芝公園タワー5階"
    initial = entry_initial([ReceivedMoveOutCertificate(payload=body)])
    assert initial["previous"]["address"] == "埼玉県上尾市平塚三丁目2番1号"
    assert initial["previous"]["katagaki"] == "グリーンハイツ101"
    assert initial["address"]["address"] == "東京都港区芝公園四丁目2番8号"
    assert initial["address"]["katagaki"] == "芝公園タワー5階"


@pytest.mark.spec("4.2.0.1")
def test_an_ex_officio_removal_keeps_the_banchi_and_katagaki_of_a_known_destination(
    counter: User, reviewer: User
) -> None:
    resident = _moved_in(counter, reviewer)
    data = {
        "atena_nos": [resident.atena_no],
        "effective": "R8.11.28",
        "notified_on": "R8.11.30",
        "grounds": "実態調査の結果、転出先が判明",
        "destination": THERE,
    }
    final("ex_officio_removal", data, counter, reviewer)
    removed = Resident.objects.get(atena_no=resident.atena_no)
    assert (removed.destination_banchi, removed.destination_katagaki) == ("2番8号", "芝公園タワー5階")
