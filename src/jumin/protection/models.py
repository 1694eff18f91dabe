"""支援措置 (DV・ストーカー・児童虐待等の被害者の保護, spec 1.1.16, 3.4) and 抑止 (blocks, 3.1).

* ``SupportMeasure`` is the 支援措置 database the 住民票/除票 flag links to (1.1.16): the
  申出者 and the persons protected with them (``ProtectedPerson``), the 加害者 (``Offender``),
  the 事務 to protect, 転送情報 (``MeasureTransfer``), the period and 仮支援措置.
* ``Block`` is one 抑止: per process type and per person or household, level error or alert,
  several per person, with a temporary release (一時解除) that reverts by itself.  A measure
  sets its own blocks (cause "支援対象者") and releases them when it is terminated.
* ``ProtectionDecision`` is the append-only log of every decision with its reason (database
  triggers refuse UPDATE and DELETE, like the audit logs); the operation log has each one too.
* The propagation of a block's set/release (not of a temporary release, 3.1) to linked
  systems (3.2) is a ``linkage.OutboxMessage`` row written in the decision's transaction.

The end date of a measure or block never lifts anything by itself; "in effect" is decided on
read (``Block.in_effect``), so no timer job is needed for the temporary release either.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils import timezone


class MeasureKind(models.TextChoices):
    DV = "dv", "配偶者からの暴力（DV）"
    STALKING = "stalking", "ストーカー行為等"
    CHILD_ABUSE = "child_abuse", "児童虐待"
    OTHER = "other", "その他（これらに準ずる行為）"


class EndReason(models.TextChoices):
    REQUEST = "request", "申出による終了"
    EXPIRY = "expiry", "期間満了"
    NOT_NEEDED = "not_needed", "支援の必要がなくなった"


class SupportMeasure(models.Model):
    """One 支援措置 (1.1.16).  The applicant's 4情報, addresses and 本籍 are in the register
    under ``applicant_atena_no``; this row holds what the register does not."""

    class State(models.TextChoices):
        ACTIVE = "active", "支援措置中"
        ENDED = "ended", "終了"

    measure_no = models.CharField("支援措置番号", max_length=20, unique=True)
    kind = models.CharField("区分", max_length=15, choices=MeasureKind.choices)
    applicant_atena_no = models.CharField("申出者の宛名番号", max_length=20, db_index=True)
    applicant_contact = models.CharField("申出者の連絡先", max_length=200, blank=True)
    applicant_destination = models.CharField("転出先（申出書の記載）", max_length=200, blank=True)
    # 支援を求める事務 and 抑止対象住所 (1.1.16)
    restrict_inspection = models.BooleanField("住民基本台帳の一部の写しの閲覧", default=True)
    restrict_copy_current = models.BooleanField("住民票の写し等の交付（現住所）", default=True)
    restrict_copy_former = models.BooleanField("除票の写し等の交付（前住所）", default=True)
    restrict_fuhyo = models.BooleanField("戸籍の附票の写しの交付（本籍・前本籍）", default=False)
    # 期間 (3.4): end date computed from the start, editable
    start_on = models.DateField("開始日")
    end_on = models.DateField("終了日")
    # 仮支援措置 (1.1.16, 3.4)
    is_provisional = models.BooleanField("仮支援措置", default=False)
    provisional_start_on = models.DateField("仮支援措置の開始日", null=True, blank=True)
    first_receiving_municipality = models.CharField("当初受付市区町村", max_length=60, blank=True)
    remark = models.TextField("備考（相談機関等の意見など）", blank=True)
    state = models.CharField("状態", max_length=10, choices=State.choices, default=State.ACTIVE)
    end_reason = models.CharField("終了事由", max_length=15, choices=EndReason.choices, blank=True)
    ended_on = models.DateField("終了処理日", null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登録日時", default=timezone.now)

    class Meta:
        verbose_name = "支援措置"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "end_on"])]

    def __str__(self) -> str:
        return self.measure_no

    @property
    def label(self) -> str:
        if self.state == self.State.ENDED:
            return "支援措置終了"
        return "仮支援措置中" if self.is_provisional else "支援措置中"


class ProtectedPerson(models.Model):
    """The 申出者 and each 併せて支援を求める者 of a measure."""

    class Role(models.TextChoices):
        APPLICANT = "applicant", "申出者"
        ACCOMPANYING = "accompanying", "併せて支援を求める者"

    measure = models.ForeignKey(SupportMeasure, on_delete=models.CASCADE, related_name="persons")
    atena_no = models.CharField("宛名番号", max_length=20, db_index=True)
    role = models.CharField("区分", max_length=15, choices=Role.choices)

    class Meta:
        verbose_name = "支援対象者"
        constraints = [models.UniqueConstraint(fields=["measure", "atena_no"], name="protection_person_once")]

    def __str__(self) -> str:
        return f"{self.measure_id} {self.atena_no}"


class Offender(models.Model):
    """加害者 (相手方): who the measure protects against (1.1.16)."""

    measure = models.ForeignKey(SupportMeasure, on_delete=models.CASCADE, related_name="offenders")
    name = models.CharField("氏名", max_length=200)
    furigana = models.CharField("フリガナ", max_length=200, blank=True)
    birth_text = models.CharField("生年月日", max_length=60, blank=True)
    sex = models.CharField("性別", max_length=1, choices=[("1", "男"), ("2", "女")], blank=True)
    address = models.CharField("住所", max_length=200, blank=True)
    atena_no = models.CharField("宛名番号（本市に記録がある場合）", max_length=20, blank=True, db_index=True)
    notes = models.TextField("その他（続柄・特徴など）", blank=True)

    class Meta:
        verbose_name = "加害者"

    def __str__(self) -> str:
        return f"{self.measure_id} {self.name}"


class MeasureTransfer(models.Model):
    """転送情報 (1.1.16): the measure forwarded to / received from another municipality."""

    class Direction(models.TextChoices):
        RECEIVED = "received", "他市区町村から受けた"
        FORWARDED = "forwarded", "他市区町村へ転送した"

    measure = models.ForeignKey(SupportMeasure, on_delete=models.CASCADE, related_name="transfers")
    direction = models.CharField("区分", max_length=10, choices=Direction.choices)
    municipality = models.CharField("市区町村", max_length=60)
    municipality_code = models.CharField("市区町村コード", max_length=6, blank=True)
    on = models.DateField("転送日")
    note = models.CharField("備考", max_length=200, blank=True)

    class Meta:
        verbose_name = "転送情報"
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.measure_id} {self.direction} {self.municipality}"


class Process(models.TextChoices):
    """The process types a block stops (3.1)."""

    MOVEMENT = "movement", "異動入力"
    CERTIFICATE = "certificate", "証明書発行"
    FUHYO = "fuhyo", "戸籍の附票の写しの発行"
    INQUIRY = "inquiry", "照会"
    INSPECTION = "inspection", "閲覧"


class Block(models.Model):
    """One 抑止 (3.1).  In effect until released; the end date is shown, not enforced; a
    temporary release (一時解除) holds until ``temporarily_released_until`` and then the block
    is in effect again by itself."""

    class Scope(models.TextChoices):
        PERSON = "person", "個人"
        HOUSEHOLD = "household", "世帯"

    class Level(models.TextChoices):
        ERROR = "error", "エラー（処理できない）"
        ALERT = "alert", "アラート（理由を記録して処理できる）"

    class Cause(models.TextChoices):
        SUPPORT_MEASURE = "support_measure", "支援対象者"
        OTHER = "other", "その他"

    scope = models.CharField("対象", max_length=10, choices=Scope.choices, default=Scope.PERSON)
    target_no = models.CharField("宛名番号・世帯番号", max_length=20)
    process = models.CharField("抑止する処理", max_length=15, choices=Process.choices)
    level = models.CharField("レベル", max_length=10, choices=Level.choices)
    cause = models.CharField("抑止の種類", max_length=20, choices=Cause.choices, default=Cause.OTHER)
    measure = models.ForeignKey(
        SupportMeasure, null=True, blank=True, on_delete=models.PROTECT, related_name="blocks", verbose_name="支援措置"
    )
    start_on = models.DateField("開始日")
    end_on = models.DateField("終了日（表示のみ、自動では解除しない）", null=True, blank=True)
    reason = models.TextField("設定の理由")
    set_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField("設定日時", default=timezone.now)
    released_at = models.DateTimeField("解除日時", null=True, blank=True)
    released_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    release_reason = models.TextField("解除の理由", blank=True)
    temporarily_released_until = models.DateTimeField("一時解除の期限", null=True, blank=True)
    temporarily_released_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    temporary_release_reason = models.TextField("一時解除の理由", blank=True)

    class Meta:
        verbose_name = "抑止"
        ordering = ["-set_at", "-id"]
        indexes = [models.Index(fields=["scope", "target_no"])]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.target_no} {self.get_process_display()}"

    @property
    def released(self) -> bool:
        return self.released_at is not None

    def temporarily_released(self, now: datetime | None = None) -> bool:
        until = self.temporarily_released_until
        return until is not None and (now or timezone.now()) < until

    def in_effect(self, now: datetime | None = None) -> bool:
        return not self.released and not self.temporarily_released(now)


DECISION_LABELS = {
    "measure.created": "支援措置の登録",
    "measure.extended": "期間の延長",
    "measure.end_date_changed": "終了日の変更",
    "measure.confirmed": "仮支援措置の確認",
    "measure.transfer": "転送情報の記録",
    "measure.terminated": "支援措置の終了",
    "block.set": "抑止の設定",
    "block.released": "抑止の解除",
    "block.temporarily_released": "抑止の一時解除",
    "block.temporary_release_ended": "一時解除の終了",
    "block.alert_passed": "アラートを確認して処理",
}


class ProtectionDecision(models.Model):
    """Every decision about a measure or a block, with its reason.  Append-only (database
    triggers refuse UPDATE and DELETE)."""

    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=40)
    measure = models.ForeignKey(
        SupportMeasure, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    block = models.ForeignKey(Block, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions")
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "支援措置・抑止の決定"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    @property
    def label(self) -> str:
        return DECISION_LABELS.get(self.action, self.action)
