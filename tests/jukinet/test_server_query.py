"""本人確認情報照会 to the 全国サーバ and the 都道府県サーバ (assessment system 2, function 5
「機構又は都道府県への情報照会」; spec 7.1.1.1), over real HTTP against the simulators
(peers.national, peers.prefecture): the three key kinds, the 4情報 rule, masking, the cap, no
match, outage, maintenance, a bad answer signature, and the access log (never a number in it)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client
from django.utils import timezone
from peers.prefecture import RunningSimulator
from peers.prefecture.query import answer, birth_of
from peers.prefecture.reconciliation import load_copy
from peers.prefecture.server import write_public

from jumin.accounts.models import User
from jumin.accounts.principal import Principal
from jumin.audit.models import AccessLog
from jumin.core.errors import DomainError
from jumin.jukinet.dispatch import send_pending
from jumin.jukinet.identity_search import MASK_CODE, MASK_NUMBER
from jumin.jukinet.models import IdentityRecord
from jumin.jukinet.server_query import PURPOSE, query_server
from jumin.jukinet.services import build_from_outbox
from jumin.linkage import signing
from peers import national
from tests.conftest import log_in
from tests.registry.conftest import final, move_in_data, person

pytestmark = [pytest.mark.spec("7.1.1.1", partial=True), pytest.mark.django_db(transaction=True)]

NUMBER = "123456789018"  # ours (上尾　太郎)
OTHER_NUMBER = "987654321018"  # a resident of another municipality, held by the 全国サーバ
OTHER_CODE = "12345678901"


def _body(
    code: str, name: str, furigana: str, birth: str, sex: str, number: str = "", city: str = "131016"
) -> dict[str, Any]:
    return {
        "resident_code": code,
        "individual_number": number,
        "name": name,
        "furigana": furigana,
        "birth_text": birth,
        "sex": sex,
        "municipality_code": city,
        "address": "東京都千代田区千代田1番地",
        "record_status": "current",
        "reason": "move_in",
        "recorded_at": "2024-05-01T01:02:03+00:00",
    }


@pytest.fixture
def national_server(key_dir: Path, settings: Any) -> Iterator[RunningSimulator]:
    """The 全国サーバ simulator holding three persons of other municipalities."""
    key = Ed25519PrivateKey.generate()
    write_public(key_dir / national.OWN_PUBLIC, key.public_key())
    book = national.NationalBook()
    for body in (
        _body(OTHER_CODE, "千代田\u3000一郎", "ちよだ\u3000いちろう", "昭和60年5月6日", "1", OTHER_NUMBER),
        _body("22345678901", "千代田\u3000二郎", "ちよだ\u3000じろう", "昭和60年5月6日", "1"),
        _body("32345678901", "千代田\u3000花子", "ちよだ\u3000はなこ", "1985-05-06", "2"),
    ):
        book.records[body["resident_code"]] = body
    with national.running(key=key, client_key=signing.own_key().public_key(), book=book) as simulator:
        settings.JUMIN_NATIONAL_URL = simulator.url
        settings.JUMIN_NATIONAL_TIMEOUT = 2.0
        yield simulator


@pytest.fixture
def ours(counter: User, reviewer: User, prefecture: RunningSimulator) -> IdentityRecord:
    """Our resident, delivered to the 都道府県サーバ by the real telegram."""
    final("move_in", move_in_data(person(individual_number=NUMBER)), counter, reviewer)
    build_from_outbox()
    assert send_pending(now=timezone.now()).sent == 1
    return IdentityRecord.objects.get()


def _log() -> AccessLog:
    return AccessLog.objects.filter(purpose=PURPOSE).latest("id")


def _no_numbers(*codes: str) -> None:
    text = json.dumps([(a.criteria, a.persons) for a in AccessLog.objects.filter(purpose=PURPOSE)], ensure_ascii=False)
    for value in (NUMBER, OTHER_NUMBER, OTHER_CODE, *codes):
        assert value not in text


def test_four_items_at_the_national_server_masked_for_the_counter(
    national_server: RunningSimulator, counter: User, reviewer: User
) -> None:
    plain = query_server(Principal(user=counter), "national", {"name": "千代田 一郎", "birth": "S60.5.6"})
    assert plain.key == "four" and plain.server.label == "全国サーバ"
    [hit] = plain.records
    assert (hit.name, hit.birth_text, hit.sex, hit.municipality_code) == (
        "千代田\u3000一郎",
        "昭和60年5月6日",
        "男",
        "131016",
    )
    assert (hit.resident_code, hit.individual_number, hit.atena_no) == (MASK_CODE, MASK_NUMBER, "")
    assert hit.record_status == "現存" and hit.recorded_at is not None
    log = _log()
    assert log.criteria["_key"] == "four" and log.criteria["_server"] == "national"
    assert log.criteria["_outcome"] == "ok" and log.result_count == 1 and log.persons == []
    assert not log.individual_number_shown and not log.resident_code_shown

    shown = query_server(Principal(user=reviewer), "national", {"name": "ちよだ", "birth": "1985-05-06", "sex": "2"})
    assert [(r.name, r.resident_code) for r in shown.records] == [("千代田\u3000花子", "32345678901")]
    assert _log().resident_code_shown
    both = query_server(Principal(user=counter), "national", {"name": "千代田", "birth": "昭和60年5月6日"})
    assert both.count == 3  # 西暦 and 和暦 as written both match
    _no_numbers()


def test_individual_number_key_needs_its_capability(
    national_server: RunningSimulator, counter: User, reviewer: User
) -> None:
    found = query_server(Principal(user=reviewer), "national", {"individual_number": OTHER_NUMBER})
    assert found.key == "individual_number"
    assert [(r.resident_code, r.individual_number) for r in found.records] == [(OTHER_CODE, OTHER_NUMBER)]
    assert _log().individual_number_shown and _log().criteria["individual_number"] == "（指定あり）"
    before = national_server.book.requests
    with pytest.raises(DomainError) as caught:
        query_server(Principal(user=counter), "national", {"individual_number": OTHER_NUMBER})
    assert caught.value.code == "search.criterion_forbidden"
    with pytest.raises(DomainError) as bad:
        query_server(Principal(user=reviewer), "national", {"individual_number": "123456789012"})
    assert bad.value.code == "search.bad_number"
    assert national_server.book.requests == before, "a refused query is never sent"
    assert [a.criteria["_outcome"] for a in AccessLog.objects.filter(purpose=PURPOSE).order_by("id")] == [
        "ok",
        "search.criterion_forbidden",
        "search.bad_number",
    ]
    _no_numbers()


def test_resident_code_at_the_prefecture_names_our_resident(ours: IdentityRecord, reviewer: User) -> None:
    result = query_server(Principal(user=reviewer), "prefecture", {"resident_code": ours.resident_code})
    [hit] = result.records
    assert (hit.name, hit.individual_number, hit.atena_no) == (ours.name, NUMBER, ours.atena_no)
    log = _log()
    assert log.criteria["_key"] == "resident_code" and log.persons == [ours.atena_no] and log.result_count == 1
    _no_numbers(ours.resident_code)


def test_no_match_is_an_empty_answer(national_server: RunningSimulator, counter: User) -> None:
    result = query_server(Principal(user=counter), "national", {"name": "千代田", "birth": "S60.5.7"})
    assert result.count == 0 and result.records == []
    assert _log().result_count == 0 and _log().criteria["_outcome"] == "ok"


def test_too_many_matches_are_refused(national_server: RunningSimulator, counter: User, settings: Any) -> None:
    settings.JUMIN_JUKINET_QUERY_MAX_RESULTS = 2
    with pytest.raises(DomainError) as caught:
        query_server(Principal(user=counter), "national", {"name": "千代田", "address": "千代田区"})
    assert caught.value.code == "search.too_many" and "2件" in caught.value.message
    assert _log().criteria["_outcome"] == "search.too_many" and _log().result_count == 0


@pytest.mark.parametrize(
    ("criteria", "code"),
    [
        ({"name": "千代田"}, "search.criteria_not_allowed"),
        ({"birth": "S60.5.6", "sex": "1"}, "search.criteria_not_allowed"),
        ({"name": "千代田", "birth": "いつか"}, "search.bad_birth"),
    ],
)
def test_four_items_need_name_and_birth_or_address(
    national_server: RunningSimulator, counter: User, criteria: dict[str, Any], code: str
) -> None:
    with pytest.raises(DomainError) as caught:
        query_server(Principal(user=counter), "national", criteria)
    assert caught.value.code == code
    assert national_server.book.requests == 0
    assert _log().criteria["_outcome"] == code


def test_outage_maintenance_and_bad_signature(
    national_server: RunningSimulator, counter: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    principal, ask = Principal(user=counter), {"name": "千代田", "birth": "S60.5.6"}
    national_server.book.faults.tamper_responses = True
    with pytest.raises(DomainError) as tampered:
        query_server(principal, "national", ask)
    assert tampered.value.code == "jukinet.query_bad_answer"
    national_server.book.faults.tamper_responses = False
    national_server.book.faults.down = True
    with pytest.raises(DomainError) as maintenance:
        query_server(principal, "national", ask)
    assert maintenance.value.code == "jukinet.query_unavailable" and "停止中" in maintenance.value.message
    national_server.book.faults.down = False
    national_server.stop()  # connection refused
    with pytest.raises(DomainError) as down:
        query_server(principal, "national", ask)
    assert down.value.code == "jukinet.query_unavailable" and "接続できません" in down.value.message
    outcomes = [a.criteria["_outcome"] for a in AccessLog.objects.filter(purpose=PURPOSE).order_by("id")]
    assert outcomes == ["jukinet.query_bad_answer", "jukinet.query_unavailable", "jukinet.query_unavailable"]
    assert all(a.result_count == 0 for a in AccessLog.objects.filter(purpose=PURPOSE))
    assert "千代田" not in caplog.text and OTHER_NUMBER not in caplog.text


def test_answer_signed_by_another_key_is_refused(
    national_server: RunningSimulator, key_dir: Path, reviewer: User
) -> None:
    write_public(key_dir / national.OWN_PUBLIC, Ed25519PrivateKey.generate().public_key())
    with pytest.raises(DomainError) as caught:
        query_server(Principal(user=reviewer), "national", {"individual_number": OTHER_NUMBER})
    assert caught.value.code == "jukinet.query_bad_answer"
    assert OTHER_NUMBER not in caught.value.message


def test_unconfigured_unknown_server_and_no_permission(key_dir: Path, counter: User, settings: Any) -> None:
    settings.JUMIN_NATIONAL_URL = ""
    ask = {"name": "千代田", "birth": "S60.5.6"}
    with pytest.raises(DomainError) as unconfigured:
        query_server(Principal(user=counter), "national", ask)
    assert unconfigured.value.code == "jukinet.unconfigured" and "JUMIN_NATIONAL_URL" in unconfigured.value.message
    with pytest.raises(DomainError) as unknown:
        query_server(Principal(user=counter), "moon", ask)
    assert unknown.value.code == "jukinet.query_bad_server"
    nobody = User.objects.create_user(username="nobody", password="x" * 20, display_name="権限 なし")
    with pytest.raises(DomainError) as forbidden:
        query_server(Principal(user=nobody), "national", ask)
    assert forbidden.value.code == "auth.forbidden"


def test_screen_posts_the_query_and_never_echoes_numbers(
    national_server: RunningSimulator, reviewer: User, enrolled_client: Client
) -> None:
    client = log_in(enrolled_client, reviewer)
    page = client.get("/jukinet/identity/servers/")
    assert page.status_code == 200 and "全国サーバ" in page.content.decode()
    answer_page = client.post(
        "/jukinet/identity/servers/", {"server": "national", "individual_number": OTHER_NUMBER}
    ).content.decode()
    assert "千代田\u3000一郎" in answer_page and "令和6年5月1日 10時02分" in answer_page  # 和暦, JST
    assert 'value="' + OTHER_NUMBER not in answer_page
    refused = client.post("/jukinet/identity/servers/", {"server": "national", "name": "千代田"}).content.decode()
    assert "氏名＋生年月日" in refused


def test_the_copy_loaded_out_of_band_is_searched_and_telegrams_override_it(
    national_server: RunningSimulator, counter: User, tmp_path: Path
) -> None:
    copied = [
        _body(OTHER_CODE, "千代田\u3000旧名", "ちよだ\u3000きゅうめい", "昭和60年5月6日", "1"),
        _body("42345678901", "千代田\u3000三郎", "ちよだ\u3000さぶろう", "昭和60年5月6日", "1"),
    ]
    path = tmp_path / "copy.ndjson"
    path.write_text("".join(json.dumps(b, ensure_ascii=False) + "\n" for b in copied), encoding="utf-8")
    national_server.book.copy = load_copy(path, b"")
    found = query_server(Principal(user=counter), "national", {"name": "千代田", "birth": "S60.5.6", "sex": "男"})
    assert [r.name for r in found.records] == ["千代田\u3000一郎", "千代田\u3000二郎", "千代田\u3000三郎"]


def test_simulator_matching_rules() -> None:
    assert birth_of("平成元年1月8日").isoformat() == "1989-01-08"  # type: ignore[union-attr]
    assert birth_of("令和 6年 2月29日").isoformat() == "2024-02-29"  # type: ignore[union-attr]
    assert birth_of("2023-02-29") is None and birth_of("不詳") is None
    held = [_body(OTHER_CODE, "千代田\u3000一郎", "ちよだ\u3000いちろう", "昭和60年5月6日", "1")]
    assert answer([], lambda: held)[1] == {"error": "bad_request"}
    assert answer({"key": "four", "query_id": "q", "limit": 0}, lambda: held)[1] == {"error": "bad_request"}
    refused = answer({"key": "four", "query_id": "q", "limit": 5, "name": "千代田"}, lambda: held)
    assert refused[1]["error"] == "insufficient_keys"
    bad_date = answer({"key": "four", "query_id": "q", "limit": 5, "name": "千代田", "birth_on": "x"}, lambda: held)
    assert bad_date[1]["error"] == "insufficient_keys"
    assert answer({"key": "resident_code", "query_id": "q", "limit": 5, "resident_code": ""}, lambda: held)[0] == 400
    found = answer({"key": "four", "query_id": "q", "limit": 5, "name": "千代田", "address": "千代田区"}, lambda: held)
    assert found[1]["count"] == 1 and found[1]["query_id"] == "q"
    kana = answer(
        {"key": "four", "query_id": "q", "limit": 5, "name": "チヨダ イチ", "birth_on": "1985-05-06"}, lambda: held
    )
    assert kana[1]["count"] == 1, "カタカナ matches the ふりがな in ひらがな"
    other = answer(
        {"key": "four", "query_id": "q", "limit": 5, "name": "千代田", "birth_on": "1985-05-07"}, lambda: held
    )
    assert other[1]["count"] == 0
