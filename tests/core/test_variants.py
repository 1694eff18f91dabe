"""異体字 groups (spec 2.1.2): built-in name groups and staff pairs closed transitively, public pairs
one step only."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jumin.core.variants import NAME_VARIANT_GROUPS, closed_groups, expansion

SAITO = "斉齊斎齋"


@pytest.mark.spec("2.1.2", partial=True)
def test_builtin_groups_are_single_distinct_characters() -> None:
    seen: set[str] = set()
    for group in NAME_VARIANT_GROUPS:
        assert len(group) >= 2 and len(set(group)) == len(group)
        assert not seen & set(group), group  # no character in two groups
        seen |= set(group)
    assert len(NAME_VARIANT_GROUPS) >= 32
    # the compatibility ideographs survived: NFC would fold 塚 (U+FA10) into 塚
    assert any(unicodedata.normalize("NFC", ch) != ch for ch in seen)


@pytest.mark.spec("2.1.2", partial=True)
def test_saito_and_yoshida_find_each_other() -> None:
    table = expansion()
    for a in SAITO:
        assert table[a] == frozenset(SAITO) - {a}
    assert table["吉"] == {"\U00020bb7"} and table["\U00020bb7"] == {"吉"}


@pytest.mark.spec("2.1.2", partial=True)
def test_staff_pairs_are_closed_transitively() -> None:
    groups = closed_groups(groups=(), pairs=[("郎", "朗"), ("朗", "琅")])
    assert groups["郎"] == groups["琅"] == {"郎", "朗", "琅"}
    # a staff pair joins two built-in groups into one
    table = expansion(staff_pairs=[("斉", "\U00020bb7")])
    assert "吉" in table["齋"] and "齋" in table["吉"]


@pytest.mark.spec("2.1.2", partial=True)
def test_public_pairs_count_one_step_only() -> None:
    public = [("濱", "頻"), ("吉", "桔"), ("斎", "斋")]
    table = expansion(public_pairs=public)
    assert "頻" in table["濱"] and "濱" in table["頻"]
    assert "頻" not in table["浜"] and "浜" not in table["頻"]  # no chain 頻–濱–浜
    assert "桔" in table["吉"] and "桔" not in table["\U00020bb7"]
    assert table["斋"] == {"斎"}  # a public neighbour does not pull in the whole group
    assert "斋" in table["斎"] and "斋" not in table["齋"]


def test_deep_chains_are_compressed_and_singletons_dropped() -> None:
    groups = closed_groups(groups=("bc", "ab", "ba"), pairs=[("d", "d")])
    assert groups["c"] == {"a", "b", "c"} and groups["d"] == {"d"}
    assert "d" not in expansion(staff_pairs=[("d", "d")], groups=())


@given(st.lists(st.tuples(st.sampled_from("abcdef"), st.sampled_from("abcdef")), max_size=8))
def test_expansion_is_symmetric(pairs: list[tuple[str, str]]) -> None:
    table = expansion(staff_pairs=pairs[::2], public_pairs=pairs[1::2], groups=("ab", "ef"))
    for char, others in table.items():
        assert char not in others
        for other in others:
            assert char in table[other]
