"""個別事項 (1.1.1; 住基法7条9号〜11号の2): the checks of jumin.core.program_items, table-driven."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jumin.core.errors import DomainError
from jumin.core.program_items import PROGRAMS, apply_changes, clean_program, clean_program_items

pytestmark = pytest.mark.spec("1.1.1", partial=True)

VALID: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("elector", {"registered": True}, {"registered": True}),
    ("elector", {"registered": "on"}, {"registered": True}),
    ("elector", {"registered": ""}, {"registered": False}),
    (
        "nhi",
        {"insured": True, "acquired_on": "2024-04-01"},
        {"insured": True, "acquired_on": "2024-04-01", "lost_on": ""},
    ),
    (
        "late_elderly",
        {"insured": False, "acquired_on": date(2020, 1, 5), "lost_on": "2024-03-31"},
        {"insured": False, "acquired_on": "2020-01-05", "lost_on": "2024-03-31"},
    ),
    ("long_term_care", {"insured": False}, {"insured": False, "acquired_on": "", "lost_on": ""}),
    (
        "pension",
        {"insured": True, "acquired_on": "2020-04-01", "category": "1", "basic_pension_no": "1234-567890"},
        {
            "insured": True,
            "acquired_on": "2020-04-01",
            "lost_on": "",
            "basic_pension_no": "1234567890",
            "category": "1",
            "category_changed_on": "",
        },
    ),
    ("child_allowance", {"start_month": "2024-04"}, {"start_month": "2024-04", "end_month": ""}),
    (
        "child_allowance",
        {"start_month": "2024-04", "end_month": "2024-04"},
        {"start_month": "2024-04", "end_month": "2024-04"},
    ),
]

INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("nhi", {"insured": True}, "program_items.acquired_required"),
    ("nhi", {"insured": True, "acquired_on": "2024-04-01", "lost_on": "2024-05-01"}, "program_items.insured_but_lost"),
    ("nhi", {"lost_on": "2024-05-01"}, "program_items.lost_without_acquired"),
    ("nhi", {"acquired_on": "2024-05-01", "lost_on": "2024-04-30"}, "program_items.lost_before_acquired"),
    ("nhi", {"acquired_on": "2024-02-30"}, "program_items.bad_date"),
    ("nhi", {"insured": True, "acquired_on": "2024-04-01", "grade": 3}, "program_items.unknown_field"),
    ("pension", {"insured": True, "acquired_on": "2020-04-01"}, "program_items.category_required"),
    ("pension", {"category": "2"}, "program_items.bad_category"),
    ("pension", {"basic_pension_no": "12345"}, "program_items.bad_basic_pension_no"),
    ("pension", {"basic_pension_no": "１２３４５６７８９０"}, "program_items.bad_basic_pension_no"),
    (
        "pension",
        {"acquired_on": "2020-04-01", "lost_on": "", "category_changed_on": "2019-01-01"},
        "program_items.category_changed_before_acquired",
    ),
    ("child_allowance", {"start_month": "2024-13"}, "program_items.bad_month"),
    ("child_allowance", {"end_month": "2024-04"}, "program_items.end_without_start"),
    ("child_allowance", {"start_month": "2024-04", "end_month": "2024-03"}, "program_items.end_before_start"),
    ("tax", {}, "program_items.unknown"),
]


@pytest.mark.parametrize(("key", "raw", "expected"), VALID)
def test_valid_program_values_are_normalised(key: str, raw: dict[str, Any], expected: dict[str, Any]) -> None:
    assert clean_program(key, raw) == expected


@pytest.mark.parametrize(("key", "raw", "code"), INVALID)
def test_invalid_program_values_are_refused_with_a_stable_code(key: str, raw: dict[str, Any], code: str) -> None:
    with pytest.raises(DomainError) as error:
        clean_program(key, raw)
    assert error.value.code == code
    assert error.value.message  # Japanese, for the screen


def test_apply_changes_replaces_named_programs_and_removes_with_none() -> None:
    current = {"elector": {"registered": True}, "nhi": {"insured": True, "acquired_on": "2024-04-01", "lost_on": ""}}
    after = apply_changes(current, {"nhi": {"insured": False, "acquired_on": "2024-04-01", "lost_on": "2025-03-31"}})
    assert after["elector"] == {"registered": True}
    assert after["nhi"]["lost_on"] == "2025-03-31"
    assert apply_changes(after, {"elector": None}) == {"nhi": after["nhi"]}
    assert list(apply_changes({}, {"child_allowance": {"start_month": "2024-04"}, "elector": {"registered": 1}})) == [
        "elector",
        "child_allowance",
    ]  # always in the order of PROGRAMS
    with pytest.raises(DomainError):
        clean_program_items({"unknown": {}})


@given(
    st.dictionaries(
        st.sampled_from([p.key for p in PROGRAMS if p.shape == "coverage"]),
        st.builds(
            lambda a, b: {"acquired_on": min(a, b).isoformat(), "lost_on": max(a, b).isoformat()},
            st.dates(date(1950, 1, 1), date(2030, 12, 31)),
            st.dates(date(1950, 1, 1), date(2030, 12, 31)),
        ),
    )
)
def test_cleaning_is_idempotent(raw: dict[str, Any]) -> None:
    once = clean_program_items(raw)
    assert clean_program_items(once) == once
