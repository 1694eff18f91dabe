"""Shared fixtures.  Database tests run on SQLite and — in the second pass of the test
runner — on PostgreSQL; every test that touches the database is marked ``db``
automatically so that pass can select them."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine

# The controlled clock.  No test may depend on the day it runs: every test process starts
# at this instant (a Tuesday, 09:00 in Japan, a business day inside opening hours) and the
# clock ticks from there, so the fixed dates written in tests (「令和8年11月1日」) keep the
# same distance from "today" for ever.  Started before Django and jumin are imported, so
# nothing computes a date from the wall clock first.  ``JUMIN_TEST_NOW`` (ISO 8601) moves it;
# processes that tests start join it (tests/clock/sitecustomize.py).  CI also runs the suite
# with the operating system's clock a year ahead (libfaketime) to catch any clock read that
# escapes this one.
TEST_NOW = datetime.fromisoformat(os.environ.get("JUMIN_TEST_NOW") or "2026-12-01T09:00:00+09:00")
if TEST_NOW.tzinfo is None:
    TEST_NOW = TEST_NOW.replace(tzinfo=ZoneInfo("Asia/Tokyo"))
_started = time.time()  # the operating system's clock, before the travel
CLOCK = time_machine.travel(TEST_NOW, tick=True)
CLOCK.start()
# Processes that tests start (simulators, benchmark children, ``jumin`` commands) share it.
os.environ["JUMIN_TEST_CLOCK"] = f"{TEST_NOW.isoformat()} {_started}"
os.environ["PYTHONPATH"] = os.pathsep.join(
    filter(None, [str(Path(__file__).parent / "clock"), os.environ.get("PYTHONPATH", "")])
)

import pytest  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core import signing  # noqa: E402
from django.test import Client  # noqa: E402
from django_otp.oath import TOTP  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

from jumin.accounts.middleware import COOKIE_SALT  # noqa: E402
from jumin.accounts.models import Place, Terminal, User  # noqa: E402
from jumin.accounts.services import enroll_device, issue_enrollment_code  # noqa: E402
from jumin.linkage.destinations import destinations  # noqa: E402
from jumin.linkage.systems import PLANNED  # noqa: E402

pytest_plugins = ["jumin.conformance.pytest_plugin", "pytester"]

# No timing limits in property tests (timings belong in `jumin bench`); CI draws the same
# examples on every run so a red build is always reproducible.
hypothesis_settings.register_profile(
    "jumin", deadline=None, derandomize=os.environ.get("JUMIN_HYPOTHESIS_DERANDOMIZE") == "1"
)
hypothesis_settings.load_profile("jumin")

DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server"}
PASSWORD = "correct-horse-battery-staple"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("django_db") or fixtures & DB_FIXTURES:
            item.add_marker(pytest.mark.db)


@pytest.fixture(scope="session")
def _checkpoint_keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from jumin.audit.checkpoint import generate_key

    folder = tmp_path_factory.mktemp("checkpoint-keys")
    generate_key(folder / "checkpoint.key", folder / "checkpoint.pub")
    return folder / "checkpoint.key", folder / "checkpoint.pub"


@pytest.fixture(autouse=True)
def _own_audit_checkpoints(
    request: pytest.FixtureRequest, _checkpoint_keys: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test has its own audit checkpoint directory (created on first write, so tests
    that never write one cost nothing) and the session's signing key; and a fresh throttle
    of auth-failure rows, so earlier tests' rejected keys do not count."""
    from jumin.audit import services

    base = request.config._jumin_checkpoints = getattr(request.config, "_jumin_checkpoints", 0) + 1  # type: ignore[attr-defined]
    private, public = _checkpoint_keys
    folder = private.parent.parent / f"checkpoints-{base}"
    monkeypatch.setattr(settings, "JUMIN_AUDIT_CHECKPOINT_DIR", str(folder))
    monkeypatch.setattr(settings, "JUMIN_AUDIT_CHECKPOINT_KEY", str(private))
    monkeypatch.setattr(settings, "JUMIN_AUDIT_CHECKPOINT_PUBLIC_KEY", str(public))
    monkeypatch.setattr(services, "_auth_failures", None)


@pytest.fixture
def planned_destinations() -> Iterator[None]:
    """The linked systems without a consumer yet (コンビニ, 附票: issues 19/20), registered
    for one test to pin which rows each of them wants (docs/linkage.md)."""
    for path in PLANNED:
        destinations.register(path)
    yield
    for path in PLANNED:
        destinations.unregister(path)


@pytest.fixture
def place(db: None) -> Place:
    return Place.objects.create(code="SHIMIN", name="市民課", kind=Place.Kind.MAIN, sort_order=1)


@pytest.fixture
def terminal(place: Place) -> Terminal:
    return Terminal.objects.create(code="SHIMIN-1", name="本庁1", place=place)


@pytest.fixture
def other_terminal(place: Place) -> Terminal:
    return Terminal.objects.create(code="SHIMIN-2", name="本庁2", place=place)


def device_cookie(terminal: Terminal) -> str:
    """The signed cookie value a browser holds after enrolling as ``terminal``."""
    _, secret = enroll_device(issue_enrollment_code(terminal))
    return signing.get_cookie_signer(salt=settings.JUMIN_TERMINAL_COOKIE + COOKIE_SALT).sign(secret)


@pytest.fixture
def enrolled_client(client: Client, terminal: Terminal) -> Client:
    client.cookies[settings.JUMIN_TERMINAL_COOKIE] = device_cookie(terminal)
    return client


def totp_token(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The authenticator app's current code (or one step ahead: a code is single-use)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead)
    return f"{totp.token():0{device.digits}d}"


def make_operator(username: str = "madoguchi", display_name: str = "上尾 花子", roles: tuple[str, ...] = ()) -> User:
    from django.contrib.auth.models import Group

    user = User.objects.create_user(username=username, password=PASSWORD, display_name=display_name)
    TOTPDevice.objects.create(user=user, name="認証アプリ", confirmed=True)
    user.groups.add(*Group.objects.filter(name__in=roles))
    return user


def log_in(client: Client, user: User, steps_ahead: int = 0) -> Client:
    """The whole login at the counter: ID + password, then the authenticator code."""
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    response = client.post("/accounts/verify/", {"token": totp_token(device, steps_ahead)})
    assert response.status_code == 302, response.content.decode()
    return client


@pytest.fixture
def operator(db: None) -> User:
    return make_operator()


@pytest.fixture
def logged_in_client(enrolled_client: Client, operator: User) -> Client:
    return log_in(enrolled_client, operator)
