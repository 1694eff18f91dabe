"""The register (住民基本台帳): history rows, current projection, movements, outbox.

Standard spec 1.2.1 prescribes the model: one immutable full snapshot per change, keyed
(宛名番号, 履歴番号), with the household-common data copied into each person's row; the
current state is the highest 履歴番号.  ``Resident`` and ``Household`` are the current
projection for fast search and display, written in the same transaction as the history
rows and rebuildable from them (``jumin rebuild-projection``).

A movement (異動) is entered as 仮登録 (``Movement.State.PROVISIONAL``) with the proposed
snapshots in ``MovementItem``; nothing of it is visible outside the movement until a
different operator approves it (本登録), which writes the history rows, the projection
and the outbox rows in one transaction.

docs/data-model.md maps every record item of the assessment's 住民基本台帳ファイル to a field.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from jumin.core.address import full_address
from jumin.core.movement_kind import KIND_LABELS, MOVEMENT_KIND_CHOICES
from jumin.core.reasons import REASONS


class Sex(models.TextChoices):
    MALE = "1", "男"
    FEMALE = "2", "女"


class NationalityKind(models.TextChoices):
    JAPANESE = "japanese", "日本人住民"
    FOREIGN = "foreign", "外国人住民"


class Status(models.TextChoices):
    """現存区分."""

    CURRENT = "current", "現存"
    REMOVED = "removed", "除票"


class HonsekiKind(models.TextChoices):
    ADDRESS = "address", "本籍"
    NONE = "none", "本籍なし"
    UNKNOWN = "unknown", "本籍不明"


class FuriganaStatus(models.TextChoices):
    """氏名の振り仮名 (令和7年5月26日施行) and the older フリガナ確認フラグ (1.1.18)."""

    UNCONFIRMED = "unconfirmed", "未確認"
    CONFIRMED = "confirmed", "確認済（戸籍の振り仮名）"
    NOT_RECORDED = "not_recorded", "記載対象外（外国人住民）"


class ResidenceCategory(models.TextChoices):
    """法第30条の45 の区分."""

    MID_LONG_TERM = "mid_long_term", "中長期在留者"
    SPECIAL_PERMANENT = "special_permanent", "特別永住者"
    TEMPORARY_REFUGE = "temporary_refuge", "一時庇護許可者"
    PROVISIONAL_STAY = "provisional_stay", "仮滞在許可者"
    TRANSITIONAL_BIRTH = "transitional_birth", "出生による経過滞在者"
    TRANSITIONAL_LOSS = "transitional_loss", "国籍喪失による経過滞在者"


class Initiation(models.TextChoices):
    """届出区分: who started the movement."""

    NOTIFICATION = "notification", "届出"
    EX_OFFICIO = "ex_officio", "職権"
    REQUEST = "request", "申出による職権"


class PersonRecord(models.Model):
    """Every item of one person's 住民票 at one moment (spec 1.1.1, 1.1.2, 法7条, 法30条の45).

    Uncertain dates (spec 1.1.8) are two columns: ``*_text`` keeps what is written (parseable
    by jumin.core.uncertain_date) and ``*_sort`` the internal date for sorting and ranges."""

    atena_no = models.CharField("宛名番号", max_length=20)
    household_no = models.CharField("世帯番号", max_length=20)
    status = models.CharField("現存区分", max_length=10, choices=Status.choices, default=Status.CURRENT)
    nationality_kind = models.CharField("住民種別", max_length=10, choices=NationalityKind.choices)

    # 氏名 (法7条1号) and its readings
    surname = models.CharField("氏", max_length=100, blank=True)
    given_name = models.CharField("名", max_length=100, blank=True)
    furigana_surname = models.CharField("氏の振り仮名", max_length=100, blank=True)
    furigana_given_name = models.CharField("名の振り仮名", max_length=100, blank=True)
    furigana_status = models.CharField(
        "振り仮名の状態", max_length=15, choices=FuriganaStatus.choices, default=FuriganaStatus.UNCONFIRMED
    )
    # search keys of the reading (jumin.core.kana.search_key, spec 2.1.2), derived from the
    # items above when the record is written (``registry.keys.set_search_keys``): on history
    # rows too, so that past names are found by kana through an index (2.1.3)
    name_key = models.CharField("氏名検索キー", max_length=200, blank=True)
    given_name_key = models.CharField("名検索キー", max_length=100, blank=True)
    name_alphabet = models.CharField("氏名（アルファベット）", max_length=200, blank=True)
    former_surname = models.CharField("旧氏", max_length=100, blank=True)
    former_surname_furigana = models.CharField("旧氏の振り仮名", max_length=100, blank=True)
    former_surname_furigana_status = models.CharField(
        "旧氏の振り仮名の状態", max_length=15, choices=FuriganaStatus.choices, default=FuriganaStatus.UNCONFIRMED
    )
    alias = models.CharField("通称", max_length=200, blank=True)
    alias_furigana = models.CharField("通称の振り仮名", max_length=200, blank=True)
    alias_furigana_status = models.CharField(
        "通称の振り仮名の状態", max_length=15, choices=FuriganaStatus.choices, default=FuriganaStatus.UNCONFIRMED
    )
    alias_history = models.JSONField("通称の記載・削除の履歴", default=list, blank=True)
    prefer_alias = models.BooleanField("氏名優先区分（通称）", default=False)

    # 出生の年月日 (2号), 男女の別 (3号)
    birth_text = models.CharField("生年月日", max_length=60)
    birth_sort = models.DateField("生年月日（内部日付）", null=True, blank=True)
    sex = models.CharField("性別", max_length=1, choices=Sex.choices)

    # 世帯主・続柄 (4号)
    is_head = models.BooleanField("世帯主", default=False)
    relationship = models.CharField("続柄", max_length=40)
    head_name = models.CharField("世帯主氏名", max_length=200, blank=True)
    member_order = models.PositiveIntegerField("記載順位（手動）", null=True, blank=True)
    family_of = models.CharField("家族の起点（宛名番号）", max_length=20, blank=True)

    # 戸籍の表示 (5号)
    honseki_kind = models.CharField("本籍の区分", max_length=10, choices=HonsekiKind.choices, blank=True)
    honseki = models.CharField("本籍", max_length=200, blank=True)
    koseki_head = models.CharField("筆頭者", max_length=100, blank=True)

    # 住民となった年月日 (6号), 住所・住所を定めた年月日 (7号), 届出日・従前の住所 (8号)
    became_resident_text = models.CharField("住民となった年月日", max_length=60, blank=True)
    became_resident_sort = models.DateField(null=True, blank=True)
    address_code = models.CharField("住所コード", max_length=11, blank=True)
    postcode = models.CharField("郵便番号", max_length=7, blank=True)
    address = models.CharField("住所", max_length=200)
    banchi = models.CharField("番地", max_length=60, blank=True)
    katagaki = models.CharField("方書", max_length=100, blank=True)
    address_set_text = models.CharField("住所を定めた年月日", max_length=60, blank=True)
    address_set_sort = models.DateField(null=True, blank=True)
    notified_on = models.DateField("届出年月日（職権の場合はその年月日）", null=True, blank=True)
    previous_address = models.CharField("転入前住所", max_length=200, blank=True)
    previous_address_code = models.CharField("転入前住所コード", max_length=11, blank=True)
    previous_banchi = models.CharField("転入前住所の番地", max_length=60, blank=True)
    previous_katagaki = models.CharField("転入前住所の方書", max_length=100, blank=True)
    previous_postcode = models.CharField("転入前郵便番号", max_length=7, blank=True)
    previous_address_unreported = models.BooleanField("転入前住所は未届", default=False)
    last_registered_address = models.CharField("最終登録住所地", max_length=200, blank=True)
    moved_from_address = models.CharField("異動前住所（転居前）", max_length=200, blank=True)
    moved_from_banchi = models.CharField("異動前住所の番地（転居前）", max_length=60, blank=True)
    moved_from_katagaki = models.CharField("異動前住所の方書（転居前）", max_length=100, blank=True)

    # 個人番号 (8の2号): AES-GCM ciphertext and keyed HMAC for exact look-up, never plain
    individual_number_ct = models.CharField("個人番号（暗号化）", max_length=120, blank=True)
    # indexed on the tables searched by number (Resident, ArchivedResident), not on history rows
    individual_number_lookup = models.CharField(max_length=64, blank=True)
    # 住民票コード (13号)
    resident_code = models.CharField("住民票コード", max_length=11, blank=True)

    # 個別事項 (9〜11の2号): 選挙人名簿, 国保, 後期高齢, 介護, 国民年金, 児童手当 (spec 7.2.2)
    program_items = models.JSONField("個別事項", default=dict, blank=True)

    # 外国人住民 (法30条の45)
    nationality = models.CharField("国籍・地域", max_length=60, blank=True)
    foreign_resident_since_text = models.CharField("外国人住民となった年月日", max_length=60, blank=True)
    foreign_resident_since_sort = models.DateField(null=True, blank=True)
    residence_category = models.CharField("30条の45区分", max_length=20, choices=ResidenceCategory.choices, blank=True)
    residence_status = models.CharField("在留資格", max_length=60, blank=True)
    period_of_stay = models.CharField("在留期間", max_length=30, blank=True)
    stay_expires_on = models.DateField("在留期間の満了の日", null=True, blank=True)
    residence_card_no = models.CharField("在留カード等の番号", max_length=12, blank=True)
    special_permanent_cert_no = models.CharField("特別永住者証明書の番号", max_length=12, blank=True)
    landing_period = models.CharField("上陸期間・仮滞在期間", max_length=60, blank=True)
    residence_notified = models.BooleanField("住居地届出の有無", default=False)
    landing_permit_move_in = models.BooleanField("上陸許可証による転入", default=False)
    old_registration_text = models.CharField("旧外登法による登録年月日", max_length=60, blank=True)

    # 除票 (1.1.5): 消除事由・日, 転出予定・確定
    removal_reason = models.CharField("消除事由", max_length=40, blank=True)
    removed_text = models.CharField("事由発生日（消除日）", max_length=60, blank=True)
    removed_sort = models.DateField(null=True, blank=True)
    planned_move_out_on = models.DateField("転出予定年月日", null=True, blank=True)
    destination = models.CharField("転出先（予定）", max_length=200, blank=True)
    destination_postcode = models.CharField("転出先郵便番号（予定）", max_length=7, blank=True)
    destination_code = models.CharField("転出先住所コード（予定）", max_length=11, blank=True)
    destination_banchi = models.CharField("転出先の番地（予定）", max_length=60, blank=True)
    destination_katagaki = models.CharField("転出先の方書（予定）", max_length=100, blank=True)
    confirmed_destination = models.CharField("転出先（確定）", max_length=200, blank=True)
    confirmed_destination_postcode = models.CharField("転出先郵便番号（確定）", max_length=7, blank=True)
    confirmed_destination_code = models.CharField("転出先住所コード（確定）", max_length=11, blank=True)
    confirmed_destination_banchi = models.CharField("転出先の番地（確定）", max_length=60, blank=True)
    confirmed_destination_katagaki = models.CharField("転出先の方書（確定）", max_length=100, blank=True)
    confirmed_move_out_on = models.DateField("転出年月日（確定）", null=True, blank=True)
    move_in_notice_on = models.DateField("転入通知年月日", null=True, blank=True)

    # other items of spec 1.1.1
    adult_ward = models.BooleanField("成年被後見人", default=False)
    card_status = models.JSONField("カード発行状況", default=dict, blank=True)
    signature_cert_serial = models.CharField("署名用電子証明書シリアル番号", max_length=40, blank=True)
    auth_cert_serial = models.CharField("利用者証明用電子証明書シリアル番号", max_length=40, blank=True)
    notes = models.TextField("備考（統合記載欄 C類型）", blank=True)
    rebuilt_on = models.DateField("改製日", null=True, blank=True)
    rebuild_no = models.PositiveIntegerField("改製連番", default=0)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        """氏名 as written: 「氏　名」 (full-width space), or the alphabet name."""
        if self.surname or self.given_name:
            return f"{self.surname}\u3000{self.given_name}".strip("\u3000")
        return self.name_alphabet

    @property
    def furigana(self) -> str:
        return f"{self.furigana_surname}\u3000{self.furigana_given_name}".strip("\u3000")


class ReasonCategory(models.TextChoices):
    ADD = "add", "記載"
    REMOVE = "remove", "消除"
    AMEND = "amend", "修正"


class Movement(models.Model):
    """One 異動: a transaction over one or more persons, entered by one operator (仮登録)
    and approved by another (本登録).  The approver is not stored here: recording the
    決裁者 on the record is a function the standard forbids (4.0.8 X); it is in the
    operation log."""

    class State(models.TextChoices):
        PROVISIONAL = "provisional", "仮登録"
        RETURNED = "returned", "差戻し"
        FINAL = "final", "本登録"
        DISCARDED = "discarded", "仮登録の取消"

    movement_no = models.CharField("異動番号", max_length=20, unique=True)
    kind = models.CharField("異動の種類", max_length=40, choices=MOVEMENT_KIND_CHOICES)
    reason = models.CharField("異動事由", max_length=40)
    initiation = models.CharField("届出区分", max_length=15, choices=Initiation.choices)
    state = models.CharField("状態", max_length=12, choices=State.choices, default=State.PROVISIONAL)
    effective_text = models.CharField("異動日", max_length=60, blank=True)
    effective_sort = models.DateField(null=True, blank=True)
    notified_on = models.DateField("届出日", null=True, blank=True)
    requested_on = models.DateField("申出日・請求日・通知日", null=True, blank=True)
    notifier = models.CharField("届出人", max_length=200, blank=True)
    remark = models.TextField("留意事項（統合記載欄 B類型）", blank=True)
    ex_officio_record = models.JSONField("職権記録書", default=dict, blank=True)
    cancels = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cancelled_by",
        verbose_name="取消す異動",
    )
    entered_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)
    place = models.CharField("入力場所", max_length=20, blank=True)
    terminal = models.CharField("入力端末", max_length=20, blank=True)
    finalized_at = models.DateTimeField("本登録日時", null=True, blank=True)
    processed_on = models.DateField("処理日", null=True, blank=True)
    # 差戻し: a reviewer returns the 仮登録 to the entering clerk with a comment (free text, no
    # 個人番号).  Who returned it is in the operation log only (as for the 決裁者, 4.0.8 X).
    return_comment = models.TextField("差戻しの理由", blank=True)
    returned_at = models.DateTimeField("差戻し日時", null=True, blank=True)
    replaces = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        verbose_name="修正して入力し直した元の仮登録",
    )

    class Meta:
        verbose_name = "異動"
        ordering = ["-entered_at"]
        indexes = [models.Index(fields=["state", "entered_at"])]

    def __str__(self) -> str:
        return f"{self.movement_no} {self.kind}"

    @property
    def pending(self) -> bool:
        """仮登録 waiting for review, or returned to its clerk: not yet on the record."""
        return self.state in PENDING_STATES

    @property
    def reason_label(self) -> str:
        reason = REASONS.get(self.reason)
        return reason.label if reason else self.reason

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


PENDING_STATES = (Movement.State.PROVISIONAL, Movement.State.RETURNED)
"""A movement in these states holds its persons and households: nothing else may be entered
for them until it is approved or discarded (the check at entry, ``services.enter_movement``)."""


class MovementItem(models.Model):
    """One person in a movement: the proposed snapshot (provisional data, invisible outside
    the movement) and the history row it was based on."""

    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="items")
    atena_no = models.CharField(max_length=20)
    base_history_no = models.PositiveIntegerField(null=True, blank=True)
    proposed = models.JSONField()
    history_no = models.PositiveIntegerField(null=True, blank=True)  # set at 本登録

    class Meta:
        # One item per person, except a 改製 (1.1.4): the 除票 row and the new record's row of
        # the same person, planned on consecutive 履歴番号.
        constraints = [
            models.UniqueConstraint(fields=["movement", "atena_no", "base_history_no"], name="registry_movement_item")
        ]

    def __str__(self) -> str:
        return f"{self.movement} {self.atena_no}"


class ResidentHistory(PersonRecord):
    """One immutable snapshot (spec 1.2.1).  Append-only: database triggers refuse UPDATE
    and DELETE (the 150-year retention purge opens the same gate as the audit logs)."""

    history_no = models.PositiveIntegerField("履歴番号")
    movement = models.ForeignKey(Movement, on_delete=models.PROTECT, related_name="history_rows")
    reason = models.CharField("異動事由", max_length=40)
    category = models.CharField("区分", max_length=10, choices=ReasonCategory.choices)
    initiation = models.CharField("届出区分", max_length=15, choices=Initiation.choices)
    effective_text = models.CharField("異動日", max_length=60, blank=True)
    effective_sort = models.DateField(null=True, blank=True)
    processed_on = models.DateField("処理日")
    place = models.CharField("入力場所", max_length=20, blank=True)
    terminal = models.CharField("入力端末", max_length=20, blank=True)
    remark = models.TextField("留意事項", blank=True)
    corrects_history_no = models.PositiveIntegerField("誤記修正の対象", null=True, blank=True)
    restores_history_no = models.PositiveIntegerField("取消で戻した履歴", null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "異動履歴"
        constraints = [models.UniqueConstraint(fields=["atena_no", "history_no"], name="registry_history_key")]
        indexes = [
            models.Index(fields=["household_no"]),
            # search (jumin.search): past names by kanji, by kana (the keys, 宛名番号 included so
            # that the probe reads the index only), past rows by 生年月日
            models.Index(fields=["surname", "given_name"], name="registry_history_name"),
            models.Index(
                fields=["name_key", "birth_sort"],
                opclasses=["varchar_pattern_ops", "date_ops"],
                include=["atena_no"],
                name="registry_history_kana",
            ),
            models.Index(
                fields=["given_name_key", "birth_sort"],
                opclasses=["varchar_pattern_ops", "date_ops"],
                include=["atena_no"],
                name="registry_history_gkana",
            ),
            models.Index(fields=["birth_sort"], name="registry_history_birth"),
        ]

    def __str__(self) -> str:
        return f"{self.atena_no}-{self.history_no} {self.reason}"


class Resident(PersonRecord):
    """Current projection: the latest 本登録 row of each person (除票 included)."""

    history_no = models.PositiveIntegerField("履歴番号")
    household = models.ForeignKey("Household", null=True, blank=True, on_delete=models.PROTECT, related_name="members")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "住民"
        constraints = [models.UniqueConstraint(fields=["atena_no"], name="registry_resident_atena_no")]
        # One index per need: every index is written by every 本登録 (DESIGN.md §7).  The name
        # keys use the pattern operator class so that one index answers both ``=`` and the
        # ``LIKE 'key%'`` of 前方一致 whatever the database collation (PostgreSQL); elsewhere
        # the operator class is ignored.
        indexes = [
            models.Index(
                fields=["name_key", "birth_sort"],
                opclasses=["varchar_pattern_ops", "date_ops"],
                name="registry_resident_name_birth",
            ),
            models.Index(
                fields=["given_name_key", "birth_sort"],
                opclasses=["varchar_pattern_ops", "date_ops"],
                name="registry_resident_gkey",
            ),
            models.Index(fields=["individual_number_lookup"], name="registry_resident_number"),
            models.Index(fields=["resident_code"], name="registry_resident_code"),
            models.Index(fields=["residence_card_no"], name="registry_resident_card"),
            models.Index(fields=["household_no", "status"]),
            models.Index(fields=["surname", "given_name"]),  # the 3情報 re-entry check of every 転入
            # search (jumin.search): 名のみ, 旧氏, アルファベット氏名, 生年月日 + 部分一致
            models.Index(fields=["given_name"], name="registry_resident_given"),
            models.Index(fields=["former_surname"], name="registry_resident_former"),
            models.Index(fields=["name_alphabet"], name="registry_resident_alphabet"),
            models.Index(fields=["birth_sort"], name="registry_resident_birth"),
        ]

    def __str__(self) -> str:
        return f"{self.atena_no} {self.name}"


class ArchivedHistory(PersonRecord):
    """除票DB (1.1.5, 9.3): the history rows of a person whose 除票 is older than the archive
    period (``JUMIN_REMOVED_ARCHIVE_YEARS``, 5), moved here by ``jumin archive-removed``.
    The same columns as ``ResidentHistory``; append-only by the same triggers; kept 150 years
    from the 消除 (施行令34条1項)."""

    history_no = models.PositiveIntegerField("履歴番号")
    movement = models.ForeignKey(Movement, on_delete=models.PROTECT, related_name="archived_rows")
    reason = models.CharField("異動事由", max_length=40)
    category = models.CharField("区分", max_length=10, choices=ReasonCategory.choices)
    initiation = models.CharField("届出区分", max_length=15, choices=Initiation.choices)
    effective_text = models.CharField("異動日", max_length=60, blank=True)
    effective_sort = models.DateField(null=True, blank=True)
    processed_on = models.DateField("処理日")
    place = models.CharField("入力場所", max_length=20, blank=True)
    terminal = models.CharField("入力端末", max_length=20, blank=True)
    remark = models.TextField("留意事項", blank=True)
    corrects_history_no = models.PositiveIntegerField("誤記修正の対象", null=True, blank=True)
    restores_history_no = models.PositiveIntegerField("取消で戻した履歴", null=True, blank=True)
    recorded_at = models.DateTimeField()
    archived_at = models.DateTimeField("除票DBへの移行日時", default=timezone.now)

    class Meta:
        verbose_name = "除票DB 異動履歴"
        constraints = [models.UniqueConstraint(fields=["atena_no", "history_no"], name="registry_archived_history_key")]
        indexes = [
            models.Index(fields=["surname", "given_name"], name="registry_archived_hist_name"),
            models.Index(
                fields=["name_key", "birth_sort"],
                opclasses=["varchar_pattern_ops", "date_ops"],
                include=["atena_no"],
                name="registry_archived_hist_kana",
            ),
            models.Index(
                fields=["given_name_key", "birth_sort"],
                opclasses=["varchar_pattern_ops", "date_ops"],
                include=["atena_no"],
                name="registry_archived_hist_gkana",
            ),
            models.Index(fields=["birth_sort"], name="registry_archived_hist_birth"),
        ]

    def __str__(self) -> str:
        return f"{self.atena_no}-{self.history_no} {self.reason}"


class ArchivedResident(PersonRecord):
    """除票DB: the last row of an archived person (the 除票 itself), like ``Resident`` is
    for the main tables.  One look-up by 宛名番号 covers both (``queries.find_person``)."""

    history_no = models.PositiveIntegerField("履歴番号")
    name_key = models.CharField("氏名検索キー", max_length=200, blank=True, db_index=True)
    given_name_key = models.CharField("名検索キー", max_length=100, blank=True, db_index=True)
    updated_at = models.DateTimeField()
    archived_at = models.DateTimeField("除票DBへの移行日時", default=timezone.now)

    class Meta:
        verbose_name = "除票DB 住民"
        constraints = [models.UniqueConstraint(fields=["atena_no"], name="registry_archived_resident_atena_no")]
        indexes = [
            models.Index(fields=["name_key", "birth_sort"], name="registry_archived_name"),
            models.Index(fields=["surname", "given_name"], name="registry_archived_kanji"),
            models.Index(fields=["individual_number_lookup"], name="registry_archived_number"),
            models.Index(fields=["resident_code"], name="registry_archived_code"),
            models.Index(fields=["residence_card_no"], name="registry_archived_card"),
        ]

    def __str__(self) -> str:
        return f"{self.atena_no} {self.name}"


class Household(models.Model):
    """Current projection of a household (世帯).  ``head_atena_no`` empty = 世帯主不在 (1.1.10)."""

    household_no = models.CharField("世帯番号", max_length=20, unique=True)
    head_atena_no = models.CharField("世帯主の宛名番号", max_length=20, blank=True)
    head_name = models.CharField("世帯主氏名", max_length=200, blank=True)
    address = models.CharField("住所", max_length=200)
    address_code = models.CharField("住所コード", max_length=11, blank=True)
    postcode = models.CharField("郵便番号", max_length=7, blank=True)
    banchi = models.CharField("番地", max_length=60, blank=True)
    katagaki = models.CharField("方書", max_length=100, blank=True)
    is_active = models.BooleanField("現存", default=True)

    class Meta:
        verbose_name = "世帯"

    def __str__(self) -> str:
        return f"{self.household_no} {self.head_name}"

    @property
    def full_address(self) -> str:
        """住所+番地, a full-width space, the 方書."""
        return full_address(self.address, self.banchi, self.katagaki)


class HouseholdOrder(models.Model):
    """記載順位 set by hand (5.2: the order may be overridden and is kept; newcomers are
    appended).  Not a 住民票 記載事項 — the order a 世帯連記式 copy and the household screen list
    the members in — so it is kept beside the register, not in the history rows; every change
    is in the operation log (``registry.member_order``).  A household without a row uses the
    computed order of 5.2 (``jumin.core.relationship.household_order``)."""

    household_no = models.CharField("世帯番号", max_length=20, unique=True)
    atena_nos = models.JSONField("記載順位（宛名番号の並び）", default=list)
    set_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField("設定日時", default=timezone.now)

    class Meta:
        verbose_name = "記載順位（手動）"

    def __str__(self) -> str:
        return f"{self.household_no}: {len(self.atena_nos)}"


class NumberSequence(models.Model):
    """Serial numbers for 宛名番号, 世帯番号 and 異動番号 (never reused)."""

    name = models.CharField(max_length=30, primary_key=True)
    last = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.last}"


class EditLease(models.Model):
    """Exclusive editing (spec 10.3): while one operator edits a resident or household,
    others can only view.  Leases expire by themselves."""

    key = models.CharField(max_length=40, primary_key=True)  # "resident:<atena_no>" / "household:<no>"
    holder = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    movement = models.ForeignKey(Movement, null=True, blank=True, on_delete=models.CASCADE, related_name="leases")
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key} {self.holder_id} {self.expires_at:%H:%M}"


class Memo(models.Model):
    """メモ (1.1.15): free text per person with author and time; changes add versions; never
    printed on certificates."""

    atena_no = models.CharField(max_length=20, db_index=True)
    text = models.TextField()
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    deleted = models.BooleanField(default=False)

    class Meta:
        ordering = ["-written_at"]

    def __str__(self) -> str:
        return f"{self.atena_no} {self.written_at:%Y-%m-%d}"


class SpareResidentCode(models.Model):
    """The stock of spare 住民票コード received from CS (4.3.1); assigned at random."""

    code = models.CharField(max_length=11, unique=True)
    received_at = models.DateTimeField(default=timezone.now)
    assigned_to = models.CharField(max_length=20, blank=True)

    def __str__(self) -> str:
        return self.code


# The snapshot: every field of PersonRecord (what a history row and the projection share).
SEARCH_KEY_FIELDS = ("name_key", "given_name_key")
"""Derived from the reading when a record is written (registry.keys); not record items."""

PERSON_FIELDS: tuple[str, ...] = tuple(
    f.name
    for f in ResidentHistory._meta.concrete_fields
    if f.name in {g.name for g in Resident._meta.concrete_fields}
    and f.name not in {"id", "history_no", *SEARCH_KEY_FIELDS}
)
