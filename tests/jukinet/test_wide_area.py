"""広域交付 (住基法12条の4) over real HTTP through the simulated 住基ネット, both ways.

住所地: the relay (peers.municipality) carries another municipality's request to jumin's live
server (``/api/v1/jukinet/wide-area/requests``, the relay's API key and Ed25519 signature) and
checks jumin's signed answer.  交付地: jumin's counter reads a card of the simulated 認証局
(peers.jpki), sends the request to the relay, whose simulated 住所地 answers; the copy is
issued here under our 認証者."""

from __future__ import annotations

import io
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone
from peers.jpki import RunningSimulator as Jpki
from peers.jpki import running as jpki_running
from peers.municipality import RunningSimulator, running
from peers.signed import write_public
from pypdf import PdfReader
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import User
from jumin.accounts.principal import Principal
from jumin.accounts.services import add_linked_system
from jumin.audit.models import AccessLog
from jumin.certificates import content as c
from jumin.certificates import sealing
from jumin.certificates.models import Certifier, Issuance
from jumin.core import wide_area as w
from jumin.core.certificates import IssueNumber
from jumin.core.errors import DomainError
from jumin.jukinet import card_reader, identity_check, wide_area
from jumin.jukinet.models import WideAreaExchange
from jumin.jukinet.services import build_from_outbox
from jumin.linkage import signing
from jumin.protection.services import MeasureInput, create_measure, set_block
from jumin.registry.models import Resident
from jumin.registry.services import approve_movement, enter_movement
from tests.conftest import make_operator
from tests.registry.conftest import final, move_in_data, person

pytestmark = [pytest.mark.spec("7.1.1.1", "7.2.5", partial=True), pytest.mark.django_db(transaction=True)]

OUR = "112194"  # 上尾市 (JUMIN_MUNICIPALITY)
OTHER = "131016"  # 東京都千代田区: the other municipality
NUMBER = "123456789018"
OTHER_NUMBER = "023456789013"


@pytest.fixture
def key_dir(tmp_path: Path, settings: Any) -> Path:
    path = tmp_path / "jukinet"
    path.mkdir()
    settings.JUMIN_JUKINET_KEY_DIR = str(path)
    settings.JUMIN_PREFECTURE_URL = ""
    return path


@pytest.fixture
def relay(key_dir: Path, settings: Any) -> Iterator[RunningSimulator]:
    """The 住基ネット relay: trusts our CS key; we trust its key."""
    ours = signing.own_key().public_key()
    key = Ed25519PrivateKey.generate()
    write_public(key_dir / signing.MUNICIPALITY_PUBLIC, key.public_key())
    with running(key=key, client_key=ours) as simulator:
        settings.JUMIN_MUNICIPALITY_URL = simulator.url
        settings.JUMIN_MUNICIPALITY_TIMEOUT = 10.0
        yield simulator


@pytest.fixture
def mayor(db: None) -> Certifier:
    return Certifier.objects.create(
        role=Certifier.Role.MAYOR,
        title="上尾市長",
        name="畠山　稔",
        valid_from=date(2020, 1, 1),
        seal_text="上尾市長之印",
    )


@pytest.fixture
def cs(relay: RunningSimulator, live_server: LiveServer, mayor: Certifier) -> RunningSimulator:
    """Our CS is reachable from 住基ネット: the relay holds its address and its API key here."""
    _, key = add_linked_system("JUKINET", "住基ネット（広域交付）", ["issue_certificate"])
    relay.book.wide_area_endpoints[OUR] = (live_server.url, key)
    return relay


@pytest.fixture
def jpki(key_dir: Path, settings: Any) -> Iterator[Jpki]:
    with jpki_running() as simulator:
        (key_dir / identity_check.CA_FILE).write_bytes(simulator.authority.pem)
        settings.JUMIN_JPKI_CRL_URL = f"{simulator.url}/crl.pem"
        settings.JUMIN_CARD_READER = "simulator"
        settings.JUMIN_CARD_READER_URL = simulator.url
        yield simulator


def _face(number: str = NUMBER, name: str = "上尾\u3000太郎", birth: str = "昭和55年4月1日") -> dict[str, str]:
    return {
        "name": name,
        "address": "埼玉県上尾市本町三丁目1番1号",
        "birth": birth,
        "sex": "男",
        "individual_number": number,
    }


def _ask(face: dict[str, str], request_id: str, *, layout: str = "individual", items: tuple[str, ...] = ()) -> Any:
    return {
        "request_id": request_id,
        "from_municipality_code": OTHER,
        "from_municipality": "東京都千代田区",
        "to_municipality_code": OUR,
        "kind": "copy",
        "layout": layout,
        "items": list(items),
        "copies": 1,
        "card_face": face,
    }


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
    build_from_outbox()
    return {r.given_name: r.atena_no for r in Resident.objects.all()}


def _text(reply: dict[str, Any]) -> str:
    return json.dumps(reply, ensure_ascii=False)


# -- 住所地: we answer --------------------------------------------------------------------------


def test_our_resident_is_answered_over_jukinet_and_logged(
    cs: RunningSimulator, counter: User, reviewer: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    family = _family(counter, reviewer)
    taro = Resident.objects.get(atena_no=family["太郎"])
    status, reply = cs.server.relay_wide_area(_ask(_face(), "131016-0001", items=("head_relationship",)))
    assert status == 200, reply
    assert (reply["outcome"], reply["municipality_code"], reply["reason_code"]) == ("answered", OUR, "")
    content = reply["content"]
    assert [p["atena_no"] for p in content["persons"]] == [""]  # our person id stays here
    assert "上尾　太郎" in _text(reply) and "花子" not in _text(reply)
    assert "世帯主" in _text(reply)  # 世帯主・続柄 asked for
    assert NUMBER not in _text(reply) and taro.resident_code not in _text(reply)
    assert "埼玉県上尾市本町一丁目1番地" not in _text(reply)  # 本籍 is never on a 広域交付 copy
    document = sealing.from_plain(content)  # the 交付地 can print it
    assert document.kind == c.COPY and document.address.startswith("埼玉県上尾市本町三丁目")

    status, household = cs.server.relay_wide_area(_ask(_face(), "131016-0002", layout="household"))
    assert status == 200 and household["outcome"] == "answered" and household["whole_household"] is True
    assert len(household["content"]["persons"]) == 2 and "上尾　花子" in _text(household)

    rows = WideAreaExchange.objects.filter(direction="received").order_by("id")
    assert [(r.counterpart_code, r.request_id, r.outcome) for r in rows] == [
        (OTHER, "131016-0001", "answered"),
        (OTHER, "131016-0002", "answered"),
    ]
    assert rows[0].persons == [taro.atena_no] and sorted(rows[1].persons) == sorted(family.values())
    logged = AccessLog.objects.filter(purpose="jukinet.wide_area", client="JUKINET")
    assert logged.count() == 2
    assert all(row.criteria["from"] == OTHER for row in logged)
    everything = " ".join(str(row.criteria) for row in AccessLog.objects.all()) + caplog.text
    assert NUMBER not in everything and taro.resident_code not in everything

    # the same request id again: refused by our CS, recorded once
    status, again = cs.server.relay_wide_area(_ask(_face(), "131016-0001"))
    assert (status, again["error"], again["code"]) == (502, "refused_by_cs", "wide_area.duplicate_request")
    assert rows.count() == 2


def test_a_request_not_signed_by_jukinet_is_refused(cs: RunningSimulator, live_server: LiveServer) -> None:
    _, key = add_linked_system("OTHER", "署名のない連携", ["issue_certificate"])
    raw = json.dumps(_ask(_face(), "131016-0009")).encode()
    request = urllib.request.Request(
        f"{live_server.url}{wide_area.CS_PATH}",
        data=raw,
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 401
    assert json.loads(refused.value.read())["code"] == "jukinet.unknown_key"
    assert not WideAreaExchange.objects.exists()


def test_refusals_have_stable_codes_and_provisional_data_is_never_answered(
    cs: RunningSimulator, counter: User, reviewer: User
) -> None:
    family = _family(counter, reviewer)
    officer = make_operator("shien", "支援 責任者", roles=("支援措置責任者",))

    def ask(face: dict[str, str], rid: str, layout: str = "individual") -> dict[str, Any]:
        status, reply = cs.server.relay_wide_area(_ask(face, rid, layout=layout))
        assert status == 200, reply
        return reply

    assert ask(_face(birth="昭和55年4月2日"), "r1")["reason_code"] == w.MISMATCH
    nobody = _face(OTHER_NUMBER, "上尾\u3000次郎")
    assert ask(nobody, "r2")["reason_code"] == w.NOT_FOUND
    # 仮登録: not in the register, not in the 本人確認情報 file — never answered
    movement = enter_movement(
        "move_in",
        move_in_data(person(given_name="次郎", furigana_given_name="ジロウ", individual_number=OTHER_NUMBER)),
        by=counter,
    )
    build_from_outbox()
    assert ask(nobody, "r3")["reason_code"] == w.NOT_FOUND
    approve_movement(movement, by=reviewer)
    build_from_outbox()
    assert ask(nobody, "r4")["outcome"] == "answered"
    jiro = Resident.objects.get(given_name="次郎").atena_no
    final("death", {"atena_nos": [jiro], "effective": "R8.11.26"}, counter, reviewer)
    build_from_outbox()
    removed = ask(nobody, "r5")
    assert removed["reason_code"] == w.REMOVED and removed["content"] is None

    # 支援措置 of 花子: 太郎's own copy is answered, a household copy touching her is not
    create_measure(
        MeasureInput(
            kind="dv",
            applicant_atena_no=family["花子"],
            accompanying=[],
            start_on=timezone.localdate(),
            reason="相談機関の意見あり",
            offenders=[],
        ),
        by=officer,
    )
    assert ask(_face(), "r6")["outcome"] == "answered"
    protected = ask(_face(), "r7", layout="household")
    assert (protected["reason_code"], protected["message"]) == (w.PROTECTED, w.REASONS[w.PROTECTED].message)
    assert protected["content"] is None and "花子" not in _text(protected)
    set_block(
        scope="person",
        target_no=family["太郎"],
        process="certificate",
        level="error",
        reason="不正請求の疑い",
        by=officer,
    )
    assert ask(_face(), "r8")["reason_code"] == w.BLOCKED
    refused = WideAreaExchange.objects.filter(outcome="refused").values_list("request_id", "reason_code")
    assert set(refused) == {
        ("r1", w.MISMATCH),
        ("r2", w.NOT_FOUND),
        ("r3", w.NOT_FOUND),
        ("r5", w.REMOVED),
        ("r7", w.PROTECTED),
        ("r8", w.BLOCKED),
    }
    assert AccessLog.objects.filter(purpose="jukinet.wide_area", action="refuse").count() == 6


# -- 交付地: we issue --------------------------------------------------------------------------


def _held_copy(name: str) -> dict[str, Any]:
    """What the simulated 住所地 (千代田区) answers: a 住民票の写し content."""
    document = c.CertificateContent(
        kind=c.COPY,
        title="住民票の写し",
        layout=c.INDIVIDUAL,
        address="東京都千代田区千代田1番1号",
        katagaki="",
        head_name="",
        persons=(
            c.PersonBlock(
                "",
                (
                    c.Field("氏名", name),
                    c.Field("生年月日", "平成2年5月6日"),
                    c.Field("性別", "男"),
                    c.Field("住所", "東京都千代田区千代田1番1号"),
                ),
            ),
        ),
        attestation="",
        issued_on=date(2026, 12, 1),
        issued_on_text="令和8年12月1日",
        certifier=c.Certifier("", "", "", None, ""),
        issue_number=IssueNumber(date(2026, 12, 1), "", "", "", 1),
    )
    return sealing.to_plain(document)


def _card_face(name: str, number: str) -> dict[str, str]:
    return {
        "name": name,
        "address": "東京都千代田区千代田1番1号",
        "birth": "平成2年5月6日",
        "sex": "男",
        "individual_number": number,
    }


def _at_counter(jpki: Jpki, clerk: User, face: dict[str, str], ask: wide_area.CounterAsk) -> wide_area.CounterResult:
    card = jpki.repository.issue(**face)
    principal = Principal(user=clerk)
    challenge = identity_check.issue_challenge(by=principal).token
    presented = card_reader.reader().read(f"{card.serial:x}", challenge)
    return wide_area.request_copy(principal, json.dumps(presented), challenge, ask)


def _pdf_text(pdf: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return text.replace(" ", "").replace("\u3000", "")


def test_a_resident_of_another_municipality_gets_a_copy_at_our_counter(
    relay: RunningSimulator, jpki: Jpki, mayor: Certifier
) -> None:
    clerk = make_operator("kofu", "交付 担当", roles=("窓口入力", "証明書交付"))
    face = _card_face("千代田\u3000一郎", NUMBER)
    relay.book.hold_resident(OTHER, "東京都千代田区", face, {"content": _held_copy("千代田　一郎")})
    result = _at_counter(jpki, clerk, face, wide_area.CounterAsk(residence_code=OTHER))
    assert result.outcome == "answered" and result.issued is not None
    assert result.fee == w.DEFAULT_FEE and result.residence_name == "東京都千代田区"
    text = _pdf_text(result.issued.pdfs[0])
    assert "千代田一郎" in text and "広域交付" in text and "東京都千代田区" in text and "上尾市長" in text
    issuance = Issuance.objects.get()
    assert issuance.persons == [] and "東京都千代田区" in issuance.id_document_note
    assert issuance.operator == clerk and issuance.certifier.startswith("上尾市長")
    sent = WideAreaExchange.objects.get()
    assert (sent.direction, sent.counterpart_code, sent.outcome, sent.fee) == ("sent", OTHER, "answered", 300)
    assert sent.issue_nos == [issuance.issue_no]
    assert relay.book.wide_area_log[-1] | {"request_id": ""} == {
        "request_id": "",
        "from": OUR,
        "to": OTHER,
        "status": 200,
        "outcome": "answered",
        "reason_code": "",
    }


def test_a_refusal_is_shown_and_an_outage_records_nothing(
    relay: RunningSimulator, jpki: Jpki, mayor: Certifier
) -> None:
    clerk = make_operator("kofu", "交付 担当", roles=("窓口入力", "証明書交付"))
    face = _card_face("千代田\u3000花子", NUMBER)
    relay.book.hold_resident(OTHER, "東京都千代田区", face, {"reason_code": w.PROTECTED, "message": "x"})
    refused = _at_counter(jpki, clerk, face, wide_area.CounterAsk(residence_code=OTHER))
    assert (refused.outcome, refused.reason_code) == ("refused", w.PROTECTED)
    assert refused.message == w.REASONS[w.PROTECTED].message  # our own Japanese text for the code
    assert not Issuance.objects.exists()
    assert WideAreaExchange.objects.get().outcome == "refused"

    with pytest.raises(DomainError) as unknown:
        _at_counter(jpki, clerk, face, wide_area.CounterAsk(residence_code="999999"))
    assert unknown.value.code == "wide_area.unknown_municipality"
    with pytest.raises(DomainError) as own:
        _at_counter(jpki, clerk, face, wide_area.CounterAsk(residence_code=OUR))
    assert own.value.code == "wide_area.own_resident"

    relay.book.hold_resident(
        OTHER, "東京都千代田区", _card_face("千代田\u3000一郎", NUMBER), {"content": _held_copy("x")}
    )
    relay.book.down = True  # the network answers 503
    with pytest.raises(DomainError) as down:
        _at_counter(jpki, clerk, _card_face("千代田\u3000一郎", NUMBER), wide_area.CounterAsk(residence_code=OTHER))
    assert down.value.code == "wide_area.unavailable" and "記録はしていません" in down.value.message
    relay.book.down = False
    relay.stop()  # connection refused
    with pytest.raises(DomainError) as gone:
        _at_counter(jpki, clerk, _card_face("千代田\u3000一郎", NUMBER), wide_area.CounterAsk(residence_code=OTHER))
    assert gone.value.code == "wide_area.unavailable"
    assert not Issuance.objects.exists() and WideAreaExchange.objects.count() == 1


def test_counter_input_is_checked_before_anything_is_sent(relay: RunningSimulator, jpki: Jpki) -> None:
    clerk = make_operator("kofu", "交付 担当", roles=("窓口入力", "証明書交付"))
    face = _card_face("千代田\u3000一郎", NUMBER)
    for ask, code in (
        (wide_area.CounterAsk(layout="both"), "wide_area.bad_layout"),
        (wide_area.CounterAsk(items=("honseki",)), "wide_area.bad_item"),
        (wide_area.CounterAsk(copies=11), "wide_area.bad_copies"),
        (wide_area.CounterAsk(residence_code="12"), "wide_area.bad_code"),
    ):
        with pytest.raises(DomainError) as refused:
            _at_counter(jpki, clerk, face, ask)
        assert refused.value.code == code
    assert relay.book.wide_area_log == []
    nobody = make_operator("etsuran", "閲覧 担当", roles=("窓口入力",))
    with pytest.raises(DomainError) as forbidden:
        wide_area.request_copy(Principal(user=nobody), "{}", "", wide_area.CounterAsk())
    assert forbidden.value.code == "auth.forbidden"
    assert asdict(wide_area.CounterAsk()) == {"residence_code": "", "layout": "individual", "items": (), "copies": 1}


def test_a_revoked_card_is_refused_at_our_counter_before_anything_is_sent(relay: RunningSimulator, jpki: Jpki) -> None:
    clerk = make_operator("kofu", "交付 担当", roles=("窓口入力", "証明書交付"))
    face = _card_face("千代田\u3000一郎", NUMBER)
    card = jpki.repository.issue(**face)
    revoke = urllib.request.Request(f"{jpki.url}/cards/{card.serial:x}/revoke", data=b"{}", method="POST")
    with urllib.request.urlopen(revoke, timeout=30):  # the 認証局 simulator of the test
        pass
    principal = Principal(user=clerk)
    challenge = identity_check.issue_challenge(by=principal).token
    presented = card_reader.reader().read(f"{card.serial:x}", challenge)
    with pytest.raises(DomainError) as refused:
        wide_area.request_copy(principal, json.dumps(presented), challenge, wide_area.CounterAsk(residence_code=OTHER))
    assert refused.value.code == "identity.revoked" and "失効" in refused.value.message
    assert relay.book.wide_area_log == [] and not WideAreaExchange.objects.exists()
    # the card check is access-logged, without the number
    check = AccessLog.objects.filter(purpose=identity_check.PURPOSE).latest("id")
    assert check.criteria == {"result": "identity.revoked", "wide_area": True}
