"""The municipal side of the 中間サーバー (assessment system 4, spec 7.2.2/7.2.3): 符号管理, the
副本 of 住民票関係情報, and the 情報提供等記録.  docs/number-exchange.md."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class CodeRecord(models.Model):
    """符号管理: the 符号 of one person (団体内統合宛名番号), asked with a 処理通番."""

    class State(models.TextChoices):
        REQUESTED = "requested", "取得依頼中"
        OBTAINED = "obtained", "取得済"

    integrated_no = models.CharField("団体内統合宛名番号", max_length=15, unique=True)
    atena_no = models.CharField("宛名番号（住基）", max_length=20, unique=True)
    processing_no = models.CharField("処理通番", max_length=30, unique=True)
    code = models.CharField("符号", max_length=64, blank=True, db_index=True)
    state = models.CharField("状態", max_length=10, choices=State.choices, default=State.REQUESTED)
    requested_at = models.DateTimeField("依頼日時", default=timezone.now)
    obtained_at = models.DateTimeField("取得日時", null=True, blank=True)
    last_error = models.CharField("最後のエラー", max_length=100, blank=True)

    class Meta:
        verbose_name = "符号"

    def __str__(self) -> str:
        return f"{self.processing_no} {self.state}"


class ProvisionCopy(models.Model):
    """The 副本 of one person's 住民票関係情報, as the 中間サーバー provides it (updated from every
    本登録 through the outbox; ``history_no`` never goes back)."""

    atena_no = models.CharField("宛名番号（住基）", max_length=20, unique=True)
    integrated_no = models.CharField("団体内統合宛名番号", max_length=15, unique=True)
    history_no = models.PositiveIntegerField("履歴番号")
    outbox_seq = models.BigIntegerField("連携の送信順", default=0)
    items = models.JSONField("住民票関係情報")
    updated_at = models.DateTimeField("更新日時", default=timezone.now)

    class Meta:
        verbose_name = "副本（住民票関係情報）"

    def __str__(self) -> str:
        return f"{self.integrated_no}#{self.history_no}"


class ProvisionRecord(models.Model):
    """情報提供等記録 (番号法 第23条): every 情報照会 we made and every one we were asked — who
    asked what about whom, when, under which law, and how it was answered.  Kept seven years
    (``keep_until``) and shown to the resident on a 開示請求."""

    class Direction(models.TextChoices):
        INQUIRY = "inquiry", "情報照会"
        PROVISION = "provision", "情報提供"

    class Outcome(models.TextChoices):
        ANSWERED = "answered", "自動応答"
        DEFERRED = "deferred", "自動応答不可（手動回答待ち）"
        MANUAL_ANSWERED = "manual_answered", "手動回答"
        WITHHELD = "withheld", "不提供（手動判断）"
        NOT_FOUND = "not_found", "該当なし"
        PENDING = "pending", "回答待ち"
        REFUSED = "refused", "照会不可（照会許可照合リスト）"
        FAILED = "failed", "送信エラー"

    inquiry_id = models.CharField("照会番号", max_length=64, unique=True)
    direction = models.CharField("区分", max_length=10, choices=Direction.choices)
    requester = models.CharField("情報照会者", max_length=64)
    provider = models.CharField("情報提供者", max_length=64)
    affair = models.CharField("事務", max_length=40)
    item = models.CharField("特定個人情報の項目", max_length=40)
    law = models.CharField("根拠法令", max_length=100)
    atena_no = models.CharField("宛名番号（住基）", max_length=20, blank=True, db_index=True)
    business = models.CharField("照会した業務", max_length=20, blank=True)
    asked_by = models.CharField("照会した職員・システム", max_length=150, blank=True)
    asked_at = models.DateTimeField("照会日時", default=timezone.now)
    outcome = models.CharField("結果", max_length=20, choices=Outcome.choices)
    answered_at = models.DateTimeField("回答日時", null=True, blank=True)
    answered_by = models.CharField("手動回答の職員", max_length=150, blank=True)
    manual_reason = models.CharField("手動回答の理由", max_length=200, blank=True)
    answer_sent = models.BooleanField("回答送信済", default=False)
    keep_until = models.DateField("保存期限")

    class Meta:
        verbose_name = "情報提供等記録"
        indexes = [models.Index(fields=["outcome", "answer_sent"], name="provision_record_open")]

    def __str__(self) -> str:
        return f"{self.inquiry_id} {self.outcome}"


# Display names of the 事務 and the 特定個人情報 items of the simulated 照会許可照合リスト.
AFFAIR_LABELS: dict[str, str] = {
    "child_allowance": "児童手当の支給に関する事務",
    "health_care": "健康増進事業の実施に関する事務",
    "pension": "国民年金の給付に関する事務",
}
ITEM_LABELS: dict[str, str] = {
    "resident_relations": "住民票関係情報",
    "local_tax": "地方税関係情報",
}
