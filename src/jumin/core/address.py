"""番地 as typed at the counter, 丁目 numbers and postcodes (standard spec 1.3.2, 1.1.17).

Two numbering systems exist side by side in one municipality:

* 住居表示 (residence indication, 住居表示に関する法律): 街区符号 and 住居番号, written
  「2番1号」 — after an optional 丁目: 「三丁目2番1号」;
* 地番 (land-lot number of the land register): 本番 and 枝番 …, written 「1234番地」,
  「1234番地5」, 「1234番地5の2」.

Counter staff type these in many ways (「2-1」, 「３丁目２番１号」, 「1234番地の5」,
「1234-5」, 「三丁目」).  :func:`parse_banchi` turns any of them into one
:class:`Banchi` with a canonical text and a numeric sort key, so that 「2番10号」 sorts
after 「2番9号」 (1.3.2 asks for numeric codes of 番地・枝番 for sorting).

A form with an explicit marker decides its own kind: 「号」 is 住居表示, 「番地」 is 地番, and
a bare 「番」 (「2番」, 「2番1」) is read as 住居表示.  A form without any marker (「2-1」,
「1234」, 「1234の5」) needs the kind from its context — the 町字 knows whether 住居表示 is in
force there — and is refused without it rather than guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from jumin.core.errors import DomainError

MAX_NUMBER = 999_999
MAX_CHOME = 999
MAX_RESIDENTIAL_PARTS = 2  # 街区符号, 住居番号
MAX_LOT_PARTS = 4  # 本番, 枝番, and two more levels of 枝番
NUMBER_WIDTH = 6

_KANJI_DIGITS = "〇一二三四五六七八九"
_KANJI_UNITS = {"十": 10, "百": 100}

# After NFKC: every dash-like character counters staff type between numbers.
_DASHES = re.compile(r"[\u2010-\u2015\u2212\u30fc\uff70\ufe63\u2043]")
_SPACES = re.compile(r"\s")
_CHOME_PREFIX = re.compile(r"(?P<chome>[0-9]+|[〇一二三四五六七八九十百]+)丁目")
_RESIDENTIAL = re.compile(r"(\d+)[-番の](\d+)号")
_LOT = re.compile(r"(\d+)番地(?:[-の]?(\d+(?:[-の]\d+)*))?")
_PLAIN = re.compile(r"\d+(?:[-の]\d+)*|\d+番(?:\d+(?:[-の]\d+)*)?")
_SEPARATORS = re.compile(r"[-の番]")
_POSTCODE_NOISE = re.compile(r"[〒\s-]")


class BanchiKind(StrEnum):
    RESIDENTIAL = "住居表示"
    LOT = "地番"


_KIND_RANK = {BanchiKind.RESIDENTIAL: 0, BanchiKind.LOT: 1}


def _error_format() -> DomainError:
    return DomainError("banchi.bad_format", "番地の形式が正しくありません（例: 2番1号、1234番地5、2-1）。")


@dataclass(frozen=True)
class Banchi:
    """A parsed 番地: its kind, its numbers (街区符号・住居番号 or 本番・枝番…) and an optional 丁目."""

    kind: BanchiKind
    numbers: tuple[int, ...]
    chome: int | None = None

    def __post_init__(self) -> None:
        limit = MAX_RESIDENTIAL_PARTS if self.kind is BanchiKind.RESIDENTIAL else MAX_LOT_PARTS
        if not 1 <= len(self.numbers) <= limit:
            raise DomainError(
                "banchi.too_many_parts", "住居表示は丁目・番・号まで、地番は本番と枝番3つまでで入力してください。"
            )
        if any(not 1 <= number <= MAX_NUMBER for number in self.numbers):
            raise DomainError("banchi.out_of_range", "番地の数字は1から999999までです。")
        if self.chome is not None:
            _check_chome(self.chome)

    @property
    def banchi_text(self) -> str:
        """The canonical 番地 without the 丁目: 「2番1号」, 「2番」, 「1234番地」, 「1234番地5の2」."""
        first, *rest = self.numbers
        if self.kind is BanchiKind.RESIDENTIAL:
            return f"{first}番" + "".join(f"{number}号" for number in rest)
        return f"{first}番地" + "の".join(str(number) for number in rest)

    @property
    def text(self) -> str:
        """The canonical text with the 丁目 in 漢数字: 「三丁目2番1号」."""
        return (chome_text(self.chome) if self.chome else "") + self.banchi_text

    @property
    def sort_key(self) -> tuple[int, ...]:
        """丁目, kind, then the numbers: 「2番9号」 < 「2番10号」, and 「2番」 < 「2番1号」."""
        return (self.chome or 0, _KIND_RANK[self.kind], *self.numbers)

    @property
    def sort_text(self) -> str:
        """:attr:`sort_key` as fixed-width digits for a database column: the same order as a
        string, and the sort text of 「2番」 is a prefix of those of 「2番1号」, 「2番10号」 …"""
        return f"{self.chome or 0:03d}{_KIND_RANK[self.kind]}" + "".join(
            f"{number:0{NUMBER_WIDTH}d}" for number in self.numbers
        )

    def __str__(self) -> str:
        return self.text


def normalize_banchi_input(text: str) -> str:
    """Full-width to half-width, every dash to 「-」, 「ノ」 to 「の」, white space removed."""
    text = unicodedata.normalize("NFKC", text)
    text = _DASHES.sub("-", _SPACES.sub("", text))
    return text.replace("ノ", "の")


def parse_banchi(text: str, *, kind: BanchiKind | None = None) -> Banchi:
    """Read a typed 番地.  ``kind`` is the numbering in force where the address lies; it is
    used only for forms that carry no marker of their own (「2-1」, 「1234の5」)."""
    rest = normalize_banchi_input(text)
    if not rest:
        raise DomainError("banchi.empty", "番地を入力してください。")
    chome: int | None = None
    prefix = _CHOME_PREFIX.match(rest)
    if prefix:
        chome = parse_chome(prefix["chome"])
        rest = rest[prefix.end() :]
    if match := _RESIDENTIAL.fullmatch(rest):
        return Banchi(BanchiKind.RESIDENTIAL, (int(match[1]), int(match[2])), chome)
    if match := _LOT.fullmatch(rest):
        tail = _numbers(match[2]) if match[2] else ()
        return Banchi(BanchiKind.LOT, (int(match[1]), *tail), chome)
    if _PLAIN.fullmatch(rest):
        return _plain(rest, chome, kind)
    raise _error_format()


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in _SEPARATORS.split(text) if part)


def _plain(text: str, chome: int | None, kind: BanchiKind | None) -> Banchi:
    """「2-1」, 「1234の5」, 「2番」, 「2番1」, 「3-2-1」: the kind comes from the context, or
    from a bare 「番」 (read as 住居表示)."""
    if kind is None:
        if "番" not in text:
            raise DomainError(
                "banchi.kind_unknown",
                "住居表示（番・号）か地番（番地）か分かりません。「2番1号」「1234番地5」のように入力してください。",
            )
        kind = BanchiKind.RESIDENTIAL
    numbers = _numbers(text)
    if kind is BanchiKind.RESIDENTIAL and len(numbers) == 3 and chome is None and "番" not in text:
        chome, numbers = numbers[0], numbers[1:]  # 「3-2-1」 = 三丁目2番1号
    return Banchi(kind, numbers, chome)


# -- 丁目 ----------------------------------------------------------------------------------


def _check_chome(number: int) -> None:
    if not 1 <= number <= MAX_CHOME:
        raise DomainError("chome.out_of_range", "丁目は1から999までです。")


def int_to_kanji(number: int) -> str:
    """1 → 「一」, 10 → 「十」, 23 → 「二十三」, 105 → 「百五」 (1 to 999)."""
    if not 1 <= number <= MAX_CHOME:
        raise DomainError("kanji_number.out_of_range", "漢数字にできるのは1から999までです。")
    hundreds, rest = divmod(number, 100)
    tens, ones = divmod(rest, 10)
    text = ""
    for count, unit in ((hundreds, "百"), (tens, "十")):
        if count:
            text += ("" if count == 1 else _KANJI_DIGITS[count]) + unit
    return text + (_KANJI_DIGITS[ones] if ones else "")


def kanji_to_int(text: str) -> int:
    """「二十三」 and the positional 「二三」 → 23; 「十」 → 10; 「百五」 → 105."""
    if not text or any(ch not in _KANJI_DIGITS and ch not in _KANJI_UNITS for ch in text):
        raise DomainError("kanji_number.bad_format", "漢数字の形式が正しくありません。")
    if not any(ch in _KANJI_UNITS for ch in text):
        return int("".join(str(_KANJI_DIGITS.index(ch)) for ch in text))
    total, digit, last_unit = 0, None, 1000
    for ch in text:
        unit = _KANJI_UNITS.get(ch)
        if unit is None:
            if digit is not None:
                raise DomainError("kanji_number.bad_format", "漢数字の形式が正しくありません。")
            digit = _KANJI_DIGITS.index(ch)
            continue
        if unit >= last_unit or digit == 0:
            raise DomainError("kanji_number.bad_format", "漢数字の形式が正しくありません。")
        total += (1 if digit is None else digit) * unit
        digit, last_unit = None, unit
    return total + (digit or 0)


def chome_text(number: int) -> str:
    """3 → 「三丁目」."""
    _check_chome(number)
    return f"{int_to_kanji(number)}丁目"


def parse_chome(text: str) -> int:
    """「三丁目」, 「三」, 「3丁目」, 「３」 → 3."""
    text = normalize_banchi_input(text).removesuffix("丁目")
    if not text:
        raise DomainError("chome.empty", "丁目を入力してください。")
    number = int(text) if text.isascii() and text.isdigit() else kanji_to_int(text)
    _check_chome(number)
    return number


# -- 郵便番号 (1.1.17) -----------------------------------------------------------------------


def normalize_postcode(text: str) -> str:
    """「〒362-0031」, 「３６２－００３１」, 「362 0031」 → 「3620031」."""
    digits = _POSTCODE_NOISE.sub("", normalize_banchi_input(text))
    if not re.fullmatch(r"[0-9]{7}", digits):
        raise DomainError("postcode.bad_format", "郵便番号は7桁の数字です（例: 362-0031）。")
    return digits


def format_postcode(postcode: str) -> str:
    """「3620031」 → 「362-0031」."""
    return f"{postcode[:3]}-{postcode[3:]}"


# -- 住所 as shown and printed (1.1.1 住所・方書, 5.4) ------------------------------------------

FULL_WIDTH_SPACE = "\u3000"


def street_address(address: str, banchi: str) -> str:
    """住所 with its 番地: 「埼玉県上尾市平塚三丁目」 + 「2番1号」 → 「埼玉県上尾市平塚三丁目2番1号」.
    A 番地 the address already ends with (an address typed whole, or a row written before the
    番地 was kept apart) is not added twice."""
    address, banchi = address.strip(), banchi.strip()
    if not banchi or address.endswith(banchi):
        return address
    return address + banchi


def full_address(address: str, banchi: str, katagaki: str) -> str:
    """住所, 番地 and 方書 on one line, the 方書 after a full-width space:
    「埼玉県上尾市平塚三丁目2番1号　グリーンハイツ101」."""
    street = street_address(address, banchi)
    katagaki = katagaki.strip()
    return f"{street}{FULL_WIDTH_SPACE}{katagaki}" if katagaki and street else street or katagaki


# -- 住所 as typed in a search (2.1.2; issue 17): 「平塚4-7-11」, 「平塚四丁目7-11」 -----------------

_QUERY = re.compile(
    r"(?P<town>.*?)(?:(?P<chome>[0-9]+|[〇一二三四五六七八九十百]+)丁目)?"
    r"(?P<numbers>[0-9]+(?:(?:番地|番|号|-|の)[0-9]+)*(?:番地|番|号)?)?"
)
_NUMBER_SPLIT = re.compile(r"番地|番|号|-|の")


@dataclass(frozen=True)
class AddressReading:
    """One way to read a typed address: the 町字 text, a 丁目 and the 番地 numbers."""

    town: str
    chome: int | None
    numbers: tuple[int, ...]

    def place_text(self) -> str:
        """What the stored 住所 contains: 「平塚」 + 「四丁目」."""
        return self.town + (chome_text(self.chome) if self.chome else "")

    def banchi_texts(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The stored 番地 texts that match: (equal to one of, or starting with one of)."""
        if not self.numbers:
            return (), ()
        first, *rest = self.numbers
        if not rest:  # 「7」: 「7番」, 「7番1号」, 「7番地」, 「7番地3」 — not 「70番」
            return (), (f"{first}番",)
        lot = f"{first}番地" + "の".join(str(n) for n in rest)
        equal = [lot]
        if len(rest) == 1:
            equal.append(f"{first}番{rest[0]}号")
        return tuple(equal), (lot + "の",)


def read_address_query(text: str) -> list[AddressReading]:
    """The readings of a typed address criterion, the most literal first.  Dashes, full-width
    digits and 丁目 in 漢数字 or digits are normalised; without 「丁目」 the first of several
    numbers may be the 丁目 (「平塚4-7-11」 is 平塚四丁目7番11号 or 平塚4番地7の11).  An empty list
    when the text is no address with numbers (it is then searched as typed)."""
    normalized = normalize_banchi_input(text)
    match = _QUERY.fullmatch(normalized)
    if match is None or not (match["chome"] or match["numbers"]):
        return []
    town = match["town"]
    numbers = tuple(int(n) for n in _NUMBER_SPLIT.split(match["numbers"] or "") if n)
    if len(numbers) > 1 + MAX_LOT_PARTS or any(not 1 <= n <= MAX_NUMBER for n in numbers):
        return []
    if match["chome"]:
        chome = parse_chome(match["chome"])
        return [AddressReading(town, chome, numbers)] if len(numbers) <= MAX_LOT_PARTS else []
    readings = [AddressReading(town, None, numbers)] if len(numbers) <= MAX_LOT_PARTS else []
    if numbers and numbers[0] <= MAX_CHOME:
        readings.append(AddressReading(town, numbers[0], numbers[1:]))
    return readings
