"""照会抑止 (standard spec 3.1): error / alert, person / household, 一時解除, the reason that holds
30 minutes per operator and person, on the screens and in the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jumin.accounts.models import Terminal, User
from jumin.accounts.principal import Principal
from jumin.accounts.services import add_linked_system
from jumin.audit.models import OperationLog
from jumin.core.errors import DomainError
from jumin.protection import inquiry, services
from jumin.protection.models import Block, ProtectionDecision
from jumin.registry.models import MovementItem, Resident
from tests.conftest import device_cookie, log_in

pytestmark = [pytest.mark.django_db, pytest.mark.spec("3.1")]


def _block(officer: User, target: str, *, level: str = "error", scope: str = "person") -> Block:
    return services.set_block(
        scope=scope, target_no=target, process="inquiry", level=level, reason="照会を止める必要あり", by=officer
    )


def _client(user: User, terminal: Terminal) -> Client:
    client = Client()
    client.cookies["jumin_terminal"] = device_cookie(terminal)
    return log_in(client, user)


def _json(client: Client, path: str, body: dict[str, Any], **extra: Any) -> Any:
    return client.post(path, body, content_type="application/json", **extra)


def test_an_error_block_refuses_the_person_screen_and_the_api(
    officer: User, counter: User, terminal: Terminal, family: dict[str, Resident]
) -> None:
    mother = family["mother"].atena_no
    web = _client(counter, terminal)
    assert web.get(f"/registry/person/{mother}/").status_code == 200
    _block(officer, mother)
    page = web.get(f"/registry/person/{mother}/")
    assert page.status_code == 403
    text = page.content.decode()
    assert "照会抑止（エラー）" in text and "桶川" not in text
    assert 'data-testid="inquiry-alert-form"' not in text  # an error cannot be passed with a reason
    for path in (f"/api/v1/residents/{mother}", f"/api/v1/residents/{mother}/history"):
        answer = web.get(path)
        assert answer.status_code == 403 and answer.json()["code"] == "protection.inquiry_blocked"
    # the child, in the same household but not blocked, is shown
    assert web.get(f"/registry/person/{family['child'].atena_no}/").status_code == 200


def test_the_screen_of_a_person_nobody_protects_asks_the_satellite_nothing_more(
    officer: User, counter: User, terminal: Terminal, family: dict[str, Resident]
) -> None:
    """Issue 24: the person's own read says whether a measure or a block can touch them; only
    then are the 照会抑止 guard and the marks asked (a blocked person is refused as above)."""
    web = _client(counter, terminal)
    mother = family["mother"].atena_no
    with CaptureQueriesContext(connection) as statements:
        assert web.get(f"/registry/person/{mother}/").status_code == 200
    asked = [s["sql"] for s in statements.captured_queries if "protection_" in s["sql"]]
    assert len(asked) == 1 and '"registry_resident"' in asked[0]
    _block(officer, family["child"].atena_no)  # the child only: the mother stays untouched
    with CaptureQueriesContext(connection) as statements:
        assert web.get(f"/registry/person/{family['child'].atena_no}/").status_code == 403
    assert len([s for s in statements.captured_queries if "protection_" in s["sql"]]) > 1


def test_a_temporary_release_lifts_the_block_until_it_expires(
    officer: User, counter: User, family: dict[str, Resident]
) -> None:
    mother = family["mother"].atena_no
    block = _block(officer, mother)
    services.temporarily_release_block(block, by=officer, reason="本人の請求を審査", minutes=10)
    assert inquiry.decisions(Principal(user=counter), [mother])[mother].allowed
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert inquiry.decisions(Principal(user=counter), [mother])[mother].code == inquiry.BLOCKED
    services.release_block(block, by=officer, reason="不要になった")
    inquiry.require(Principal(user=counter), mother)  # released for good: no error


def test_an_alert_needs_a_reason_that_holds_30_minutes_for_that_operator_and_person(
    officer: User, counter: User, reviewer: User, family: dict[str, Resident]
) -> None:
    mother, child = family["mother"].atena_no, family["child"].atena_no
    _block(officer, mother, level="alert")
    with pytest.raises(inquiry.InquiryBlockedError) as stopped:
        inquiry.require(Principal(user=counter), mother)
    assert stopped.value.code == "protection.inquiry_alert"
    with pytest.raises(DomainError) as no_reason:
        inquiry.give_alert_reason(Principal(user=counter), mother, "  ")
    assert no_reason.value.code != "protection.inquiry_alert"
    passed = inquiry.give_alert_reason(Principal(user=counter), mother, "国保の資格確認のため")
    assert len(passed) == 1
    inquiry.require(Principal(user=counter), mother)
    # the reason is the operator's, for that person only
    assert not inquiry.decisions(Principal(user=reviewer), [mother])[mother].allowed
    assert inquiry.decisions(Principal(user=counter), [child])[child].allowed  # not blocked at all
    decision = ProtectionDecision.objects.get(action="block.alert_passed")
    assert decision.reason == "国保の資格確認のため" and decision.details["process"] == "inquiry"
    assert OperationLog.objects.filter(action="protection.block.alert_passed").exists()
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert inquiry.decisions(Principal(user=counter), [mother])[mother].code == inquiry.ALERTED


def test_a_linked_system_cannot_give_a_reason(
    officer: User, counter: User, family: dict[str, Resident], client: Client
) -> None:
    mother = family["mother"].atena_no
    _block(officer, mother, level="alert")
    _, key = add_linked_system("KOKUHO", "国保システム", ["view_resident"])
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    answer = client.get(f"/api/v1/residents/{mother}", **bearer)
    assert answer.status_code == 403 and answer.json()["code"] == "protection.inquiry_alert"
    given = _json(client, "/api/v1/protection/inquiry-alerts", {"atena_no": mother, "reason": "確認"}, **bearer)
    assert given.status_code == 403
    with pytest.raises(DomainError) as refused:
        inquiry.give_alert_reason(Principal(system=add_linked_system("X", "X", ["view_resident"])[0]), mother, "x")
    assert refused.value.code == "auth.forbidden"
    assert not ProtectionDecision.objects.filter(action="block.alert_passed").exists()


def test_the_api_takes_the_reason_and_then_answers(
    officer: User, counter: User, terminal: Terminal, family: dict[str, Resident]
) -> None:
    mother = family["mother"].atena_no
    _block(officer, mother, level="alert")
    web = _client(counter, terminal)
    assert web.get(f"/api/v1/residents/{mother}").json()["code"] == "protection.inquiry_alert"
    given = _json(web, "/api/v1/protection/inquiry-alerts", {"atena_no": mother, "reason": "税務照会のため"})
    assert given.status_code == 201 and given.json()["valid_minutes"] == 30
    answer = web.get(f"/api/v1/residents/{mother}")
    assert answer.status_code == 200 and answer.json()["atena_no"] == mother


def test_an_error_block_cannot_be_passed_with_a_reason(
    officer: User, counter: User, family: dict[str, Resident]
) -> None:
    mother = family["mother"].atena_no
    _block(officer, mother)
    with pytest.raises(DomainError) as refused:
        inquiry.give_alert_reason(Principal(user=counter), mother, "どうしても")
    assert refused.value.code == "protection.refused"


def test_the_screen_form_records_the_reason_and_returns_to_the_person(
    officer: User, counter: User, terminal: Terminal, family: dict[str, Resident]
) -> None:
    mother = family["mother"].atena_no
    _block(officer, mother, level="alert")
    web = _client(counter, terminal)
    page = web.get(f"/registry/person/{mother}/")
    assert page.status_code == 403 and 'data-testid="inquiry-alert-form"' in page.content.decode()
    back = web.post(
        "/protection/inquiry-alerts/",
        {"atena_no": mother, "reason": "窓口での本人確認", "next": f"/registry/person/{mother}/"},
    )
    assert back.status_code == 302 and back["Location"] == f"/registry/person/{mother}/"
    assert web.get(f"/registry/person/{mother}/").status_code == 200
    outside = web.post("/protection/inquiry-alerts/", {"atena_no": mother, "reason": "x", "next": "https://evil/"})
    assert outside["Location"] == f"/registry/person/{mother}/"  # no open redirect


def test_a_household_block_refuses_the_household_screen_and_its_members(
    officer: User, counter: User, terminal: Terminal, family: dict[str, Resident]
) -> None:
    household = family["mother"].household_no
    _block(officer, household, scope="household")
    web = _client(counter, terminal)
    page = web.get(f"/registry/household/{household}/")
    assert page.status_code == 403 and "桶川" not in page.content.decode()
    api = web.get(f"/api/v1/households/{household}")
    assert api.status_code == 403 and api.json()["code"] == "protection.inquiry_blocked"
    for member in ("mother", "child"):  # the household block reaches every member
        assert web.get(f"/registry/person/{family[member].atena_no}/").status_code == 403
    assert web.get(f"/registry/person/{family['offender'].atena_no}/").status_code == 200


def test_a_members_own_block_hides_only_that_row_of_the_household(
    officer: User, counter: User, terminal: Terminal, family: dict[str, Resident]
) -> None:
    mother, child = family["mother"], family["child"]
    _block(officer, child.atena_no)
    web = _client(counter, terminal)
    page = web.get(f"/registry/household/{mother.household_no}/")
    text = page.content.decode()
    assert page.status_code == 200 and f'href="/registry/person/{mother.atena_no}/"' in text and "一郎" not in text
    assert 'data-testid="inquiry-hidden"' in text and child.atena_no in text
    members = {m["atena_no"]: m for m in web.get(f"/api/v1/households/{mother.household_no}").json()["members"]}
    assert members[child.atena_no]["values"] == {"inquiry_blocked": True}
    assert "花子" in members[mother.atena_no]["values"]["name"]
    # the head's own block: the head's name is hidden in the heading and in the API too
    _block(officer, mother.atena_no)
    text = web.get(f"/registry/household/{mother.household_no}/").content.decode()
    assert "桶川" not in text and f"照会抑止（{mother.atena_no}）" in text
    answer = web.get(f"/api/v1/households/{mother.household_no}").json()
    assert answer["head_name"] == "" and "桶川" not in str(answer)
    assert {m["atena_no"]: m["values"] for m in answer["members"]} == {
        child.atena_no: {"inquiry_blocked": True},
        mother.atena_no: {"inquiry_blocked": True},
    }


def test_a_household_alert_is_passed_for_the_household(
    officer: User, counter: User, terminal: Terminal, family: dict[str, Resident]
) -> None:
    household = family["mother"].household_no
    _block(officer, household, scope="household", level="alert")
    web = _client(counter, terminal)
    page = web.get(f"/registry/household/{household}/")
    assert page.status_code == 403 and 'name="household_no"' in page.content.decode()
    given = _json(web, "/api/v1/protection/inquiry-alerts", {"household_no": household, "reason": "世帯の確認"})
    assert given.status_code == 201
    assert web.get(f"/registry/household/{household}/").status_code == 200


def test_other_processes_do_not_stop_the_inquiry(officer: User, counter: User, family: dict[str, Resident]) -> None:
    mother = family["mother"].atena_no
    services.set_block(
        scope="person", target_no=mother, process="certificate", level="error", reason="発行のみ抑止", by=officer
    )
    assert inquiry.decisions(Principal(user=counter), [mother])[mother].allowed
    assert inquiry.decisions(Principal(user=counter), []) == {}


def test_entry_screens_are_refused_too(
    officer: User, counter: User, terminal: Terminal, family: dict[str, Resident]
) -> None:
    mother = family["mother"]
    web = _client(counter, terminal)
    assert web.get(f"/registry/movements/new/correction/?person={mother.atena_no}").status_code == 200
    _block(officer, mother.atena_no)
    page = web.get(f"/registry/movements/new/correction/?person={mother.atena_no}")
    assert page.status_code == 403 and "桶川" not in page.content.decode()
    _block(officer, mother.household_no, scope="household")
    assert web.get(f"/registry/movements/new/relocation/?household={mother.household_no}").status_code == 403


def test_an_error_block_refuses_the_sheet_of_a_final_movement_of_the_person(
    officer: User, counter: User, terminal: Terminal, family: dict[str, Resident]
) -> None:
    mother = family["mother"].atena_no
    movement_no = MovementItem.objects.filter(atena_no=mother).values_list("movement__movement_no", flat=True).first()
    web = _client(counter, terminal)
    assert web.get(f"/registry/movements/{movement_no}/").status_code == 200
    _block(officer, mother)
    page = web.get(f"/registry/movements/{movement_no}/")
    assert page.status_code == 403
    assert "照会抑止（エラー）" in page.content.decode() and "桶川" not in page.content.decode()
