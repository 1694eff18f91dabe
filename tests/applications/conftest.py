"""Fixtures of the 申請管理システム: a key directory, the simulated 認証局 (peers.jpki, its CRL
over HTTP) and the simulated 電子申請機能 / 連携サーバ (peers.eapplication) sharing its cards,
both on real local ports; a resident family with a 個人番号カード."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone
from peers.eapplication import RunningSimulator, running
from peers.eapplication.server import OWN_PUBLIC
from peers.jpki import Card
from peers.signed import write_public

from jumin.accounts.models import User
from jumin.cards.services import record_card_event
from jumin.core.check_digits import resident_code_check_digit
from jumin.jukinet.identity_check import CA_FILE
from jumin.linkage import signing
from jumin.registry.models import Resident
from peers import jpki
from tests.registry.conftest import (  # noqa: F401  (fixtures)
    _at_the_counter,
    counter,
    final,
    move_in_data,
    person,
    reviewer,
    spare_codes,
)

ADDRESS = "埼玉県上尾市本町三丁目1番1号"
MINATO_ADDRESS_CODE = "13103001000"  # 東京都港区 (団体コード 131032)


@pytest.fixture
def key_dir(tmp_path: Path, settings: Any) -> Path:
    path = tmp_path / "jukinet"
    path.mkdir()
    settings.JUMIN_JUKINET_KEY_DIR = str(path)
    settings.JUMIN_EAPPLICATION_URL = ""
    return path


@pytest.fixture
def authority(key_dir: Path, settings: Any) -> Iterator[jpki.RunningSimulator]:
    """The 認証局: its certificate is our trust anchor, its CRL read over HTTP."""
    with jpki.running() as simulator:
        (key_dir / CA_FILE).write_bytes(simulator.authority.pem)
        settings.JUMIN_JPKI_CRL_URL = f"{simulator.url}/crl.pem"
        yield simulator


@pytest.fixture
def portal(key_dir: Path, authority: jpki.RunningSimulator, settings: Any) -> Iterator[RunningSimulator]:
    """The 電子申請機能 / 連携サーバ, trusting our key; its key in our key directory."""
    from peers.eapplication import ApplicationBook

    key = Ed25519PrivateKey.generate()
    write_public(key_dir / OWN_PUBLIC, key.public_key())
    book = ApplicationBook(cards=authority.repository)
    with running(key=key, client_key=signing.own_key().public_key(), book=book) as simulator:
        settings.JUMIN_EAPPLICATION_URL = simulator.url
        settings.JUMIN_EAPPLICATION_TIMEOUT = 2.0
        yield simulator


@pytest.fixture
def family(counter: User, reviewer: User) -> list[Resident]:  # noqa: F811
    """上尾 太郎 (世帯主, with a 個人番号カード) and 上尾 花子 (妻) at 本町三丁目1番1号."""
    movement = final(
        "move_in",
        move_in_data(
            person(individual_number="123456789018"),
            person(given_name="花子", furigana_given_name="ハナコ", birth="昭和57年5月5日", sex="2", relationship="妻"),
        ),
        counter,
        reviewer,
    )
    atena_nos = [i.atena_no for i in movement.items.order_by("id")]
    record_card_event(atena_nos[0], "issue", timezone.localdate() - timedelta(days=1), "counter", by=counter)
    return [Resident.objects.get(atena_no=a) for a in atena_nos]


def issue(authority: jpki.RunningSimulator, **face: str) -> Card:
    """A card issued over HTTP by the 認証局 (the 4情報 of 上尾 太郎 unless overridden)."""
    body = {
        "name": "上尾\u3000太郎",
        "address": f"{ADDRESS} コーポ上尾 203号室",
        "birth": "昭和55年4月1日",
        "sex": "男",
        "individual_number": "123456789018",
        **face,
    }
    serial = json.loads(call(authority.url, "/cards", body)[1])["serial"]
    return authority.repository.cards[serial]


def call(base: str, path: str, body: Any = None) -> tuple[int, bytes]:
    """An unsigned call to a simulator (what the resident or the test does)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method="POST" if data is not None else "GET")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


def move_out_form(**overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    form: dict[str, Any] = {
        "name": "上尾　太郎",
        "birth": "昭和55年4月1日",
        "sex": "男",
        "address": ADDRESS,
        "phone": "048-000-0000",
        "planned_move_out_on": (today + timedelta(days=3)).isoformat(),
        "destination": {
            "postcode": "1050011",
            "address": "東京都港区芝公園4丁目2番8号",
            "address_code": MINATO_ADDRESS_CODE,
        },
        "members": [{"name": "上尾 太郎", "relationship": "世帯主", "birth": "昭和55年4月1日"}],
        "keeps_card": True,
    }
    form.update(overrides)
    return form


def submit(portal: RunningSimulator, card: Card, procedure: str = "move_out", form: Any = None) -> str:
    """The resident files an application on the portal (over HTTP)."""
    body = {"card_serial": f"{card.serial:x}", "procedure": procedure, "form": form or move_out_form()}
    status, raw = call(portal.url, "/resident/applications", body)
    assert status == 200, raw
    return str(json.loads(raw)["application_id"])


def advance_certificate(planned: date) -> dict[str, Any]:
    """A 転出証明書情報 港区 sent us in advance (特例転出 of 芝 花子, the wire format of docs/jukinet.md)."""
    return {
        "kind": "move_out_certificate",
        "idempotency_key": "municipality:112194:certificate:jukinet_cs:200:1",
        "update_seq": 1,
        "from_municipality_code": "131032",
        "from_municipality": "港区",
        "to_municipality_code": "112194",
        "move_out_no": "M-9",
        "resident_code": "70000000019"[:10] + resident_code_check_digit("70000000019"[:10]),
        "individual_number": "234567890121",
        "name": "芝\u3000花子",
        "surname": "芝",
        "given_name": "花子",
        "furigana_surname": "シバ",
        "furigana_given_name": "ハナコ",
        "birth_text": "昭和60年5月5日",
        "sex": "2",
        "is_head": True,
        "relationship": "世帯主",
        "honseki": "東京都港区芝公園四丁目2番",
        "koseki_head": "芝\u3000花子",
        "address": "東京都港区芝公園4丁目2番8号",
        "postcode": "1050011",
        "destination": "埼玉県上尾市本町三丁目9番9号",
        "destination_postcode": "3620014",
        "planned_move_out_on": planned.isoformat(),
        "nationality_kind": "japanese",
        "members": [],
    }
