"""Which second factors an operator has (read-only helpers for views and middleware)."""

from __future__ import annotations

import base64

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from jumin.accounts.models import User


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_passkey(user: User) -> bool:
    return bool(WebAuthnCredential.objects.filter(user=user, confirmed=True).exists())


def has_second_factor(user: User) -> bool:
    return confirmed_totp(user) is not None or has_passkey(user)


def second_factor_required() -> bool:
    return bool(settings.JUMIN_REQUIRE_SECOND_FACTOR)


def b32_secret(device: TOTPDevice) -> str:
    """The key an authenticator app asks for, in groups of four (shown to its owner only)."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
