"""Which search criteria are allowed where — as data (standard spec 2.1.3; the assessment's
rule that a 4情報 search needs 氏名 + 住所 or 氏名 + 生年月日, or a unique number).

``FIELDS`` names every criterion, its Japanese label and its group.  ``SCREENS`` lists, per
screen or endpoint, the allowed *combinations* (each a tuple of groups that must all be
given) and the *refinements* that may be added to any allowed combination.  Anything else is
refused with ``search.criteria_not_allowed`` and a message that lists what is allowed.
Criteria that need a capability (住民票コード, 個人番号) are refused without it
(``search.criterion_forbidden``), never silently dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jumin.core.errors import DomainError

# The longest criterion searched: no name, address or number the register holds is longer
# (a 100,000-character name was a 500 on SQLite).
MAX_CRITERION = 200


@dataclass(frozen=True)
class Field:
    label: str
    group: str
    needs: str = ""  # a field of Principal.sees() that must be visible to search by it


FIELDS: dict[str, Field] = {
    "name": Field("氏名（漢字・カナ・アルファベット）", "name"),
    "given_name": Field("名のみ（漢字・カナ）", "name"),
    "former_surname": Field("旧氏", "name"),
    "alias": Field("通称", "name"),
    "birth": Field("生年月日（和暦・西暦）", "birth"),
    "address": Field("住所", "address"),
    "address_code": Field("住所コード", "address"),
    "katagaki": Field("方書", "address"),
    "atena_no": Field("宛名番号", "atena_no"),
    "household_no": Field("世帯番号", "household_no"),
    "resident_code": Field("住民票コード", "resident_code", needs="resident_code"),
    "individual_number": Field("個人番号", "individual_number", needs="individual_number"),
    "residence_card_no": Field("在留カード番号", "residence_card_no"),
    "special_permanent_cert_no": Field("特別永住者証明書番号", "special_permanent_cert_no"),
    "sex": Field("性別", "refine"),
    "relationship": Field("続柄", "refine"),
    "removal_reason": Field("消除事由", "refine"),
    "status": Field("現存・除票", "refine"),
    "empty": Field("未記載の項目", "refine"),
}

# Fields whose emptiness can be searched for ("empty" criterion), and the column checked.
EMPTY_FIELDS: dict[str, tuple[str, str, str]] = {
    # name: (label, column, needs)
    "furigana": ("フリガナ", "furigana_surname", ""),
    "katagaki": ("方書", "katagaki", ""),
    "address_code": ("住所コード", "address_code", ""),
    "former_surname": ("旧氏", "former_surname", ""),
    "alias": ("通称", "alias", ""),
    "resident_code": ("住民票コード", "resident_code", "resident_code"),
    "individual_number": ("個人番号", "individual_number_lookup", "individual_number"),
}

GROUP_LABELS = {
    "name": "氏名",
    "birth": "生年月日",
    "address": "住所",
    **{code: f.label for code, f in FIELDS.items() if f.group == code and code not in ("name", "birth", "address")},
}


@dataclass(frozen=True)
class Screen:
    label: str
    combinations: tuple[tuple[str, ...], ...]
    refinements: frozenset[str]


_NUMBERS = (
    ("atena_no",),
    ("household_no",),
    ("resident_code",),
    ("individual_number",),
    ("residence_card_no",),
    ("special_permanent_cert_no",),
)
_REFINE = frozenset({"sex", "relationship", "removal_reason", "status", "empty"})

SCREENS: dict[str, Screen] = {
    # 住民検索 (counter staff, 2.1.3)
    "counter": Screen("住民検索", (("name", "birth"), ("name", "address"), *_NUMBERS), _REFINE),
    # 本人確認情報の検索 (CS-style): only the 4情報 pairs or a unique national number
    "identity": Screen(
        "本人確認情報検索",
        (
            ("name", "address"),
            ("name", "birth"),
            ("name", "address", "birth"),
            ("resident_code",),
            ("individual_number",),
        ),
        frozenset({"sex"}),
    ),
    # /api/v1/search: the same rules as the counter screen
    "api": Screen("検索API", (("name", "birth"), ("name", "address"), *_NUMBERS), _REFINE),
}


def clean(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Keep the known criteria that carry a value (text stripped; ``empty`` a list)."""
    result: dict[str, Any] = {}
    for code, spec in FIELDS.items():
        value = raw.get(code)
        if code == "empty":
            if value is not None and not isinstance(value, (str, list, tuple)):
                raise DomainError("search.malformed", "未記載の項目は項目名の並びで指定してください。")
            items = [value] if isinstance(value, str) else list(value or [])
            names = [str(v) for v in items if isinstance(v, str) and v in EMPTY_FIELDS]
            if names:
                result[code] = sorted(set(names))
        elif value is not None:
            if isinstance(value, (dict, list, tuple)):
                raise DomainError("search.malformed", f"{spec.label}は文字列で指定してください。")
            text = str(value).strip(" \u3000")
            if len(text) > MAX_CRITERION:
                raise DomainError("search.too_long", f"{spec.label}は{MAX_CRITERION}文字以内で入力してください。")
            if text:
                result[code] = text
    if result.get("status") not in (None, "current", "removed"):
        result.pop("status")
    return result


def describe(screen: Screen) -> str:
    """「氏名＋生年月日、氏名＋住所、宛名番号 …」: what the screen allows, for messages."""
    return "、".join("＋".join(GROUP_LABELS[g] for g in combo) for combo in screen.combinations)


def check(screen_code: str, criteria: Mapping[str, Any], sees: Any) -> tuple[str, ...]:
    """Raise DomainError unless ``criteria`` form an allowed combination on the screen and the
    caller may search by every field; returns the combination used.  ``sees(field)`` is
    ``Principal.sees``."""
    screen = SCREENS.get(screen_code)
    if screen is None:
        raise DomainError("search.unknown_screen", "この画面からは検索できません。")
    if not criteria:
        raise DomainError("search.no_criteria", f"検索条件を入力してください（{describe(screen)}）。")
    for code in criteria:
        needs = FIELDS[code].needs
        if needs and not sees(needs):
            raise DomainError("search.criterion_forbidden", f"{FIELDS[code].label}で検索する権限がありません。")
    for name in criteria.get("empty", []):
        needs = EMPTY_FIELDS[name][2]
        if needs and not sees(needs):
            raise DomainError(
                "search.criterion_forbidden", f"{EMPTY_FIELDS[name][0]}の未記載で検索する権限がありません。"
            )
    groups = {FIELDS[code].group for code in criteria}
    for combo in screen.combinations:
        extra = groups - set(combo)
        if set(combo) <= groups and all(g == "refine" for g in extra):
            refine = {code for code in criteria if FIELDS[code].group == "refine"}
            if refine <= screen.refinements:
                return combo
    raise DomainError(
        "search.criteria_not_allowed",
        f"{screen.label}では、その条件の組み合わせでは検索できません。{describe(screen)}のいずれかで検索してください。",
    )


def masked(criteria: Mapping[str, Any]) -> dict[str, Any]:
    """The criteria as they may be written to logs and the search history: no 住民票コード or
    個人番号, only that one was given."""
    return {code: ("（指定あり）" if FIELDS[code].needs else value) for code, value in criteria.items()}
