"""The layout of docs/migration.md is the one the code reads and writes (spec 10.6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jumin.handover.layout import TABLES, markdown
from jumin.registry.models import PERSON_FIELDS

pytestmark = pytest.mark.spec("10.6", partial=True)

DOC = Path(__file__).resolve().parents[2] / "docs" / "migration.md"


def test_the_documented_layout_is_the_code_s() -> None:
    text = DOC.read_text(encoding="utf-8")
    between = text.split("<!-- layout:begin -->\n", 1)[1].split("<!-- layout:end -->", 1)[0]
    assert between.strip() == markdown().strip(), "docs/migration.md: regenerate the layout from markdown()"


def test_every_item_of_a_person_record_is_a_column_or_derived() -> None:
    """The 個別事項 have a file of their own; the 個人番号 is one plain column for its two sealed
    columns; search keys and sort dates are derived."""
    history = {c.field for c in TABLES[0].columns} | {c.sort_field for c in TABLES[0].columns}
    derived = {"individual_number_ct", "individual_number_lookup", "program_items"}
    assert set(PERSON_FIELDS) - history == derived
    assert "individual_number" in history


def test_headers_are_unique_per_file() -> None:
    for table in TABLES:
        assert len(set(table.header())) == len(table.header()), table.file
