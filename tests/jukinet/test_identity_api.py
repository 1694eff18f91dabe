"""/api/v1/jukinet/identity-check(/challenge) and /identity-search: the same checks, rules,
masking and access log as the services, with stable codes, for a linked system's key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from peers.jpki import CertificateAuthority

from jumin.accounts.services import add_linked_system
from jumin.audit.models import AccessLog
from jumin.jukinet import identity_check, identity_search
from jumin.jukinet.models import IdentityRecord
from tests.jukinet import test_identity_check as check_tests
from tests.jukinet.test_identity_check import NUMBER, card_of

authority = check_tests.authority  # the fixtures of the card checks
resident = check_tests.resident


def _post(key: str, path: str, body: dict[str, Any] | None = None) -> Any:
    return Client().post(
        f"/api/v1/jukinet/{path}",
        body or {},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )


@pytest.mark.spec("7.1.1.1", partial=True)
def test_card_check_over_the_api(authority: CertificateAuthority, resident: IdentityRecord, key_dir: Path) -> None:
    _, key = add_linked_system("TOKUREI", "特例転入受付端末", ["view_resident"])
    answer = _post(key, "identity-check/challenge")
    assert answer.status_code == 200, answer.content.decode()
    challenge = answer.json()["challenge"]
    card = card_of(authority, resident)

    checked = _post(key, "identity-check", {"challenge": challenge, "presented": card.read(challenge)})
    assert checked.status_code == 200, checked.content.decode()
    body = checked.json()
    assert body["result"] == "identity.verified" and body["ok"] is True and body["atena_no"] == resident.atena_no
    assert [(i["item"], i["result"]) for i in body["items"]] == [
        ("氏名", "一致"),
        ("住所", "一致"),
        ("生年月日", "一致"),
        ("性別", "一致"),
    ]
    assert NUMBER not in checked.content.decode()

    again = _post(key, "identity-check", {"challenge": challenge, "presented": card.read(challenge)})
    assert again.status_code == 400 and again.json()["code"] == "identity.challenge_used"
    fresh = _post(key, "identity-check/challenge").json()["challenge"]
    broken = _post(key, "identity-check", {"challenge": fresh, "presented": {"format": "x"}})
    assert broken.status_code == 400 and broken.json()["code"] == "identity.bad_format"

    authority.revoke(card)
    (key_dir / identity_check.CRL_FILE).write_bytes(authority.crl_pem())
    fresh = _post(key, "identity-check/challenge").json()["challenge"]
    revoked = _post(key, "identity-check", {"challenge": fresh, "presented": card.read(fresh)}).json()
    assert revoked["result"] == "identity.revoked" and revoked["ok"] is False and revoked["items"] == []
    assert AccessLog.objects.filter(purpose=identity_check.PURPOSE).count() == 2


def test_identity_search_over_the_api(resident: IdentityRecord) -> None:
    _, plain = add_linked_system("KOKUHO", "国保システム", ["view_resident"])
    _, numbers = add_linked_system("ATENA", "宛名システム", ["view_resident", "see_individual_number"])
    found = _post(plain, "identity-search", {"criteria": {"name": "上尾", "birth": "S55.4.1"}})
    assert found.status_code == 200, found.content.decode()
    hit = found.json()["hits"][0]
    assert found.json()["count"] == 1 and hit["atena_no"] == resident.atena_no
    assert hit["individual_number"] == identity_search.MASK_NUMBER and hit["resident_code"] == identity_search.MASK_CODE
    assert hit["record_status"] == "現存" and hit["superseded"] is False

    refused = _post(plain, "identity-search", {"criteria": {"name": "上尾"}})
    assert refused.status_code == 400 and refused.json()["code"] == "search.criteria_not_allowed"
    assert "氏名＋住所" in refused.json()["message"]
    forbidden = _post(plain, "identity-search", {"criteria": {"individual_number": NUMBER}})
    assert forbidden.status_code == 400 and forbidden.json()["code"] == "search.criterion_forbidden"

    by_number = _post(numbers, "identity-search", {"criteria": {"individual_number": NUMBER}})
    assert by_number.json()["hits"][0]["individual_number"] == NUMBER
    log = AccessLog.objects.filter(purpose=identity_search.PURPOSE).latest("id")
    assert log.individual_number_shown and NUMBER not in str(log.criteria)


@pytest.mark.django_db
def test_api_refuses_a_system_without_the_capability() -> None:
    _, none = add_linked_system("OTHER", "その他", [])
    for path in ("identity-check/challenge", "identity-check", "identity-search"):
        answer = _post(none, path)
        assert answer.status_code == 403 and answer.json()["code"] == "auth.forbidden", path
    assert Client().post("/api/v1/jukinet/identity-search", {}, content_type="application/json").status_code == 401
