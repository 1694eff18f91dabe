"""Look-ups in the national dictionary (spec 1.3.3, 1.1.17): postcode auto-fill, kana-prefix
entry and the drill-down 都道府県 → 市区町村 → 町域."""

from __future__ import annotations

from typing import Any

import pytest

from jumin.addresses import queries
from jumin.addresses.models import Town
from jumin.core.errors import DomainError

from .conftest import AGEO


def _places(entries: list) -> list[str]:
    return [f"{e.municipality}{e.town}" for e in entries]


@pytest.mark.spec("1.3.3", "1.1.17", partial=True)
@pytest.mark.parametrize("typed", ["3620031", "362-0031", "〒３６２－００３１"])
def test_postcode_fills_in_the_address(saitama: None, typed: str) -> None:
    [entry] = queries.entries_by_postcode(typed)
    assert (entry.prefecture, entry.municipality, entry.town, entry.town_kana) == (
        "埼玉県",
        "上尾市",
        "東町",
        "アズマチョウ",
    )
    assert entry.has_chome and entry.lg_code5 == AGEO
    assert str(entry) == "〒362-0031 埼玉県上尾市東町"


def test_a_postcode_shared_by_several_places_gives_them_all(saitama: None) -> None:
    entries = queries.entries_by_postcode("330-0000")
    assert _places(entries) == ["さいたま市中央区", "さいたま市浦和区"]
    assert {e.town_note for e in entries} == {"以下に掲載がない場合"}
    assert queries.entries_by_postcode("999-9999") == []


def test_a_bad_postcode_is_refused(saitama: None) -> None:
    with pytest.raises(DomainError) as info:
        queries.entries_by_postcode("362-003")
    assert info.value.code == "postcode.bad_format"


@pytest.mark.spec("1.3.3", partial=True)
@pytest.mark.parametrize(
    "typed",
    [
        "アゲオシアズマ",  # one part: 市区町村＋町域
        "あげおしあずま",  # hiragana
        "ｱｹﾞｵｼｱｽﾞﾏ",  # half-width
        "アケオシアスマ",  # 濁点 left out
        "アゲオ アズ",  # two parts: 市区町村, 町域
        "アゲオ　アズ",  # full-width space
        "サ ア アズ",  # three parts: 都道府県, 市区町村, 町域 (「ト ヒ シ」 style)
    ],
)
def test_kana_prefix_entry(saitama: None, typed: str) -> None:
    assert "上尾市東町" in _places(queries.entries_by_kana(typed))


def test_kana_prefix_entry_narrows_and_orders(saitama: None) -> None:
    found = queries.entries_by_kana("アゲオシア")
    assert [e.town for e in found] == ["上尾下", "上尾宿", "上尾村", "浅間台", "東町", "畔吉", "愛宕"]
    assert [e.town for e in queries.entries_by_kana("アゲオ アズ")] == ["東町"]
    assert len(queries.entries_by_kana("サ", limit=5)) == 5
    assert queries.entries_by_kana("") == []
    assert queries.entries_by_kana("ー") == []  # nothing left after the search key
    assert queries.entries_by_kana("サ ア ア ア") == []  # four levels do not exist


def test_drill_down(saitama: None) -> None:
    assert [(p.code, p.name, p.kana) for p in queries.prefectures()] == [("11", "埼玉県", "サイタマケン")]
    municipalities = queries.municipalities("11")
    codes = [m.lg_code5 for m in municipalities]
    assert codes == sorted(codes) and AGEO in codes
    ageo = next(m for m in municipalities if m.lg_code5 == AGEO)
    assert (ageo.name, ageo.kana, str(ageo)) == ("上尾市", "アゲオシ", "埼玉県上尾市")
    towns = queries.towns_of(AGEO)
    assert len(towns) == 64  # 63 towns and the 「以下に掲載がない場合」 row
    assert (towns[0].town, towns[0].town_note, towns[0].postcode) == ("", "以下に掲載がない場合", "3620000")
    assert [t.town for t in towns[1:4]] == ["上尾下", "上尾宿", "上尾村"]
    assert queries.municipalities("13") == []


# -- 住所 typed as a whole (issue 17) ----------------------------------------------------------

COMPOSED = [
    ("平塚4-7-11", [("埼玉県上尾市平塚四丁目", "7番11号", "11219{oaza}004")]),
    ("平塚四丁目7-11", [("埼玉県上尾市平塚四丁目", "7番11号", "11219{oaza}004")]),
    ("埼玉県上尾市平塚４丁目７番１１号", [("埼玉県上尾市平塚四丁目", "7番11号", "11219{oaza}004")]),
    ("平塚三丁目", [("埼玉県上尾市平塚三丁目", "", "11219{oaza}003")]),
    ("平塚", [("埼玉県上尾市平塚", "", "11219{oaza}000")]),
    ("東京都千代田区千代田1-1", []),  # not one of our 町字: kept as typed
]


@pytest.mark.parametrize(("typed", "expected"), COMPOSED)
def test_an_address_typed_whole_is_composed_from_our_towns(
    towns: dict[str, Town], typed: str, expected: list[tuple[str, str, str]]
) -> None:
    oaza = towns["平塚"].oaza_code
    got = [(c.address, c.banchi, c.address_code) for c in queries.compose_address(typed)]
    assert got == [(a, b, code.format(oaza=oaza)) for a, b, code in expected]


def test_the_compose_api_answers_without_personal_data(towns: dict[str, Town], logged_in_client: object) -> None:
    response = logged_in_client.get("/api/v1/addresses/compose", {"text": "平塚4-7-11"})  # type: ignore[attr-defined]
    assert response.status_code == 200
    [reading] = response.json()
    assert reading["banchi"] == "7番11号" and reading["chome"] == 4 and reading["town"] == "平塚"


def test_the_compose_api_refuses_a_text_holding_an_individual_number(logged_in_client: object) -> None:
    response = logged_in_client.get("/api/v1/addresses/compose", {"text": "平塚123456789018"})  # type: ignore[attr-defined]
    assert response.status_code == 400 and "123456789018" not in response.content.decode()


def test_a_postcode_of_a_town_with_chome_offers_each_chome(towns: dict[str, Town]) -> None:
    from jumin.addresses.services import update_town

    hiratsuka = update_town(towns["平塚"], chome_count=4)
    choices = queries.postcode_choices(hiratsuka.postcode)
    assert [c.address for c in choices] == [f"埼玉県上尾市平塚{n}丁目" for n in ("一", "二", "三", "四")]
    assert [c.chome for c in choices] == [1, 2, 3, 4]
    assert choices[3].address_code == str(hiratsuka.address_code(4)) and choices[0].postcode == hiratsuka.postcode
    update_town(hiratsuka, chome_count=0)  # 丁目 unknown: the town alone, as before
    assert [c.address for c in queries.postcode_choices(hiratsuka.postcode)] == ["埼玉県上尾市平塚"]
    with pytest.raises(DomainError) as too_many:
        update_town(hiratsuka, chome_count=100)
    assert too_many.value.code == "town.chome_count"
    without = next(t for t in towns.values() if not t.has_chome)
    with pytest.raises(DomainError) as none:
        update_town(without, chome_count=2)
    assert none.value.code == "town.no_chome"


def test_the_choices_api_answers_codes_and_refuses_a_bad_postcode(
    towns: dict[str, Town], logged_in_client: object
) -> None:
    from jumin.addresses.services import update_town

    hiratsuka = update_town(towns["平塚"], chome_count=3)
    client: Any = logged_in_client
    response = client.get(f"/api/v1/addresses/postcode/{hiratsuka.postcode[:3]}-{hiratsuka.postcode[3:]}/choices")
    assert response.status_code == 200
    assert [(c["address"], c["chome"]) for c in response.json()] == [
        ("埼玉県上尾市平塚一丁目", 1),
        ("埼玉県上尾市平塚二丁目", 2),
        ("埼玉県上尾市平塚三丁目", 3),
    ]
    bad = client.get("/api/v1/addresses/postcode/12a/choices")
    assert bad.status_code == 400 and bad.json()["code"] == "postcode.bad_format"
