"""Pure pieces of the statistics (assessment function 11, spec 9.x): ages, age bands, the rows
of the 異動集計表 and the layout of the annual 住民基本台帳に基づく人口、人口動態及び世帯数調査.

A :class:`Table` is what every output (screen, CSV, xlsx, PDF, JSON) is made from: a title,
the column labels and the body rows (a label and integers)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from jumin.core.reasons import REASONS, Category, Reason

JAPANESE = "japanese"
FOREIGN = "foreign"
MALE = "1"
FEMALE = "2"
KINDS = (JAPANESE, FOREIGN)
SEXES = (MALE, FEMALE)
KIND_LABELS = {JAPANESE: "日本人住民", FOREIGN: "外国人住民"}
SEX_LABELS = {MALE: "男", FEMALE: "女"}
UNKNOWN_AGE = -1  # 生年月日 wholly unknown (不詳): counted in the totals, shown as 「年齢不詳」
OLDEST_BAND = 100  # the survey's last band: 100歳以上

# Reasons that are no 異動 of the register: the 除票's 転入通知 items (statistics leave it out).
NOT_COUNTED = frozenset({"move_in_notice"})
CATEGORY_LABELS = {Category.ADD: "記載（増）", Category.REMOVE: "消除（減）", Category.AMEND: "修正"}


def age_on(birth: date, day: date) -> int:
    """Full years on ``day`` (年齢計算ニ関スル法律: a year is complete at the end of the day
    before the birthday, so one is a year older from the birthday itself; a 2月29日 birth in a
    common year from 3月1日)."""
    years = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
    return max(years, 0)


def band_of(age: int) -> int:
    """The lower bound of the 5歳階級 (0, 5, …, 95) or 100 for 100歳以上; -1 stays 不詳."""
    if age < 0:
        return UNKNOWN_AGE
    return min(age - age % 5, OLDEST_BAND)


def band_label(band: int) -> str:
    if band == UNKNOWN_AGE:
        return "年齢不詳"
    if band >= OLDEST_BAND:
        return f"{OLDEST_BAND}歳以上"
    return f"{band}〜{band + 4}歳"


def age_label(age: int) -> str:
    return "年齢不詳" if age == UNKNOWN_AGE else f"{age}歳"


def counted_reasons() -> list[Reason]:
    """The rows of the 異動集計表: every 異動事由 in the order of the table, by category."""
    order = (Category.ADD, Category.REMOVE, Category.AMEND)
    return sorted(
        (r for r in REASONS.values() if r.code not in NOT_COUNTED),
        key=lambda r: (order.index(r.category), list(REASONS).index(r.code)),
    )


Key = tuple[str, str]  # (nationality_kind, sex)


@dataclass
class Cells:
    """Counts by 日本人/外国人 × 男/女."""

    counts: dict[Key, int] = field(default_factory=dict)

    def add(self, kind: str, sex: str, number: int = 1) -> None:
        self.counts[(kind, sex)] = self.counts.get((kind, sex), 0) + number

    def get(self, kind: str, sex: str) -> int:
        return self.counts.get((kind, sex), 0)

    def kind_total(self, kind: str) -> int:
        return sum(self.get(kind, sex) for sex in SEXES)

    def sex_total(self, sex: str) -> int:
        return sum(self.get(kind, sex) for kind in KINDS)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def row(self) -> list[int]:
        """日本人 男・女・計, 外国人 男・女・計, 合計 男・女・計."""
        values: list[int] = []
        for kind in KINDS:
            values += [self.get(kind, MALE), self.get(kind, FEMALE), self.kind_total(kind)]
        return [*values, self.sex_total(MALE), self.sex_total(FEMALE), self.total]

    def merged(self, other: Cells) -> Cells:
        result = Cells(dict(self.counts))
        for (kind, sex), number in other.counts.items():
            result.add(kind, sex, number)
        return result


CELL_COLUMNS = (
    "日本人 男",
    "日本人 女",
    "日本人 計",
    "外国人 男",
    "外国人 女",
    "外国人 計",
    "合計 男",
    "合計 女",
    "合計",
)


@dataclass(frozen=True)
class Table:
    """One printable table: every output format is made from this."""

    key: str
    title: str
    subtitle: str
    columns: tuple[str, ...]  # the label column first
    rows: tuple[tuple[str, tuple[int, ...]], ...]
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "title": self.title,
            "subtitle": self.subtitle,
            "columns": list(self.columns),
            "rows": [{"label": label, "values": list(values)} for label, values in self.rows],
            "notes": list(self.notes),
        }


def cells_table(
    key: str, title: str, subtitle: str, *, label: str, rows: Iterable[tuple[str, Cells]], notes: Sequence[str] = ()
) -> Table:
    return Table(
        key,
        title,
        subtitle,
        (label, *CELL_COLUMNS),
        tuple((name, tuple(cells.row())) for name, cells in rows),
        tuple(notes),
    )


# -- the annual survey (住民基本台帳に基づく人口、人口動態及び世帯数調査) --------------------------------

# 人口動態 columns of the survey: 記載 = 転入 (国内・国外), 出生, その他; 消除 = 転出 (国内・国外), 死亡, その他.
# 改製・再製 rewrite a record without a change of population and are left out; 異動の取消し and
# 職権記載・消除 are その他.
SURVEY_DYNAMICS: tuple[tuple[str, frozenset[str]], ...] = (
    ("転入者数（国内）", frozenset({"domestic_move_in"})),
    ("転入者数（国外）", frozenset({"abroad_move_in"})),
    ("出生者数", frozenset({"birth"})),
    ("その他の記載数", frozenset({"naturalization_add", "nationality_loss_add", "ex_officio_add", "cancel_add"})),
    ("転出者数（国内）", frozenset({"domestic_move_out"})),
    ("転出者数（国外）", frozenset({"abroad_move_out"})),
    ("死亡者数", frozenset({"death"})),
    (
        "その他の消除数",
        frozenset({"naturalization_remove", "nationality_loss_remove", "ex_officio_remove", "cancel_remove"}),
    ),
)


def survey_dynamics(by_reason: Mapping[str, Cells]) -> list[tuple[str, Cells]]:
    """The 人口動態 rows of the survey with their 記載数計・消除数計 (the reasons' counts summed)."""
    rows: list[tuple[str, Cells]] = []
    added, removed = Cells(), Cells()
    for index, (label, codes) in enumerate(SURVEY_DYNAMICS):
        cells = Cells()
        for code in sorted(codes):
            cells = cells.merged(by_reason.get(code, Cells()))
        rows.append((label, cells))
        if index < 4:
            added = added.merged(cells)
        else:
            removed = removed.merged(cells)
    rows.insert(4, ("記載数計", added))
    rows.append(("消除数計", removed))
    by_label = dict(rows)
    births, deaths = by_label["出生者数"], by_label["死亡者数"]
    rows.append(("増減数（記載数計−消除数計）", _difference(added, removed)))
    rows.append(("自然増減数（出生者数−死亡者数）", _difference(births, deaths)))
    rows.append(
        ("社会増減数（増減数−自然増減数）", _difference(_difference(added, removed), _difference(births, deaths)))
    )
    return rows


def _difference(plus: Cells, minus: Cells) -> Cells:
    result = Cells()
    for kind in KINDS:
        for sex in SEXES:
            result.add(kind, sex, plus.get(kind, sex) - minus.get(kind, sex))
    return result


def survey_reference_day(year: int) -> date:
    """The survey counts the register as of 1月1日 of ``year`` and the movements of the year before."""
    return date(year, 1, 1)
