"""Who lives together: household templates with ages, sexes and 続柄.

Shares aim at a Saitama commuter city (上尾市, 令和7年): households of 1 person 35 %,
2 persons 30 %, 3 persons 17 %, 4 persons 13 %, 5 or more 5 %; residents aged 0–14
about 11 %, 15–64 about 59 %, 65 and over about 30 %.

Rules every template keeps:

* exactly one 世帯主 among the current members;
* spouses are adults (18+) and within a few years of each other (wife a little younger
  on average);
* a child is 20–45 years younger than its mother and at least 18 years younger than its
  father; a 子の子 is at least 20 years younger than the 子;
* 続柄 come from the vocabulary of :mod:`jumin.core.relationship`.

A template returns :class:`Member` drafts (index 0 is the head).  ``anchor`` is the
index of the member a draft came to the household with (a child with its mother, a
spouse with the head); -1 means the member arrived on their own.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from jumin.core.relationship import Kind, Relationship, relationship_from_chain
from jumin.synthetic.foreign_data import Nationality
from jumin.synthetic.model import Sex
from jumin.synthetic.sampling import Weighted, uniform

HEAD = Relationship(Kind.HEAD)
LODGER = Relationship(Kind.LODGER)
WIFE = relationship_from_chain(("妻",))
HUSBAND = relationship_from_chain(("夫",))
WIFE_UNREGISTERED = relationship_from_chain(("妻（未届）",))
CHILD = relationship_from_chain(("子",))
CHILD_WIFE = relationship_from_chain(("子", "妻"))
GRANDCHILD = relationship_from_chain(("子", "子"))
FATHER = relationship_from_chain(("父",))
MOTHER = relationship_from_chain(("母",))
OLDER_BROTHER = relationship_from_chain(("兄",))
OLDER_SISTER = relationship_from_chain(("姉",))
YOUNGER_BROTHER = relationship_from_chain(("弟",))
YOUNGER_SISTER = relationship_from_chain(("妹",))

MALE, FEMALE = Sex.MALE, Sex.FEMALE


class Member:
    """A draft member: mutable while the household is being built."""

    __slots__ = (
        "age",
        "anchor",
        "arrival",
        "died",
        "family_of",
        "foreign",
        "group",
        "moved_out",
        "nationality",
        "origin",
        "own_surname",
        "rel",
        "rel_before",
        "sex",
        "status",
    )

    def __init__(self, rel: Relationship, sex: Sex, age: float, anchor: int = 0) -> None:
        self.rel = rel
        self.sex = sex
        self.age = age  # in years, with fraction
        self.anchor = anchor
        self.family_of = -1  # index of the 子 whose family this member is (5.2)
        self.foreign = False
        self.nationality: Nationality | None = None
        self.status: str | None = None  # 在留資格 or 特別永住者 for foreign members
        self.own_surname = False  # does not share the head's surname
        self.moved_out = False  # removed: moved out on its own (adult child)
        self.died = False  # removed: the late head (the survivor took over)
        self.rel_before: Relationship | None = None  # 続柄 before a head change
        self.arrival = 0  # day ordinal, set by the timeline
        self.origin = ""  # birth | move | local | local_parent, set by the timeline
        self.group = 0  # members of one group share a 転入前住所


@dataclass(frozen=True, slots=True)
class Bins:
    """A piecewise-uniform age distribution: (low, high, weight) bins."""

    bins: tuple[tuple[float, float, float], ...]

    def sampler(self) -> Callable[[random.Random], float]:
        pick = Weighted([(lo, hi) for lo, hi, _ in self.bins], [w for _, _, w in self.bins])

        def sample(rng: random.Random) -> float:
            lo, hi = pick(rng)
            return lo + (hi - lo) * rng.random()

        return sample


SINGLE_AGE = Bins(
    ((18, 25, 9), (25, 35, 13), (35, 45, 9), (45, 55, 12), (55, 65, 10), (65, 75, 15), (75, 85, 22), (85, 101, 12))
).sampler()
ELDERLY_HUSBAND_AGE = Bins(((65, 70, 18), (70, 75, 26), (75, 80, 26), (80, 85, 18), (85, 97, 12))).sampler()
YOUNG_HUSBAND_AGE = Bins(((22, 30, 15), (30, 40, 20), (40, 50, 20), (50, 65, 45))).sampler()
YOUNGEST_CHILD_AGE = Bins(((0, 6, 15), (6, 12, 17), (12, 18, 19), (18, 25, 21), (25, 40, 28))).sampler()
ADULT_CHILD_AGE = Bins(((18, 25, 30), (25, 35, 40), (35, 50, 30))).sampler()


def single_sex(rng: random.Random, age: float) -> Sex:
    """Young singles are more often men, the oldest more often widows."""
    male_share = 0.66 if age < 60 else 0.55 if age < 75 else 0.32
    return MALE if rng.random() < male_share else FEMALE


def spouse_gap(rng: random.Random) -> float:
    """Husband's age minus wife's: about 2 years on average, -4..+10."""
    return min(10.0, max(-4.0, rng.gauss(2.2, 3.0)))


def wife_of(rng: random.Random, husband_age: float) -> float:
    return max(18.0, husband_age - spouse_gap(rng))


def children_ages(rng: random.Random, count: int, youngest: float | None = None) -> list[float]:
    """Ages of ``count`` siblings, youngest first, 1.2–5 years apart."""
    age = YOUNGEST_CHILD_AGE(rng) if youngest is None else youngest
    ages = [age]
    for _ in range(count - 1):
        age += uniform(rng, 1.2, 5.0)
        ages.append(age)
    return ages


def mother_for(rng: random.Random, children: list[float]) -> float:
    """A mother aged 21–44 at each birth (eldest born at 21–37)."""
    eldest, youngest = max(children), min(children)
    age = eldest + uniform(rng, 24.0, 36.0)
    return max(eldest + 21.0, min(age, youngest + 44.0))


# -- templates ---------------------------------------------------------------------------
# Each returns the members of one household; index 0 is the head.


def single(rng: random.Random) -> list[Member]:
    age = SINGLE_AGE(rng)
    return [Member(HEAD, single_sex(rng, age), age, anchor=-1)]


def widowed(rng: random.Random) -> list[Member]:
    """An elderly person living alone; the template adds the late spouse (removed)."""
    age = ELDERLY_HUSBAND_AGE(rng)
    survivor_sex = FEMALE if rng.random() < 0.8 else MALE
    late_age = age + uniform(rng, 0, 6) if survivor_sex is FEMALE else max(60.0, age - uniform(rng, 0, 6))
    late = Member(HEAD, MALE if survivor_sex is FEMALE else FEMALE, late_age, anchor=-1)
    late.died = True
    survivor = Member(HEAD, survivor_sex, age, anchor=1)
    survivor.rel_before = WIFE if survivor_sex is FEMALE else HUSBAND
    return [survivor, late]


def couple(rng: random.Random, husband_age: float) -> list[Member]:
    husband = Member(HEAD, MALE, husband_age, anchor=-1)
    wife = Member(WIFE, FEMALE, wife_of(rng, husband_age), anchor=0)
    if rng.random() < 0.04:  # the wife is the head
        husband.rel, wife.rel = HUSBAND, HEAD
        husband.anchor, wife.anchor = 0, -1
        return [wife, husband]
    return [husband, wife]


def family(rng: random.Random, children: int) -> list[Member]:
    """A couple with ``children`` children, the parents' ages following the children's."""
    ages = children_ages(rng, children)
    mother = mother_for(rng, ages)
    father = max(mother + spouse_gap(rng), max(ages) + 18.0)
    members = couple(rng, father)
    wife = 1 if members[0].sex is MALE else 0
    members[wife].age = mother
    for age in ages:
        members.append(Member(CHILD, MALE if rng.random() < 0.51 else FEMALE, age, anchor=wife))
    return members


def lone_parent(rng: random.Random, children: int) -> list[Member]:
    ages = children_ages(rng, children)
    parent_sex = FEMALE if rng.random() < 0.85 else MALE
    age = mother_for(rng, ages) + (uniform(rng, 0, 4) if parent_sex is MALE else 0.0)
    members = [Member(HEAD, parent_sex, age, anchor=-1)]
    for child_age in ages:
        members.append(Member(CHILD, MALE if rng.random() < 0.51 else FEMALE, child_age, anchor=0))
    return members


def elderly_parent_with_children(rng: random.Random, children: int) -> list[Member]:
    """An old parent (the head) with adult children who never left home."""
    ages = [ADULT_CHILD_AGE(rng) + 10.0]
    for _ in range(children - 1):
        ages.append(max(18.0, ages[-1] - uniform(rng, 1.5, 5.0)))
    parent_age = min(100.0, max(ages) + uniform(rng, 25.0, 36.0))
    members = [Member(HEAD, FEMALE if rng.random() < 0.75 else MALE, parent_age, anchor=-1)]
    for age in ages:
        members.append(Member(CHILD, MALE if rng.random() < 0.55 else FEMALE, age, anchor=0))
    return members


def with_parents(rng: random.Random, children: int, parents: int) -> list[Member]:
    """A family (couple + children) living with one or both of the head's parents."""
    members = family(rng, children) if children else couple(rng, uniform(rng, 40.0, 62.0))
    while children and max(m.age for m in members[:2]) > 70.0:  # parents 20+ years older than the head
        members = family(rng, children)
    head = members[0]
    if head.sex is FEMALE:  # keep it simple: the husband's parents live with a male head
        head.rel, members[1].rel = WIFE, HEAD
        members[0], members[1] = members[1], members[0]
        members[0].anchor, members[1].anchor = -1, 0
        for member in members[2:]:
            member.anchor = 1
        head = members[0]
    father_age = min(99.0, head.age + uniform(rng, 25.0, 35.0))
    mother_age = min(99.0, max(head.age + 21.0, father_age - spouse_gap(rng)))
    if parents == 2:
        members.append(Member(FATHER, MALE, father_age, anchor=-1))
        members.append(Member(MOTHER, FEMALE, mother_age, anchor=len(members) - 1))
    elif rng.random() < 0.75:
        members.append(Member(MOTHER, FEMALE, mother_age, anchor=-1))
    else:
        members.append(Member(FATHER, MALE, father_age, anchor=-1))
    return members


def three_generations(rng: random.Random, grandchildren: int, husband_alive: bool = True) -> list[Member]:
    """An old couple (or widow) with their son, his wife (子の妻) and their children (子の子)."""
    grandchild_ages = children_ages(rng, grandchildren, youngest=uniform(rng, 0.0, 12.0))
    son_wife_age = mother_for(rng, grandchild_ages)
    son_age = max(son_wife_age + spouse_gap(rng), max(grandchild_ages) + 20.0)
    head_age = min(99.0, son_age + uniform(rng, 27.0, 36.0))
    if husband_alive:
        wife_age = min(99.0, max(son_age + 22.0, wife_of(rng, head_age)))
        members = [Member(HEAD, MALE, head_age, anchor=-1), Member(WIFE, FEMALE, wife_age, anchor=0)]
        mother = 1
    else:
        members = [Member(HEAD, FEMALE, head_age, anchor=-1)]
        mother = 0
    son_index = len(members)
    members.append(Member(CHILD, MALE, son_age, anchor=mother))
    son_wife = Member(CHILD_WIFE, FEMALE, son_wife_age, anchor=-1)
    son_wife.family_of = son_index
    members.append(son_wife)
    for age in grandchild_ages:
        grandchild = Member(GRANDCHILD, MALE if rng.random() < 0.51 else FEMALE, age, anchor=son_index + 1)
        grandchild.family_of = son_index
        members.append(grandchild)
    return members


def single_mother_at_parents(rng: random.Random, grandchildren: int) -> list[Member]:
    """A parent (head) with a daughter (子) and her children (子の子)."""
    ages = children_ages(rng, grandchildren, youngest=uniform(rng, 0.0, 15.0))
    daughter_age = mother_for(rng, ages)
    head_age = min(95.0, daughter_age + uniform(rng, 24.0, 34.0))
    members = [Member(HEAD, FEMALE if rng.random() < 0.6 else MALE, head_age, anchor=-1)]
    members.append(Member(CHILD, FEMALE, daughter_age, anchor=0))
    for age in ages:
        grandchild = Member(GRANDCHILD, MALE if rng.random() < 0.51 else FEMALE, age, anchor=1)
        grandchild.family_of = 1
        members.append(grandchild)
    return members


def adult_child_with_parent(rng: random.Random) -> list[Member]:
    """A middle-aged head caring for an old parent (父 or 母)."""
    head_age = uniform(rng, 40.0, 66.0)
    parent_age = min(100.0, head_age + uniform(rng, 24.0, 36.0))
    head = Member(HEAD, MALE if rng.random() < 0.6 else FEMALE, head_age, anchor=-1)
    if rng.random() < 0.8:
        return [head, Member(MOTHER, FEMALE, parent_age, anchor=-1)]
    return [head, Member(FATHER, MALE, parent_age, anchor=-1)]


def siblings(rng: random.Random) -> list[Member]:
    head_age = uniform(rng, 35.0, 80.0)
    head = Member(HEAD, MALE if rng.random() < 0.5 else FEMALE, head_age, anchor=-1)
    other_age = max(18.0, head_age + uniform(rng, -8.0, 8.0))
    younger = other_age < head_age
    if rng.random() < 0.5:
        return [head, Member(YOUNGER_BROTHER if younger else OLDER_BROTHER, MALE, other_age, anchor=0)]
    return [head, Member(YOUNGER_SISTER if younger else OLDER_SISTER, FEMALE, other_age, anchor=0)]


def lodgers(rng: random.Random, count: int) -> list[Member]:
    """Unrelated adults sharing a home: the head and 同居人."""
    head_age = uniform(rng, 20.0, 45.0)
    members = [Member(HEAD, MALE if rng.random() < 0.5 else FEMALE, head_age, anchor=-1)]
    for _ in range(count):
        lodger = Member(LODGER, MALE if rng.random() < 0.5 else FEMALE, uniform(rng, 20.0, 45.0), anchor=-1)
        lodger.own_surname = True
        members.append(lodger)
    return members


def unregistered_couple(rng: random.Random) -> list[Member]:
    head_age = uniform(rng, 25.0, 60.0)
    partner = Member(WIFE_UNREGISTERED, FEMALE, wife_of(rng, head_age), anchor=-1)
    partner.own_surname = True
    return [Member(HEAD, MALE, head_age, anchor=-1), partner]


Template = Callable[[random.Random], list[Member]]

JAPANESE_TEMPLATES: dict[int, Weighted[Template]] = {
    1: Weighted.of([(single, 93.0), (widowed, 7.0)]),
    2: Weighted.of(
        [
            (lambda rng: couple(rng, ELDERLY_HUSBAND_AGE(rng)), 51.0),
            (lambda rng: couple(rng, YOUNG_HUSBAND_AGE(rng)), 17.0),
            (lambda rng: lone_parent(rng, 1), 10.0),
            (lambda rng: elderly_parent_with_children(rng, 1), 12.0),
            (adult_child_with_parent, 5.0),
            (siblings, 2.0),
            (lambda rng: lodgers(rng, 1), 2.0),
            (unregistered_couple, 1.0),
        ]
    ),
    3: Weighted.of(
        [
            (lambda rng: family(rng, 1), 66.0),
            (lambda rng: lone_parent(rng, 2), 10.0),
            (lambda rng: with_parents(rng, 0, 1), 7.0),
            (lambda rng: elderly_parent_with_children(rng, 2), 7.0),
            (lambda rng: single_mother_at_parents(rng, 1), 10.0),
        ]
    ),
    4: Weighted.of(
        [
            (lambda rng: family(rng, 2), 82.0),
            (lambda rng: with_parents(rng, 1, 1), 10.0),
            (lambda rng: lone_parent(rng, 3), 4.0),
            (lambda rng: three_generations(rng, 1, husband_alive=False), 4.0),
        ]
    ),
    5: Weighted.of(
        [
            (lambda rng: family(rng, 3), 50.0),
            (lambda rng: with_parents(rng, 2, 1), 30.0),
            (lambda rng: three_generations(rng, 1), 20.0),
        ]
    ),
    6: Weighted.of(
        [
            (lambda rng: family(rng, 4), 20.0),
            (lambda rng: with_parents(rng, 2, 2), 45.0),
            (lambda rng: three_generations(rng, 2), 35.0),
        ]
    ),
    7: Weighted.of(
        [
            (lambda rng: with_parents(rng, 3, 2), 55.0),
            (lambda rng: three_generations(rng, 3), 45.0),
        ]
    ),
}

HOUSEHOLD_SIZE = Weighted.of([(1, 35.0), (2, 30.0), (3, 17.0), (4, 13.0), (5, 3.6), (6, 1.1), (7, 0.3)])


def current_size(members: list[Member]) -> int:
    """Members still living in the household (not the late head, not a moved-out child)."""
    return sum(1 for m in members if not m.moved_out and not m.died)
