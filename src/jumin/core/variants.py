"""異体字 groups for name search (standard spec 2.1.2), pure.

Two kinds of links make a search for one spelling find another:

* **Closed groups.**  The built-in :data:`NAME_VARIANT_GROUPS` (characters that are the same
  character in a person's name: 斉・齊・斎・齋, 吉・𠮷, 高・髙 …) and the pairs staff confirmed are
  merged with a union-find, so the relation is transitive: 斉=齊 and 齊=齋 give 斉=齋.
* **Public pairs, one step.**  The public ``ja-itaiji`` data links characters loosely (濱 lists
  頻, 吉 lists 桔); closing those transitively would chain unrelated characters together, so a
  character only gains its own direct public neighbours.

A character therefore expands to its closed group plus its one-step public neighbours.  The
relation stays symmetric (public pairs are stored both ways), which keeps "A finds B" and
"B finds A" the same.
"""

from __future__ import annotations

from collections.abc import Iterable

# Characters that are one character in a name (戸籍 / 住民票 spellings of the same surname or
# given name).  Only true name variants: 坂/阪 or 藤/籐 are different names and are left to the
# public data or to staff.  The compatibility ideographs are written as escapes so that no
# editor or normaliser (NFC folds U+FA10 into 塚) can silently merge them into the base form.
NAME_VARIANT_GROUPS: tuple[str, ...] = (
    "斉齊斎齋",
    "吉\U00020bb7",  # 𠮷 (つちよし)
    "高髙",
    "崎\ufa11嵜碕",  # 﨑 (たつさき)
    "辺邊邉",
    "沢澤",
    "浜濱濵",
    "島嶋嶌",
    "国國",
    "桜櫻",
    "竜龍",
    "広廣",
    "恵惠",
    "徳德",
    "塚\ufa10",
    "瀬瀨",
    "条條",
    "富冨",
    "渕淵",
    "槙槇",
    "桧檜",
    "関關",
    "館舘",
    "峰峯",
    "柳栁",
    "曽曾",
    "万萬",
    "栄榮",
    "寿壽",
    "実實",
    "黒黑",
    "亀龜",
    "鶴靍靏",
    "神\ufa19",
    "福\ufa1b",
    "郎郞",
    "隆\uf9dc",
)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, char: str) -> str:
        root = self.parent.setdefault(char, char)
        while root != self.parent[root]:
            root = self.parent[root]
        while char != root:  # path compression
            self.parent[char], char = root, self.parent[char]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def closed_groups(
    groups: Iterable[str] = NAME_VARIANT_GROUPS, pairs: Iterable[tuple[str, str]] = ()
) -> dict[str, frozenset[str]]:
    """char -> every character of its transitively closed group (itself included), for the
    characters named in ``groups`` (each a string of mutual variants) or in ``pairs``."""
    sets = _UnionFind()
    for group in groups:
        for char in group:
            sets.union(group[0], char)
    for a, b in pairs:
        sets.union(a, b)
    members: dict[str, set[str]] = {}
    for char in list(sets.parent):
        members.setdefault(sets.find(char), set()).add(char)
    return {char: frozenset(members[sets.find(char)]) for char in sets.parent}


def expansion(
    staff_pairs: Iterable[tuple[str, str]] = (),
    public_pairs: Iterable[tuple[str, str]] = (),
    groups: Iterable[str] = NAME_VARIANT_GROUPS,
) -> dict[str, frozenset[str]]:
    """char -> the characters a search for it also accepts (without itself): its closed group
    (built-in groups and staff pairs) plus its own one-step public neighbours."""
    found: dict[str, set[str]] = {char: set(group) for char, group in closed_groups(groups, staff_pairs).items()}
    for a, b in public_pairs:
        found.setdefault(a, {a}).add(b)
        found.setdefault(b, {b}).add(a)
    return {char: frozenset(chars - {char}) for char, chars in found.items() if chars - {char}}
