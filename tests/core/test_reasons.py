"""異動事由 and the categories of spec 1.2.2."""

import pytest

from jumin.core.errors import DomainError
from jumin.core.reasons import REASONS, Category, cancellation_reason, reason


@pytest.mark.spec("1.2.2")
def test_the_standard_categories_are_all_there() -> None:
    labels = {(r.category, r.label) for r in REASONS.values()}
    for label in (
        "国内転入",
        "国外転入等",
        "出生",
        "職権記載（帰化等）",
        "職権記載（国籍喪失）",
        "職権記載",
        "改製",
        "再製",
        "異動の取消し（増）",
    ):
        assert (Category.ADD, label) in labels
    for label in (
        "国内転出",
        "国外転出",
        "死亡",
        "職権消除（帰化等）",
        "職権消除（国籍喪失）",
        "職権消除",
        "異動の取消し（減）",
    ):
        assert (Category.REMOVE, label) in labels
    for label in (
        "転居",
        "軽微な修正",
        "職権修正",
        "誤記修正",
        "世帯分離",
        "世帯合併",
        "世帯変更",
        "世帯主変更",
        "旧氏の記載",
        "旧氏の変更",
        "旧氏の削除",
        "通称の記載",
        "通称の削除",
        "異動の取消し（修正）",
    ):
        assert (Category.AMEND, label) in labels
    assert REASONS["naturalization_add"].only == "japanese" and REASONS["alias_record"].only == "foreign"


@pytest.mark.spec("1.2.2/X")
def test_there_is_no_separate_relocation_cancellation_category() -> None:
    assert not any("転居取消" in r.label for r in REASONS.values())
    assert cancellation_reason(REASONS["relocation"].category).label == "異動の取消し（修正）"


def test_cancellation_reasons_mirror_the_category() -> None:
    assert cancellation_reason(Category.ADD).code == "cancel_remove"
    assert cancellation_reason(Category.REMOVE).code == "cancel_add"
    assert reason("death").category is Category.REMOVE
    with pytest.raises(DomainError):
        reason("no_such_reason")
