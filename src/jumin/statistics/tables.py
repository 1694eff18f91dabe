"""The printable tables (:class:`jumin.core.statistics.Table`) of the statistics screens, files
and API: the 異動集計表, the 人口統計 (町字・丁目別, 各歳別, 5歳階級別, 国籍別) and the tables of
the annual 住民基本台帳に基づく人口、人口動態及び世帯数調査."""

from __future__ import annotations

from collections import Counter
from datetime import date

from jumin.conf.domain import era_table
from jumin.core.reasons import Category
from jumin.core.statistics import (
    FEMALE,
    FOREIGN,
    JAPANESE,
    KINDS,
    MALE,
    UNKNOWN_AGE,
    Cells,
    Table,
    age_label,
    band_label,
    band_of,
    cells_table,
    counted_reasons,
    survey_dynamics,
)
from jumin.statistics.queries import MIXED, MovementSummary, Population

HOUSEHOLD_COLUMNS = ("日本人住民世帯", "外国人住民世帯", "複数国籍世帯", "世帯数計")


def wareki(day: date) -> str:
    return era_table().format(day)


def period_text(start: date, end: date) -> str:
    return f"{wareki(start)}〜{wareki(end)}"


# -- 異動集計表 --------------------------------------------------------------------------------


def movement_table(summary: MovementSummary) -> Table:
    """Every 異動事由 × 日本人/外国人 × 男/女, the 世帯増・世帯減 of each, subtotals by category,
    and the check 期首 + 増 − 減 = 期末."""
    columns = ("異動事由", "区分", *_cell_labels(), "世帯増", "世帯減")
    rows: list[tuple[str, tuple[int, ...]]] = []
    subtotal: dict[Category, Cells] = {c: Cells() for c in Category}
    households_in: Counter[Category] = Counter()
    households_out: Counter[Category] = Counter()
    categories = {Category.ADD: 1, Category.REMOVE: 2, Category.AMEND: 3}
    for reason in counted_reasons():
        cells = summary.cells(reason.code)
        plus = summary.households_added.get(reason.code, 0)
        minus = summary.households_removed.get(reason.code, 0)
        subtotal[reason.category] = subtotal[reason.category].merged(cells)
        households_in[reason.category] += plus
        households_out[reason.category] += minus
        rows.append((reason.label, (categories[reason.category], *cells.row(), plus, minus)))
    for category, label in (
        (Category.ADD, "記載（増）計"),
        (Category.REMOVE, "消除（減）計"),
        (Category.AMEND, "修正計"),
    ):
        rows.append(
            (
                label,
                (categories[category], *subtotal[category].row(), households_in[category], households_out[category]),
            )
        )
    all_in = sum(households_in.values())
    all_out = sum(households_out.values())
    rows.append(("期首人口・世帯数", (0, *summary.opening.row(), summary.opening_households, 0)))
    rows.append(("期末人口・世帯数", (0, *summary.closing.row(), summary.closing_households, 0)))
    net = Cells()
    for kind in KINDS:
        for sex in (MALE, FEMALE):
            net.add(kind, sex, subtotal[Category.ADD].get(kind, sex) - subtotal[Category.REMOVE].get(kind, sex))
    rows.append(("増減（記載−消除）", (0, *net.row(), all_in, all_out)))
    notes = (
        "区分: 1=記載（増） 2=消除（減） 3=修正。人数は異動日（修正は処理日）が期間内の履歴の件数です。",
        "期首人口は期間の前日の終わり、期末人口は期間の末日の終わりの人口（期首＋記載−消除＝期末）。",
        "世帯増・世帯減は、最初の世帯員が記載された世帯・最後の世帯員がいなくなった世帯の数です。",
    )
    return Table(
        "movements",
        "異動集計表",
        f"期間　{period_text(summary.start, summary.end)}",
        columns,
        tuple(rows),
        notes,
    )


def _cell_labels() -> tuple[str, ...]:
    return ("日本人 男", "日本人 女", "日本人 計", "外国人 男", "外国人 女", "外国人 計", "合計 男", "合計 女", "合計")


# -- 人口統計 ----------------------------------------------------------------------------------


def _households_row(households: Counter[str]) -> tuple[int, ...]:
    values = (households.get(JAPANESE, 0), households.get(FOREIGN, 0), households.get(MIXED, 0))
    return (*values, sum(values))


def area_table(pop: Population) -> Table:
    rows = [(area.address, (*area.persons.row(), *_households_row(area.households))) for area in pop.areas]
    rows.append(("合計", (*pop.total.row(), *_households_row(pop.households))))
    return Table(
        "areas",
        "町字・丁目別 人口及び世帯数",
        f"{wareki(pop.as_of)}現在",
        ("町字・丁目", *_cell_labels(), *HOUSEHOLD_COLUMNS),
        tuple(rows),
        ("世帯数は、その日に現存する世帯員のいる世帯の数です（複数国籍世帯: 日本人住民と外国人住民の世帯）。",),
    )


def age_table(pop: Population) -> Table:
    rows = [(age_label(age), cells) for age, cells in pop.ages.items()]
    rows.append(("合計", pop.total))
    return cells_table(
        "ages",
        "年齢別（各歳）人口",
        f"{wareki(pop.as_of)}現在（年齢は{wareki(pop.age_day)}現在）",
        label="年齢",
        rows=rows,
    )


def band_cells(pop: Population) -> dict[int, Cells]:
    bands: dict[int, Cells] = {band: Cells() for band in range(0, 101, 5)}
    for age, cells in pop.ages.items():
        band = band_of(age)
        bands[band] = bands.get(band, Cells()).merged(cells)
    if UNKNOWN_AGE in bands and bands[UNKNOWN_AGE].total == 0:
        del bands[UNKNOWN_AGE]
    return bands


def band_table(pop: Population, key: str = "bands", title: str = "年齢別（5歳階級）人口") -> Table:
    rows = [(band_label(band), cells) for band, cells in band_cells(pop).items()]
    rows.append(("合計", pop.total))
    return cells_table(
        key, title, f"{wareki(pop.as_of)}現在（年齢は{wareki(pop.age_day)}現在）", label="年齢階級", rows=rows
    )


def nationality_table(pop: Population) -> Table:
    rows = [
        (name, (cells.get(FOREIGN, MALE), cells.get(FOREIGN, FEMALE), cells.total))
        for name, cells in pop.nationalities.items()
    ]
    total = pop.total
    rows.append(("合計", (total.get(FOREIGN, MALE), total.get(FOREIGN, FEMALE), total.kind_total(FOREIGN))))
    return Table(
        "nationalities",
        "国籍・地域別 外国人住民数",
        f"{wareki(pop.as_of)}現在",
        ("国籍・地域", "男", "女", "計"),
        tuple(rows),
    )


def population_tables(pop: Population) -> list[Table]:
    return [area_table(pop), age_table(pop), band_table(pop), nationality_table(pop)]


# -- 住民基本台帳に基づく人口、人口動態及び世帯数調査 -------------------------------------------------


def survey_tables(year: int, pop: Population, dynamics: MovementSummary) -> list[Table]:
    """The survey's tables for 1月1日 of ``year``: 人口及び世帯数, 前年中の人口動態, 年齢階級別人口."""
    base = f"{wareki(date(year, 1, 1))}現在"
    kinds = [("日本人住民", JAPANESE), ("外国人住民", FOREIGN)]
    first_rows = []
    for label, kind in kinds:
        cells = pop.total
        households = pop.households.get(kind, 0)
        first_rows.append((label, (cells.get(kind, MALE), cells.get(kind, FEMALE), cells.kind_total(kind), households)))
    first_rows.append(("複数国籍世帯", (0, 0, 0, pop.households.get(MIXED, 0))))
    first_rows.append(
        (
            "計",
            (pop.total.sex_total(MALE), pop.total.sex_total(FEMALE), pop.total.total, pop.household_total),
        )
    )
    first = Table(
        "survey_population",
        "第1表　人口及び世帯数",
        base,
        ("区分", "男", "女", "計", "世帯数"),
        tuple(first_rows),
        ("人口は前年12月31日の終わり（1月1日現在）の住民基本台帳の人口です。",),
    )
    second = cells_table(
        "survey_dynamics",
        "第2表　人口動態（前年1月1日〜12月31日）",
        f"{period_text(dynamics.start, dynamics.end)}",
        label="区分",
        rows=survey_dynamics(dynamics.by_reason),
        notes=("改製・再製は人口の増減でないため含めません。異動の取消し・職権記載・職権消除はその他です。",),
    )
    third = band_table(pop, "survey_ages", "第3表　年齢階級別人口")
    return [first, second, third]
