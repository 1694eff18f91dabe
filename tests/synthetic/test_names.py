"""Japanese names come from gimei's data file, with katakana readings, by generation."""

import random
from collections import Counter

import pytest

from jumin.core.kana import is_katakana_name
from jumin.synthetic.model import Sex
from jumin.synthetic.names import NamePicker, japanese_names, read_gimei_names


def test_gimei_lists_are_read_whole() -> None:
    names = japanese_names()
    assert len(names.surnames) == 500
    assert names.surnames[0] == ("佐藤", "サトウ")
    assert sum(len(pool) for pool in names.male) > 2000
    assert sum(len(pool) for pool in names.female) > 10_000
    for pool in (*names.male, *names.female, names.surnames):
        assert all(is_katakana_name(kana) for _, kana in pool)


def test_an_unexpected_layout_fails_loudly() -> None:
    with pytest.raises(ValueError, match="unexpected line"):
        read_gimei_names("first_name:\n  male:\n    - {kanji: 太郎}\n")
    with pytest.raises(ValueError, match="fewer names"):
        read_gimei_names("first_name:\n  male:\n    - ['太郎', 'たろう', 'タロウ']\n")


def test_given_names_follow_the_generation() -> None:
    picker, rng = NamePicker(), random.Random(1)
    old = Counter(picker.given(rng, Sex.FEMALE, 1940)[0][-1] == "子" for _ in range(2000))
    young = Counter(picker.given(rng, Sex.FEMALE, 2015)[0][-1] == "子" for _ in range(2000))
    assert old[True] > 1000 > 100 > young[True]


def test_frequent_surnames_are_more_common() -> None:
    picker, rng = NamePicker(), random.Random(2)
    counts = Counter(picker.surname(rng)[0] for _ in range(20_000))
    assert counts["佐藤"] > counts[japanese_names().surnames[-1][0]] * 5
