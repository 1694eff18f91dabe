"""``jumin demo-cards`` (issue 17, demo): the simulated 認証局 (peers.jpki, served over real
HTTP) issues cards to demo residents, and each card passes the 本人確認 of the counter."""

from __future__ import annotations

import importlib.util
import socket
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from peers.jpki import CardRepository, CertificateAuthority, running

from jumin.accounts.models import User
from jumin.accounts.principal import Principal
from jumin.audit.models import AccessLog
from jumin.jukinet.card_reader import SimulatedReader
from jumin.jukinet.demo_cards import PURPOSE
from jumin.jukinet.identity_check import CA_FILE, issue_challenge, verify_card
from jumin.jukinet.models import IdentityRecord
from tests.registry.conftest import final, move_in_data, person

NUMBER = "123456789018"


def demo_cards(*args: str) -> str:
    out = StringIO()
    call_command("demo_cards", *args, stdout=out)
    return out.getvalue()


def test_the_demo_cards_pass_the_card_check(counter: User, reviewer: User, key_dir: Path, settings: Any) -> None:
    settings.JUMIN_DEMO = True
    final("move_in", move_in_data(person(individual_number=NUMBER)), counter, reviewer)
    assert not IdentityRecord.objects.exists()  # the register of a seeded demo: no 本人確認情報 yet
    authority = CertificateAuthority()
    (key_dir / CA_FILE).write_bytes(authority.pem)
    with running(repository=CardRepository(authority=authority)) as simulator:
        settings.JUMIN_CARD_READER_URL = simulator.url
        settings.JUMIN_JPKI_CRL_URL = simulator.url + "/crl.pem"
        printed = demo_cards()
        record = IdentityRecord.objects.get(superseded_at__isnull=True)  # built by the go-live load
        assert "本人確認情報を作成しました（1件" in printed
        assert f"カードを発行しました：{record.name}" in printed
        assert NUMBER not in printed
        reader = SimulatedReader()
        [card] = reader.cards()
        assert card.label == record.name
        clerk = Principal(user=counter)
        challenge = issue_challenge(by=clerk).token
        result = verify_card(reader.read(card.slot, challenge), challenge, by=clerk)
        assert result.code == "identity.verified"
        assert result.atena_no == record.atena_no
        assert [item.status for item in result.items] == ["一致"] * 4
        # again: the card is already on the reader, no second one
        printed = demo_cards()
        assert f"カードはリーダーにあります：{record.name}" in printed
        assert len(reader.cards()) == 1
    logged = AccessLog.objects.filter(purpose=PURPOSE)
    assert logged.count() == 1
    assert NUMBER not in str(list(logged.values()))


def test_demo_cards_refuses_outside_the_demo(db: None, settings: Any) -> None:
    settings.DEBUG = False
    settings.JUMIN_DEMO = False
    with pytest.raises(CommandError, match="DEBUG または JUMIN_DEMO"):
        demo_cards()


def test_demo_cards_says_when_the_simulator_is_not_running(db: None, settings: Any) -> None:
    settings.JUMIN_DEMO = True
    with running() as simulator:
        url = simulator.url
    with pytest.raises(CommandError, match=r"demo_cards\.unreachable"):
        demo_cards("--url", url)
    with pytest.raises(CommandError, match="1 から 50"):
        demo_cards("--count", "0")


def _run_demo() -> Any:
    """scripts/run_demo.py (what ``make run`` runs), imported from its file."""
    spec = importlib.util.spec_from_file_location("run_demo", Path(__file__).parents[2] / "scripts" / "run_demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_make_run_starts_the_simulator_with_the_trusted_ca_and_stops_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_demo = _run_demo()
    port = _free_port()
    child = run_demo.start_simulator(port, tmp_path)
    assert child is not None
    try:
        assert run_demo.healthy(f"http://127.0.0.1:{port}")
        assert (tmp_path / CA_FILE).read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
        assert not run_demo.port_is_free(port)
        # a second demo while the first runs: the port is taken, said clearly, no second simulator
        assert run_demo.start_simulator(port, tmp_path / "other") is None
        assert f"ポート {port} は使用中" in capsys.readouterr().err
    finally:
        run_demo.stop(child)
    assert child.returncode is not None
    assert not run_demo.healthy(f"http://127.0.0.1:{port}")
