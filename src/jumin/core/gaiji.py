"""外字: characters outside JIS X 0208 (and ASCII), counted the same way for the 住基ネット
本人確認情報 and the カード管理 items (issue 16: in the core, so cards needs no 住基ネット import)."""

from __future__ import annotations


def gaiji_count(text: str) -> int:
    """Characters outside JIS X 0208 (and ASCII): the 外字 a 住基ネット telegram must flag."""
    try:
        text.encode("iso2022_jp")
        return 0  # the usual case: one call instead of one per character
    except UnicodeEncodeError:
        pass
    count = 0
    for char in text:
        try:
            char.encode("iso2022_jp")
        except UnicodeEncodeError:
            count += 1
    return count
