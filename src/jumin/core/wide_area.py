"""広域交付 (住基法12条の4; spec 7.1.1.1, 7.2.5): the rules of a 住民票の写し asked for at another
municipality's counter, as data — pure logic.

* :data:`REASONS`: every refusal the 住所地 answers (and the 交付地 shows), by stable code.
* :data:`CHOOSABLE_ITEMS`: what the resident may ask to have printed.  12条の4 always omits
  7条5号 (本籍・筆頭者) and 9〜12号 (個別事項); 4号 (世帯主・続柄), 8の2号 (個人番号) and 13号
  (住民票コード) only on a special request (rules-and-vectors §6.3).
* :func:`fee`: the 交付地's fee (its own ordinance; ``JUMIN_WIDE_AREA_FEE`` per copy).
* :func:`attestation`: the 認証文 of the 交付地 naming the 住所地.
* :func:`check_request`: the form of a request on the wire (``""`` or the refusal code).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


_REASONS = (
    Reason("W010", "個人番号カードの券面事項と住所地の本人確認情報が一致しません。"),
    Reason("W020", "住所地の市区町村にこの方の住民票がありません。"),
    Reason("W021", "住民票が消除されている（転出・死亡等）ため、広域交付できません。"),
    Reason("W030", "支援措置の対象の方が含まれるため、広域交付できません。住所地の市区町村にお問い合わせください。"),
    Reason("W031", "住所地で交付が停止されています。住所地の市区町村にお問い合わせください。"),
    Reason("W040", "請求の内容が正しくありません（様式・記載事項・通数を確認してください）。"),
    Reason("W050", "住所地の市区町村で処理できませんでした。しばらくしてからお試しください。"),
)
REASONS: dict[str, Reason] = {r.code: r for r in _REASONS}

MISMATCH = "W010"
NOT_FOUND = "W020"
REMOVED = "W021"
PROTECTED = "W030"
BLOCKED = "W031"
BAD_REQUEST = "W040"
UNAVAILABLE = "W050"

INDIVIDUAL = "individual"
HOUSEHOLD = "household"
LAYOUTS = {INDIVIDUAL: "本人（個人票）", HOUSEHOLD: "世帯全員（世帯連記式）"}
# the groups of jumin.core.certificates a 広域交付 copy may print on request
CHOOSABLE_ITEMS = ("head_relationship", "resident_code", "individual_number", "foreign_status", "alias_history")
MAX_COPIES = 10
MAX_FACE = 400  # characters of one 券面事項
DEFAULT_FEE = 300  # yen per copy (the 交付地's ordinance decides; JUMIN_WIDE_AREA_FEE)
TITLE = "住民票の写し（広域交付）"

_CODE = re.compile(r"[0-9]{6}")
_REQUEST_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,59}")
_FACE = ("name", "address", "birth", "sex", "individual_number")


def fee(copies: int, per_copy: int = DEFAULT_FEE) -> int:
    return copies * per_copy


def attestation(residence: str, whole_household: bool) -> str:
    """The 交付地's 認証文: the copy shows what the 住所地's 住民票 records."""
    what = "世帯全員の住民票" if whole_household else "住民票"
    return f"この写しは、{residence}の{what}の原本と相違ないことを証明する。（住民基本台帳法第12条の4による広域交付）"


def is_municipality_code(value: object) -> bool:
    return isinstance(value, str) and bool(_CODE.fullmatch(value))


def is_request_id(value: object) -> bool:
    return isinstance(value, str) and bool(_REQUEST_ID.fullmatch(value))


def check_request(body: Mapping[str, Any]) -> str:
    """``""`` when the request's form is one a 住所地 answers, else :data:`BAD_REQUEST`."""
    items = body.get("items")
    face = body.get("card_face")
    copies = body.get("copies")
    if body.get("layout") not in LAYOUTS or not isinstance(items, list):
        return BAD_REQUEST
    if not all(isinstance(i, str) for i in items) or not set(items) <= set(CHOOSABLE_ITEMS):
        return BAD_REQUEST
    if not isinstance(copies, int) or isinstance(copies, bool) or not 1 <= copies <= MAX_COPIES:
        return BAD_REQUEST
    if not isinstance(face, Mapping) or not all(isinstance(face.get(k), str) and face.get(k) for k in _FACE):
        return BAD_REQUEST
    if any(len(face[k]) > MAX_FACE for k in _FACE):
        return BAD_REQUEST
    return ""
