"""Build the shipped seed of the 住基ネット統一文字 conversion table (docs/jukinet.md "統一文字").

    python scripts/build_unified_characters.py            # rewrite src/jumin/linkage/data/unified_characters.csv
    python scripts/build_unified_characters.py --check    # exit 1 if the file is stale

Every row maps a character outside JIS X 0208 to a 代替文字 in JIS X 0208, chosen by the first
rule that gives one answer:

1. ``group``: the character is in a name-variant group of :mod:`jumin.core.variants` whose first
   character (the common form) is in JIS X 0208 (髙→高, 﨑→崎, 𠮷→吉);
2. ``cp932``: a character Windows (CP932) writes for a JIS X 0208 code where Python's JIS codecs
   expect another (－ U+FF0D → − U+2212, ～ U+FF5E → 〜 U+301C, ∥ U+2225 → ‖ U+2016 …): the
   same JIS X 0208 code read back with ``shift_jis``;
3. ``nfkc``: a CJK compatibility ideograph or a half-width form (ｱ → ア) whose Unicode NFKC form
   is one character in JIS X 0208;
4. ``ja-itaiji``: the 異体字 of the character in the public ``ja-itaiji`` data (MIT licence)
   that are in JIS X 0208 — the only one, or the only one of JIS 第1水準.

Characters with no answer (no variant in JIS X 0208, or several equal ones) get no row: they are
sent as the marker until the operator loads the official table.  This is seed data, not the
official J-LIS table.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ja_itaiji import Itaiji  # type: ignore[import-untyped]  # noqa: E402

from jumin.core.unified_chars import in_jis_x0208  # noqa: E402
from jumin.core.variants import NAME_VARIANT_GROUPS  # noqa: E402

TARGET = ROOT / "src" / "jumin" / "linkage" / "data" / "unified_characters.csv"
HEADER = ("文字", "代替文字", "備考")


def _level1(char: str) -> bool:
    """JIS X 0208 第1水準 (rows 16–47)."""
    return 0xB0 <= char.encode("euc_jp")[0] <= 0xCF


def rows() -> list[tuple[str, str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for group in NAME_VARIANT_GROUPS:
        for char in group:
            if not in_jis_x0208(char) and in_jis_x0208(group[0]):
                found[char] = (group[0], "seed:group")
    for code in range(0x20, 0x10000):
        char = chr(code)
        if char in found or in_jis_x0208(char) or not char.isprintable():
            continue
        try:
            same_code = char.encode("cp932").decode("shift_jis")
        except UnicodeError:
            continue  # not in CP932, or a NEC/IBM extension with no JIS X 0208 code
        if same_code != char and in_jis_x0208(same_code):
            found[char] = (same_code, "seed:cp932")
    for code in (*range(0xF900, 0xFB00), *range(0x2F800, 0x2FA20), *range(0xFF00, 0xFFF0)):
        char = chr(code)
        normal = unicodedata.normalize("NFKC", char)
        if char not in found and normal != char and in_jis_x0208(normal) and not in_jis_x0208(char):
            found[char] = (normal, "seed:nfkc")
    family: dict[str, set[str]] = {}
    for char, variants in Itaiji.dictionary.items():
        for variant in variants:
            if len(char) == 1 and len(variant) == 1 and char != variant:
                family.setdefault(char, set()).add(variant)
                family.setdefault(variant, set()).add(char)
    for char in sorted(family):
        if char in found or in_jis_x0208(char):
            continue
        candidates = sorted(v for v in family[char] if in_jis_x0208(v))
        if len(candidates) > 1:
            candidates = [v for v in candidates if _level1(v)]
        if len(candidates) == 1:
            found[char] = (candidates[0], "seed:ja-itaiji")
    return sorted((char, sub, note) for char, (sub, note) in found.items())


def render() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows())
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    text = render()
    if parser.parse_args().check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET.relative_to(ROOT)} is stale: run python scripts/build_unified_characters.py")
            return 1
        return 0
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(text, encoding="utf-8")
    print(f"{TARGET.relative_to(ROOT)}: {text.count(chr(10)) - 1} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
