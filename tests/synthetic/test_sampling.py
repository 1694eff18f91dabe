"""Weighted picks follow their weights; helpers stay in range."""

import random
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jumin.synthetic.sampling import Weighted, pick, uniform


@given(st.lists(st.floats(min_value=0.0, max_value=100.0), min_size=1, max_size=12).filter(lambda w: sum(w) > 0))
def test_alias_table_keeps_the_weights(weights: list[float]) -> None:
    picker = Weighted(list(range(len(weights))), weights)
    count = len(weights)
    share = [0.0] * count
    for column in range(count):
        share[column] += picker._threshold[column] / count
        share[picker._alias[column]] += (1.0 - picker._threshold[column]) / count
    total = sum(weights)
    for index, weight in enumerate(weights):
        assert share[index] == pytest.approx(weight / total, abs=1e-9)


def test_picks_follow_the_weights() -> None:
    picker = Weighted.of([("a", 1.0), ("b", 3.0), ("c", 0.0)])
    rng = random.Random(1)
    counts = Counter(picker(rng) for _ in range(40_000))
    assert counts["c"] == 0
    assert 0.72 < counts["b"] / 40_000 < 0.78


def test_bad_weights_are_refused() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        Weighted([], [])
    with pytest.raises(ValueError, match="zero"):
        Weighted(["a"], [0.0])
    with pytest.raises(ValueError, match="negative"):
        Weighted(["a", "b"], [1.0, -1.0])


def test_uniform_and_pick_stay_in_range() -> None:
    rng = random.Random(3)
    assert all(2.0 <= uniform(rng, 2.0, 5.0) < 5.0 for _ in range(1000))
    assert {pick(rng, "xyz") for _ in range(200)} == {"x", "y", "z"}
