"""``jumin seed-demo``: places and terminals of 上尾市, demo operators, and an enrollment code.

In the composition layer (jumin.web) because it seeds more than one app: the accounts and a
demo 認証者 of certificates (issue 16: accounts imports no satellite).

For the demo and development only: refuses to run with DEBUG off unless --force (the demo
settings of ``make run``, jumin.settings.demo, allow it).
Idempotent: running it again resets the demo passwords and prints a fresh code."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from jumin.accounts.mfa import b32_secret
from jumin.accounts.models import Place, Terminal, User
from jumin.accounts.services import issue_enrollment_code
from jumin.certificates.models import Certifier

# The places of the assessment's municipality (上尾市), with one terminal each.
PLACES = [
    ("SHIMIN", "市民課", Place.Kind.MAIN, "本庁"),
    ("OYAMADAI", "尾山台出張所", Place.Kind.OFFICE, "尾山台"),
    ("AGEOEKI", "上尾駅出張所", Place.Kind.OFFICE, "上尾駅"),
    ("CENTER", "証明書発行センター", Place.Kind.CENTER, "センター"),
    ("HIRAKATA", "平方支所", Place.Kind.BRANCH, "平方"),
    ("HARAICHI", "原市支所", Place.Kind.BRANCH, "原市"),
    ("OISHI", "大石支所", Place.Kind.BRANCH, "大石"),
    ("KAMIHIRA", "上平支所", Place.Kind.BRANCH, "上平"),
    ("OYA", "大谷支所", Place.Kind.BRANCH, "大谷"),
]

# Printed for the demo; the command refuses to run without DEBUG or the demo settings.
DEMO_PASSWORD = "jumin-demo-2026"  # noqa: S105  # nosec B105
DEMO_USERS = [
    ("madoguchi", "上尾 花子", "窓口の入力担当（個人番号を入力）", ("窓口入力", "証明書交付", "個人番号利用事務")),
    ("shinsa", "平方 一郎", "審査・決裁の担当", ("審査・決裁", "個人番号利用事務", "住民票コード事務")),
    ("shien", "大谷 四郎", "支援措置の責任者", ("支援措置責任者",)),
    ("unyou", "上平 五郎", "住基ネット・連携の運用担当", ("バッチ運用",)),
    ("kanri", "原市 次郎", "システム管理者", ("システム管理者",)),
    ("kansa", "大石 三郎", "監査担当", ("監査",)),
]
"""One login per role of the counter and the back office (issue 17): each can try its screens."""


class Command(BaseCommand):
    help = "デモ用の入力場所・端末・利用者を作成し、端末登録コードを表示します。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="DEBUG が無効でも実行する")
        parser.add_argument("--terminal", default="SHIMIN-1", help="登録コードを発行する端末コード")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or settings.JUMIN_DEMO) and not options["force"]:
            raise CommandError(
                "デモデータは開発環境（DEBUG）でだけ作成できます。本番では --force を付けないでください。"
            )
        with transaction.atomic():
            self._places_and_terminals()
            self._users()
            self._certifier()
        terminal = Terminal.objects.get(code=options["terminal"])
        code = issue_enrollment_code(terminal)
        self._print(terminal, code)

    def _places_and_terminals(self) -> None:
        for order, (code, name, kind, short) in enumerate(PLACES, start=1):
            place, _ = Place.objects.update_or_create(
                code=code, defaults={"name": name, "kind": kind, "sort_order": order, "is_active": True}
            )
            Terminal.objects.update_or_create(
                code=f"{code}-1", defaults={"name": f"{short}1", "place": place, "is_active": True}
            )

    def _users(self) -> None:
        for username, display_name, _, roles in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username, defaults={"display_name": display_name})
            user.display_name = display_name
            user.is_active = True
            user.locked_at = user.revoked_at = None
            user.failed_logins = 0
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.set(Group.objects.filter(name__in=roles))
            # An authenticator-app device, kept across runs so an app set up once keeps working.
            if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                TOTPDevice.objects.create(user=user, name="認証アプリ", confirmed=True)

    def _certifier(self) -> None:
        """A demo 認証者 (1.3.9) so that certificates can be issued; a real installation
        registers its mayor and 職務代理者 on the 認証者 screen instead."""
        name = settings.JUMIN_MUNICIPALITY["name"]
        Certifier.objects.get_or_create(
            role=Certifier.Role.MAYOR,
            valid_from=date(2000, 1, 1),
            defaults={"title": f"{name}長", "name": "上尾　太郎（デモ）", "seal_text": f"{name}長之印"},
        )

    def _print(self, terminal: Terminal, code: str) -> None:
        out = self.stdout
        out.write("")
        out.write("=== jumin デモ ===")
        out.write("1. ブラウザで http://127.0.0.1:8000/ を開きます。")
        out.write(f"2. 端末登録コード {code} を入力します（{terminal}、30分間有効・1回限り）。")
        out.write("3. 次の利用者IDでログインします（パスワードはすべて同じ）。")
        for username, display_name, role, _ in DEMO_USERS:
            out.write(f"   {username:<10} {display_name}（{role}）")
        out.write(f"   パスワード: {DEMO_PASSWORD}")
        out.write("4. 続けて二要素認証の確認コード（6桁）を入力します。認証アプリに次のキーを登録するか、")
        out.write("   別の端末で  .venv/bin/jumin totp-code 利用者ID  を実行すると、その時点のコードが表示されます。")
        for username, *_ in DEMO_USERS:
            device = TOTPDevice.objects.get(user__username=username, confirmed=True)
            out.write(f"   {username:<10} キー {b32_secret(device)}")
        out.write("")
