"""User administration screens (システム管理者): accounts, roles, unlock, revocation,
second-factor reset.  Every change goes through a service and into the logs."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.models import Group
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from jumin.accounts.models import RevocationEntry, User
from jumin.accounts.services import create_operator, reset_second_factors, revoke, set_roles, unlock
from jumin.core.errors import DomainError
from jumin.free_text import JuminForm

PERMISSION = "accounts.administer_users"


class OperatorForm(JuminForm):
    exempt_fields = ("password",)  # stored as an Argon2 hash only
    username = forms.RegexField(
        label="利用者ID",
        regex=r"^[a-z0-9_.-]{3,30}$",
        error_messages={"invalid": "利用者IDは半角英小文字・数字・記号（_ . -）で3〜30文字です。"},
    )
    display_name = forms.CharField(label="氏名", max_length=60)
    department = forms.CharField(label="所属", max_length=60, required=False)
    password = forms.CharField(label="初期パスワード（12文字以上）", min_length=12, widget=forms.PasswordInput)
    roles = forms.ModelMultipleChoiceField(
        label="役割", queryset=Group.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple
    )


class RolesForm(JuminForm):
    roles = forms.ModelMultipleChoiceField(
        label="役割", queryset=Group.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple
    )


class RevokeForm(JuminForm):
    reason = forms.ChoiceField(label="理由", choices=RevocationEntry.Reason.choices)
    note = forms.CharField(label="備考", required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _admin(request: HttpRequest) -> User:
    return cast(User, request.user)


@require_http_methods(["GET", "POST"])
@permission_required(PERMISSION, raise_exception=True)
def user_list(request: HttpRequest) -> HttpResponse:
    form = OperatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = create_operator(
                data["username"],
                data["display_name"],
                data["password"],
                by=_admin(request),
                department=data["department"],
                roles=list(data["roles"]),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"利用者 {user} を登録しました。初回ログイン時に二要素認証を設定します。")
            return redirect("accounts:users")
    users = User.objects.prefetch_related("groups").order_by("username")
    return render(request, "accounts/users.html", {"users": users, "form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@permission_required(PERMISSION, raise_exception=True)
def user_detail(request: HttpRequest, username: str) -> HttpResponse:
    user = get_object_or_404(User, username=username)
    roles = RolesForm(request.POST or None, initial={"roles": user.groups.all()})
    if request.method == "POST" and roles.is_valid():
        set_roles(user, list(roles.cleaned_data["roles"]), by=_admin(request))
        messages.success(request, "役割を更新しました。")
        return redirect("accounts:user", username=username)
    context = {"target": user, "roles_form": roles, "revoke_form": RevokeForm(), "revocations": user.revocations.all()}
    return render(request, "accounts/user.html", context)


@require_POST
@permission_required(PERMISSION, raise_exception=True)
def user_unlock(request: HttpRequest, username: str) -> HttpResponse:
    unlock(get_object_or_404(User, username=username), by=_admin(request))
    messages.success(request, "ロックを解除しました。")
    return redirect("accounts:user", username=username)


@require_POST
@permission_required(PERMISSION, raise_exception=True)
def user_reset_second_factor(request: HttpRequest, username: str) -> HttpResponse:
    reset_second_factors(get_object_or_404(User, username=username), by=_admin(request))
    messages.success(request, "二要素認証を初期化しました。次回ログイン時に設定し直します。")
    return redirect("accounts:user", username=username)


@require_POST
@permission_required(PERMISSION, raise_exception=True)
def user_revoke(request: HttpRequest, username: str) -> HttpResponse:
    user = get_object_or_404(User, username=username)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "失効の理由を選んでください。")
    else:
        try:
            revoke(user, by=_admin(request), reason=form.cleaned_data["reason"], note=form.cleaned_data["note"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "利用者IDを失効させました。利用中の画面もただちに使えなくなります。")
    return redirect("accounts:user", username=username)
