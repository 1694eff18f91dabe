"""本籍・筆頭者 of the Japanese members of one household.

Rules: a married couple and their unmarried children share one 戸籍 whose 筆頭者 is the
husband (the Japanese spouse in a marriage with a foreigner); a widow stays in her late
husband's 戸籍; the never-married stay in their father's; a married 子 heads their own,
shared with 子の妻 and 子の子; the head's parents are in the father's.  Foreign residents
have neither.  Relatives who are not in the household (a father, a late husband) get an
invented given name.  Names are written 「氏　名」 with a full-width space.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import jumin.synthetic.composition as comp
from jumin.core.relationship import Relationship
from jumin.synthetic.composition import Member
from jumin.synthetic.model import Sex

if TYPE_CHECKING:
    from jumin.synthetic.household import Name, Tools

YEAR = 365.2425

Koseki = tuple[str | None, str | None]


def is_sibling(rel: Relationship) -> bool:
    return (
        rel is comp.OLDER_BROTHER
        or rel is comp.OLDER_SISTER
        or rel is comp.YOUNGER_BROTHER
        or rel is comp.YOUNGER_SISTER
    )


class KosekiAssigner:
    def __init__(self, tools: Tools, drafts: list[Member], births: list[int], names: list[Name]) -> None:
        self.tools = tools
        self.rng = tools.rng
        self.drafts = drafts
        self.births = births
        self.surnames = [n[0] for n in names]
        self.full = [f"{n[0]}\u3000{n[1]}" for n in names]
        self.honseki = ""
        self.father: str | None = None

    def _born(self, index: int) -> int:
        return int(self.births[index] / YEAR) + 1

    def _invented(self, surname: str, birth_year: int) -> str:
        given = self.tools.names.given(self.rng, Sex.MALE, birth_year)
        return f"{surname}\u3000{given[0]}"

    def _father(self) -> str:
        """The head's father: in the household as 父, or invented once."""
        if self.father is None:
            index = next((i for i, m in enumerate(self.drafts) if m.rel is comp.FATHER), None)
            if index is not None:
                self.father = self.full[index]
            else:
                self.father = self._invented(self.surnames[0], self._born(0) - 30)
        return self.father

    def assign(self) -> list[Koseki]:
        drafts = self.drafts
        result: list[Koseki] = [(None, None)] * len(drafts)
        if all(m.foreign for m in drafts):
            return result
        self.honseki = self.tools.honseki()
        head = self._head()
        for index, member in enumerate(drafts):
            if not member.foreign:
                result[index] = head if index == 0 else self._member(index, member, head)
        return result

    def _member(self, index: int, member: Member, head: Koseki) -> Koseki:
        rel = member.rel
        if member.died or is_sibling(rel) or (member.anchor >= 0 and (rel is comp.WIFE or rel is comp.HUSBAND)):
            return head
        if rel is comp.CHILD:
            has_family = any(m.family_of == index for m in self.drafts)
            return (self.honseki, self.full[index]) if has_family else head
        if rel is comp.CHILD_WIFE or rel is comp.GRANDCHILD:
            return (self.honseki, self.full[member.family_of])
        if rel is comp.FATHER or rel is comp.MOTHER:
            return (self.honseki, self._father())
        return self._single(index, self.tools.honseki())

    def _head(self) -> tuple[str, str]:
        drafts, honseki = self.drafts, self.honseki
        head = drafts[0]
        spouse = next(
            (i for i, m in enumerate(drafts) if i and (m.rel is comp.WIFE or m.rel is comp.HUSBAND or m.died)), None
        )
        if spouse is not None and not drafts[spouse].foreign:
            return honseki, self.full[0 if head.sex is Sex.MALE else spouse]
        if spouse is not None:  # married to a foreigner: the Japanese spouse heads a new 戸籍
            return honseki, self.full[0]
        if any(m.rel is comp.CHILD or m.rel is comp.GRANDCHILD for m in drafts):
            if head.sex is Sex.MALE or self.rng.random() < 0.5:
                return honseki, self.full[0]
            return honseki, self._invented(self.surnames[0], self._born(0) - 3)
        if any(is_sibling(m.rel) for m in drafts):
            return honseki, self._father()
        return self._single(0, honseki)

    def _single(self, index: int, honseki: str) -> tuple[str, str]:
        """Never married (father's 戸籍), divorced (own) or widowed (late husband's)."""
        member = self.drafts[index]
        draw = self.rng.random()
        if member.sex is Sex.MALE:
            own = draw < 0.4
        elif member.age < 60:
            own = draw < 0.35
        elif draw < 0.7:
            return honseki, self._invented(self.surnames[index], self._born(index) - 3)
        else:
            own = draw < 0.85
        if own:
            return honseki, self.full[index]
        if index == 0:
            return honseki, self._father()
        return honseki, self._invented(self.surnames[index], self._born(index) - 30)
