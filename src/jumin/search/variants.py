"""異体字・正字 inclusive search (standard spec 2.1.2): the variant table and query expansion.

Why expansion and not a normalised column: the table is maintained (staff add entries, the
public data is refreshed), and a normalised-name column would have to be recomputed over a
million residents and every history row (which are append-only) at each change.  Expanding the
*query* instead costs nothing at write time, and a name has few variants (辺 has 4, 斉 7), so
「渡辺　太郎」 becomes ``surname IN (渡辺, 渡邊, 渡邉, 渡边) AND given_name IN (太郎)``, one probe of
the (surname, given_name) index.  The expansion is capped (:data:`MAX_FORMS`) so a long name of
variant-rich characters cannot turn into a huge IN list.

What a character expands to is decided in :mod:`jumin.core.variants`: the built-in name-variant
groups and the staff-confirmed pairs are closed transitively (斉=齊=斎=齋, 吉=𠮷), while the public
pairs count one step only: the public data links some characters loosely (濱 lists 頻, 吉 lists
桔), and a closure would chain unrelated characters together.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Mapping

from django.db import transaction

from jumin.core.variants import expansion
from jumin.search.models import VariantKanji

MAX_FORMS = 64
_TTL_SECONDS = 60.0


class _Cache:
    table: dict[str, frozenset[str]] | None = None
    loaded_at = 0.0


def package_pairs(only: Iterable[str] | None = None) -> set[tuple[str, str]]:
    """Symmetric (char, variant) pairs from the ``ja-itaiji`` data (MIT licence), optionally
    only those touching the characters in ``only``."""
    from ja_itaiji import Itaiji  # type: ignore[import-untyped]  # noqa: PLC0415 - its data loads at import

    wanted = set(only) if only is not None else None
    pairs: set[tuple[str, str]] = set()
    dictionary: Mapping[str, list[str]] = Itaiji.dictionary
    for char, family in dictionary.items():
        for variant in family:
            if variant == char or len(char) != 1 or len(variant) != 1:
                continue
            if wanted is not None and char not in wanted and variant not in wanted:
                continue
            pairs.add((char, variant))
            pairs.add((variant, char))
    return pairs


def load_package(only: Iterable[str] | None = None) -> tuple[int, int]:
    """Load or refresh the package pairs; staff entries are kept.  Returns (added, removed)."""
    pairs = package_pairs(only)
    with transaction.atomic():
        existing = set(VariantKanji.objects.filter(source=VariantKanji.Source.PACKAGE).values_list("char", "variant"))
        if only is not None:
            wanted = set(only)
            existing = {p for p in existing if p[0] in wanted or p[1] in wanted}
        stale = existing - pairs
        for char, variant in stale:
            VariantKanji.objects.filter(char=char, variant=variant, source=VariantKanji.Source.PACKAGE).delete()
        VariantKanji.objects.bulk_create(
            [VariantKanji(char=c, variant=v) for c, v in sorted(pairs - existing)],
            batch_size=2000,
            ignore_conflicts=True,
        )
    invalidate()
    return len(pairs - existing), len(stale)


def invalidate() -> None:
    _Cache.table = None


def table() -> dict[str, frozenset[str]]:
    """char -> its variants (without itself), cached in the process for a minute: the closed
    group (built-in groups + staff pairs) plus the one-step public neighbours."""
    if _Cache.table is None or time.monotonic() - _Cache.loaded_at > _TTL_SECONDS:
        staff: list[tuple[str, str]] = []
        public: list[tuple[str, str]] = []
        rows = VariantKanji.objects.values_list("char", "variant", "source").iterator(chunk_size=5000)
        for char, variant, source in rows:
            (staff if source == VariantKanji.Source.STAFF else public).append((char, variant))
        _Cache.table = expansion(staff, public)
        _Cache.loaded_at = time.monotonic()
    return _Cache.table


def variants_of(char: str) -> frozenset[str]:
    return table().get(char, frozenset()) | {char}


def forms(text: str, limit: int = MAX_FORMS) -> list[str]:
    """Every spelling of ``text`` with each character replaced by its variants; ``text``
    first, at most ``limit`` spellings (characters nearest the start vary first)."""
    if not text:
        return [text]
    choices = [[ch, *sorted(variants_of(ch) - {ch})] for ch in text]
    result = []
    for combo in itertools.islice(itertools.product(*choices), limit):
        result.append("".join(combo))
    return result


def same_with_variants(a: str, b: str) -> bool:
    """Whether two spellings are equal up to variant characters (used on history rows)."""
    return len(a) == len(b) and all(x == y or y in variants_of(x) for x, y in zip(a, b, strict=True))


def contains_with_variants(haystack: str, needle: str) -> bool:
    n = len(needle)
    return any(same_with_variants(haystack[i : i + n], needle) for i in range(len(haystack) - n + 1))
