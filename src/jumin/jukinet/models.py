"""市町村CS: the 本人確認情報 file and the outbound telegrams to the prefecture server.

``IdentityRecord`` is the assessment's file (2) 本人確認情報ファイル (seed-pia-ageo.txt, system 2).
One row per notified change: a new notification for a person closes the previous row
(``superseded_at``, the 修正前 row) and adds a new current one; nothing is overwritten, so
the 150-year retention of 施行令34条2項 (from the next notification, or from the 消除) can be
computed from the rows (the purge job comes later).  Rows are built ONLY from 本登録 history
rows (``registry.ResidentHistory``), through the registry outbox; provisional data never
reaches them.

The 40 items of the assessment and where each one lives:

==  ==========================  ==========================================================
 1  住民票コード                 ``resident_code``
 2  漢字氏名                     ``name`` (氏名; the アルファベット氏名 when there is no kanji name)
 3  外字数(氏名)                 ``name_gaiji_count`` (characters outside JIS X 0208)
 4  ふりがな氏名                 ``furigana``
 5  清音化かな氏名               ``seion_kana`` (jumin.core.kana.search_key of the ふりがな)
 6  生年月日                     ``birth_text`` / ``birth_sort``
 7  性別                         ``sex``
 8  市町村コード                 ``municipality_code`` (JUMIN_MUNICIPALITY lg_code)
 9  大字・字コード               ``aza_code`` (the 住所コード of the address dictionary)
10  郵便番号                     ``postcode``
11  住所                         ``address`` (住所 + 番地; 方書 is not a 本人確認情報 item)
12  外字数(住所)                 ``address_gaiji_count``
13  個人番号                     ``individual_number_ct`` + ``individual_number_lookup`` (sealed)
14  住民となった日               ``became_resident_text``
15  住所を定めた日               ``address_set_text``
16  届出の年月日                 ``notified_on``
17  市町村コード(転入前)         ``previous_municipality_code``
18  転入前住所                   ``previous_address``
19  外字数(転入前住所)           ``previous_address_gaiji_count``
20  続柄                         ``relationship``
21  異動事由                     ``reason`` (jumin.core.reasons code)
22  異動年月日                   ``effective_text`` / ``effective_sort``
23  異動事由詳細                 ``reason_detail`` (区分 記載/消除/修正 and 届出/職権)
24  旧住民票コード               ``former_resident_code`` (when the code changed)
25  住民票コード使用年月日       ``resident_code_used_on``
26  依頼管理番号                 ``request_no`` (the idempotency key of the telegram)
27  操作者ID                     ``operator_id`` (who entered the movement)
28  操作端末ID                   ``terminal_id``
29  更新順番号                   ``update_seq`` (= ``Telegram.seq``)
30  異常時更新順番号             ``error_update_seq`` (the refused 更新順番号 a 「異動事由を変更しての再送」 replaces)
31  更新禁止フラグ               ``update_prohibited``
32  予定者フラグ                 ``planned`` (転出予定: the 転出届 was accepted, not yet removed)
33  排他フラグ                   ``exclusive``
34  外字フラグ                   ``has_gaiji``
35  レコード状況フラグ           ``record_status`` (現存 / 消除) with ``superseded_at`` (修正前)
36  タイムスタンプ               ``recorded_at``
37  旧氏 漢字                    ``former_surname``
38  旧氏 外字数                  ``former_surname_gaiji_count``
39  旧氏 ふりがな                ``former_surname_furigana``
40  旧氏 外字変更連番            ``former_surname_gaiji_change_no``
==  ==========================  ==========================================================

Also kept (法30条の45 and the record's source): ``nationality_kind``, ``alias`` (通称),
``foreign_resident_since_text`` (外国人住民となった日), ``atena_no`` / ``history_no``.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from jumin.linkage.models import DeliveryState


class RecordStatus(models.TextChoices):
    CURRENT = "current", "現存"
    REMOVED = "removed", "消除"


class IdentityRecord(models.Model):
    """One notified state of one person's 本人確認情報 (see the module docstring)."""

    atena_no = models.CharField("宛名番号", max_length=20)
    history_no = models.PositiveIntegerField("履歴番号（通知の元）")
    nationality_kind = models.CharField("住民種別", max_length=10)

    resident_code = models.CharField("住民票コード", max_length=11, db_index=True)
    name = models.CharField("漢字氏名", max_length=200)
    name_gaiji_count = models.PositiveSmallIntegerField("外字数（氏名）", default=0)
    furigana = models.CharField("ふりがな氏名", max_length=200, blank=True)
    seion_kana = models.CharField("清音化かな氏名", max_length=200, blank=True)
    birth_text = models.CharField("生年月日", max_length=60)
    birth_sort = models.DateField(null=True, blank=True)
    sex = models.CharField("性別", max_length=1)
    municipality_code = models.CharField("市町村コード", max_length=6)
    aza_code = models.CharField("大字・字コード", max_length=11, blank=True)
    postcode = models.CharField("郵便番号", max_length=7, blank=True)
    address = models.CharField("住所", max_length=260)
    address_gaiji_count = models.PositiveSmallIntegerField("外字数（住所）", default=0)
    individual_number_ct = models.CharField("個人番号（暗号化）", max_length=120, blank=True)
    individual_number_lookup = models.CharField(max_length=64, blank=True, db_index=True)
    became_resident_text = models.CharField("住民となった日", max_length=60, blank=True)
    address_set_text = models.CharField("住所を定めた日", max_length=60, blank=True)
    notified_on = models.DateField("届出の年月日", null=True, blank=True)
    previous_municipality_code = models.CharField("市町村コード（転入前）", max_length=6, blank=True)
    previous_address = models.CharField("転入前住所", max_length=200, blank=True)
    previous_address_gaiji_count = models.PositiveSmallIntegerField("外字数（転入前住所）", default=0)
    relationship = models.CharField("続柄", max_length=40, blank=True)
    reason = models.CharField("異動事由", max_length=40)
    effective_text = models.CharField("異動年月日", max_length=60, blank=True)
    effective_sort = models.DateField(null=True, blank=True)
    reason_detail = models.CharField("異動事由詳細", max_length=40, blank=True)
    former_resident_code = models.CharField("旧住民票コード", max_length=11, blank=True)
    resident_code_used_on = models.DateField("住民票コード使用年月日", null=True, blank=True)
    request_no = models.CharField("依頼管理番号", max_length=100)
    operator_id = models.CharField("操作者ID", max_length=150, blank=True)
    terminal_id = models.CharField("操作端末ID", max_length=20, blank=True)
    update_seq = models.BigIntegerField("更新順番号")
    error_update_seq = models.BigIntegerField("異常時更新順番号", null=True, blank=True)
    update_prohibited = models.BooleanField("更新禁止フラグ", default=False)
    planned = models.BooleanField("予定者フラグ", default=False)
    exclusive = models.BooleanField("排他フラグ", default=False)
    has_gaiji = models.BooleanField("外字フラグ", default=False)
    record_status = models.CharField("レコード状況フラグ", max_length=10, choices=RecordStatus.choices)
    recorded_at = models.DateTimeField("タイムスタンプ", default=timezone.now)
    former_surname = models.CharField("旧氏 漢字", max_length=100, blank=True)
    former_surname_gaiji_count = models.PositiveSmallIntegerField("旧氏 外字数", default=0)
    former_surname_furigana = models.CharField("旧氏 ふりがな", max_length=100, blank=True)
    former_surname_gaiji_change_no = models.PositiveIntegerField("旧氏 外字変更連番", default=0)

    alias = models.CharField("通称", max_length=200, blank=True)
    foreign_resident_since_text = models.CharField("外国人住民となった日", max_length=60, blank=True)

    superseded_at = models.DateTimeField("修正前となった日時", null=True, blank=True)
    # 整合性確認用ダイジェスト "<key id>:<SHA-256 hex>" (jumin.jukinet.reconciliation), computed when
    # the record is written: a record never changes, so the reconciliation only reads it.
    digest = models.CharField("整合性確認用ダイジェスト", max_length=80, blank=True, default="")

    class Meta:
        verbose_name = "本人確認情報"
        constraints = [
            models.UniqueConstraint(fields=["atena_no", "history_no"], name="jukinet_identity_source"),
            models.UniqueConstraint(fields=["update_seq"], name="jukinet_identity_update_seq"),
        ]
        indexes = [
            models.Index(fields=["atena_no", "superseded_at"], name="jukinet_identity_current"),
            # the reconciliation's ordered read of the current records (index-only on PostgreSQL)
            models.Index(
                fields=["resident_code"],
                include=["digest"],
                condition=models.Q(superseded_at__isnull=True),
                name="jukinet_identity_reconcile",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.atena_no}-{self.history_no} #{self.update_seq}"


class Telegram(DeliveryState):
    """An outbound telegram (電文) of 市町村CS, delivered in ``seq`` order per destination.

    ``body`` is the JSON sent, WITHOUT the 個人番号: the dispatcher adds it at send time from
    the sealed column of the ``IdentityRecord``, so no plain number is ever stored."""

    class Destination(models.TextChoices):
        """The fixed destinations; a 転入通知 goes to ``municipality:<団体コード>`` (MUNICIPALITY)."""

        PREFECTURE = "prefecture", "都道府県サーバ"

    MUNICIPALITY = "municipality:"

    class Kind(models.TextChoices):
        IDENTITY_UPDATE = "identity_update", "本人確認情報更新"
        MOVE_IN_NOTICE = "move_in_notice", "転入通知"
        MOVE_OUT_CERTIFICATE = "move_out_certificate", "転出証明書情報"

    class State(models.TextChoices):
        """DeliveryState's states plus ``superseded``: a telegram the prefecture refused and that
        an operator replaced by a re-send with another 異動事由 (7.1.1.1); never sent again."""

        PENDING = "pending", "未送信"
        SENT = "sent", "送信済"
        FAILED = "failed", "送信エラー"
        SUPERSEDED = "superseded", "再送により置換"

    state = models.CharField("状態", max_length=10, choices=State.choices, default=State.PENDING)
    destination = models.CharField("送信先", max_length=40)
    seq = models.BigIntegerField("更新順番号")
    # 「異動事由を変更しての再送」 (7.1.1.1): the refused telegram this one replaces (its 更新順番号 is
    # item 30 異常時更新順番号), and the place in the queue it takes (the first replaced 更新順番号)
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,  # deleted only together with its replacement (the 150-year purge)
        related_name="replacement",
        verbose_name="置き換えた電文",
    )
    slot = models.BigIntegerField("送信順の位置", null=True, blank=True)
    idempotency_key = models.CharField(max_length=100, unique=True)
    kind = models.CharField("電文種別", max_length=30, choices=Kind.choices)
    identity = models.ForeignKey(
        IdentityRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="telegrams"
    )
    body = models.JSONField("電文（個人番号を除く）")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "送信電文"
        constraints = [models.UniqueConstraint(fields=["destination", "seq"], name="jukinet_telegram_order")]
        indexes = [models.Index(fields=["destination", "state", "seq"], name="jukinet_telegram_queue")]

    def __str__(self) -> str:
        return f"{self.destination}#{self.seq} {self.kind}"

    def mark_failed(self, code: str, next_attempt_at: datetime) -> None:
        """As DeliveryState's, but a telegram an operator superseded while it was on the wire
        stays superseded (the re-send holds the row lock; the dispatcher does not)."""
        if Telegram.objects.filter(pk=self.pk, state=self.State.SUPERSEDED).exists():
            self.state = self.State.SUPERSEDED
            return
        super().mark_failed(code, next_attempt_at)

    @property
    def position(self) -> int:
        """Where the telegram goes in its queue: a replacement takes the refused one's place."""
        return self.slot if self.slot is not None else self.seq


class ReceivedMoveInNotice(models.Model):
    """A 転入通知 (法9条1項) received from another municipality (4.1.3.1.2), kept once per
    ``notice_id`` (a re-delivery is recognised), with what became of it: entered as a 仮登録 that
    waits for a second person's check (``queued``, linked by ``movement``), recorded on the 除票
    once that is approved (``applied``, with the history row it wrote), or left for the staff
    (取込エラー一覧: ``unmatched`` / ``invalid``; a discarded 仮登録 returns it there)."""

    class State(models.TextChoices):
        QUEUED = "queued", "審査待ち"
        APPLIED = "applied", "反映済"
        UNMATCHED = "unmatched", "該当者なし"
        INVALID = "invalid", "形式誤り"

    notice_id = models.CharField("通知番号", max_length=100, unique=True)
    sender_code = models.CharField("通知元市町村コード", max_length=6, blank=True)
    received_at = models.DateTimeField("受信日時", default=timezone.now)
    state = models.CharField("状態", max_length=10, choices=State.choices)
    error_code = models.CharField("エラー", max_length=60, blank=True)
    atena_no = models.CharField("宛名番号", max_length=20, blank=True)
    history_no = models.PositiveIntegerField("記録した履歴番号", null=True, blank=True)
    movement = models.ForeignKey(
        "registry.Movement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="記録する異動（仮登録）",
    )
    payload = models.JSONField("通知の内容")

    class Meta:
        verbose_name = "受信した転入通知"
        indexes = [models.Index(fields=["state", "received_at"], name="jukinet_notice_state")]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.state}"


class ReceivedMoveOutCertificate(models.Model):
    """A 転出証明書情報 (法24条の2, 特例転出) received from the former municipality through CS,
    kept for the 特例転入 of one person (spec 4.1.1.3).

    ``pending`` until a 転入 made from it is 本登録 (``used``, linked by ``movement``), or until
    the purge (``purge_move_out_certificates``) erases it: the row then stays as a tombstone
    (``deleted``: the id, the sender and the dates, no personal item) so a re-delivery of the
    same certificate is recognised and not taken in again.  The 個人番号 is sealed with the
    registry's AES-GCM key (additional data: ``certificate_id``); ``payload`` holds the other
    items as received, without it."""

    class State(models.TextChoices):
        PENDING = "pending", "転入待ち"
        USED = "used", "転入済"
        DELETED = "deleted", "消去済"

    certificate_id = models.CharField("転出証明書情報の番号", max_length=100, unique=True)
    sender_code = models.CharField("転出地市町村コード", max_length=6)
    sender_name = models.CharField("転出地市町村", max_length=60, blank=True)
    group_key = models.CharField("一緒に転出する世帯員の組", max_length=120, blank=True)
    state = models.CharField("状態", max_length=10, choices=State.choices, default=State.PENDING)
    received_at = models.DateTimeField("受信日時", default=timezone.now)
    planned_move_out_on = models.DateField("転出予定年月日", null=True, blank=True)
    resident_code = models.CharField("住民票コード", max_length=11, blank=True, db_index=True)
    name = models.CharField("氏名", max_length=200, blank=True)
    furigana = models.CharField("ふりがな", max_length=200, blank=True)
    birth_text = models.CharField("生年月日", max_length=60, blank=True)
    sex = models.CharField("性別", max_length=1, blank=True)
    destination = models.CharField("転出先", max_length=200, blank=True)
    individual_number_ct = models.CharField("個人番号（暗号化）", max_length=120, blank=True)
    individual_number_lookup = models.CharField(max_length=64, blank=True)
    payload = models.JSONField("転出証明書情報（個人番号を除く）", default=dict)
    movement = models.ForeignKey(
        "registry.Movement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="特例転入の異動",
    )
    used_at = models.DateTimeField("転入（本登録）日時", null=True, blank=True)
    deleted_at = models.DateTimeField("消去日時", null=True, blank=True)

    class Meta:
        verbose_name = "受信した転出証明書情報"
        indexes = [models.Index(fields=["state", "planned_move_out_on"], name="jukinet_certificate_state")]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.state}"


# The items of the telegram body, in this order (docs/jukinet.md); 個人番号 is added at send time.
BODY_FIELDS: tuple[str, ...] = (
    "resident_code",
    "name",
    "name_gaiji_count",
    "furigana",
    "seion_kana",
    "birth_text",
    "sex",
    "municipality_code",
    "aza_code",
    "postcode",
    "address",
    "address_gaiji_count",
    "became_resident_text",
    "address_set_text",
    "notified_on",
    "previous_municipality_code",
    "previous_address",
    "previous_address_gaiji_count",
    "relationship",
    "reason",
    "effective_text",
    "reason_detail",
    "former_resident_code",
    "resident_code_used_on",
    "request_no",
    "operator_id",
    "terminal_id",
    "update_seq",
    "update_prohibited",
    "planned",
    "exclusive",
    "has_gaiji",
    "record_status",
    "recorded_at",
    "former_surname",
    "former_surname_gaiji_count",
    "former_surname_furigana",
    "former_surname_gaiji_change_no",
    "nationality_kind",
    "alias",
    "foreign_resident_since_text",
)


class WideAreaExchange(models.Model):
    """広域交付 (住基法12条の4): one request over 住基ネット, sent (we are the 交付地) or received
    (we are the 住所地) — the 広域交付 送信/受信一覧表 of spec 7.1.1.1.  No 個人番号 or 住民票コード:
    the persons are named by our 宛名番号 (received) or not at all (sent: not our residents)."""

    class Direction(models.TextChoices):
        SENT = "sent", "送信（交付地）"
        RECEIVED = "received", "受信（住所地）"

    class Outcome(models.TextChoices):
        ANSWERED = "answered", "回答・交付"
        REFUSED = "refused", "交付不可"

    direction = models.CharField("送受信", max_length=10, choices=Direction.choices)
    request_id = models.CharField("請求番号", max_length=60)
    counterpart_code = models.CharField("相手市町村コード", max_length=6)
    counterpart_name = models.CharField("相手市町村", max_length=60, blank=True)
    at = models.DateTimeField("日時", default=timezone.now, db_index=True)
    layout = models.CharField("様式", max_length=20)
    items = models.JSONField("記載を請求した事項", default=list)
    copies = models.PositiveSmallIntegerField("通数", default=1)
    outcome = models.CharField("結果", max_length=10, choices=Outcome.choices)
    reason_code = models.CharField("理由コード", max_length=10, blank=True)
    persons = models.JSONField("対象者（宛名番号・住所地のみ）", default=list)
    issue_nos = models.JSONField("発行番号（交付地のみ）", default=list)
    fee = models.PositiveIntegerField("手数料（円）", default=0)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    client = models.CharField("連携システム", max_length=60, blank=True)

    class Meta:
        verbose_name = "広域交付"
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["direction", "counterpart_code", "request_id"], name="jukinet_wide_area_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.counterpart_code} {self.request_id}"
