"""Keys are generated once into var/ with owner-only permissions, or read from the environment."""

import base64
import os
import stat
from pathlib import Path

import pytest

from jumin.conf.secrets import SecretsError, load_secrets


@pytest.fixture(autouse=True)
def _no_key_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("JUMIN_SECRET_KEY", "JUMIN_DATA_KEY", "JUMIN_LOOKUP_KEY", "JUMIN_AUDIT_KEY"):
        monkeypatch.delenv(name, raising=False)


def test_generated_on_first_run_and_stable_afterwards(tmp_path: Path) -> None:
    first = load_secrets(tmp_path)
    second = load_secrets(tmp_path)
    assert first == second
    assert len(first.data_key) == 32 and len(first.lookup_key) == 32
    assert first.data_key != first.lookup_key
    assert len(first.secret_key) >= 50
    mode = stat.S_IMODE(os.stat(tmp_path / "secrets.json").st_mode)
    assert mode == 0o600
    assert "redacted" in repr(first) and first.secret_key not in repr(first)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".secrets.json.lock", "secrets.json"]


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = base64.urlsafe_b64encode(b"k" * 32).decode()
    monkeypatch.setenv("JUMIN_SECRET_KEY", "s" * 60)
    monkeypatch.setenv("JUMIN_DATA_KEY", key)
    monkeypatch.setenv("JUMIN_LOOKUP_KEY", key)
    monkeypatch.setenv("JUMIN_AUDIT_KEY", key)
    monkeypatch.setenv("JUMIN_SIGNING_KEY", key)
    loaded = load_secrets(tmp_path)
    assert loaded.secret_key == "s" * 60
    assert loaded.data_key == b"k" * 32
    assert loaded.signing_key == b"k" * 32
    assert not (tmp_path / "secrets.json").exists()


def test_partial_environment_is_completed_from_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generated = load_secrets(tmp_path)
    monkeypatch.setenv("JUMIN_SECRET_KEY", "e" * 60)
    loaded = load_secrets(tmp_path)
    assert loaded.secret_key == "e" * 60
    assert loaded.data_key == generated.data_key


@pytest.mark.parametrize("value", ["not base64 !!", base64.urlsafe_b64encode(b"short").decode()])
def test_bad_keys_in_the_environment_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("JUMIN_DATA_KEY", value)
    with pytest.raises(SecretsError) as info:
        load_secrets(tmp_path)
    assert value not in str(info.value)


def test_concurrent_first_runs_agree(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: load_secrets(tmp_path), range(16)))
    assert all(r == results[0] for r in results)


def test_a_key_added_by_a_newer_release_is_appended(tmp_path: Path) -> None:
    import json

    first = load_secrets(tmp_path)
    path = tmp_path / "secrets.json"
    values = json.loads(path.read_text())
    del values["audit_key"]
    path.write_text(json.dumps(values))
    second = load_secrets(tmp_path)
    assert second.data_key == first.data_key and second.secret_key == first.secret_key
    assert len(second.audit_key) == 32
    assert load_secrets(tmp_path) == second
