"""How one criterion becomes SQL (a ``Q`` on a table of person records — every one carries the
search keys, history rows included) and, for records that carry no keys (本人確認情報 of
jumin.jukinet.identity_search), a Python check.

Every ``Q`` here is built so that an index can answer it at a million residents:

* kana name  -> ``name_key`` / ``given_name_key`` (jumin.core.kana.search_key, 2.1.2),
  ``=`` for 完全一致, ``LIKE 'key%'`` for 前方一致 (a btree range on PostgreSQL's C collation);
* kanji name -> ``(surname, given_name)`` among the variant spellings (異体字,
  jumin.search.variants), one alternative per place the 氏/名 boundary can fall when no space was
  typed; on PostgreSQL the spellings go as one array (:class:`AnyOf`, so that the statement's
  text and its prepared plan do not depend on how many there are) and the 氏 spellings are first
  narrowed to those the table holds (:class:`PresentIn`);
* alphabet   -> ``name_key`` (the key of an alphabet name is the name in capitals, no spaces).

部分一致 (``partial``) cannot use a btree index; it is meant for use together with a 生年月日
(``birth_sort`` index) or inside a small candidate set.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import CharField, Q
from django.db.models.lookups import In

from jumin.conf.domain import era_table
from jumin.core.errors import DomainError
from jumin.core.kana import search_key
from jumin.search.variants import contains_with_variants, forms, same_with_variants

EXACT, PREFIX, PARTIAL = "exact", "prefix", "partial"
MODES = {EXACT: "完全一致", PREFIX: "前方一致", PARTIAL: "部分一致"}

_KANA = re.compile(
    r"[\u3041-\u3096\u309d\u309e\u30a1-\u30fa\u30fc-\u30fe\uff66-\uff9f\s\u2010-\u2015\u2212\uff0d・ｰ-]+"
)
_ALPHABET = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ\s,.'\-]+")
_SPACES = re.compile(r"[\s\u3000]+")


def kind_of(text: str) -> str:
    """ "kana", "alphabet" or "kanji" (anything else) for a typed name."""
    if _KANA.fullmatch(text):
        return "kana"
    if _ALPHABET.fullmatch(text):
        return "alphabet"
    return "kanji"


def _kanji_parts(text: str) -> list[str]:
    return [p for p in _SPACES.split(text.strip()) if p]


@dataclass(frozen=True)
class NameSpec:
    field: str  # name | given_name | former_surname | alias
    text: str
    mode: str

    @property
    def kind(self) -> str:
        return kind_of(self.text)

    @property
    def key(self) -> str:
        return search_key(self.text)


def _as_array(lookup: In, compiler: Any, connection: Any) -> tuple[str, list[Any], list[Any]]:  # type: ignore[type-arg]
    """The column's SQL and the values of an ``IN`` as one list (no NULL, no repeats)."""
    lhs, lhs_params = lookup.process_lhs(compiler, connection)
    values = [v for v in dict.fromkeys(lookup.rhs) if v is not None]
    if not values:
        raise EmptyResultSet
    return lhs, list(lhs_params), values


@CharField.register_lookup
class PresentIn(In):  # type: ignore[type-arg]
    """``column IN values``, where on PostgreSQL only the values the same table holds in that
    column are kept first (issue 24).  A kanji name expands to every variant spelling of its
    氏 and of its 名 (島田 has 32, 花和 60), and PostgreSQL 15 walks a two-column index once per
    *pair* — 1,920 descents, ~5,800 buffers.  Narrowed (one descent per 氏 spelling; the index
    of every person-record table leads with ``surname``), the pairs left are the few spellings
    people really have.  The result is the same rows: a spelling the table does not hold
    matches nothing.  A semi-join, not ``= ANY(ARRAY(…))``: the planner sees the narrowed
    spellings as rows and walks the two-column index once per spelling held (with the 名
    spellings); an array made by a sub-select is opaque to its estimates, and for a common 氏
    (清水: 32,549 rows) it combined the bitmaps of the whole 氏 and of the 名 instead — 2.9 ms
    against 0.1 (name+address p95 of the raw statement 1.85 → 0.48 ms at 1,000,000).  Other
    databases: a plain ``IN``."""

    lookup_name = "in_present"

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params, values = _as_array(self, compiler, connection)
        qn = connection.ops.quote_name
        field = self.lhs.target
        table, column = qn(field.model._meta.db_table), qn(field.column)
        held = f"SELECT 1 FROM {table} AS held WHERE held.{column} = spelling"  # noqa: S608  # nosec B608
        return (
            f"{lhs} IN (SELECT spelling FROM unnest(%s::text[]) AS spelling WHERE EXISTS ({held}))",  # noqa: S608  # nosec B608
            [*lhs_params, values],
        )


@CharField.register_lookup
class AnyOf(In):  # type: ignore[type-arg]
    """``column IN values`` written ``column = ANY(%s)`` with one array parameter on PostgreSQL,
    so that the statement's text does not depend on how many spellings a name has."""

    lookup_name = "any_of"

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params, values = _as_array(self, compiler, connection)
        return f"{lhs} = ANY(%s::text[])", [*lhs_params, values]


def _pairs_q(surnames: list[str], given_names: list[str]) -> Q:
    """氏 and 名 both matched whole, with their variants: one probe of the (surname, given_name)
    index per 氏 spelling the table holds.  Always narrowed, even for a 氏 of few spellings: one
    statement text for every such search, whose prepared plan PostgreSQL keeps (issue 24; with
    a plain probe for up to 8 pairs, one search in ten had a text of its own, planned again on
    every execution)."""
    return Q(surname__in_present=surnames, given_name__any_of=given_names)


def _text_q(column: str, value: str, mode: str) -> Q:
    lookup = {EXACT: "", PREFIX: "__startswith", PARTIAL: "__contains"}[mode]
    return Q(**{f"{column}{lookup}": value})


def _variants_q(column: str, text: str, mode: str) -> Q:
    """``column`` equal to a variant spelling of ``text``; 前方一致 adds ``LIKE 'text%'`` (typed
    spelling only), 部分一致 ``LIKE '%form%'`` for a few spellings.  Exact and prefix stay
    index range scans (one ``= ANY`` probe and one range per branch)."""
    if mode == EXACT:
        return Q(**{f"{column}__any_of": forms(text)})
    if mode == PREFIX:
        return Q(**{f"{column}__any_of": forms(text)}) | Q(**{f"{column}__startswith": text})
    q = Q()
    for form in forms(text, 16):
        q |= Q(**{f"{column}__contains": form})
    return q


def name_q(spec: NameSpec) -> Q:
    """The SQL of one name criterion on a table of person records."""
    kind = spec.kind
    if spec.field == "former_surname":
        if kind == "kana":
            return _text_q("former_surname_furigana", _katakana(spec.text), spec.mode)
        return _variants_q("former_surname", _SPACES.sub("", spec.text), spec.mode)
    if spec.field == "alias":
        column = "alias_furigana" if kind == "kana" else "alias"
        return Q(**{f"{column}__contains": spec.text})  # 通称 is free text: always 部分一致
    if kind in ("kana", "alphabet"):
        column = "given_name_key" if spec.field == "given_name" else "name_key"
        return _text_q(column, spec.key, spec.mode)
    if spec.field == "given_name":
        return _variants_q("given_name", _SPACES.sub("", spec.text), spec.mode)
    return _kanji_name_q(spec.text, spec.mode)


def _kanji_name_q(text: str, mode: str) -> Q:
    parts = _kanji_parts(text)
    if mode == PARTIAL:
        q = Q()
        for form in forms("".join(parts), 16):
            q |= Q(surname__contains=form) | Q(given_name__contains=form)
        return q
    if len(parts) >= 2:
        # 氏 and 名 both typed: both matched whole (with variants), one probe of the
        # (surname, given_name) index; 前方一致 applies to a name typed without a space
        return _pairs_q(forms(parts[0]), forms("".join(parts[1:])))
    whole = parts[0] if parts else ""
    q = _variants_q("surname", whole, mode)
    for cut in range(1, len(whole)):
        q |= _pairs_q(forms(whole[:cut]), forms(whole[cut:]))
    return q


def _katakana(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in _SPACES.sub("", text))


def _compare(value: str, wanted: str, mode: str) -> bool:
    if mode == EXACT:
        return value == wanted
    if mode == PREFIX:
        return value.startswith(wanted)
    return wanted in value


def name_matches(row: Any, spec: NameSpec) -> bool:
    """The same rules as :func:`name_q`, in Python, for a record that carries no keys."""
    kind = spec.kind
    if spec.field == "former_surname":
        if kind == "kana":
            return _compare(_katakana(row.former_surname_furigana), _katakana(spec.text), spec.mode)
        return _kanji_compare(row.former_surname, _SPACES.sub("", spec.text), spec.mode)
    if spec.field == "alias":
        return spec.text in (row.alias_furigana if kind == "kana" else row.alias)
    if kind in ("kana", "alphabet"):
        given = search_key(row.furigana_given_name)
        full = search_key(f"{row.furigana_surname}\u3000{row.furigana_given_name}".strip("\u3000") or row.name_alphabet)
        if kind == "alphabet":
            full_alpha = search_key(row.name_alphabet)
            return _compare(full_alpha, spec.key, spec.mode) or _compare(full, spec.key, spec.mode)
        return _compare(given if spec.field == "given_name" else full, spec.key, spec.mode)
    if spec.field == "given_name":
        return _kanji_compare(row.given_name, _SPACES.sub("", spec.text), spec.mode)
    parts = _kanji_parts(spec.text)
    if spec.mode == PARTIAL:
        joined = "".join(parts)
        return _kanji_compare(row.surname, joined, PARTIAL) or _kanji_compare(row.given_name, joined, PARTIAL)
    if len(parts) >= 2:
        return same_with_variants(row.surname, parts[0]) and same_with_variants(row.given_name, "".join(parts[1:]))
    whole = parts[0] if parts else ""
    return _kanji_compare(row.surname, whole, spec.mode) or _kanji_compare(
        row.surname + row.given_name, whole, spec.mode if spec.mode != PREFIX else EXACT
    )


def _kanji_compare(value: str, wanted: str, mode: str) -> bool:
    if mode == EXACT:
        return same_with_variants(value, wanted)
    if mode == PREFIX:
        return same_with_variants(value[: len(wanted)], wanted)
    return contains_with_variants(value, wanted)


def birth_date(text: str) -> date:
    """生年月日 typed in 和暦 (令和6年4月1日, R6.4.1, 5060401) or 西暦 (2024-04-01, 2024年4月1日)."""
    try:
        return era_table().parse(text)
    except DomainError as error:
        raise DomainError(
            "search.bad_birth", "生年月日を読み取れません（例: 昭和55年4月1日、S55.4.1、1980-04-01）。"
        ) from error
