"""Accounts and sample residents for the staff load test (issue 22; ``loadtest/locustfile.py``):
``jumin loadtest-prepare`` and the bench scenario ``staff_load`` (docs/benchmarks.md 「負荷試験」).

N counter clerks (roles 窓口入力 and 証明書交付) and a tenth as many reviewers (審査・決裁), each with
a password, a confirmed authenticator (TOTP) and a terminal of its own with a fresh enrollment
code (valid ``JUMIN_ENROLLMENT_CODE_TTL_MINUTES``: start the load within it); sample residents
drawn from the register.  The result holds passwords and authenticator keys, so it is made only
where accounts like these may exist: DEBUG, the demo, or ``JUMIN_LOADTEST=1`` in the
environment.  Preparing again replaces the accounts of an earlier run (user names ``load-…``);
:func:`retire_load_accounts` deactivates them."""

from __future__ import annotations

import json
import os
import secrets
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from jumin.accounts.models import Place, Terminal, User
from jumin.accounts.services import issue_enrollment_code
from jumin.certificates.models import Certifier
from jumin.registry.models import Resident
from jumin.search.bench import sample_residents

PREFIX = "load-"
CLERK_ROLES = ("窓口入力", "証明書交付")
REVIEWER_ROLES = ("審査・決裁",)
# The 転入 of loadtest/locustfile.py enters families named 負荷 (フカ タロウ/ハナコ, the same birth
# dates every time): after a run the register holds hundreds of them, so a search for one finds
# them all.  They are never sampled.
LOAD_SURNAME = "負荷"


class LoadAccountsError(Exception):
    """Why the accounts cannot be prepared (in Japanese, for the operator)."""


def load_accounts_allowed() -> bool:
    return bool(settings.DEBUG or settings.JUMIN_DEMO or os.environ.get("JUMIN_LOADTEST") == "1")


def prepare_load_accounts(users: int, residents: int, seed: int) -> dict[str, list[dict[str, str]]]:
    """``{"accounts": [...], "residents": [...]}`` as ``loadtest/locustfile.py`` reads it."""
    if not load_accounts_allowed():
        raise LoadAccountsError("負荷試験用アカウントは DEBUG・デモ、または JUMIN_LOADTEST=1 のときだけ作れます。")
    sampled = sample_residents(residents, seed) if residents > 0 and Resident.objects.exists() else []
    persons = [person for person in sampled if person.surname != LOAD_SURNAME]
    if not persons:
        raise LoadAccountsError("住民がいません。先に jumin seed-city を実行してください。")
    clerks = max(1, users)
    with transaction.atomic():
        retire_load_accounts()
        place, _ = Place.objects.get_or_create(
            code="LOAD", defaults={"name": "負荷試験", "kind": Place.Kind.MAIN, "sort_order": 99}
        )
        accounts = [_account(f"{PREFIX}clerk-{n:03d}", CLERK_ROLES, place) for n in range(clerks)]
        accounts += [_account(f"{PREFIX}review-{n:03d}", REVIEWER_ROLES, place) for n in range(max(1, clerks // 10))]
        _certifier()
    return {"accounts": accounts, "residents": [_sample(p) for p in persons]}


def write_accounts(output: Path, data: dict[str, list[dict[str, str]]]) -> None:
    """The file locust reads (``JUMIN_LOADTEST_FILE``), readable by its owner only."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.touch(mode=0o600)
    output.chmod(0o600)
    output.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def retire_load_accounts() -> int:
    """Deactivates every load-test account; how many were active."""
    return User.objects.filter(username__startswith=PREFIX, is_active=True).update(is_active=False)


def _account(username: str, roles: tuple[str, ...], place: Place) -> dict[str, str]:
    password = secrets.token_urlsafe(16)
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password=password, display_name="負荷試験 職員")
    else:
        user.set_password(password)
        user.is_active = True
        user.save()
    user.groups.set(Group.objects.filter(name__in=roles))
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name="負荷試験", confirmed=True)
    terminal, _ = Terminal.objects.get_or_create(
        code=f"LOAD-{username.removeprefix(PREFIX)}"[:20].upper(), defaults={"name": username, "place": place}
    )
    return {
        "username": username,
        "password": password,
        "totp_key": device.key,
        "enrollment_code": issue_enrollment_code(terminal),
        "role": "reviewer" if roles == REVIEWER_ROLES else "clerk",
    }


def _certifier() -> None:
    """Certificates need a 認証者; a register loaded only by seed-city has none."""
    if not Certifier.objects.exists():
        Certifier.objects.create(
            role=Certifier.Role.MAYOR,
            title="負荷試験市長",
            name="負荷　試験",
            valid_from=date(2000, 1, 1),
            seal_text="負荷試験市長之印",
        )


def _sample(person: Any) -> dict[str, str]:
    return {
        "atena_no": person.atena_no,
        "household_no": person.household_no,
        "kana": f"{person.furigana_surname}\u3000{person.furigana_given_name}",
        "birth": person.birth_sort.isoformat(),
        "name": f"{person.surname}\u3000{person.given_name}",
    }
