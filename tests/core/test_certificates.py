"""Pure rules of certificate issuance: items per route (住基法12条〜12条の3, spec 5.1), the
発行番号 (5.5) and the sheets of a 世帯連記式 (≤ 4 persons)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jumin.core import certificates as rules
from jumin.core.errors import DomainError


@pytest.mark.spec("5.1")
@pytest.mark.parametrize(
    ("route", "asked", "printed"),
    [
        (rules.SELF, (), frozenset()),
        (rules.SELF, rules.OPTIONAL_ITEMS, frozenset(rules.OPTIONAL_ITEMS)),
        (rules.AGENT, (rules.INDIVIDUAL_NUMBER,), frozenset({rules.INDIVIDUAL_NUMBER})),
        (
            rules.PUBLIC_BODY,
            (rules.HONSEKI, rules.HEAD_RELATIONSHIP),
            frozenset({rules.HONSEKI, rules.HEAD_RELATIONSHIP}),
        ),
        (rules.THIRD_PARTY, (rules.FOREIGN_STATUS,), frozenset({rules.FOREIGN_STATUS})),
        (rules.PUBLIC_BODY, (rules.PROGRAM_ITEMS,), frozenset({rules.PROGRAM_ITEMS})),
    ],
)
def test_items_printed_only_when_asked_and_allowed(route: str, asked: tuple[str, ...], printed: frozenset[str]) -> None:
    assert rules.printable_items(route, asked) == printed


@pytest.mark.spec("5.1")
@pytest.mark.parametrize("route", [rules.PUBLIC_BODY, rules.THIRD_PARTY])
@pytest.mark.parametrize("item", [rules.INDIVIDUAL_NUMBER, rules.RESIDENT_CODE])
def test_numbers_never_go_to_public_bodies_or_third_parties(route: str, item: str) -> None:
    with pytest.raises(DomainError) as error:
        rules.printable_items(route, [item])
    assert error.value.code == "certificate.item_not_allowed"
    assert "個人番号及び住民票コード" in error.value.message


@pytest.mark.spec("5.1", "1.1.1")
def test_program_items_never_go_to_third_parties() -> None:
    with pytest.raises(DomainError) as error:
        rules.printable_items(rules.THIRD_PARTY, [rules.PROGRAM_ITEMS])
    assert error.value.code == "certificate.item_not_allowed"
    assert "個別事項" in error.value.message


def test_unknown_route_and_item() -> None:
    with pytest.raises(DomainError) as route:
        rules.printable_items("mail", [])
    assert route.value.code == "certificate.bad_route"
    with pytest.raises(DomainError) as item:
        rules.printable_items(rules.SELF, ["blood_type"])
    assert item.value.code == "certificate.bad_item"


@pytest.mark.spec("5.5")
def test_issue_number_format() -> None:
    number = rules.IssueNumber(date(2020, 5, 2), "●●市", "本庁1", rules.printer_label(1), 11)
    assert number.base() == "20200502 ●●市 本庁1 プリンタ001 011"
    assert number.page(1, 2) == "20200502 ●●市 本庁1 プリンタ001 011 1/2"
    no_printer = rules.IssueNumber(date(2020, 5, 2), "●●市", "本庁1", rules.printer_label(None), 1234)
    assert no_printer.base() == "20200502 ●●市 本庁1 1234"
    with pytest.raises(ValueError, match="page"):
        number.page(3, 2)
    with pytest.raises(ValueError, match="page"):
        number.page(0, 2)
    with pytest.raises(ValueError, match="serial"):
        rules.IssueNumber(date(2020, 5, 2), "●●市", "本庁1", "", 0)


@pytest.mark.spec("5.2")
@given(st.lists(st.integers(), max_size=30))
def test_sheets_keep_order_and_hold_at_most_four(persons: list[int]) -> None:
    pages = rules.sheets(persons)
    assert [p for page in pages for p in page] == persons
    assert all(len(page) <= rules.MAX_PERSONS_PER_SHEET for page in pages)
    assert len(pages) == max(1, -(-len(persons) // 4))


def test_sheets_need_a_positive_size() -> None:
    with pytest.raises(ValueError, match="positive"):
        rules.sheets([1], per_sheet=0)
