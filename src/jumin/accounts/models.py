"""Operators (職員), places (本庁・支所・出張所) and terminals (spec 1.3.1)."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import load_backend
from django.contrib.auth import models as auth_models
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

# The capabilities of jumin (standard spec 10.3/10.4).  Roles (Django groups) bundle them;
# a single user may also hold one directly ("per user", 10.4).  Rights by job rank
# (職位・職権) are a function the standard forbids (10.3 X) and do not exist.
CAPABILITIES: list[tuple[str, str | Any]] = [
    ("view_resident", "住民記録の照会"),
    ("view_provisional", "仮登録中の異動の参照"),
    ("enter_movement", "異動の入力（仮登録）"),
    ("approve_movement", "異動の審査・決裁（本登録）"),
    ("issue_certificate", "証明書の交付"),
    ("review_inspection", "閲覧申出の審査（承認・不承認）"),
    ("see_individual_number", "個人番号の表示・検索（個人番号利用事務）"),
    ("see_resident_code", "住民票コードの表示・検索"),
    ("see_honseki", "戸籍の表示（本籍・筆頭者）の表示"),
    ("see_residence_status", "在留資格等の表示"),
    ("assign_resident_code", "住民票コードの付番・変更"),
    ("manage_support_measure", "支援措置の管理（支援措置責任者）"),
    ("set_block", "抑止の設定"),
    ("release_block", "抑止の解除"),
    ("temporarily_release_block", "抑止の一時解除"),
    ("run_batch", "バッチ処理の実行"),
    ("use_euc", "EUC（データ抽出）"),
    ("administer_users", "利用者・権限の管理"),
    ("administer_terminals", "入力場所・端末の管理"),
    ("administer_linked_systems", "連携システムの認証情報の管理"),
    ("view_audit_log", "監査ログの閲覧・分析"),
]

# Field visibility of spec 10.4: the permission that shows each masked field.
FIELD_PERMISSIONS = {
    "honseki": "accounts.see_honseki",
    "individual_number": "accounts.see_individual_number",
    "resident_code": "accounts.see_resident_code",
    "residence_status": "accounts.see_residence_status",
}


class Capability(models.Model):
    """Holds the permissions of :data:`CAPABILITIES`; it has no table."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = CAPABILITIES
        verbose_name = "権限"

    def __str__(self) -> str:
        return "権限"


class User(AbstractUser):
    """An operator.  ``username`` is the 利用者ID typed at login.

    ``is_superuser`` is never honoured: every right comes from a role or an explicit
    permission, so that no account can read residents' data by a side door."""

    display_name = models.CharField("氏名", max_length=60)
    department = models.CharField("所属", max_length=60, blank=True)
    valid_from = models.DateTimeField("利用開始日時", null=True, blank=True)
    valid_until = models.DateTimeField("利用終了日時", null=True, blank=True)
    failed_logins = models.PositiveIntegerField("連続失敗回数", default=0)
    locked_at = models.DateTimeField("ロック日時", null=True, blank=True)
    revoked_at = models.DateTimeField("失効日時", null=True, blank=True)

    class Meta:
        verbose_name = "利用者"
        verbose_name_plural = "利用者"
        constraints = [
            models.CheckConstraint(condition=models.Q(is_superuser=False), name="accounts_user_no_superuser"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def login_refusal(self, now: datetime | None = None) -> str | None:
        """Why this account may not be used now (Japanese), or None."""
        now = now or timezone.now()
        if self.revoked_at is not None:
            return "この利用者IDは失効しています。"
        if not self.is_active:
            return "この利用者IDは使用できません。管理者に連絡してください。"
        if self.locked_at is not None:
            return "ログインの失敗が続いたため、この利用者IDはロックされています。管理者に解除を依頼してください。"
        if self.valid_from is not None and now < self.valid_from:
            return "この利用者IDの利用期間はまだ始まっていません。"
        if self.valid_until is not None and now >= self.valid_until:
            return "この利用者IDの利用期間は終了しています。"
        return None

    def has_perm(self, perm: str, obj: object = None) -> bool:
        if self.login_refusal() is not None:
            return False
        if obj is None and settings.AUTHENTICATION_BACKENDS == [_JUMIN_BACKEND]:
            # the one backend's own answer, without loading the backends anew for each of the
            # ~70 checks a screen makes (issue 24); the same set it caches per request
            return perm in _jumin_backend().get_all_permissions(self)
        # Django's own check over the authentication backends (as AbstractUser.has_perm does).
        return bool(auth_models._user_has_perm(self, perm, obj))  # type: ignore[attr-defined]

    def has_module_perms(self, app_label: str) -> bool:
        return self.login_refusal() is None and any(p.startswith(f"{app_label}.") for p in self.get_all_permissions())

    def is_verified(self) -> bool:
        """Set per request by django-otp's OTPMiddleware: the second factor was passed."""
        raise NotImplementedError  # replaced on the instance by OTPMiddleware

    def sees(self, field: str) -> bool:
        """Whether this operator may see (and search by) a masked field of spec 10.4."""
        return self.has_perm(FIELD_PERMISSIONS[field])


_JUMIN_BACKEND = "jumin.accounts.backends.JuminBackend"


@functools.cache
def _jumin_backend() -> Any:
    return load_backend(_JUMIN_BACKEND)


class RevocationEntry(models.Model):
    """The revocation ledger (管理簿): who lost access, when, why, and who revoked it."""

    class Reason(models.TextChoices):
        RETIRED = "retired", "退職"
        TRANSFERRED = "transferred", "異動（人事）"
        LEAVE = "leave", "休職"
        OTHER = "other", "その他"

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="revocations", verbose_name="利用者")
    reason = models.CharField("理由", max_length=20, choices=Reason.choices)
    note = models.TextField("備考", blank=True)
    revoked_at = models.DateTimeField("失効日時", default=timezone.now)
    revoked_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="失効処理者")

    class Meta:
        verbose_name = "失効管理簿"
        ordering = ["-revoked_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.get_reason_display()} {self.revoked_at:%Y-%m-%d}"


class Place(models.Model):
    """An input/issuing place (入力場所): 本庁の課, 支所, 出張所, 証明書発行センター."""

    class Kind(models.TextChoices):
        MAIN = "main", "本庁"
        BRANCH = "branch", "支所"
        OFFICE = "office", "出張所"
        CENTER = "center", "センター"

    code = models.CharField("場所コード", max_length=20, unique=True)
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("種別", max_length=10, choices=Kind.choices)
    sort_order = models.PositiveIntegerField("表示順", default=0)
    is_active = models.BooleanField("有効", default=True)

    class Meta:
        verbose_name = "入力場所"
        verbose_name_plural = "入力場所"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Terminal(models.Model):
    """A registered terminal (入力端末).  A browser becomes this terminal by entering a
    one-time enrollment code; from then on a signed cookie identifies it, and only the
    SHA-256 of the cookie's secret is stored here."""

    code = models.CharField("端末コード", max_length=20, unique=True)
    name = models.CharField("端末名", max_length=60, help_text="発行番号に印字する名称（例: 本庁1）")
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="terminals", verbose_name="入力場所")
    is_active = models.BooleanField("有効", default=True)
    device_secret_hash = models.CharField(max_length=64, blank=True, db_index=True)
    enrollment_code_hash = models.CharField(max_length=64, blank=True, db_index=True)
    enrollment_expires_at = models.DateTimeField(null=True, blank=True)
    enrolled_at = models.DateTimeField("登録日時", null=True, blank=True)

    class Meta:
        verbose_name = "入力端末"
        verbose_name_plural = "入力端末"
        ordering = ["place__sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.place.name} {self.name}"


class LinkedSystem(models.Model):
    """A system that calls jumin's API (コンビニ交付, 申請管理, 宛名, simulators of the national
    side): its own key, its own capabilities (which endpoints, which fields) and its own
    rows in the access log.  Only the SHA-256 of the key is stored."""

    code = models.CharField("システムコード", max_length=30, unique=True)
    name = models.CharField("名称", max_length=60)
    key_prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    previous_key_hash = models.CharField(max_length=64, blank=True)
    previous_valid_until = models.DateTimeField(null=True, blank=True)
    capabilities = models.ManyToManyField(
        "auth.Permission",
        blank=True,
        related_name="+",
        verbose_name="権限",
        limit_choices_to={"content_type__model": "capability"},
    )
    is_active = models.BooleanField("有効", default=True)
    created_at = models.DateTimeField("登録日時", default=timezone.now)
    rotated_at = models.DateTimeField("鍵の更新日時", null=True, blank=True)
    revoked_at = models.DateTimeField("失効日時", null=True, blank=True)

    class Meta:
        verbose_name = "連携システム"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def capability_names(self) -> set[str]:
        # read once per instance: the API loads the system afresh for every request, and one
        # request asks many times (a コンビニ交付 request: ten checks)
        cached: set[str] | None = self.__dict__.get("_capability_names")
        if cached is None:
            cached = {f"accounts.{codename}" for codename in self.capabilities.values_list("codename", flat=True)}
            self.__dict__["_capability_names"] = cached
        return set(cached)

    def forget_capabilities(self) -> None:
        self.__dict__.pop("_capability_names", None)

    def has_perm(self, perm: str) -> bool:
        return self.is_active and perm in self.capability_names()

    def sees(self, field: str) -> bool:
        return self.has_perm(FIELD_PERMISSIONS[field])
