"""Passkeys (WebAuthn) as the second factor — the "biometric" login of the assessment.

Built on django-otp-webauthn; this module adapts it to jumin: Japanese messages, the
relying party taken from the request host, allowed origins from settings (plus the
local origin in development and tests), failures counted toward the lockout, and every
outcome written to the authentication log."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import exceptions, views
from django_otp_webauthn.helpers import WebAuthnHelper

from jumin.accounts.services import register_failed_attempt
from jumin.audit.services import record_auth

MESSAGES = {
    "malformed_request": "要求の形式が正しくありません。",
    "invalid_state": "認証の手順が途切れました。もう一度ボタンを押してください。",
    "user_disabled": "この利用者IDは使用できません。",
    "credential_disabled": "このパスキーは無効になっています。",
    "credential_not_found": "このパスキーは登録されていません。",
    "credential_user_mismatch": "このパスキーはログイン中の利用者のものではありません。",
    "not_authenticated": "先に利用者IDとパスワードでログインしてください。",
    "user_not_verified": "パスキーを追加するには、先に二要素認証を完了してください。",
    "passwordless_login_disabled": "パスキーだけではログインできません。",
}

JS_MESSAGES = {
    "Verify with Passkey": "パスキーで認証",
    "Verifying...": "認証しています…",
    "Finishing verification...": "認証を完了しています…",
    "Verification successful!": "認証しました。",
    "Verification aborted.": "認証を中止しました。",
    "Verification canceled or not allowed.": "認証が取り消されたか、許可されませんでした。",
    "Verification failed. A server error occurred.": "認証できませんでした（サーバのエラー）。",
    "Verification failed. An unknown error occurred.": "認証できませんでした。",
    "Verification failed. An unknown server error occurred.": "認証できませんでした（サーバのエラー）。",
    "Verification failed. Could not retrieve parameters from the server.": (
        "認証できませんでした（サーバに接続できません）。"
    ),
    "An error occurred during verification.": "認証中にエラーが発生しました。",
    "Register a Passkey": "パスキーを登録",
    "Registering...": "登録しています…",
    "Finishing registration...": "登録を完了しています…",
    "Registration successful!": "パスキーを登録しました。",
    "Registration aborted.": "登録を中止しました。",
    "Registration aborted or not allowed.": "登録が取り消されたか、許可されませんでした。",
    "Registration failed. A server error occurred.": "登録できませんでした（サーバのエラー）。",
    "Registration failed. An unknown error occurred.": "登録できませんでした。",
    "Registration failed. The server was unable to verify this passkey.": "このパスキーを確認できませんでした。",
    "Registration failed. Unable to fetch registration options from server.": (
        "登録できませんでした（サーバに接続できません）。"
    ),
    "Registration failed. You most likely already have a Passkey registered for this site.": (
        "このパスキーは登録済みです。"
    ),
    "Registration failed. A technical problem occurred that prevents you from registering a Passkey for this site.": (
        "この端末ではパスキーを登録できません。"
    ),
    "An error occurred during registration.": "登録中にエラーが発生しました。",
}


def relying_party_id(request: HttpRequest) -> str:
    """The WebAuthn RP ID: a configured domain, else the host the operator is using."""
    configured: str = settings.JUMIN_WEBAUTHN_RP_ID
    return configured or (urlsplit(f"//{request.get_host()}").hostname or "")


class JuminWebAuthnHelper(WebAuthnHelper):
    def get_allowed_origins(self) -> list[str]:
        origins = list(settings.JUMIN_WEBAUTHN_ORIGINS)
        if settings.JUMIN_WEBAUTHN_TRUST_LOCALHOST and urlsplit(f"//{self.request.get_host()}").hostname == "localhost":
            origins.append(f"{self.request.scheme}://{self.request.get_host()}")
        return origins


class JapaneseCatalog(JavaScriptCatalog):
    """The messages of django-otp-webauthn's scripts, in Japanese."""

    def get_catalog(self) -> dict[str, Any]:
        return dict(JS_MESSAGES)


class _JapaneseErrors:
    def handle_exception(self, exc: Exception) -> JsonResponse:
        if isinstance(exc, exceptions.OTPWebAuthnApiError):
            detail = MESSAGES.get(exc.code, "パスキーの処理でエラーが発生しました。")
            return JsonResponse({"detail": detail, "code": exc.code}, status=exc.status_code)
        raise exc


class BeginRegistration(_JapaneseErrors, views.BeginCredentialRegistrationView):
    pass


class CompleteRegistration(_JapaneseErrors, views.CompleteCredentialRegistrationView):
    def post(self, *args: Any, **kwargs: Any) -> JsonResponse:
        response: JsonResponse = super().post(*args, **kwargs)
        record_auth("second_factor_enrolled", username=self.request.user.get_username(), detail="パスキー")
        return response


class BeginAuthentication(_JapaneseErrors, views.BeginCredentialAuthenticationView):
    pass


class CompleteAuthentication(_JapaneseErrors, views.CompleteCredentialAuthenticationView):
    def complete_auth(self, device: Any) -> Any:
        result = super().complete_auth(device)
        record_auth("second_factor_ok", username=device.user.get_username(), detail="パスキー")
        return result

    def handle_exception(self, exc: Exception) -> JsonResponse:
        if self.request.user.is_authenticated:
            register_failed_attempt(self.request.user.get_username(), stage="passkey")
        return super().handle_exception(exc)
