"""The 67 items of the 送付先情報ファイル (assessment file (3), 別添1) and how each is made.

Stored as ``DeliveryInfo.items``: a JSON object whose keys are the item numbers as text
(``"1"`` … ``"67"``, all present except ``"50"``) and whose values are text or integers.
Item 50 (個人番号) is never in the JSON: it is sealed in ``DeliveryInfo.individual_number_ct``
and opened only to build the request to the card management system.  「項目長」 is the number of
characters of the item that follows it; 「外字数」 counts characters outside JIS X 0208
(:func:`jumin.core.gaiji.gaiji_count`, the same rule as the 本人確認情報).

====  ==============================  =====================================================
item  name                            value
====  ==============================  =====================================================
1     送付先管理番号                   団体コード(6) + 処理日 YYYYMMDD + serial (6 digits)
2     送付先郵便番号                   the send-to postcode (住所, or the 居所 given on request)
3     送付先住所 漢字項目長            len(4)
4     送付先住所 漢字                  send-to address (住所 + 番地 + 方書, or the 居所)
5     送付先住所 漢字 外字数           gaiji count of 4
6     送付先氏名 漢字項目長            len(7)
7     送付先氏名 漢字                  the person's 氏名 (「氏　名」)
8     送付先氏名 漢字 外字数           gaiji count of 7
9     市町村コード                     ``JUMIN_MUNICIPALITY["lg_code"]``
10    市町村名 項目長                  len(11)
11    市町村名                         ``JUMIN_MUNICIPALITY["name"]``
12    市町村郵便番号                   ``JUMIN_CARD_OFFICE["postcode"]``
13    市町村住所 項目長                len(14)
14    市町村住所                       ``JUMIN_CARD_OFFICE["address"]``
15    市町村住所 外字数                gaiji count of 14
16    市町村電話番号                   ``JUMIN_CARD_OFFICE["phone"]``
17    交付場所名 項目長                len(18)
18    交付場所名                       ``JUMIN_CARD_ISSUE_PLACE["name"]`` (default: the office)
19    交付場所名 外字数                gaiji count of 18
20    交付場所郵便番号                 ``JUMIN_CARD_ISSUE_PLACE["postcode"]``
21    交付場所住所 項目長              len(22)
22    交付場所住所                     ``JUMIN_CARD_ISSUE_PLACE["address"]``
23    交付場所住所 外字数              gaiji count of 22
24    交付場所電話番号                 ``JUMIN_CARD_ISSUE_PLACE["phone"]``
25    カード送付場所名 項目長          len(26)
26    カード送付場所名                 ``JUMIN_CARD_SEND_PLACE["name"]`` (default: issue place)
27    カード送付場所名 外字数          gaiji count of 26
28    カード送付場所郵便番号           ``JUMIN_CARD_SEND_PLACE["postcode"]``
29    カード送付場所住所 項目長        len(30)
30    カード送付場所住所               ``JUMIN_CARD_SEND_PLACE["address"]``
31    カード送付場所住所 外字数        gaiji count of 30
32    カード送付場所電話番号           ``JUMIN_CARD_SEND_PLACE["phone"]``
33    対象となる人数                   1 (one person per row)
34    処理年月日                       YYYYMMDD (local date of building)
35    操作者ID                         who entered the 異動 (or who asked for the row)
36    操作端末ID                       the terminal of the 異動 (or of the request)
37    印刷区分                         ``1`` 個人番号通知書＋交付申請書, ``2`` 交付申請書のみ (request)
38    住民票コード                     11 digits
39    氏名 漢字項目長                  len(40)
40    氏名 漢字                        氏名
41    氏名 漢字 外字数                 gaiji count of 40
42    氏名 かな項目長                  len(43)
43    氏名 かな                        フリガナ (「氏　名」)
44    郵便番号                         住所の郵便番号
45    住所 項目長                      len(46)
46    住所                             住所 + 番地 + 方書
47    住所 外字数                      gaiji count of 46
48    生年月日                         as written (和暦, 不詳 forms kept)
49    性別                             ``1`` 男 / ``2`` 女
50    個人番号                         sealed column only (never in ``items``, logs, errors)
51    第30条の45に規定する区分         外国人住民: ``1`` 中長期在留者 ``2`` 特別永住者 ``3`` 一時庇護許可者
                                      ``4`` 仮滞在許可者 ``5`` 出生による経過滞在者 ``6`` 国籍喪失による
                                      経過滞在者; 日本人住民: empty
52    在留期間の満了の日               YYYYMMDD or empty
53    代替文字変換結果                 of 55 and 57 together (住基ネット統一文字, jumin.core.unified_chars):
                                      ``0`` 変換不要, ``1`` 変換済, ``2`` 変換不可あり (a 〓 was sent)
54    代替文字氏名 項目長              len(55)
55    代替文字氏名                     40 in 統一文字: each character outside the set replaced by its
                                      代替文字 (the table ``linkage.UnifiedCharacter``), else by 〓
56    代替文字住所 項目長              len(57)
57    代替文字住所                     46 in 統一文字, the same way
58    代替文字氏名位置情報             1-based positions of the replaced characters in 55, comma-separated
59    代替文字住所位置情報             1-based positions of the replaced characters in 57, comma-separated
60    外字フラグ                       ``1`` when 40, 46 or 62 has a 外字, else ``0``
61    外字パターン                     empty (no glyph images are sent)
62    旧氏 漢字                        旧氏
63    旧氏 外字数                      gaiji count of 62
64    旧氏 ふりがな                    旧氏の振り仮名
65    旧氏 外字変更連番                ``0``
66    ローマ字 氏名                    氏名（アルファベット）
67    ローマ字 旧氏                    empty (the register keeps no romanised 旧氏)
====  ==============================  =====================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings

from jumin.core.address import full_address as address_line
from jumin.core.gaiji import gaiji_count
from jumin.core.unified_chars import combined_result
from jumin.linkage.unified_characters import convert_text
from jumin.registry.models import PersonRecord

ITEM_COUNT = 67
INDIVIDUAL_NUMBER_ITEM = 50
PRINT_FULL = "1"  # 個人番号通知書 + 交付申請書
PRINT_APPLICATION_ONLY = "2"  # 交付申請書のみ
RESIDENCE_CATEGORY_CODES = {
    "mid_long_term": "1",
    "special_permanent": "2",
    "temporary_refuge": "3",
    "provisional_stay": "4",
    "transitional_birth": "5",
    "transitional_loss": "6",
}
ITEM_NAMES = {
    int(line.split()[0]): line.split()[1]
    for line in (__doc__ or "").splitlines()
    if line[:1].isdigit() and line.split()[0].isdigit()
}


@dataclass(frozen=True)
class Place:
    name: str
    postcode: str
    address: str
    phone: str


def _place(setting: str, fallback: Place) -> Place:
    value = getattr(settings, setting, None) or {}
    return Place(
        str(value.get("name", fallback.name)),
        str(value.get("postcode", fallback.postcode)),
        str(value.get("address", fallback.address)),
        str(value.get("phone", fallback.phone)),
    )


def office() -> Place:
    municipality = settings.JUMIN_MUNICIPALITY
    name = str(municipality.get("name", ""))
    default = Place(f"{name}役所", "", f"{municipality.get('prefecture', '')}{name}", "")
    return _place("JUMIN_CARD_OFFICE", default)


def _text(items: dict[str, Any], length_item: int, value: str, gaiji_item: int | None = None) -> None:
    items[str(length_item)] = len(value)
    items[str(length_item + 1)] = value
    if gaiji_item is not None:
        items[str(gaiji_item)] = gaiji_count(value)


def _place_items(items: dict[str, Any], first: int, place: Place) -> None:
    _text(items, first, place.name, first + 2)
    items[str(first + 3)] = place.postcode
    _text(items, first + 4, place.address, first + 6)
    items[str(first + 7)] = place.phone


def full_address(person: PersonRecord) -> str:
    """住所 on the card: 住所+番地, a full-width space, the 方書."""
    return address_line(person.address, person.banchi, person.katagaki)


def build_items(
    person: PersonRecord,
    *,
    management_no: str,
    processed_on: date,
    operator: str,
    terminal: str,
    print_kind: str,
    send_to_postcode: str = "",
    send_to_address: str = "",
) -> dict[str, Any]:
    """Every item except 50, for ``person`` (a history row or the current record)."""
    name, address = person.name, full_address(person)
    items: dict[str, Any] = {"1": management_no, "2": send_to_postcode or person.postcode}
    _text(items, 3, send_to_address or address, 5)
    _text(items, 6, name, 8)
    municipality = settings.JUMIN_MUNICIPALITY
    items["9"] = str(municipality.get("lg_code", ""))
    _text(items, 10, str(municipality.get("name", "")))
    own = office()
    items["12"] = own.postcode
    _text(items, 13, own.address, 15)
    items["16"] = own.phone
    issue = _place("JUMIN_CARD_ISSUE_PLACE", own)
    _place_items(items, 17, issue)
    _place_items(items, 25, _place("JUMIN_CARD_SEND_PLACE", issue))
    items.update({"33": 1, "34": processed_on.strftime("%Y%m%d"), "35": operator, "36": terminal, "37": print_kind})
    items["38"] = person.resident_code
    _text(items, 39, name, 41)
    _text(items, 42, person.furigana)
    items["44"] = person.postcode
    _text(items, 45, address, 47)
    items["48"] = person.birth_text
    items["49"] = person.sex
    items["51"] = RESIDENCE_CATEGORY_CODES.get(person.residence_category, "")
    items["52"] = person.stay_expires_on.strftime("%Y%m%d") if person.stay_expires_on else ""
    name_gaiji, address_gaiji = gaiji_count(name), gaiji_count(address)
    unified_name, unified_address = convert_text(name), convert_text(address)  # 住基ネット統一文字
    items["53"] = combined_result(unified_name, unified_address)
    _text(items, 54, unified_name.text)
    _text(items, 56, unified_address.text)
    items["58"] = unified_name.positions_text
    items["59"] = unified_address.positions_text
    items["62"] = person.former_surname
    items["63"] = gaiji_count(person.former_surname)
    items["60"] = "1" if name_gaiji or address_gaiji or items["63"] else "0"
    items["61"] = ""
    items["64"] = person.former_surname_furigana
    items["65"] = "0"
    items["66"] = person.name_alphabet
    items["67"] = ""
    return dict(sorted(items.items(), key=lambda kv: int(kv[0])))
