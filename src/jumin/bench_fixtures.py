"""Fixtures the benchmark scenarios share: a logged-in operator at an enrolled terminal (for
the scenarios that measure whole requests through the middleware stack: terminal cookie,
session, permissions, audit context), a counter clerk and a reviewer, spare 住民票コード and
the data of a 4-person 転入.

Below the apps' ``bench.py`` and ``jumin.bench`` (issue 16): a scenario of a satellite app
(certificates) builds its family here instead of importing another scenario module."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core import signing
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from jumin.accounts.middleware import COOKIE_SALT, SESSION_TERMINAL_KEY
from jumin.accounts.models import Place, Terminal, User
from jumin.accounts.services import enroll_device, issue_enrollment_code
from jumin.core.check_digits import resident_code_check_digit
from jumin.registry.models import SpareResidentCode

FAMILY = [
    ("太郎", "タロウ", "S55.4.1", "1", "世帯主"),
    ("花子", "ハナコ", "S57.6.3", "2", "妻"),
    ("一郎", "イチロウ", "H20.5.5", "1", "子"),
    ("陽菜", "ヒナ", "H23.8.8", "2", "子"),
]


def move_in_data(index: int) -> dict[str, Any]:
    """The entry of a 4-person 転入 (``index`` makes the names and the address unique)."""
    persons = [
        {
            "surname": f"試験{index}",
            "given_name": given,
            "furigana_surname": "シケン",
            "furigana_given_name": kana,
            "birth": birth,
            "sex": sex,
            "relationship": relationship,
            "honseki": "埼玉県上尾市本町1番地",
            "koseki_head": f"試験{index}　太郎",
        }
        for given, kana, birth, sex, relationship in FAMILY
    ]
    return {
        "reason": "domestic_move_in",
        "effective": "R8.11.20",
        "notified_on": "R8.11.26",
        "address": {"address": f"埼玉県上尾市本町三丁目{index}番1号", "postcode": "3620014"},
        "previous_address": {"address": "東京都千代田区千代田1番1号"},
        "persons": persons,
    }


def bench_operators() -> tuple[User, User]:
    """A counter clerk (窓口入力) and a reviewer (審査・決裁)."""
    counter = User.objects.create_user(username="bench-counter", display_name="ベンチ 入力")
    reviewer = User.objects.create_user(username="bench-reviewer", display_name="ベンチ 決裁")
    counter.groups.set(Group.objects.filter(name="窓口入力"))
    reviewer.groups.set(Group.objects.filter(name="審査・決裁"))
    return User.objects.get(pk=counter.pk), User.objects.get(pk=reviewer.pk)


def stock_spare_codes(count: int) -> None:
    """At least ``count`` spare 住民票コード for the new residents."""
    start = 9_000_000_000
    bodies = (f"{n:010d}" for n in range(start, start + count * 13, 13))
    SpareResidentCode.objects.bulk_create(
        (SpareResidentCode(code=b + resident_code_check_digit(b)) for b in bodies), ignore_conflicts=True
    )


def operator_client(roles: tuple[str, ...] = (), username: str = "bench-operator", *, verified: bool = False) -> Client:
    """``verified``: the operator also passes the second factor (an authenticator code), as
    every operator must before a screen with personal data opens."""
    place, _ = Place.objects.get_or_create(code="BENCH", defaults={"name": "ベンチ", "kind": Place.Kind.MAIN})
    terminal, _ = Terminal.objects.get_or_create(code="BENCH-1", defaults={"name": "ベンチ1", "place": place})
    _, secret = enroll_device(issue_enrollment_code(terminal))
    client = Client(HTTP_HOST="127.0.0.1")
    cookie = signing.get_cookie_signer(salt=settings.JUMIN_TERMINAL_COOKIE + COOKIE_SALT).sign(secret)
    client.cookies[settings.JUMIN_TERMINAL_COOKIE] = cookie
    user = User.objects.create_user(username=username, display_name="ベンチ 太郎")
    user.groups.set(Group.objects.filter(name__in=roles))
    client.force_login(user)
    session = client.session
    session[SESSION_TERMINAL_KEY] = terminal.pk
    session.save()
    if verified:
        _second_factor(client, user)
    return client


def _second_factor(client: Client, user: Any) -> None:
    device = TOTPDevice.objects.create(user=user, name="ベンチ", confirmed=True)
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    response = client.post("/accounts/verify/", {"token": f"{code:0{device.digits}d}"})
    if response.status_code != 302:
        raise RuntimeError(f"the bench operator's second factor was refused (HTTP {response.status_code})")
