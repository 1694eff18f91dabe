"""Authentication events -> authentication log and lockout counting."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from jumin.accounts.models import User
from jumin.accounts.services import register_failed_attempt, reset_failed_attempts
from jumin.audit.context import refresh_from_request
from jumin.audit.services import record_auth


@receiver(user_login_failed, dispatch_uid="jumin.accounts.login_failed")
def _failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    register_failed_attempt(str(credentials.get("username", "")))


@receiver(user_logged_in, dispatch_uid="jumin.accounts.logged_in")
def _logged_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    refresh_from_request(request)
    reset_failed_attempts(user)
    record_auth("login", username=user.username, detail="パスワード確認")


@receiver(user_logged_out, dispatch_uid="jumin.accounts.logged_out")
def _logged_out(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        record_auth("logout", username=user.username)
