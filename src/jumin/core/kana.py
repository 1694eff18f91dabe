"""The fuzzy kana search key of standard spec 2.1.2 (あいまい検索).

Two names match when their keys are equal (or, for partial search, when one key
contains the other).  The key ignores, as 2.1.2 requires:

1. 清音・濁音・半濁音 (ヂ=ジ, ズ=ヅ, ワ=ハ, ヴァ=バ, ヴィ=ビ, ヴ=ブ, オ=ヲ, ヒ=ピ);
2. small vs large kana (ッ=ツ, ャ=ヤ, ュ=ユ, ョ=ヨ);
3. the space between 氏 and 名;
4. a 「ウ」 in second or later position after an オ段 kana, read as 「オ」 (サトウ=サトオ);
5. the 長音 mark;
6. the input variants ー ― － ‐ ｰ - and full/half-width spaces;

and it accepts hiragana and half-width katakana.  The order of the steps matters:
ヂ/ヅ fold to ジ/ズ before devoicing, オ段+ウ is applied before devoicing (so ゴウ and ボウ
work), and ハ folds to ワ after devoicing (so バ and パ fold too).

This is *not* the 住基ネット 清音化かな table (J-LIS's CS specification is not public);
it must not be sent to CS as if it were.  ``extended=True`` also folds ヰ→イ, ヱ→エ,
ヴェ→ベ, ヴォ→ボ, which the standard does not list.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# ー ― － ‐ ｰ - (NFKC already maps ｰ to ー and － to -), plus white space.
_IGNORED = re.compile(r"[\s\u30fc\u2015\u2010\u002d\u2012\u2013\u2014\u2212]")

_VU_STANDARD = (("ヴァ", "バ"), ("ヴィ", "ビ"), ("ヴ", "ブ"))
_VU_EXTENDED = (("ヴァ", "バ"), ("ヴィ", "ビ"), ("ヴェ", "ベ"), ("ヴォ", "ボ"), ("ヴ", "ブ"))
_EXTENDED_ONLY = str.maketrans({"ヰ": "イ", "ヱ": "エ"})

_SMALL_TO_LARGE = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")
_WO_AND_DI_DU = str.maketrans({"ヲ": "オ", "ヂ": "ジ", "ヅ": "ズ"})

_VOICED = "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポ"
_PLAIN = "カキクケコサシスセソタチツテトハヒフヘホハヒフヘホ"
_DEVOICE = str.maketrans(_VOICED, _PLAIN)

# オ段 after small→large folding and before devoicing (ョ/ォ are already ヨ/オ).
_O_ROW = frozenset("オコゴソゾトドノホボポモヨロヲ")


def _to_katakana(text: str) -> str:
    """Hiragana -> katakana (ぁ..ゖ and the iteration marks ゝゞ)."""
    return "".join(chr(ord(ch) + 0x60) if "\u3041" <= ch <= "\u3096" or ch in "ゝゞ" else ch for ch in text)


def _fold_o_u(text: str) -> str:
    """A ウ in second or later position after an オ段 kana becomes オ (cascading)."""
    out: list[str] = []
    for index, ch in enumerate(text):
        out.append("オ" if ch == "ウ" and index > 0 and out[-1] in _O_ROW else ch)
    return "".join(out)


@functools.lru_cache(maxsize=1 << 16)
def search_key(text: str, *, extended: bool = False) -> str:
    """The fuzzy search key of a kana name (also accepts hiragana and half-width kana).

    Non-kana characters pass through, with ASCII letters upper-cased, so the key of an
    alphabetic foreign name is still usable for exact matching.  Memoised: names repeat a
    great deal (a search compares the past names of every person born that day), and the
    key is a pure function of its text.
    """
    text = unicodedata.normalize("NFKC", text).upper()
    text = _IGNORED.sub("", _to_katakana(text))
    for source, target in _VU_EXTENDED if extended else _VU_STANDARD:
        text = text.replace(source, target)
    if extended:
        text = text.translate(_EXTENDED_ONLY)
    text = text.translate(_WO_AND_DI_DU).translate(_SMALL_TO_LARGE)
    text = _fold_o_u(text)
    return text.translate(_DEVOICE).replace("ハ", "ワ")


def is_katakana_name(text: str) -> bool:
    """True when ``text`` is only full-width katakana, ー, ・ and spaces (フリガナ input)."""
    return bool(re.fullmatch(r"[\u30a1-\u30fc\u3000 ]+", text)) and bool(text.strip(" \u3000"))
