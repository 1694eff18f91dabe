"""``jumin loadtest-prepare --users N --output FILE``: accounts and sample residents for the
staff load test (``loadtest/locustfile.py``, docs/benchmarks.md 「負荷試験」; issue 22).

Creates N counter clerks (roles 窓口入力 and 証明書交付) and a tenth as many reviewers (審査・決裁),
each with a password, a confirmed authenticator (TOTP) and a terminal of its own with a fresh
enrollment code (valid ``JUMIN_ENROLLMENT_CODE_TTL_MINUTES``: start the load within it), and
draws sample residents from the register.  The file holds passwords and authenticator keys, so
the command runs only where accounts like these may exist: DEBUG, the demo, or
``JUMIN_LOADTEST=1`` in the environment.  Running it again replaces the accounts of an earlier
run (user names ``load-…``)."""

from __future__ import annotations

import json
import os
import secrets
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from jumin.accounts.models import Place, Terminal, User
from jumin.accounts.services import issue_enrollment_code
from jumin.certificates.models import Certifier
from jumin.search.bench import sample_residents

PREFIX = "load-"
CLERK_ROLES = ("窓口入力", "証明書交付")
REVIEWER_ROLES = ("審査・決裁",)


def _allowed() -> bool:
    return bool(settings.DEBUG or settings.JUMIN_DEMO or os.environ.get("JUMIN_LOADTEST") == "1")


class Command(BaseCommand):
    help = "負荷試験用の職員アカウント（パスワード・認証アプリ・端末）と試験対象の住民を用意します。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=100, help="窓口の職員の数（審査・決裁はその1割、最低1人）")
        parser.add_argument("--residents", type=int, default=2000, help="試験で開く住民の数")
        parser.add_argument("--output", type=Path, required=True, help="書き出すJSONファイル（パスワードを含む）")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        if not _allowed():
            raise CommandError("負荷試験用アカウントは DEBUG・デモ、または JUMIN_LOADTEST=1 のときだけ作れます。")
        clerks = max(1, options["users"])
        reviewers = max(1, clerks // 10)
        with transaction.atomic():
            User.objects.filter(username__startswith=PREFIX).update(is_active=False)
            place, _ = Place.objects.get_or_create(
                code="LOAD", defaults={"name": "負荷試験", "kind": Place.Kind.MAIN, "sort_order": 99}
            )
            accounts = [_account(f"{PREFIX}clerk-{n:03d}", CLERK_ROLES, place) for n in range(clerks)]
            accounts += [_account(f"{PREFIX}review-{n:03d}", REVIEWER_ROLES, place) for n in range(reviewers)]
            _certifier()
        persons = sample_residents(options["residents"], options["seed"]) if options["residents"] else []
        if not persons:
            raise CommandError("住民がいません。先に jumin seed-city を実行してください。")
        output: Path = options["output"]
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(
            json.dumps({"accounts": accounts, "residents": [_sample(p) for p in persons]}, ensure_ascii=False),
            encoding="utf-8",
        )
        output.chmod(0o600)
        self.stdout.write(
            f"窓口 {clerks} 人・審査 {reviewers} 人、住民 {len(persons)} 人を {output} に書き出しました"
            f"（端末登録コードの有効期限は {settings.JUMIN_ENROLLMENT_CODE_TTL_MINUTES} 分）。"
        )


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
