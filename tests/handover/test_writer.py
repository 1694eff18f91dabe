"""The history rows as the import writes them (``jumin.handover.writer``): sealed, keyed,
defaults filled."""

from __future__ import annotations

from typing import Any

import pytest

from jumin.core.check_digits import individual_number_check_digit
from jumin.handover.reading import defaults
from jumin.handover.writer import prepare_history
from jumin.registry.models import ArchivedHistory
from jumin.registry.numbers import NumberSealer

pytestmark = pytest.mark.spec("10.8", partial=True)

NUMBER = "12345678901" + individual_number_check_digit("12345678901")


def _row(number: str) -> dict[str, Any]:
    return {
        "atena_no": "0000000018",
        "history_no": 1,
        "furigana_surname": "アゲオ",
        "furigana_given_name": "タロウ",
        "name_alphabet": "",
        "program_items": None,
        "individual_number": number,
    }


def test_a_history_row_is_written_with_the_number_sealed_never_in_plain() -> None:
    sealer = NumberSealer()
    first, second = _row(NUMBER), _row("")
    for row in (first, second):
        prepare_history(row, sealer, defaults(ArchivedHistory))
    assert "individual_number" not in first and NUMBER not in repr(first)
    assert sealer.open(first["individual_number_ct"], "0000000018") == NUMBER
    assert (second["individual_number_ct"], second["individual_number_lookup"]) == ("", "")
    assert first["name_key"] and first["given_name_key"]
    assert first["program_items"] == {}  # a NOT NULL field's default for an empty item
