"""Audit logs (standard spec 10.2): append-only, hash-chained, one table per kind.

* Database triggers refuse UPDATE on every log table, and DELETE/TRUNCATE unless the
  retention purge has opened the gate for its own transaction (``jumin audit purge``).
* Each row carries ``prev_hash`` and ``hash`` = HMAC-SHA256(audit key, prev_hash + row);
  ``jumin audit verify`` recomputes the chains and reports the first broken link.
* Rows hold references (宛名番号, ids, names of screens), never a 個人番号 or 住民票コード.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils import timezone


class ChainHead(models.Model):
    """The last hash of each log's chain; locked while a row is appended."""

    log = models.CharField(max_length=40, primary_key=True)
    last_hash = models.CharField(max_length=64)
    rows = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.log}: {self.rows}"


class LogRow(models.Model):
    objects: ClassVar[models.Manager[Any]]

    at = models.DateTimeField("日時", default=timezone.now, db_index=True)
    operator_id = models.BigIntegerField("操作者番号", null=True, blank=True, db_index=True)
    operator = models.CharField("操作者ID", max_length=150, blank=True)
    place = models.CharField("入力場所", max_length=20, blank=True)
    terminal = models.CharField("端末", max_length=20, blank=True)
    client = models.CharField("連携システム", max_length=60, blank=True)
    channel = models.CharField("経路", max_length=10)
    request_id = models.CharField(max_length=32, blank=True)
    ip = models.CharField(max_length=45, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        abstract = True
        ordering = ["id"]

    CHAIN_FIELDS: tuple[str, ...] = (
        "at",
        "operator_id",
        "operator",
        "place",
        "terminal",
        "client",
        "channel",
        "request_id",
        "ip",
    )

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk} {self.at:%Y-%m-%d %H:%M:%S} {self.operator}"


class AccessLog(LogRow):
    """Every read of personal data: who saw which persons, where, through which screen."""

    purpose = models.CharField("画面・機能", max_length=100)
    action = models.CharField("操作", max_length=20)  # view, search, print, export, list
    persons = models.JSONField("対象者（宛名番号）", default=list)
    criteria = models.JSONField("検索条件", default=dict, blank=True)
    result_count = models.IntegerField("件数", null=True, blank=True)
    individual_number_shown = models.BooleanField("個人番号の表示", default=False)
    resident_code_shown = models.BooleanField("住民票コードの表示", default=False)

    CHAIN_FIELDS = (
        *LogRow.CHAIN_FIELDS,
        "purpose",
        "action",
        "persons",
        "criteria",
        "result_count",
        "individual_number_shown",
        "resident_code_shown",
    )

    class Meta(LogRow.Meta):
        verbose_name = "アクセスログ"


class OperationLog(LogRow):
    """Every write: what was done to which record, with references to before and after."""

    action = models.CharField("操作", max_length=60)
    target_type = models.CharField("対象の種類", max_length=40, blank=True)
    target_id = models.CharField("対象", max_length=60, blank=True, db_index=True)
    movement_id = models.CharField("異動番号", max_length=40, blank=True, db_index=True)
    before = models.JSONField("変更前（参照）", default=dict, blank=True)
    after = models.JSONField("変更後（参照）", default=dict, blank=True)
    reason = models.TextField("理由", blank=True)
    individual_number_accessed = models.BooleanField("個人番号の利用", default=False)

    CHAIN_FIELDS = (
        *LogRow.CHAIN_FIELDS,
        "action",
        "target_type",
        "target_id",
        "movement_id",
        "before",
        "after",
        "reason",
        "individual_number_accessed",
    )

    class Meta(LogRow.Meta):
        verbose_name = "操作ログ"


class AuthLog(LogRow):
    """Logins, failures, locks, unlocks, second factors, screen locks, revocations."""

    event = models.CharField("事象", max_length=30, db_index=True)
    username = models.CharField("入力された利用者ID", max_length=150, blank=True, db_index=True)
    detail = models.CharField("詳細", max_length=200, blank=True)

    CHAIN_FIELDS = (*LogRow.CHAIN_FIELDS, "event", "username", "detail")

    class Meta(LogRow.Meta):
        verbose_name = "認証ログ"


class SettingsLog(LogRow):
    """Changes of settings, roles, permissions, masters and linked-system credentials."""

    target = models.CharField("対象", max_length=60)
    key = models.CharField("項目", max_length=100)
    before = models.JSONField("変更前", default=dict, blank=True)
    after = models.JSONField("変更後", default=dict, blank=True)

    CHAIN_FIELDS = (*LogRow.CHAIN_FIELDS, "target", "key", "before", "after")

    class Meta(LogRow.Meta):
        verbose_name = "設定変更ログ"


class AccessedPerson(models.Model):
    """Index of AccessLog.persons: answers "who looked at this resident" (開示請求) without
    scanning the log.  Written with the log row, append-only like it."""

    access = models.ForeignKey(AccessLog, on_delete=models.DO_NOTHING, related_name="accessed", db_constraint=False)
    atena_no = models.CharField("宛名番号", max_length=20)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["atena_no", "at"])]

    def __str__(self) -> str:
        return f"{self.atena_no} {self.at:%Y-%m-%d %H:%M}"


class PrintLog(LogRow):
    """印刷ログ (spec 10.2): every print, preview and file output — who, which document,
    how many pages, with or without seal, whether a 個人番号 was printed, and the 発行番号."""

    title = models.CharField("帳票名", max_length=100)
    document = models.CharField("対象（異動番号・発行番号など）", max_length=60, blank=True)
    mode = models.CharField("出力の種類", max_length=10)  # print, preview, file
    printer = models.CharField("プリンタ", max_length=60, blank=True)
    pages = models.PositiveIntegerField("ページ数", null=True, blank=True)
    seal = models.BooleanField("公印あり", default=False)
    individual_number_printed = models.BooleanField("個人番号の印字", default=False)
    issue_no = models.CharField("発行番号", max_length=80, blank=True)
    persons = models.JSONField("対象者（宛名番号）", default=list)

    CHAIN_FIELDS = (
        *LogRow.CHAIN_FIELDS,
        "title",
        "document",
        "mode",
        "printer",
        "pages",
        "seal",
        "individual_number_printed",
        "issue_no",
        "persons",
    )

    class Meta(LogRow.Meta):
        verbose_name = "印刷ログ"


LOG_MODELS: tuple[type[LogRow], ...] = (AccessLog, OperationLog, AuthLog, SettingsLog, PrintLog)
