"""続柄: the closed vocabulary of spec 1.1.11 and the order of 5.2."""

import random
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jumin.core.errors import DomainError
from jumin.core.relationship import (
    ATOMS,
    Kind,
    Member,
    Relationship,
    household_order,
    is_allowed,
    order_rank,
    parse_relationship,
    relationship_from_chain,
    with_manual_order,
)


@pytest.mark.spec("1.1.11", partial=True)
@pytest.mark.parametrize(
    "text",
    [
        "世帯主",
        "夫",
        "妻",
        "夫（未届）",
        "妻（未届）",
        "子",
        "子（子の夫）",
        "子（子の妻）",
        "父",
        "母",
        "兄",
        "姉",
        "弟",
        "妹",
        "子の子",
        "子の子の子の子",
        "妻の父",
        "妻（未届）の子",
        "子（子の妻）の子",
        "父の兄の子",
        "縁故者",
        "同居人",
    ],
)
def test_allowed_relationships(text: str) -> None:
    assert parse_relationship(text).text == text
    assert is_allowed(text)


@pytest.mark.spec("1.1.11/X")
@pytest.mark.parametrize(
    "text",
    ["祖父", "祖母", "おじ", "おば", "甥", "姪", "孫", "家事使用人", "準世帯主", "子の", "の子", "子の孫", "", "子子"],
)
def test_relationships_outside_the_standard_cannot_be_recorded(text: str) -> None:
    with pytest.raises(DomainError) as info:
        parse_relationship(text)
    assert info.value.code in {"relationship.not_allowed", "relationship.empty"}
    assert not is_allowed(text)


@pytest.mark.spec("1.1.11", partial=True)
def test_five_links_must_be_recorded_as_relative_by_connection() -> None:
    with pytest.raises(DomainError) as info:
        parse_relationship("子の子の子の子の子")
    assert info.value.code == "relationship.too_long"
    assert relationship_from_chain(["子"] * 5) == Relationship(Kind.CONNECTION)
    assert relationship_from_chain(["子"] * 4).text == "子の子の子の子"


def test_typing_tolerance() -> None:
    assert parse_relationship("妻(未届)").text == "妻（未届）"
    assert parse_relationship(" 子 の 子 ").text == "子の子"


def test_chain_construction_errors() -> None:
    with pytest.raises(DomainError):
        relationship_from_chain([])
    with pytest.raises(DomainError):
        relationship_from_chain(["孫"])


@pytest.mark.spec("5.2", partial=True)
@pytest.mark.parametrize(
    ("text", "rank"),
    [
        ("世帯主", (1, 1)),
        ("妻", (1, 2)),
        ("夫（未届）", (1, 2)),
        ("子", (1, 3)),
        ("子の妻", (2, 2)),
        ("子（子の夫）", (2, 2)),
        ("子の夫（未届）", (2, 2)),
        ("子の子", (2, 3)),
        ("子の子の子", (2, 3)),
        ("父", (3, 1)),
        ("母", (3, 1)),
        ("兄", (3, 2)),
        ("妹", (3, 2)),
        ("父の母", (3, 3)),
        ("母の父", (3, 3)),
        ("妻の父", (4, 1)),
        ("兄の子", (4, 1)),
        ("縁故者", (4, 2)),
        ("同居人", (4, 3)),
    ],
)
def test_order_rank(text: str, rank: tuple[int, int]) -> None:
    assert order_rank(parse_relationship(text)) == rank


def _m(atena: str, rel: str, born: date | None, **kw: object) -> Member:
    return Member(atena, parse_relationship(rel), born, **kw)  # type: ignore[arg-type]


HOUSEHOLD = [
    _m("01", "世帯主", date(1950, 1, 1)),
    _m("02", "妻", date(1952, 1, 1)),
    _m("03", "子", date(1976, 4, 1)),  # eldest son, has a family here
    _m("04", "子の妻", date(1978, 1, 1), family_of="03"),
    _m("05", "子の子", date(2008, 1, 1), family_of="03"),
    _m("06", "子の子", date(2005, 1, 1), family_of="03"),
    _m("07", "子", date(1980, 1, 1)),  # second son, has a family here
    _m("08", "子の妻", date(1981, 1, 1), family_of="07"),
    _m("09", "子", date(1990, 1, 1)),  # unmarried daughter
    _m("10", "母", date(1925, 1, 1)),
    _m("11", "父", date(1922, 1, 1), is_koseki_head=True),
    _m("12", "妹", date(1955, 1, 1)),
    _m("13", "兄", date(1948, 1, 1)),
    _m("14", "父の母", date(1900, 1, 1)),
    _m("15", "妻の兄", date(1949, 1, 1)),
    _m("16", "妻の弟", date(1949, 1, 1)),  # same birthday: 宛名番号 decides (例2)
    _m("17", "同居人", date(1960, 1, 1)),
    _m("18", "縁故者", None),
    _m("19", "縁故者", date(1970, 1, 1)),
    _m("20", "子", date(1990, 1, 1)),  # twin of 09: 宛名番号 order
]
EXPECTED = [
    "01",
    "02",
    "09",
    "20",
    "03",
    "04",
    "06",
    "05",
    "07",
    "08",
    "11",
    "10",
    "13",
    "12",
    "14",
    "15",
    "16",
    "18",
    "19",
    "17",
]


@pytest.mark.spec("5.2", partial=True)
def test_household_order_of_the_standard() -> None:
    assert [m.atena_no for m in household_order(HOUSEHOLD)] == EXPECTED


@pytest.mark.spec("5.2", partial=True)
def test_families_of_relatives_follow_their_anchor() -> None:
    members = [
        _m("1", "世帯主", date(1950, 1, 1)),
        _m("2", "兄の子", date(1980, 1, 1)),
        _m("3", "兄の子の妻", date(1982, 1, 1), family_of="2"),
        _m("4", "妻の父", date(1925, 1, 1)),
        _m("5", "子の妻", date(1980, 1, 1)),  # no family_of: still 第2順位, after the families
        _m("6", "妻", date(1951, 1, 1), family_of="1"),  # the head cannot anchor a family
    ]
    assert [m.atena_no for m in household_order(members)] == ["1", "6", "5", "4", "2", "3"]


@given(st.randoms(use_true_random=False))
def test_order_is_a_permutation_independent_of_input_order(rnd: random.Random) -> None:
    shuffled = HOUSEHOLD[:]
    rnd.shuffle(shuffled)
    assert [m.atena_no for m in household_order(shuffled)] == EXPECTED


chains = st.lists(st.sampled_from(ATOMS), min_size=1, max_size=4).map(relationship_from_chain)
relationships = st.one_of(
    chains,
    st.sampled_from([Relationship(Kind.HEAD), Relationship(Kind.CONNECTION), Relationship(Kind.LODGER)]),
)


@given(st.lists(st.tuples(relationships, st.none() | st.dates(), st.booleans(), st.integers(0, 20)), max_size=12))
def test_any_household_order_is_a_permutation(rows: list[tuple[Relationship, date | None, bool, int]]) -> None:
    members = [
        Member(f"{i:02d}", rel, born, is_koseki_head=head, family_of=f"{fam:02d}")
        for i, (rel, born, head, fam) in enumerate(rows)
    ]
    ordered = household_order(members)
    assert sorted(m.atena_no for m in ordered) == sorted(m.atena_no for m in members)
    heads = [i for i, m in enumerate(ordered) if m.relationship.kind is Kind.HEAD]
    assert heads == list(range(len(heads)))


@given(chains)
def test_every_chain_round_trips_through_text(rel: Relationship) -> None:
    assert parse_relationship(rel.text) == rel
    assert str(rel) == rel.text
    assert 1 <= rel.links <= 4


@pytest.mark.spec("5.2")
def test_a_manual_order_comes_first_and_newcomers_are_appended() -> None:
    computed = household_order(HOUSEHOLD)
    manual = [EXPECTED[2], EXPECTED[0], "gone", EXPECTED[2]]  # a departed member and a repeat are ignored
    ordered = [m.atena_no for m in with_manual_order(computed, manual)]
    assert ordered[:2] == [EXPECTED[2], EXPECTED[0]]
    assert ordered[2:] == [a for a in EXPECTED if a not in (EXPECTED[0], EXPECTED[2])]
    assert [m.atena_no for m in with_manual_order(computed, [])] == EXPECTED


@given(st.randoms(use_true_random=False), st.integers(0, len(EXPECTED)))
def test_a_manual_order_is_a_permutation_that_keeps_the_chosen_order(rnd: random.Random, size: int) -> None:
    chosen = rnd.sample(EXPECTED, size)
    ordered = [m.atena_no for m in with_manual_order(household_order(HOUSEHOLD), chosen)]
    assert sorted(ordered) == sorted(EXPECTED)
    assert ordered[:size] == chosen
    assert ordered[size:] == [a for a in EXPECTED if a not in chosen]
