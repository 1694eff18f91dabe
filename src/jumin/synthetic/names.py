"""Japanese names with their readings, from the ``gimei`` package's data file.

gimei ships 500 surnames (in order of frequency) and about 2,500 male and 10,700 female
given names, each as (kanji, hiragana, katakana).  Its API picks at random on every
attribute access with the global ``random``, so the data file is read directly.  The
file is a fixed, simple YAML layout (``first_name: male: / female:``, ``last_name:``,
one ``- ['漢字', 'かな', 'カナ']`` per line); reading it line by line needs no YAML
library and fails loudly if the layout changes.

Given names follow the birth year: names ending in 子/江/枝/代 (女) or 郎/雄/夫/男/治…
(男) are typical of older generations, names ending in 菜/花/音/結… or 斗/翔/輝/汰…
of the young.  Each name list is split into old / neutral / new pools and the pool is
chosen with weights that move with the birth year.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from jumin.synthetic.model import Sex
from jumin.synthetic.sampling import Weighted

Name = tuple[str, str]  # (kanji, katakana)

_OLD_MALE = frozenset("郎雄夫男治吉蔵造作衛助市松")
_NEW_MALE = frozenset("斗翔輝汰陽蒼悠空琉叶翼颯凪湊")
_OLD_FEMALE = frozenset("子江枝代")
_NEW_FEMALE = frozenset("菜花音葉華羽結凛莉愛咲乃陽心彩桜芽那")

# (last birth year of the cohort, weights of the old / neutral / new pools)
_COHORTS: tuple[tuple[int, tuple[float, float, float]], ...] = (
    (1944, (0.85, 0.15, 0.00)),
    (1959, (0.65, 0.35, 0.00)),
    (1974, (0.35, 0.62, 0.03)),
    (1989, (0.10, 0.75, 0.15)),
    (2004, (0.03, 0.57, 0.40)),
    (9999, (0.01, 0.44, 0.55)),
)


@dataclass(frozen=True, slots=True)
class JapaneseNames:
    surnames: tuple[Name, ...]
    male: tuple[tuple[Name, ...], tuple[Name, ...], tuple[Name, ...]]
    female: tuple[tuple[Name, ...], tuple[Name, ...], tuple[Name, ...]]


_ENTRY = re.compile(r"\s*- \['([^']+)', '([^']+)', '([^']+)'\]\s*")
_SECTION = re.compile(r"(\s*)(first_name|last_name|male|female):\s*")


def read_gimei_names(text: str) -> dict[str, list[tuple[str, str]]]:
    """``{"male": [...], "female": [...], "last_name": [...]}`` of (kanji, katakana) pairs."""
    lists: dict[str, list[tuple[str, str]]] = {"male": [], "female": [], "last_name": []}
    current: list[tuple[str, str]] | None = None
    for line in text.splitlines():
        entry = _ENTRY.fullmatch(line)
        if entry is not None and current is not None:
            current.append((entry.group(1), entry.group(3)))
        elif (section := _SECTION.fullmatch(line)) is not None:
            current = lists.get(section.group(2))
        elif line.strip() and not line.lstrip().startswith("#"):
            raise ValueError(f"unexpected line in gimei's names.yml: {line[:40]!r}")
    if min(len(names) for names in lists.values()) < 100:
        raise ValueError("gimei's names.yml has fewer names than expected")
    return lists


@cache
def japanese_names() -> JapaneseNames:
    """The gimei name lists as (kanji, katakana) pairs, given names split by generation."""
    lists = read_gimei_names((files("gimei") / "data" / "names.yml").read_text(encoding="utf-8"))
    return JapaneseNames(
        surnames=tuple(lists["last_name"]),
        male=_split(lists["male"], _OLD_MALE, _NEW_MALE),
        female=_split(lists["female"], _OLD_FEMALE, _NEW_FEMALE, boost="子"),
    )


def _split(
    rows: list[Name], old: frozenset[str], new: frozenset[str], boost: str = ""
) -> tuple[tuple[Name, ...], tuple[Name, ...], tuple[Name, ...]]:
    """Old / neutral / new pools by the last character; ``boost`` endings count thrice
    (most women born before 1960 have a name ending in 子)."""
    pools: tuple[list[Name], list[Name], list[Name]] = ([], [], [])
    for kanji, katakana in rows:
        last = kanji[-1]
        pool = pools[0 if last in old else 2 if last in new else 1]
        pool.extend([(kanji, katakana)] * (3 if last in boost else 1))
    return (tuple(pools[0]), tuple(pools[1]), tuple(pools[2]))


class NamePicker:
    """Seeded picks of Japanese surnames (frequency-weighted) and given names (by era)."""

    __slots__ = ("_cohort_years", "_cohorts", "_names", "_surname")

    def __init__(self, names: JapaneseNames | None = None) -> None:
        self._names = names or japanese_names()
        surnames = self._names.surnames
        # gimei lists surnames by frequency: weight them like a Zipf curve.
        self._surname = Weighted(surnames, [1.0 / (rank + 8) for rank in range(len(surnames))])
        self._cohort_years = [year for year, _ in _COHORTS]
        self._cohorts = [Weighted((0, 1, 2), weights) for _, weights in _COHORTS]

    def surname(self, rng: random.Random) -> Name:
        return self._surname(rng)

    def given(self, rng: random.Random, sex: Sex, birth_year: int) -> Name:
        index = 0
        while birth_year > self._cohort_years[index]:
            index += 1
        pools = self._names.male if sex is Sex.MALE else self._names.female
        pool = pools[self._cohorts[index](rng)]
        return pool[int(rng.random() * len(pool))]
