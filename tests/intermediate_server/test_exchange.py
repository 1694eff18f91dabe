"""中間サーバー and 団体内統合宛名 end to end over HTTP (issue 19; spec 7.2.2/7.2.3): the 副本 from the
outbox, 符号取得, another agency's 情報照会 answered from the 副本, a department's 情報照会 through
our side, 自動応答不可 for a 支援措置 person, the 情報提供等記録 and an outage of the network."""

from __future__ import annotations

import json
import urllib.request
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from peers.provision_network import RunningSimulator

from jumin.accounts.models import User
from jumin.audit.models import OperationLog
from jumin.core.errors import DomainError
from jumin.integrated_atena.models import Business, BusinessAtena, IntegratedAtena
from jumin.integrated_atena.services import grant, link_business
from jumin.intermediate_server.models import CodeRecord, ProvisionCopy, ProvisionRecord
from jumin.intermediate_server.services import (
    answer_requests,
    obtain_codes,
    purge_records,
    update_copies,
)
from jumin.linkage.models import OutboxMessage
from jumin.protection.services import create_measure
from jumin.registry.models import Resident
from peers import jlis
from tests.conftest import device_cookie, log_in, make_operator
from tests.protection.conftest import measure_data
from tests.registry.conftest import final, move_in_data, person

pytestmark = [pytest.mark.django_db, pytest.mark.spec("7.2.2", partial=True)]

OUR = "112194"


def _control(network: RunningSimulator, body: dict[str, Any], path: str = "/control") -> dict[str, Any]:
    """The other agencies' side of the network (and its switches), over real HTTP."""
    data = json.dumps(body).encode() if body else None
    request = urllib.request.Request(network.url + path, data=data, method="POST" if data else "GET")
    with urllib.request.urlopen(request, timeout=5) as response:  # nosec B310 - the local simulator
        answer: dict[str, Any] = json.loads(response.read())
    return answer


def _inquiry_state(network: RunningSimulator, inquiry_id: str) -> dict[str, Any]:
    return _control(network, {}, f"/control/inquiry/{inquiry_id}")


def _resident(counter: User, reviewer: User, **overrides: Any) -> Resident:
    final("move_in", move_in_data(person(**overrides)), counter, reviewer)
    resident = Resident.objects.latest("id")
    final("individual_number", {"atena_no": resident.atena_no, "action": "ex_officio_record"}, counter, reviewer)
    resident.refresh_from_db()
    return resident


def _ask(network: RunningSimulator, resident: Resident, inquiry_id: str, affair: str = "pension") -> dict[str, Any]:
    """Another agency (日本年金機構) asks our 住民票関係情報 of ``resident``."""
    return _control(
        network,
        {
            "ask": {
                "inquiry_id": inquiry_id,
                "requester": "NENKIN",
                "provider": OUR,
                "affair": affair,
                "item": "resident_relations",
                "law": "番号法第19条第8号 別表第二 項番37",
                "resident_code": resident.resident_code,
            }
        },
    )


@pytest.fixture
def ready(counter: User, reviewer: User, number_service: jlis.RunningSimulator, network: RunningSimulator) -> Resident:
    """A resident with a 個人番号, a 副本 and a 符号."""
    resident = _resident(counter, reviewer)
    update_copies()
    assert obtain_codes().obtained == 1
    return resident


def test_every_final_registration_with_a_number_updates_the_copy_from_the_outbox(
    counter: User, reviewer: User, number_service: jlis.RunningSimulator
) -> None:
    resident = _resident(counter, reviewer)
    pending = OutboxMessage.objects.filter(destination="provision_copy", state="pending")
    assert pending.count() == 1, "the 個人番号 movement's row (the 転入 had no number yet)"

    assert update_copies().updated == 1
    copy = ProvisionCopy.objects.get(atena_no=resident.atena_no)
    assert copy.items["name"] == "上尾\u3000太郎" and copy.history_no == resident.history_no
    assert not pending.exists(), "the rows written today are consumed"
    integrated = IntegratedAtena.objects.get(integrated_no=copy.integrated_no)
    assert integrated.links.get().business == Business.JUKI and integrated.individual_number_lookup

    final("death", {"atena_nos": [resident.atena_no], "effective": "R8.11.26"}, counter, reviewer)
    resident.refresh_from_db()
    assert update_copies().updated == 1
    copy.refresh_from_db()
    assert copy.history_no == resident.history_no and copy.items["status"] == resident.status != "current"
    assert update_copies().updated == 0, "nothing is applied twice"
    assert IntegratedAtena.objects.count() == 1, "one 団体内統合宛名番号 per person"


def test_an_older_history_row_never_overwrites_the_copy(ready: Resident) -> None:
    copy = ProvisionCopy.objects.get()
    newer = copy.history_no
    ProvisionCopy.objects.update(history_no=newer + 5)
    OutboxMessage.objects.filter(destination="provision_copy").update(state="pending")
    result = update_copies()
    assert result.updated == 0 and result.unchanged == 1
    assert ProvisionCopy.objects.get().history_no == newer + 5


def test_another_agency_gets_the_copy_of_our_resident_relations(ready: Resident, network: RunningSimulator) -> None:
    assert _ask(network, ready, "NENKIN-1")["inquiry"]["status"] == "pending"
    result = answer_requests()
    assert (result.received, result.answered, result.deferred) == (1, 1, 0)

    state = _inquiry_state(network, "NENKIN-1")
    assert state["status"] == "answered" and state["data"]["name"] == "上尾\u3000太郎"
    assert state["data"]["address"].startswith("埼玉県上尾市本町三丁目1番1号")
    record = ProvisionRecord.objects.get(inquiry_id="NENKIN-1")
    assert (record.direction, record.requester, record.affair, record.outcome) == (
        "provision",
        "NENKIN",
        "pension",
        "answered",
    )
    assert record.atena_no == ready.atena_no and record.answer_sent and "項番37" in record.law
    assert record.keep_until == timezone.localdate().replace(year=timezone.localdate().year + 7)
    assert answer_requests().received == 0, "answered once"


def test_the_network_refuses_an_affair_the_permit_list_does_not_allow(
    ready: Resident, network: RunningSimulator
) -> None:
    refused = _ask(network, ready, "X-1", affair="unlisted")
    assert refused["status"] == 403 and refused["inquiry"] == {"error": "not_permitted"}
    assert answer_requests().received == 0


def test_a_supported_person_is_not_answered_automatically(
    counter: User,
    reviewer: User,
    officer: User,
    number_service: jlis.RunningSimulator,
    network: RunningSimulator,
    client: Client,
    terminal: Any,
) -> None:
    mother = _resident(counter, reviewer, surname="桶川", given_name="花子", furigana_surname="オケガワ", sex="2")
    update_copies()
    obtain_codes()
    create_measure(
        measure_data({"mother": mother, "child": mother, "offender": mother}, accompanying=[], offenders=[]), by=officer
    )
    _ask(network, mother, "NENKIN-2")

    result = answer_requests()
    assert (result.answered, result.deferred) == (0, 1)
    state = _inquiry_state(network, "NENKIN-2")
    assert state["status"] == "deferred" and state["data"] is None, "自動応答不可: nothing left our side"
    assert ProvisionRecord.objects.get(inquiry_id="NENKIN-2").outcome == "deferred"

    client.cookies["jumin_terminal"] = device_cookie(terminal)
    log_in(client, officer)
    answer = client.post(
        "/api/v1/number-exchange/manual-answers",
        {"inquiry_id": "NENKIN-2", "provide": False},
        content_type="application/json",
    )
    assert answer.status_code == 400 and answer.json()["code"] == "number_exchange.reason_required"
    answer = client.post(
        "/api/v1/number-exchange/manual-answers",
        {"inquiry_id": "NENKIN-2", "provide": False, "reason": "加害者からの照会のおそれ"},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"inquiry_id": "NENKIN-2", "outcome": "withheld", "answer_sent": True}
    assert _inquiry_state(network, "NENKIN-2") == {"inquiry_id": "NENKIN-2", "status": "withheld", "data": None}
    record = ProvisionRecord.objects.get(inquiry_id="NENKIN-2")
    assert record.answered_by == officer.username and record.manual_reason == "加害者からの照会のおそれ"
    again = client.post(
        "/api/v1/number-exchange/manual-answers",
        {"inquiry_id": "NENKIN-2", "provide": True},
        content_type="application/json",
    )
    assert again.status_code == 400 and again.json()["code"] == "number_exchange.not_deferred"


def _viewer(client: Client, terminal: Any) -> Client:
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    return log_in(client, make_operator("etsuran", "閲覧 職員", roles=("他部署照会",)))


def test_a_clerk_without_the_support_role_cannot_answer_manually(
    ready: Resident, client: Client, terminal: Any
) -> None:
    answer = _viewer(client, terminal).post(
        "/api/v1/number-exchange/manual-answers", {"inquiry_id": "X", "provide": True}, content_type="application/json"
    )
    assert answer.status_code == 403 and answer.json()["code"] == "auth.forbidden"


def _department(client: Client, terminal: Any, admin: User, business: str, affairs: list[str]) -> User:
    user = make_operator(f"dept-{business}", "部署 職員", roles=("他部署照会",))
    grant(business, affairs=affairs, user=user, by=admin)
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    log_in(client, user)
    return user


def test_a_department_asks_another_agency_through_our_side(
    ready: Resident, network: RunningSimulator, client: Client, terminal: Any
) -> None:
    admin = make_operator("kanri", "管理 者", roles=("システム管理者",))
    user = _department(client, terminal, admin, Business.CHILD_ALLOWANCE, ["child_allowance"])
    link_business(Business.CHILD_ALLOWANCE, "800001", ready.atena_no, by=user)
    body = {
        "business": "child_allowance",
        "business_atena_no": "800001",
        "affair": "child_allowance",
        "item": "local_tax",
        "provider": "13101",
    }
    _control(
        network,
        {
            "holding": {
                "agency": "13101",
                "resident_code": ready.resident_code,
                "item": "local_tax",
                "data": {"income": 3200000},
            }
        },
    )
    answer = client.post("/api/v1/number-exchange/inquiries", body, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["outcome"] == "answered" and answer.json()["data"] == {"income": 3200000}
    record = ProvisionRecord.objects.get(inquiry_id=answer.json()["inquiry_id"])
    assert (record.direction, record.business, record.asked_by, record.atena_no) == (
        "inquiry",
        "child_allowance",
        user.username,
        ready.atena_no,
    )
    assert "項番74" in record.law

    refused = client.post(
        "/api/v1/number-exchange/inquiries", {**body, "affair": "health_care"}, content_type="application/json"
    )
    assert refused.status_code == 400 and refused.json()["code"] == "number_exchange.not_granted"
    other = client.post(
        "/api/v1/number-exchange/inquiries", {**body, "business_atena_no": "800002"}, content_type="application/json"
    )
    assert other.status_code == 400 and other.json()["code"] == "number_exchange.not_linked"


def test_the_permit_list_refuses_an_item_the_affair_may_not_ask(
    ready: Resident, network: RunningSimulator, client: Client, terminal: Any
) -> None:
    admin = make_operator("kanri", "管理 者", roles=("システム管理者",))
    user = _department(client, terminal, admin, Business.HEALTH_CARE, ["health_care"])
    link_business(Business.HEALTH_CARE, "700001", ready.atena_no, by=user)
    body = {
        "business": "health_care",
        "business_atena_no": "700001",
        "affair": "health_care",
        "item": "local_tax",
        "provider": "13101",
    }
    answer = client.post("/api/v1/number-exchange/inquiries", body, content_type="application/json")
    assert answer.status_code == 400 and answer.json()["code"] == "number_exchange.not_permitted"
    assert ProvisionRecord.objects.get().outcome == "refused", "a refused inquiry is recorded too"


def test_an_outage_of_the_network_loses_and_duplicates_nothing(
    counter: User, reviewer: User, number_service: jlis.RunningSimulator, network: RunningSimulator
) -> None:
    resident = _resident(counter, reviewer)
    update_copies()
    _control(network, {"down": True})
    assert obtain_codes().obtained == 0
    request = CodeRecord.objects.get()
    assert request.state == "requested" and request.last_error == "rejected:maintenance"

    _control(network, {"down": False})
    assert obtain_codes().obtained == 1
    assert CodeRecord.objects.get().processing_no == request.processing_no, "asked again with the same 処理通番"
    assert list(network.book.processing) == [request.processing_no]

    _ask(network, resident, "NENKIN-3")
    _ask(network, resident, "NENKIN-4")
    network.book.down = True  # the answers cannot go out
    with pytest.raises(DomainError):
        answer_requests()
    network.book.down = False
    first = answer_requests()
    assert first.received == 2 and first.answered == 2
    assert answer_requests().received == 0
    assert ProvisionRecord.objects.filter(inquiry_id__startswith="NENKIN").count() == 2
    assert {_inquiry_state(network, i)["status"] for i in ("NENKIN-3", "NENKIN-4")} == {"answered"}


def test_an_answer_the_network_did_not_take_is_sent_on_the_next_pass(
    ready: Resident, network: RunningSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ask(network, ready, "NENKIN-5")
    from jumin.intermediate_server import services

    real = services._post
    calls: list[str] = []

    def failing(client: Any, path: str, body: dict[str, Any]) -> Any:
        calls.append(path)
        if path == "/answers" and len(calls) == 1:
            network.book.down = True
        try:
            return real(client, path, body)
        finally:
            network.book.down = False

    monkeypatch.setattr(services, "_post", failing)
    assert answer_requests().unsent == 1
    record = ProvisionRecord.objects.get(inquiry_id="NENKIN-5")
    assert record.outcome == "answered" and not record.answer_sent
    result = answer_requests()
    assert result.received == 1 and result.answered == 1
    assert ProvisionRecord.objects.get(inquiry_id="NENKIN-5").answer_sent


def test_the_resident_sees_who_asked_what_on_a_disclosure_request(
    ready: Resident, network: RunningSimulator, client: Client, terminal: Any
) -> None:
    _ask(network, ready, "NENKIN-6")
    answer_requests()
    answer = _viewer(client, terminal).post(
        "/api/v1/number-exchange/disclosure", {"atena_no": ready.atena_no}, content_type="application/json"
    )
    assert answer.status_code == 200, answer.content
    (line,) = answer.json()["records"]
    assert (line["requester"], line["affair"], line["outcome"]) == ("NENKIN", "pension", "answered")
    assert line["law"].startswith("番号法")


def test_records_are_kept_seven_years_then_purged(ready: Resident, network: RunningSimulator) -> None:
    _ask(network, ready, "NENKIN-7")
    answer_requests()
    record = ProvisionRecord.objects.get()
    assert purge_records(today=record.keep_until) == 0
    assert purge_records(today=record.keep_until + timedelta(days=1)) == 1
    assert OperationLog.objects.filter(action="intermediate_server.records_purged").exists()


def test_a_business_atena_no_links_one_person_only(ready: Resident, counter: User) -> None:
    admin = make_operator("kanri", "管理 者", roles=("システム管理者",))
    clerk = make_operator("jidou", "児童 手当", roles=())
    with pytest.raises(DomainError) as refused:
        link_business(Business.CHILD_ALLOWANCE, "800001", ready.atena_no, by=clerk)
    assert refused.value.code == "auth.forbidden", "no grant for that business system"
    grant(Business.CHILD_ALLOWANCE, affairs=["child_allowance"], user=clerk, by=admin)
    link = link_business(Business.CHILD_ALLOWANCE, "800001", ready.atena_no, by=clerk)
    assert link_business(Business.CHILD_ALLOWANCE, "800001", ready.atena_no, by=clerk) == link
    with pytest.raises(DomainError) as twice:
        link_business(Business.CHILD_ALLOWANCE, "800009", ready.atena_no, by=clerk)
    assert twice.value.code == "integrated_atena.already_linked"
    assert BusinessAtena.objects.count() == 2
    with pytest.raises(DomainError):
        grant(Business.CHILD_ALLOWANCE, affairs=[], user=clerk, by=clerk)


def test_the_batch_command_runs_every_step(
    counter: User, reviewer: User, number_service: jlis.RunningSimulator, network: RunningSimulator
) -> None:
    from io import StringIO

    from django.core.management import call_command

    resident = _resident(counter, reviewer)
    _ask(network, resident, "NENKIN-8")
    out = StringIO()
    call_command("number_exchange", "run", stdout=out)
    assert "副本を1件更新" in out.getvalue() and "符号を1件取得" in out.getvalue()
    assert _inquiry_state(network, "NENKIN-8")["status"] == "not_found", "asked before we joined"
    _ask(network, resident, "NENKIN-9")
    call_command("number_exchange", "run", stdout=out)
    assert _inquiry_state(network, "NENKIN-9")["status"] == "answered"
