"""The 番号連携 screens through Django's test client (their keyboard use: tests/e2e/
test_number_exchange_browser.py): the manual answer, the 開示請求 desk and its PDF (print-logged,
the 宛名番号 never in a URL), the 権限管理 (admin only), each read access-logged."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jumin.accounts.models import User
from jumin.accounts.services import add_linked_system
from jumin.audit.models import AccessLog, PrintLog
from jumin.integrated_atena.models import BusinessGrant
from jumin.intermediate_server.models import ProvisionRecord
from jumin.registry.models import Resident
from tests.conftest import device_cookie, log_in, make_operator
from tests.intermediate_server.test_exchange import _resident

pytestmark = [pytest.mark.django_db, pytest.mark.spec("7.2.2", partial=True)]


def _as(client: Client, terminal: Any, user: User, steps_ahead: int = 0) -> Client:
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    return log_in(client, user, steps_ahead)


def _deferred(resident: Resident, inquiry_id: str = "NENKIN-S1") -> ProvisionRecord:
    from django.utils import timezone

    now = timezone.now()
    return ProvisionRecord.objects.create(
        inquiry_id=inquiry_id,
        direction="provision",
        requester="NENKIN",
        provider="112194",
        affair="pension",
        item="resident_relations",
        law="番号法第19条第8号 別表第二 項番37",
        atena_no=resident.atena_no,
        asked_at=now,
        outcome="deferred",
        keep_until=now.date().replace(year=now.year + 7),
    )


def test_the_officer_refuses_with_a_reason_and_the_queue_empties(
    counter: User, reviewer: User, officer: User, number_service: Any, client: Client, terminal: Any
) -> None:
    resident = _resident(counter, reviewer)
    _deferred(resident)
    page = _as(client, terminal, officer)
    queue = page.get("/number-exchange/deferred/")
    assert queue.status_code == 200 and "NENKIN-S1" in queue.content.decode()
    assert AccessLog.objects.filter(purpose="number_exchange.deferred").exists()

    refused = page.post("/number-exchange/deferred/NENKIN-S1/", {"decision": "withhold", "reason": " "})
    assert refused.status_code == 200 and "提供しない場合は理由を入力してください。" in refused.content.decode()
    assert ProvisionRecord.objects.get().outcome == "deferred"
    too_long = page.post("/number-exchange/deferred/NENKIN-S1/", {"decision": "withhold", "reason": "理" * 201})
    assert too_long.status_code == 200 and ProvisionRecord.objects.get().outcome == "deferred"
    done = page.post("/number-exchange/deferred/NENKIN-S1/", {"decision": "withhold", "reason": "本人の申出による"})
    assert done.status_code == 302
    record = ProvisionRecord.objects.get()
    assert (record.outcome, record.manual_reason, record.answered_by) == ("withheld", "本人の申出による", "shien")
    assert page.get("/number-exchange/deferred/NENKIN-S1/").status_code == 404, "answered once"


def test_the_disclosure_desk_prints_the_records_and_logs_the_print(
    counter: User, reviewer: User, number_service: Any, client: Client, terminal: Any
) -> None:
    resident = _resident(counter, reviewer)
    _deferred(resident)
    page = _as(client, terminal, make_operator("kaiji", "開示 係", roles=("他部署照会",)))
    shown = page.post("/number-exchange/disclosure/", {"atena_no": resident.atena_no})
    assert shown.status_code == 200 and "NENKIN" in shown.content.decode() and "令和" in shown.content.decode()
    unknown = page.post("/number-exchange/disclosure/", {"atena_no": "9" * 20})
    assert "その宛名番号の住民は見つかりません。" in unknown.content.decode()
    bad = page.post("/number-exchange/disclosure/", {"atena_no": "1" * 21})
    assert bad.status_code == 200 and not PrintLog.objects.exists()

    pdf = page.post("/number-exchange/disclosure/pdf/", {"atena_no": resident.atena_no})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    printed = PrintLog.objects.get()
    assert (printed.title, printed.persons, printed.pages) == ("情報提供等記録の開示", [resident.atena_no], 1)
    assert page.post("/number-exchange/disclosure/pdf/", {"atena_no": "x"}).status_code == 302
    assert page.get("/number-exchange/deferred/").status_code == 403, "the desk is not the 支援措置 officer"


def test_only_an_administrator_grants_and_revokes(client: Client, terminal: Any) -> None:
    add_linked_system("JIDOU", "児童手当システム", [])
    clerk = make_operator("kaiji", "開示 係", roles=("他部署照会",))
    page = _as(client, terminal, clerk)
    assert page.get("/number-exchange/grants/").status_code == 403
    assert page.post("/number-exchange/grants/", {}).status_code == 403

    admin_page = _as(Client(), terminal, make_operator("kanri", "管理 者", roles=("システム管理者",)))
    body = {
        "holder_kind": "user",
        "holder": "kaiji",
        "business": "health_care",
        "affairs": ["health_care"],
        "feed_items": ["name", "no_such_item"],
    }
    refused = admin_page.post("/number-exchange/grants/", body)
    assert refused.status_code == 200 and not BusinessGrant.objects.exists(), "an unknown item is refused"
    body["feed_items"] = ["name"]
    assert admin_page.post("/number-exchange/grants/", body).status_code == 302
    grant = BusinessGrant.objects.get()
    assert (grant.user, grant.affairs, grant.may_read_feed) == (clerk, ["health_care"], False)
    assert "職員 kaiji（開示 係）" in admin_page.get("/number-exchange/grants/").content.decode()
    page = _as(Client(), terminal, clerk, steps_ahead=1)  # one session per terminal: the clerk logs in again
    assert page.post(f"/number-exchange/grants/{grant.pk}/revoke/").status_code == 403
    admin_page = _as(Client(), terminal, User.objects.get(username="kanri"), steps_ahead=1)
    assert admin_page.post(f"/number-exchange/grants/{grant.pk}/revoke/").status_code == 302
    assert not BusinessGrant.objects.exists()
    missing = admin_page.post(f"/number-exchange/grants/{grant.pk}/revoke/", follow=True)
    assert "その権限は登録されていません。" in missing.content.decode()
