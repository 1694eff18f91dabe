"""コンビニ交付 end to end over HTTP (spec 7.2.5; 住基法12条の4): a kiosk asks the simulated
証明書交付センター (peers.konbini), which reads the simulated 個人番号カード (peers.jpki: real
X.509/ECDSA, PIN counted by the card, live CRL) and asks jumin's 証明書発行サーバ."""

from __future__ import annotations

import base64
import io
import json
import urllib.error
import urllib.request
from datetime import date
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from peers.jpki import RunningSimulator
from peers.konbini import RunningCenter

from jumin.accounts.models import User
from jumin.accounts.services import add_linked_system
from jumin.audit.models import AccessLog
from jumin.certificates.models import Issuance
from jumin.core import kiosk as k
from jumin.kiosk import services, sync
from jumin.kiosk.models import KioskReconciliation, KioskRequest, KioskResident
from jumin.protection.services import MeasureInput, create_measure, set_block
from jumin.registry.models import Resident
from jumin.registry.services import enter_movement
from tests.conftest import make_operator
from tests.kiosk.conftest import NUMBER
from tests.registry.conftest import final, move_in_data, person

pytestmark = pytest.mark.spec("7.2.5")
OTHER_NUMBER = "023456789013"


def _post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return dict(json.loads(response.read()))
    except urllib.error.HTTPError as error:
        return {"http_status": error.code, **json.loads(error.read())}


def _card(jpki: RunningSimulator, number: str = NUMBER, name: str = "上尾\u3000太郎") -> str:
    answer = _post(
        f"{jpki.url}/cards",
        {
            "name": name,
            "address": "埼玉県上尾市本町三丁目1番1号",
            "birth": "昭和55年4月1日",
            "sex": "男",
            "individual_number": number,
        },
    )
    return str(answer["serial"])


def _kiosk(center: RunningCenter, card: str, pin: str = "1234", **ask: Any) -> dict[str, Any]:
    body = {"kiosk_id": "STORE-0001", "card": card, "pin": pin, "kind": "copy", "layout": "individual"} | ask
    return _post(f"{center.url}/kiosk/issue", body)


def _family(counter: User, reviewer: User) -> dict[str, str]:
    final(
        "move_in",
        move_in_data(
            person(individual_number=NUMBER),
            person(given_name="花子", furigana_given_name="ハナコ", sex="2", relationship="妻", birth="S57.6.3"),
        ),
        counter,
        reviewer,
    )
    sync.sync()
    return {r.given_name: r.atena_no for r in Resident.objects.all()}


def _pdf_text(answer: dict[str, Any]) -> str:
    import io

    from pypdf import PdfReader

    return (
        "".join(
            page.extract_text()
            for copy in answer["copies"]
            for page in PdfReader(io.BytesIO(base64.b64decode(copy["pdf_base64"]))).pages
        )
        .replace(" ", "")
        .replace("\u3000", "")
    )


@pytest.mark.django_db(transaction=True)
def test_a_resident_gets_a_copy_and_a_household_copy_at_the_kiosk(
    counter: User, reviewer: User, jpki: RunningSimulator, center: RunningCenter
) -> None:
    family = _family(counter, reviewer)
    card = _card(jpki)
    own = _kiosk(center, card)
    assert own["outcome"] == "issued", own
    assert own["fee"] == k.FEES["copy"] and own["reason_code"] == ""
    assert "上尾太郎" in _pdf_text(own) and "上尾花子" not in _pdf_text(own)
    assert {f["code"] for f in own["form"]["features"]} >= {"latent_image", "scramble", "microtext"}
    household = _kiosk(center, card, layout="household", items=["head_relationship"], copies=2)
    assert household["outcome"] == "issued" and household["fee"] == 2 * k.FEES["copy"]
    assert len(household["copies"]) == 2 and "上尾花子" in _pdf_text(household)
    items = _kiosk(center, card, kind="item_certificate", certified_items=["birth", "sex"])
    assert items["outcome"] == "issued"
    # 個人番号 and 住民票コード are never printed at a store
    refused = _kiosk(center, card, items=["individual_number"])
    assert refused["reason_code"] == k.BAD_REQUEST and refused["copies"] == []
    # the kiosk's 交付履歴 and the certificate 交付履歴 agree; the person's read is logged
    issued = KioskRequest.objects.filter(outcome="issued")
    assert sorted(issued.values_list("copies", flat=True)) == [1, 1, 2]
    assert Issuance.objects.filter(client="KONBINI").count() == 4
    assert set(issued.values_list("atena_no", flat=True)) == {family["太郎"]}
    assert AccessLog.objects.filter(client="KONBINI", purpose="certificates.issue").count() >= 3
    assert not AccessLog.objects.filter(criteria__icontains=NUMBER).exists()


@pytest.mark.django_db(transaction=True)
def test_pin_failures_are_counted_by_the_card_and_lock_it(
    counter: User, reviewer: User, jpki: RunningSimulator, center: RunningCenter
) -> None:
    _family(counter, reviewer)
    card = _card(jpki)
    first = _kiosk(center, card, pin="9999")
    assert (first["reason_code"], first["remaining"]) == (k.PIN_INCORRECT, 2)
    assert _kiosk(center, card)["outcome"] == "issued"  # a correct PIN resets the count
    codes = [_kiosk(center, card, pin="0000")["reason_code"] for _ in range(3)]
    assert codes == [k.PIN_INCORRECT, k.PIN_INCORRECT, k.PIN_LOCKED]
    assert _kiosk(center, card)["reason_code"] == k.PIN_LOCKED  # the right PIN no longer helps
    _post(f"{jpki.url}/cards/{card}/unlock", {})
    assert _kiosk(center, card)["outcome"] == "issued"
    # the center refused the PIN itself: jumin saw one request per read card only
    assert KioskRequest.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_card_suspended_mid_day_and_a_revoked_card_are_refused(
    counter: User, reviewer: User, jpki: RunningSimulator, center: RunningCenter
) -> None:
    family = _family(counter, reviewer)
    card = _card(jpki)
    _, key = add_linked_system("CARDDESK", "カード窓口", ["enter_movement"])

    def card_event(name: str) -> None:
        event = {"atena_no": family["太郎"], "event": name, "occurred_on": timezone.localdate().isoformat()}
        answer = Client().post(
            "/api/v1/cards/events", event, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
        )
        assert answer.status_code == 201, answer.content.decode()

    card_event("issue")
    assert _kiosk(center, card)["outcome"] == "issued"
    # 紛失届 at the counter, mid-day: the card is suspended in the card records (cards API) …
    card_event("suspend")
    assert _kiosk(center, card)["reason_code"] == k.CARD_STOPPED
    card_event("resume")
    assert _kiosk(center, card)["outcome"] == "issued"
    # … and its 利用者証明用電子証明書 is suspended at J-LIS (CRL, certificateHold), then revoked
    _post(f"{jpki.url}/cards/{card}/suspend", {})
    assert _kiosk(center, card)["reason_code"] == k.CARD_SUSPENDED
    _post(f"{jpki.url}/cards/{card}/revoke", {})
    assert _kiosk(center, card)["reason_code"] == k.CARD_REVOKED
    # a card of another CA (or nobody's resident) is refused without any personal read
    stranger = _card(jpki, number=OTHER_NUMBER, name="桶川\u3000一郎")
    assert _kiosk(center, stranger)["reason_code"] == k.NOT_REGISTERED


@pytest.mark.django_db(transaction=True)
def test_protected_and_blocked_persons_are_refused_at_the_kiosk(
    counter: User, reviewer: User, jpki: RunningSimulator, center: RunningCenter
) -> None:
    family = _family(counter, reviewer)
    card = _card(jpki)
    officer = make_operator("shien", "支援 責任者", roles=("支援措置責任者",))
    measure = MeasureInput(
        kind="dv",
        applicant_atena_no=family["花子"],
        accompanying=[],
        start_on=timezone.localdate(),
        reason="相談機関の意見あり",
        offenders=[],
    )
    create_measure(measure, by=officer)
    sync.sync()
    assert _kiosk(center, card)["outcome"] == "issued"  # 太郎's own copy shows nobody protected
    household = _kiosk(center, card, layout="household")
    assert household["reason_code"] == k.PROTECTED and household["copies"] == []
    assert "コンビニエンスストアでは交付できません" in household["message"]
    # 交付抑止 of 太郎 himself (not a 支援措置): its own code
    set_block(
        scope="person",
        target_no=family["太郎"],
        process="certificate",
        level="error",
        reason="不正請求の疑い",
        by=officer,
    )
    # not synced yet: the certificate rules see the block on the live register all the same
    assert _kiosk(center, card)["reason_code"] == k.BLOCKED
    sync.sync()
    assert _kiosk(center, card)["reason_code"] == k.BLOCKED
    assert KioskRequest.objects.filter(reason_code=k.BLOCKED).count() == 2
    assert not Issuance.objects.filter(issued_persons__atena_no=family["花子"]).exists()


@pytest.mark.django_db(transaction=True)
def test_only_registered_data_reaches_the_kiosk(
    counter: User, reviewer: User, jpki: RunningSimulator, center: RunningCenter
) -> None:
    # an 仮登録 (entered, not approved) is nothing the kiosk service knows
    enter_movement("move_in", move_in_data(person(individual_number=NUMBER)), by=counter)
    call_command("kiosk", "sync", stdout=io.StringIO())
    card = _card(jpki)
    assert not KioskResident.objects.exists()
    assert _kiosk(center, card)["reason_code"] == k.NOT_REGISTERED
    # a rebuild gives the same answer as the incremental sync
    family = _family(counter, reviewer)
    held = list(KioskResident.objects.order_by("atena_no").values_list("atena_no", "household_no", "removed"))
    assert sync.rebuild().residents == 2
    assert list(KioskResident.objects.order_by("atena_no").values_list("atena_no", "household_no", "removed")) == held
    assert family["太郎"] in {a for a, _, _ in held}


@pytest.mark.django_db(transaction=True)
def test_the_daily_report_is_reconciled_with_the_center(
    counter: User, reviewer: User, jpki: RunningSimulator, center: RunningCenter
) -> None:
    _family(counter, reviewer)
    card = _card(jpki)
    for copies in (1, 3):
        assert _kiosk(center, card, copies=copies)["outcome"] == "issued"
    assert _kiosk(center, card, pin="0")["reason_code"] == k.PIN_INCORRECT
    today = timezone.localdate()
    row = services.reconcile(today, url=center.url)
    assert row.matched and (row.our_copies, row.our_fee) == (4, 4 * k.FEES["copy"])
    assert (row.center_copies, row.center_fee) == (4, 4 * k.FEES["copy"])
    # the center books a request jumin never answered (a lost answer): listed by its id
    lost = {"request_id": "C01-X", "kiosk_id": "S", "date": today.isoformat(), "outcome": "issued"}
    lost |= {"copies": 1, "fee": 200}
    center.center.ledger.append(lost)
    row = services.reconcile(today, url=center.url)
    assert not row.matched and [d["request_id"] for d in row.differences] == ["C01-X"]
    assert KioskReconciliation.objects.count() == 1
    # the same from the command line (a difference is a failure of the batch job)
    with pytest.raises(CommandError, match="差異"):
        call_command("kiosk", "reconcile", "--date", today.isoformat(), "--center-url", center.url)
    center.center.ledger.remove(lost)
    out = io.StringIO()
    call_command("kiosk", "reconcile", "--date", today.isoformat(), "--center-url", center.url, stdout=out)
    assert "4 通 800 円" in out.getvalue() and "一致" in out.getvalue()
    assert services.reconcile(date(2000, 1, 1), url=center.url).matched  # a day without any request


@pytest.mark.django_db(transaction=True)
def test_a_planned_move_out_and_a_removed_record_are_refused(
    counter: User, reviewer: User, jpki: RunningSimulator, center: RunningCenter
) -> None:
    family = _family(counter, reviewer)
    other = final(
        "move_in",
        move_in_data(person(given_name="次郎", furigana_given_name="ジロウ", individual_number=OTHER_NUMBER)),
        counter,
        reviewer,
    )
    card, other_card = _card(jpki), _card(jpki, number=OTHER_NUMBER, name="上尾\u3000次郎")
    moving = {
        "reason": "domestic_move_out",
        "atena_nos": [family["太郎"], family["花子"]],
        "effective": "R8.12.20",  # after today: a 転出予定
        "notified_on": "R8.11.30",
        "destination": {"address": "東京都千代田区千代田1番1号"},
    }
    final("move_out", moving, counter, reviewer)
    final("death", {"atena_nos": [other.items.get().atena_no], "effective": "R8.11.26"}, counter, reviewer)
    assert _kiosk(center, card)["outcome"] == "issued"  # the kiosk data waits for the sync …
    sync.sync()
    assert _kiosk(center, card)["reason_code"] == k.MOVING_OUT  # … then both are refused
    assert _kiosk(center, other_card)["reason_code"] == k.REMOVED
