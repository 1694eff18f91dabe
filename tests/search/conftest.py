"""A small city for the search tests: variant kanji, fuzzy kana, a past name, a past address,
a foreigner, a 除票 in the 除票DB."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from jumin.accounts.models import User
from jumin.registry.archive import archive_removed
from jumin.registry.models import Resident
from jumin.search import variants
from tests.conftest import make_operator
from tests.registry.conftest import _at_the_counter, counter, final, move_in_data, person, reviewer, spare_codes

__all__ = ["_at_the_counter", "counter", "reviewer", "spare_codes"]

# the characters whose variants the tests use, loaded from the package data (ja-itaiji)
VARIANT_CHARS = "辺邊邉浜濱斉齋齊斎高髙崎﨑"
NUMBER = "123456789018"


@pytest.fixture
def clerk(db: None) -> User:
    """他部署照会: may search, sees neither 住民票コード nor 個人番号."""
    return make_operator("shoukai", "照会 太郎", roles=("他部署照会",))


@dataclass
class City:
    watanabe: Resident  # 渡邊 太郎: moved 本町 -> 原市 (past address), has a 個人番号
    saito: Resident  # 齋藤 花子
    takahashi: Resident  # 髙橋 正二 (ショウジ)
    oishi: Resident  # 小石 次郎, recorded first as 大石 次郎 (past name, clerical correction)
    foreigner: Resident  # NGUYEN VAN AN, 在留カード AB12345678CD
    old: str  # 宛名番号 of 浜崎 三郎: moved out in 平成25年, now in the 除票DB


def _one(data: dict[str, object], counter: User, reviewer: User, **overrides: object) -> Resident:
    movement = final("move_in", move_in_data(data, **overrides), counter, reviewer)
    return Resident.objects.get(atena_no=movement.items.get().atena_no)


@pytest.fixture
def city(counter: User, reviewer: User) -> City:
    variants.load_package(VARIANT_CHARS)
    watanabe = _one(
        person(
            surname="渡邊",
            given_name="太郎",
            furigana_surname="ワタナベ",
            koseki_head="渡邊　太郎",
            individual_number=NUMBER,
        ),
        counter,
        reviewer,
    )
    final(
        "relocation",
        {
            "atena_nos": [watanabe.atena_no],
            "effective": "R8.11.25",
            "destination": {"address": {"address": "埼玉県上尾市原市1番地", "postcode": "3620021"}},
        },
        counter,
        reviewer,
    )
    saito = _one(
        person(
            surname="齋藤",
            given_name="花子",
            furigana_surname="サイトウ",
            furigana_given_name="ハナコ",
            sex="2",
            birth="平成2年2月2日",
            koseki_head="齋藤　花子",
        ),
        counter,
        reviewer,
        address={"address": "埼玉県上尾市原市2番地"},
    )
    takahashi = _one(
        person(
            surname="髙橋",
            given_name="正二",
            furigana_surname="タカハシ",
            furigana_given_name="ショウジ",
            birth="昭和40年1月1日",
            koseki_head="髙橋　正二",
        ),
        counter,
        reviewer,
        address={"address": "埼玉県上尾市宮本町1番1号"},
    )
    oishi = _one(
        person(
            surname="大石",
            given_name="次郎",
            furigana_surname="オオイシ",
            furigana_given_name="ジロウ",
            birth="昭和50年5月5日",
            koseki_head="大石　次郎",
        ),
        counter,
        reviewer,
    )
    final(
        "correction",
        {
            "correction": "clerical",
            "atena_no": oishi.atena_no,
            "changes": {"surname": "小石", "furigana_surname": "コイシ"},
        },
        counter,
        reviewer,
    )
    foreigner = _one(
        {
            "nationality_kind": "foreign",
            "surname": "",
            "given_name": "",
            "name_alphabet": "NGUYEN VAN AN",
            "furigana_surname": "",
            "furigana_given_name": "",
            "birth": "1995-03-01",
            "sex": "1",
            "relationship": "世帯主",
            "nationality": "ベトナム",
            "residence_category": "mid_long_term",
            "residence_status": "技術・人文知識・国際業務",
            "period_of_stay": "3年",
            "stay_expires_on": "2028-03-31",
            "residence_card_no": "AB12345678CD",
            "honseki": "",
            "koseki_head": "",
        },
        counter,
        reviewer,
    )
    old = _one(
        person(
            surname="浜崎",
            given_name="三郎",
            furigana_surname="ハマサキ",
            furigana_given_name="サブロウ",
            birth="昭和30年3月3日",
            koseki_head="浜崎　三郎",
        ),
        counter,
        reviewer,
        effective="平成20年4月1日",
        notified_on="平成20年4月1日",
    )
    final(
        "move_out",
        {
            "reason": "domestic_move_out",
            "effective": "平成25年4月1日",
            "notified_on": "平成25年4月1日",
            "destination": {"address": "東京都千代田区千代田1番1号"},
            "atena_nos": [old.atena_no],
            "initiation": "ex_officio",
        },
        counter,
        reviewer,
    )
    archive_removed(today=date(2026, 11, 26))
    for r in (watanabe, saito, takahashi, oishi, foreigner):
        r.refresh_from_db()
    return City(watanabe, saito, takahashi, oishi, foreigner, old.atena_no)
