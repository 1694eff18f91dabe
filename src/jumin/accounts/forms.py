from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
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
    error_messages = {
        "invalid_login": "利用者IDまたはパスワードが正しくありません。",
        "inactive": "この利用者IDは使用できません。管理者に連絡してください。",
    }


class EnrollmentForm(forms.Form):
    code = forms.CharField(
        label="端末登録コード",
        max_length=20,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off", "placeholder": "XXXX-XXXX"}),
    )
