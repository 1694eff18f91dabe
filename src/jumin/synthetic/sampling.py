"""Small, fast sampling helpers over one seeded ``random.Random``."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    """Pick one of ``items`` with probability proportional to its weight.

    Walker's alias method: one ``random()`` draw and no search per pick.  The draw
    chooses a column and a threshold; below the threshold the column's own item wins,
    above it the column's alias.
    """

    __slots__ = ("_alias", "_count", "_items", "_threshold")

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        if len(items) != len(weights) or not items:
            raise ValueError("items and weights must be non-empty and of equal length")
        total = float(sum(weights))
        if total <= 0 or min(weights) < 0:
            raise ValueError("weights must be non-negative and add up to more than zero")
        count = len(items)
        scaled = [w * count / total for w in weights]
        threshold = [1.0] * count
        alias = list(range(count))
        small = [i for i, s in enumerate(scaled) if s < 1.0]
        large = [i for i, s in enumerate(scaled) if s >= 1.0]
        while small and large:
            low, high = small.pop(), large.pop()
            threshold[low], alias[low] = scaled[low], high
            scaled[high] -= 1.0 - scaled[low]
            (small if scaled[high] < 1.0 else large).append(high)
        self._items = tuple(items)
        self._count = count
        self._threshold = tuple(threshold)
        self._alias = tuple(self._items[a] for a in alias)

    def __call__(self, rng: random.Random) -> T:
        draw = rng.random() * self._count
        column = int(draw)
        if draw - column < self._threshold[column]:
            return self._items[column]
        return self._alias[column]

    @classmethod
    def of(cls, pairs: Sequence[tuple[T, float]]) -> Weighted[T]:
        return cls([item for item, _ in pairs], [weight for _, weight in pairs])


def uniform(rng: random.Random, low: float, high: float) -> float:
    return low + (high - low) * rng.random()


def pick(rng: random.Random, items: Sequence[T]) -> T:
    return items[int(rng.random() * len(items))]
