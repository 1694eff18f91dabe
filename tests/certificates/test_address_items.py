"""Every address item with its 番地 and 方書 (issue 14 item 1; spec 1.1.1, 5.1, 5.4, 20.x): the
住所 box of the certificates, the 転入前住所, a 転居's 異動前住所, the 転出先 and the 統合記載欄,
read back from the real PDFs with pdfplumber; the person and household screens and API."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from jumin.accounts.models import Terminal, User
from jumin.accounts.principal import Principal
from jumin.certificates import queries, services
from jumin.certificates.models import Certifier
from jumin.certificates.services import IssueRequest
from jumin.registry.models import Household, Resident
from tests.certificates.test_issue import clerk, joined, mayor  # noqa: F401  (fixtures)
from tests.conftest import device_cookie, log_in
from tests.registry.conftest import final, move_in_data, person

pytestmark = pytest.mark.db

HERE = {"address": "埼玉県上尾市平塚三丁目", "banchi": "2番1号", "katagaki": "グリーンハイツ101", "postcode": "3620031"}
BEFORE = {"address": "東京都千代田区千代田", "banchi": "1番1号", "katagaki": "千代田ハイツ202", "postcode": "1000001"}


@pytest.fixture
def resident(counter: User, reviewer: User) -> Resident:
    final("move_in", move_in_data(person(), address=HERE, previous_address=BEFORE), counter, reviewer)
    return Resident.objects.get(surname="上尾", given_name="太郎")


def _request(resident: Resident, **overrides: object) -> IssueRequest:
    data: dict[str, object] = {
        "kind": "copy",
        "atena_no": resident.atena_no,
        "route": "self",
        "requester_name": "上尾　太郎",
        "requester_atena_no": resident.atena_no,
        "id_document": "mynumber_card",
        **overrides,
    }
    return IssueRequest(**data)  # type: ignore[arg-type]


@pytest.mark.spec("1.1.1", "5.4", "20.1.1")
def test_the_copy_prints_the_banchi_and_the_katagaki_of_the_address_and_the_previous_address(
    clerk: Principal,  # noqa: F811
    mayor: Certifier,  # noqa: F811
    resident: Resident,
    terminal: Terminal,
) -> None:
    assert resident.address == "埼玉県上尾市平塚三丁目" and resident.banchi == "2番1号"
    body = joined(services.issue(clerk, _request(resident, with_history=True), terminal=terminal).pdfs[0])
    assert "埼玉県上尾市平塚三丁目2番1号" in body and "グリーンハイツ101" in body
    assert "東京都千代田区千代田1番1号千代田ハイツ202" in body  # 転入前住所, and 統合記載欄
    assert "東京都千代田区千代田1番1号千代田ハイツ202から国内転入" in body


@pytest.mark.spec("1.1.1", "20.1.2", "20.1.1")
def test_a_relocation_keeps_the_banchi_and_katagaki_of_the_address_moved_from(
    clerk: Principal,  # noqa: F811
    mayor: Certifier,  # noqa: F811
    resident: Resident,
    counter: User,
    reviewer: User,
    terminal: Terminal,
) -> None:
    final(
        "relocation",
        {
            "atena_nos": [resident.atena_no],
            "effective": "R8.11.25",
            "notified_on": "R8.11.26",
            "destination": {"address": {"address": "埼玉県上尾市原市", "banchi": "1234番地5", "postcode": "3620021"}},
        },
        counter,
        reviewer,
    )
    moved = Resident.objects.get(atena_no=resident.atena_no)
    assert (moved.moved_from_address, moved.moved_from_banchi) == ("埼玉県上尾市平塚三丁目", "2番1号")
    assert moved.moved_from_katagaki == "グリーンハイツ101"
    body = joined(services.issue(clerk, _request(resident, with_history=True), terminal=terminal).pdfs[0])
    assert "埼玉県上尾市原市1234番地5" in body
    assert "異動前住所埼玉県上尾市平塚三丁目2番1号グリーンハイツ101" in body
    assert "埼玉県上尾市平塚三丁目2番1号グリーンハイツ101から転居" in body  # 統合記載欄


@pytest.mark.spec("1.1.5", "4.1.3.0.2", "20.1.3", "20.2.1")
def test_the_removed_copy_prints_the_destination_with_its_banchi_and_katagaki(
    clerk: Principal,  # noqa: F811
    mayor: Certifier,  # noqa: F811
    resident: Resident,
    counter: User,
    reviewer: User,
    terminal: Terminal,
) -> None:
    to = {"address": "東京都港区芝公園四丁目", "banchi": "2番8号", "katagaki": "芝公園タワー5階"}
    final(
        "move_out",
        {
            "atena_nos": [resident.atena_no],
            "effective": "R8.11.28",
            "notified_on": "R8.11.28",
            "destination": to,
        },
        counter,
        reviewer,
    )
    body = joined(services.issue(clerk, _request(resident, kind="removed_copy"), terminal=terminal).pdfs[0])
    assert "埼玉県上尾市平塚三丁目2番1号" in body and "グリーンハイツ101" in body
    assert "東京都港区芝公園四丁目2番8号芝公園タワー5階" in body
    # the 転出証明書: its 転出先 item and the QR data (20.2.1, 10.8)
    target = queries.target(
        clerk, "move_out", resident.atena_no, layout="individual", with_history=False, today=timezone.localdate()
    )
    there = "東京都港区芝公園四丁目2番8号\u3000芝公園タワー5階"
    assert queries.move_out_extra(target)[0].value == there
    assert there in queries.move_out_data(target)


@pytest.mark.spec("1.1.1")
def test_the_person_and_household_api_and_screens_answer_the_address_with_its_banchi(
    resident: Resident, counter: User, terminal: Terminal
) -> None:
    client = Client()
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    log_in(client, counter)
    answer = client.get(f"/api/v1/residents/{resident.atena_no}").json()
    values = answer["values"]
    assert values["address"] == "埼玉県上尾市平塚三丁目2番1号"
    assert (values["banchi"], values["katagaki"]) == ("2番1号", "グリーンハイツ101")
    assert values["previous_address"] == "東京都千代田区千代田1番1号\u3000千代田ハイツ202"
    household = client.get(f"/api/v1/households/{resident.household_no}").json()
    assert household["address"] == "埼玉県上尾市平塚三丁目2番1号"
    assert (household["banchi"], household["katagaki"]) == ("2番1号", "グリーンハイツ101")
    assert Household.objects.get(household_no=resident.household_no).banchi == "2番1号"
    page = client.get(f"/registry/household/{resident.household_no}/").content.decode()
    assert "埼玉県上尾市平塚三丁目2番1号\u3000グリーンハイツ101" in page
    page = client.get(f"/registry/person/{resident.atena_no}/").content.decode()
    assert "埼玉県上尾市平塚三丁目2番1号\u3000グリーンハイツ101" in page
    assert "東京都千代田区千代田1番1号\u3000千代田ハイツ202" in page
