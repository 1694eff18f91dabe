"""Pure rules of certificate issuance (住基法12条〜12条の3, standard spec 5.1, 5.5).

* Which record items a route may print (:func:`printable_items`): 本人等 (12条) and their
  代理人 may have every item printed, but 世帯主・続柄, 本籍・筆頭者, 住民票コード and 個人番号 (and,
  for foreign residents, the 30条の45 items and the 通称履歴) only when specially asked for;
  国・地方公共団体 (12条の2) never receive 個人番号 or 住民票コード; a third party (12条の3)
  receives the 基礎証明事項 (7条1〜3号 and 6〜8号) and, on an accepted 申出, 世帯主・続柄 and
  本籍・筆頭者 — never 個人番号, 住民票コード or the 個別事項 (国保・年金… of 7条10〜11号の2).
* The 発行番号 of 5.5 (:class:`IssueNumber`): ``発行年月日 市区町村名 端末名 プリンタ番号 通番 頁/総頁``,
  different for every copy.
* 世帯連記式 sheets hold at most four persons (:func:`sheets`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from jumin.core.errors import DomainError

# Routes of a request (請求の種別).
SELF = "self"  # 本人等の請求 (12条1項)
AGENT = "agent"  # 代理人・使者 (12条, 委任状)
PUBLIC_BODY = "public_body"  # 国又は地方公共団体の機関の請求 (12条の2)
THIRD_PARTY = "third_party"  # 第三者の申出 (12条の3)
ROUTES = (SELF, AGENT, PUBLIC_BODY, THIRD_PARTY)

# Groups of record items a request may ask to have printed (spec 5.1 省略選択).
HEAD_RELATIONSHIP = "head_relationship"  # 世帯主・続柄 (7条4号)
HONSEKI = "honseki"  # 本籍・筆頭者 (5号)
RESIDENT_CODE = "resident_code"  # 住民票コード (13号)
INDIVIDUAL_NUMBER = "individual_number"  # 個人番号 (8の2号)
FOREIGN_STATUS = "foreign_status"  # 国籍・地域, 30条の45区分, 在留資格, 期間, 満了日, 在留カード等番号
ALIAS_HISTORY = "alias_history"  # 通称履歴 (別紙)
PROGRAM_ITEMS = "program_items"  # 個別事項: 国保, 後期高齢, 介護, 国民年金 (基礎年金番号), 児童手当 (10〜11の2号)
OPTIONAL_ITEMS = (
    HEAD_RELATIONSHIP,
    HONSEKI,
    RESIDENT_CODE,
    INDIVIDUAL_NUMBER,
    FOREIGN_STATUS,
    ALIAS_HISTORY,
    PROGRAM_ITEMS,
)
ITEM_LABELS = {
    HEAD_RELATIONSHIP: "世帯主・続柄",
    HONSEKI: "本籍・筆頭者",
    RESIDENT_CODE: "住民票コード",
    INDIVIDUAL_NUMBER: "個人番号",
    FOREIGN_STATUS: "国籍・地域、法第30条の45に規定する区分、在留資格等",
    ALIAS_HISTORY: "通称の記載及び削除に関する事項",
    PROGRAM_ITEMS: "個別事項（国民健康保険・後期高齢者医療・介護保険・国民年金・児童手当）",
}

# What each route may ask for at all.
_ALLOWED = {
    SELF: frozenset(OPTIONAL_ITEMS),
    AGENT: frozenset(OPTIONAL_ITEMS),
    PUBLIC_BODY: frozenset({HEAD_RELATIONSHIP, HONSEKI, FOREIGN_STATUS, ALIAS_HISTORY, PROGRAM_ITEMS}),
    THIRD_PARTY: frozenset({HEAD_RELATIONSHIP, HONSEKI, FOREIGN_STATUS, ALIAS_HISTORY}),
}
_REFUSAL = {
    PUBLIC_BODY: "国又は地方公共団体の機関の請求には、個人番号及び住民票コードを記載できません（住基法12条の2）。",
    THIRD_PARTY: "第三者の申出には、個人番号及び住民票コード並びに個別事項を記載できません（住基法12条の3）。",
}

MAX_PERSONS_PER_SHEET = 4  # 世帯連記式 (帳票 20.1.2)


def printable_items(route: str, requested: Iterable[str]) -> frozenset[str]:
    """The optional item groups printed for a request on ``route`` that asked for ``requested``.

    Nothing is printed that was not asked for (the recommended default of 5.1: omit all).
    Asking for an item the route may never receive is an error, not a silent omission, so
    the counter can tell the requester why."""
    if route not in _ALLOWED:
        raise DomainError("certificate.bad_route", "請求の種別を選んでください。")
    wanted = frozenset(requested)
    unknown = wanted - frozenset(OPTIONAL_ITEMS)
    if unknown:
        raise DomainError("certificate.bad_item", "記載を選べない項目が指定されています。")
    refused = wanted - _ALLOWED[route]
    if refused:
        raise DomainError("certificate.item_not_allowed", _REFUSAL[route])
    return wanted


T = TypeVar("T")


def sheets(persons: Sequence[T], per_sheet: int = MAX_PERSONS_PER_SHEET) -> list[list[T]]:
    """Split the persons of a 世帯連記式 copy into sheets of at most ``per_sheet`` (5.2 order kept)."""
    if per_sheet < 1:
        raise ValueError("per_sheet must be positive")
    return [list(persons[i : i + per_sheet]) for i in range(0, len(persons), per_sheet)] or [[]]


@dataclass(frozen=True)
class IssueNumber:
    """発行番号 (spec 5.5) of one copy; :meth:`page` gives the text printed on each page."""

    issued_on: date
    municipality: str
    terminal: str
    printer: str
    serial: int

    def __post_init__(self) -> None:
        if self.serial < 1:
            raise ValueError("serial starts at 1")

    def base(self) -> str:
        """The number without its page part: identifies the copy (the key of the issuance log)."""
        parts = [
            self.issued_on.strftime("%Y%m%d"),
            self.municipality,
            self.terminal,
            self.printer,
            f"{self.serial:03d}",
        ]
        return " ".join(part for part in parts if part)

    def page(self, page: int, total: int) -> str:
        if not 1 <= page <= total:
            raise ValueError("page out of range")
        return f"{self.base()} {page}/{total}"


def printer_label(number: int | None) -> str:
    """プリンタ番号 as printed (``プリンタ001``); empty when the printer is unknown (5.5 allows it)."""
    return f"プリンタ{number:03d}" if number else ""
