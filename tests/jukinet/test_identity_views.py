"""The /jukinet/identity/ screens without a browser: the card read through the configured reader, a
POST without a challenge, the number fields shown only to those who may search by them and
never echoed back into the page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from peers.jpki import CertificateAuthority

from jumin.accounts.models import User
from jumin.audit.models import AccessLog
from jumin.core.errors import DomainError
from jumin.jukinet import card_reader, identity_check
from jumin.jukinet.card_reader import CardOnReader
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


class FakeReader:
    """A reader with one card on it (the card of the ``resident`` fixture)."""

    card: Any = None

    def cards(self) -> list[CardOnReader]:
        return [CardOnReader("1a2b", "上尾　太郎")] if FakeReader.card is not None else []

    def read(self, slot: str, challenge: str) -> dict[str, Any]:
        assert slot == "1a2b"
        return dict(FakeReader.card.read(challenge))


def test_the_card_is_read_through_the_configured_reader(
    enrolled_client: Client,
    counter: User,
    authority: CertificateAuthority,
    resident: IdentityRecord,
    settings: Any,
) -> None:
    settings.JUMIN_CARD_READER = "tests.jukinet.test_identity_views.FakeReader"
    FakeReader.card = card_of(authority, resident)
    client = log_in(enrolled_client, counter)
    page = client.get("/jukinet/identity/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="card" value="1a2b"' in text and "上尾　太郎" in text
    assert "<textarea" not in text and 'type="file"' not in text  # nothing is pasted
    challenge = _challenge(text)
    assert client.session[SESSION_KEY] == challenge
    answer = client.post("/jukinet/identity/", {"card": "1a2b"})
    text = answer.content.decode()
    assert 'data-code="identity.verified"' in text and NUMBER not in text
    assert _challenge(text) != challenge, "a new challenge for the next card"

    session = client.session
    session.pop(SESSION_KEY)
    session.save()
    again = client.post("/jukinet/identity/", {"card": "1a2b"}).content.decode()
    assert "照合用データがありません" in again and 'data-testid="identity-result"' not in again
    assert AccessLog.objects.filter(purpose=identity_check.PURPOSE).count() == 1
    FakeReader.card = None


def test_without_a_reader_the_screen_says_so(enrolled_client: Client, counter: User, settings: Any) -> None:
    settings.JUMIN_CARD_READER = "none"
    client = log_in(enrolled_client, counter)
    text = client.get("/jukinet/identity/").content.decode()
    assert 'data-testid="reader-empty"' in text and 'name="card"' not in text
    refused = client.post("/jukinet/identity/", {"card": "1a2b"}).content.decode()
    assert "カードリーダーが接続されていません" in refused


def test_a_simulator_that_does_not_answer_shows_no_card(settings: Any) -> None:
    settings.JUMIN_CARD_READER = "simulator"
    settings.JUMIN_CARD_READER_URL = "http://127.0.0.1:9"  # nothing listens there
    assert card_reader.reader().cards() == []
    with pytest.raises(DomainError, match="読み取れません"):
        card_reader.reader().read("1a2b", "challenge")
    with pytest.raises(DomainError, match="選んでください"):
        card_reader.reader().read("../admin", "challenge")
    settings.JUMIN_CARD_READER_URL = "file:///etc/passwd"
    with pytest.raises(DomainError, match="JUMIN_CARD_READER_URL"):
        card_reader.reader()


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
