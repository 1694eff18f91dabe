"""異動事由 (reasons of a movement) and their standard categories (spec 1.2.2).

Every history row carries one reason code.  Statistics (年報, 異動集計表) count by the
category and the label of this table; the codes are stable storage values.  「転居取消」 as
a category of its own is a function the standard forbids (1.2.2 X): a cancelled 転居 is
「異動の取消し（修正）」.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from jumin.core.errors import DomainError


class Category(StrEnum):
    ADD = "add"  # 記載
    REMOVE = "remove"  # 消除
    AMEND = "amend"  # 修正


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    category: Category
    only: str = ""  # "japanese" / "foreign": the reason applies to that kind of resident only


_TABLE: tuple[Reason, ...] = (
    Reason("domestic_move_in", "国内転入", Category.ADD),
    Reason("abroad_move_in", "国外転入等", Category.ADD),
    Reason("birth", "出生", Category.ADD),
    Reason("naturalization_add", "職権記載（帰化等）", Category.ADD, "japanese"),
    Reason("nationality_loss_add", "職権記載（国籍喪失）", Category.ADD, "foreign"),
    Reason("ex_officio_add", "職権記載", Category.ADD),
    Reason("rebuild_add", "改製", Category.ADD),
    Reason("remake_add", "再製", Category.ADD),
    Reason("cancel_add", "異動の取消し（増）", Category.ADD),
    Reason("domestic_move_out", "国内転出", Category.REMOVE),
    Reason("abroad_move_out", "国外転出", Category.REMOVE),
    Reason("death", "死亡", Category.REMOVE),
    Reason("naturalization_remove", "職権消除（帰化等）", Category.REMOVE, "foreign"),
    Reason("nationality_loss_remove", "職権消除（国籍喪失）", Category.REMOVE, "japanese"),
    Reason("ex_officio_remove", "職権消除", Category.REMOVE),
    Reason("rebuild_remove", "改製", Category.REMOVE),
    Reason("remake_remove", "再製", Category.REMOVE),
    Reason("cancel_remove", "異動の取消し（減）", Category.REMOVE),
    Reason("relocation", "転居", Category.AMEND),
    Reason("minor_correction", "軽微な修正", Category.AMEND),
    Reason("ex_officio_correction", "職権修正", Category.AMEND),
    Reason("clerical_correction", "誤記修正", Category.AMEND),
    Reason("individual_number_change_request", "個人番号の変更請求", Category.AMEND),
    Reason("individual_number_ex_officio_correction", "個人番号の職権修正", Category.AMEND),
    Reason("individual_number_ex_officio_record", "個人番号の職権記載", Category.AMEND),
    Reason("resident_code_change_request", "住民票コードの変更請求", Category.AMEND),
    Reason("resident_code_ex_officio_record", "住民票コードの職権記載", Category.AMEND),
    Reason("household_split", "世帯分離", Category.AMEND),
    Reason("household_merge", "世帯合併", Category.AMEND),
    Reason("household_change", "世帯変更", Category.AMEND),
    Reason("head_change", "世帯主変更", Category.AMEND),
    Reason("former_surname_record", "旧氏の記載", Category.AMEND),
    Reason("former_surname_change", "旧氏の変更", Category.AMEND),
    Reason("former_surname_delete", "旧氏の削除", Category.AMEND),
    Reason("alias_record", "通称の記載", Category.AMEND, "foreign"),
    Reason("alias_delete", "通称の削除", Category.AMEND, "foreign"),
    Reason("cancel_amend", "異動の取消し（修正）", Category.AMEND),
    Reason("program_items", "個別事項の記載・修正", Category.AMEND),
    # 転入通知の受理 (4.1.3.1.1): 除票 items recorded from the new municipality's notice — a
    # 修正 of the 除票, not an 異動 of the register (statistics leave it out)
    Reason("move_in_notice", "転入通知の受理", Category.AMEND),
)

REASONS: dict[str, Reason] = {reason.code: reason for reason in _TABLE}


def reason(code: str) -> Reason:
    try:
        return REASONS[code]
    except KeyError:
        raise DomainError("reason.unknown", "登録されていない異動事由です。") from None


def cancellation_reason(category: Category) -> Reason:
    """The reason of the row that cancels a row of ``category`` (4.6.0.1): undoing a 記載
    removes (取消し（減）), undoing a 消除 records again (取消し（増）), undoing a 修正 amends."""
    return {
        Category.ADD: REASONS["cancel_remove"],
        Category.REMOVE: REASONS["cancel_add"],
        Category.AMEND: REASONS["cancel_amend"],
    }[category]
