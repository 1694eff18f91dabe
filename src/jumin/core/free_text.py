"""個人番号 in free text (備考・メモ・交付目的・理由 …).

A valid 個人番号 (12 digits whose check digit matches) typed into a free-text field would be
kept in clear — in append-only history, shown to roles without the number capability.  This
module finds one: 12 digits standing alone (no digit directly before or after), ASCII or
full-width, also written in the usual 4-4-4 grouping with one separator between the groups
(space, ideographic space, hyphen or a dash look-alike).  Only runs whose check digit
matches count, so an 11-digit 住民票コード, a 10-digit 宛名番号 or a telephone number is
never refused.  The caller never gets the number itself back, only where it is.
"""

from __future__ import annotations

import re

from jumin.core.check_digits import is_valid_individual_number

_DIGIT = "[0-9０-９]"
_SEPARATOR = "[ \u3000\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d\u30fc]"
# A lookahead, so overlapping candidates are all tried ("1234 5678 9012 3456" holds two).
_CANDIDATE = re.compile(
    rf"(?<!{_DIGIT})(?=({_DIGIT}{{4}}{_SEPARATOR}?{_DIGIT}{{4}}{_SEPARATOR}?{_DIGIT}{{4}})(?!{_DIGIT}))"
)
_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def individual_number_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every valid 個人番号 written in ``text``, in order."""
    spans: list[tuple[int, int]] = []
    for match in _CANDIDATE.finditer(text):
        written = match.group(1)
        digits = "".join(ch for ch in written.translate(_FULL_WIDTH) if ch.isascii() and ch.isdigit())
        if is_valid_individual_number(digits):
            spans.append((match.start(1), match.end(1)))
    return spans


def contains_individual_number(text: str) -> bool:
    """True when ``text`` holds a valid 個人番号 (see the module text for the forms found)."""
    return bool(individual_number_spans(text))
