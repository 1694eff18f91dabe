from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from jumin.accounts.models import User
from jumin.free_text import FreeTextFormMixin, JuminForm


class LoginForm(FreeTextFormMixin, AuthenticationForm):
    """ID + password.  A locked, revoked, inactive or out-of-period account is refused with
    its reason before the password is checked, so a locked account is no password oracle."""

    username = forms.CharField(
        label="利用者ID",
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label="パスワード",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    exempt_fields = ("password",)  # never stored
    error_messages = {
        "invalid_login": "利用者IDまたはパスワードが正しくありません。",
        "inactive": "この利用者IDは使用できません。管理者に連絡してください。",
    }

    def clean(self) -> dict[str, object]:
        username = self.cleaned_data.get("username")
        user = User.objects.filter(username=username).first() if username else None
        refusal = user.login_refusal() if user is not None else None
        if refusal is not None:
            raise forms.ValidationError(refusal, code="refused")
        return super().clean()


class EnrollmentForm(JuminForm):
    code = forms.CharField(
        label="端末登録コード",
        max_length=20,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off", "placeholder": "XXXX-XXXX"}),
    )


class TotpForm(JuminForm):
    token = forms.CharField(
        label="確認コード（6桁）",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}
        ),
    )

    def clean_token(self) -> str:
        token = str(self.cleaned_data["token"]).strip()
        if not token.isdigit():
            raise forms.ValidationError("確認コードは6桁の数字です。")
        return token


class UnlockForm(JuminForm):
    exempt_fields = ("password",)  # never stored
    password = forms.CharField(
        label="パスワード",
        strip=False,
        widget=forms.PasswordInput(attrs={"autofocus": True, "autocomplete": "current-password"}),
    )
