"""Two-factor login and the idle screen lock (assessment: 生体認証・二要素認証, 画面ロック)."""

import time

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice

from jumin.accounts.middleware import LAST_SEEN_KEY
from jumin.accounts.models import User
from jumin.accounts.services import reset_second_factors
from jumin.audit.models import AuthLog
from tests.conftest import PASSWORD, log_in, make_operator, totp_token

pytestmark = pytest.mark.django_db


def _password_only(client: Client, user: User) -> None:
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.spec("10.3", partial=True)
def test_the_password_alone_opens_nothing_but_the_second_factor(enrolled_client: Client, operator: User) -> None:
    _password_only(enrolled_client, operator)
    response = enrolled_client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/verify/")
    page = enrolled_client.get(response["Location"]).content.decode()
    assert "確認コード（6桁）" in page


def test_authenticator_code_completes_the_login(enrolled_client: Client, operator: User) -> None:
    _password_only(enrolled_client, operator)
    device = TOTPDevice.objects.get(user=operator)
    response = enrolled_client.post("/accounts/verify/", {"token": totp_token(device), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert enrolled_client.get("/").status_code == 200
    assert list(AuthLog.objects.values_list("event", flat=True)) == ["login", "second_factor_ok"]


def test_a_code_is_single_use(enrolled_client: Client, operator: User) -> None:
    device = TOTPDevice.objects.get(user=operator)
    token = totp_token(device)
    _password_only(enrolled_client, operator)
    enrolled_client.post("/accounts/verify/", {"token": token})
    enrolled_client.post("/accounts/logout/")
    _password_only(enrolled_client, operator)
    response = enrolled_client.post("/accounts/verify/", {"token": token})
    assert response.status_code == 400
    assert "確認コードが正しくありません。" in response.content.decode()


@override_settings(JUMIN_LOCKOUT_THRESHOLD=2)
def test_wrong_codes_count_toward_the_lockout(enrolled_client: Client, operator: User) -> None:
    _password_only(enrolled_client, operator)
    assert enrolled_client.post("/accounts/verify/", {"token": "000000"}).status_code == 400
    response = enrolled_client.post("/accounts/verify/", {"token": "000000"}, follow=True)
    assert "利用者IDをロックしました" in response.content.decode()
    operator.refresh_from_db()
    assert operator.locked_at is not None
    assert enrolled_client.get("/").status_code == 302


def test_malformed_code_is_refused_in_japanese(enrolled_client: Client, operator: User) -> None:
    _password_only(enrolled_client, operator)
    response = enrolled_client.post("/accounts/verify/", {"token": "12ab56"})
    assert "確認コードは6桁の数字です。" in response.content.decode()


def test_first_login_enrolls_an_authenticator_app(enrolled_client: Client, operator: User) -> None:
    TOTPDevice.objects.filter(user=operator).delete()
    _password_only(enrolled_client, operator)
    response = enrolled_client.get("/accounts/verify/")
    assert response["Location"].startswith("/accounts/second-factor/")
    page = enrolled_client.get(response["Location"]).content.decode()
    assert "<svg" in page and "パスキーを登録" in page
    device = TOTPDevice.objects.get(user=operator, confirmed=False)
    response = enrolled_client.post("/accounts/second-factor/", {"token": totp_token(device), "next": "/"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert enrolled_client.get("/").status_code == 200
    assert AuthLog.objects.filter(event="second_factor_enrolled").exists()


def test_a_wrong_first_code_does_not_confirm_the_app(enrolled_client: Client, operator: User) -> None:
    TOTPDevice.objects.filter(user=operator).delete()
    _password_only(enrolled_client, operator)
    response = enrolled_client.post("/accounts/second-factor/", {"token": "000000"})
    assert response.status_code == 400
    assert "認証アプリに表示された最新のコード" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=operator, confirmed=True).exists()


def test_an_operator_with_a_factor_cannot_add_another_before_verifying(enrolled_client: Client, operator: User) -> None:
    _password_only(enrolled_client, operator)
    response = enrolled_client.get("/accounts/second-factor/")
    assert response["Location"].startswith("/accounts/verify/")


def test_administrator_reset_of_second_factors(operator: User) -> None:
    admin = make_operator("kanri", "管理 者")
    assert reset_second_factors(operator, by=admin) == 1
    assert not TOTPDevice.objects.filter(user=operator).exists()
    assert AuthLog.objects.filter(event="second_factor_reset", username="madoguchi").exists()


def test_verified_operator_visiting_verify_goes_on(logged_in_client: Client) -> None:
    response = logged_in_client.get("/accounts/verify/?next=/")
    assert response.status_code == 302 and response["Location"] == "/"


def test_unsafe_next_is_ignored(enrolled_client: Client, operator: User) -> None:
    _password_only(enrolled_client, operator)
    device = TOTPDevice.objects.get(user=operator)
    response = enrolled_client.post("/accounts/verify/", {"token": totp_token(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


# -- idle lock -------------------------------------------------------------------------------


def _age_session(client: Client, seconds: float) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - seconds
    session.save()


@pytest.mark.spec("10.3", partial=True)
@override_settings(JUMIN_IDLE_LOCK_MINUTES=10)
def test_idle_session_locks_the_screen_until_the_password_is_entered(logged_in_client: Client) -> None:
    assert logged_in_client.get("/").status_code == 200
    _age_session(logged_in_client, 9 * 60)
    assert logged_in_client.get("/").status_code == 200
    _age_session(logged_in_client, 10 * 60 + 1)
    response = logged_in_client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/unlock/")
    assert logged_in_client.get("/").status_code == 302  # still locked, whatever the time
    assert "画面ロック中" in logged_in_client.get("/accounts/unlock/").content.decode()
    assert logged_in_client.post("/accounts/unlock/", {"password": "wrong"}).status_code == 400
    response = logged_in_client.post("/accounts/unlock/", {"password": PASSWORD, "next": "/"})
    assert response.status_code == 302
    assert logged_in_client.get("/").status_code == 200
    events = list(AuthLog.objects.values_list("event", "detail"))
    assert ("screen_locked", "無操作") in events and ("screen_unlocked", "") in events


@override_settings(JUMIN_IDLE_LOCK_MINUTES=10, JUMIN_IDLE_LOCK_RESOLUTION_SECONDS=30)
def test_steady_work_does_not_rewrite_the_session_on_every_page(logged_in_client: Client) -> None:
    """Issue 24: the last request is stored at most 30 s stale, so a page within that time
    writes no session row; the lock still comes after 10 minutes without a request."""
    _age_session(logged_in_client, 5)
    stored = logged_in_client.session[LAST_SEEN_KEY]
    with CaptureQueriesContext(connection) as queries:
        assert logged_in_client.get("/").status_code == 200
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]]
    assert logged_in_client.session[LAST_SEEN_KEY] == stored
    _age_session(logged_in_client, 31)
    assert logged_in_client.get("/").status_code == 200
    assert logged_in_client.session[LAST_SEEN_KEY] > time.time() - 5  # refreshed
    _age_session(logged_in_client, 10 * 60)
    assert logged_in_client.get("/").status_code == 302  # locked: never later than the lock time


def test_operator_can_lock_the_screen_at_once(logged_in_client: Client) -> None:
    response = logged_in_client.post("/accounts/lock/", {"after_unlock": "/", "reason": "離席"})
    assert response["Location"].startswith("/accounts/unlock/")
    assert logged_in_client.get("/").status_code == 302
    assert AuthLog.objects.filter(event="screen_locked", detail="離席").exists()


@override_settings(JUMIN_LOCKOUT_THRESHOLD=2)
def test_wrong_unlock_passwords_lock_the_account(logged_in_client: Client, operator: User) -> None:
    logged_in_client.post("/accounts/lock/")
    logged_in_client.post("/accounts/unlock/", {"password": "x"})
    response = logged_in_client.post("/accounts/unlock/", {"password": "x"}, follow=True)
    assert "利用者IDをロックしました" in response.content.decode()


def test_second_login_uses_a_fresh_code(enrolled_client: Client, operator: User) -> None:
    log_in(enrolled_client, operator)
    enrolled_client.post("/accounts/logout/")
    log_in(enrolled_client, operator, steps_ahead=1)
    assert enrolled_client.get("/").status_code == 200
