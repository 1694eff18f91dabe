"""本人確認 at the counter (assessment system 2, function 2): a simulated 個人番号カード with real
ECDSA keys, X.509 certificates and a CRL (peers.jpki), checked by jumin.jukinet.identity_check
against the 本人確認情報 file — every outcome and every refusal, on both engines."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from peers.jpki import Card, CertificateAuthority, running
from peers.jpki.authority import CHALLENGE_PREFIX, SIGNATURE

from jumin.accounts.models import User
from jumin.accounts.principal import Principal
from jumin.audit.models import AccessLog
from jumin.core.errors import DomainError
from jumin.jukinet import identity_check
from jumin.jukinet.identity_check import CA_FILE, CRL_FILE, issue_challenge, verify_card
from jumin.jukinet.models import IdentityRecord
from jumin.jukinet.services import build_from_outbox
from tests.conftest import make_operator
from tests.registry.conftest import final, move_in_data, person

NUMBER = "123456789018"
UNKNOWN_NUMBER = "023456789013"
KATAGAKI = "　コーポ上尾 203号室"


def publish(authority: CertificateAuthority, key_dir: Path, **crl: Any) -> None:
    """The operator's copy of the CA certificate and the current CRL in the key directory."""
    (key_dir / CA_FILE).write_bytes(authority.pem)
    (key_dir / CRL_FILE).write_bytes(authority.crl_pem(**crl))


@pytest.fixture
def authority(key_dir: Path) -> CertificateAuthority:
    ca = CertificateAuthority()
    publish(ca, key_dir)
    return ca


@pytest.fixture
def resident(counter: User, reviewer: User, key_dir: Path) -> IdentityRecord:
    final("move_in", move_in_data(person(individual_number=NUMBER)), counter, reviewer)
    build_from_outbox()
    return IdentityRecord.objects.get(superseded_at__isnull=True)


def card_of(authority: CertificateAuthority, record: IdentityRecord, **overrides: Any) -> Card:
    face: dict[str, Any] = {
        "name": record.name,
        "address": record.address + KATAGAKI,
        "birth": record.birth_text,
        "sex": "男",
        "individual_number": NUMBER,
    }
    face.update(overrides)
    return authority.issue_card(**face)


@pytest.fixture
def clerk(counter: User) -> Principal:
    return Principal(user=counter)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _other_challenge(card: Card, presented: dict[str, Any]) -> None:
    import base64

    presented["challenge_signature"] = base64.b64encode(
        card.key.sign(CHALLENGE_PREFIX + b"another", SIGNATURE)
    ).decode()


def _tamper_face(card: Card, presented: dict[str, Any]) -> None:
    presented["card_face"]["name"] = "上尾\u3000次郎"


def _no_change(card: Card, presented: dict[str, Any]) -> None:
    return None


def _revoked(authority: CertificateAuthority, record: IdentityRecord, key_dir: Path) -> Card:
    card = card_of(authority, record)
    authority.revoke(card)
    publish(authority, key_dir)
    return card


def _swapped(authority: CertificateAuthority, record: IdentityRecord) -> Card:
    """The certificate and key of one genuine card with the (CA-signed) 券面事項 of another."""
    mine, other = card_of(authority, record), card_of(authority, record)
    return Card(mine.key, mine.certificate, other.face, other.face_signature)


# How each card is made (from the CA and the record) and what is done to the reader's answer.
CASES: list[tuple[str, Callable[..., Card], Callable[[Card, dict[str, Any]], None], str]] = [
    ("genuine", lambda ca, rec, kd: card_of(ca, rec), _no_change, "identity.verified"),
    ("wrong CA", lambda ca, rec, kd: card_of(CertificateAuthority(), rec), _no_change, "identity.untrusted"),
    (
        "expired",
        lambda ca, rec, kd: card_of(
            ca, rec, not_before=_now() - dt.timedelta(days=3650), not_after=_now() - dt.timedelta(days=1)
        ),
        _no_change,
        "identity.expired",
    ),
    (
        "not yet valid",
        lambda ca, rec, kd: card_of(ca, rec, not_before=_now() + dt.timedelta(days=2)),
        _no_change,
        "identity.expired",
    ),
    ("revoked", _revoked, _no_change, "identity.revoked"),
    (
        "bad challenge signature",
        lambda ca, rec, kd: card_of(ca, rec),
        _other_challenge,
        "identity.bad_challenge_signature",
    ),
    ("tampered 券面事項", lambda ca, rec, kd: card_of(ca, rec), _tamper_face, "identity.bad_card_face_signature"),
    (
        "number unknown",
        lambda ca, rec, kd: card_of(ca, rec, individual_number=UNKNOWN_NUMBER),
        _no_change,
        "identity.not_found",
    ),
    (
        "address differs",
        lambda ca, rec, kd: card_of(ca, rec, address="埼玉県上尾市原市1番地"),
        _no_change,
        "identity.mismatch",
    ),
    ("sex differs", lambda ca, rec, kd: card_of(ca, rec, sex="女"), _no_change, "identity.mismatch"),
    ("card face of another card", lambda ca, rec, kd: _swapped(ca, rec), _no_change, "identity.card_mismatch"),
]


@pytest.mark.spec("7.1.1.1", partial=True)
@pytest.mark.parametrize(("label", "make", "alter", "code"), CASES, ids=[c[0] for c in CASES])
def test_each_outcome_of_a_card_check(
    label: str,
    make: Callable[..., Card],
    alter: Callable[[Card, dict[str, Any]], None],
    code: str,
    authority: CertificateAuthority,
    resident: IdentityRecord,
    clerk: Principal,
    key_dir: Path,
) -> None:
    card = make(authority, resident, key_dir)
    challenge = issue_challenge(by=clerk).token
    presented = card.read(challenge)
    alter(card, presented)

    result = verify_card(presented, challenge, by=clerk)

    assert result.code == code, result
    assert result.message == identity_check.OUTCOMES[result.outcome]
    assert result.ok is (code == "identity.verified")
    log = AccessLog.objects.filter(purpose=identity_check.PURPOSE).get()
    assert log.criteria == {"result": code} and log.action == "verify"
    assert NUMBER not in json.dumps(log.criteria) + json.dumps(log.persons)
    if code in ("identity.verified", "identity.mismatch"):
        assert result.atena_no == resident.atena_no and log.persons == [resident.atena_no]
        assert [i.label for i in result.items] == ["氏名", "住所", "生年月日", "性別"]
    else:
        assert result.items == [] and log.persons == []


def test_item_by_item_comparison(authority: CertificateAuthority, resident: IdentityRecord, clerk: Principal) -> None:
    card = card_of(authority, resident, address="埼玉県上尾市原市1番地", birth="S55.4.2")
    challenge = issue_challenge(by=clerk).token
    result = verify_card(json.dumps(card.read(challenge)), challenge, by=clerk)
    assert result.code == "identity.mismatch"
    assert [(i.label, i.status) for i in result.items] == [
        ("氏名", "一致"),
        ("住所", "不一致"),
        ("生年月日", "不一致"),
        ("性別", "一致"),
    ]
    assert result.items[0].record == resident.name and result.items[3].record == "男"


def test_written_forms_that_still_match(
    authority: CertificateAuthority, resident: IdentityRecord, clerk: Principal
) -> None:
    """半角/全角 and spaces, a 西暦 birth date, and the record's address without the 方書."""
    card = card_of(authority, resident, name="上尾 太郎", birth="1980-04-01", address=resident.address)
    challenge = issue_challenge(by=clerk).token
    assert verify_card(card.read(challenge), challenge, by=clerk).ok
    longer = card_of(authority, resident, address=resident.address + "0号")  # 1番1号 is not 1番10号
    challenge = issue_challenge(by=clerk).token
    assert verify_card(longer.read(challenge), challenge, by=clerk).code == "identity.mismatch"


def test_a_removed_record_is_reported(
    authority: CertificateAuthority, resident: IdentityRecord, counter: User, reviewer: User, clerk: Principal
) -> None:
    final("death", {"atena_nos": [resident.atena_no], "effective": "R8.11.26"}, counter, reviewer)
    build_from_outbox()
    challenge = issue_challenge(by=clerk).token
    result = verify_card(card_of(authority, resident).read(challenge), challenge, by=clerk)
    assert result.code == "identity.removed" and result.record_status == "消除"


def _error(presented: Any, challenge: str, by: Principal) -> str:
    with pytest.raises(DomainError) as caught:
        verify_card(presented, challenge, by=by)
    assert NUMBER not in str(caught.value)
    return caught.value.code


def test_a_challenge_is_used_once_by_the_operator_it_was_given_to(
    authority: CertificateAuthority, resident: IdentityRecord, clerk: Principal, reviewer: User
) -> None:
    card = card_of(authority, resident)
    challenge = issue_challenge(by=clerk).token
    assert verify_card(card.read(challenge), challenge, by=clerk).ok
    assert _error(card.read(challenge), challenge, clerk) == "identity.challenge_used"

    someone_else = issue_challenge(by=Principal(user=reviewer)).token
    assert _error(card.read(someone_else), someone_else, clerk) == "identity.challenge_invalid"
    assert _error(card.read("made-up"), "made-up", clerk) == "identity.challenge_invalid"

    mine, other = issue_challenge(by=clerk).token, issue_challenge(by=clerk).token
    assert _error(card.read(other), mine, clerk) == "identity.challenge_mismatch"


def test_an_old_challenge_expires(
    authority: CertificateAuthority, resident: IdentityRecord, clerk: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() - identity_check.CHALLENGE_SECONDS - 5)
    challenge = issue_challenge(by=clerk).token
    monkeypatch.setattr(time, "time", real)
    assert _error(card_of(authority, resident).read(challenge), challenge, clerk) == "identity.challenge_expired"


@pytest.mark.parametrize(
    "presented",
    [
        "{",
        "[]",
        {"format": "other"},
        {"format": "jpki-sim-reader-v1", "certificate": "x", "card_face": {}, "challenge": "c"},
        "CERT",
        "SIG",
    ],
    ids=["not json", "not an object", "unknown format", "missing items", "certificate not PEM", "signature not base64"],
)
def test_malformed_reader_output_is_refused(
    presented: Any, authority: CertificateAuthority, resident: IdentityRecord, clerk: Principal
) -> None:
    challenge = issue_challenge(by=clerk).token
    if presented in ("CERT", "SIG"):
        good = card_of(authority, resident).read(challenge)
        good["certificate" if presented == "CERT" else "challenge_signature"] = "not *base64* at all"
        presented = good
    assert _error(presented, challenge, clerk) == "identity.bad_format"
    assert not AccessLog.objects.filter(purpose=identity_check.PURPOSE).exists()


def test_no_check_without_a_trust_anchor_or_a_usable_crl(
    authority: CertificateAuthority, resident: IdentityRecord, clerk: Principal, key_dir: Path
) -> None:
    card = card_of(authority, resident)

    def attempt() -> str:
        challenge = issue_challenge(by=clerk).token
        return _error(card.read(challenge), challenge, clerk)

    (key_dir / CRL_FILE).unlink()
    assert attempt() == "identity.crl_unavailable"
    (key_dir / CRL_FILE).write_bytes(CertificateAuthority().crl_pem())
    assert attempt() == "identity.crl_invalid"
    (key_dir / CRL_FILE).write_bytes(b"-----BEGIN X509 CRL-----\nnonsense\n-----END X509 CRL-----\n")
    assert attempt() == "identity.crl_invalid"
    publish(authority, key_dir, age=dt.timedelta(days=2))
    assert attempt() == "identity.crl_stale"
    (key_dir / CA_FILE).unlink()
    assert attempt() == "identity.ca_missing"


def test_the_crl_is_fetched_from_the_ca_over_http(
    authority: CertificateAuthority, resident: IdentityRecord, clerk: Principal, key_dir: Path, settings: Any
) -> None:
    from peers.jpki import CardRepository

    (key_dir / CRL_FILE).unlink()
    with running(repository=CardRepository(authority=authority)) as simulator:
        settings.JUMIN_JPKI_CRL_URL = simulator.url + "/crl.pem"
        card = card_of(authority, resident)
        challenge = issue_challenge(by=clerk).token
        assert verify_card(card.read(challenge), challenge, by=clerk).ok
        authority.revoke(card)  # the live list has it at once
        challenge = issue_challenge(by=clerk).token
        assert verify_card(card.read(challenge), challenge, by=clerk).code == "identity.revoked"
        settings.JUMIN_JPKI_CRL_URL = simulator.url + "/nothing-here"
        challenge = issue_challenge(by=clerk).token
        assert _error(card.read(challenge), challenge, clerk) == "identity.crl_unavailable"
    settings.JUMIN_JPKI_CRL_URL = "file:///etc/passwd"
    challenge = issue_challenge(by=clerk).token
    assert _error(card.read(challenge), challenge, clerk) == "identity.crl_unavailable"


def test_only_operators_who_may_view_residents_check_cards(db: None) -> None:
    nobody = Principal(user=make_operator("norole", "権限 なし"))
    with pytest.raises(DomainError) as caught:
        issue_challenge(by=nobody)
    assert caught.value.code == "auth.forbidden"
    with pytest.raises(DomainError) as caught:
        verify_card({}, "x", by=nobody)
    assert caught.value.code == "auth.forbidden"


def test_the_certificate_carries_the_four_items_and_no_number(
    authority: CertificateAuthority, resident: IdentityRecord
) -> None:
    card = card_of(authority, resident)
    items = identity_check.four_items(card.certificate)
    assert items == {
        "name": resident.name,
        "address": resident.address + KATAGAKI,
        "birth": resident.birth_text,
        "sex": "男",
    }
    assert NUMBER.encode() not in card.certificate.public_bytes(serialization.Encoding.DER)
