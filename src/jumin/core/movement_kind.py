"""The kinds of movement (異動の種類): what ``Movement.kind`` holds and the planners are keyed by.

A :class:`MovementKind` member equals its string ("move_in" …), so rows and entered data that
carry the plain string compare equal to the members.
"""

from __future__ import annotations

from enum import StrEnum


class MovementKind(StrEnum):
    MOVE_IN = "move_in"
    RELOCATION = "relocation"
    MOVE_OUT = "move_out"
    HOUSEHOLD_SPLIT = "household_split"
    HOUSEHOLD_MERGE = "household_merge"
    HOUSEHOLD_CHANGE = "household_change"
    HEAD_CHANGE = "head_change"
    BIRTH = "birth"
    DEATH = "death"
    DISAPPEARANCE = "disappearance"
    EX_OFFICIO_REMOVAL = "ex_officio_removal"
    CORRECTION = "correction"
    FORMER_SURNAME = "former_surname"
    ALIAS = "alias"
    CANCELLATION = "cancellation"
    REBUILD = "rebuild"
    ARTICLE_30_46 = "article_30_46"
    ARTICLE_30_47 = "article_30_47"
    NATURALIZATION = "naturalization"
    NATIONALITY_ACQUISITION = "nationality_acquisition"
    NATIONALITY_LOSS = "nationality_loss"
    RESIDENT_CODE = "resident_code"
    INDIVIDUAL_NUMBER = "individual_number"
    PROGRAM_ITEMS = "program_items"
    MOVE_IN_NOTICE = "move_in_notice"
    MIGRATION = "migration"
    """A data migration (seed-city, 移行): no planner, no persons of its own."""


KIND_LABELS: dict[str, str] = {
    MovementKind.MOVE_IN: "転入",
    MovementKind.RELOCATION: "転居",
    MovementKind.MOVE_OUT: "転出",
    MovementKind.HOUSEHOLD_SPLIT: "世帯分離",
    MovementKind.HOUSEHOLD_MERGE: "世帯合併",
    MovementKind.HOUSEHOLD_CHANGE: "世帯変更",
    MovementKind.HEAD_CHANGE: "世帯主変更",
    MovementKind.BIRTH: "出生",
    MovementKind.DEATH: "死亡",
    MovementKind.DISAPPEARANCE: "失踪",
    MovementKind.EX_OFFICIO_REMOVAL: "職権消除（実態調査）",
    MovementKind.CORRECTION: "修正（職権修正・軽微な修正・誤記修正）",
    MovementKind.FORMER_SURNAME: "旧氏の記載・変更・削除",
    MovementKind.ALIAS: "通称の記載・削除",
    MovementKind.CANCELLATION: "異動の取消し",
    MovementKind.REBUILD: "改製",
    MovementKind.ARTICLE_30_46: "法第30条の46転入",
    MovementKind.ARTICLE_30_47: "法第30条の47届出",
    MovementKind.NATURALIZATION: "帰化",
    MovementKind.NATIONALITY_ACQUISITION: "国籍取得",
    MovementKind.NATIONALITY_LOSS: "国籍喪失",
    MovementKind.RESIDENT_CODE: "住民票コードの変更請求・職権記載",
    MovementKind.INDIVIDUAL_NUMBER: "個人番号の職権記載・変更請求・職権修正",
    MovementKind.PROGRAM_ITEMS: "個別事項の記載・修正",
    MovementKind.MOVE_IN_NOTICE: "転入通知の受理",
}
"""The names the screens show, by kind (a data migration has no screen and no label here)."""

MIGRATION_LABEL = "データ移行"

MOVEMENT_KIND_CHOICES: list[tuple[str, str]] = [
    (kind.value, KIND_LABELS.get(kind, MIGRATION_LABEL)) for kind in MovementKind
]
"""``choices`` of ``Movement.kind``: every kind with its label."""
