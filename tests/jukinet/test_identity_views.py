"""The /jukinet/identity/ screens without a browser: the reader's answer as an uploaded file, a
POST without a challenge, the number fields shown only to those who may search by them and
never echoed back into the page."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from peers.jpki import CertificateAuthority

from jumin.accounts.models import User
from jumin.audit.models import AccessLog
from jumin.jukinet import identity_check
from jumin.jukinet.identity_views import SESSION_KEY
from jumin.jukinet.models import IdentityRecord
from tests.conftest import log_in
from tests.jukinet import test_identity_check as check_tests
from tests.jukinet.test_identity_check import NUMBER, card_of

authority = check_tests.authority  # the fixtures of the card checks
resident = check_tests.resident


def _challenge(page: str) -> str:
    match = re.search(r'data-testid="challenge"[^>]*>([^<]+)<', page)
    assert match is not None
    return match.group(1).strip()


def test_the_reader_output_as_an_uploaded_file(
    enrolled_client: Client, counter: User, authority: CertificateAuthority, resident: IdentityRecord
) -> None:
    client = log_in(enrolled_client, counter)
    page = client.get("/jukinet/identity/")
    assert page.status_code == 200
    challenge = _challenge(page.content.decode())
    assert client.session[SESSION_KEY] == challenge
    upload = SimpleUploadedFile(
        "card.json", json.dumps(card_of(authority, resident).read(challenge)).encode(), "application/json"
    )
    answer = client.post("/jukinet/identity/", {"reader_file": upload})
    text = answer.content.decode()
    assert 'data-code="identity.verified"' in text and NUMBER not in text
    assert _challenge(text) != challenge, "a new challenge for the next card"

    session = client.session
    session.pop(SESSION_KEY)
    session.save()
    again = client.post("/jukinet/identity/", {"reader": "{}"}).content.decode()
    assert "照合用データがありません" in again and 'data-testid="identity-result"' not in again
    assert AccessLog.objects.filter(purpose=identity_check.PURPOSE).count() == 1


@pytest.mark.parametrize(("role", "number_fields"), [("窓口入力", False), ("個人番号利用事務", True)])
def test_number_fields_follow_the_capability(
    enrolled_client: Client, role: str, number_fields: bool, resident: IdentityRecord
) -> None:
    from tests.conftest import make_operator

    operator = make_operator("kensaku", "検索 担当", roles=("他部署照会", role))
    client = log_in(enrolled_client, operator)
    page = client.get("/jukinet/identity/search/").content.decode()
    assert ('name="individual_number"' in page) is number_fields
    if number_fields:
        found = client.post("/jukinet/identity/search/", {"individual_number": NUMBER}).content.decode()
        assert 'data-testid="result-count">1<' in found
        assert f'value="{NUMBER}"' not in found, "the number typed is not echoed back"
        assert found.count(NUMBER) == 1, "shown once, in the result, to an operator who may see it"
