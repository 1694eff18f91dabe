"""The import of online applications (申請データの取り込み), end to end over HTTP: the resident
files on the simulated 電子申請機能 with a card of the simulated 認証局, jumin pulls with signed
requests, checks the signature and the CRL (fetched over HTTP) and matches the 4情報."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from peers.eapplication import RunningSimulator

from jumin.applications.models import Application, Match, SignatureCheck, Status
from jumin.applications.services import import_applications
from jumin.audit.models import AccessLog, OperationLog
from jumin.core.errors import DomainError
from jumin.registry.models import Resident
from peers import jpki
from tests.applications.conftest import call, issue, move_out_form, submit


def _get(application_id: str) -> Application:
    return Application.objects.get(application_id=application_id)


def test_a_signed_move_out_is_imported_once_and_matched_with_the_register(
    portal: RunningSimulator, authority: jpki.RunningSimulator, family: list[Resident]
) -> None:
    card = issue(authority)
    application_id = submit(portal, card)

    result = import_applications()
    assert (result.received, result.imported) == (1, 1)
    stored = _get(application_id)
    assert stored.signature == SignatureCheck.VALID and stored.match == Match.MATCHED
    assert (stored.atena_no, stored.household_no) == (family[0].atena_no, family[0].household_no)
    assert stored.status == Status.RECEIVED and stored.applicant_name == "上尾\u3000太郎"
    assert stored.expected_on is not None and stored.payload["form"]["destination"]["address"].startswith("東京都港区")
    assert AccessLog.objects.filter(purpose="電子申請の4情報照合", persons=[family[0].atena_no]).exists()

    assert import_applications().received == 0, "the cursor moved past it"
    assert call(portal.url, "/control", {"redeliver": application_id})[0] == 200
    again = import_applications()
    assert (again.received, again.already, again.imported) == (1, 1, 0), "a re-delivery is idempotent"
    assert Application.objects.count() == 1


def test_a_tampered_application_and_a_revoked_card_are_flagged(
    portal: RunningSimulator, authority: jpki.RunningSimulator, family: list[Resident]
) -> None:
    card = issue(authority)
    tampered = portal.book.submit(card, "move_out", move_out_form(), tamper={"planned_move_out_on": "2027-03-01"})
    lost = issue(authority)
    assert call(authority.url, f"/cards/{lost.serial:x}/revoke", {})[0] == 200
    revoked = submit(portal, lost)
    stranger = jpki.CertificateAuthority().issue_card(
        name="上尾\u3000太郎", address="x", birth="昭和55年4月1日", sex="男", individual_number="123456789018"
    )
    untrusted = portal.book.submit(stranger, "move_out", move_out_form())

    assert import_applications().imported == 3
    assert _get(tampered).signature == SignatureCheck.TAMPERED
    assert _get(revoked).signature == SignatureCheck.REVOKED
    assert _get(untrusted).signature == SignatureCheck.UNTRUSTED
    for application_id in (tampered, revoked, untrusted):
        assert _get(application_id).atena_no == "", "no 4情報 match on an unverified signature"


def test_an_attachment_changed_after_signing_is_tampering(
    portal: RunningSimulator, authority: jpki.RunningSimulator, family: list[Resident]
) -> None:
    card = issue(authority)
    pdf = [("a.pdf", "application/pdf", b"%PDF-1")]
    application_id = portal.book.submit(card, "move_out", move_out_form(), attachments=pdf)
    portal.book.applications[application_id]["attachments"][0]["data"] = "JVBERi0y"  # "%PDF-2"
    import_applications()
    assert _get(application_id).signature == SignatureCheck.TAMPERED


@pytest.mark.parametrize(
    ("face", "match", "item"),
    [
        ({"address": "埼玉県上尾市原市1番1号"}, Match.MISMATCH, "住所"),
        ({"sex": "女"}, Match.MISMATCH, "性別"),
        ({"birth": "昭和55年4月2日"}, Match.MISMATCH, "生年月日"),
        ({"name": "上尾\u3000一郎"}, Match.MISMATCH, "氏名"),
        ({"name": "桶川\u3000次郎", "birth": "平成元年1月8日"}, Match.NOT_FOUND, "4情報"),
    ],
)
def test_a_mismatch_of_the_four_items_says_which_item(
    portal: RunningSimulator,
    authority: jpki.RunningSimulator,
    family: list[Resident],
    face: dict[str, str],
    match: str,
    item: str,
) -> None:
    application_id = submit(portal, issue(authority, **face))
    import_applications()
    stored = _get(application_id)
    assert stored.signature == SignatureCheck.VALID
    assert stored.match == match
    assert [r["item"] for r in stored.match_reasons] == [item]


def test_a_duplicate_submission_is_marked(
    portal: RunningSimulator, authority: jpki.RunningSimulator, family: list[Resident]
) -> None:
    card = issue(authority)
    first, second = submit(portal, card), submit(portal, card)
    import_applications()
    assert _get(first).duplicate_of == ""
    assert _get(second).duplicate_of == first


def test_the_resident_withdraws_the_application(
    portal: RunningSimulator, authority: jpki.RunningSimulator, family: list[Resident]
) -> None:
    application_id = submit(portal, issue(authority))
    import_applications()
    assert call(portal.url, f"/resident/applications/{application_id}/withdraw", {})[0] == 200
    result = import_applications()
    assert result.withdrawn == 1
    stored = _get(application_id)
    assert stored.status == Status.WITHDRAWN and stored.withdrawn_at is not None
    assert OperationLog.objects.filter(action="applications.withdrawn", target_id=application_id).exists()
    withdrawn_before_import = submit(portal, issue(authority))
    call(portal.url, f"/resident/applications/{withdrawn_before_import}/withdraw", {})
    import_applications()
    assert _get(withdrawn_before_import).status == Status.WITHDRAWN


def test_a_move_in_reservation_is_imported_with_its_visit_date(
    portal: RunningSimulator, authority: jpki.RunningSimulator, family: list[Resident]
) -> None:
    card = issue(authority, name="桶川\u3000次郎", address="東京都港区芝公園4丁目2番8号", birth="平成元年1月8日")
    form = {
        "name": "桶川　次郎",
        "planned_move_in_on": "2026-12-10",
        "visit_on": "2026-12-11",
        "new_address": {"address": "埼玉県上尾市本町三丁目2番2号", "postcode": "3620014"},
        "former_municipality_code": "131032",
    }
    application_id = submit(portal, card, "move_in_reservation", form)
    import_applications()
    stored = _get(application_id)
    assert stored.signature == SignatureCheck.VALID and stored.match == Match.NOT_CHECKED
    assert stored.expected_on is not None and stored.expected_on.isoformat() == "2026-12-11"


def test_no_import_without_a_crl_or_a_reachable_server(
    portal: RunningSimulator, authority: jpki.RunningSimulator, family: list[Resident], settings: Any, key_dir: Path
) -> None:
    application_id = submit(portal, issue(authority))
    settings.JUMIN_JPKI_CRL_URL = "http://127.0.0.1:9/crl.pem"
    with pytest.raises(DomainError) as no_crl:
        import_applications()
    assert no_crl.value.code == "identity.crl_unavailable"
    assert not Application.objects.exists(), "fail closed: nothing imported without the CRL"
    settings.JUMIN_JPKI_CRL_URL = f"{authority.url}/crl.pem"
    call(portal.url, "/control", {"down": True})
    with pytest.raises(DomainError) as down:
        import_applications()
    assert down.value.code == "applications.unavailable"
    call(portal.url, "/control", {"down": False})
    assert import_applications().imported == 1
    assert _get(application_id).signature == SignatureCheck.VALID


def test_the_command_line(
    portal: RunningSimulator, authority: jpki.RunningSimulator, family: list[Resident], settings: Any
) -> None:
    submit(portal, issue(authority))
    out: list[str] = []

    class Sink:
        def write(self, text: str) -> None:
            out.append(text)

        def flush(self) -> None:
            pass

    call_command("applications", "import", stdout=Sink())
    call_command("applications", "send", stdout=Sink())
    assert "1件を取り込みました" in "".join(out) and "処理状況を0件送信しました" in "".join(out)
    settings.JUMIN_EAPPLICATION_URL = ""
    with pytest.raises(CommandError, match="JUMIN_EAPPLICATION_URL"):
        call_command("applications", "import", stdout=Sink())


def test_the_simulator_refuses_unsigned_pulls(portal: RunningSimulator) -> None:
    status, raw = call(portal.url, "/applications?after=0")
    assert status == 401 and json.loads(raw)["error"] == "unknown_key"
    assert call(portal.url, "/resident/applications", {"procedure": "x"})[0] == 400
