"""Fuzzy kana search key (spec 2.1.2): every vector of rules-and-vectors.md §4 and properties."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jumin.core.kana import is_katakana_name, search_key

VECTORS = [
    ("ヤマダ　タロウ", "ヤマタタロオ"),
    ("ﾔﾏﾀﾞﾀﾛｵ", "ヤマタタロオ"),
    ("すずき", "ススキ"),
    ("スヅキ", "ススキ"),
    ("ショウジ", "シヨオシ"),
    ("シヨオヂ", "シヨオシ"),
    ("ガッコウ", "カツコオ"),
    ("カツコオ", "カツコオ"),
    ("コーヒー", "コヒ"),
    ("コヒ", "コヒ"),
    ("ヴァ", "ワ"),
    ("バ", "ワ"),
    ("ハ", "ワ"),
    ("ワ", "ワ"),
    ("オ", "オ"),
    ("ヲ", "オ"),
    ("ウエノ", "ウエノ"),
    ("サトー", "サト"),
    ("サトウ", "サトオ"),
]


@pytest.mark.spec("2.1.2", partial=True)
@pytest.mark.parametrize(("name", "key"), VECTORS)
def test_vectors(name: str, key: str) -> None:
    assert search_key(name) == key


@pytest.mark.spec("2.1.2", partial=True)
@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ヂ", "ジ"),
        ("ズ", "ヅ"),
        ("ワ", "ハ"),
        ("ヴァ", "バ"),
        ("ヴィ", "ビ"),
        ("ヴ", "ブ"),
        ("オ", "ヲ"),
        ("ヒ", "ピ"),
        ("ッ", "ツ"),
        ("ャ", "ヤ"),
        ("ュ", "ユ"),
        ("ョ", "ヨ"),
        ("ヤマダ タロウ", "ヤマダタロウ"),
        ("ヤマダ　タロウ", "ヤマダ タロウ"),
        ("サトウ", "サトオ"),
        ("コーヒー", "コヒ"),
        ("コ―ヒ", "コヒ"),
        ("コ－ヒ", "コヒ"),
        ("コ‐ヒ", "コヒ"),
        ("コｰヒ", "コヒ"),
        ("コ-ヒ", "コヒ"),
        ("ゴウダ", "コオタ"),
        ("ボウ", "ホオ"),
        ("やまだ", "ヤマダ"),
        ("ｶﾞｯｺｳ", "ガッコウ"),
    ],
)
def test_each_equivalence_of_the_standard(a: str, b: str) -> None:
    assert search_key(a) == search_key(b)


@pytest.mark.spec("2.1.2", partial=True)
@pytest.mark.parametrize(("a", "b"), [("サトー", "サトウ"), ("ウエノ", "オエノ"), ("ヤマダ", "ヤマタニ"), ("ヒ", "フ")])
def test_different_names_stay_different(a: str, b: str) -> None:
    assert search_key(a) != search_key(b)


def test_extended_folds_are_off_by_default() -> None:
    assert search_key("ヰ") == "ヰ"
    assert search_key("ヱ") == "ヱ"
    assert search_key("ヴェ") == "フエ"
    assert search_key("ヰ", extended=True) == "イ"
    assert search_key("ヱ", extended=True) == "エ"
    assert search_key("ヴェ", extended=True) == search_key("ベ") == "ヘ"
    assert search_key("ヴォ", extended=True) == search_key("ボ") == "ホ"


def test_non_kana_passes_through_upper_cased() -> None:
    assert search_key("Smith John") == "SMITHJOHN"
    assert search_key("山田") == "山田"


def test_katakana_name_check() -> None:
    assert is_katakana_name("ヤマダ　タロウ")
    assert is_katakana_name("ジョン・スミス")
    assert not is_katakana_name("やまだ")
    assert not is_katakana_name("ﾔﾏﾀﾞ")
    assert not is_katakana_name("　")
    assert not is_katakana_name("")


KATAKANA = st.text(alphabet=[chr(c) for c in range(0x30A1, 0x30F7)] + ["ー", "　", " "], max_size=12)


@given(KATAKANA)
def test_key_is_idempotent(name: str) -> None:
    key = search_key(name)
    assert search_key(key) == key


@given(KATAKANA)
def test_hiragana_and_half_width_give_the_same_key(name: str) -> None:
    import unicodedata

    hiragana = "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in name)
    assert search_key(hiragana) == search_key(name)
    assert search_key(unicodedata.normalize("NFKC", name)) == search_key(name)


@given(KATAKANA, KATAKANA)
def test_space_between_surname_and_given_name_is_ignored(surname: str, given_name: str) -> None:
    assert search_key(f"{surname}　{given_name}") == search_key(surname + given_name)


@given(KATAKANA)
def test_key_has_no_voiced_small_or_long_marks(name: str) -> None:
    key = search_key(name)
    assert not set(key) & set("ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポァィゥェォッャュョヮヵヶーヲハ　 ")
