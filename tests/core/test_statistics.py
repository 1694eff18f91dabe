"""jumin.core.statistics: ages (年齢計算ニ関スル法律), 5歳階級, the rows of the 異動集計表 and the
survey's grouping of 異動事由 (spec 6.1)."""

from __future__ import annotations

from datetime import date

import pytest

from jumin.core.reasons import REASONS, Category
from jumin.core.statistics import (
    FOREIGN,
    JAPANESE,
    SURVEY_DYNAMICS,
    UNKNOWN_AGE,
    Cells,
    age_label,
    age_on,
    band_label,
    band_of,
    cells_table,
    counted_reasons,
    survey_dynamics,
    survey_reference_day,
)


@pytest.mark.spec("6.1", partial=True)
@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (date(2008, 1, 1), date(2026, 12, 31), 18),
        (date(2008, 1, 1), date(2027, 1, 1), 19),  # a year older on the birthday itself
        (date(2008, 1, 2), date(2027, 1, 1), 18),
        (date(2008, 2, 29), date(2026, 2, 28), 17),
        (date(2008, 2, 29), date(2026, 3, 1), 18),
        (date(2027, 5, 1), date(2027, 1, 1), 0),  # born after the day: never negative
    ],
)
def test_age_on(birth: date, day: date, age: int) -> None:
    assert age_on(birth, day) == age


def test_bands_and_labels() -> None:
    assert [band_of(a) for a in (0, 4, 5, 99, 100, 117, UNKNOWN_AGE)] == [0, 0, 5, 95, 100, 100, UNKNOWN_AGE]
    assert band_label(0) == "0〜4歳" and band_label(100) == "100歳以上" and band_label(UNKNOWN_AGE) == "年齢不詳"
    assert age_label(7) == "7歳" and age_label(UNKNOWN_AGE) == "年齢不詳"


def test_counted_reasons_follow_the_categories_and_leave_out_the_move_in_notice() -> None:
    reasons = counted_reasons()
    assert "move_in_notice" not in {r.code for r in reasons}
    assert len(reasons) == len(REASONS) - 1
    categories = [r.category for r in reasons]
    assert categories == sorted(categories, key=[Category.ADD, Category.REMOVE, Category.AMEND].index)


def test_cells_rows_and_tables() -> None:
    cells = Cells()
    cells.add(JAPANESE, "1", 3)
    cells.add(FOREIGN, "2")
    assert cells.row() == [3, 0, 3, 0, 1, 1, 3, 1, 4]
    merged = cells.merged(cells)
    assert merged.total == 8 and cells.total == 4
    table = cells_table("k", "題", "副題", label="区分", rows=[("行", cells)], notes=["注"])
    assert table.as_dict() == {
        "key": "k",
        "title": "題",
        "subtitle": "副題",
        "columns": [
            "区分",
            "日本人 男",
            "日本人 女",
            "日本人 計",
            "外国人 男",
            "外国人 女",
            "外国人 計",
            "合計 男",
            "合計 女",
            "合計",
        ],
        "rows": [{"label": "行", "values": [3, 0, 3, 0, 1, 1, 3, 1, 4]}],
        "notes": ["注"],
    }


@pytest.mark.spec("6.1", partial=True)
def test_survey_dynamics_sum_the_reasons() -> None:
    moved_in, born, cancelled, died, rebuilt = Cells(), Cells(), Cells(), Cells(), Cells()
    moved_in.add(JAPANESE, "1", 5)
    born.add(FOREIGN, "2", 2)
    cancelled.add(JAPANESE, "2", 1)
    died.add(JAPANESE, "1", 3)
    rebuilt.add(JAPANESE, "1", 9)
    rows = dict(
        survey_dynamics(
            {
                "domestic_move_in": moved_in,
                "birth": born,
                "cancel_add": cancelled,
                "death": died,
                "rebuild_add": rebuilt,  # 改製 is no change of population
            }
        )
    )
    assert rows["記載数計"].total == 8 and rows["消除数計"].total == 3
    assert rows["その他の記載数"].total == 1
    assert rows["増減数（記載数計−消除数計）"].row() == [2, 1, 3, 0, 2, 2, 2, 3, 5]
    assert rows["自然増減数（出生者数−死亡者数）"].total == -1
    assert rows["社会増減数（増減数−自然増減数）"].total == 6
    assert not any("rebuild_add" in codes for _, codes in SURVEY_DYNAMICS)
    assert survey_reference_day(2027) == date(2027, 1, 1)
