"""The 閲覧 extract leaves protected persons out (spec 9.5, 20.3.1, 3.4) and the
支援措置期間終了通知 is a real PDF (3.4, 20.5.1); both are written to the print log."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from jumin.accounts.models import Terminal, User
from jumin.accounts.principal import Principal
from jumin.addresses.models import Town
from jumin.addresses.services import add_town
from jumin.audit.models import AccessLog, PrintLog
from jumin.core.errors import DomainError
from jumin.inspection.services import decide_request, receive_request
from jumin.protection import pdf, services
from jumin.registry import inspection
from jumin.registry.models import Resident
from tests.conftest import device_cookie, log_in, make_operator
from tests.inspection.conftest import request_data
from tests.protection.conftest import measure_data
from tests.registry.conftest import final, move_in_data, person

pytestmark = pytest.mark.django_db


def _client(user: User, terminal: Terminal) -> Client:
    client = Client()
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    return log_in(client, user)


@pytest.fixture
def towns(db: None) -> dict[str, Town]:
    return {
        "本町": add_town("本町", "ホンマチ", has_chome=True),
        "原市": add_town("原市", "ハライチ"),
        "原市北": add_town("原市北", "ハライチキタ"),
    }


@pytest.fixture
def neighbours(counter: User, reviewer: User, towns: dict[str, Town]) -> list[Resident]:
    """Two more households: one in 本町 with a 住所コード, one in 原市北 (not 原市)."""
    final(
        "move_in",
        move_in_data(
            person(surname="伊奈", given_name="三郎", koseki_head="伊奈　三郎"),
            address={
                "address": "埼玉県上尾市本町二丁目5番3号",
                "postcode": "3620014",
                "address_code": str(towns["本町"].address_code(2)),
            },
        ),
        counter,
        reviewer,
    )
    final(
        "move_in",
        move_in_data(
            person(surname="川越", given_name="四郎", koseki_head="川越　四郎"),
            address={"address": "埼玉県上尾市原市北一丁目1番地", "postcode": "3620021"},
        ),
        counter,
        reviewer,
    )
    return list(Resident.objects.filter(surname__in=("伊奈", "川越")))


def _rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.spec("9.5", "3.4", partial=True)
def test_inspection_extract_leaves_protected_persons_out(
    officer: User,
    clerk: User,
    terminal: Terminal,
    family: dict[str, Resident],
    towns: dict[str, Town],
    neighbours: list[Resident],
) -> None:
    chosen = [towns["本町"].oaza_code, towns["原市"].oaza_code]
    before = inspection.extract(Principal(user=clerk), chosen, seed="fixed")
    names = sorted(line.name for line in before.lines)
    assert names == ["伊奈\u3000三郎", "北本\u3000次郎", "桶川\u3000一郎", "桶川\u3000花子"]  # by code and by text
    assert "川越\u3000四郎" not in names  # 原市北 is not 原市
    assert inspection.extract(Principal(user=clerk), chosen, seed="fixed").lines == before.lines  # seeded order
    services.create_measure(measure_data(family), by=officer)
    services.set_block(
        scope="household",
        target_no=family["offender"].household_no,
        process="inspection",
        level="alert",
        reason="閲覧の抑止",
        by=officer,
    )
    # the list exists only through an approved 閲覧申出 (jumin.inspection): no route makes one without it
    judge = make_operator("etsuran", "閲覧 審査", roles=("審査・決裁",))
    received = receive_request(request_data(towns, list_order="random"), by=clerk)
    approved = decide_request(received, approve=True, reason="学術研究で公益性が高い", by=judge)
    web = _client(clerk, terminal)
    assert web.get("/registry/inspection/").status_code == 404
    response = web.post(f"/inspection/requests/{approved.request_no}/list/", {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _rows(response.content)
    assert rows[0] == ["氏名", "住所", "生年月日", "性別"]
    listed = {row[0] for row in rows[1:]}
    assert "伊奈\u3000三郎" in listed
    assert not listed & {"桶川\u3000花子", "桶川\u3000一郎", "北本\u3000次郎"}  # protected / blocked
    assert all(len(row) == 4 for row in rows)  # 4 items only (法11条)
    log = PrintLog.objects.filter(title=inspection.TITLE).latest("id")
    assert log.mode == "file" and f"{len(rows) - 1}名" in log.document
    assert family["mother"].atena_no not in log.persons
    access = AccessLog.objects.filter(purpose="inspection.list").latest("id")
    assert access.result_count == len(rows) - 1 and access.criteria["excluded"] == 3
    # no capability
    denied = _client(officer, terminal).post(f"/inspection/requests/{approved.request_no}/list/", {"format": "csv"})
    assert denied.status_code == 403
    with pytest.raises(DomainError):
        inspection.extract(Principal(user=clerk), ["999"])


@pytest.mark.spec("3.4", "20.5.1", partial=True)
def test_end_notice_pdf_from_the_list_of_measures_ending_soon(
    officer: User, clerk: User, terminal: Terminal, family: dict[str, Resident]
) -> None:
    start = timezone.localdate() - timedelta(days=350)  # in its last month
    measure = services.create_measure(measure_data(family, start_on=start), by=officer)
    web = _client(officer, terminal)
    index = web.get("/protection/").content.decode()
    assert "支援措置期間終了通知を印刷" in index and f'value="{measure.measure_no}"' in index
    response = web.post("/protection/notices/end/", {"measure_nos": [measure.measure_no]})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    log = PrintLog.objects.get(title=pdf.TITLE)
    assert log.persons == [family["mother"].atena_no] and log.pages == 1 and measure.measure_no in log.document
    assert web.post("/protection/notices/end/", {}).status_code == 302  # nothing chosen
    assert (
        _client(clerk, terminal).post("/protection/notices/end/", {"measure_nos": [measure.measure_no]}).status_code
        == 403
    )
    if not Path(pdf.font_path()).is_file():
        pytest.skip("IPAmj明朝 (fonts-ipamj-mincho) is not installed: the notice used the fallback font")
    assert b"IPAmjMincho" in response.content  # the MJ font is embedded
