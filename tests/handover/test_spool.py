"""The history rows kept between the validation and the writing pass of the import
(``HistorySpool``): in order, sealed, bounded in memory."""

from __future__ import annotations

from typing import Any

import pytest

from jumin.core.check_digits import individual_number_check_digit
from jumin.handover.importer import BLOCK_ROWS, HistorySpool
from jumin.registry.numbers import NumberSealer

pytestmark = pytest.mark.spec("10.8", partial=True)

NUMBER = "12345678901" + individual_number_check_digit("12345678901")


def _row(history_no: int, number: str) -> dict[str, Any]:
    return {
        "archived": False,
        "atena_no": "0000000018",
        "history_no": history_no,
        "furigana_surname": "アゲオ",
        "furigana_given_name": "タロウ",
        "name_alphabet": "",
        "program_items": None,
        "individual_number": number,
    }


def test_spool_gives_back_every_row_in_order_with_the_number_sealed_never_in_plain() -> None:
    spool = HistorySpool()
    try:
        count = BLOCK_ROWS + 3  # more than one block: the rows go to the file, not memory
        for history_no in range(1, count + 1):
            spool.add(_row(history_no, NUMBER if history_no % 2 else ""))
        rows = list(spool.rows())
        spool._file.seek(0)
        assert NUMBER.encode() not in spool._file.read()
    finally:
        spool.close()
    assert [row["history_no"] for row in rows] == list(range(1, count + 1))
    first, second = rows[0], rows[1]
    assert "individual_number" not in first
    assert NumberSealer().open(first["individual_number_ct"], "0000000018") == NUMBER
    assert (second["individual_number_ct"], second["individual_number_lookup"]) == ("", "")
    assert first["name_key"] and first["given_name_key"]
    assert first["program_items"] == {}  # a NOT NULL field's default for an empty item
