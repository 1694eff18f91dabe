"""住基ネット統一文字 conversion (standard spec 7.1.1.1, 30.2 文字), pure.

The register keeps names and addresses in the characters of 文字情報基盤 (MJ), possibly with an
異体字 selector (IVS).  What goes to 市町村CS must be in the 住基ネット統一文字 set, with the
代替文字 items (代替文字氏名/住所, their 位置情報 and the 代替文字変換結果) telling the receiver
which characters were replaced.  Per character (a base character and the variation selectors
that follow it count as one):

* in the set → kept;
* else the conversion table maps it to its 代替文字 (a character in the set) → replaced, its
  position recorded;
* else (a 外字 nobody has mapped yet) → the marker (``〓`` by default, a setting: the CS
  convention for an unmappable 外字 is not verified) and its position recorded.

**The set.**  J-LIS's official 統一文字 table is not available offline.  The set is modelled as
JIS X 0208 (what Python's ``iso2022_jp`` codec can encode, plus ASCII — the same rule as
:func:`jumin.core.gaiji.gaiji_count`) together with the characters the table lists without a
代替文字 (the extension: characters of the official set outside JIS X 0208).  The operator loads
the official table into the same data (``jumin load-unified-characters``, docs/jukinet.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from jumin.core.errors import DomainError

DEFAULT_MARKER = "〓"  # 〓 (ゲタ): stands for a character that cannot be converted

# 代替文字変換結果 (our codes: the official code values are not verified)
NOT_NEEDED = "0"  # 変換不要: every character is in the set
CONVERTED = "1"  # 変換済: every character outside the set had a 代替文字
UNCONVERTIBLE = "2"  # 変換不可あり: at least one character became the marker
RESULT_LABELS = {NOT_NEEDED: "変換不要", CONVERTED: "変換済", UNCONVERTIBLE: "変換不可あり"}


def is_selector(char: str) -> bool:
    """A variation selector (VS1–16, or the ideographic VS17–256 of an IVS)."""
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def units(text: str) -> list[str]:
    """The characters of ``text``, each with the variation selectors that follow it."""
    found: list[str] = []
    for char in text:
        if found and is_selector(char):
            found[-1] += char
        else:
            found.append(char)
    return found


def in_jis_x0208(unit: str) -> bool:
    """Whether ``unit`` is one character of JIS X 0208 (or ASCII)."""
    if len(unit) != 1:
        return False
    try:
        unit.encode("iso2022_jp")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class UnifiedTable:
    """The extension of the set (``members``) and the conversion table (``substitutes``: a
    register character, possibly with its selector → its 代替文字)."""

    members: frozenset[str] = frozenset()
    substitutes: Mapping[str, str] = field(default_factory=dict)

    def contains(self, unit: str) -> bool:
        return unit in self.members or in_jis_x0208(unit)


def _one_character(text: str) -> bool:
    """One printable character, optionally followed by one variation selector."""
    if not 1 <= len(text) <= 2 or is_selector(text[0]) or not text[0].isprintable():
        return False
    return len(text) == 1 or is_selector(text[1])


def check_row(char: str, substitute: str) -> None:
    """One row of the table: ``char`` one character (with one selector at most), ``substitute``
    empty (the character is in the set) or one other character.  Raises :class:`DomainError`."""
    if not _one_character(char):
        raise DomainError("unified.char_invalid", "文字は1文字（異体字セレクタを含めて可）で指定してください。")
    if substitute and (len(substitute) != 1 or not _one_character(substitute) or substitute == char):
        raise DomainError("unified.substitute_invalid", "代替文字は元の文字と異なる1文字で指定してください。")
    if substitute and in_jis_x0208(char):
        raise DomainError("unified.char_in_jis", "JIS X 0208 の文字には代替文字を指定できません。")


def build_table(rows: Iterable[tuple[str, str]]) -> UnifiedTable:
    """The table from (文字, 代替文字) rows (代替文字 empty: the character is in the set).  Every
    代替文字 must itself be in the set (JIS X 0208 or a member row), so a converted text is
    always in the set.  Raises :class:`DomainError` on a bad row."""
    members: set[str] = set()
    substitutes: dict[str, str] = {}
    for char, substitute in rows:
        check_row(char, substitute)
        if substitute:
            substitutes[char] = substitute
        elif not in_jis_x0208(char):
            members.add(char)
    table = UnifiedTable(frozenset(members), substitutes)
    if any(not table.contains(sub) for sub in substitutes.values()):
        raise DomainError("unified.substitute_outside", "代替文字が統一文字の範囲外です。")
    if members & substitutes.keys():
        raise DomainError("unified.char_twice", "統一文字の文字に代替文字は指定できません。")
    return table


@dataclass(frozen=True)
class Conversion:
    """The converted text, the number of characters not kept (its 外字数) and their 1-based
    positions in the converted text, and the 代替文字変換結果."""

    text: str
    positions: tuple[int, ...] = ()
    unconvertible: tuple[int, ...] = ()

    @property
    def gaiji_count(self) -> int:
        return len(self.positions)

    @property
    def result(self) -> str:
        if self.unconvertible:
            return UNCONVERTIBLE
        return CONVERTED if self.positions else NOT_NEEDED

    @property
    def positions_text(self) -> str:
        """The 位置情報 item: the positions, comma-separated ("" when none)."""
        return ",".join(str(position) for position in self.positions)


def _convert_unit(unit: str, table: UnifiedTable) -> str | None:
    """The 代替文字 of a character not in the set, or None when it has none."""
    if unit in table.substitutes:
        return table.substitutes[unit]
    if len(unit) == 1:
        return None
    base = unit[0]  # with an 異体字 selector: the character itself when it is in the set
    return base if table.contains(base) else table.substitutes.get(base)


def convert(text: str, table: UnifiedTable, marker: str = DEFAULT_MARKER) -> Conversion:
    """``text`` in the 統一文字 set (see the module docstring)."""
    if _all_jis(text):
        return Conversion(text)  # the usual case: one codec call
    out: list[str] = []
    positions: list[int] = []
    unconvertible: list[int] = []
    for position, unit in enumerate(units(text), 1):
        if table.contains(unit):
            out.append(unit)
            continue
        positions.append(position)
        substitute = _convert_unit(unit, table)
        if substitute is None:
            unconvertible.append(position)
        out.append(marker if substitute is None else substitute)
    return Conversion("".join(out), tuple(positions), tuple(unconvertible))


def _all_jis(text: str) -> bool:
    try:
        text.encode("iso2022_jp")
    except UnicodeEncodeError:
        return False
    return True


def combined_result(*conversions: Conversion) -> str:
    """The one 代替文字変換結果 of several items (氏名 and 住所): the worst of them."""
    return max((c.result for c in conversions), default=NOT_NEEDED)


# -- what we receive ----------------------------------------------------------------------------
#
# A received message (転入通知, 転出証明書情報) carries each name and address as the sender's
# register holds it (``X``) and in 統一文字 (``X_substitute``, ``X_substitute_positions``).  The
# 統一文字 set is part of the register's characters (JIS X 0208 and the table's extension rows are
# MJ characters), so a received character in the set is taken as it is.  What cannot be taken on
# trust is flagged 「文字確認が必要」 and a person confirms it before 本登録: a character the sender
# replaced by its 代替文字 (the person's own character is not the one in the 統一文字 text), the
# marker (a character the sender could not convert), a character outside our set (a 外字 our
# table does not know), and a message whose 代替文字 items do not agree with its text.

SUBSTITUTED = "substituted"  # the sender replaced it by its 代替文字
MARKER = "marker"  # the sender's marker for an unconvertible character (〓)
OUTSIDE_SET = "outside_set"  # not in our 統一文字 set
INCONSISTENT = "inconsistent"  # 位置情報 unreadable, or text and 統一文字 of different lengths
CHECK_LABELS = {
    SUBSTITUTED: "代替文字",
    MARKER: "変換できない文字（〓）",
    OUTSIDE_SET: "統一文字にない文字",
    INCONSISTENT: "代替文字の項目が不整合",
}
CHECK_REQUIRED = "文字確認が必要"


@dataclass(frozen=True)
class ReceivedText:
    """A received item in the register's characters, the 1-based character positions a person
    must confirm and why (codes of :data:`CHECK_LABELS`, in their order there)."""

    text: str
    positions: tuple[int, ...] = ()
    reasons: tuple[str, ...] = ()

    @property
    def needs_check(self) -> bool:
        return bool(self.reasons)

    def note(self, label: str) -> str:
        """One line of the review screen: 「氏名: 1・4文字目（代替文字）」."""
        where = f" {'・'.join(str(p) for p in self.positions)}文字目" if self.positions else ""
        return f"{label}:{where}（{'、'.join(CHECK_LABELS[r] for r in self.reasons)}）"


def _positions(text: str) -> tuple[int, ...] | None:
    """The 位置情報 item ("1,4"; "" none), or None when it is not a list of positive numbers."""
    cells = [cell.strip() for cell in text.split(",")] if text.strip() else []
    if not all(cell.isdigit() and int(cell) > 0 for cell in cells):
        return None
    return tuple(sorted({int(cell) for cell in cells}))


def read_received(
    text: str, substitute: str, positions: str, table: UnifiedTable, marker: str = DEFAULT_MARKER
) -> ReceivedText:
    """A received item: ``text`` as the sender's register holds it (else the 統一文字 text
    ``substitute``), the positions to confirm and why (see the comment above)."""
    chosen = units(text or substitute)
    found: dict[int, set[str]] = {}
    reasons: set[str] = set()
    sent = _positions(positions)
    if sent is None or (text and substitute and len(units(substitute)) != len(chosen)):
        reasons.add(INCONSISTENT)
    for position in sent or ():
        found.setdefault(position, set()).add(SUBSTITUTED)
    for position, unit in enumerate(chosen, 1):
        if unit in {marker, DEFAULT_MARKER}:
            found.setdefault(position, set()).add(MARKER)
        elif not table.contains(unit):
            found.setdefault(position, set()).add(OUTSIDE_SET)
    for codes in found.values():
        reasons |= codes
    ordered = tuple(code for code in CHECK_LABELS if code in reasons)
    return ReceivedText("".join(chosen), tuple(sorted(found)), ordered)


def check_notes(items: Iterable[tuple[str, ReceivedText]]) -> list[str]:
    """The review-screen lines of the items that need a person's check (label, item)."""
    return [item.note(label) for label, item in items if item.needs_check]
