"""続柄 (relationship to the head of household): spec 1.1.11 and the order of 5.2.

1.1.11 allows only

* 世帯主;
* the atoms 夫, 妻, 夫（未届）, 妻（未届）, 子, 子（子の夫）, 子（子の妻）, 父, 母, 兄, 姉, 弟, 妹;
* chains of those atoms joined by 「の」, up to 4 links counted mechanically
  (子の子の子の子) — a relationship that needs 5 or more links is 縁故者;
* 縁故者 and 同居人.

Anything else (祖父, 孫, 甥, 家事使用人, 準世帯主 …) must not be recordable.  When several
spellings describe the same person the highest-ranked one in the 5.2 order is used —
that choice is made by counter staff; :func:`order_rank` gives the rank to compare.

5.2 orders a 世帯連記式 copy: 第1順位 世帯主, 配偶者, 世帯主の子; 第2順位 each 子's family
(子, 子の配偶者, 子の子) by that 子's birth; 第3順位 父母, 兄弟姉妹, 祖父母; 第4順位 other
relatives, 縁故者, 同居人 — each by date of birth, then 宛名番号.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from jumin.core.errors import DomainError

HEAD = "世帯主"
RELATIVE_BY_CONNECTION = "縁故者"
LODGER = "同居人"
SPOUSES = ("夫", "妻", "夫（未届）", "妻（未届）")
CHILDREN = ("子", "子（子の夫）", "子（子の妻）")
PARENTS = ("父", "母")
SIBLINGS = ("兄", "姉", "弟", "妹")
ATOMS: tuple[str, ...] = SPOUSES + CHILDREN + PARENTS + SIBLINGS
MAX_LINKS = 4
CONNECTOR = "の"

# Longest first, so 「子（子の妻）」 wins over 「子」 and 「妻（未届）」 over 「妻」.
_ATOMS_LONGEST_FIRST = sorted(ATOMS, key=len, reverse=True)


class Kind(StrEnum):
    HEAD = "head"
    RELATIVE = "relative"
    CONNECTION = "connection"  # 縁故者
    LODGER = "lodger"  # 同居人


@dataclass(frozen=True)
class Relationship:
    kind: Kind
    chain: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        if self.kind is Kind.HEAD:
            return HEAD
        if self.kind is Kind.CONNECTION:
            return RELATIVE_BY_CONNECTION
        if self.kind is Kind.LODGER:
            return LODGER
        return CONNECTOR.join(self.chain)

    @property
    def links(self) -> int:
        return len(self.chain)

    def __str__(self) -> str:
        return self.text


def relationship_from_chain(atoms: Sequence[str]) -> Relationship:
    """A chain of atoms -> 続柄; more than 4 links becomes 縁故者 (1.1.11 留意点)."""
    if not atoms:
        raise DomainError("relationship.empty", "続柄を入力してください。")
    for atom in atoms:
        if atom not in ATOMS:
            raise DomainError("relationship.not_allowed", "標準仕様で認められていない続柄です。")
    if len(atoms) > MAX_LINKS:
        return Relationship(Kind.CONNECTION)
    return Relationship(Kind.RELATIVE, tuple(atoms))


def parse_relationship(text: str) -> Relationship:
    """Validate a typed 続柄; half-width parentheses and spaces are tolerated.

    Unlike :func:`relationship_from_chain`, a typed chain of 5+ links is an error: the
    operator must record 縁故者 explicitly.
    """
    value = re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）")
    simple = {HEAD: Kind.HEAD, RELATIVE_BY_CONNECTION: Kind.CONNECTION, LODGER: Kind.LODGER}
    if value in simple:
        return Relationship(simple[value])
    atoms = _split_chain(value)
    if len(atoms) > MAX_LINKS:
        raise DomainError(
            "relationship.too_long", "続柄は「の」でつないで4世代までです。それを超える場合は縁故者としてください。"
        )
    return relationship_from_chain(atoms)


def _split_chain(value: str) -> list[str]:
    atoms: list[str] = []
    position = 0
    while True:
        atom = next((a for a in _ATOMS_LONGEST_FIRST if value.startswith(a, position)), None)
        if atom is None:
            raise DomainError("relationship.not_allowed", "標準仕様で認められていない続柄です。")
        atoms.append(atom)
        position += len(atom)
        if position == len(value):
            return atoms
        if not value.startswith(CONNECTOR, position):
            raise DomainError("relationship.not_allowed", "標準仕様で認められていない続柄です。")
        position += len(CONNECTOR)


def is_allowed(text: str) -> bool:
    try:
        parse_relationship(text)
    except DomainError:
        return False
    return True


# -- 5.2 order ---------------------------------------------------------------------------


def _is_child_family(chain: tuple[str, ...]) -> bool:
    """子 followed only by 子 and spouse links: a member of a 子's family (第2順位)."""
    return chain[0] in CHILDREN and all(a in CHILDREN or a in SPOUSES for a in chain[1:])


def order_rank(rel: Relationship) -> tuple[int, int]:
    """(順位, position inside it) of 5.2 for one relationship, e.g. 妻 -> (1, 2).

    A 子 is (1, 3) unless their own family lives in the household, which makes them
    (2, 1); that depends on the household, so :func:`household_order` decides it.
    """
    if rel.kind is Kind.HEAD:
        return (1, 1)
    if rel.kind is Kind.CONNECTION:
        return (4, 2)
    if rel.kind is Kind.LODGER:
        return (4, 3)
    chain = rel.chain
    if len(chain) == 1 and chain[0] in SPOUSES:
        return (1, 2)
    if chain == ("子",):
        return (1, 3)
    if _is_child_family(chain):
        spouse_of_child = chain in (("子（子の夫）",), ("子（子の妻）",)) or (len(chain) == 2 and chain[1] in SPOUSES)
        return (2, 2) if spouse_of_child else (2, 3)
    if len(chain) == 1 and chain[0] in PARENTS:
        return (3, 1)
    if len(chain) == 1 and chain[0] in SIBLINGS:
        return (3, 2)
    if len(chain) == 2 and chain[0] in PARENTS and chain[1] in PARENTS:
        return (3, 3)
    return (4, 1)


@dataclass(frozen=True)
class Member:
    """What 5.2 needs to know about one 世帯員.

    ``family_of`` is the 宛名番号 of the 子 (or 親族/縁故者) whose family this member
    belongs to — the register records it when the household is formed; 5.2 cannot be
    applied to two married children without it.
    """

    atena_no: str
    relationship: Relationship
    birth: date | None
    is_koseki_head: bool = False
    family_of: str | None = None


def _by_birth(member: Member) -> tuple[date, str]:
    return (member.birth or date.min, member.atena_no)


def _koseki_head_first(member: Member) -> tuple[bool, date, str]:
    return (not member.is_koseki_head, *_by_birth(member))


def _family_sorted(anchor: Member, family: Iterable[Member]) -> list[Member]:
    """An anchor and their family: anchor, spouse(s), then the rest by birth (2-1..2-3)."""

    def key(member: Member) -> tuple[int, date, str]:
        chain = member.relationship.chain
        is_spouse = bool(chain) and (chain[-1] in SPOUSES or chain[-1] in CHILDREN[1:])
        return (0 if is_spouse else 1, *_by_birth(member))

    return [anchor, *sorted(family, key=key)]


_ANCHOR_RANKS = ((1, 3), (4, 1), (4, 2), (4, 3))


def _families(members: list[Member]) -> dict[str, list[Member]]:
    """Anchor 宛名番号 -> the members whose ``family_of`` names that anchor.

    Only a 世帯主の子 (whose family is 第2順位) or a 第4順位 member (whose family is
    第4順位 too) can anchor a family, and an anchor must not be part of another family
    itself; other ``family_of`` values are ignored."""
    by_atena = {m.atena_no: m for m in members}

    def anchor_of(member: Member) -> Member | None:
        anchor = by_atena.get(member.family_of or "")
        return anchor if anchor is not None and anchor is not member else None

    def can_anchor(member: Member) -> bool:
        return order_rank(member.relationship) in _ANCHOR_RANKS and anchor_of(member) is None

    def fits(member: Member, anchor: Member) -> bool:
        wanted = 2 if order_rank(anchor.relationship) == (1, 3) else 4
        return order_rank(member.relationship)[0] == wanted

    families: dict[str, list[Member]] = {}
    for member in members:
        anchor = anchor_of(member)
        if anchor is not None and can_anchor(anchor) and fits(member, anchor):
            families.setdefault(anchor.atena_no, []).append(member)
    return families


def household_order(members: Iterable[Member]) -> list[Member]:
    """Order the members of one household as 5.2 prescribes (a permutation of ``members``)."""
    members = list(members)
    families = _families(members)
    in_family = {m.atena_no for group in families.values() for m in group}
    ranked = [(order_rank(m.relationship), m) for m in members if m.atena_no not in in_family]

    def group(rank: tuple[int, int]) -> list[Member]:
        return [m for r, m in ranked if r == rank]

    children = group((1, 3))
    head_children = sorted((c for c in children if c.atena_no not in families), key=_by_birth)
    anchors = sorted((c for c in children if c.atena_no in families), key=_by_birth)
    ordered = sorted(group((1, 1)), key=_by_birth) + sorted(group((1, 2)), key=_by_birth) + head_children
    for anchor in anchors:
        ordered += _family_sorted(anchor, families[anchor.atena_no])
    ordered += sorted(group((2, 2)) + group((2, 3)), key=lambda m: (order_rank(m.relationship), *_by_birth(m)))
    ordered += sorted(group((3, 1)), key=_koseki_head_first)
    ordered += sorted(group((3, 2)), key=_by_birth)
    ordered += sorted(group((3, 3)), key=_koseki_head_first)
    for rank in ((4, 1), (4, 2), (4, 3)):
        for member in sorted(group(rank), key=lambda m: (m.relationship.links, *_by_birth(m))):
            ordered += _family_sorted(member, families.get(member.atena_no, []))
    return ordered


def with_manual_order(ordered: Sequence[Member], manual: Sequence[str]) -> list[Member]:
    """5.2 allows the order to be set by hand and kept: the members named in ``manual``
    (宛名番号, in the order chosen) come first; members not named — who joined the household
    after the order was set — are appended in their place in ``ordered`` (the computed order).
    Names of persons no longer in the household are ignored.  A permutation of ``ordered``."""
    by_atena = {member.atena_no: member for member in ordered}
    first = [by_atena[atena_no] for atena_no in dict.fromkeys(manual) if atena_no in by_atena]
    chosen = {member.atena_no for member in first}
    return first + [member for member in ordered if member.atena_no not in chosen]
