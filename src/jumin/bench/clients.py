"""A logged-in operator at an enrolled terminal, for the scenarios that measure whole
requests through the middleware stack (terminal cookie, session, permissions, audit context)."""

from __future__ import annotations

from typing import Any

from django.test import Client


def operator_client(roles: tuple[str, ...] = (), username: str = "bench-operator", *, verified: bool = False) -> Client:
    """``verified``: the operator also passes the second factor (an authenticator code), as
    every operator must before a screen with personal data opens."""
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.core import signing

    from jumin.accounts.middleware import COOKIE_SALT, SESSION_TERMINAL_KEY
    from jumin.accounts.models import Place, Terminal, User
    from jumin.accounts.services import enroll_device, issue_enrollment_code

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
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="ベンチ", confirmed=True)
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    response = client.post("/accounts/verify/", {"token": f"{code:0{device.digits}d}"})
    if response.status_code != 302:
        raise RuntimeError(f"the bench operator's second factor was refused (HTTP {response.status_code})")
