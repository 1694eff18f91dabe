"""閲覧台帳 (住基法11条・11条の2): the 閲覧申出, its 閲覧者 and each 閲覧 that took place.

* ``InspectionRequest`` — one 申出 (11条の2) or 請求 (11条): who asks (a 国・地方公共団体の機関,
  an individual or a corporation), the legal purpose category and the purpose in words, the
  summary that is published (利用目的の概要), the 町字 asked for, the period, the handling
  promise (誓約: 目的外利用・第三者提供をしない, 管理の方法), the decision (承認/不承認, with a
  reason, by an operator other than the one who received it) and the seed of its list.
* ``Inspector`` — a 閲覧者 named in the 申出, with the identity document seen (省令第2条).
* ``InspectionVisit`` — one 閲覧の実施: the day, which 町字 were read, how many persons, who
  read.  The yearly 公表 is built from these rows.

Requests and visits are changed only by :mod:`jumin.inspection.services` (one transaction,
operation-logged)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Basis(models.TextChoices):
    STATE = "art11", "法第11条（国又は地方公共団体の機関の請求）"
    PRIVATE = "art11_2", "法第11条の2（個人又は法人の申出）"


class RequesterKind(models.TextChoices):
    AGENCY = "agency", "国又は地方公共団体の機関"
    INDIVIDUAL = "individual", "個人"
    CORPORATION = "corporation", "法人"


class Purpose(models.TextChoices):
    """法11条1項 (国等) and 11条の2第1項1〜3号 (個人・法人)."""

    STATUTORY = "statutory", "法令で定める事務の遂行（法第11条第1項）"
    CRIMINAL = "criminal", "犯罪捜査等（法第11条第2項ただし書の事務）"
    SURVEY = "survey", "統計調査・世論調査・学術研究その他の調査研究で公益性が高いもの（法第11条の2第1項第1号）"
    WELFARE = "welfare", "公共的団体が行う地域住民の福祉の向上に寄与する活動で公益性が高いもの（同項第2号）"
    NON_COMMERCIAL = "non_commercial", "営業以外の目的で行う居住関係の確認として市町村長が定めるもの（同項第3号）"


PURPOSES_BY_BASIS = {
    Basis.STATE: (Purpose.STATUTORY, Purpose.CRIMINAL),
    Basis.PRIVATE: (Purpose.SURVEY, Purpose.WELFARE, Purpose.NON_COMMERCIAL),
}


class IdDocument(models.TextChoices):
    MY_NUMBER_CARD = "my_number_card", "個人番号カード"
    DRIVER_LICENSE = "driver_license", "運転免許証"
    PASSPORT = "passport", "旅券"
    RESIDENCE_CARD = "residence_card", "在留カード・特別永住者証明書"
    STAFF_ID = "staff_id", "職員の身分を示す証明書"
    OTHER = "other", "その他（省令第2条の書類）"


class InspectionRequest(models.Model):
    class State(models.TextChoices):
        RECEIVED = "received", "受付済（審査待ち）"
        APPROVED = "approved", "承認"
        REFUSED = "refused", "不承認"
        COMPLETED = "completed", "閲覧終了"

    request_no = models.CharField("申出番号", max_length=20, unique=True)
    basis = models.CharField("根拠", max_length=10, choices=Basis.choices)
    requester_kind = models.CharField("申出者の区分", max_length=15, choices=RequesterKind.choices)
    requester_name = models.CharField("申出者の氏名・名称", max_length=200)
    requester_representative = models.CharField("代表者・請求の任に当たる者", max_length=200, blank=True)
    requester_address = models.CharField("申出者の住所・所在地", max_length=300)
    requester_contact = models.CharField("連絡先", max_length=100, blank=True)
    purpose_category = models.CharField("目的の区分", max_length=20, choices=Purpose.choices)
    purpose = models.TextField("利用目的")
    purpose_summary = models.CharField("利用目的の概要（公表する）", max_length=200)
    oaza_codes = models.JSONField("閲覧する町字（大字コード）", default=list)
    requested_on = models.DateField("申出日")
    period_start = models.DateField("閲覧期間（開始）")
    period_end = models.DateField("閲覧期間（終了）")
    pledged = models.BooleanField("閲覧事項の取扱いの誓約", default=False)
    handling = models.TextField("閲覧事項の管理の方法・廃棄の方法", blank=True)
    state = models.CharField("状態", max_length=12, choices=State.choices, default=State.RECEIVED)
    received_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField("受付日時", default=timezone.now)
    decided_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    decided_at = models.DateTimeField("審査日時", null=True, blank=True)
    decision_reason = models.TextField("審査の理由", blank=True)
    list_order = models.CharField("閲覧用リストの並び順", max_length=10, default="random")
    list_seed = models.CharField("閲覧用リストの乱数の種", max_length=32, blank=True)

    class Meta:
        verbose_name = "閲覧申出"
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["state", "period_end"])]

    def __str__(self) -> str:
        return self.request_no

    @property
    def summary_name(self) -> str:
        """The name that is published: 法人はその名称と代表者 (11条の2第12項)."""
        if self.requester_kind == RequesterKind.CORPORATION and self.requester_representative:
            return f"{self.requester_name}（代表者 {self.requester_representative}）"
        return self.requester_name


class Inspector(models.Model):
    request = models.ForeignKey(InspectionRequest, on_delete=models.CASCADE, related_name="inspectors")
    position = models.PositiveSmallIntegerField("順")
    name = models.CharField("閲覧者の氏名", max_length=100)
    address = models.CharField("閲覧者の住所", max_length=300, blank=True)
    id_document = models.CharField("本人確認書類", max_length=20, choices=IdDocument.choices)

    class Meta:
        verbose_name = "閲覧者"
        ordering = ["request", "position"]
        constraints = [models.UniqueConstraint(fields=["request", "position"], name="inspector_position_unique")]

    def __str__(self) -> str:
        return self.name


class InspectionVisit(models.Model):
    request = models.ForeignKey(InspectionRequest, on_delete=models.PROTECT, related_name="visits")
    inspected_on = models.DateField("閲覧の年月日")
    oaza_codes = models.JSONField("閲覧した町字（大字コード）", default=list)
    town_names = models.JSONField("閲覧した町字の名称", default=list)
    persons = models.PositiveIntegerField("閲覧した人数")
    inspectors = models.JSONField("閲覧した者（閲覧者の氏名）", default=list)
    identity_checked = models.BooleanField("閲覧者の本人確認をした", default=False)
    note = models.TextField("備考", blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("記録日時", default=timezone.now)

    class Meta:
        verbose_name = "閲覧の実施"
        ordering = ["inspected_on", "id"]
        indexes = [models.Index(fields=["inspected_on"])]

    def __str__(self) -> str:
        return f"{self.request.request_no} {self.inspected_on}"
