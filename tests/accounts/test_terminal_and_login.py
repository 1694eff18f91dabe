"""Terminal enrollment, login and the binding of a session to its terminal (spec 1.3.1)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from jumin.accounts.models import Terminal, User
from jumin.accounts.services import enroll_device, issue_enrollment_code, normalize_enrollment_code
from jumin.core.errors import DomainError
from tests.conftest import PASSWORD, device_cookie

pytestmark = pytest.mark.django_db


def test_anonymous_browser_is_sent_to_login_then_to_enrollment(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    response = client.get("/accounts/login/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/terminal/enroll/"
    page = client.get("/accounts/terminal/enroll/").content.decode()
    assert "この端末はまだ登録されていません" in page


@pytest.mark.spec("1.3.1", partial=True)
def test_enrollment_code_enrolls_the_browser_once(client: Client, terminal: Terminal) -> None:
    code = issue_enrollment_code(terminal)
    assert len(code) == 9 and code[4] == "-"
    response = client.post("/accounts/terminal/enroll/", {"code": code.lower()})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    cookie = response.cookies[settings.JUMIN_TERMINAL_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    page = client.get("/accounts/login/").content.decode()
    assert "市民課 本庁1" in page
    # The same code does not work twice.
    second = Client().post("/accounts/terminal/enroll/", {"code": code})
    assert second.status_code == 400
    assert "端末登録コードが正しくないか、有効期限が切れています。" in second.content.decode()


def test_enrollment_code_expires(terminal: Terminal) -> None:
    code = issue_enrollment_code(terminal)
    Terminal.objects.filter(pk=terminal.pk).update(enrollment_expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(DomainError) as info:
        enroll_device(code)
    assert info.value.code == "terminal.bad_enrollment_code"


def test_enrollment_of_a_disabled_terminal_is_refused(terminal: Terminal) -> None:
    code = issue_enrollment_code(terminal)
    Terminal.objects.filter(pk=terminal.pk).update(is_active=False)
    with pytest.raises(DomainError):
        enroll_device(code)


def test_code_normalisation_tolerates_typing() -> None:
    assert normalize_enrollment_code(" abcd-efgh ") == "ABCDEFGH"
    assert normalize_enrollment_code("ＡＢ") == ""  # full-width letters are not in the alphabet
    with pytest.raises(DomainError):
        enroll_device("ABC")


def test_a_forged_terminal_cookie_is_not_a_terminal(client: Client, terminal: Terminal) -> None:
    client.cookies[settings.JUMIN_TERMINAL_COOKIE] = "forged-value"
    response = client.get("/accounts/login/")
    assert response["Location"] == "/accounts/terminal/enroll/"


def test_login_with_wrong_password_shows_a_japanese_error(enrolled_client: Client, operator: User) -> None:
    response = enrolled_client.post("/accounts/login/", {"username": "madoguchi", "password": "wrong"})
    assert response.status_code == 200
    assert "利用者IDまたはパスワードが正しくありません。" in response.content.decode()


@pytest.mark.spec("1.3.1", partial=True)
def test_home_shows_operator_place_terminal_and_wareki_date(logged_in_client: Client) -> None:
    page = logged_in_client.get("/").content.decode()
    assert "上尾 花子（madoguchi）" in page
    assert "市民課" in page and "本庁1" in page
    assert "令和" in page
    assert 'lang="ja"' in page


def test_session_ends_when_the_terminal_cookie_is_removed(logged_in_client: Client) -> None:
    del logged_in_client.cookies[settings.JUMIN_TERMINAL_COOKIE]
    response = logged_in_client.get("/")
    assert response.status_code == 302


def test_session_cannot_move_to_another_terminal(logged_in_client: Client, other_terminal: Terminal) -> None:
    logged_in_client.cookies[settings.JUMIN_TERMINAL_COOKIE] = device_cookie(other_terminal)
    assert logged_in_client.get("/").status_code == 302
    # Logged out for good: going back to the first terminal does not revive the session.
    assert "_auth_user_id" not in logged_in_client.session


def test_session_ends_when_the_terminal_is_disabled(logged_in_client: Client, terminal: Terminal) -> None:
    Terminal.objects.filter(pk=terminal.pk).update(is_active=False)
    assert logged_in_client.get("/").status_code == 302


def test_logout_needs_post_and_ends_the_session(logged_in_client: Client) -> None:
    assert logged_in_client.get("/accounts/logout/").status_code == 405
    response = logged_in_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert logged_in_client.get("/").status_code == 302


def test_logged_in_operator_visiting_login_goes_home(logged_in_client: Client) -> None:
    response = logged_in_client.get("/accounts/login/")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_seed_demo_creates_the_places_of_ageo_and_prints_logins(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("seed_demo", "--force")
    out = capsys.readouterr().out
    assert "端末登録コード" in out and "madoguchi" in out
    places = set(Terminal.objects.values_list("place__name", flat=True))
    assert places == {
        "市民課",
        "尾山台出張所",
        "上尾駅出張所",
        "証明書発行センター",
        "平方支所",
        "原市支所",
        "大石支所",
        "上平支所",
        "大谷支所",
    }
    assert User.objects.get(username="shinsa").check_password("jumin-demo-2026")
    assert User.objects.get(username="shinsa").has_perm("accounts.approve_movement")
    every_role = {  # one demo login for each kind of work (issue 17)
        "madoguchi": ("accounts.enter_movement", "accounts.see_individual_number", "accounts.issue_certificate"),
        "shien": ("accounts.manage_support_measure", "accounts.set_block"),
        "unyou": ("accounts.run_batch",),
        "kansa": ("accounts.view_audit_log",),
        "kanri": ("accounts.administer_users",),
    }
    for username, perms in every_role.items():
        assert User.objects.get(username=username).has_perms(perms), username
    assert "キー" in out
    keys = out.split("キー ")[1]
    call_command("seed_demo", "--force")  # idempotent, and the authenticator keys stay
    assert User.objects.filter(username="madoguchi").count() == 1
    assert keys in capsys.readouterr().out


def test_seed_demo_refuses_without_debug() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("seed_demo")


def test_seed_demo_runs_under_the_demo_settings_of_make_run(capsys: pytest.CaptureFixture[str]) -> None:
    """``make run`` serves with DEBUG off (jumin.settings.demo): its demo commands still run there."""
    from django.test import override_settings

    with override_settings(DEBUG=False, JUMIN_DEMO=True):
        call_command("seed_demo")
    assert "端末登録コード" in capsys.readouterr().out


def test_totp_code_command_is_for_the_demo_only(capsys: pytest.CaptureFixture[str], operator: User) -> None:
    from django.core.management.base import CommandError
    from django.test import override_settings
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.conftest import totp_token

    with override_settings(DEBUG=True):
        call_command("totp_code", "madoguchi")
        assert capsys.readouterr().out.strip() == totp_token(TOTPDevice.objects.get(user=operator))
        with pytest.raises(CommandError):
            call_command("totp_code", "nobody")
    with pytest.raises(CommandError):
        call_command("totp_code", "madoguchi")


def test_terminal_code_command(capsys: pytest.CaptureFixture[str], terminal: Terminal) -> None:
    from django.core.management.base import CommandError

    call_command("terminal_code", "SHIMIN-1")
    code = capsys.readouterr().out.strip().split()[-1]
    enrolled, _ = enroll_device(code)
    assert enrolled == terminal
    with pytest.raises(CommandError):
        call_command("terminal_code", "NOPE")


def test_password_is_stored_with_argon2(operator: User) -> None:
    assert operator.password.startswith("argon2")
    assert operator.check_password(PASSWORD)
