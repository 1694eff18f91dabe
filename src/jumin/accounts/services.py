"""Writers for operators and terminals.  Each function is one transaction."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jumin.accounts.models import Terminal
from jumin.core.errors import DomainError

# No 0/O, 1/I/L: the code is read aloud and typed by counter staff.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def normalize_enrollment_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch in CODE_ALPHABET)


def format_enrollment_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


@transaction.atomic
def issue_enrollment_code(terminal: Terminal) -> str:
    """A new one-time code that enrolls one browser as ``terminal``; shown once, stored hashed."""
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    terminal = Terminal.objects.select_for_update().get(pk=terminal.pk)
    terminal.enrollment_code_hash = _digest(code)
    terminal.enrollment_expires_at = timezone.now() + timedelta(minutes=settings.JUMIN_ENROLLMENT_CODE_TTL_MINUTES)
    terminal.save(update_fields=["enrollment_code_hash", "enrollment_expires_at"])
    return format_enrollment_code(code)


@transaction.atomic
def enroll_device(code_text: str) -> tuple[Terminal, str]:
    """Use an enrollment code: returns the terminal and the new device secret for the cookie.

    The code works once; enrolling replaces any browser enrolled before."""
    code = normalize_enrollment_code(code_text)
    terminal = (
        Terminal.objects.select_for_update()
        .filter(enrollment_code_hash=_digest(code), is_active=True, enrollment_expires_at__gt=timezone.now())
        .first()
        if len(code) == CODE_LENGTH
        else None
    )
    if terminal is None:
        raise DomainError("terminal.bad_enrollment_code", "端末登録コードが正しくないか、有効期限が切れています。")
    device_secret = secrets.token_urlsafe(32)
    terminal.device_secret_hash = _digest(device_secret)
    terminal.enrollment_code_hash = ""
    terminal.enrollment_expires_at = None
    terminal.enrolled_at = timezone.now()
    terminal.save(update_fields=["device_secret_hash", "enrollment_code_hash", "enrollment_expires_at", "enrolled_at"])
    return terminal, device_secret


def terminal_for_device(device_secret: str) -> Terminal | None:
    if not device_secret:
        return None
    return (
        Terminal.objects.select_related("place")
        .filter(device_secret_hash=_digest(device_secret), is_active=True, place__is_active=True)
        .first()
    )
