"""本人確認情報照会 on the simulated 都道府県サーバ / 全国サーバ (docs/jukinet.md, 「照会」): match the
本人確認情報 held (telegram bodies) by one key kind.  Standard library only; no jumin import —
an independent implementation of the matching, so the tests check jumin against it.

Request body (JSON): ``query_id`` (echoed), ``limit`` (1–1000) and one key kind:

* ``{"key": "resident_code", "resident_code": "…"}``
* ``{"key": "individual_number", "individual_number": "…"}``
* ``{"key": "four", "name": "…", "birth_on": "YYYY-MM-DD", "sex": "1|2"?, "address": "…"?}`` —
  氏名 and at least one of 生年月日 / 住所 (the 4情報 rule); 氏名 matches 漢字氏名 or ふりがな from
  the start, spaces ignored (カタカナ = ひらがな); 住所 anywhere in the 住所.

Answer: 200 ``{"query_id", "count", "records": [...]}`` (``ANSWER_FIELDS`` of each record, 住民票コード
order; no match = count 0), 400 ``bad_request`` / ``insufficient_keys``, 409 ``too_many``
(with ``count``: more than ``limit`` matched; no records).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from http import HTTPStatus
from typing import Any

KEYS = ("resident_code", "individual_number", "four")
MAX_LIMIT = 1000
ANSWER_FIELDS = (
    "resident_code",
    "individual_number",
    "name",
    "furigana",
    "birth_text",
    "sex",
    "municipality_code",
    "postcode",
    "address",
    "record_status",
    "reason",
    "recorded_at",
    "former_surname",
    "alias",
)
ERAS = {"明治": 1867, "大正": 1911, "昭和": 1925, "平成": 1988, "令和": 2018}
WAREKI = re.compile(r"^(明治|大正|昭和|平成|令和)(元|\d{1,2})年(\d{1,2})月(\d{1,2})日$")
SEIREKI = re.compile(r"^(\d{4})[-年/](\d{1,2})[-月/](\d{1,2})日?$")
SPACES = re.compile(r"[\s\u3000]+")


def birth_of(text: str) -> date | None:
    """生年月日 as written in the register (和暦 or 西暦) → a date; None when unreadable."""
    text = SPACES.sub("", str(text))
    try:
        wareki = WAREKI.match(text)
        if wareki:
            era, year, month, day = wareki.groups()
            return date(ERAS[era] + (1 if year == "元" else int(year)), int(month), int(day))
        seireki = SEIREKI.match(text)
        if seireki:
            return date(*(int(part) for part in seireki.groups()))
    except ValueError:
        return None
    return None


def _plain(text: Any) -> str:
    return SPACES.sub("", str(text or ""))


def _kana(text: Any) -> str:
    """Spaces removed, カタカナ as ひらがな (a name typed in either matches the ふりがな)."""
    return "".join(chr(ord(ch) - 0x60) if "ァ" <= ch <= "ヶ" else ch for ch in _plain(text))


def _four(ask: dict[str, Any]) -> Callable[[dict[str, Any]], bool] | None:
    name, birth, address, sex = (_plain(ask.get(k)) for k in ("name", "birth_on", "address", "sex"))
    kana = _kana(name)
    if not name or not (birth or address):
        return None
    try:
        born = date.fromisoformat(birth) if birth else None
    except ValueError:
        return None

    def matches(body: dict[str, Any]) -> bool:
        if not (_plain(body.get("name")).startswith(name) or _kana(body.get("furigana")).startswith(kana)):
            return False
        if born is not None and birth_of(body.get("birth_text", "")) != born:
            return False
        if address and address not in _plain(body.get("address")):
            return False
        return not sex or str(body.get("sex")) == sex

    return matches


def _matcher(ask: dict[str, Any]) -> tuple[Callable[[dict[str, Any]], bool] | None, str]:
    key = ask.get("key")
    if key in ("resident_code", "individual_number"):
        wanted = _plain(ask.get(key))
        if not wanted.isdigit():
            return None, "insufficient_keys"
        return (lambda body: str(body.get(key) or "") == wanted), ""
    matcher = _four(ask)
    return matcher, "" if matcher else "insufficient_keys"


def answer(ask: Any, held: Callable[[], Iterable[dict[str, Any]]]) -> tuple[HTTPStatus, dict[str, Any]]:
    """The answer to one query over the records ``held()`` yields (see the module docstring)."""
    if (
        not isinstance(ask, dict)
        or ask.get("key") not in KEYS
        or not isinstance(ask.get("query_id"), str)
        or not isinstance(ask.get("limit"), int)
        or not 1 <= ask["limit"] <= MAX_LIMIT
    ):
        return HTTPStatus.BAD_REQUEST, {"error": "bad_request"}
    matches, refusal = _matcher(ask)
    if matches is None:
        return HTTPStatus.BAD_REQUEST, {"error": refusal, "query_id": ask["query_id"]}
    found = sorted((b for b in held() if matches(b)), key=lambda b: str(b.get("resident_code")))
    if len(found) > ask["limit"]:
        return HTTPStatus.CONFLICT, {"error": "too_many", "count": len(found), "query_id": ask["query_id"]}
    records = [{name: body.get(name, "") for name in ANSWER_FIELDS} for body in found]
    return HTTPStatus.OK, {"query_id": ask["query_id"], "count": len(records), "records": records}
