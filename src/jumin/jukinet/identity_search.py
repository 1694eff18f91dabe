"""本人確認情報検索 (assessment system 2, function 4; rules-and-vectors §6.8): the 本人確認情報
file searched by 住民票コード, 個人番号 or the 4情報.

The criteria rules are those of the ``identity`` screen of :mod:`jumin.search.criteria` (one
place for them): 氏名＋住所 or 氏名＋生年月日 (性別 may be added), or a 住民票コード, or a
個人番号 — anything else is refused (``search.criteria_not_allowed``), and a number criterion
needs the capability that shows that number (``search.criterion_forbidden``).  Names match as in
住民検索 (:func:`jumin.search.matching.name_matches`: カナ清音化, 異体字).

Current rows are searched, 現存 and 消除 alike; with ``include_superseded`` the 修正前 rows too.
More than ``JUMIN_SEARCH_MAX_RESULTS`` rows are not shown (``search.too_many``: 絞り込んでください).
Numbers are masked unless the caller may see them.  Every search — refused ones too — writes one
access-log row with the masked criteria, the outcome and the persons shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from django.db.models import Q

from jumin.accounts.principal import Principal
from jumin.audit.services import record_access
from jumin.core.errors import DomainError
from jumin.jukinet.models import IdentityRecord, RecordStatus
from jumin.protection.inquiry import decisions as inquiry_decisions
from jumin.registry.numbers import individual_number_lookup, open_individual_number
from jumin.search import criteria as rules
from jumin.search.matching import EXACT, MODES, PARTIAL, PREFIX, NameSpec, birth_date, kind_of, name_matches
from jumin.search.queries import max_results
from jumin.search.variants import forms

VIEW = "accounts.view_resident"
PURPOSE = "本人確認情報検索"
SCREEN = "identity"
CRITERIA = ("name", "address", "birth", "sex", "resident_code", "individual_number")
MASK_CODE = "*" * 11
MASK_NUMBER = "*" * 12
SEX_LABELS = {"1": "男", "2": "女"}


@dataclass(frozen=True)
class IdentityHit:
    atena_no: str
    name: str
    furigana: str
    birth_text: str
    sex: str
    address: str
    resident_code: str
    individual_number: str
    record_status: str
    superseded: bool
    superseded_at: datetime | None
    recorded_at: datetime
    update_seq: int
    reason: str
    inquiry_blocked: bool = False  # 照会抑止 (3.1): the row stays, only the 宛名番号 is shown


@dataclass(frozen=True)
class IdentitySearchResult:
    hits: list[IdentityHit]
    criteria: dict[str, Any]
    mode: str
    include_superseded: bool

    @property
    def count(self) -> int:
        return len(self.hits)


def allowed_criteria() -> str:
    """「氏名＋住所、氏名＋生年月日、住民票コード、個人番号」 for the screen and messages."""
    return rules.describe(rules.SCREENS[SCREEN])


def _clean(raw: Mapping[str, Any]) -> dict[str, Any]:
    criteria = rules.clean(raw)
    if "sex" in criteria:
        criteria["sex"] = {"男": "1", "女": "2"}.get(criteria["sex"], criteria["sex"])
        if criteria["sex"] not in SEX_LABELS:
            raise DomainError("search.bad_sex", "性別は男・女のどちらかを指定してください。")
    return criteria


def _name_prefilter(spec: NameSpec) -> Q:
    """An index-friendly superset of the rows whose name can match; ``name_matches`` decides."""
    kind = kind_of(spec.text)
    if kind == "kana" and spec.mode != PARTIAL:
        lookup = "seion_kana" if spec.mode == EXACT else "seion_kana__startswith"
        return Q(**{lookup: spec.key})
    if kind == "kanji" and spec.mode != PARTIAL:
        first = spec.text.strip(" \u3000")[:1]
        q = Q()
        for form in forms(first, 16):
            q |= Q(name__startswith=form)
        return q
    return Q()


def _as_row(record: IdentityRecord) -> SimpleNamespace:
    """The record in the shape :func:`name_matches` reads (氏 and 名 split at the 全角空白)."""
    surname, _, given = record.name.partition("\u3000")
    kana_surname, _, kana_given = record.furigana.partition("\u3000")
    alphabet = record.name if kind_of(record.name) == "alphabet" else ""
    return SimpleNamespace(
        surname=surname,
        given_name=given,
        furigana_surname=kana_surname,
        furigana_given_name=kana_given,
        name_alphabet=alphabet,
        former_surname=record.former_surname,
        former_surname_furigana=record.former_surname_furigana,
        alias=record.alias,
        alias_furigana="",
    )


def _query(criteria: Mapping[str, Any], mode: str, include_superseded: bool) -> tuple[Q, NameSpec | None]:
    q = Q() if include_superseded else Q(superseded_at__isnull=True)
    if "resident_code" in criteria:
        code = "".join(ch for ch in criteria["resident_code"] if ch.isdigit())
        q &= Q(resident_code=code)
    if "individual_number" in criteria:
        digits = "".join(ch for ch in criteria["individual_number"] if ch.isdigit())
        q &= Q(individual_number_lookup=individual_number_lookup(digits))
    if "birth" in criteria:
        q &= Q(birth_sort=birth_date(criteria["birth"]))
    if "address" in criteria:
        q &= Q(address__contains=criteria["address"].replace(" ", "").replace("\u3000", ""))
    if "sex" in criteria:
        q &= Q(sex=criteria["sex"])
    spec = NameSpec("name", criteria["name"], mode) if "name" in criteria else None
    if spec is not None:
        q &= _name_prefilter(spec)
    return q, spec


def _hit(record: IdentityRecord, *, codes: bool, numbers: bool) -> IdentityHit:
    if record.individual_number_ct:
        number = open_individual_number(record.individual_number_ct, record.atena_no) if numbers else MASK_NUMBER
    else:
        number = ""
    return IdentityHit(
        atena_no=record.atena_no,
        name=record.name,
        furigana=record.furigana,
        birth_text=record.birth_text,
        sex=SEX_LABELS.get(record.sex, record.sex),
        address=record.address,
        resident_code=record.resident_code if codes else MASK_CODE,
        individual_number=number,
        record_status=RecordStatus(record.record_status).label,
        superseded=record.superseded_at is not None,
        superseded_at=record.superseded_at,
        recorded_at=record.recorded_at,
        update_seq=record.update_seq,
        reason=record.reason,
    )


def _blank(record: IdentityRecord) -> IdentityHit:
    """A person under a 照会抑止 the operator may not pass: only the 宛名番号 (and the record's
    place in the CS history) is shown."""
    return IdentityHit(
        atena_no=record.atena_no,
        name="",
        furigana="",
        birth_text="",
        sex="",
        address="",
        resident_code="",
        individual_number="",
        record_status="",
        superseded=record.superseded_at is not None,
        superseded_at=record.superseded_at,
        recorded_at=record.recorded_at,
        update_seq=record.update_seq,
        reason="",
        inquiry_blocked=True,
    )


def search_identity(
    principal: Principal,
    raw: Mapping[str, Any],
    *,
    mode: str = PREFIX,
    include_superseded: bool = False,
) -> IdentitySearchResult:
    """Run one 本人確認情報検索 (see the module docstring)."""
    if not principal.has_perm(VIEW):
        raise DomainError("auth.forbidden", "本人確認情報を検索する権限がありません。")
    mode = mode if mode in MODES else PREFIX
    logged: dict[str, Any] = {"_mode": mode, "_superseded": include_superseded}
    try:
        criteria = _clean(raw)
        rules.check(SCREEN, criteria, principal.sees)
        logged.update(rules.masked(criteria))
        query, spec = _query(criteria, mode, include_superseded)
        limit = max_results()
        cap = (limit + 1) * 20
        candidates = list(IdentityRecord.objects.filter(query).order_by("atena_no", "-update_seq")[:cap])
        if len(candidates) >= cap and spec is not None:
            raise _too_many(limit)
        found = [r for r in candidates if spec is None or name_matches(_as_row(r), spec)]
        if len(found) > limit:
            raise _too_many(limit)
    except DomainError as error:
        if error.code != "auth.forbidden":
            logged.update(rules.masked(rules.clean(raw)))
            record_access(purpose=PURPOSE, persons=[], action="search", criteria={**logged, "_outcome": error.code})
        raise
    codes, numbers = principal.sees("resident_code"), principal.sees("individual_number")
    decided = inquiry_decisions(principal, [r.atena_no for r in found], purpose="protection.inquiry")
    stopped = {n for n, d in decided.items() if not d.allowed}
    hits = [_blank(r) if r.atena_no in stopped else _hit(r, codes=codes, numbers=numbers) for r in found]
    record_access(
        purpose=PURPOSE,
        persons=[h.atena_no for h in hits],
        action="search",
        criteria={**logged, "_outcome": "ok"},
        result_count=len(hits),
        individual_number_shown=numbers and any(h.individual_number for h in hits),
        resident_code_shown=codes and bool(hits),
    )
    return IdentitySearchResult(hits, criteria, mode, include_superseded)


def _too_many(limit: int) -> DomainError:
    return DomainError(
        "search.too_many",
        f"該当が{limit}件を超えました。条件を追加して絞り込んでください（検索結果は表示していません）。",
    )


__all__ = ["IdentityHit", "IdentitySearchResult", "allowed_criteria", "search_identity"]
