"""Writers for operators and terminals.  Each function is one transaction and writes its
audit row (authentication log or settings log) in that transaction."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from jumin.accounts.models import LinkedSystem, RevocationEntry, Terminal, User
from jumin.audit.services import record_auth, record_setting
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


def system_user(username: str, display_name: str, purpose: str) -> User:
    """The inactive user a program enters its work by (the seed, a data migration, notices
    received from national systems): created on first use, recorded in the settings log, and
    never able to log in (no usable password, not active)."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, display_name=display_name, is_active=False)
        user.set_unusable_password()
        user.save()
        record_setting("user", username, before={}, after={"active": False, "purpose": purpose})
    return user


def terminal_for_device(device_secret: str) -> Terminal | None:
    if not device_secret:
        return None
    return (
        Terminal.objects.select_related("place")
        .filter(device_secret_hash=_digest(device_secret), is_active=True, place__is_active=True)
        .first()
    )


# -- lockout, unlock, revocation (the assessment's access-control promises) ------------------


@transaction.atomic
def register_failed_attempt(username: str, *, stage: str = "password") -> bool:
    """Count a failed password or second factor; lock the account at the threshold.

    Returns True when this attempt locked the account."""
    record_auth("login_failed", username=username, detail=stage)
    user = User.objects.select_for_update().filter(username=username).first()
    if user is None or user.locked_at is not None:
        return False
    user.failed_logins += 1
    locked = user.failed_logins >= settings.JUMIN_LOCKOUT_THRESHOLD
    if locked:
        user.locked_at = timezone.now()
        record_auth("locked", username=username, detail=f"{user.failed_logins}回連続で失敗")
    user.save(update_fields=["failed_logins", "locked_at"])
    return locked


def reset_failed_attempts(user: User) -> None:
    if user.failed_logins:
        User.objects.filter(pk=user.pk).update(failed_logins=0)
        user.failed_logins = 0


@transaction.atomic
def unlock(user: User, *, by: User) -> None:
    """Administrator unlock after a lockout."""
    User.objects.filter(pk=user.pk).update(locked_at=None, failed_logins=0)
    record_auth("unlocked", username=user.username, detail=f"解除: {by.username}")
    record_setting("user", user.username, before={"locked": True}, after={"locked": False})


@transaction.atomic
def revoke(user: User, *, by: User, reason: str, note: str = "") -> RevocationEntry:
    """Take away all access at once (退職・異動): open sessions end at their next request."""
    if user.pk == by.pk:
        raise DomainError("user.self_revocation", "自分自身の利用者IDは失効させられません。")
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(revoked_at=now, is_active=False)
    entry = RevocationEntry.objects.create(user=user, reason=reason, note=note, revoked_at=now, revoked_by=by)
    record_auth("revoked", username=user.username, detail=f"{entry.get_reason_display()} 処理者: {by.username}")
    record_setting("user", user.username, before={"active": True}, after={"active": False, "reason": reason})
    return entry


# -- second factor (TOTP; passkeys are registered through accounts.webauthn) ------------------


@transaction.atomic
def start_totp_enrollment(user: User) -> TOTPDevice:
    """An unconfirmed TOTP device for ``user`` (replacing an earlier unconfirmed one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="認証アプリ", confirmed=False)


@transaction.atomic
def confirm_totp_enrollment(device: TOTPDevice, token: str) -> bool:
    """Confirm a new TOTP device with its first code."""
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record_auth("second_factor_enrolled", username=device.user.get_username(), detail="認証アプリ")
    return True


@transaction.atomic
def reset_second_factors(user: User, *, by: User) -> int:
    """Administrator reset (lost phone or key): the operator enrolls anew at next login."""
    removed = (
        TOTPDevice.objects.filter(user=user).delete()[0] + WebAuthnCredential.objects.filter(user=user).delete()[0]
    )
    record_setting("user", user.username, before={"second_factors": removed}, after={"second_factors": 0})
    record_auth("second_factor_reset", username=user.username, detail=f"処理者: {by.username}")
    return int(removed)


# -- linked systems ----------------------------------------------------------------------------

KEY_PREFIX = "jumin"


def _new_key() -> tuple[str, str, str]:
    """(full key shown once, public prefix, stored hash)."""
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    return f"{KEY_PREFIX}_{prefix}_{secret}", prefix, _digest(secret)


def _capabilities(codenames: list[str]) -> list[Permission]:
    found = list(
        Permission.objects.filter(
            content_type__app_label="accounts", content_type__model="capability", codename__in=codenames
        )
    )
    if len(found) != len(set(codenames)):
        raise DomainError("linked_system.unknown_capability", "存在しない権限が指定されました。")
    return found


@transaction.atomic
def add_linked_system(code: str, name: str, capabilities: list[str]) -> tuple[LinkedSystem, str]:
    """Register a linked system; returns it with its API key (shown this once)."""
    key, prefix, digest = _new_key()
    system = LinkedSystem.objects.create(code=code, name=name, key_prefix=prefix, key_hash=digest)
    system.capabilities.set(_capabilities(capabilities))
    record_setting("linked_system", code, before={}, after={"name": name, "capabilities": sorted(capabilities)})
    return system, key


@transaction.atomic
def set_linked_system_capabilities(system: LinkedSystem, capabilities: list[str]) -> None:
    before = sorted(c.split(".", 1)[1] for c in system.capability_names())
    system.capabilities.set(_capabilities(capabilities))
    system.forget_capabilities()
    record_setting(
        "linked_system", system.code, before={"capabilities": before}, after={"capabilities": sorted(capabilities)}
    )


@transaction.atomic
def rotate_linked_system_key(system: LinkedSystem, *, grace: timedelta = timedelta(hours=24)) -> str:
    """A new key; the old one keeps working for ``grace`` so the peer can switch without downtime."""
    key, prefix, digest = _new_key()
    system = LinkedSystem.objects.select_for_update().get(pk=system.pk)
    now = timezone.now()
    system.previous_key_hash, system.previous_valid_until = system.key_hash, now + grace
    system.key_prefix, system.key_hash, system.rotated_at = prefix, digest, now
    system.save()
    record_setting(
        "linked_system", system.code, before={"key": "rotated"}, after={"grace_hours": grace / timedelta(hours=1)}
    )
    return key


@transaction.atomic
def revoke_linked_system(system: LinkedSystem) -> None:
    LinkedSystem.objects.filter(pk=system.pk).update(
        is_active=False, revoked_at=timezone.now(), previous_key_hash="", previous_valid_until=None
    )
    record_setting("linked_system", system.code, before={"active": True}, after={"active": False})


def linked_system_for_key(key: str) -> LinkedSystem | None:
    """The active system this key belongs to (current key, or the previous one in its grace period)."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    digest = _digest(parts[2])
    current = LinkedSystem.objects.filter(key_prefix=parts[1], key_hash=digest, is_active=True).first()
    if current is not None:
        return current
    return LinkedSystem.objects.filter(
        previous_key_hash=digest, previous_valid_until__gt=timezone.now(), is_active=True
    ).first()


# -- operator administration -------------------------------------------------------------------


@transaction.atomic
def create_operator(
    username: str, display_name: str, password: str, *, by: User, department: str = "", roles: list[Group] | None = None
) -> User:
    """A new operator account; the second factor is enrolled by the operator at first login."""
    if User.objects.filter(username=username).exists():
        raise DomainError("user.exists", "その利用者IDは既に使われています。")
    candidate = User(username=username, display_name=display_name, department=department)
    try:
        validate_password(password, candidate)
    except ValidationError as error:
        raise DomainError("user.weak_password", " ".join(error.messages)) from None
    candidate.set_password(password)
    candidate.save()
    candidate.groups.set(roles or [])
    record_setting(
        "user", username, before={}, after={"created_by": by.username, "roles": sorted(g.name for g in roles or [])}
    )
    return candidate


@transaction.atomic
def set_roles(user: User, roles: list[Group], *, by: User) -> None:
    before = sorted(user.groups.values_list("name", flat=True))
    user.groups.set(roles)
    record_setting(
        "user",
        user.username,
        before={"roles": before},
        after={"roles": sorted(g.name for g in roles), "by": by.username},
    )
