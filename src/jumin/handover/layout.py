"""The migration layout: which CSV file holds which table, and which column holds which field.

The columns are derived from the models (the header is the field's Japanese verbose name,
the limit is the database's), so that a field added to the register is in the layout at
once; :data:`HEADER_OVERRIDES` renames the few whose verbose name is not unique or not clear.
docs/migration.md lists the result (``python -m jumin.handover.layout`` prints it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models

from jumin.core.migration_layout import Column, Kind
from jumin.core.program_items import PENSION_CATEGORIES, PROGRAMS
from jumin.protection.models import Block, MeasureTransfer, Offender, ProtectedPerson, SupportMeasure
from jumin.registry.models import Household, Movement, ResidentHistory

HISTORY_FILE = "住民.csv"
PROGRAM_FILE = "個別事項.csv"
HOUSEHOLD_FILE = "世帯.csv"
MOVEMENT_FILE = "異動.csv"
MEASURE_FILE = "支援措置.csv"
PROTECTED_FILE = "支援対象者.csv"
OFFENDER_FILE = "加害者.csv"
TRANSFER_FILE = "転送情報.csv"
BLOCK_FILE = "抑止.csv"
REPORT_FILE = "検証結果.csv"

NUMBER_FIELDS = frozenset({"atena_no", "household_no", "family_of", "head_atena_no", "applicant_atena_no", "target_no"})
DIGIT_FIELDS = frozenset(
    {
        "address_code",
        "previous_address_code",
        "destination_code",
        "confirmed_destination_code",
        "postcode",
        "previous_postcode",
        "destination_postcode",
        "confirmed_destination_postcode",
        "municipality_code",
    }
)
HEADER_OVERRIDES: dict[tuple[type[models.Model], str], str] = {
    (ResidentHistory, "category"): "異動の区分",
    (ResidentHistory, "initiation"): "届出区分",
    (ResidentHistory, "recorded_at"): "記録日時",
    (Movement, "entered_at"): "入力日時",
    (ProtectedPerson, "role"): "支援対象者の区分",
    (MeasureTransfer, "direction"): "転送の区分",
}
# Not items of the layout: surrogate keys, derived values (search keys, sort dates, the
# 個人番号's ciphertext and hash — the number itself is a column), and who entered what in
# this system (the target system has other users).
SKIPPED = frozenset(
    {
        "id",
        "name_key",
        "given_name_key",
        "individual_number_ct",
        "individual_number_lookup",
        "program_items",
        "movement",
        "measure",
        "entered_by",
        "created_by",
        "set_by",
        "released_by",
        "temporarily_released_by",
        "replaces",
        "return_comment",
        "returned_at",
        "cancels",
    }
)


@dataclass(frozen=True)
class Table:
    file: str
    columns: tuple[Column, ...]

    def header(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, field: str) -> Column:
        return next(c for c in self.columns if c.field == field)


def _kind(model: type[models.Model], f: models.Field[Any, Any]) -> Kind:
    name = f.name
    if name in NUMBER_FIELDS:
        return Kind.NUMBER
    if name == "resident_code":
        return Kind.RESIDENT_CODE
    if name == "relationship":
        return Kind.RELATIONSHIP
    if name == "reason" and model is ResidentHistory:
        return Kind.REASON
    if name in DIGIT_FIELDS:
        return Kind.DIGITS
    if f.choices:
        return Kind.CODE
    if isinstance(f, models.DateTimeField):
        return Kind.DATETIME
    if isinstance(f, models.DateField):
        return Kind.DATE
    if isinstance(f, models.BooleanField):
        return Kind.FLAG
    if isinstance(f, models.IntegerField):
        return Kind.INTEGER
    if isinstance(f, models.JSONField):
        return Kind.JSON
    return Kind.TEXT


def model_columns(model: type[models.Model]) -> list[Column]:
    """A column for every record item of ``model`` (see :data:`SKIPPED`)."""
    fields = [f for f in model._meta.concrete_fields if f.name not in SKIPPED]
    names = {f.name for f in fields}
    columns = []
    for f in fields:
        if f.name.endswith("_sort") and f.name.removesuffix("_sort") + "_text" in names:
            continue  # derived from the written date
        sort = f.name.removesuffix("_text") + "_sort"
        kind = Kind.UNCERTAIN if f.name.endswith("_text") and sort in names else _kind(model, f)
        required = not f.blank and not f.null and not isinstance(f, models.BooleanField)
        columns.append(
            Column(
                header=HEADER_OVERRIDES.get((model, f.name), str(f.verbose_name)),
                field=f.name,
                kind=kind,
                max_length=f.max_length if isinstance(f, models.CharField) and not f.choices else None,
                required=required and kind not in (Kind.FLAG,),
                choices=frozenset(str(value) for value, _ in f.choices or ()),
                sort_field=sort if kind is Kind.UNCERTAIN else "",
            )
        )
    return columns


def _measure_no(required: bool = True) -> Column:
    return Column("支援措置番号", "measure_no", Kind.TEXT, max_length=20, required=required)


def _history() -> Table:
    first = [
        Column("除票DB", "archived", Kind.FLAG),
        Column("宛名番号", "atena_no", Kind.NUMBER, max_length=20, required=True),
        Column("履歴番号", "history_no", Kind.INTEGER, required=True),
        Column("異動番号", "movement_no", Kind.TEXT, max_length=20),
    ]
    rest = [c for c in model_columns(ResidentHistory) if c.field not in {"atena_no", "history_no"}]
    last = [
        Column("個人番号", "individual_number", Kind.INDIVIDUAL_NUMBER, max_length=12),
        Column("除票DBへの移行日時", "archived_at", Kind.DATETIME),
    ]
    return Table(HISTORY_FILE, (*first, *rest, *last))


def _programs() -> Table:
    return Table(
        PROGRAM_FILE,
        (
            Column("宛名番号", "atena_no", Kind.NUMBER, max_length=20, required=True),
            Column("履歴番号", "history_no", Kind.INTEGER, required=True),
            Column("業務", "program", Kind.CODE, required=True, choices=frozenset(p.key for p in PROGRAMS)),
            Column("選挙人名簿登録", "registered", Kind.FLAG),
            Column("資格", "insured", Kind.FLAG),
            Column("資格取得日", "acquired_on", Kind.DATE),
            Column("資格喪失日", "lost_on", Kind.DATE),
            Column("基礎年金番号", "basic_pension_no", Kind.DIGITS, max_length=10),
            Column("国民年金の種別", "category", Kind.CODE, choices=frozenset(PENSION_CATEGORIES)),
            Column("種別変更日", "category_changed_on", Kind.DATE),
            Column("受給開始年月", "start_month", Kind.TEXT, max_length=7),
            Column("受給終了年月", "end_month", Kind.TEXT, max_length=7),
        ),
    )


def _households() -> Table:
    return Table(
        HOUSEHOLD_FILE,
        (
            *model_columns(Household),
            Column("記載順位（手動）", "member_order", Kind.TEXT),
            Column("記載順位の設定日時", "order_set_at", Kind.DATETIME),
        ),
    )


def _movements() -> Table:
    return Table(
        MOVEMENT_FILE,
        (*model_columns(Movement), Column("取消す異動の異動番号", "cancels_no", Kind.TEXT, max_length=20)),
    )


def _with_measure(file: str, model: type[models.Model], *, required: bool = True) -> Table:
    return Table(file, (_measure_no(required), *model_columns(model)))


HISTORY = _history()
PROGRAM = _programs()
HOUSEHOLD = _households()
MOVEMENT = _movements()
MEASURE = Table(MEASURE_FILE, tuple(model_columns(SupportMeasure)))
PROTECTED = _with_measure(PROTECTED_FILE, ProtectedPerson)
OFFENDER = _with_measure(OFFENDER_FILE, Offender)
TRANSFER = _with_measure(TRANSFER_FILE, MeasureTransfer)
BLOCK = _with_measure(BLOCK_FILE, Block, required=False)
TABLES: tuple[Table, ...] = (HISTORY, PROGRAM, HOUSEHOLD, MOVEMENT, MEASURE, PROTECTED, OFFENDER, TRANSFER, BLOCK)


def markdown(tables: Sequence[Table] = TABLES) -> str:
    """The layout as Markdown tables (docs/migration.md)."""
    lines: list[str] = []
    for table in tables:
        lines += [f"### {table.file}", "", "| 項目名 | field | 形式 | 桁 | 必須 |", "|---|---|---|---|---|"]
        for c in table.columns:
            kind = c.kind.value + (f" ({' / '.join(sorted(c.choices))})" if c.choices else "")
            length = str(c.max_length or "")
            lines.append(f"| {c.header} | `{c.field}` | {kind} | {length} | {'○' if c.required else ''} |")
        lines.append("")
    return "\n".join(lines)
